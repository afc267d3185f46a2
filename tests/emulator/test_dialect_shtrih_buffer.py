"""FF30h–FF33h, the register's data buffer, and FF64h, which passes a TLV from it to the ФН.

The write and read loops follow javapos_shtrih (SMFiscalPrinterImpl
fsWriteBlockData and fsReadBlockData): FF32h with the size, FF33h with blocks of
the size FF32h answered at offsets 0, N, 2N..., and FF30h then FF31h blocks of
the size FF30h answered. The vendor spec v1.17 says FF64h lets a TLV longer
than 250 bytes reach the ФН.
"""

from __future__ import annotations

import pytest

from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
CASHIER = 1
SYSADMIN = 30
WRITE_BLOCK = 246
READ_BLOCK = 252
# A user property (1084) of 278 bytes: too long for one FF0Ch.
LONG_TLV = encode_tlv(1084, encode_tlv(1085, encode_string("Промокод")) + encode_tlv(1086, encode_string("X" * 250)))
BAD_INN_TLV = encode_tlv(1228, b"7707083894  ")


def load(kkt, data: bytes) -> None:
    """Write ``data`` into the buffer the way javapos_shtrih does."""
    answer = kkt.send(c.StartBufferWriteRequest(SYSADMIN, len(data)))
    block = answer.block_size
    for offset in range(0, len(data), block):
        assert kkt.raw(c.WriteBufferRequest(SYSADMIN, offset, data[offset:offset + block])) == H("FF 33 00")


def read_back(kkt) -> bytes:
    status = kkt.send(c.BufferStatusRequest(SYSADMIN))
    data = b""
    for offset in range(0, status.size, status.block_size):
        count = min(status.block_size, status.size - offset)
        data += kkt.send(c.ReadBufferRequest(SYSADMIN, offset, count)).data
    return data


def buffer_state(kkt):
    buffer = kkt.register.device.buffer
    return None if buffer is None else (bytes(buffer.data), bytes(buffer.written))


def refused(kkt, request, error):
    """Check the error byte and that neither the register nor its buffer changed."""
    buffer = buffer_state(kkt)
    kkt.refused(request, error)
    assert buffer_state(kkt) == buffer


@pytest.fixture
def kkt(make_kkt):
    return make_kkt()


def test_buffer_empty(kkt):
    assert kkt.raw(c.BufferStatusRequest(SYSADMIN)) == H("FF 30 00 00 00 FC")


def test_start_write_answers_block_size(kkt):
    assert kkt.raw(c.StartBufferWriteRequest(SYSADMIN, len(LONG_TLV))) == H("FF 32 00 F6")


def test_write_and_read_back(kkt):
    assert len(LONG_TLV) > WRITE_BLOCK
    load(kkt, LONG_TLV)
    status = kkt.send(c.BufferStatusRequest(SYSADMIN))
    assert (status.size, status.block_size) == (len(LONG_TLV), READ_BLOCK)
    assert read_back(kkt) == LONG_TLV


def test_blocks_in_any_order(kkt):
    kkt.send(c.StartBufferWriteRequest(SYSADMIN, 10))
    kkt.send(c.WriteBufferRequest(SYSADMIN, 5, b"67890"))
    assert kkt.send(c.BufferStatusRequest(SYSADMIN)).size == 0
    kkt.send(c.WriteBufferRequest(SYSADMIN, 0, b"12345"))
    assert read_back(kkt) == b"1234567890"


def test_start_write_drops_old_data(kkt):
    load(kkt, b"old data")
    kkt.send(c.StartBufferWriteRequest(SYSADMIN, 3))
    assert kkt.send(c.BufferStatusRequest(SYSADMIN)).size == 0


