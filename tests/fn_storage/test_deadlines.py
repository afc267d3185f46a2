"""Deadlines and resources on the ФН timer: validity by profile, warning flags, archive places, the 30-day area.

Every boundary is tested one second (or one document, one byte) either side,
and every refusal must leave the archive file byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage import read_archive
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string, encode_vln
from kktemu.protocol.fn import documents, service
from kktemu.protocol.fn.codes import WARNING_BIT
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.service import FnWarning

START = dt.datetime(2024, 3, 1, 9, 0)
SALE = encode_tlv(1054, b"\x01") + encode_tlv(1020, encode_vln(10000)) + encode_tlv(1031, encode_vln(10000))
SECOND = dt.timedelta(seconds=1)
AREA = 2048  # a 30-day area of 2 KB: a close shift report with both counter sets takes over 1 KB
# Tag, length, the ФН block (1041, 1037, 1018, 1040, 1012, 1077) of a document.
DOCUMENT_OVERHEAD = 4 + (4 + 16) + (4 + 20) + (4 + 12) + (4 + 4) + (4 + 4) + (4 + 6)


def _refused(kkt, command, data, expected):
    before = kkt.fn.path.read_bytes()
    code, answer = kkt.fn.execute(command, data)
    assert code & ~WARNING_BIT == expected
    assert answer == b""
    assert kkt.fn.path.read_bytes() == before


def _flags(kkt) -> FnWarning:
    return FnWarning(kkt.status().warnings)


def _begin_receipt(kkt, data: bytes = SALE) -> None:
    """Begin a receipt and send ``data`` with one 07h per top-level TLV (a 07h carries at most 1024 bytes)."""
    kkt.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(kkt.clock()).encode())
    for tag, value in split_tlv(data):
        kkt.call(C.SEND_DOCUMENT_DATA, encode_tlv(tag, value))


def _form_receipt(kkt, total: int = 10000) -> bytes:
    return documents.FormReceiptRequest(kkt.clock(), 1, total).encode()


# Validity of the fiscal sign keys.

@pytest.mark.parametrize(("months", "expiry"), [
    (13, dt.date(2025, 4, 1)), (15, dt.date(2025, 6, 1)), (36, dt.date(2027, 3, 1)),
])
def test_expiry_date_follows_profile_months(make_kkt, months, expiry):
    kkt = make_kkt(FnProfile(validity_months=months, max_registrations=12))
    kkt.register()
    answer = service.ExpiryAnswer.decode(kkt.call(C.GET_EXPIRY))
    assert answer == service.ExpiryAnswer(expiry, 11, 1)


def test_expiry_counts_from_first_registration(make_kkt, clock):
    kkt = make_kkt(FnProfile(validity_months=13))
    clock.advance(days=10)
    kkt.register()
    clock.advance(days=40)
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x02")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv())
    request = documents.FormRegistrationRequest(clock(), kkt.INN, kkt.RNM, 1, 0, 4)
    kkt.call(C.FORM_REGISTRATION_REPORT, request.encode())
    assert service.ExpiryAnswer.decode(kkt.call(C.GET_EXPIRY)).valid_until == dt.date(2025, 4, 11)


def test_expiry_on_a_shorter_month_is_its_last_day(make_kkt, clock):
    clock.moment = dt.datetime(2024, 1, 31, 12, 0)
    kkt = make_kkt(FnProfile(validity_months=13))
    kkt.register()
    assert service.ExpiryAnswer.decode(kkt.call(C.GET_EXPIRY)).valid_until == dt.date(2025, 2, 28)


def test_registrations_left_counts_down(make_kkt):
    kkt = make_kkt(FnProfile(max_registrations=2))
    kkt.register()
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x02")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv())
    kkt.call(C.FORM_REGISTRATION_REPORT,
             documents.FormRegistrationRequest(kkt.clock(), kkt.INN, kkt.RNM, 1, 0, 3).encode())
    assert service.ExpiryAnswer.decode(kkt.call(C.GET_EXPIRY)) == service.ExpiryAnswer(dt.date(2027, 3, 1), 0, 2)
    _refused(kkt, C.BEGIN_REGISTRATION_REPORT, b"\x02", R.INVALID_STATE)


@pytest.mark.parametrize(("before_expiry", "flags"), [
    (dt.timedelta(days=30) + SECOND, FnWarning(0)),
    (dt.timedelta(days=30), FnWarning.CRYPTO_RESOURCE_ENDING),
    (dt.timedelta(days=3) + SECOND, FnWarning.CRYPTO_RESOURCE_ENDING),
    (dt.timedelta(days=3), FnWarning.CRYPTO_RESOURCE_ENDING | FnWarning.CRYPTO_REPLACE_URGENT),
    (SECOND, FnWarning.CRYPTO_RESOURCE_ENDING | FnWarning.CRYPTO_REPLACE_URGENT),
])
def test_validity_warning_flags(make_kkt, clock, before_expiry, flags):
    kkt = make_kkt(FnProfile(validity_months=13))
    kkt.register(work_mode=0x02)  # autonomous: no ОФД timeout flag in the way
    clock.moment = dt.datetime(2025, 4, 1, 9, 0) - before_expiry
    assert _flags(kkt) == flags
    code, _ = kkt.fn.execute(C.GET_SERIAL, b"")
    assert code == (WARNING_BIT if flags else R.OK)


def test_validity_flags_only_in_fiscal_mode(make_kkt, clock):
    kkt = make_kkt(FnProfile(validity_months=13))
    kkt.register(work_mode=0x02)
    kkt.close_fiscal_mode()
    clock.moment = dt.datetime(2025, 3, 31, 9, 0)
    assert _flags(kkt) == FnWarning(0)


def test_days_left_3bh(make_kkt):
    kkt = make_kkt(FnProfile(validity_months=36))
    kkt.call(C.GET_DAYS_LEFT, documents.DateTimeRequest(START).encode(), expect=R.INVALID_STATE)
    kkt.register()
    for moment, days in [(START, 1095), (dt.datetime(2027, 2, 28, 23, 59), 1), (dt.datetime(2027, 3, 1, 8, 0), 0),
                         (dt.datetime(2027, 3, 2, 0, 0), 0)]:
        answer = service.DaysLeftAnswer.decode(kkt.call(C.GET_DAYS_LEFT, documents.DateTimeRequest(moment).encode()))
        assert answer.days == days, moment
    kkt.call(C.GET_DAYS_LEFT, b"", expect=R.UNKNOWN_COMMAND)


def test_expired_fn_forms_only_closing_documents(make_kkt, clock):
    kkt = make_kkt(FnProfile(validity_months=13))
    kkt.register(work_mode=0x02)
    expiry = dt.datetime(2025, 4, 1, 9, 0)
    clock.moment = expiry - SECOND
    kkt.open_shift()
    _begin_receipt(kkt)
    kkt.call(C.FORM_RECEIPT, _form_receipt(kkt))
    _begin_receipt(kkt)
    clock.moment = expiry
    _refused(kkt, C.FORM_RECEIPT, _form_receipt(kkt), R.CRYPTO_RESOURCE_EXHAUSTED)
    kkt.call(C.CANCEL_DOCUMENT)
    kkt.close_shift()
    kkt.call(C.BEGIN_OPEN_SHIFT, documents.BeginOpenShiftRequest(clock()).encode())
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.text(1021, "Иванова А."))
    _refused(kkt, C.OPEN_SHIFT, b"", R.LIFETIME_ENDED)
    kkt.call(C.CANCEL_DOCUMENT)
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(clock()).encode())
    kkt.call(C.FORM_SETTLEMENT_REPORT)
    kkt.close_fiscal_mode()
    assert kkt.status().phase == service.FnPhase.ARCHIVE_READ_ONLY


def test_expired_fn_refuses_reregistration(make_kkt, clock):
    kkt = make_kkt(FnProfile(validity_months=13))
    kkt.register()
    clock.moment = dt.datetime(2025, 4, 1, 9, 0)
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x02")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv())
    request = documents.FormRegistrationRequest(clock(), kkt.INN, kkt.RNM, 1, 0, 4)
    _refused(kkt, C.FORM_REGISTRATION_REPORT, request.encode(), R.LIFETIME_ENDED)


# ОФД timeout (flag b3) and the warning bit of answers.

def test_ofd_timeout_flag_after_profile_timeout(registered, clock):
    clock.moment = START + dt.timedelta(days=2)
    assert _flags(registered) == FnWarning(0)
    assert registered.fn.execute(C.GET_SERIAL, b"")[0] == R.OK
    clock.moment += SECOND
    assert _flags(registered) == FnWarning.OFD_TIMEOUT
    assert registered.fn.execute(C.GET_SERIAL, b"")[0] == WARNING_BIT | R.OK
    # Refusals carry the bit too.
    assert registered.fn.execute(C.OPEN_SHIFT, b"")[0] == WARNING_BIT | R.INVALID_STATE
    registered.fn._state.mark_ticket(1)
    assert _flags(registered) == FnWarning(0)


def test_ofd_timeout_follows_profile(make_kkt, clock):
    kkt = make_kkt(FnProfile(ofd_timeout=dt.timedelta(hours=1)))
    kkt.register()
    clock.advance(hours=1)
    assert _flags(kkt) == FnWarning(0)
    clock.advance(seconds=1)
    assert _flags(kkt) == FnWarning.OFD_TIMEOUT


def test_no_ofd_timeout_in_autonomous_mode(kkt, clock):
    kkt.register(work_mode=0x02)
    clock.advance(days=20)
    assert _flags(kkt) == FnWarning(0)


def test_ofd_timeout_in_post_fiscal_mode(registered, clock):
    registered.close_fiscal_mode()
    clock.advance(days=3)
    assert _flags(registered) == FnWarning.OFD_TIMEOUT


# Archive places.

def _fill_shift(kkt, receipts: int) -> None:
    kkt.open_shift()
    for _ in range(receipts):
        _begin_receipt(kkt)
        kkt.call(C.FORM_RECEIPT, _form_receipt(kkt))


def test_archive_keeps_places_for_closing_documents(make_kkt):
    kkt = make_kkt(FnProfile(archive_capacity=10))
    kkt.register(work_mode=0x02)
    _fill_shift(kkt, receipts=6)  # documents 2..8: the 8th leaves exactly two places
    assert kkt.status().last_fd_number == 8
    assert _flags(kkt) == FnWarning(0)
    _begin_receipt(kkt)
    _refused(kkt, C.FORM_RECEIPT, _form_receipt(kkt), R.ARCHIVE_FULL)
    kkt.call(C.CANCEL_DOCUMENT)
    kkt.close_shift()
    assert _flags(kkt) == FnWarning.MEMORY_90_PERCENT
    kkt.call(C.BEGIN_OPEN_SHIFT, documents.BeginOpenShiftRequest(kkt.clock()).encode())
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.text(1021, "Иванова А."))
    _refused(kkt, C.OPEN_SHIFT, b"", R.ARCHIVE_FULL)
    kkt.call(C.CANCEL_DOCUMENT)
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(kkt.clock()).encode())
    _refused(kkt, C.FORM_SETTLEMENT_REPORT, b"", R.ARCHIVE_FULL)
    kkt.call(C.CANCEL_DOCUMENT)
    kkt.close_fiscal_mode()
    assert kkt.status().last_fd_number == 10
    assert service.FreeMemoryAnswer.decode(kkt.call(C.GET_FREE_MEMORY)).documents_left == 0


def test_post_fiscal_settlement_report_takes_the_last_place(make_kkt):
    kkt = make_kkt(FnProfile(archive_capacity=4))
    kkt.register()
    kkt.close_fiscal_mode()
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(kkt.clock()).encode())
    kkt.call(C.FORM_SETTLEMENT_REPORT)
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(kkt.clock()).encode())
    kkt.call(C.FORM_SETTLEMENT_REPORT)
    assert kkt.status().last_fd_number == 4
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(kkt.clock()).encode())
    _refused(kkt, C.FORM_SETTLEMENT_REPORT, b"", R.ARCHIVE_FULL)


def test_memory_warning_at_90_percent(make_kkt):
    kkt = make_kkt(FnProfile(archive_capacity=20))
    kkt.register(work_mode=0x02)
    _fill_shift(kkt, receipts=15)  # 17 documents, below 18 = 90 %
    assert _flags(kkt) == FnWarning(0)
    _begin_receipt(kkt)
    kkt.call(C.FORM_RECEIPT, _form_receipt(kkt))
    assert kkt.status().last_fd_number == 18
    assert _flags(kkt) == FnWarning.MEMORY_90_PERCENT


# The 30-day area and 14h.

def _padded_sale(size: int) -> bytes:
    """Return receipt data that make a document of exactly ``size`` bytes, padded with TLVs of tag 60000.

    The dictionary lacks tag 60000, so no maximum length limits the padding.
    """
    data = SALE
    padding = size - DOCUMENT_OVERHEAD - len(SALE)
    while padding:
        length = min(padding - 4, 900)
        if 0 < padding - 4 - length < 4:
            length -= 4  # keep room for one more whole TLV
        data += encode_tlv(60000, encode_string("x" * length))
        padding -= 4 + length
    return data


def _area_used(kkt) -> int:
    return sum(len(document.stlv) for document in read_archive(kkt.fn.path).documents)


def test_thirty_day_area_full_is_14h(make_kkt):
    kkt = make_kkt(FnProfile(thirty_day_area_kb=2, strict_control=False))
    kkt.register()
    kkt.open_shift()
    room = AREA - _area_used(kkt)
    _begin_receipt(kkt, _padded_sale(room + 1))
    _refused(kkt, C.FORM_RECEIPT, _form_receipt(kkt), R.STORAGE_EXHAUSTED)
    kkt.call(C.CANCEL_DOCUMENT)
    _begin_receipt(kkt, _padded_sale(room))
    kkt.call(C.FORM_RECEIPT, _form_receipt(kkt))
    assert _area_used(kkt) == AREA
    assert service.FreeMemoryAnswer.decode(kkt.call(C.GET_FREE_MEMORY)).ofd_area_free_kb == 0
    kkt.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(kkt.clock()).encode())
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.text(1021, "Иванова А."))
    _refused(kkt, C.CLOSE_SHIFT, b"", R.STORAGE_EXHAUSTED)


def test_thirty_day_area_frees_after_30_days(make_kkt, clock):
    kkt = make_kkt(FnProfile(thirty_day_area_kb=2, strict_control=False))
    kkt.register()
    kkt.open_shift()
    _begin_receipt(kkt, _padded_sale(AREA - _area_used(kkt)))
    kkt.call(C.FORM_RECEIPT, _form_receipt(kkt))
    clock.advance(hours=23)
    kkt.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(kkt.clock()).encode())
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.text(1021, "Иванова А."))
    _refused(kkt, C.CLOSE_SHIFT, b"", R.STORAGE_EXHAUSTED)
    clock.moment = START + dt.timedelta(days=30, seconds=1)
    for number in (1, 2, 3):  # квитанции, or the 30-day rule (15h) would refuse the report first
        kkt.fn._state.mark_ticket(number)
    kkt.call(C.CLOSE_SHIFT, b"")


def test_thirty_day_area_not_checked_in_autonomous_mode(make_kkt):
    kkt = make_kkt(FnProfile(thirty_day_area_kb=2, strict_control=False))
    kkt.register(work_mode=0x02)
    kkt.open_shift()
    _begin_receipt(kkt, _padded_sale(AREA + 100))
    kkt.call(C.FORM_RECEIPT, _form_receipt(kkt))
    assert _area_used(kkt) > AREA


# The 5-minute rule against the ФН timer, one second either side.

def test_time_difference_boundary_in_seconds(in_shift, clock):
    kkt_time = clock()
    clock.advance(minutes=5)
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(kkt_time).encode())
    in_shift.call(C.CANCEL_DOCUMENT)
    clock.advance(seconds=1)
    _refused(in_shift, C.BEGIN_RECEIPT, documents.BeginReceiptRequest(kkt_time).encode(), R.TIME_DIFFERENCE)
