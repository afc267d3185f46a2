"""Every document form the ФН forms: 1, 11, 2, 5, 3, 31, 4, 41, 21 and 6, in ФФД 1.05 and 1.2.

Forms 81..84 belong to the marking commands of ФН-М, which kktemu's ФН does
not support: those commands answer 01h.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage import read_archive
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_uint, decode_unixtime, encode_string, encode_uint32, encode_unixtime
from kktemu.protocol.fn import archive, documents
from kktemu.protocol.fn.codes import WARNING_BIT
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R

SALE = encode_tlv(1054, b"\x01") + encode_tlv(1020, b"\x10\x27") + encode_tlv(1031, b"\x10\x27")
CASHIER = encode_tlv(1021, encode_string("Иванова А."))


def _refused(kkt, command, data, expected):
    before = kkt.fn.path.read_bytes()
    code, answer = kkt.fn.execute(command, data)
    assert (code & ~WARNING_BIT, answer) == (expected, b"")
    assert kkt.fn.path.read_bytes() == before


def _document(kkt, fd_number: int):
    return read_archive(kkt.fn.path).documents[fd_number - 1]


def _items(kkt, fd_number: int) -> list[tuple[int, bytes]]:
    return split_tlv(_document(kkt, fd_number).tlv)


def _values(kkt, fd_number: int) -> dict[int, bytes]:
    return dict(_items(kkt, fd_number))


def _record(kkt, fd_number: int) -> archive.FindDocumentAnswer:
    return archive.FindDocumentAnswer.decode(kkt.call(C.FIND_DOCUMENT, archive.FdNumberRequest(fd_number).encode()))


def _reregister(kkt, reason: int, extra: bytes = b"", ffd_version: int = 4) -> documents.FiscalDocumentAnswer:
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x02")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv(ffd_version) + extra)
    request = documents.FormRegistrationRequest(kkt.clock(), kkt.INN, kkt.RNM, 1, 0, reason)
    return documents.FiscalDocumentAnswer.decode(kkt.call(C.FORM_REGISTRATION_REPORT, request.encode()))


# Registration (1) and re-registration (11).

@pytest.mark.parametrize("ffd_version", [2, 4])
def test_registration_form_1(kkt, ffd_version):
    kkt.register(ffd_version=ffd_version, taxation=0x3F, work_mode=0x21)
    record = _record(kkt, 1)
    assert record.document_type == 1
    assert (record.record.taxation, record.record.work_mode) == (0x3F, 0x21)
    assert _values(kkt, 1)[1209] == bytes((ffd_version,))
    assert kkt.status().phase == 3


def test_registration_bad_inn_check_digits_is_09h(kkt):
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv())
    for inn in ("7702203277", "770220327", "262901602792"):
        request = documents.FormRegistrationRequest(kkt.clock(), inn, kkt.RNM, 1, 0)
        _refused(kkt, C.FORM_REGISTRATION_REPORT, request.encode(), R.INVALID_PARAMETER)


def test_replacement_fn_registration_is_form_11_number_1(kkt):
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x01")
    assert kkt.status().current_document == 0x12
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv(2) + encode_tlv(1101, b"\x01"))
    request = documents.FormRegistrationRequest(kkt.clock(), kkt.INN, kkt.RNM, 1, 0)
    answer = documents.FiscalDocumentAnswer.decode(kkt.call(C.FORM_REGISTRATION_REPORT, request.encode()))
    assert answer.fd_number == 1
    record = _record(kkt, 1)
    assert (record.document_type, record.record.reason) == (11, 1)
    assert kkt.status().phase == 3
    assert _values(kkt, 1)[1101] == b"\x01"


def test_replacement_fn_registration_needs_phase_1(registered):
    _refused(registered, C.BEGIN_REGISTRATION_REPORT, b"\x01", R.INVALID_STATE)


def test_reregistration_105_carries_1101(registered):
    answer = _reregister(registered, 2, encode_tlv(1101, b"\x02"), ffd_version=2)
    record = _record(registered, answer.fd_number)
    assert (record.document_type, record.record.reason) == (11, 2)
    assert _values(registered, answer.fd_number)[1101] == b"\x02"


def test_reregistration_12_carries_1205_bitmask(registered):
    answer = _reregister(registered, 4, encode_tlv(1205, encode_uint32(0b1001)))
    assert _values(registered, answer.fd_number)[1205] == (9).to_bytes(4, "little")
    result = archive.FiscalizationResultAnswer.decode(registered.call(C.GET_FISCALIZATION_RESULT, b"\x02"))
    assert (result.reason, result.fd_number) == (4, 2)


@pytest.mark.parametrize("reason", [0, 5, 0xFF])
def test_reregistration_reason_outside_1_to_4_is_09h(registered, reason):
    registered.call(C.BEGIN_REGISTRATION_REPORT, b"\x02")
    registered.call(C.SEND_DOCUMENT_DATA, registered.registration_tlv())
    request = documents.FormRegistrationRequest(registered.clock(), registered.INN, registered.RNM, 1, 0, reason)
    _refused(registered, C.FORM_REGISTRATION_REPORT, request.encode(), R.INVALID_PARAMETER)


def test_reregistration_changes_parameters_for_later_documents(registered):
    _reregister(registered, 3)
    registered.call(C.BEGIN_REGISTRATION_REPORT, b"\x02")
    registered.call(C.SEND_DOCUMENT_DATA, registered.registration_tlv())
    request = documents.FormRegistrationRequest(registered.clock(), registered.INN, registered.RNM, 4, 0x10, 4)
    registered.call(C.FORM_REGISTRATION_REPORT, request.encode())
    registered.open_shift()
    registered.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(registered.clock()).encode())
    assert registered.status().current_document == 0x11  # БСО after switching to the БСО mode


# Open and close shift (2, 5).

def test_shift_reports_count_documents_and_receipts(in_shift):
    in_shift.receipt(SALE, total=10000)
    in_shift.receipt(SALE, total=10000, correction=True)
    answer = in_shift.close_shift()
    values = _values(in_shift, answer.fd_number)
    assert decode_uint(values[1111], 4) == 4  # open shift, receipt, correction, close shift
    assert decode_uint(values[1118], 4) == 2
    assert decode_uint(values[1097], 4) == 4  # every document before the close shift report
    assert decode_unixtime(values[1098]) == _document(in_shift, 1).moment
    assert _record(in_shift, 2).record.shift_number == 1
    assert _record(in_shift, answer.fd_number).record.shift_number == 1


def test_close_shift_flags_1053_after_ofd_timeout(in_shift, clock):
    clock.advance(hours=23)
    answer = in_shift.close_shift()
    assert 1053 not in _values(in_shift, answer.fd_number)
    clock.advance(hours=25, seconds=1)  # the registration has waited two days and a second
    in_shift.open_shift()
    answer = in_shift.close_shift()
    values = _values(in_shift, answer.fd_number)
    assert values[1053] == b"\x01"
    assert not {1050, 1051, 1052} & set(values)


def test_close_shift_does_not_repeat_flags_sent_by_kkt(in_shift, clock):
    clock.advance(days=2, seconds=1)
    in_shift.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, CASHIER + encode_tlv(1053, b"\x01"))
    answer = documents.ShiftDocumentAnswer.decode(in_shift.call(C.CLOSE_SHIFT))
    assert [tag for tag, _ in _items(in_shift, answer.fd_number)].count(1053) == 1


@pytest.mark.parametrize(("left", "flags"), [
    (dt.timedelta(days=30, seconds=1), set()),
    (dt.timedelta(days=30), {1050}),
    (dt.timedelta(days=3), {1050, 1051}),
])
def test_close_shift_validity_flags(make_kkt, clock, left, flags):
    kkt = make_kkt(FnProfile(validity_months=13))
    kkt.register(work_mode=0x02)
    clock.moment = dt.datetime(2025, 4, 1, 9, 0) - left - dt.timedelta(hours=1)
    kkt.open_shift()
    clock.advance(hours=1)
    answer = kkt.close_shift()
    values = _values(kkt, answer.fd_number)
    assert {tag for tag in (1050, 1051, 1052, 1053) if tag in values} == flags


@pytest.mark.parametrize(("receipts", "flagged"), [(295, False), (296, True)])
def test_close_shift_flag_1052_over_99_percent(make_kkt, receipts, flagged):
    # Capacity 300: more than 99 % is 298 documents, the most that still leave the two closing places.
    kkt = make_kkt(FnProfile(archive_capacity=300))
    kkt.register(work_mode=0x02)
    kkt.open_shift()
    for _ in range(receipts):
        kkt.receipt(SALE, total=10000)
    answer = kkt.close_shift()
    assert answer.fd_number == receipts + 3
    assert (1052 in _values(kkt, answer.fd_number)) is flagged


# Receipts and corrections (3, 31), БСО (4, 41).

def test_receipt_form_3(in_shift):
    answer = in_shift.receipt(SALE, total=10000)
    record = _record(in_shift, answer.fd_number)
    assert (record.document_type, record.record.operation, record.record.total) == (3, 1, 10000)


def test_correction_105_with_1173_and_1174(kkt):
    kkt.register(ffd_version=2)
    kkt.open_shift()
    basis = encode_tlv(1174, encode_tlv(1177, encode_string("Предписание"))
                       + encode_tlv(1178, encode_unixtime(dt.datetime(2024, 2, 20)))
                       + encode_tlv(1179, encode_string("12-П")))
    data = encode_tlv(1173, b"\x01") + basis + SALE
    answer = kkt.receipt(data, operation=1, total=10000, correction=True)
    record = _record(kkt, answer.fd_number)
    assert (record.document_type, record.record.operation) == (31, 1)
    values = _values(kkt, answer.fd_number)
    assert (values[1173], encode_tlv(1174, values[1174])) == (b"\x01", basis)


def test_correction_12_refund_operations(in_shift):
    basis = encode_tlv(1174, encode_tlv(1178, encode_unixtime(dt.datetime(2024, 2, 20)))
                       + encode_tlv(1179, encode_string("12-П")))
    refund = encode_tlv(1054, b"\x02") + encode_tlv(1020, b"\x10\x27") + encode_tlv(1031, b"\x10\x27")
    answer = in_shift.receipt(encode_tlv(1173, b"\x00") + basis + refund, operation=2, total=10000, correction=True)
    assert _record(in_shift, answer.fd_number).document_type == 31
    closed = in_shift.close_shift()
    counters = dict(split_tlv(_values(in_shift, closed.fd_number)[1194]))
    corrections = dict(split_tlv(counters[1133]))
    assert decode_uint(corrections[1144], 4) == 1
    assert decode_uint(dict(split_tlv(corrections[1232]))[1135], 4) == 1


@pytest.mark.parametrize(("correction", "form", "current"), [(False, 4, 0x11), (True, 41, 0x15)])
def test_bso_mode_forms_4_and_41(kkt, correction, form, current):
    kkt.register(work_mode=0x10)
    kkt.open_shift()
    begin = C.BEGIN_CORRECTION_RECEIPT if correction else C.BEGIN_RECEIPT
    kkt.call(begin, documents.BeginReceiptRequest(kkt.clock()).encode())
    assert kkt.status().current_document == current
    kkt.call(C.SEND_DOCUMENT_DATA, SALE)
    answer = documents.ReceiptAnswer.decode(
        kkt.call(C.FORM_RECEIPT, documents.FormReceiptRequest(kkt.clock(), 1, 10000).encode()))
    assert _record(kkt, answer.fd_number).document_type == form


# Report on the state of settlements (21).

def test_settlement_report_12_has_fn_and_unsent_counters(in_shift):
    in_shift.receipt(SALE, total=10000)
    in_shift.receipt(SALE, total=10000)
    in_shift.fn._state.mark_ticket(3)  # the ОФД confirmed the first receipt
    in_shift.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(in_shift.clock()).encode())
    answer = documents.SettlementReportAnswer.decode(in_shift.call(C.FORM_SETTLEMENT_REPORT))
    values = _values(in_shift, answer.fd_number)
    fn_counters = dict(split_tlv(values[1157]))
    unsent = dict(split_tlv(values[1158]))
    assert decode_uint(fn_counters[1134], 4) == 2
    assert decode_uint(unsent[1134], 4) == 1
    assert decode_uint(values[1097], 4) == 3
    assert decode_uint(values[1116], 4) == 1


def test_settlement_report_105_has_no_counters(kkt):
    kkt.register(ffd_version=2)
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(kkt.clock()).encode())
    answer = documents.SettlementReportAnswer.decode(kkt.call(C.FORM_SETTLEMENT_REPORT))
    assert not {1157, 1158} & set(_values(kkt, answer.fd_number))


def test_settlement_report_autonomous_has_no_unsent_data(kkt):
    kkt.register(work_mode=0x02)
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(kkt.clock()).encode())
    answer = documents.SettlementReportAnswer.decode(kkt.call(C.FORM_SETTLEMENT_REPORT))
    values = _values(kkt, answer.fd_number)
    assert 1157 in values
    assert not {1097, 1098, 1116, 1158} & set(values)


def test_settlement_report_refuses_fn_counters_from_kkt(registered):
    registered.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(registered.clock()).encode())
    _refused(registered, C.SEND_DOCUMENT_DATA, encode_tlv(1158, b""), R.DUPLICATE_DATA)


# Closing the fiscal mode (6).

def test_close_fiscal_mode_form_6(registered):
    answer = registered.close_fiscal_mode()
    record = _record(registered, answer.fd_number)
    assert record.document_type == 6
    assert (record.record.inn, record.record.rnm) == (registered.INN, registered.RNM)


def test_close_fiscal_mode_needs_closed_shift(in_shift):
    _refused(in_shift, C.BEGIN_CLOSE_FISCAL_MODE, b"", R.INVALID_STATE)


# Forms 81..84: the marking commands of ФН-М.

@pytest.mark.parametrize("command", [0xB0, 0xB1, 0xB2, 0xB3, 0xB5, 0xB6, 0xB7])
def test_marking_commands_are_not_supported(in_shift, command):
    _refused(in_shift, command, b"\x01", R.UNKNOWN_COMMAND)


# Profile switches: items per receipt (0Eh) and closing only when every document is confirmed.

def _item(name: str) -> bytes:
    return encode_tlv(1059, encode_tlv(1030, encode_string(name)) + encode_tlv(1043, b"\x10\x27"))


def test_items_over_profile_limit_are_0eh(make_kkt):
    kkt = make_kkt(FnProfile(max_items=2, strict_control=False))
    kkt.register()
    kkt.open_shift()
    kkt.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(kkt.clock()).encode())
    _refused(kkt, C.SEND_DOCUMENT_DATA, _item("А") + _item("Б") + _item("В"), R.TOO_MANY_ITEMS)
    kkt.call(C.SEND_DOCUMENT_DATA, _item("А") + SALE)
    kkt.call(C.SEND_DOCUMENT_DATA, _item("Б"))
    _refused(kkt, C.SEND_DOCUMENT_DATA, _item("В"), R.TOO_MANY_ITEMS)
    answer = documents.ReceiptAnswer.decode(
        kkt.call(C.FORM_RECEIPT, documents.FormReceiptRequest(kkt.clock(), 1, 10000).encode()))
    assert [tag for tag, _ in _items(kkt, answer.fd_number)].count(1059) == 2


def test_items_unlimited_by_default(in_shift):
    answer = in_shift.receipt(b"".join(_item(str(number)) for number in range(40)) + SALE, total=10000)
    assert [tag for tag, _ in _items(in_shift, answer.fd_number)].count(1059) == 40


def test_close_requires_confirmed_documents(make_kkt):
    kkt = make_kkt(FnProfile(close_requires_confirmed=True))
    kkt.register()
    _refused(kkt, C.BEGIN_CLOSE_FISCAL_MODE, b"", R.INVALID_STATE)
    kkt.fn._state.mark_ticket(1)
    kkt.close_fiscal_mode()
    assert kkt.status().phase == 7


def test_close_requires_confirmed_ignores_autonomous_mode(make_kkt):
    kkt = make_kkt(FnProfile(close_requires_confirmed=True))
    kkt.register(work_mode=0x02)
    kkt.close_fiscal_mode()
    assert kkt.status().phase == 15
