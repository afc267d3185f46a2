"""The split shift commands (FF41h/FF0Bh, FF42h/FF43h), FF08h, and the settlement report (FF37h/FF38h).

Flows from drivers:

- re-star-ru/shtrih-m-driver app/kkt/session.go opens a shift with FF41h, FF0Ch
  (1203, the cashier's ИНН in CP866) and E0h, all with password 30.
- shtrih-m/javapos_shtrih SMFiscalPrinterImpl.printZReport sends FF42h when the
  ФН has no document open, then its buffered TLVs with FF0Ch, then 41h.
- oleg-golovanov/pyshtrih 2.0.6 sends FF0Bh, FF43h and FF38h on their own.

Every refusal is checked for its error byte and for leaving the register and
the ФН as they were.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.register_fn import ReportKind
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_string, encode_string
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000001"
CASHIER = 1
SYSADMIN = 30
CASHIER_INN = "500100732259"
# FF0Ch as the Go driver builds it: tag 1203, length 12, the ИНН in CP866.
INN_TLV = encode_tlv(1203, CASHIER_INN.encode("cp866"))
REGISTRATION_FD = 1


class Kkt:
    """An Emulator on a file, driven by request objects and inspected through its own commands."""

    def __init__(self, path, clock):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, fn_serial=FN_SERIAL)

    @property
    def register(self):
        return self.emulator.register

    def raw(self, request) -> bytes:
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)

    def send(self, request):
        """Execute ``request`` and return the decoded success answer; fail the test on an error."""
        answer = c.decode_answer(self.raw(request))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def error(self, request) -> int:
        answer = c.decode_answer(self.raw(request))
        assert isinstance(answer, c.ErrorAnswer), f"{request}: no error, answered {answer}"
        return answer.error

    def mode(self) -> int:
        return self.send(c.ShortStatusRequest(CASHIER)).mode

    def fn_status(self) -> c.FnStatusAnswer:
        return self.send(c.FnStatusRequest(SYSADMIN))

    def documents(self):
        return read_archive(self.path).documents

    def state(self) -> dict:
        """Everything a refusal must leave unchanged."""
        register = self.register
        return {
            "mode": self.mode(),
            "fn_status": self.fn_status(),
            "fn_shift": self.send(c.ShiftParametersRequest(SYSADMIN)),
            "document_number": self.send(c.LongStatusRequest(CASHIER)).document_number,
            "receipt_items": list(register.receipt.receipt.items) if register.receipt else None,
            "begun": register.begun_report,
            "pending_tlv": list(register._pending_tlv),
            "memory": dict(register.memory.state),
            "archive": self.path.read_bytes(),
        }


def sale(price=2800):
    return c.SaleRequest(CASHIER, 1000, price, 1, (1, 0, 0, 0), "Сахар")


def close(cash=0):
    return c.CloseReceiptRequest(CASHIER, (cash, 0, 0, 0), 0, (0, 0, 0, 0), "")


def tlv_of(document) -> dict[int, bytes]:
    return dict(split_tlv(document.tlv))


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def kkt(tmp_path, clock):
    emulated = Kkt(tmp_path / "fn.bin", clock)
    yield emulated
    emulated.emulator.close()


@pytest.fixture
def kkt_in_shift(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    return kkt


# The Go driver's open shift flow: FF41h, FF0Ch 1203, E0h.

def test_go_driver_open_shift_flow(kkt, clock):
    assert kkt.raw(c.BeginOpenShiftRequest(SYSADMIN)) == bytes.fromhex("FF 41 00")
    clock.advance(dt.timedelta(seconds=40))
    assert kkt.raw(c.SendTlvRequest(SYSADMIN, INN_TLV)) == bytes.fromhex("FF 0C 00")
    assert kkt.raw(c.OpenShiftRequest(SYSADMIN)) == bytes.fromhex("E0 00 1E")

    assert kkt.mode() == 0x02
    assert kkt.send(c.ShiftParametersRequest(SYSADMIN)) == c.ShiftParametersAnswer(True, 1, 0)
    report = kkt.documents()[-1]
    assert report.form == 2
    assert report.fd_number == REGISTRATION_FD + 1
    assert report.moment == START
    items = split_tlv(report.tlv)
    assert items[-1] == (1203, CASHIER_INN.encode("cp866"))
    assert decode_string(tlv_of(report)[1021]) == "СИС. АДМИНИСТРАТОР"
    assert kkt.register.begun_report is None
    assert kkt.register._pending_tlv == []


def test_begun_open_shift_state(kkt):
    before = kkt.send(c.LongStatusRequest(CASHIER)).document_number
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    status = kkt.fn_status()
    assert status.current_document == c.FnDocument.SHIFT_OPEN_REPORT
    assert status.document_data_received is False
    assert status.shift_open is False
    assert kkt.mode() == 0x04
    assert kkt.send(c.ShiftParametersRequest(SYSADMIN)) == c.ShiftParametersAnswer(False, 0, 0)
    assert kkt.send(c.LongStatusRequest(CASHIER)).document_number == before
    assert kkt.register.begun_report.kind is ReportKind.OPEN_SHIFT
    assert len(kkt.documents()) == REGISTRATION_FD


def test_fn_open_shift_forms_begun_report(kkt):
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    kkt.send(c.SendTlvRequest(SYSADMIN, INN_TLV))
    answer = kkt.send(c.FnOpenShiftRequest(SYSADMIN))
    report = kkt.documents()[-1]
    assert answer == c.FnOpenShiftAnswer(1, report.fd_number, report.fiscal_sign)
    assert kkt.fn_status().last_document_number == report.fd_number
    assert tlv_of(report)[1203] == CASHIER_INN.encode("cp866")
    assert kkt.mode() == 0x02


def test_fn_open_shift_alone(kkt):
    raw = kkt.raw(c.FnOpenShiftRequest(SYSADMIN))
    report = kkt.documents()[-1]
    expected = (bytes.fromhex("FF 0B 00 01 00") + report.fd_number.to_bytes(4, "little")
                + report.fiscal_sign.to_bytes(4, "little"))
    assert raw == expected
    assert report.form == 2
    assert kkt.mode() == 0x02
    assert kkt.fn_status().current_document == c.FnDocument.NONE


def test_both_open_paths_write_the_same_report(tmp_path, clock):
    reports = []
    for name, requests in (("whole", [c.OpenShiftRequest(SYSADMIN)]),
                           ("split", [c.BeginOpenShiftRequest(SYSADMIN), c.OpenShiftRequest(SYSADMIN)])):
        kkt = Kkt(tmp_path / f"{name}.bin", clock)
        for request in requests:
            kkt.send(request)
        reports.append(kkt.documents()[-1])
        assert kkt.send(c.LongStatusRequest(CASHIER)).document_number == REGISTRATION_FD + 1
        kkt.emulator.close()
    whole, split = reports
    assert (whole.form, whole.fd_number, whole.moment, whole.details) == (split.form, split.fd_number,
                                                                          split.moment, split.details)
    assert split_tlv(whole.tlv)[6:] == split_tlv(split.tlv)[6:]


# Closing: javapos Z report flow (FF42h, FF0Ch, 41h) and FF43h.

def test_javapos_z_report_flow(kkt_in_shift):
    kkt = kkt_in_shift
    assert kkt.raw(c.BeginCloseShiftRequest(SYSADMIN)) == bytes.fromhex("FF 42 00")
    assert kkt.fn_status().current_document == c.FnDocument.SHIFT_CLOSE_REPORT
    assert kkt.mode() == 0x02
    kkt.send(c.SendTlvRequest(SYSADMIN, INN_TLV))
    assert kkt.raw(c.ZReportRequest(SYSADMIN)) == bytes.fromhex("41 00 1E")
    report = kkt.documents()[-1]
    assert report.form == 5
    assert tlv_of(report)[1203] == CASHIER_INN.encode("cp866")
    assert kkt.mode() == 0x04
    assert kkt.send(c.ShiftParametersRequest(SYSADMIN)) == c.ShiftParametersAnswer(False, 1, 0)
    assert kkt.register.begun_report is None


def test_fn_close_shift_after_begin(kkt_in_shift):
    kkt = kkt_in_shift
    kkt.send(c.BeginCloseShiftRequest(SYSADMIN))
    answer = kkt.send(c.FnCloseShiftRequest(SYSADMIN))
    report = kkt.documents()[-1]
    assert answer == c.FnCloseShiftAnswer(1, report.fd_number, report.fiscal_sign)
    assert kkt.mode() == 0x04


def test_fn_close_shift_alone_answer(kkt_in_shift):
    kkt = kkt_in_shift
    kkt.send(sale())
    kkt.send(close(2800))
    raw = kkt.raw(c.FnCloseShiftRequest(SYSADMIN))
    report = kkt.documents()[-1]
    assert len(raw) == 13
    assert raw == (bytes.fromhex("FF 43 00 01 00") + report.fd_number.to_bytes(4, "little")
                   + report.fiscal_sign.to_bytes(4, "little"))
    assert tlv_of(report)[1118] == (1).to_bytes(4, "little")
    assert kkt.mode() == 0x04


def test_counters_after_split_shift(kkt):
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    kkt.send(sale())
    kkt.send(close(2800))
    kkt.send(c.BeginCloseShiftRequest(SYSADMIN))
    kkt.send(c.FnCloseShiftRequest(SYSADMIN))
    long_status = kkt.send(c.LongStatusRequest(CASHIER))
    assert long_status.document_number == REGISTRATION_FD + 3
    assert long_status.last_closed_shift == 1
    assert kkt.register.last_fd == kkt.fn_status().last_document_number == REGISTRATION_FD + 3
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    assert kkt.send(c.FnOpenShiftRequest(SYSADMIN)).shift_number == 2


# The 24-hour limit counts from the begun report's time.

def test_split_shift_deadline_counts_from_begin(kkt, clock):
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    clock.advance(dt.timedelta(hours=2))
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    assert kkt.register.shift.opened_at == START
    assert kkt.documents()[-1].moment == START
    clock.advance(dt.timedelta(hours=22))
    assert kkt.mode() == 0x02
    clock.advance(dt.timedelta(minutes=1))
    assert kkt.mode() == 0x03
    assert kkt.error(sale()) == 0x16
    kkt.send(c.ZReportRequest(SYSADMIN))
    assert kkt.mode() == 0x04


# Refusals: the error byte, with the register and the ФН unchanged.

def begun_open(kkt):
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    kkt.send(c.SendTlvRequest(SYSADMIN, INN_TLV))


def begun_close(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.BeginCloseShiftRequest(SYSADMIN))


def begun_settlement(kkt):
    kkt.send(c.BeginSettlementReportRequest(SYSADMIN))


def shift_open(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))


def receipt_open(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(sale())


def shift_closed(kkt):
    pass


REFUSALS = [
    ("FF41h twice", begun_open, c.BeginOpenShiftRequest(SYSADMIN), 0x5E),
    ("FF41h in shift", shift_open, c.BeginOpenShiftRequest(SYSADMIN), 0x3C),
    ("FF41h in receipt", receipt_open, c.BeginOpenShiftRequest(SYSADMIN), 0x4A),
    ("FF41h after FF42h", begun_close, c.BeginOpenShiftRequest(SYSADMIN), 0x5E),
    ("FF41h cashier password", shift_closed, c.BeginOpenShiftRequest(CASHIER), 0x4F),
    ("FF0Bh in shift", shift_open, c.FnOpenShiftRequest(SYSADMIN), 0x3C),
    ("FF0Bh in receipt", receipt_open, c.FnOpenShiftRequest(SYSADMIN), 0x4A),
    ("FF0Bh after FF42h", begun_close, c.FnOpenShiftRequest(SYSADMIN), 0x5E),
    ("FF0Bh after FF37h", begun_settlement, c.FnOpenShiftRequest(SYSADMIN), 0x5E),
    ("E0h after FF42h", begun_close, c.OpenShiftRequest(CASHIER), 0x5E),
    ("FF42h shift closed", shift_closed, c.BeginCloseShiftRequest(SYSADMIN), 0x3D),
    ("FF42h in receipt", receipt_open, c.BeginCloseShiftRequest(SYSADMIN), 0x4A),
    ("FF42h twice", begun_close, c.BeginCloseShiftRequest(SYSADMIN), 0x5E),
    ("FF43h shift closed", shift_closed, c.FnCloseShiftRequest(SYSADMIN), 0x3D),
    ("FF43h after FF41h", begun_open, c.FnCloseShiftRequest(SYSADMIN), 0x5E),
    ("FF43h in receipt", receipt_open, c.FnCloseShiftRequest(SYSADMIN), 0x4A),
    ("41h after FF41h", begun_open, c.ZReportRequest(SYSADMIN), 0x5E),
    ("41h after FF37h", begun_settlement, c.ZReportRequest(SYSADMIN), 0x5E),
    ("sale after FF41h", begun_open, sale(), 0x5E),
    ("sale after FF42h", begun_close, sale(), 0x5E),
    ("8Dh after FF37h", begun_settlement, c.OpenReceiptRequest(CASHIER, 0), 0x5E),
    ("cash in after FF41h", begun_open, c.CashInRequest(CASHIER, 1000), 0x5E),
    ("FF37h twice", begun_settlement, c.BeginSettlementReportRequest(SYSADMIN), 0x5E),
    ("FF37h after FF41h", begun_open, c.BeginSettlementReportRequest(SYSADMIN), 0x5E),
    ("FF37h in receipt", receipt_open, c.BeginSettlementReportRequest(SYSADMIN), 0x4A),
    ("FF38h after FF42h", begun_close, c.SettlementReportRequest(SYSADMIN), 0x5E),
    ("FF38h in receipt", receipt_open, c.SettlementReportRequest(SYSADMIN), 0x4A),
    ("FF08h cashier password", begun_open, c.CancelFnDocumentRequest(CASHIER), 0x4F),
    ("FF43h long body", begun_close, bytes.fromhex("FF 43 1E 00 00 00 00"), 0x7E),
]


@pytest.mark.parametrize(("setup", "request_", "expected"), [case[1:] for case in REFUSALS],
                         ids=[case[0] for case in REFUSALS])
def test_refusal_leaves_state(kkt, setup, request_, expected):
    setup(kkt)
    before = kkt.state()
    assert kkt.error(request_) == expected
    assert kkt.state() == before


def test_begin_refused_by_fn_time(kkt, clock):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.ZReportRequest(SYSADMIN))
    clock.set(START - dt.timedelta(hours=2))
    before = kkt.state()
    # The ФН refuses a report dated over an hour before its last document: result 07h.
    assert kkt.error(c.BeginOpenShiftRequest(SYSADMIN)) == 0x07
    assert kkt.state() == before


def test_rejected_host_data_cancels_begun_report(kkt):
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    filler = encode_tlv(1192, encode_string("X" * 200))
    for _ in range(5):
        kkt.send(c.SendTlvRequest(SYSADMIN, filler))
    # Over the 1 KB budget of an open shift report: the ФН answers 07h with 10h.
    assert kkt.error(c.OpenShiftRequest(SYSADMIN)) == 0x10
    assert kkt.register.begun_report is None
    assert kkt.register._pending_tlv == []
    assert kkt.fn_status().current_document == c.FnDocument.NONE
    assert kkt.mode() == 0x04
    assert len(kkt.documents()) == REGISTRATION_FD
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    assert kkt.mode() == 0x02


# FF08h.

def test_cancel_fn_document_drops_begun_report(kkt):
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    kkt.send(c.SendTlvRequest(SYSADMIN, INN_TLV))
    archive = kkt.path.read_bytes()
    assert kkt.raw(c.CancelFnDocumentRequest(SYSADMIN)) == bytes.fromhex("FF 08 00")
    assert kkt.fn_status().current_document == c.FnDocument.NONE
    assert kkt.register.begun_report is None
    assert kkt.register._pending_tlv == []
    assert kkt.mode() == 0x04
    assert kkt.path.read_bytes() == archive
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    assert 1203 not in tlv_of(kkt.documents()[-1])


def test_cancel_fn_document_drops_begun_close(kkt_in_shift):
    kkt = kkt_in_shift
    kkt.send(c.BeginCloseShiftRequest(SYSADMIN))
    kkt.send(c.CancelFnDocumentRequest(SYSADMIN))
    assert kkt.mode() == 0x02
    assert kkt.fn_status().current_document == c.FnDocument.NONE
    kkt.send(sale())
    kkt.send(close(2800))
    assert kkt.documents()[-1].form == 3


def test_cancel_fn_document_cancels_receipt(kkt_in_shift):
    kkt = kkt_in_shift
    number = kkt.send(c.LongStatusRequest(CASHIER)).document_number
    kkt.send(sale())
    assert kkt.fn_status().current_document == c.FnDocument.RECEIPT
    archive = kkt.path.read_bytes()
    kkt.send(c.CancelFnDocumentRequest(SYSADMIN))
    assert kkt.mode() == 0x02
    assert kkt.register.receipt is None
    assert kkt.fn_status().current_document == c.FnDocument.NONE
    assert kkt.path.read_bytes() == archive
    # Counted as a cancelled receipt, as 88h counts it.
    assert kkt.send(c.LongStatusRequest(CASHIER)).document_number == number + 1


def test_cancel_fn_document_with_nothing_open(kkt_in_shift):
    kkt = kkt_in_shift
    before = kkt.state()
    assert kkt.raw(c.CancelFnDocumentRequest(SYSADMIN)) == bytes.fromhex("FF 08 00")
    assert kkt.state() == before


def test_cancel_fn_document_drops_host_tlv(kkt_in_shift):
    kkt = kkt_in_shift
    kkt.send(c.SendTlvRequest(SYSADMIN, INN_TLV))
    kkt.send(c.CancelFnDocumentRequest(SYSADMIN))
    assert kkt.register._pending_tlv == []


# Restart: the ФН loses an unformed document, and so does the register.

def test_restart_drops_begun_report(tmp_path, clock):
    path = tmp_path / "fn.bin"
    kkt = Kkt(path, clock)
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    kkt.send(c.SendTlvRequest(SYSADMIN, INN_TLV))
    kkt.emulator.close()

    kkt = Kkt(path, clock)
    assert kkt.register.begun_report is None
    assert kkt.fn_status().current_document == c.FnDocument.NONE
    assert kkt.mode() == 0x04
    assert kkt.error(c.FnCloseShiftRequest(SYSADMIN)) == 0x3D
    kkt.send(c.FnOpenShiftRequest(SYSADMIN))
    assert 1203 not in tlv_of(kkt.documents()[-1])
    assert kkt.mode() == 0x02
    kkt.emulator.close()


def test_restart_during_begun_close(tmp_path, clock):
    path = tmp_path / "fn.bin"
    kkt = Kkt(path, clock)
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.BeginCloseShiftRequest(SYSADMIN))
    kkt.emulator.close()

    kkt = Kkt(path, clock)
    assert kkt.mode() == 0x02
    assert kkt.fn_status().current_document == c.FnDocument.NONE
    kkt.send(sale())
    kkt.send(close(2800))
    kkt.send(c.ZReportRequest(SYSADMIN))
    assert kkt.mode() == 0x04
    kkt.emulator.close()


# FF37h, FF38h: the report on the state of settlements (form 21).

def test_settlement_report_alone(kkt_in_shift):
    kkt = kkt_in_shift
    number = kkt.send(c.LongStatusRequest(CASHIER)).document_number
    answer = kkt.send(c.SettlementReportRequest(SYSADMIN))
    report = kkt.documents()[-1]
    assert report.form == 21
    assert answer == c.SettlementReportAnswer(report.fd_number, report.fiscal_sign, 2, START.date())
    items = tlv_of(report)
    assert items[1097] == (2).to_bytes(4, "little")
    assert items[1116] == (1).to_bytes(4, "little")
    assert items[1002] == b"\x00"
    assert items[1209] == b"\x02"
    assert decode_string(items[1009]) == kkt.register.identity.address
    assert kkt.mode() == 0x02
    assert kkt.send(c.LongStatusRequest(CASHIER)).document_number == number + 1


def test_settlement_report_begun_first(kkt):
    assert kkt.raw(c.BeginSettlementReportRequest(SYSADMIN)) == bytes.fromhex("FF 37 00")
    assert kkt.fn_status().current_document == c.FnDocument.SETTLEMENT_STATE_REPORT
    raw = kkt.raw(c.SettlementReportRequest(SYSADMIN))
    assert len(raw) == 18
    report = kkt.documents()[-1]
    # ФД, ФПД, one unconfirmed document (the registration) and its date 2024-03-01.
    assert raw == (bytes.fromhex("FF 38 00") + report.fd_number.to_bytes(4, "little")
                   + report.fiscal_sign.to_bytes(4, "little") + bytes.fromhex("01 00 00 00 18 03 01"))
    assert kkt.fn_status().current_document == c.FnDocument.NONE
    assert kkt.mode() == 0x04


def test_settlement_report_takes_host_tlv(kkt):
    # The ФФД table of the settlement report has no cashier, but has the user name 1048.
    user_tlv = encode_tlv(1048, encode_string("ИП Петров"))
    kkt.send(c.BeginSettlementReportRequest(SYSADMIN))
    kkt.send(c.SendTlvRequest(SYSADMIN, user_tlv))
    kkt.send(c.SettlementReportRequest(SYSADMIN))
    assert tlv_of(kkt.documents()[-1])[1048] == user_tlv[4:]
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    assert 1048 not in tlv_of(kkt.documents()[-1])


def test_settlement_report_cancelled(kkt):
    kkt.send(c.BeginSettlementReportRequest(SYSADMIN))
    kkt.send(c.CancelFnDocumentRequest(SYSADMIN))
    assert kkt.register.begun_report is None
    kkt.send(sale())
    assert kkt.mode() == 0x08
