"""26h font parameters, 52h cliché, 53h document end, 54h advertising text, 2Ch operation registers
report and C6h Z report into the buffer.

The byte layouts are those of the vendor spec v1.17 for 26h, 2Ch and C6h and of
javapos_shtrih for 52h-54h (PrintHeader, PrintDocEnd, PrintTrailer send the
password, 53h one flag byte more, and read the operator number). The printer
data and the table 4 rows of the cliché and the advertising text come from the
javapos_shtrih model description of the ШТРИХ-М-ФР-К (models.xml, model 250).
Every refusal leaves the register as it was.
"""

from __future__ import annotations

import pytest

from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
CASHIER = 1
SENIOR_CASHIER = 28
ADMINISTRATOR = 29
SYSADMIN = 30
CLICHE = ["ООО РОМАШКА", "г. Москва", "ИНН 7700000009", "ДОБРО ПОЖАЛОВАТЬ"]
ADVERTISING = ["СПАСИБО", "ЗА ПОКУПКУ", "ЖДЁМ ВАС СНОВА"]


def write_text(kkt, row: int, text: str) -> None:
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 4, row, 1, text.encode("cp1251"))) == H("1E 00")


@pytest.fixture
def kkt(make_kkt):
    kkt = make_kkt()
    for row, text in zip(range(11, 15), CLICHE):
        write_text(kkt, row, text)
    for row, text in zip(range(1, 4), ADVERTISING):
        write_text(kkt, row, text)
    return kkt


def sale():
    return c.SaleRequest(CASHIER, 1000, 2800, 1, (0, 0, 0, 0), "Сахар")


def document_number(kkt) -> int:
    return kkt.send(c.LongStatusRequest(CASHIER)).document_number


# 26h font parameters.

@pytest.mark.parametrize("font, answer", [
    (1, "26 00 40 02 0C 18 07"),  # 576 dots, 48 characters of 12 dots, 24 dots high, 7 fonts
    (2, "26 00 40 02 18 18 07"),  # the double width font: 24 characters of 24 dots
    (7, "26 00 40 02 0C 18 07"),
])
def test_font_parameters(kkt, font, answer):
    assert kkt.raw(c.FontParametersRequest(SYSADMIN, font)) == H(answer)


@pytest.mark.parametrize("font", [0, 8, 255])
def test_font_parameters_unknown_font(kkt, font):
    kkt.refused(c.FontParametersRequest(SYSADMIN, font), 0x33)


def test_font_parameters_need_sysadmin(kkt):
    kkt.refused(c.FontParametersRequest(CASHIER, 1), 0x4F)


def test_font_parameters_in_test_run(kkt):
    kkt.send(c.StartTestRunRequest(CASHIER, 5))
    kkt.refused(c.FontParametersRequest(SYSADMIN, 1), 0x73)


def test_font_parameters_without_paper(kkt):
    kkt.register.paper_out()
    assert kkt.raw(c.FontParametersRequest(SYSADMIN, 1)) == H("26 00 40 02 0C 18 07")


# 52h cliché, 54h advertising text, 53h document end.

def test_print_cliche(kkt):
    assert kkt.raw(c.PrintClicheRequest(CASHIER)) == H("52 00 01")
    assert list(kkt.register.journal)[-4:] == CLICHE


def test_print_advertising(kkt):
    assert kkt.raw(c.PrintAdvertisingRequest(SYSADMIN)) == H("54 00 1E")
    assert list(kkt.register.journal)[-3:] == ADVERTISING


def test_empty_rows_print_empty_lines(make_kkt):
    kkt = make_kkt()
    kkt.send(c.PrintClicheRequest(CASHIER))
    assert list(kkt.register.journal) == ["", "", "", ""]


def test_document_end_with_advertising(kkt):
    assert kkt.raw(c.DocumentEndRequest(CASHIER, 1)) == H("53 00 01")
    assert list(kkt.register.journal) == ADVERTISING + CLICHE


def test_document_end_without_advertising(kkt):
    kkt.send(c.DocumentEndRequest(CASHIER, 0))
    assert list(kkt.register.journal) == CLICHE


def test_document_end_without_cliche(kkt):
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 1, 1, 39, b"\x00")) == H("1E 00")
    kkt.send(c.DocumentEndRequest(CASHIER, 1))
    assert list(kkt.register.journal) == ADVERTISING


def test_document_end_invalid_flag(kkt):
    kkt.refused(c.DocumentEndRequest(CASHIER, 2), 0x33)


def test_document_end_documents_unchanged(kkt):
    before = document_number(kkt)
    kkt.send(c.DocumentEndRequest(CASHIER, 1))
    kkt.send(c.PrintClicheRequest(CASHIER))
    kkt.send(c.PrintAdvertisingRequest(CASHIER))
    assert document_number(kkt) == before


