"""Device commands through the Штрих-М dialect: registers, exchange parameters, technological
reset, test run, paper faults, drawer, feed, print commands, 8Ch, 6Bh, F7h and FEh.

Public facts used here:
- javapos_shtrih TextDocumentFilter reads cash registers 193 + receipt type + 4 × payment,
  241, 242, 243, 249 + type and operation registers 144 + type, 148 + type, 153..158, 166,
  179 + type; javapos_shtrih issue 92 names 197..200 the payment type 2 totals.
- javapos_shtrih ReadErrorDescriptionTests: 6Bh 5Eh answers "ККТ: Неверная операция".
- javapos_shtrih SMFiscalPrinterImpl.connect sends F7h 01 first; PrinterModelParameters
  reads bit 43 as ФН support and the bytes after 31 as table numbers.
- shtrih-m/fr_drv_ng_examples issue 17: mode 9 needs a technological reset, then the date.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

H = bytes.fromhex
START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000003"
CASHIER = 1
SYSADMIN = 30


class Kkt:
    def __init__(self, path, clock):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, fn_serial=FN_SERIAL)

    @property
    def register(self):
        return self.emulator.register

    def raw(self, body: bytes) -> bytes:
        return self.emulator.execute(body)

    def send(self, request):
        answer = c.decode_answer(self.raw(request.encode()))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def status(self):
        return self.send(c.ShortStatusRequest(CASHIER))

    def state(self) -> dict:
        status = self.status()
        return {
            "mode": status.mode,
            "submode": status.submode,
            "drawer": self.register.cash_in_drawer,
            "document_number": self.register.document_number,
            "memory": copy.deepcopy(self.register.memory.state),
            "journal": memory_path(self.path).read_bytes(),
            "archive": self.path.read_bytes(),
        }

    def cash(self, number: int) -> int:
        return self.send(c.CashRegisterRequest(CASHIER, number, wide=number > 255)).value

    def operation(self, number: int) -> int:
        return self.send(c.OperationRegisterRequest(CASHIER, number)).value

    def receipt(self, receipt_type=0, items=((1000, 2800, 1),), cash=0, cashless=0):
        """Sell (or return, by ``receipt_type``) items of (thousandths, kopecks, department)."""
        self.send(c.OpenReceiptRequest(CASHIER, receipt_type))
        command = (c.SaleRequest, c.PurchaseRequest, c.SaleReturnRequest, c.PurchaseReturnRequest)[receipt_type]
        for quantity, price, department in items:
            self.send(command(CASHIER, quantity, price, department, (1, 0, 0, 0), "x"))
        return self.send(c.CloseReceiptRequest(CASHIER, (cash, cashless, 0, 0), 0, (0, 0, 0, 0), ""))


@pytest.fixture
def kkt(tmp_path):
    kkt = Kkt(tmp_path / "fn.bin", Clock(START, frozen=True))
    yield kkt
    kkt.emulator.close()


# 1Ah and 1Bh.


def test_receipt_registers(kkt):
    kkt.send(c.CashInRequest(CASHIER, 10000))
    kkt.receipt(items=((1000, 2800, 1), (2000, 500, 3)), cash=2000, cashless=1800)
    assert kkt.cash(193) == 2000  # sales, cash
    assert kkt.cash(197) == 1800  # sales, payment type 2 (javapos_shtrih issue 92)
    assert kkt.cash(121) == 2800  # department 1
    assert kkt.cash(129) == 1000  # department 3
    assert kkt.cash(0) == 2800  # department 1 of the last receipt
    assert kkt.cash(72) == 2000  # cash of the last receipt
    assert kkt.cash(241) == 12000
    assert kkt.cash(120) == 12000
    assert kkt.cash(244) == 3800
    assert kkt.operation(144) == 1
    assert kkt.operation(148) == 1
    assert kkt.operation(72) == 1  # sales in department 1
    assert kkt.operation(80) == 1  # sales in department 3
    assert kkt.operation(152) == kkt.send(c.LongStatusRequest(CASHIER)).document_number


def test_return_registers(kkt):
    kkt.send(c.CashInRequest(CASHIER, 10000))
    kkt.receipt(cash=2800)
    kkt.receipt(receipt_type=2, cash=2800)
    assert kkt.cash(195) == 2800  # sale returns, cash
    assert kkt.cash(123) == 2800
    assert kkt.operation(146) == 1
    assert kkt.operation(150) == 1
    assert kkt.cash(241) == 10000
    assert kkt.cash(244) == 2800  # sales only


def test_open_receipt_registers(kkt):
    kkt.send(c.SaleRequest(CASHIER, 1000, 700, 2, (1, 0, 0, 0), "x"))
    kkt.send(c.SaleRequest(CASHIER, 1000, 300, 2, (1, 0, 0, 0), "y"))
    assert kkt.cash(4) == 1000  # department 2 in the receipt
    assert kkt.operation(4) == 2
    assert kkt.cash(5) == 0  # purchases: another receipt type


def test_receipt_v2_registers(kkt):
    # FF46h sale in department 2 (tax bit 0: 20 %), FF45h paid with cash and payment type 5.
    kkt.send(c.OperationV2Request(SYSADMIN, 1, 1_000_000, 3000, None, None, 0x01, 2, 4, 1, "x"))
    payments = (1000, 0, 0, 0, 2000) + (0,) * 11
    kkt.send(c.CloseReceiptV2Request(SYSADMIN, payments, 0, (0,) * 6, 1))
    assert kkt.cash(125) == 3000  # department 2, sales
    assert kkt.cash(193) == 1000  # cash
    assert kkt.cash(4144) == 2000  # payment type 5, a two-byte register number
    assert kkt.operation(144) == 1


def test_department_zero_counts_as_one(kkt):
    kkt.receipt(items=((1000, 500, 0),), cash=500)
    assert kkt.cash(121) == 500


def test_cash_in_out_registers(kkt):
    kkt.send(c.CashInRequest(CASHIER, 5000))
    kkt.send(c.CashInRequest(CASHIER, 1000))
    kkt.send(c.CashOutRequest(CASHIER, 700))
    assert (kkt.cash(242), kkt.cash(243)) == (6000, 700)
    assert (kkt.operation(153), kkt.operation(154)) == (2, 1)
    assert (kkt.operation(155), kkt.operation(156)) == (2, 1)


def test_cancelled_receipt_registers(kkt):
    kkt.send(c.SaleRequest(CASHIER, 2000, 150, 1, (1, 0, 0, 0), "x"))
    kkt.send(c.CancelReceiptRequest(CASHIER))
    assert kkt.cash(249) == 300
    assert kkt.operation(179) == 1
    assert kkt.operation(157) == 1
    assert kkt.operation(166) == 1


def test_z_report_zeroes_shift_registers(kkt):
    kkt.send(c.CashInRequest(CASHIER, 5000))
    kkt.receipt(cash=2800)
    kkt.send(c.XReportRequest(SYSADMIN))
    kkt.send(c.ZReportRequest(SYSADMIN))
    assert kkt.cash(193) == 0
    assert kkt.cash(121) == 0
    assert kkt.cash(242) == 0
    assert kkt.operation(144) == 0
    assert kkt.operation(153) == 0
    # Cash in the drawer, the grand total and the numbers stay.
    assert kkt.cash(241) == 7800
    assert kkt.cash(244) == 2800
    assert kkt.operation(148) == 1
    assert kkt.operation(155) == 1
    assert kkt.operation(158) == 1
    assert kkt.operation(159) == 1


def test_z_report_zeroes_numbers_when_table_1_asks(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 1, 1, 26, b"\x01"))
    kkt.receipt(cash=2800)
    kkt.send(c.ZReportRequest(SYSADMIN))
    assert kkt.operation(148) == 0


def test_registers_survive_restart(kkt):
    kkt.receipt(cash=2800)
    kkt.emulator.close()
    kkt.emulator = Emulator(kkt.path, clock=kkt.clock)
    assert kkt.cash(193) == 2800
    assert kkt.operation(144) == 1


def test_extra_payment_types_wide_numbers(kkt):
    assert kkt.cash(4144) == 0
    assert kkt.raw(H("1A 01 00 00 00 30 10")) == H("1A 00 01 00 00 00 00 00 00")


@pytest.mark.parametrize("body", ["1A 01 00 00 00 FD", "1A 01 00 00 00 2F 10", "1A 01 00 00 00 FF FF"])
def test_unknown_cash_register_33(kkt, body):
    before = kkt.state()
    assert kkt.raw(H(body)) == H("1A 33")
    assert kkt.state() == before


def test_unknown_operation_register_33(kkt):
    before = kkt.state()
    assert kkt.raw(c.OperationRegisterRequest(CASHIER, 186).encode()) == H("1B 33")
    assert kkt.state() == before


def test_register_reads_leave_memory_alone(kkt):
    before = kkt.state()
    for number in (0, 120, 193, 241, 252):
        kkt.cash(number)
    for number in (0, 144, 152, 185):
        kkt.operation(number)
    assert kkt.state() == before


# 14h and 15h.


def test_exchange_parameters_defaults_and_persist(kkt):
    assert kkt.send(c.ReadExchangeParametersRequest(SYSADMIN, 0)) == c.ReadExchangeParametersAnswer(6, 100)
    assert kkt.send(c.ReadExchangeParametersRequest(SYSADMIN, 128)) == c.ReadExchangeParametersAnswer(57, 0)
    kkt.send(c.SetExchangeParametersRequest(SYSADMIN, 0, 2, 150))
    kkt.emulator.close()
    kkt.emulator = Emulator(kkt.path, clock=kkt.clock)
    assert kkt.send(c.ReadExchangeParametersRequest(SYSADMIN, 0)) == c.ReadExchangeParametersAnswer(2, 150)


@pytest.mark.parametrize(("port", "speed"), [(2, 6), (127, 0), (0, 7), (129, 57)])
def test_exchange_parameters_refused_33(kkt, port, speed):
    before = kkt.state()
    assert kkt.raw(c.SetExchangeParametersRequest(SYSADMIN, port, speed, 100).encode()) == H("14 33")
    assert kkt.state() == before


def test_read_exchange_unknown_port_33(kkt):
    assert kkt.raw(c.ReadExchangeParametersRequest(SYSADMIN, 5).encode()) == H("15 33")


# 16h and mode 9.


def test_technological_reset_outside_mode_9_refused(kkt):
    before = kkt.state()
    assert kkt.raw(H("16")) == H("16 73")
    assert kkt.state() == before


def test_mode_9_until_technological_reset(kkt):
    kkt.send(c.CashInRequest(CASHIER, 5000))
    kkt.send(c.WriteTableRequest(SYSADMIN, 17, 1, 7, b"\x01"))
    kkt.register.require_technological_reset()
    assert kkt.status().mode == 0x09
    before = kkt.state()
    assert kkt.raw(c.BeepRequest(CASHIER).encode()) == H("13 73")
    assert kkt.raw(c.OpenShiftRequest(CASHIER).encode()) == H("E0 73")
    assert kkt.state() == before
    archive = kkt.path.read_bytes()
    assert kkt.raw(H("16")) == H("16 00")
    assert kkt.status().mode == 0x02  # the shift the cash in opened stays open in the ФН
    assert kkt.register.cash_in_drawer == 0
    assert kkt.send(c.ReadTableRequest(SYSADMIN, 17, 1, 7)).value == b"\x00"
    assert kkt.cash(242) == 0
    assert kkt.path.read_bytes() == archive
    assert kkt.register.last_fd == 2


def test_corrupted_memory_starts_in_mode_9(kkt):
    kkt.send(c.CashInRequest(CASHIER, 5000))
    kkt.emulator.close()
    memory_path(kkt.path).write_bytes(b"garbage that is not a snapshot\n")
    kkt.emulator = Emulator(kkt.path, clock=kkt.clock)
    assert kkt.status().mode == 0x09
    kkt.send(c.TechnologicalResetRequest())
    assert kkt.status().mode == 0x02


def test_journal_of_another_fn_is_no_loss(kkt, tmp_path):
    # A register whose ФН was replaced finds a memory of another ФН: it starts empty, in mode 4.
    with Emulator(tmp_path / "other.bin", clock=kkt.clock, fn_serial="9999078900000099") as other:
        assert other.execute(c.CashInRequest(CASHIER, 100).encode())[1] == 0
    kkt.emulator.close()
    memory_path(kkt.path).write_bytes(memory_path(tmp_path / "other.bin").read_bytes())
    kkt.emulator = Emulator(kkt.path, clock=kkt.clock)
    assert kkt.status().mode == 0x04
    assert kkt.register.cash_in_drawer == 0


# 19h and 2Bh.


def test_test_run_mode_10(kkt):
    kkt.send(c.StartTestRunRequest(CASHIER, 5))
    assert kkt.status().mode == 0x0A
    before = kkt.state()
    assert kkt.raw(c.OpenShiftRequest(CASHIER).encode()) == H("E0 73")
    assert kkt.state() == before
    kkt.send(c.StopTestRunRequest(CASHIER))
    assert kkt.status().mode == 0x04
    assert kkt.operation(163) == 1


@pytest.mark.parametrize("period", [0, 100])
def test_test_run_period_33(kkt, period):
    before = kkt.state()
    assert kkt.raw(c.StartTestRunRequest(CASHIER, period).encode()) == H("19 33")
    assert kkt.state() == before


def test_stop_without_test_run_73(kkt):
    assert kkt.raw(c.StopTestRunRequest(CASHIER).encode()) == H("2B 73")


# Paper faults and submodes.


def test_paper_out_refuses_printing_6b(kkt):
    kkt.register.paper_out()
    status = kkt.status()
    assert status.submode == 1
    assert not status.flags & c.KktFlags.RECEIPT_ROLL
    before = kkt.state()
    assert kkt.raw(c.PrintLineRequest(CASHIER, 2, "x").encode()) == H("17 6B")
    assert kkt.raw(c.XReportRequest(SYSADMIN).encode()) == H("40 6B")
    assert kkt.raw(c.ContinuePrintingRequest(CASHIER).encode()) == H("B0 6B")
    assert kkt.state() == before
    kkt.register.paper_loaded()
    assert kkt.status().submode == 0
    kkt.send(c.PrintLineRequest(CASHIER, 2, "x"))


def test_paper_break_while_printing(kkt):
    kkt.register.paper_out(while_printing=True)
    assert kkt.status().submode == 2
    kkt.register.paper_loaded()
    assert kkt.status().submode == 3
    before = kkt.state()
    assert kkt.raw(c.CutRequest(CASHIER, 0).encode()) == H("25 58")
    assert kkt.state() == before
    kkt.send(c.ContinuePrintingRequest(CASHIER))
    assert kkt.status().submode == 0
    kkt.send(c.CutRequest(CASHIER, 0))


def test_sale_items_accepted_while_waiting(kkt):
    # Items only fill the receipt buffer; the closing 85h prints and is refused.
    kkt.register.interrupt_printing()
    kkt.send(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x"))
    archive = kkt.path.read_bytes()
    assert kkt.raw(c.CloseReceiptRequest(CASHIER, (100, 0, 0, 0), 0, (0, 0, 0, 0), "").encode()) == H("85 58")
    assert kkt.path.read_bytes() == archive
    kkt.send(c.ContinuePrintingRequest(CASHIER))
    kkt.send(c.CloseReceiptRequest(CASHIER, (100, 0, 0, 0), 0, (0, 0, 0, 0), ""))


# Printer and drawer commands.


def test_print_commands_reach_the_journal(kkt):
    kkt.send(c.PrintBoldLineRequest(CASHIER, 2, "ЖИРНО"))
    kkt.send(c.PrintFontLineRequest(CASHIER, 2, 3, "ШРИФТ 3"))
    number = kkt.send(c.DocumentHeaderRequest(CASHIER, "СЧЁТ", 12)).document_number
    assert number == kkt.send(c.LongStatusRequest(CASHIER)).document_number
    journal = list(kkt.register.journal)
    assert journal[-3:] == ["ЖИРНО", "ШРИФТ 3", "СЧЁТ No 12"]


def test_document_header_refused_in_receipt(kkt):
    kkt.send(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x"))
    before = kkt.state()
    assert kkt.raw(c.DocumentHeaderRequest(CASHIER, "X", 1).encode()) == H("18 4A")
    assert kkt.state() == before


def test_drawer_and_feed(kkt):
    assert kkt.send(c.OpenDrawerRequest(CASHIER, 1)).operator == CASHIER
    assert kkt.send(c.FeedRequest(CASHIER, 2, 3)).operator == CASHIER
    before = kkt.state()
    assert kkt.raw(c.OpenDrawerRequest(CASHIER, 2).encode()) == H("28 33")
    assert kkt.raw(c.FeedRequest(CASHIER, 2, 0).encode()) == H("29 33")
    assert kkt.state() == before


def test_repeat_document(kkt):
    before = kkt.state()
    assert kkt.raw(c.RepeatDocumentRequest(CASHIER).encode()) == H("8C 56")
    assert kkt.state() == before
    kkt.receipt(cash=2800)
    kkt.send(c.RepeatDocumentRequest(CASHIER))
    assert kkt.register.journal[-1] == f"COPY OF ФД {kkt.register.last_fd}"


# 6Bh.


def test_error_name_javapos_vector(kkt):
    # javapos_shtrih ReadErrorDescriptionTests.
    answer = kkt.raw(H("6B 5E"))
    assert answer == H("6B 00 CA CA D2 3A 20 CD E5 E2 E5 F0 ED E0 FF 20 EE EF E5 F0 E0 F6 E8 FF")


@pytest.mark.parametrize("code", list(ErrorCode)[1:])
def test_error_name_every_code(kkt, code):
    name = kkt.send(c.ErrorNameRequest(code)).name
    prefix = "ФН: " if code.from_fn else "ККТ: "
    assert name.startswith(prefix)
    assert not name.startswith(prefix + "ФН: ")


def test_error_name_unknown_code_33(kkt):
    assert kkt.raw(H("6B 06")) == H("6B 33")
    assert kkt.raw(H("6B")) == H("6B 7E")


# F7h.


def test_model_parameters(kkt):
    answer = kkt.raw(H("F7 01"))
    assert answer[:2] == H("F7 00")
    assert len(answer) == 2 + c.MODEL_PARAMETERS_SIZE + 5
    parameters = c.ExtendedAnswer.decode(answer).model_parameters()
    capabilities = c.ModelCapability(parameters.capabilities)
    assert c.ModelCapability.FISCAL_STORAGE in capabilities
    assert c.ModelCapability.ERROR_NAME_COMMAND in capabilities
    assert c.ModelCapability.SENIOR_CASHIER_REPORTS in capabilities
    assert parameters.default_sysadmin_password == SYSADMIN
    assert parameters.font1_width == 48
    assert parameters.extra == bytes((18, 19, 0, 17, 17))


def test_model_parameters_other_type_33(kkt):
    assert kkt.raw(H("F7 02")) == H("F7 33")


# FEh.


def test_service_ping(kkt):
    assert kkt.raw(H("FE F2 00 00 00 00")) == H("FE 00")


def test_service_reboot_drops_open_receipt(kkt):
    kkt.send(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x"))
    kkt.send(c.SetExchangeParametersRequest(SYSADMIN, 0, 3, 100))
    archive = kkt.path.read_bytes()
    # afilippov1985/kkt-shtrih Reboot: FE F3 00 00 00 00.
    assert kkt.raw(H("FE F3 00 00 00 00")) == H("FE 00")
    assert kkt.status().mode == 0x02
    assert kkt.send(c.FnStatusRequest(SYSADMIN)).current_document == 0
    assert kkt.path.read_bytes() == archive
    assert kkt.send(c.ReadExchangeParametersRequest(SYSADMIN, 0)).speed == 3
    kkt.receipt(cash=2800)


def test_service_other_functions_37(kkt):
    before = kkt.state()
    assert kkt.raw(H("FE F4 00 00 00 00")) == H("FE 37")
    assert kkt.state() == before
