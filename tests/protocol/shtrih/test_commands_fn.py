"""ФН commands of the register protocol: FF01h ФН status and FF0Ch send TLV."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex

# FF01h answer from re-star-ru/shtrih-m-driver docs/out.txt.
FN_STATUS_BODY = H("FF 01 00 03 00 00 01 00 15 07 1D 0B 1D") + b"9287440301120991" + H("A9 01 00 00")


def test_fn_status_request_is_big_endian_code():
    assert c.FnStatusRequest(30).encode() == H("FF 01 1E 00 00 00")
    assert c.command_code(H("FF 01 1E 00 00 00")) == 0xFF01


def test_fn_status_answer_payload_length():
    assert len(FN_STATUS_BODY) == 33
    assert c.FnStatusAnswer.LAYOUT.sizeof() == 30


def test_fn_status_fields():
    answer = c.FnStatusAnswer.decode(FN_STATUS_BODY)
    assert c.FnPhase(answer.phase) == c.FnPhase.CONFIGURED | c.FnPhase.FISCAL_MODE_OPEN
    assert answer.current_document == c.FnDocument.NONE
    assert answer.shift_open is True
    assert answer.document_data_received is False
    assert answer.document_datetime == datetime.datetime(2021, 7, 29, 11, 29)


def test_fn_status_zero_datetime_is_none():
    body = bytearray(FN_STATUS_BODY)
    body[8:13] = bytes(5)
    answer = c.FnStatusAnswer.decode(bytes(body))
    assert answer.document_datetime is None
    assert answer.encode() == bytes(body)


def test_fn_status_invalid_datetime_rejected():
    body = bytearray(FN_STATUS_BODY)
    body[9] = 13
    with pytest.raises(DecodeError, match="invalid date and time"):
        c.FnStatusAnswer.decode(bytes(body))


@pytest.mark.parametrize("offset", [5, 6])
def test_fn_status_flag_byte_must_be_0_or_1(offset):
    # pyshtrih 2.0.6 fails with KeyError on any other value of these two bytes.
    body = bytearray(FN_STATUS_BODY)
    body[offset] = 2
    with pytest.raises(DecodeError, match="0 or 1"):
        c.FnStatusAnswer.decode(bytes(body))


@pytest.mark.parametrize(("field", "value"), [
    ("shift_open", 1), ("fn_number", "928744030112099"), ("fn_number", "92874403011209910"),
    ("fn_number", "928744030112099Ж"), ("document_datetime", datetime.datetime(2021, 7, 29, 11, 29, 30)),
    ("document_datetime", datetime.date(2021, 7, 29)), ("last_document_number", 2**32),
])
def test_fn_status_out_of_range_rejected(field, value):
    answer = c.FnStatusAnswer.decode(FN_STATUS_BODY)
    with pytest.raises(EncodeError, match=field):
        dataclasses.replace(answer, **{field: value}).encode()


def test_fn_status_non_ascii_number_rejected():
    body = FN_STATUS_BODY[:13] + "928744030112099Ж".encode("cp1251") + FN_STATUS_BODY[29:]
    with pytest.raises(DecodeError, match="fn_number"):
        c.FnStatusAnswer.decode(body)


def test_fn_status_error_answer_three_bytes():
    assert c.error_answer(0xFF01, 0x02) == H("FF 01 02")


def test_send_tlv_items():
    # Tag 1021 (cashier) in CP866, as sent through FF0Ch in shtrih-m/fr_drv_ng issue 152.
    request = c.decode_request(H("FF 0C 1E 00 00 00 FD 03 09 00 8F A5 E2 E0 AE A2 20 8F 2E"))
    assert request.password == 30
    assert request.items() == [(1021, "Петров П.".encode("cp866"))]


def test_send_tlv_broken_structure_decodes():
    # The codec keeps the bytes, and the dialect reports the fault with an error code.
    request = c.SendTlvRequest.decode(H("FF 0C 1E 00 00 00 FD 03 09 00 8F"))
    assert request.tlv == H("FD 03 09 00 8F")
    with pytest.raises(DecodeError, match="ends inside a TLV"):
        request.items()


def test_send_tlv_empty_block():
    assert c.SendTlvRequest.decode(H("FF 0C 1E 00 00 00")).tlv == b""


def test_send_tlv_size_limits():
    assert len(c.SendTlvRequest(30, bytes(249)).encode()) == 255
    with pytest.raises(EncodeError, match="255"):
        c.SendTlvRequest(30, bytes(250)).encode()
    with pytest.raises(EncodeError, match="250"):
        c.SendTlvRequest(30, bytes(251)).encode()
    with pytest.raises(EncodeError, match="bytes"):
        c.SendTlvRequest(30, "FD03").encode()


def test_send_tlv_answer():
    assert c.SendTlvAnswer().encode() == H("FF 0C 00")
    with pytest.raises(DecodeError):
        c.SendTlvAnswer.decode(H("FF 0C 00 00"))
