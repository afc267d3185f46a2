"""The codecs against the real client pyshtrih 2.0.6 (PyPI), without any I/O.

pyshtrih's frame sender is replaced by a function that decodes the request body
with ``decode_request``, builds our answer, and hands the answer body to
pyshtrih's own parser (``Protocol.handle_payload``). So each test checks two
things: that we decode the bytes pyshtrih really sends, and that pyshtrih reads
our answers at the offsets we write them.
"""

from __future__ import annotations

import datetime

import pyshtrih
import pytest

from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import KktSubmode

SHORT_STATUS = c.ShortStatusAnswer(operator=1, flags=0x02C2, mode=0x12, submode=KktSubmode.PAPER_PRESENT,
                                   receipt_operations=0x0103, battery_voltage=0x9F, power_voltage=0xE5)
LONG_STATUS = c.LongStatusAnswer(
    operator=1, firmware_version="C2", firmware_build=34865, firmware_date=datetime.date(2019, 6, 13),
    hall_number=1, document_number=83, flags=0x0090, mode=4, submode=KktSubmode.PAPER_PRESENT, port=128,
    fm_firmware_version="NA", fm_firmware_build=7, fm_firmware_date=datetime.date(2016, 1, 1),
    date=datetime.date(2024, 3, 1), time=datetime.time(9, 30, 15), fm_flags=0x41, serial_number=2359,
    last_closed_shift=30, fm_free_records=2100, registrations=1, registrations_left=29, inn=0x0000_1CCC_1E1A_2B)
FN_STATUS = c.FnStatusAnswer(phase=3, current_document=4, document_data_received=True, shift_open=True,
                             warnings=0, document_datetime=datetime.datetime(2024, 3, 1, 9, 30),
                             fn_number="9999078902013611", last_document_number=425)
DEVICE_TYPE = c.DeviceTypeAnswer(0, 0, 1, 14, 250, 0, "ШТРИХ-М-01Ф")

ANSWERS = {
    c.ShortStatusRequest: SHORT_STATUS,
    c.LongStatusRequest: LONG_STATUS,
    c.FnStatusRequest: FN_STATUS,
    c.DeviceTypeRequest: DEVICE_TYPE,
    c.BeepRequest: c.BeepAnswer(1),
    c.PrintLineRequest: c.PrintLineAnswer(1),
    c.CutRequest: c.CutAnswer(1),
    c.ContinuePrintingRequest: c.ContinuePrintingAnswer(1),
    c.OpenShiftRequest: c.OpenShiftAnswer(1),
    c.XReportRequest: c.XReportAnswer(30),
    c.ZReportRequest: c.ZReportAnswer(30),
    c.CashInRequest: c.CashInAnswer(1, 84),
    c.CashOutRequest: c.CashOutAnswer(1, 85),
    c.OpenReceiptRequest: c.OpenReceiptAnswer(1),
    c.SaleRequest: c.SaleAnswer(1),
    c.SaleReturnRequest: c.SaleReturnAnswer(1),
    c.CloseReceiptRequest: c.CloseReceiptAnswer(1, 250),
    c.CancelReceiptRequest: c.CancelReceiptAnswer(1),
    c.SendTlvRequest: c.SendTlvAnswer(),
}


class Exchange:
    """Stands in for pyshtrih's ``Protocol.command_nopass`` and records every request body."""

    def __init__(self, protocol):
        self.protocol = protocol
        self.bodies: list[bytes] = []
        self.requests: list[c.Message] = []

    def __call__(self, cmd, params=bytearray()):
        body = c.code_bytes(cmd) + bytes(params)
        request = c.decode_request(body)
        self.bodies.append(body)
        self.requests.append(request)
        return self.protocol.handle_payload(ANSWERS[type(request)].encode())

    def last(self, request_type):
        found = [request for request in self.requests if isinstance(request, request_type)]
        assert found, f"pyshtrih sent no {request_type.__name__}"
        return found[-1]


