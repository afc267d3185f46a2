"""ФН reading, exchange, shift and registration commands: optional forms, record hook, strict fields."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.fn.records import ReceiptRecord, RegistrationRecord, ReregistrationRecord, record_class_for
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
MOMENT = datetime.datetime(2017, 7, 6, 2, 52)


def decode_fn_record(document_type: int, record: bytes):
    return record_class_for(document_type).decode(record)


# FF0Ah: the record stays raw; the hook hands it to the ФН record codec.


def test_find_document_header_receipt():
    # shtrih-m/javapos_shtrih FSFindDocumentTests, the receipt case.
    answer = c.FindDocumentAnswer.decode(
        H("FF 0A 00 03 00 11 03 18 14 35 A3 00 00 00 EB EA 4B 2E 01 20 4E 00 00 00"))
    header = answer.header()
    assert header.moment == datetime.datetime(2017, 3, 24, 20, 53)
    assert header.fd_number == 163
    assert header.fiscal_sign == 0x2E4BEAEB
    assert header.details == H("01 20 4E 00 00 00")


def test_find_document_record_hook_receipt():
    # afilippov1985/kkt-shtrih tests/test.php canned FF0Ah answer.
    answer = c.FindDocumentAnswer.decode(
        H("FF 0A 00 03 00 12 06 15 06 25 F9 B2 00 00 79 58 50 F5 01 F0 49 02 00 00"))
    record = answer.decode_record(decode_fn_record)
    assert isinstance(record, ReceiptRecord)
    assert record.moment == datetime.datetime(2018, 6, 21, 6, 37)
    assert record.fd_number == 45817
    assert record.fiscal_sign == 4115683449
    assert record.operation == 1
    assert record.total == 150000


def test_find_document_record_hook_registration():
    # shtrih-m/javapos_shtrih FSFindDocumentTests, the registration case.
    answer = c.FindDocumentAnswer.decode(
        H("FF 0A 00 01 00 11 07 06 02 34 01 00 00 00 B7 9F D1 4D") + b"5024054445  " + b"0000001358026131    "
        + H("3F 01"))
    record = answer.decode_record(decode_fn_record)
    # The ФН record codec strips the space padding of ИНН and РНМ.
    assert record == RegistrationRecord(MOMENT, 1, 1305583543, "5024054445", "0000001358026131", 0x3F, 1)


def test_find_document_record_hook_reregistration():
    answer = c.FindDocumentAnswer.decode(
        H("FF 0A 00 0B 00 11 07 06 02 35 02 00 00 00 22 E8 9A 18") + b"5024054445  " + b"0000001358026131    "
        + H("3F 01 04"))
    record = answer.decode_record(decode_fn_record)
    assert isinstance(record, ReregistrationRecord)
    assert record.reason == 4
    assert record.fiscal_sign == 412805154


@pytest.mark.parametrize(("body", "shift_fd", "sign"), [
    ("FF 0A 00 02 00 11 07 06 02 35 03 00 00 00 5B E1 AE D0 01 00", 3, 3501121883),
    ("FF 0A 00 05 00 11 07 06 02 36 06 00 00 00 FD 00 61 D9 01 00", 6, 3647013117),
])
def test_find_document_shift_records(body, shift_fd, sign):
    header = c.FindDocumentAnswer.decode(H(body)).header()
    assert header.fd_number == shift_fd
    assert header.fiscal_sign == sign
    assert header.details == H("01 00")


def test_find_document_header_too_short():
    answer = c.FindDocumentAnswer(3, True, H("11 03 18 14 35 A3"))
    with pytest.raises(DecodeError, match="at least 13"):
        answer.header()


def test_find_document_ticket_flag_strict():
    with pytest.raises(DecodeError, match="0 or 1"):
        c.FindDocumentAnswer.decode(H("FF 0A 00 03 02") + bytes(19))


# FF03h: the spec's short form and the form clients read.


def test_fn_expiry_client_form():
    answer = c.FnExpiryAnswer(datetime.date(2019, 9, 2), registrations_left=29, registrations_done=1)
    # The ФН's own 32h answer in shtrih-m/javapos_shtrih FSReadExpDateTests: 13 09 02 1D 01.
    assert answer.encode() == H("FF 03 00 13 09 02 1D 01")


def test_fn_expiry_spec_form():
    answer = c.FnExpiryAnswer.decode(H("FF 03 00 13 09 02"))
    assert answer == c.FnExpiryAnswer(datetime.date(2019, 9, 2))
    assert len(answer.encode()) == 6


@pytest.mark.parametrize("tail", ["1D", "1D 01 00"])
def test_fn_expiry_odd_tail_rejected(tail):
    with pytest.raises(DecodeError, match="expected 0 or 2"):
        c.FnExpiryAnswer.decode(H("FF 03 00 13 09 02 ") + H(tail))


def test_fn_expiry_counts_both_or_none():
    with pytest.raises(EncodeError, match="both"):
        c.FnExpiryAnswer(datetime.date(2019, 9, 2), registrations_left=29).encode()


def test_fn_identity_lengths():
    assert len(c.FnNumberAnswer("9999078902013611").encode()) == 19
    assert len(c.FnVersionAnswer("fn v 1.2 mgm 03 ", 1).encode()) == 20
    with pytest.raises(EncodeError, match="fn_number"):
        c.FnNumberAnswer("999907890201361").encode()


# Exchange state.


def test_exchange_status_empty_queue():
    answer = c.ExchangeStatusAnswer(0, False, 0, 0, None)
    assert answer.encode() == H("FF 39 00 00 00 00 00 00 00 00 00") + bytes(5)
    assert c.ExchangeStatusAnswer.decode(answer.encode()) == answer


def test_unconfirmed_count_two_bytes():
    assert c.UnconfirmedCountAnswer(258).encode() == H("FF 3F 00 02 01")
    with pytest.raises(DecodeError):
        c.UnconfirmedCountAnswer.decode(H("FF 3F 00 02 01 00 00"))


def test_fn_memory_forms():
    assert len(c.FnMemoryAnswer(250000, 512).encode()) == 11
    with_marking = c.FnMemoryAnswer(250000, 512, 7)
    assert len(with_marking.encode()) == 12
    assert c.FnMemoryAnswer.decode(with_marking.encode()) == with_marking
    with pytest.raises(DecodeError, match="expected 0 or 1"):
        c.FnMemoryAnswer.decode(with_marking.encode() + b"\0")


def test_document_tlv_answer():
    answer = c.DocumentTlvAnswer.decode(H("FF 3A 00 03 00 2C 01"))
    assert answer == c.DocumentTlvAnswer(document_type=3, length=300)


# Shifts and reports.


def test_shift_parameters_flag_strict():
    # pyshtrih 2.0.6 fails with KeyError on a shift state other than 0 or 1.
    with pytest.raises(DecodeError, match="0 or 1"):
        c.ShiftParametersAnswer.decode(H("FF 40 00 02 34 01 05 00"))


def test_settlement_report_no_unconfirmed():
    answer = c.SettlementReportAnswer(14, 1, 0, None)
    assert answer.encode()[-3:] == bytes(3)
    assert c.SettlementReportAnswer.decode(answer.encode()) == answer


def test_close_shift_answer_forms():
    answer = c.FnCloseShiftAnswer(31, 428, 3647013117)
    assert len(answer.encode()) == 13
    extended = dataclasses.replace(answer, document_datetime=datetime.datetime(2024, 3, 1, 21, 5))
    assert len(extended.encode()) == 18
    assert c.FnCloseShiftAnswer.decode(extended.encode()) == extended


def test_open_shift_answer_has_no_datetime():
    body = c.FnOpenShiftAnswer(31, 426, 1).encode()
    assert len(body) == 13
    with pytest.raises(DecodeError):
        c.FnOpenShiftAnswer.decode(body + H("18 03 01 09 1E"))


# Registration.

INN = "5024054445  "
RNM = "0000001358026131    "


def test_registration_request_lengths():
    assert len(c.RegistrationRequest(30, INN, RNM, 0x3F, 1).encode()) == 40
    assert len(c.ReregistrationRequest(30, INN, RNM, 0x3F, 1, 4).encode()) == 41
    with pytest.raises(EncodeError, match="inn"):
        c.RegistrationRequest(30, "5024054445", RNM, 1, 1).encode()


def totals(**changes) -> c.FiscalizationTotalsAnswer:
    fields = dict(moment=MOMENT, inn=INN, rnm=RNM, tax_systems=1, work_mode=0, fd_number=1, fiscal_sign=1305583543)
    fields.update(changes)
    return c.FiscalizationTotalsAnswer(**fields)


@pytest.mark.parametrize(("answer", "length"), [
    (totals(), 50),
    (totals(document_datetime=datetime.datetime(2017, 7, 6, 2, 53)), 55),
    (totals(extended_mode=0x20, ofd_inn="7704358518  ", reason_code=0), 67),
])
def test_fiscalization_totals_forms(answer, length):
    body = answer.encode()
    assert len(body) == length
    assert c.FiscalizationTotalsAnswer.decode(body) == answer


def test_fiscalization_totals_extended_offsets():
    body = totals(extended_mode=0x20, ofd_inn="7704358518  ", reason_code=0x01020304).encode()
    assert body[40:43] == bytes((1, 0, 0x20))
    assert body[43:55] == b"7704358518  "
    assert body[55:59] == H("04 03 02 01")
    assert body[59:63] == H("01 00 00 00")


@pytest.mark.parametrize("changes", [
    {"ofd_inn": "7704358518  "},
    {"extended_mode": 1, "ofd_inn": "7704358518  "},
    {"extended_mode": 1, "ofd_inn": "7704358518  ", "reason_code": 0,
     "document_datetime": datetime.datetime(2017, 7, 6, 2, 53)},
])
def test_fiscalization_totals_mixed_forms_rejected(changes):
    with pytest.raises(EncodeError, match="ФФД 1.1"):
        totals(**changes).encode()


@pytest.mark.parametrize("extra", [1, 4, 9])
def test_fiscalization_totals_other_lengths_rejected(extra):
    body = totals().encode()
    with pytest.raises(DecodeError, match="expected one of"):
        c.FiscalizationTotalsAnswer.decode(body + bytes(extra))


def registration_totals(**changes) -> c.RegistrationTotalsAnswer:
    fields = dict(moment=MOMENT, inn=INN, rnm=RNM, tax_systems=1, work_mode=0, fd_number=2, fiscal_sign=412805154)
    fields.update(changes)
    return c.RegistrationTotalsAnswer(**fields)


@pytest.mark.parametrize(("answer", "length"), [
    (registration_totals(), 50),
    (registration_totals(reason_code=4), 51),
    (registration_totals(reason_code=4, extended_mode=0, ofd_inn="7704358518  "), 67),
])
def test_registration_totals_forms(answer, length):
    body = answer.encode()
    assert len(body) == length
    assert c.RegistrationTotalsAnswer.decode(body) == answer


def test_registration_totals_reason_before_document():
    body = registration_totals(reason_code=4).encode()
    assert body[42] == 4
    assert body[43:47] == H("02 00 00 00")


def test_registration_totals_extended_needs_reason():
    with pytest.raises(EncodeError, match="reason_code"):
        registration_totals(extended_mode=0, ofd_inn="7704358518  ").encode()