def test_send_buffer_tlv_to_receipt(kkt):
    load(kkt, LONG_TLV)
    assert kkt.raw(c.SendBufferTlvRequest(SYSADMIN)) == H("FF 64 00")
    assert kkt.send(c.BufferStatusRequest(SYSADMIN)).size == 0
    kkt.send(c.SaleRequest(CASHIER, 1000, 2800, 1, (0, 0, 0, 0), "Сахар"))
    kkt.send(c.CloseReceiptRequest(CASHIER, (2800, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    assert (1084, LONG_TLV[4:]) in split_tlv(kkt.last_document().tlv)


def test_send_buffer_tlv_in_open_receipt(kkt):
    kkt.send(c.SaleRequest(CASHIER, 1000, 2800, 1, (0, 0, 0, 0), "Сахар"))
    load(kkt, LONG_TLV)
    kkt.send(c.SendBufferTlvRequest(SYSADMIN))
    assert kkt.register.receipt.receipt.extra_tlv == [LONG_TLV]


@pytest.mark.parametrize("size", [0, 1025, 0xFFFF])
def test_start_write_invalid_size(kkt, size):
    refused(kkt, c.StartBufferWriteRequest(SYSADMIN, size), 0x33)


def test_write_before_start(kkt):
    refused(kkt, c.WriteBufferRequest(SYSADMIN, 0, b"data"), 0x5E)


@pytest.mark.parametrize("offset, data", [
    (0, b""), (0, bytes(WRITE_BLOCK + 1)), (295, b"123456"), (300, b"x"),
], ids=["empty", "over the block size", "beyond the end", "at the end"])
def test_write_outside(kkt, offset, data):
    kkt.send(c.StartBufferWriteRequest(SYSADMIN, 300))
    # Built by hand: a v1 frame cannot carry the 247-byte block, a v2 frame can.
    body = H("FF 33 1E 00 00 00") + offset.to_bytes(2, "little") + bytes((len(data),)) + data
    refused(kkt, body, 0x33)


@pytest.mark.parametrize("offset, count", [(0, 0), (0, 9), (8, 1), (0, READ_BLOCK + 1)])
def test_read_outside(kkt, offset, count):
    load(kkt, b"12345678")
    refused(kkt, c.ReadBufferRequest(SYSADMIN, offset, count), 0x33)


def test_read_incomplete(kkt):
    kkt.send(c.StartBufferWriteRequest(SYSADMIN, 4))
    kkt.send(c.WriteBufferRequest(SYSADMIN, 0, b"12"))
    refused(kkt, c.ReadBufferRequest(SYSADMIN, 0, 2), 0x34)


def test_read_empty(kkt):
    refused(kkt, c.ReadBufferRequest(SYSADMIN, 0, 1), 0x34)


def test_send_empty_buffer(kkt):
    refused(kkt, c.SendBufferTlvRequest(SYSADMIN), 0x34)


def test_send_incomplete_buffer(kkt):
    kkt.send(c.StartBufferWriteRequest(SYSADMIN, len(LONG_TLV)))
    kkt.send(c.WriteBufferRequest(SYSADMIN, 0, LONG_TLV[:WRITE_BLOCK]))
    refused(kkt, c.SendBufferTlvRequest(SYSADMIN), 0x34)


@pytest.mark.parametrize("data", [BAD_INN_TLV, b"\x30\x04\x05", encode_tlv(1040, b"\x01\x00\x00\x00")],
                         ids=["bad ИНН", "truncated", "ФН tag"])
def test_send_invalid_tlv(kkt, data):
    load(kkt, data)
    refused(kkt, c.SendBufferTlvRequest(SYSADMIN), 0x33)
    assert read_back(kkt) == data


def test_restart_drops_buffer(kkt):
    load(kkt, b"12345678")
    assert kkt.raw(H("FE F3 00 00 00 00")) == H("FE 00")  # FEh F3h restarts the register
    assert kkt.send(c.BufferStatusRequest(SYSADMIN)).size == 0


@pytest.mark.parametrize("request_", [
    c.BufferStatusRequest(CASHIER), c.StartBufferWriteRequest(CASHIER, 4), c.WriteBufferRequest(CASHIER, 0, b"x"),
    c.ReadBufferRequest(CASHIER, 0, 1), c.SendBufferTlvRequest(CASHIER),
], ids=["FF30h", "FF32h", "FF33h", "FF31h", "FF64h"])
def test_buffer_needs_sysadmin(kkt, request_):
    refused(kkt, request_, 0x4F)
