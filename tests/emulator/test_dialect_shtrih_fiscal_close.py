"""FF3Dh/FF3Eh closing the fiscal mode, the register after it, and FF63h free memory.

javapos_shtrih sends FF3Dh (fsStartFiscalClose) and FF3Eh; the ФН then goes to
the post-fiscal mode (phase 7 of the ФН interface description), where it
refuses every fiscal document with result 02h. FF63h has the layout javapos_shtrih
reads (FSReadMemorySize): two UInt32 after the error byte.
"""

from __future__ import annotations

import pytest

from kktemu.fn_storage.profile import DEFAULT_PROFILE
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import decode_string, decode_uint
from kktemu.protocol.fn.service import FnPhase
from kktemu.protocol.shtrih import commands as c

ARCHIVE_CAPACITY_DOCUMENTS = DEFAULT_PROFILE.archive_capacity
THIRTY_DAY_AREA_KB = DEFAULT_PROFILE.thirty_day_area_kb

H = bytes.fromhex
CASHIER = 1
SYSADMIN = 30


def sale():
    return c.SaleRequest(CASHIER, 1000, 2800, 1, (0, 0, 0, 0), "Сахар")


def close_receipt():
    return c.CloseReceiptRequest(CASHIER, (2800, 0, 0, 0), 0, (0, 0, 0, 0), "")


@pytest.fixture
def kkt(make_kkt):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(sale())
    kkt.send(close_receipt())
    kkt.send(c.ZReportRequest(SYSADMIN))
    return kkt


@pytest.fixture
def closed(kkt):
    kkt.send(c.BeginCloseFiscalModeRequest(SYSADMIN))
    kkt.send(c.CloseFiscalModeRequest(SYSADMIN))
    return kkt


def fn_phase(kkt) -> int:
    return kkt.send(c.FnStatusRequest(SYSADMIN)).phase


def test_close_fiscal_mode(kkt):
    assert kkt.raw(c.BeginCloseFiscalModeRequest(SYSADMIN)) == H("FF 3D 00")
    assert kkt.send(c.FnStatusRequest(SYSADMIN)).current_document == 0x10
    answer = kkt.raw(c.CloseFiscalModeRequest(SYSADMIN))
    assert len(answer) == 11
    document = kkt.last_document()
    assert c.decode_answer(answer).fd_number == document.fd_number == 5
    assert document.form == 6
    tlv = kkt.tlv(document)
    assert decode_uint(tlv[1038], 4) == 1
    assert decode_string(tlv[1021]) == "СИС. АДМИНИСТРАТОР"
    assert tlv[1209] == b"\x02"
    assert fn_phase(kkt) == FnPhase.POST_FISCAL_MODE
    assert kkt.register.journal[-1] == "REPORT ON CLOSING THE FISCAL MODE, ФД 5"


def test_close_fiscal_mode_without_begin(kkt):
    assert len(kkt.raw(c.CloseFiscalModeRequest(SYSADMIN))) == 11
    assert fn_phase(kkt) == FnPhase.POST_FISCAL_MODE


def test_close_fiscal_mode_host_tlv(kkt):
    kkt.send(c.BeginCloseFiscalModeRequest(SYSADMIN))
    cashier_inn = encode_tlv(1203, b"500100732259")
    kkt.send(c.SendTlvRequest(SYSADMIN, cashier_inn))
    kkt.send(c.CloseFiscalModeRequest(SYSADMIN))
    assert kkt.last_document().tlv.endswith(cashier_inn)


def test_close_fiscal_mode_extended_answer(kkt):
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 17, 1, 36, b"\x01")) == H("1E 00")
    answer = kkt.raw(c.CloseFiscalModeRequest(SYSADMIN))
    assert len(answer) == 16
    assert c.decode_answer(answer).document_datetime == kkt.last_document().moment


@pytest.mark.parametrize("request_", [
    sale(), c.OpenShiftRequest(CASHIER), c.BeginOpenShiftRequest(SYSADMIN), c.FnOpenShiftRequest(SYSADMIN),
    c.CashInRequest(CASHIER, 100), c.BeginCorrectionRequest(SYSADMIN), c.BeginCloseFiscalModeRequest(SYSADMIN),
    c.CloseFiscalModeRequest(SYSADMIN), c.BeginRegistrationRequest(SYSADMIN, 2),
    c.ShiftParametersRequest(SYSADMIN),
], ids=["80h", "E0h", "FF41h", "FF0Bh", "50h", "FF35h", "FF3Dh", "FF3Eh", "FF05h", "FF40h"])
def test_post_fiscal_refuses(closed, request_):
    closed.refused(request_, 0x02)


