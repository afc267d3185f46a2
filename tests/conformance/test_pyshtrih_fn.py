"""Conformance: the unmodified pyshtrih 2.0.6 driver runs its ФН commands against kktemu.

pyshtrih decodes every answer field by field and raises on a value it does
not know (the shift state of FF40h must be 0 or 1, for one), so each answer it
parses here has the layout the driver expects. Its ШТРИХ-М-01Ф class has FF41h
and FF42h but not FF0Bh and FF43h, so the first shift is opened with FF41h,
FF0Ch and E0h and closed with FF42h and 41h; ``ShtrihAllCommands`` then runs
FF0Bh and FF43h. FF38h comes without FF37h. It runs over a virtual serial port.
"""

from __future__ import annotations

import datetime as dt

import pyshtrih
import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.transports.background import TransportThread
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv

START = dt.datetime(2024, 3, 1, 9, 0, 0)
INN_TLV = encode_tlv(1203, "500100732259".encode("cp866"))


@pytest.fixture
def fn_flow(tmp_path):
    """Run the ФН commands through pyshtrih; yield the archive and the driver's decoded answers."""
    clock = Clock(START, frozen=True)
    fn_path = tmp_path / "fn.bin"
    answers = {}
    with Emulator(fn_path, clock=clock) as emulator, TransportThread(emulator.execute) as thread:
        path = str(tmp_path / "ttyKKT")
        thread.serve_pty(path)
        device = pyshtrih.ShtrihM01F(port=path, baudrate=115200, timeout=3)
        device.connect()
        try:
            device.fs_begin_open_shift()
            answers["state_begun"] = device.fs_state()
            device.send_tlv_struct(INN_TLV)
            device.open_shift()
            answers["shift"] = device.fs_shift_params()
            answers["expiry"] = device.fs_expiration_time()
            answers["find"] = device.fs_find_document_by_num(2)
            answers["exchange"] = device.fs_info_exchange()
            answers["unconfirmed"] = device.fs_unconfirmed_document_count()
            answers["settlement"] = device.fs_calculation_state_report()
            device.fs_begin_close_shift()
            device.z_report()
        finally:
            device.disconnect()
        every_command = pyshtrih.ShtrihAllCommands(port=path, baudrate=115200, timeout=3)
        every_command.connect()
        try:
            every_command.fs_begin_open_shift()
            answers["open"] = every_command.fs_open_shift()
            every_command.fs_begin_close_shift()
            answers["close"] = every_command.fs_close_shift()
            every_command.fs_begin_open_shift()
            every_command.fs_cancel_document()
            answers["state_end"] = every_command.fs_state()
        finally:
            every_command.disconnect()
    yield read_archive(fn_path), answers


def test_split_open_with_e0h(fn_flow):
    contents, answers = fn_flow
    report = contents.documents[1]
    assert answers["state_begun"][u"Текущий документ"] == u"отчет об открытии смены"
    assert report.form == 2
    assert dict(split_tlv(report.tlv))[1203] == b"500100732259"
    assert contents.documents[3].form == 5


def test_fn_open_and_close_answers(fn_flow):
    contents, answers = fn_flow
    opened, closed = contents.documents[4], contents.documents[5]
    assert answers["open"][u"Номер новой открытой смены"] == 2
    assert answers["open"][u"Номер ФД"] == opened.fd_number == 5
    assert answers["open"][u"Фискальный признак"] == opened.fiscal_sign
    assert answers["close"][u"Номер только что закрытой смены"] == 2
    assert answers["close"][u"Номер ФД"] == closed.fd_number == 6
    assert answers["close"][u"Фискальный признак"] == closed.fiscal_sign


def test_shift_parameters_answer(fn_flow):
    _contents, answers = fn_flow
    assert answers["shift"][u"Состояние смены"] == u"смена открыта"
    assert answers["shift"][u"Номер смены"] == 1
    assert answers["shift"][u"Номер чека"] == 0


def test_expiry_answer(fn_flow):
    _contents, answers = fn_flow
    assert answers["expiry"][u"Срок действия"] == dt.date(2027, 3, 1)
    assert answers["expiry"][u"Кол-во оставшихся отчетов о перерегистрации"] == 29
    assert answers["expiry"][u"Выполнено отчетов о перерегистрации"] == 1


def test_find_document_answer(fn_flow):
    contents, answers = fn_flow
    assert answers["find"][u"Тип фискального документа"] == 2
    assert answers["find"][u"Получена ли квитанция из ОФД"] == 0
    assert answers["find"][u"Данные фискального документа"] == contents.documents[1].record


def test_exchange_answers(fn_flow):
    _contents, answers = fn_flow
    exchange = answers["exchange"]
    assert exchange[u"Статус информационного обмена"][u"Есть сообщение для передачи в ОФД"] == 1
    assert exchange[u"Статус информационного обмена"][u"Транспортное соединение установлено"] == 0
    assert exchange[u"Количество сообщений для ОФД"] == 2
    assert exchange[u"Номер документа для ОФД первого в очереди"] == 1
    assert answers["unconfirmed"][u"Количество неподтверждённых ФД"] == 2


def test_settlement_report_answer(fn_flow):
    contents, answers = fn_flow
    settlement = contents.documents[2]
    assert settlement.form == 21
    assert answers["settlement"][u"Номер ФД"] == settlement.fd_number
    assert answers["settlement"][u"Фискальный признак"] == settlement.fiscal_sign
    assert answers["settlement"][u"Количество неподтверждённых документов"] == 2
    assert answers["settlement"][u"Дата первого неподтверждённого документа"] == START.date()


def test_cancelled_report_leaves_no_document(fn_flow):
    contents, answers = fn_flow
    assert len(contents.documents) == 6
    assert answers["state_end"][u"Текущий документ"] == u"нет открытого документа"
    assert answers["state_end"][u"Номер последнего ФД"] == 6
