"""Device, table, clock and ФН commands against the real client pyshtrih 2.0.6 (PyPI), without I/O.

As in test_commands_pyshtrih.py, pyshtrih's frame sender is replaced: each
request body pyshtrih builds is decoded with ``decode_request``, and our answer
body goes to pyshtrih's own parser. ``ShtrihAllCommands`` is used because
ШТРИХ-М-01Ф's class leaves out FF0Bh and FF43h.
"""

from __future__ import annotations

import datetime

import pyshtrih
import pytest

from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import KktSubmode

RECEIPT_RECORD = bytes.fromhex("11 03 18 14 35 A3 00 00 00 EB EA 4B 2E 01 20 4E 00 00 00")

ANSWERS = {
    c.ShortStatusRequest: c.ShortStatusAnswer(operator=1, flags=0x02C2, mode=0x04, submode=KktSubmode.PAPER_PRESENT),
    c.SetExchangeParametersRequest: c.SetExchangeParametersAnswer(),
    c.ReadExchangeParametersRequest: c.ReadExchangeParametersAnswer(speed=6, byte_timeout=151),
    c.TechnologicalResetRequest: c.TechnologicalResetAnswer(),
    c.StartTestRunRequest: c.StartTestRunAnswer(1),
    c.StopTestRunRequest: c.StopTestRunAnswer(1),
    c.CashRegisterRequest: c.CashRegisterAnswer(1, 0x0102_0304_0506),
    c.OperationRegisterRequest: c.OperationRegisterAnswer(1, 0x0154),
    c.WriteTableRequest: c.WriteTableAnswer(),
    c.SetTimeRequest: c.SetTimeAnswer(),
    c.SetDateRequest: c.SetDateAnswer(),
    c.ConfirmDateRequest: c.ConfirmDateAnswer(),
    c.OpenDrawerRequest: c.OpenDrawerAnswer(1),
    c.FeedRequest: c.FeedAnswer(1),
    c.RepeatDocumentRequest: c.RepeatDocumentAnswer(1),
    c.TableStructureRequest: c.TableStructureAnswer("Тип и режим кассы", rows=1, fields=30),
    c.FnExpiryRequest: c.FnExpiryAnswer(datetime.date(2025, 9, 2), registrations_left=29, registrations_done=1),
    c.CancelFnDocumentRequest: c.CancelFnDocumentAnswer(),
    c.FindDocumentRequest: c.FindDocumentAnswer(3, False, RECEIPT_RECORD),
    c.FnOpenShiftRequest: c.FnOpenShiftAnswer(shift_number=31, fd_number=426, fiscal_sign=0x2E4BEAEB),
    c.BeginCorrectionRequest: c.BeginCorrectionAnswer(),
    c.CorrectionRequest: c.CorrectionAnswer(receipt_number=7, fd_number=427, fiscal_sign=121606715),
    c.SettlementReportRequest: c.SettlementReportAnswer(13, 121606715, 2, datetime.date(2018, 1, 25)),
    c.ExchangeStatusRequest: c.ExchangeStatusAnswer(0b011, False, 2, 425, datetime.datetime(2024, 3, 1, 9, 30)),
    c.UnconfirmedCountRequest: c.UnconfirmedCountAnswer(2),
    c.ShiftParametersRequest: c.ShiftParametersAnswer(True, 31, 5),
    c.BeginOpenShiftRequest: c.BeginOpenShiftAnswer(),
    c.BeginCloseShiftRequest: c.BeginCloseShiftAnswer(),
    c.FnCloseShiftRequest: c.FnCloseShiftAnswer(31, 428, 3647013117),
}


class Exchange:
    """Stands in for pyshtrih's ``Protocol.command_nopass`` and records every request."""

    def __init__(self, protocol, answers):
        self.protocol = protocol
        self.answers = answers
        self.bodies: list[bytes] = []
        self.requests: list[c.Message] = []

    def __call__(self, cmd, params=b""):
        body = c.code_bytes(cmd) + bytes(params)
        request = c.decode_request(body)
        self.bodies.append(body)
        self.requests.append(request)
        return self.protocol.handle_payload(self.answers[type(request)].encode())

    def last(self, request_type):
        found = [request for request in self.requests if isinstance(request, request_type)]
        assert found, f"pyshtrih sent no {request_type.__name__}"
        return found[-1]