def test_post_fiscal_reads(closed):
    assert closed.send(c.FindDocumentRequest(SYSADMIN, 1)).document_type == 1
    assert closed.send(c.FiscalizationTotalsRequest(SYSADMIN)).fd_number == 1
    assert closed.mode() == 0x04


def test_post_fiscal_restart(closed, make_kkt):
    closed.close()
    again = make_kkt()
    assert fn_phase(again) == FnPhase.POST_FISCAL_MODE
    assert again.register.shift.number == 1
    assert again.register.shift.is_open is False
    assert again.mode() == 0x04
    again.refused(sale(), 0x02)


def test_close_fiscal_mode_shift_open(make_kkt):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.refused(c.BeginCloseFiscalModeRequest(SYSADMIN), 0x3C)
    kkt.refused(c.CloseFiscalModeRequest(SYSADMIN), 0x3C)


def test_close_fiscal_mode_receipt_open(make_kkt):
    kkt = make_kkt()
    kkt.send(sale())
    kkt.refused(c.BeginCloseFiscalModeRequest(SYSADMIN), 0x4A)
    kkt.refused(c.CloseFiscalModeRequest(SYSADMIN), 0x4A)


def test_close_fiscal_mode_begun_twice(kkt):
    kkt.send(c.BeginCloseFiscalModeRequest(SYSADMIN))
    kkt.refused(c.BeginCloseFiscalModeRequest(SYSADMIN), 0x5E)
    kkt.refused(c.BeginOpenShiftRequest(SYSADMIN), 0x5E)


def test_close_fiscal_mode_other_report(kkt):
    kkt.send(c.BeginSettlementReportRequest(SYSADMIN))
    kkt.refused(c.CloseFiscalModeRequest(SYSADMIN), 0x5E)
    kkt.refused(c.BeginCloseFiscalModeRequest(SYSADMIN), 0x5E)


def test_close_fiscal_mode_cancelled(kkt):
    kkt.send(c.BeginCloseFiscalModeRequest(SYSADMIN))
    kkt.send(c.CancelFnDocumentRequest(SYSADMIN))
    assert kkt.register.begun_report is None
    assert fn_phase(kkt) == FnPhase.FISCAL_MODE
    kkt.send(c.OpenShiftRequest(CASHIER))


def test_close_fiscal_mode_phase_1(make_kkt):
    kkt = make_kkt(register_fresh_fn=False)
    kkt.refused(c.BeginCloseFiscalModeRequest(SYSADMIN), 0x02)


def test_close_fiscal_mode_without_paper(kkt):
    kkt.register.paper_out()
    kkt.refused(c.CloseFiscalModeRequest(SYSADMIN), 0x6B)


def test_close_fiscal_mode_needs_sysadmin(kkt):
    kkt.refused(c.CloseFiscalModeRequest(29), 0x4F)


# FF63h.

def test_fn_memory(kkt):
    answer = kkt.raw(c.FnMemoryRequest(SYSADMIN))
    assert len(answer) == 11
    decoded = c.decode_answer(answer)
    assert decoded.documents_left == ARCHIVE_CAPACITY_DOCUMENTS - 4
    assert 0 < decoded.free_kilobytes < THIRTY_DAY_AREA_KB
    assert decoded.notification_fill is None


def test_fn_memory_counts_down(kkt):
    before = kkt.send(c.FnMemoryRequest(SYSADMIN)).documents_left
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert kkt.send(c.FnMemoryRequest(SYSADMIN)).documents_left == before - 1


def test_fn_memory_phase_1(make_kkt):
    kkt = make_kkt(register_fresh_fn=False)
    assert kkt.send(c.FnMemoryRequest(SYSADMIN)) == c.FnMemoryAnswer(ARCHIVE_CAPACITY_DOCUMENTS, THIRTY_DAY_AREA_KB)


def test_fn_memory_needs_sysadmin(kkt):
    kkt.refused(c.FnMemoryRequest(CASHIER), 0x4F)