@pytest.fixture
def device():
    shtrih = pyshtrih.ShtrihM01F(port="/dev/null")
    exchange = Exchange(shtrih.protocol)
    shtrih.protocol.command_nopass = exchange
    shtrih.exchange = exchange
    return shtrih


def test_sale_flow_requests(device):
    device.open_shift()
    device.open_check(0)
    device.sale(("Сахар", 1000, 2800), tax1=1)
    device.close_check(3000)
    device.cut(True)
    device.z_report()
    requests = device.exchange.requests
    assert c.OpenShiftRequest(password=1) in requests
    assert device.exchange.last(c.OpenReceiptRequest) == c.OpenReceiptRequest(password=1, receipt_type=0)
    assert device.exchange.last(c.SaleRequest) == c.SaleRequest(
        password=1, quantity=1000, price=2800, department=0, taxes=(1, 0, 0, 0), text="Сахар")
    assert device.exchange.last(c.CloseReceiptRequest) == c.CloseReceiptRequest(
        password=1, payments=(3000, 0, 0, 0), discount=0, taxes=(0, 0, 0, 0), text="")
    assert device.exchange.last(c.CutRequest) == c.CutRequest(password=1, cut_type=1)
    assert device.exchange.last(c.ZReportRequest) == c.ZReportRequest(password=30)


def test_sale_flow_body_lengths(device):
    # pyshtrih pads item names and receipt text to 48 bytes for ШТРИХ-М-01Ф.
    device.open_check(0)
    device.sale(("Сахар", 1000, 2800), tax1=1)
    device.close_check(3000)
    lengths = {c.command_code(body): len(body) for body in device.exchange.bodies}
    assert lengths[0x8D] == 6
    assert lengths[0x80] == 68
    assert lengths[0x85] == 79
    sale_body = next(body for body in device.exchange.bodies if body[0] == 0x80)
    assert sale_body[20:25] == bytes.fromhex("D1 E0 F5 E0 F0")
    assert device.exchange.last(c.SaleRequest).text_size == 48


def test_bodies_reencode_unchanged(device):
    device.open_check(0)
    device.sale(("Сахар", 1000, 2800), tax1=1)
    device.close_check(3000)
    device.print_string("Итог")
    for body, request in zip(device.exchange.bodies, device.exchange.requests, strict=True):
        assert request.encode() == body


def test_return_sale_request(device):
    device.return_sale(("Сахар", 2500, 100), department_num=3, tax2=2)
    assert device.exchange.last(c.SaleReturnRequest) == c.SaleReturnRequest(
        password=1, quantity=2500, price=100, department=3, taxes=(0, 2, 0, 0), text="Сахар")


def test_other_requests(device):
    device.beep()
    device.print_string("Тест", control_tape=False)
    device.x_report()
    device.income(10000)
    device.outcome(500)
    device.cancel_check()
    device.continue_print()
    device.send_tlv_struct(bytes.fromhex("FD 03 09 00 8F A5 E2 E0 AE A2 20 8F 2E"))
    exchange = device.exchange
    assert exchange.last(c.BeepRequest) == c.BeepRequest(password=1)
    assert exchange.last(c.PrintLineRequest) == c.PrintLineRequest(password=1, flags=0b10, text="Тест")
    assert exchange.last(c.XReportRequest) == c.XReportRequest(password=30)
    assert exchange.last(c.CashInRequest) == c.CashInRequest(password=1, amount=10000)
    assert exchange.last(c.CashOutRequest) == c.CashOutRequest(password=1, amount=500)
    assert exchange.last(c.CancelReceiptRequest) == c.CancelReceiptRequest(password=1)
    assert exchange.last(c.ContinuePrintingRequest) == c.ContinuePrintingRequest(password=30)
    assert exchange.last(c.SendTlvRequest).items() == [(1021, bytes.fromhex("8F A5 E2 E0 AE A2 20 8F 2E"))]
    assert exchange.last(c.SendTlvRequest).password == 30


