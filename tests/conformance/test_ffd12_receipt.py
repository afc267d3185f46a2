"""Conformance: a full ФФД 1.2 receipt sent as raw Штрих-М frames over TCP and the pty.

The client handles the bytes itself (STX LEN body LRC, ACK after each reply), as
a POS driver does. It sends two FF46h items with different tax bits, one sold by
weight and one as a fraction of a pack. FF4Dh adds the measure 2108, the product
code 1163 and the fraction 1291, FF0Ch the buyer's phone 1008 and buyer data
1256, and FF45h pays in cash and cashless with change. The ФН archive
is then read back from disk: every tag, the totals and VAT sums, and the fiscal
sign of every document.
"""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal

import pytest
import serial

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.emulator.transports.background import TransportThread
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.protocol.ffd.documents import decode_document, printed_fiscal_sign
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih.frame import AnswerFrame, ControlByte, HostLink, encode_frame

H = bytes.fromhex
START = dt.datetime(2024, 3, 1, 9, 0, 0)
PROFILE = SHTRIH_M_01F.with_ffd("1.2")
ACK, FF = 0x06, 0xFF
PHONE = "+79990001122"
EAN13 = b"4601234567893"
BUYER = encode_tlv(1227, encode_string("Иванов Иван")) + encode_tlv(1228, b"500123456750")


def ff46(operation: int, quantity: int, price: int, amount: int | None, tax_bits: int, name: str) -> bytes:
    """Build an FF46h body by hand: quantity in millionths, money in kopecks, sysadmin password."""
    no_sum = b"\xff" * 5
    return (H("FF 46 1E 00 00 00") + bytes((operation,)) + quantity.to_bytes(6, "little")
            + price.to_bytes(5, "little") + (no_sum if amount is None else amount.to_bytes(5, "little"))
            + no_sum + bytes((tax_bits, 1, 4, 1)) + name.encode("cp1251"))


def tlv_body(code: bytes, tlv: bytes) -> bytes:
    return code + H("1E 00 00 00") + tlv


def ff45(cash: int, cashless: int) -> bytes:
    sums = [cash, cashless] + [0] * 14
    return (H("FF 45 1E 00 00 00") + b"".join(value.to_bytes(5, "little") for value in sums) + b"\x00"
            + bytes(30) + b"\x01")


RECEIPT_FLOW = [
    ("open shift", H("E0 1E 00 00 00")),
    # 0.750 kg × 800.00 at VAT 20 % (bit 0), the register computes the sum.
    ("cheese", ff46(1, 750_000, 80000, None, 0x01, 'Сыр "Российский"')),
    ("cheese TLV", tlv_body(H("FF 4D"), encode_tlv(2108, b"\x0b") + encode_tlv(1163, encode_tlv(1302, EAN13)))),
    # One pack, a quarter of it sold, 360.00 at VAT 10 % (bit 1), the sum given.
    ("drops", ff46(1, 1_000_000, 36000, 36000, 0x02, "Капли глазные")),
    ("drops TLV", tlv_body(H("FF 4D"), encode_tlv(1291, encode_tlv(1293, b"\x01") + encode_tlv(1294, b"\x04")))),
    ("phone", tlv_body(H("FF 0C"), encode_tlv(1008, encode_string(PHONE)))),
    ("buyer", tlv_body(H("FF 0C"), encode_tlv(1256, BUYER))),
    ("close", ff45(50000, 50000)),
]


class RawHost:
    """A host that sends one frame, waits for ACK and the answer, and acknowledges it."""

    def __init__(self, read, write) -> None:
        self.read = read
        self.write = write
        self.link = HostLink()
        self.events: list = []

    def command(self, body: bytes) -> bytes:
        self.write(encode_frame(body))
        acknowledged = False
        while True:
            while not self.events:
                data = self.read()
                if not data:
                    raise ConnectionError("the emulator sent nothing")
                self.events += self.link.receive_data(data)
            event = self.events.pop(0)
            if event == ControlByte(ACK):
                acknowledged = True
            elif isinstance(event, AnswerFrame):
                assert acknowledged, f"answer to {body.hex(' ')} came without ACK"
                self.write(bytes((ACK,)))
                return event.body
            else:
                assert event == ControlByte(FF), f"unexpected {event}"  # the network register's byte after ACK


def _run_tcp(thread: TransportThread, tmp_path) -> list[bytes]:
    server = thread.serve_tcp(port=0)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        host = RawHost(lambda: sock.recv(4096), sock.sendall)
        return [host.command(body) for _, body in RECEIPT_FLOW]