@pytest.fixture
def device():
    shtrih = pyshtrih.ShtrihAllCommands(port="/dev/null")
    exchange = Exchange(shtrih.protocol, dict(ANSWERS))
    shtrih.protocol.command_nopass = exchange
    shtrih.exchange = exchange
    return shtrih


def test_exchange_parameters(device):
    device.set_exchange_params(0, 115200, 0.3)
    answer = device.read_exchange_params(0)
    assert device.exchange.last(c.SetExchangeParametersRequest) == c.SetExchangeParametersRequest(30, 0, 6, 151)
    assert device.exchange.last(c.ReadExchangeParametersRequest) == c.ReadExchangeParametersRequest(30, 0)
    assert answer["Код скорости обмена"] == 115200
    assert answer["Тайм аут приема байта"] == pytest.approx(0.3)


def test_technological_reset_has_no_password(device):
    device.reset_settings()
    assert device.exchange.bodies[-1] == b"\x16"
    assert device.exchange.last(c.TechnologicalResetRequest) == c.TechnologicalResetRequest()


def test_test_run(device):
    device.test_start(5)
    device.test_stop()
    assert device.exchange.last(c.StartTestRunRequest) == c.StartTestRunRequest(1, 5)
    assert device.exchange.last(c.StopTestRunRequest) == c.StopTestRunRequest(1)


def test_registers(device):
    cash = device.request_monetary_register(241)
    operation = device.request_operational_register(148)
    assert device.exchange.last(c.CashRegisterRequest) == c.CashRegisterRequest(1, 241)
    assert device.exchange.last(c.OperationRegisterRequest) == c.OperationRegisterRequest(1, 148)
    assert cash["Содержимое регистра"] == 0x0102_0304_0506
    assert cash["Порядковый номер оператора"] == 1
    assert operation["Содержимое регистра"] == 0x0154


def test_write_table_values(device):
    device.write_table(17, 1, 7, 1, int)
    device.write_table(2, 1, 1, "КАССИР", str)
    requests = [request for request in device.exchange.requests if isinstance(request, c.WriteTableRequest)]
    assert requests[0] == c.WriteTableRequest(30, 17, 1, 7, b"\x01")
    assert requests[1] == c.WriteTableRequest(30, 2, 1, 1, bytes.fromhex("CA C0 D1 D1 C8 D0"))


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (bytes.fromhex("CA C0 D1 D1 C8 D0") + bytes(34), str, "КАССИР"),
    (bytes.fromhex("39 30"), int, 0x3039),
])
def test_read_table_value(device, value, kind, expected):
    device.exchange.answers[c.ReadTableRequest] = c.ReadTableAnswer(value)
    answer = device.read_table(2, 1, 1, kind)
    assert device.exchange.last(c.ReadTableRequest) == c.ReadTableRequest(30, 2, 1, 1)
    assert answer["Значение"] == expected


def test_structure_answers(device):
    table = device.request_table_structure(1)
    assert device.exchange.last(c.TableStructureRequest) == c.TableStructureRequest(30, 1)
    assert table["Название таблицы"] == "Тип и режим кассы"
    assert table["Количество рядов"] == 1
    assert table["Количество полей"] == 30


@pytest.mark.parametrize(("answer", "kind", "minimum", "maximum"), [
    (c.FieldStructureAnswer("Автоматическое обнуление", c.FieldType.BIN, 1, 0, 1), int, 0, 1),
    (c.FieldStructureAnswer("Пароль", c.FieldType.BIN, 4, 0, 99999999), int, 0, 99999999),
    (c.FieldStructureAnswer("Имя кассира", c.FieldType.CHAR, 21), str, 0, 0),
])
def test_field_structure_read_by_pyshtrih(device, answer, kind, minimum, maximum):
    device.exchange.answers[c.FieldStructureRequest] = answer
    result = device.request_field_structure(2, 1)
    assert device.exchange.last(c.FieldStructureRequest) == c.FieldStructureRequest(30, 2, 1)
    assert result["Название поля"] == answer.name
    assert result["Тип поля"] is kind
    assert result["Количество байт"] == answer.size
    assert result["Минимальное значение поля"] == minimum
    assert result["Максимальное значение поля"] == maximum


