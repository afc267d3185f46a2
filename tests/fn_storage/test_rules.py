"""ФН rules: every refusal answers the device's code and leaves the archive as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage import ArchiveError, FiscalStorage, InvalidArgumentError, read_archive
from kktemu.fn_storage.identifiers import make_rnm
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_uint
from kktemu.protocol.fn import archive, documents, service
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R

SALE = encode_tlv(1054, b"\x01") + encode_tlv(1020, b"\x10\x27") + encode_tlv(1031, b"\x10\x27")


def _request(cls, moment, *args) -> bytes:
    return cls(moment, *args).encode()


def _refused(kkt, archive_path, command, data, expected):
    before = archive_path.read_bytes()
    result, answer = kkt.fn.execute(command, data)
    assert result == expected
    assert answer == b""
    assert archive_path.read_bytes() == before


def _status(kkt) -> service.StatusAnswer:
    return service.StatusAnswer.decode(kkt.call(C.GET_STATUS))


# Phase 1: before registration.

def test_new_fn_status(kkt):
    status = _status(kkt)
    assert status.phase == service.FnPhase.READY_FOR_FISCALIZATION
    assert status.last_fd_number == 0
    assert status.last_document_time is None


@pytest.mark.parametrize(
    "command",
    [C.BEGIN_OPEN_SHIFT, C.BEGIN_RECEIPT, C.BEGIN_CLOSE_SHIFT, C.BEGIN_CLOSE_FISCAL_MODE],
)
def test_documents_need_fiscal_mode(kkt, archive_path, command):
    data = b"" if command == C.BEGIN_CLOSE_FISCAL_MODE else documents.DateTimeRequest(kkt.clock()).encode()
    _refused(kkt, archive_path, command, data, R.INVALID_STATE)


@pytest.mark.parametrize("command", [C.FIND_DOCUMENT, C.REQUEST_DOCUMENT_TLV])
def test_archive_reads_before_registration(kkt, archive_path, command):
    _refused(kkt, archive_path, command, archive.FdNumberRequest(1).encode(), R.INVALID_STATE)


def test_shift_parameters_need_fiscal_mode(kkt, archive_path):
    _refused(kkt, archive_path, C.GET_SHIFT_PARAMETERS, b"", R.INVALID_STATE)


def test_registration_rejects_bad_rnm(kkt, archive_path):
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv())
    rnm = "0000000005000000"
    request = documents.FormRegistrationRequest(kkt.clock(), "7702203276", rnm, 1, 0)
    _refused(kkt, archive_path, C.FORM_REGISTRATION_REPORT, request.encode(), R.INVALID_PARAMETER)
    assert _status(kkt).current_document == service.CurrentDocument.REGISTRATION


def test_registration_needs_kkt_serial(kkt, archive_path):
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
    kkt.call(C.SEND_DOCUMENT_DATA, encode_tlv(1209, b"\x04"))
    request = documents.FormRegistrationRequest(kkt.clock(), "7702203276", make_rnm(5, "7702203276", "1"), 1, 0)
    _refused(kkt, archive_path, C.FORM_REGISTRATION_REPORT, request.encode(), R.INVALID_PARAMETER)


def test_registration_needs_document_data(kkt, archive_path):
    kkt.call(C.BEGIN_REGISTRATION_REPORT)
    request = documents.FormRegistrationRequest(kkt.clock(), "7702203276", "0000000005008570", 1, 0)
    _refused(kkt, archive_path, C.FORM_REGISTRATION_REPORT, request.encode(), R.INVALID_STATE)


def test_registration_rejects_unknown_ffd_version(kkt, archive_path):
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv(ffd_version=1))
    request = documents.FormRegistrationRequest(kkt.clock(), "7702203276", kkt.RNM, 1, 0)
    _refused(kkt, archive_path, C.FORM_REGISTRATION_REPORT, request.encode(), R.INVALID_TAG)


@pytest.mark.parametrize("taxation", [0, 0x40])
def test_registration_rejects_bad_taxation(kkt, archive_path, taxation):
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv())
    request = documents.FormRegistrationRequest(kkt.clock(), "7702203276", kkt.RNM, taxation, 0)
    _refused(kkt, archive_path, C.FORM_REGISTRATION_REPORT, request.encode(), R.INVALID_PARAMETER)


def test_registration_reason_only_for_type_2(kkt, archive_path):
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv())
    request = documents.FormRegistrationRequest(kkt.clock(), "7702203276", kkt.RNM, 1, 0, 4)
    _refused(kkt, archive_path, C.FORM_REGISTRATION_REPORT, request.encode(), R.UNKNOWN_COMMAND)


def test_registration_unknown_report_type(kkt, archive_path):
    _refused(kkt, archive_path, C.BEGIN_REGISTRATION_REPORT, b"\x03", R.UNKNOWN_COMMAND)


def test_registration_answer_and_record(registered, archive_path):
    answer = archive.FindDocumentAnswer.decode(registered.call(C.FIND_DOCUMENT, archive.FdNumberRequest(1).encode()))
    assert answer.document_type == 1
    assert answer.record.inn == "7702203276"
    assert answer.record.rnm == registered.RNM
    assert answer.record.taxation == 1
    assert _status(registered).phase == service.FnPhase.FISCAL_MODE


# Malformed requests and unsupported commands.

@pytest.mark.parametrize(
    ("command", "data"),
    [
        (C.GET_STATUS, b"\x00"),
        (C.BEGIN_OPEN_SHIFT, b"\x18\x03\x01\x09"),
        (C.BEGIN_OPEN_SHIFT, b"\x18\x0d\x01\x09\x00"),
        (C.FORM_RECEIPT, b"\x18\x03\x01\x09\x00\x01"),
        (0x99, b""),
        (C.SET_TRANSPORT_STATUS, b"\x02"),
        (C.RESET_STATE, b"\x17"),
        (C.SEND_DOCUMENT_DATA, bytes(1025)),
    ],
    ids=["status-with-data", "short-date", "month-13", "short-16h", "unknown", "transport-state-2", "reset-unknown-code", "oversize"],
)
def test_malformed_or_unsupported_is_01h(in_shift, archive_path, command, data):
    _refused(in_shift, archive_path, command, data, R.UNKNOWN_COMMAND)


def test_document_data_with_split_tlv(in_shift, archive_path):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    _refused(in_shift, archive_path, C.SEND_DOCUMENT_DATA, encode_tlv(1021, b"abc")[:-1], R.UNKNOWN_COMMAND)


def test_document_data_without_open_document(registered, archive_path):
    _refused(registered, archive_path, C.SEND_DOCUMENT_DATA, encode_tlv(1021, b"abc"), R.INVALID_STATE)


@pytest.mark.parametrize("tag", [1040, 1041, 1077, 1012, 1018, 1037])
def test_document_data_with_fn_tags(in_shift, archive_path, tag):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    _refused(in_shift, archive_path, C.SEND_DOCUMENT_DATA, encode_tlv(tag, bytes(4)), R.DUPLICATE_DATA)


def test_close_shift_data_with_counters(in_shift, archive_path):
    in_shift.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(in_shift.clock()).encode())
    _refused(in_shift, archive_path, C.SEND_DOCUMENT_DATA, encode_tlv(1194, b""), R.DUPLICATE_DATA)


def test_document_budget(in_shift, archive_path):
    in_shift.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(in_shift.clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, encode_tlv(1084, bytes(1000)))
    _refused(in_shift, archive_path, C.SEND_DOCUMENT_DATA, encode_tlv(1084, bytes(17)), R.TLV_TOO_LARGE)
    in_shift.call(C.SEND_DOCUMENT_DATA, encode_tlv(1084, bytes(16)))


def test_receipt_budget_is_30_kb(in_shift):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    chunk = encode_tlv(1059, bytes(1020))
    for _ in range(30):
        in_shift.call(C.SEND_DOCUMENT_DATA, chunk)
    in_shift.call(C.SEND_DOCUMENT_DATA, encode_tlv(1192, b"1"), expect=R.TLV_TOO_LARGE)


# Shifts and receipts.

def test_receipt_needs_open_shift(registered, archive_path):
    _refused(registered, archive_path, C.BEGIN_RECEIPT, _request(documents.BeginReceiptRequest, registered.clock()),
             R.INVALID_STATE)


def test_open_shift_twice(in_shift, archive_path):
    _refused(in_shift, archive_path, C.BEGIN_OPEN_SHIFT, _request(documents.BeginOpenShiftRequest, in_shift.clock()),
             R.INVALID_STATE)


def test_begin_while_document_open(in_shift, archive_path):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    _refused(in_shift, archive_path, C.BEGIN_CLOSE_SHIFT,
             _request(documents.BeginCloseShiftRequest, in_shift.clock()), R.INVALID_STATE)


def test_form_without_data(in_shift, archive_path):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    request = documents.FormReceiptRequest(in_shift.clock(), 1, 10000)
    _refused(in_shift, archive_path, C.FORM_RECEIPT, request.encode(), R.INVALID_STATE)


def test_form_wrong_document(in_shift, archive_path):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, SALE)
    _refused(in_shift, archive_path, C.CLOSE_SHIFT, b"", R.INVALID_STATE)


def test_receipt_earlier_than_last_document(in_shift, archive_path):
    earlier = in_shift.clock() - dt.timedelta(minutes=1)
    _refused(in_shift, archive_path, C.BEGIN_RECEIPT, _request(documents.BeginReceiptRequest, earlier),
             R.INVALID_DATE_TIME)


def test_open_shift_may_be_an_hour_early(registered, archive_path):
    early = registered.clock() - dt.timedelta(minutes=61)
    _refused(registered, archive_path, C.BEGIN_OPEN_SHIFT, _request(documents.BeginOpenShiftRequest, early),
             R.INVALID_DATE_TIME)
    registered.call(C.BEGIN_OPEN_SHIFT, _request(documents.BeginOpenShiftRequest, early + dt.timedelta(minutes=1)))


def test_shift_over_24_hours(in_shift, archive_path):
    in_shift.clock.advance(hours=24)
    in_shift.receipt(SALE, total=10000)
    in_shift.clock.advance(minutes=1)
    _refused(in_shift, archive_path, C.BEGIN_RECEIPT, _request(documents.BeginReceiptRequest, in_shift.clock()),
             R.SHIFT_OVER_24_HOURS)
    in_shift.close_shift()
    in_shift.open_shift()
    in_shift.receipt(SALE, total=10000)


def test_time_difference_with_fn_timer(in_shift, archive_path):
    in_shift.clock.advance(minutes=10)
    kkt_time = in_shift.clock() - dt.timedelta(minutes=6)
    _refused(in_shift, archive_path, C.BEGIN_RECEIPT, _request(documents.BeginReceiptRequest, kkt_time),
             R.TIME_DIFFERENCE)
    in_shift.call(C.BEGIN_RECEIPT, _request(documents.BeginReceiptRequest, kkt_time + dt.timedelta(minutes=2)))


def test_time_difference_at_correction_begin(in_shift, archive_path):
    in_shift.clock.advance(minutes=10)
    kkt_time = in_shift.clock() - dt.timedelta(minutes=6)
    _refused(in_shift, archive_path, C.BEGIN_CORRECTION_RECEIPT,
             _request(documents.BeginCorrectionReceiptRequest, kkt_time), R.TIME_DIFFERENCE)


def test_time_difference_not_checked_at_shift_reports(in_shift):
    # The interface description lists result 17h for 15h and 17h only; 11h and 13h list
    # 07h (not earlier than the last document) and nothing against the ФН timer.
    in_shift.clock.advance(minutes=10)
    kkt_time = in_shift.clock() + dt.timedelta(days=30)
    in_shift.call(C.BEGIN_CLOSE_SHIFT, _request(documents.BeginCloseShiftRequest, kkt_time))


def test_form_receipt_time_window(in_shift, archive_path):
    start = in_shift.clock()
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(start).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, SALE)
    for moment in (start - dt.timedelta(minutes=1), start + dt.timedelta(hours=24, minutes=1)):
        request = documents.FormReceiptRequest(moment, 1, 10000)
        _refused(in_shift, archive_path, C.FORM_RECEIPT, request.encode(), R.INVALID_DATE_TIME)


@pytest.mark.parametrize(
    ("operation", "total"),
    [(2, 10000), (1, 9999), (0, 10000), (5, 10000)],
    ids=["operation-mismatch", "total-mismatch", "operation-0", "operation-5"],
)
def test_form_receipt_checks_against_tlv(in_shift, archive_path, operation, total):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, SALE)
    request = documents.FormReceiptRequest(in_shift.clock(), operation, total)
    _refused(in_shift, archive_path, C.FORM_RECEIPT, request.encode(), R.INVALID_PARAMETER)
    assert _status(in_shift).current_document == service.CurrentDocument.RECEIPT


def test_cancel_drops_open_document(in_shift, archive_path):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, SALE)
    before = archive_path.read_bytes()
    in_shift.call(C.CANCEL_DOCUMENT)
    assert archive_path.read_bytes() == before
    status = _status(in_shift)
    assert status.current_document == 0
    assert status.has_document_data is False
    assert in_shift.receipt(SALE, total=10000).fd_number == 3


def test_status_shows_open_document(in_shift):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    assert _status(in_shift).has_document_data is False
    in_shift.call(C.SEND_DOCUMENT_DATA, SALE)
    status = _status(in_shift)
    assert status.current_document == service.CurrentDocument.RECEIPT
    assert status.has_document_data is True
    assert status.shift_open is True


def test_receipt_numbers_restart_each_shift(in_shift):
    assert in_shift.receipt(SALE, total=10000).receipt_number == 1
    assert in_shift.receipt(SALE, total=10000).receipt_number == 2
    assert documents.ShiftParametersAnswer.decode(in_shift.call(C.GET_SHIFT_PARAMETERS)) == \
        documents.ShiftParametersAnswer(True, 1, 2)
    in_shift.close_shift()
    in_shift.open_shift()
    assert in_shift.receipt(SALE, total=10000).receipt_number == 1


def test_bso_mode_forms_form_4(kkt, archive_path):
    kkt.register(work_mode=0x10)
    kkt.open_shift()
    kkt.receipt(SALE, total=10000)
    assert read_archive(archive_path).documents[-1].form == 4


def test_correction_receipt(in_shift, archive_path):
    in_shift.receipt(encode_tlv(1173, b"\x00") + encode_tlv(1031, b"\x64"), operation=3, total=100, correction=True)
    assert read_archive(archive_path).documents[-1].form == 31
    in_shift.close_shift()
    close = dict(split_tlv(split_tlv(read_archive(archive_path).documents[-1].stlv)[0][1]))
    counters = dict(split_tlv(close[1194]))
    corrections = dict(split_tlv(counters[1133]))
    assert decode_uint(corrections[1144], 4) == 1
    assert decode_uint(dict(split_tlv(corrections[1146]))[1135], 4) == 1
    assert decode_uint(close[1118], 4) == 1


def test_ffd105_correction_allows_income_and_expense_only(kkt, archive_path):
    kkt.register(ffd_version=2)
    kkt.open_shift()
    kkt.call(C.BEGIN_CORRECTION_RECEIPT, documents.BeginCorrectionReceiptRequest(kkt.clock()).encode())
    kkt.call(C.SEND_DOCUMENT_DATA, encode_tlv(1173, b"\x00"))
    request = documents.FormReceiptRequest(kkt.clock(), 2, 100)
    _refused(kkt, archive_path, C.FORM_RECEIPT, request.encode(), R.INVALID_PARAMETER)


def test_ffd105_counters_have_no_refund_corrections(kkt, archive_path):
    kkt.register(ffd_version=2)
    kkt.open_shift()
    kkt.close_shift()
    close = dict(split_tlv(split_tlv(read_archive(archive_path).documents[-1].stlv)[0][1]))
    corrections = dict(split_tlv(dict(split_tlv(close[1157]))[1133]))
    assert list(corrections) == [1144, 1145, 1146]


def test_autonomous_close_shift_has_no_unsent_tags(kkt, archive_path):
    kkt.register(work_mode=0x02)
    kkt.open_shift()
    kkt.close_shift()
    close = dict(split_tlv(split_tlv(read_archive(archive_path).documents[-1].stlv)[0][1]))
    assert 1097 not in close
    assert 1098 not in close


# Re-registration, settlement report, closing the fiscal mode.

def test_reregistration_without_new_fn(registered, archive_path):
    registered.call(C.BEGIN_REGISTRATION_REPORT, b"\x02")
    registered.call(C.SEND_DOCUMENT_DATA, registered.registration_tlv())
    rnm = registered.RNM
    request = documents.FormRegistrationRequest(registered.clock(), "7702203276", rnm, 2, 0, 3)
    answer = documents.FiscalDocumentAnswer.decode(registered.call(C.FORM_REGISTRATION_REPORT, request.encode()))
    assert answer.fd_number == 2
    record = archive.FindDocumentAnswer.decode(registered.call(C.FIND_DOCUMENT, archive.FdNumberRequest(2).encode()))
    assert record.document_type == 11
    assert record.record.reason == 3
    assert record.record.taxation == 2
    result = archive.FiscalizationResultAnswer.decode(registered.call(C.GET_FISCALIZATION_RESULT))
    assert (result.taxation, result.reason, result.fd_number) == (2, None, 2)
    first = archive.FiscalizationResultAnswer.decode(registered.call(C.GET_FISCALIZATION_RESULT, b"\x01"))
    assert (first.taxation, first.reason, first.fd_number) == (1, 0, 1)


def test_reregistration_needs_closed_shift(in_shift, archive_path):
    _refused(in_shift, archive_path, C.BEGIN_REGISTRATION_REPORT, b"\x02", R.INVALID_STATE)


def test_registration_only_once(registered, archive_path):
    _refused(registered, archive_path, C.BEGIN_REGISTRATION_REPORT, b"\x00", R.INVALID_STATE)


def test_settlement_report(in_shift, archive_path):
    in_shift.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(in_shift.clock()).encode())
    answer = documents.SettlementReportAnswer.decode(in_shift.call(C.FORM_SETTLEMENT_REPORT))
    assert answer.fd_number == 3
    assert answer.unconfirmed_count == 2
    assert answer.first_unconfirmed == in_shift.clock().date()
    document = read_archive(archive_path).documents[-1]
    values = dict(split_tlv(split_tlv(document.stlv)[0][1]))
    assert decode_uint(values[1116], 4) == 1
    assert decode_uint(values[1097], 4) == 2
    record = archive.FindDocumentAnswer.decode(in_shift.call(C.FIND_DOCUMENT, archive.FdNumberRequest(3).encode()))
    assert record.record.unconfirmed_count == 2


def test_close_fiscal_mode(registered, archive_path):
    rnm = registered.RNM
    registered.call(C.BEGIN_CLOSE_FISCAL_MODE)
    registered.call(C.SEND_DOCUMENT_DATA, registered.text(1021, "Иванова А."))
    wrong = documents.CloseFiscalModeRequest(registered.clock(), "0000000006000000")
    _refused(registered, archive_path, C.CLOSE_FISCAL_MODE, wrong.encode(), R.INVALID_PARAMETER)
    request = documents.CloseFiscalModeRequest(registered.clock(), rnm)
    answer = documents.FiscalDocumentAnswer.decode(registered.call(C.CLOSE_FISCAL_MODE, request.encode()))
    assert answer.fd_number == 2
    assert _status(registered).phase == service.FnPhase.POST_FISCAL_MODE
    _refused(registered, archive_path, C.BEGIN_OPEN_SHIFT,
             _request(documents.BeginOpenShiftRequest, registered.clock()), R.INVALID_STATE)
    record = archive.FindDocumentAnswer.decode(registered.call(C.FIND_DOCUMENT, archive.FdNumberRequest(2).encode()))
    assert record.record.rnm == rnm


def test_post_fiscal_mode_survives_reopen(registered, archive_path, clock):
    registered.call(C.BEGIN_CLOSE_FISCAL_MODE)
    registered.call(C.SEND_DOCUMENT_DATA, registered.text(1021, "Иванова А."))
    rnm = registered.RNM
    registered.call(C.CLOSE_FISCAL_MODE, documents.CloseFiscalModeRequest(clock(), rnm).encode())
    registered.fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        assert reopened.phase == service.FnPhase.POST_FISCAL_MODE


# Archive reads.

def test_find_missing_document(registered, archive_path):
    _refused(registered, archive_path, C.FIND_DOCUMENT, archive.FdNumberRequest(2).encode(), R.NO_DATA)
    _refused(registered, archive_path, C.FIND_DOCUMENT, archive.FdNumberRequest(0).encode(), R.NO_DATA)


def test_read_tlv_without_request(registered, archive_path):
    _refused(registered, archive_path, C.READ_DOCUMENT_TLV, b"", R.INVALID_STATE)


def test_no_ofd_ticket_yet(registered, archive_path):
    _refused(registered, archive_path, C.GET_OFD_TICKET, archive.FdNumberRequest(1).encode(), R.NO_DATA)
    assert archive.CountAnswer.decode(registered.call(C.GET_UNCONFIRMED_COUNT)).count == 1


def test_fiscalization_parameter(registered):
    answer = archive.TlvAnswer.decode(registered.call(C.GET_FISCALIZATION_PARAMETER, (1041).to_bytes(2, "little")))
    assert answer == archive.TlvAnswer(1041, registered.fn.serial.encode())
    request = archive.FiscalizationParameterRequest(1013, 1).encode()
    answer = archive.TlvAnswer.decode(registered.call(C.GET_FISCALIZATION_PARAMETER, request))
    assert answer.value == registered.KKT_SERIAL.encode()
    registered.call(C.GET_FISCALIZATION_PARAMETER, (1234).to_bytes(2, "little"), expect=R.NO_DATA)


def test_fiscalization_tlv_stream(registered):
    registered.call(C.READ_FISCALIZATION_TLV, expect=R.NO_DATA)
    registered.call(C.GET_FISCALIZATION_PARAMETER, archive.FiscalizationParameterRequest(0xFFFF, 1).encode())
    streamed = b""
    while True:
        result, answer = registered.fn.execute(C.READ_FISCALIZATION_TLV, b"")
        if result == R.NO_DATA:
            break
        streamed += answer
    assert streamed == registered.registration_tlv()


def test_expiry_and_version(registered):
    expiry = service.ExpiryAnswer.decode(registered.call(C.GET_EXPIRY))
    assert expiry == service.ExpiryAnswer(dt.date(2027, 3, 1), 29, 1)
    version = service.VersionAnswer.decode(registered.call(C.GET_VERSION))
    assert version.is_release is False
    assert registered.call(C.GET_SERIAL) == registered.fn.serial.encode()


def test_archive_write_failure_answers_03h(in_shift, archive_path, monkeypatch):
    def fail(record):
        raise OSError("disk full")

    monkeypatch.setattr(in_shift.fn._writer, "append", fail)
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, SALE)
    request = documents.FormReceiptRequest(in_shift.clock(), 1, 10000)
    _refused(in_shift, archive_path, C.FORM_RECEIPT, request.encode(), R.FN_FAILURE)
    assert _status(in_shift).last_fd_number == 2


def test_closed_fn_raises(fn):
    fn.close()
    with pytest.raises(ArchiveError, match="closed"):
        fn.execute(C.GET_STATUS, b"")


def test_create_rejects_bad_serial(tmp_path, clock):
    with pytest.raises(InvalidArgumentError, match="16 digits"):
        FiscalStorage.create(tmp_path / "x.bin", "12345", clock)
    assert not (tmp_path / "x.bin").exists()
