"""Conformance: the unmodified pyshtrih 2.0.6 driver from PyPI sells through kktemu.

The flow is the one pyshtrih's README shows for a ШТРИХ-М-01Ф: connect (ENQ,
then 0xFC), open a shift, open a receipt, two items in different tax groups,
the buyer's phone as реквизит 1008 through FF0C, close with cash and change,
cut, Z report. It runs over a virtual serial port and over TCP (pyshtrih takes
any pyserial object, so TCP goes through pyserial's socket:// handler). The ФН
archive is then read back from disk and every document checked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyshtrih
import pytest
import serial

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.transports.background import TransportThread
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.protocol.ffd.documents import decode_document, printed_fiscal_sign

START = dt.datetime(2024, 3, 1, 9, 0, 0)
PHONE = "+79990001122"


def _connect_pty(thread: TransportThread, tmp_path) -> pyshtrih.ShtrihM01F:
    path = str(tmp_path / "ttyKKT")
    thread.serve_pty(path)
    return pyshtrih.ShtrihM01F(port=path, baudrate=115200, timeout=3)


def _connect_tcp(thread: TransportThread, tmp_path) -> pyshtrih.ShtrihM01F:
    # pyshtrih 2.0.6 predates network registers. It reads the 0xFF a network
    # register sends after each ACK where it expects the NAK to its next ENQ, then
    # drains the port until its read timeout (3 s here) and retries. That works but
    # costs 3 s per command, so this client gets a server without the 0xFF;
    # tests/emulator/test_transport_tcp.py runs pyshtrih with the 0xFF on.
    server = thread.serve_tcp(port=0, ff_after_ack=False)
    url = f"socket://127.0.0.1:{server.port}"
    device = pyshtrih.ShtrihM01F(port=url, timeout=3)
    device.protocol.serial = serial.serial_for_url(url, do_not_open=True, timeout=3, write_timeout=3)
    return device


@pytest.fixture(params=["pty", "tcp"])
def sale_flow(request, tmp_path):
    """Run the pyshtrih sale flow; yield (archive contents, ФН key, driver answers)."""
    clock = Clock(START, frozen=True)
    fn_path = tmp_path / "fn.bin"
    with Emulator(fn_path, clock=clock) as emulator, TransportThread(emulator.execute) as thread:
        connect = _connect_pty if request.param == "pty" else _connect_tcp
        device = connect(thread, tmp_path)
        device.connect()
        answers = {"name": device.name}
        device.open_shift()
        device.open_check(0)
        device.sale(("Сахар", 1000, 2800), tax1=1)  # 1.000 × 28.00 at 20 %
        device.sale(("Чай", 2000, 5500), tax1=2)    # 2.000 × 55.00 at 10 %
        device.send_tlv_struct(pyshtrih.FD({1008: PHONE}).dump())
        answers["close"] = device.close_check(20000)
        device.cut(True)
        device.z_report()
        answers["fn_state"] = device.fs_state()
        device.disconnect()
        key = derive_fn_key(DEFAULT_MASTER_KEY, emulator.fn_serial)
    yield read_archive(fn_path), key, answers


def _fields(document):
    return {field.tag: field for field in decode_document(document.stlv).fields}


def test_driver_sees_model_and_change(sale_flow):
    _contents, _key, answers = sale_flow
    assert answers["name"] == "ШТРИХ-М-01Ф"
    assert answers["close"]["Сдача"] == 20000 - 2800 - 11000


def test_documents_in_order(sale_flow):
    contents, _key, answers = sale_flow
    assert [document.form for document in contents.documents] == [1, 2, 3, 5]
    assert [document.fd_number for document in contents.documents] == [1, 2, 3, 4]
    assert answers["fn_state"]["Номер последнего ФД"] == 4
    assert answers["fn_state"]["Номер ФН"] == contents.header.serial.encode()


def test_every_fiscal_sign_verifies(sale_flow):
    contents, key, _answers = sale_flow
    for document in contents.documents:
        assert verify_document(key, document.stlv), f"ФД {document.fd_number}"
        assert printed_fiscal_sign(_fields(document)[1077].value) == document.fiscal_sign


def test_receipt_items_totals_and_vat(sale_flow):
    contents, _key, _answers = sale_flow
    receipt = contents.documents[2]
    fields = _fields(receipt)
    items = [{child.tag: child.value for child in field.value}
             for field in decode_document(receipt.stlv).fields if field.tag == 1059]
    assert [item[1030] for item in items] == ["Сахар", "Чай"]
    assert [item[1023] for item in items] == [Decimal("1.000000"), Decimal("2.000000")]
    assert [item[1043] for item in items] == [2800, 11000]
    assert [item[1199] for item in items] == [1, 2]
    assert [item[1200] for item in items] == [467, 1000]
    assert fields[1054].value == 1
    assert fields[1020].value == 13800
    assert fields[1031].value == 13800
    assert fields[1081].value == 0
    assert fields[1102].value == 467
    assert fields[1103].value == 1000
    assert fields[1008].value == PHONE
    assert fields[1012].value == START


def test_shift_reports_and_counters(sale_flow):
    contents, _key, _answers = sale_flow
    open_shift, close_shift = _fields(contents.documents[1]), _fields(contents.documents[3])
    assert open_shift[1038].value == 1
    assert close_shift[1038].value == 1
    assert close_shift[1118].value == 1
    shift_counters = {field.tag: field for field in close_shift[1194].value}
    sales = {field.tag: field.value for field in shift_counters[1129].value}
    assert sales[1135] == 1
    assert sales[1136] == 13800
    assert sales[1139] == 467
    assert sales[1140] == 1000