def test_set_datetime_sends_three_commands(device):
    device.set_datetime(datetime.datetime(2024, 5, 14, 16, 12, 0))
    assert device.exchange.last(c.SetTimeRequest) == c.SetTimeRequest(30, 16, 12, 0)
    assert device.exchange.last(c.SetDateRequest) == c.SetDateRequest(30, 14, 5, 24)
    assert device.exchange.last(c.ConfirmDateRequest) == c.ConfirmDateRequest(30, 14, 5, 24)
    assert device.exchange.last(c.SetDateRequest).date() == datetime.date(2024, 5, 14)


def test_drawer_feed_repeat(device):
    device.open_drawer(1)
    device.feed(3, cash_tape=True)
    device.repeat()
    assert device.exchange.last(c.OpenDrawerRequest) == c.OpenDrawerRequest(1, 1)
    assert device.exchange.last(c.FeedRequest) == c.FeedRequest(1, 0b010, 3)
    assert device.exchange.last(c.RepeatDocumentRequest) == c.RepeatDocumentRequest(1)


def test_fn_expiry_read_by_pyshtrih(device):
    answer = device.fs_expiration_time()
    assert len(ANSWERS[c.FnExpiryRequest].encode()) == 8
    assert answer["Срок действия"] == datetime.date(2025, 9, 2)
    assert answer["Кол-во оставшихся отчетов о перерегистрации"] == 29
    assert answer["Выполнено отчетов о перерегистрации"] == 1


def test_find_document_read_by_pyshtrih(device):
    answer = device.fs_find_document_by_num(163)
    assert device.exchange.last(c.FindDocumentRequest) == c.FindDocumentRequest(30, 163)
    assert answer["Тип фискального документа"] == 3
    assert answer["Получена ли квитанция из ОФД"] == 0
    assert bytes(answer["Данные фискального документа"]) == RECEIPT_RECORD


def test_fn_shift_answers_read_by_pyshtrih(device):
    device.fs_begin_open_shift()
    opened = device.fs_open_shift()
    parameters = device.fs_shift_params()
    device.fs_begin_close_shift()
    closed = device.fs_close_shift()
    assert opened["Номер новой открытой смены"] == 31
    assert opened["Номер ФД"] == 426
    assert opened["Фискальный признак"] == 0x2E4BEAEB
    assert parameters["Состояние смены"] == "смена открыта"
    assert parameters["Номер смены"] == 31
    assert parameters["Номер чека"] == 5
    assert closed["Номер только что закрытой смены"] == 31
    assert closed["Номер ФД"] == 428
    assert closed["Фискальный признак"] == 3647013117
    assert c.BeginOpenShiftRequest(30) in device.exchange.requests
    assert c.BeginCloseShiftRequest(30) in device.exchange.requests


def test_correction_read_by_pyshtrih(device):
    device.fs_begin_correction_check()
    answer = device.fs_correction_check(2800, 1)
    assert device.exchange.last(c.CorrectionRequest) == c.CorrectionRequest(30, 2800, 1)
    assert answer["Номер чека"] == 7
    assert answer["Номер ФД"] == 427
    assert answer["Фискальный признак"] == 121606715


def test_reports_and_exchange_read_by_pyshtrih(device):
    report = device.fs_calculation_state_report()
    exchange = device.fs_info_exchange()
    unconfirmed = device.fs_unconfirmed_document_count()
    device.fs_cancel_document()
    assert report["Номер ФД"] == 13
    assert report["Количество неподтверждённых документов"] == 2
    assert report["Дата первого неподтверждённого документа"] == datetime.date(2018, 1, 25)
    assert exchange["Статус информационного обмена"]["Транспортное соединение установлено"] == 1
    assert exchange["Статус информационного обмена"]["Есть сообщение для передачи в ОФД"] == 1
    assert exchange["Количество сообщений для ОФД"] == 2
    assert exchange["Номер документа для ОФД первого в очереди"] == 425
    assert exchange["Дата и время документа для ОФД первого в очереди"] == datetime.datetime(2024, 3, 1, 9, 30)
    assert unconfirmed["Количество неподтверждённых ФД"] == 2
    assert device.exchange.last(c.CancelFnDocumentRequest) == c.CancelFnDocumentRequest(30)


def test_bodies_reencode_unchanged(device):
    device.set_exchange_params(0, 115200, 0.3)
    device.write_table(2, 1, 1, "КАССИР", str)
    device.set_datetime(datetime.datetime(2024, 5, 14, 16, 12, 0))
    device.fs_find_document_by_num(163)
    device.fs_correction_check(2800, 1)
    for body, request in zip(device.exchange.bodies, device.exchange.requests, strict=True):
        assert request.encode() == body
