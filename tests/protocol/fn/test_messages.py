"""Request and answer codecs of every ФН command: vectors and round trips."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.fn import archive, documents, exchange, message, records, service
from kktemu.protocol.fn.codes import FnCommand
from kktemu.protocol.fn.registry import ANSWER_TYPES, REQUEST_TYPES, decode_answer, decode_request

minutes = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2255, 12, 31, 23, 59)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)
days = minutes.map(lambda moment: moment.date())
u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
u40 = st.integers(0, (1 << 40) - 1)


def ascii_text(width):
    return st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=width).map(
        lambda text: text.rstrip(" ")
    )


tlv_item = st.builds(encode_tlv, u16, st.binary(max_size=40))
tlv_list = st.lists(tlv_item, max_size=5).map(b"".join)
record_prefix = {"moment": minutes, "fd_number": u32, "fiscal_sign": u32}

RECORDS = {
    records.RegistrationRecord: st.builds(
        records.RegistrationRecord, **record_prefix, inn=ascii_text(12), rnm=ascii_text(20), taxation=u8, work_mode=u8
    ),
    records.ReregistrationRecord: st.builds(
        records.ReregistrationRecord, **record_prefix, inn=ascii_text(12), rnm=ascii_text(20), taxation=u8,
        work_mode=u8, reason=u8,
    ),
    records.ReceiptRecord: st.builds(records.ReceiptRecord, **record_prefix, operation=u8, total=u40),
    records.ShiftRecord: st.builds(records.ShiftRecord, **record_prefix, shift_number=u16),
    records.CloseFiscalModeRecord: st.builds(
        records.CloseFiscalModeRecord, **record_prefix, inn=ascii_text(12), rnm=ascii_text(20)
    ),
    records.SettlementReportRecord: st.builds(
        records.SettlementReportRecord, **record_prefix, unconfirmed_count=u32,
        first_unconfirmed=st.none() | minutes,
    ),
    records.GenericRecord: st.builds(records.GenericRecord, **record_prefix, extra=st.binary(max_size=30)),
}
RECORD_TYPES = {
    records.RegistrationRecord: [0x01, 0x41],
    records.ReregistrationRecord: [0x0B, 0x4B],
    records.ReceiptRecord: [0x03, 0x83, 0xC3, 0x04, 0x1F, 0xDF, 0x29, 0xE9],
    records.ShiftRecord: [0x02, 0x05],
    records.CloseFiscalModeRecord: [0x06],
    records.SettlementReportRecord: [0x15],
    records.GenericRecord: [0x07, 0x51, 0x54],
}


@st.composite
def find_document_answers(draw):
    record_class = draw(st.sampled_from(list(RECORDS)))
    return archive.FindDocumentAnswer(
        document_type=draw(st.sampled_from(RECORD_TYPES[record_class])),
        ticket_received=draw(st.booleans()),
        record=draw(RECORDS[record_class]),
    )


STRATEGIES = {
    message.NoData: st.just(message.NoData()),
    message.RawData: st.builds(message.RawData, st.binary(max_size=1024)),
    documents.FiscalDocumentAnswer: st.builds(documents.FiscalDocumentAnswer, u32, u32),
    documents.BeginRegistrationRequest: st.builds(documents.BeginRegistrationRequest, u8),
    documents.FormRegistrationRequest: st.builds(
        documents.FormRegistrationRequest, minutes, ascii_text(12), ascii_text(20), u8, u8, st.none() | u8
    ),
    documents.CloseFiscalModeRequest: st.builds(documents.CloseFiscalModeRequest, minutes, ascii_text(20)),
    documents.DocumentDataRequest: st.builds(documents.DocumentDataRequest, tlv_list),
    documents.ShiftParametersAnswer: st.builds(documents.ShiftParametersAnswer, st.booleans(), u16, u16),
    documents.DateTimeRequest: st.builds(documents.DateTimeRequest, minutes),
    documents.BeginOpenShiftRequest: st.builds(documents.BeginOpenShiftRequest, minutes),
    documents.BeginCloseShiftRequest: st.builds(documents.BeginCloseShiftRequest, minutes),
    documents.BeginReceiptRequest: st.builds(documents.BeginReceiptRequest, minutes),
    documents.BeginCorrectionReceiptRequest: st.builds(documents.BeginCorrectionReceiptRequest, minutes),
    documents.BeginSettlementReportRequest: st.builds(documents.BeginSettlementReportRequest, minutes),
    documents.ShiftDocumentAnswer: st.builds(documents.ShiftDocumentAnswer, u16, u32, u32),
    documents.FormReceiptRequest: st.builds(documents.FormReceiptRequest, minutes, u8, u40),
    documents.ReceiptAnswer: st.builds(documents.ReceiptAnswer, u16, u32, u32),
    documents.SettlementReportAnswer: st.builds(documents.SettlementReportAnswer, u32, u32, u32, st.none() | days),
    exchange.ExchangeStatusAnswer: st.builds(
        exchange.ExchangeStatusAnswer, u8, st.booleans(), u16, u32, st.none() | minutes
    ),
    exchange.TransportStatusRequest: st.builds(exchange.TransportStatusRequest, st.booleans()),
    exchange.OfdMessageLengthAnswer: st.builds(exchange.OfdMessageLengthAnswer, u16),
    exchange.ReadOfdBlockRequest: st.builds(exchange.ReadOfdBlockRequest, u16, u16),
    exchange.OfdTicketAnswer: st.builds(exchange.OfdTicketAnswer, u8, st.just(b"") | tlv_item),
    service.StatusAnswer: st.builds(
        service.StatusAnswer, u8, u8, st.booleans(), st.booleans(), u8, st.none() | minutes, ascii_text(16), u32
    ),
    service.SerialAnswer: st.builds(service.SerialAnswer, ascii_text(16)),
    service.ExpiryAnswer: st.builds(service.ExpiryAnswer, days, u8, u8),
    service.VersionAnswer: st.builds(service.VersionAnswer, ascii_text(16), st.booleans()),
    service.FfdVersionAnswer: st.builds(service.FfdVersionAnswer, u8, u8),
    service.DaysLeftAnswer: st.builds(service.DaysLeftAnswer, u16),
    service.FreeMemoryAnswer: st.builds(service.FreeMemoryAnswer, u32, u32, st.none() | u8),
    service.ResetStateRequest: st.builds(service.ResetStateRequest, u8),
    archive.FindDocumentRequest: st.builds(archive.FindDocumentRequest, u32),
    archive.TicketRequest: st.builds(archive.TicketRequest, u32),
    archive.DocumentTlvRequest: st.builds(archive.DocumentTlvRequest, u32),
    archive.FindDocumentAnswer: find_document_answers(),
    archive.TicketAnswer: st.builds(archive.TicketAnswer, minutes, st.binary(min_size=18, max_size=18), u32),
    archive.CountAnswer: st.builds(archive.CountAnswer, u16),
    archive.FiscalizationResultRequest: st.builds(archive.FiscalizationResultRequest, st.none() | u8),
    archive.FiscalizationResultAnswer: st.builds(
        archive.FiscalizationResultAnswer, minutes, ascii_text(12), ascii_text(20), u8, u8, st.none() | u8, u32, u32
    ),
    archive.FiscalizationParameterRequest: st.builds(archive.FiscalizationParameterRequest, u16, st.none() | u8),
    archive.TlvAnswer: st.builds(archive.TlvAnswer, u16, st.binary(max_size=200)),
    archive.DocumentTlvInfoAnswer: st.builds(archive.DocumentTlvInfoAnswer, u16, u16),
}

ALL_CLASSES = sorted(
    set(REQUEST_TYPES.values()) | set(ANSWER_TYPES.values()) | set(STRATEGIES), key=lambda cls: cls.__qualname__
)


def test_every_registered_class_has_a_strategy():
    assert set(REQUEST_TYPES.values()) | set(ANSWER_TYPES.values()) <= set(STRATEGIES)


def test_every_command_has_request_and_answer_types():
    assert set(REQUEST_TYPES) == set(FnCommand)
    assert set(ANSWER_TYPES) == set(FnCommand)


@pytest.mark.parametrize("message_class", ALL_CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=50)
@given(data=st.data())
def test_codec_round_trip(message_class, data):
    value = data.draw(STRATEGIES[message_class])
    encoded = value.encode()
    assert message_class.decode(encoded) == value
    assert message_class.decode(encoded).encode() == encoded


def _decodes_to(message_class, data):
    try:
        return message_class.decode(data)
    except DecodeError:
        return None


@pytest.mark.parametrize("message_class", ALL_CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=25)
@given(data=st.data())
def test_codec_truncated_or_extended_input(message_class, data):
    # A body cut short or followed by an extra byte never decodes to the same
    # value: it is either rejected or read as another layout variant.
    value = data.draw(STRATEGIES[message_class])
    encoded = value.encode()
    # An empty 02h body means report type 00h, so only that cut may agree.
    first_cut = 1 if message_class is documents.BeginRegistrationRequest else 0
    for cut in range(first_cut, len(encoded)):
        assert _decodes_to(message_class, encoded[:cut]) != value
    assert _decodes_to(message_class, encoded + b"\x00") != value


@pytest.mark.parametrize("command", list(FnCommand), ids=lambda command: command.name)
@settings(max_examples=30)
@given(data=st.data())
def test_registry_round_trip(command, data):
    request = data.draw(STRATEGIES[REQUEST_TYPES[command]])
    answer = data.draw(STRATEGIES[ANSWER_TYPES[command]])
    assert decode_request(command, request.encode()) == request
    assert decode_answer(command, answer.encode()) == answer


def test_unknown_command_is_decode_error():
    with pytest.raises(DecodeError, match="unknown ФН command 99h"):
        decode_request(0x99, b"")


# shtrih-m/javapos_shtrih Source/FiscalPrinterService/test/.../command/FSFindDocumentTests.java
# (the Shtrih FF0Ah wrapper `FF 0A 00` stripped).
RECEIPT_RECORD = bytes.fromhex("03 00 11 03 18 14 35 A3 00 00 00 EB EA 4B 2E 01 20 4E 00 00 00")
REGISTRATION_RECORD = (
    bytes.fromhex("01 00 11 07 06 02 34 01 00 00 00 B7 9F D1 4D")
    + b"5024054445  "
    + b"0000001358026131    "
    + bytes.fromhex("3F 01")
)
REREGISTRATION_RECORD = (
    bytes.fromhex("0B 00 11 07 06 02 35 02 00 00 00 22 E8 9A 18")
    + b"5024054445  "
    + b"0000001358026131    "
    + bytes.fromhex("3F 01 04")
)


def test_receipt_record_vector():
    answer = archive.FindDocumentAnswer.decode(RECEIPT_RECORD)
    assert answer.document_type == 3
    assert answer.ticket_received is False
    assert answer.record == records.ReceiptRecord(
        moment=dt.datetime(2017, 3, 24, 20, 53), fd_number=163, fiscal_sign=776727275, operation=1, total=20000
    )
    assert answer.encode() == RECEIPT_RECORD


def test_registration_record_vector():
    answer = archive.FindDocumentAnswer.decode(REGISTRATION_RECORD)
    assert answer.record == records.RegistrationRecord(
        moment=dt.datetime(2017, 7, 6, 2, 52), fd_number=1, fiscal_sign=1305583543, inn="5024054445",
        rnm="0000001358026131", taxation=0x3F, work_mode=0x01,
    )
    assert answer.encode() == REGISTRATION_RECORD


def test_reregistration_record_vector():
    answer = archive.FindDocumentAnswer.decode(REREGISTRATION_RECORD)
    assert answer.document_type == 0x0B
    assert answer.record == records.ReregistrationRecord(
        moment=dt.datetime(2017, 7, 6, 2, 53), fd_number=2, fiscal_sign=412805154, inn="5024054445",
        rnm="0000001358026131", taxation=0x3F, work_mode=0x01, reason=4,
    )
    assert answer.encode() == REREGISTRATION_RECORD


@pytest.mark.parametrize("raw", [RECEIPT_RECORD, REGISTRATION_RECORD, REREGISTRATION_RECORD])
def test_record_vectors_reject_truncation_and_trailing_bytes(raw):
    for cut in range(len(raw)):
        with pytest.raises(DecodeError):
            archive.FindDocumentAnswer.decode(raw[:cut])
    with pytest.raises(DecodeError, match="unexpected bytes"):
        archive.FindDocumentAnswer.decode(raw + b"\x00")


def test_record_type_version_bits():
    assert records.base_form(0xC3) == 3
    assert records.base_form(0xDF) == 31
    assert records.base_form(0x4B) == 11
    assert records.base_form(0x51) == 0x51
    assert records.record_class_for(0x83) is records.ReceiptRecord


def test_expiry_answer_vector():
    # shtrih-m/javapos_shtrih FSReadExpDateTests.java: valid until 2019-09-02, 29 left, 1 done.
    answer = service.ExpiryAnswer.decode(bytes.fromhex("13 09 02 1D 01"))
    assert answer == service.ExpiryAnswer(dt.date(2019, 9, 2), 29, 1)


def test_fiscalization_parameter_answer_vector():
    # shtrih-m/javapos_shtrih FSReadFiscalizationTagTests.java: TLV 1041 with the ФН number.
    raw = bytes.fromhex("11 04 10 00") + b"9999078900002270"
    assert archive.TlvAnswer.decode(raw) == archive.TlvAnswer(1041, b"9999078900002270")


def test_status_answer_is_30_bytes():
    answer = service.StatusAnswer(3, 0, False, True, 0, dt.datetime(2024, 1, 2, 3, 4), "9999078900000001", 7)
    assert len(answer.encode()) == 30


def test_begin_registration_without_parameter_means_registration():
    assert documents.BeginRegistrationRequest.decode(b"") == documents.BeginRegistrationRequest(0)


def test_form_registration_lengths():
    base = documents.FormRegistrationRequest(dt.datetime(2024, 1, 1, 9, 0), "7702203276", "0000000005008570", 1, 0)
    assert len(base.encode()) == 39
    assert len(documents.FormRegistrationRequest(**{**base.__dict__, "reason": 4}).encode()) == 40
    with pytest.raises(DecodeError):
        documents.FormRegistrationRequest.decode(base.encode()[:38])


def test_document_data_rejects_split_tlv():
    whole = encode_tlv(1021, "Иванов".encode("cp866"))
    with pytest.raises(DecodeError, match="ends inside a TLV"):
        documents.DocumentDataRequest.decode(whole[:-1])
    with pytest.raises(EncodeError, match="whole TLVs"):
        documents.DocumentDataRequest(whole[:-1]).encode()


def test_form_receipt_total_is_uint40():
    request = documents.FormReceiptRequest(dt.datetime(2024, 1, 1, 10, 0), 1, 20000)
    assert request.encode()[-5:] == bytes.fromhex("20 4E 00 00 00")
    with pytest.raises(EncodeError):
        documents.FormReceiptRequest(dt.datetime(2024, 1, 1), 1, 1 << 40).encode()


def test_tlv_answer_rejects_trailing_bytes():
    with pytest.raises(DecodeError, match="after the TLV"):
        archive.TlvAnswer.decode(encode_tlv(1040, b"\x01\x00\x00\x00") + b"\x00")


def test_fiscalization_result_variants():
    answer = archive.FiscalizationResultAnswer(
        dt.datetime(2024, 1, 1, 9, 0), "7702203276", "0000000005008570", 1, 0, None, 1, 123
    )
    assert len(answer.encode()) == 47
    with_reason = archive.FiscalizationResultAnswer(**{**answer.__dict__, "reason": 2})
    assert len(with_reason.encode()) == 48
    assert archive.FiscalizationResultAnswer.decode(with_reason.encode()).reason == 2