@pytest.mark.parametrize("request_", [
    c.PrintClicheRequest(CASHIER), c.PrintAdvertisingRequest(CASHIER), c.DocumentEndRequest(CASHIER, 1),
    c.OperationRegistersReportRequest(SYSADMIN),
], ids=["52h", "54h", "53h", "2Ch"])
def test_print_refused_in_receipt(kkt, request_):
    kkt.send(sale())
    kkt.refused(request_, 0x4A)


@pytest.mark.parametrize("request_", [
    c.PrintClicheRequest(CASHIER), c.PrintAdvertisingRequest(CASHIER), c.DocumentEndRequest(CASHIER, 1),
    c.OperationRegistersReportRequest(SYSADMIN),
], ids=["52h", "54h", "53h", "2Ch"])
def test_print_refused_without_paper(kkt, request_):
    kkt.register.paper_out()
    kkt.refused(request_, 0x6B)
    kkt.register.paper_loaded()
    kkt.register.interrupt_printing()
    kkt.refused(request_, 0x58)


def test_print_refused_in_date_mode(kkt):
    kkt.send(c.SetDateRequest(SYSADMIN, 2, 3, 24))
    kkt.refused(c.PrintClicheRequest(CASHIER), 0xC0)


def test_print_wrong_password(kkt):
    kkt.refused(c.PrintClicheRequest(31), 0x4F)


# 2Ch operation registers report.

def test_operation_registers_report(kkt):
    kkt.send(sale())
    kkt.send(c.CloseReceiptRequest(CASHIER, (2800, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    before = document_number(kkt)
    assert kkt.raw(c.OperationRegistersReportRequest(SYSADMIN)) == H("2C 00 1E")
    assert document_number(kkt) == before + 1
    journal = list(kkt.register.journal)
    header = journal.index("ОПЕРАЦИОННЫЕ РЕГИСТРЫ, СИС. АДМИНИСТРАТОР")
    lines = journal[header + 1:]
    assert "144: 1" in lines  # receipts of sale in the shift
    assert "148: 1" in lines  # the number of the last sale receipt
    assert f"152: {before}" in lines  # the document counter as the report starts
    assert all(not line.endswith(": 0") for line in lines)


@pytest.mark.parametrize("operator", [SENIOR_CASHIER, ADMINISTRATOR, SYSADMIN])
def test_operation_registers_report_operators(kkt, operator):
    assert kkt.raw(c.OperationRegistersReportRequest(operator)) == bytes((0x2C, 0, operator))


def test_operation_registers_report_cashier(kkt):
    kkt.refused(c.OperationRegistersReportRequest(CASHIER), 0x4F)


def test_operation_registers_report_memory_failure(kkt, tmp_path):
    kkt.emulator.memory.close()
    kkt.emulator.memory.path = tmp_path  # a directory: the journal cannot be written
    before = document_number(kkt)
    journal = list(kkt.register.journal)
    assert kkt.error(c.OperationRegistersReportRequest(SYSADMIN)) == 0x74
    assert document_number(kkt) == before
    assert list(kkt.register.journal) == journal


# C6h Z report into the buffer.

def test_buffered_z_report(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    journal = list(kkt.register.journal)
    assert kkt.raw(c.BufferedZReportRequest(ADMINISTRATOR)) == H("C6 00 1D")
    assert kkt.send(c.ShiftParametersRequest(SYSADMIN)) == c.ShiftParametersAnswer(False, 1, 0)
    assert kkt.last_document().form == 5
    assert list(kkt.register.journal) == journal
    assert kkt.mode() == 0x04


def test_buffered_z_report_without_paper(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.register.paper_out()
    assert kkt.error(c.ZReportRequest(SYSADMIN)) == 0x6B
    assert kkt.raw(c.BufferedZReportRequest(SYSADMIN)) == H("C6 00 1E")
    assert kkt.last_document().form == 5


def test_z_report_prints(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.ZReportRequest(SYSADMIN))
    fd_number = kkt.last_document().fd_number
    assert kkt.register.journal[-1] == f"Z REPORT, SHIFT 1, ФД {fd_number}"


def test_buffered_z_report_shift_closed(kkt):
    kkt.refused(c.BufferedZReportRequest(SYSADMIN), 0x3D)


def test_buffered_z_report_in_receipt(kkt):
    kkt.send(sale())
    kkt.refused(c.BufferedZReportRequest(SYSADMIN), 0x4A)


def test_buffered_z_report_zeroes_registers(kkt):
    kkt.send(sale())
    kkt.send(c.CloseReceiptRequest(CASHIER, (2800, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    assert kkt.send(c.OperationRegisterRequest(CASHIER, 144)).value == 1
    kkt.send(c.BufferedZReportRequest(SYSADMIN))
    assert kkt.send(c.OperationRegisterRequest(CASHIER, 144)).value == 0
    assert kkt.send(c.OperationRegisterRequest(CASHIER, 159)).value == 1