def test_short_status_read_by_pyshtrih(device):
    answer = device.state()
    assert len(SHORT_STATUS.encode()) == 16
    assert answer["Порядковый номер оператора"] == 1
    assert answer["Режим ФР"].state == (2, 1)
    assert answer["Подрежим ФР"].state == 0
    # pyshtrih 2.0.6 joins offset 11 as the low byte and offset 6 as the high byte,
    # the reverse of the spec and of javapos_shtrih (ReadShortStatus), so it shows
    # the byte-swapped count.
    assert answer["Количество операций в чеке"] == 0x0301
    assert answer["Напряжение резервной батареи"] == 0x9F
    assert answer["Напряжение источника питания"] == 0xE5
    assert answer["Код ошибки ФП"] == 0
    assert answer["Код ошибки ЭКЛЗ"] == 0


def test_long_status_read_by_pyshtrih(device):
    answer = device.full_state()
    assert len(LONG_STATUS.encode()) == 48
    assert answer["Версия ПО ФР"] == "C.2"
    assert answer["Сборка ПО ФР"] == 34865
    assert answer["Дата ПО ФР"] == datetime.date(2019, 6, 13)
    assert answer["Номер в зале"] == 1
    assert answer["Сквозной номер текущего документа"] == 83
    assert answer["Режим ФР"].state == (4, 0)
    assert answer["Порт ФР"] == 128
    assert answer["Версия ПО ФП"] == "N.A"
    assert answer["Сборка ПО ФП"] == 7
    assert answer["Дата ПО ФП"] == datetime.date(2016, 1, 1)
    assert answer["Дата"] == datetime.date(2024, 3, 1)
    assert answer["Время"] == datetime.time(9, 30, 15)
    assert answer["Заводской номер"] == 2359
    assert answer["Номер последней закрытой смены"] == 30
    assert answer["Количество свободных записей в ФП"] == 2100
    assert answer["Количество перерегистраций (фискализаций)"] == 1
    assert answer["Количество оставшихся перерегистраций (фискализаций)"] == 29
    # pyshtrih 2.0.6 reads the 6 ИНН bytes big-endian although the spec sends them
    # little-endian, so it shows the byte-reversed number.
    assert answer["ИНН"] == int.from_bytes(LONG_STATUS.inn.to_bytes(6, "little"), "big")


def test_fn_status_read_by_pyshtrih(device):
    answer = device.fs_state()
    assert len(FN_STATUS.encode()) == 33
    assert answer["Состояние фазы жизни"]["Открыт фискальный режим"] == 1
    assert answer["Текущий документ"] == "кассовый чек"
    assert answer["Данные документа"] == "получены данные документа"
    assert answer["Состояние смены"] == "смена открыта"
    assert answer["Дата и время"] == datetime.datetime(2024, 3, 1, 9, 30)
    assert bytes(answer["Номер ФН"]) == b"9999078902013611"
    assert answer["Номер последнего ФД"] == 425


def test_device_type_read_by_pyshtrih(device):
    answer = device.model()
    assert answer["Модель устройства"] == 250
    assert answer["Версия протокола для данного устройства"] == 1
    assert answer["Подверсия протокола для данного устройства"] == 14
    assert answer["Название устройства"] == "ШТРИХ-М-01Ф"
    assert device.exchange.bodies[-1] == b"\xfc"


def test_close_and_cash_answers_read_by_pyshtrih(device):
    assert device.close_check(3000)["Сдача"] == 250
    assert device.income(100)["Сквозной номер документа"] == 84
    assert device.outcome(100)["Сквозной номер документа"] == 85


def test_error_answer_read_by_pyshtrih(device):
    with pytest.raises(pyshtrih.excepts.Error) as caught:
        device.protocol.handle_payload(c.error_answer(0x10, 0x4F))
    assert caught.value.code == 0x4F