def _run_pty(thread: TransportThread, tmp_path) -> list[bytes]:
    path = str(tmp_path / "ttyKKT")
    thread.serve_pty(path)
    with serial.Serial(path, baudrate=115200, timeout=5) as port:
        host = RawHost(lambda: port.read(max(1, port.in_waiting)), port.write)
        return [host.command(body) for _, body in RECEIPT_FLOW]


@pytest.fixture(params=["tcp", "pty"], scope="module")
def receipt_flow(request, tmp_path_factory):
    """Run the flow; return (answers by step, archive contents, ФН key)."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    fn_path = tmp_path / "fn.bin"
    with Emulator(fn_path, clock=Clock(START, frozen=True), profile=PROFILE) as emulator, \
            TransportThread(emulator.execute, profile=PROFILE) as thread:
        run = _run_tcp if request.param == "tcp" else _run_pty
        answers = run(thread, tmp_path)
        key = derive_fn_key(DEFAULT_MASTER_KEY, emulator.fn_serial)
    steps = dict(zip((name for name, _ in RECEIPT_FLOW), answers))
    return steps, read_archive(fn_path), key


def _receipt(contents):
    return [document for document in contents.documents if document.form == 3][0]


def _items(receipt) -> list[dict]:
    document = decode_document(receipt.stlv)
    return [{child.tag: child.value for child in field.value} for field in document.fields if field.tag == 1059]


def test_every_command_accepted(receipt_flow):
    steps, _contents, _key = receipt_flow
    for name, answer in steps.items():
        assert answer[2 if answer[0] == 0xFF else 1] == 0, f"{name}: {answer.hex(' ')}"


def test_close_answer_layout(receipt_flow):
    steps, contents, _key = receipt_flow
    answer = steps["close"]
    assert len(answer) == 16  # LEN 16: FF 45, error, change, ФД number, ФПД
    receipt = _receipt(contents)
    assert int.from_bytes(answer[3:8], "little") == 100000 - 96000
    assert int.from_bytes(answer[8:12], "little") == receipt.fd_number
    assert int.from_bytes(answer[12:16], "little") == receipt.fiscal_sign


def test_documents_in_order(receipt_flow):
    _steps, contents, _key = receipt_flow
    assert [document.form for document in contents.documents] == [1, 2, 3]
    assert [document.fd_number for document in contents.documents] == [1, 2, 3]


def test_every_fiscal_sign_verifies(receipt_flow):
    _steps, contents, key = receipt_flow
    for document in contents.documents:
        assert verify_document(key, document.stlv), f"ФД {document.fd_number}"
        fields = {field.tag: field.value for field in decode_document(document.stlv).fields}
        assert printed_fiscal_sign(fields[1077]) == document.fiscal_sign


def test_items(receipt_flow):
    _steps, contents, _key = receipt_flow
    cheese, drops = _items(_receipt(contents))
    assert cheese[1030] == 'Сыр "Российский"'
    assert (cheese[1023], cheese[1079], cheese[1043]) == (Decimal("0.750000"), 80000, 60000)
    assert (cheese[2108], cheese[1199], cheese[1200]) == (11, 1, 10000)
    assert (cheese[1214], cheese[1212]) == (4, 1)
    assert drops[1030] == "Капли глазные"
    assert (drops[1023], drops[1079], drops[1043]) == (Decimal("1.000000"), 36000, 36000)
    assert (drops[2108], drops[1199], drops[1200]) == (0, 2, 3273)


def test_item_structures_byte_exact(receipt_flow):
    _steps, contents, _key = receipt_flow
    cheese, drops = [dict(split_tlv(value)) for tag, value in split_tlv(_receipt(contents).tlv) if tag == 1059]
    assert cheese[1163] == encode_tlv(1302, EAN13)
    assert drops[1291] == encode_tlv(1293, b"\x01") + encode_tlv(1294, b"\x04")
    assert 1162 not in cheese
    assert 1197 not in cheese


def test_receipt_totals_and_vat(receipt_flow):
    _steps, contents, _key = receipt_flow
    fields = {field.tag: field.value for field in decode_document(_receipt(contents).stlv).fields}
    assert fields[1054] == 1
    assert fields[1055] == 1
    assert fields[1209] == 4
    assert fields[1020] == 96000
    assert fields[1031] == 46000  # 500.00 cash less 40.00 change
    assert fields[1081] == 50000
    assert (fields[1215], fields[1216], fields[1217]) == (0, 0, 0)
    assert fields[1102] == 10000
    assert fields[1103] == 3273
    assert fields[1008] == PHONE
    assert fields[1012] == START


def test_buyer_data_byte_exact(receipt_flow):
    _steps, contents, _key = receipt_flow
    raw = dict(split_tlv(_receipt(contents).tlv))
    assert raw[1256] == BUYER
