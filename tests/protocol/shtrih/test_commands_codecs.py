"""Properties every Штрих-М command codec must have, checked over all registered classes.

For each request and answer class, hypothesis builds objects with every field
within its wire range. Then:

- decode(encode(x)) == x, and re-encoding gives the same bytes;
- every truncation of the fixed part is rejected (byte-by-byte check);
- fixed layouts reject trailing bytes;
- the body carries the right command code and, for answers, error byte 0.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.commands_base import (
    MAX_BODY_SIZE,
    BytesTailMessage,
    DateTimeTailMessage,
    EmptyAnswer,
    OperatorAnswer,
    PasswordRequest,
    TextTailMessage,
)
from kktemu.protocol.shtrih.errors import KktSubmode

CP1251_CHARS = "".join(bytes((value,)).decode("cp1251") for value in range(1, 256) if value != 0x98)

password = st.integers(0, 2**32 - 1)
operator = st.integers(0, 255)
byte = st.integers(0, 255)
word = st.integers(0, 0xFFFF)
money = st.integers(0, 2**40 - 1)
taxes = st.tuples(byte, byte, byte, byte)
date = st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
time = st.times().map(lambda value: value.replace(microsecond=0))
fn_datetime = st.none() | st.datetimes(datetime.datetime(2000, 1, 1), datetime.datetime(2099, 12, 31, 23, 59)).map(
    lambda value: value.replace(second=0, microsecond=0))
version = st.text(alphabet="\0" + CP1251_CHARS, min_size=2, max_size=2)
uint32 = st.integers(0, 2**32 - 1)
money_or_none = st.none() | st.integers(0, 2**40 - 2)
document_datetime = st.none() | fn_datetime.filter(lambda value: value is not None)
fn_date = st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))


def ascii_text(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=st.characters(max_codepoint=127), min_size=size, max_size=size)


def money_tuple(count: int) -> st.SearchStrategy[tuple[int, ...]]:
    return st.tuples(*[money] * count)


def cp1251_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=CP1251_CHARS, max_size=max_size)


def text_fields(room: int, min_size: int) -> st.SearchStrategy[tuple[str, int]]:
    """Text and text_size whose field fits in ``room`` bytes."""
    return st.tuples(cp1251_text(room), st.integers(min_size, room))


def item_request(request_type: type) -> st.SearchStrategy:
    room = MAX_BODY_SIZE - 20
    return st.builds(lambda fields, text: request_type(*fields, text=text[0], text_size=text[1]),
                     st.tuples(password, money, money, byte, taxes), text_fields(room, 40))


STRATEGIES: dict[type, st.SearchStrategy] = {
    c.ShortStatusRequest: st.builds(c.ShortStatusRequest, password),
    c.ShortStatusAnswer: st.builds(
        c.ShortStatusAnswer, operator=operator, flags=word, mode=byte, submode=st.sampled_from(KktSubmode),
        receipt_operations=word, battery_voltage=byte, power_voltage=byte, fm_error=byte, ej_error=byte,
        reserved=st.binary(min_size=3, max_size=3), last_print_result=st.none() | byte),
    c.LongStatusRequest: st.builds(c.LongStatusRequest, password),
    c.LongStatusAnswer: st.builds(
        c.LongStatusAnswer, operator=operator, firmware_version=version, firmware_build=word, firmware_date=date,
        hall_number=byte, document_number=word, flags=word, mode=byte, submode=st.sampled_from(KktSubmode),
        port=byte, fm_firmware_version=version, fm_firmware_build=word, fm_firmware_date=date, date=date,
        time=time, fm_flags=byte, serial_number=st.integers(0, 2**32 - 1), last_closed_shift=word,
        fm_free_records=word, registrations=byte, registrations_left=byte, inn=st.integers(0, 2**48 - 1),
        serial_number_high=st.none() | word),
    c.DeviceTypeRequest: st.builds(c.DeviceTypeRequest),
    c.DeviceTypeAnswer: st.builds(c.DeviceTypeAnswer, byte, byte, byte, byte, byte, byte,
                                  cp1251_text(MAX_BODY_SIZE - 8)),
    c.BeepRequest: st.builds(c.BeepRequest, password),
    c.BeepAnswer: st.builds(c.BeepAnswer, operator),
    c.PrintLineRequest: st.builds(lambda pw, flags, text: c.PrintLineRequest(pw, flags, text[0], text[1]),
                                  password, byte, text_fields(MAX_BODY_SIZE - 6, 0)),
    c.PrintLineAnswer: st.builds(c.PrintLineAnswer, operator),
    c.CutRequest: st.builds(c.CutRequest, password, byte),
    c.CutAnswer: st.builds(c.CutAnswer, operator),
    c.ContinuePrintingRequest: st.builds(c.ContinuePrintingRequest, password),
    c.ContinuePrintingAnswer: st.builds(c.ContinuePrintingAnswer, operator),
    c.OpenShiftRequest: st.builds(c.OpenShiftRequest, password),
    c.OpenShiftAnswer: st.builds(c.OpenShiftAnswer, operator),
    c.XReportRequest: st.builds(c.XReportRequest, password),
    c.XReportAnswer: st.builds(c.XReportAnswer, operator),
    c.ZReportRequest: st.builds(c.ZReportRequest, password),
    c.ZReportAnswer: st.builds(c.ZReportAnswer, operator),
    c.CashInRequest: st.builds(c.CashInRequest, password, money),
    c.CashInAnswer: st.builds(c.CashInAnswer, operator, word),
    c.CashOutRequest: st.builds(c.CashOutRequest, password, money),
    c.CashOutAnswer: st.builds(c.CashOutAnswer, operator, word),
    c.OpenReceiptRequest: st.builds(c.OpenReceiptRequest, password, byte),
    c.OpenReceiptAnswer: st.builds(c.OpenReceiptAnswer, operator),
    c.SaleRequest: item_request(c.SaleRequest),
    c.SaleAnswer: st.builds(c.SaleAnswer, operator),
    c.PurchaseRequest: item_request(c.PurchaseRequest),
    c.PurchaseAnswer: st.builds(c.PurchaseAnswer, operator),
    c.SaleReturnRequest: item_request(c.SaleReturnRequest),
    c.SaleReturnAnswer: st.builds(c.SaleReturnAnswer, operator),
    c.PurchaseReturnRequest: item_request(c.PurchaseReturnRequest),
    c.PurchaseReturnAnswer: st.builds(c.PurchaseReturnAnswer, operator),
    c.CloseReceiptRequest: st.builds(
        lambda pw, payments, discount, tax, text: c.CloseReceiptRequest(pw, payments, discount, tax, *text),
        password, st.tuples(money, money, money, money), st.integers(-2**15, 2**15 - 1), taxes,
        text_fields(MAX_BODY_SIZE - 31, 40)),
    c.CloseReceiptAnswer: st.builds(c.CloseReceiptAnswer, operator, money, cp1251_text(MAX_BODY_SIZE - 8)),
    c.CancelReceiptRequest: st.builds(c.CancelReceiptRequest, password),
    c.CancelReceiptAnswer: st.builds(c.CancelReceiptAnswer, operator),
    c.SubtotalRequest: st.builds(c.SubtotalRequest, password),
    c.SubtotalAnswer: st.builds(c.SubtotalAnswer, operator, money),
    c.FnStatusRequest: st.builds(c.FnStatusRequest, password),
    c.FnStatusAnswer: st.builds(
        c.FnStatusAnswer, phase=byte, current_document=byte, document_data_received=st.booleans(),
        shift_open=st.booleans(), warnings=byte, document_datetime=fn_datetime,
        fn_number=st.text(alphabet=st.characters(max_codepoint=127), min_size=16, max_size=16),
        last_document_number=st.integers(0, 2**32 - 1)),
    c.SendTlvRequest: st.builds(c.SendTlvRequest, password, st.binary(max_size=MAX_BODY_SIZE - 6)),
    c.SendTlvAnswer: st.builds(c.SendTlvAnswer),
}


def _field_structure(size: int) -> st.SearchStrategy:
    bound = st.integers(0, 2 ** (8 * size) - 1)
    return st.builds(c.FieldStructureAnswer, cp1251_text(40), st.just(c.FieldType.BIN), st.just(size), bound, bound)


def _text_request(build, fields, room: int, min_size: int) -> st.SearchStrategy:
    return st.builds(lambda values, text: build(*values, text=text[0], text_size=text[1]),
                     st.tuples(*fields), text_fields(room, min_size))


_FISCALIZATION_PREFIX = (fn_datetime, ascii_text(12), ascii_text(20), byte, byte, uint32, uint32)

STRATEGIES.update({
    # Receipts of the ФН era and corrections.
    c.OperationV2Request: _text_request(
        c.OperationV2Request, (password, byte, st.integers(0, 2**48 - 1), money, money_or_none, money_or_none, byte,
                               byte, byte, byte), 128, 0),
    c.CloseReceiptV2Request: _text_request(
        c.CloseReceiptV2Request, (password, money_tuple(16), byte, money_tuple(6), byte), 64, 0),
    c.CloseReceiptV2Answer: st.builds(c.CloseReceiptV2Answer, money, uint32, uint32, document_datetime),
    c.SendOperationTlvRequest: st.builds(c.SendOperationTlvRequest, password, st.binary(max_size=MAX_BODY_SIZE - 6)),
    c.CloseReceiptExtendedRequest: _text_request(
        c.CloseReceiptExtendedRequest, (password, money_tuple(16), st.integers(-2**15, 2**15 - 1), taxes),
        MAX_BODY_SIZE - 91, 40),
    c.CloseReceiptExtendedAnswer: st.builds(c.CloseReceiptExtendedAnswer, operator, money),
    c.DiscountOperationRequest: st.builds(
        c.DiscountOperationRequest, password, byte, money, money, money, money, byte, byte, money,
        cp1251_text(100), cp1251_text(100), st.integers(0, 220)),
    c.ReceiptDiscountRequest: _text_request(c.ReceiptDiscountRequest, (password, money, money, byte), 128, 0),
    c.CorrectionRequest: st.builds(c.CorrectionRequest, password, money, byte),
    c.CorrectionAnswer: st.builds(c.CorrectionAnswer, word, uint32, uint32, document_datetime),
    c.CorrectionV2Request: st.builds(c.CorrectionV2Request, password, byte, byte, money, money_tuple(5),
                                     money_tuple(6), byte),
    c.CorrectionV2Answer: st.builds(c.CorrectionV2Answer, word, uint32, uint32, document_datetime),
    # ФН reading and exchange state.
    c.FnNumberAnswer: st.builds(c.FnNumberAnswer, ascii_text(16)),
    c.FnExpiryAnswer: st.builds(c.FnExpiryAnswer, fn_date)
    | st.builds(c.FnExpiryAnswer, fn_date, byte, byte),
    c.FnVersionAnswer: st.builds(c.FnVersionAnswer, ascii_text(16), byte),
    c.FindDocumentRequest: st.builds(c.FindDocumentRequest, password, uint32),
    c.FindDocumentAnswer: st.builds(c.FindDocumentAnswer, byte, st.booleans(), st.binary(max_size=MAX_BODY_SIZE - 5)),
    c.DocumentTlvRequest: st.builds(c.DocumentTlvRequest, password, uint32),
    c.DocumentTlvAnswer: st.builds(c.DocumentTlvAnswer, word, word),
    c.ReadTlvAnswer: st.builds(c.ReadTlvAnswer, st.binary(max_size=MAX_BODY_SIZE - 3)),
    c.TicketRequest: st.builds(c.TicketRequest, password, uint32),
    c.TicketAnswer: st.builds(c.TicketAnswer, st.binary(max_size=MAX_BODY_SIZE - 3)),
    c.RegistrationTagRequest: st.builds(c.RegistrationTagRequest, password, byte, word),
    c.RegistrationTagAnswer: st.builds(c.RegistrationTagAnswer, st.binary(max_size=MAX_BODY_SIZE - 3)),
    c.FiscalizationTagRequest: st.builds(c.FiscalizationTagRequest, password, byte, word),
    c.FiscalizationTagAnswer: st.builds(c.FiscalizationTagAnswer, st.binary(max_size=MAX_BODY_SIZE - 3)),
    c.ExchangeStatusAnswer: st.builds(c.ExchangeStatusAnswer, byte, st.booleans(), word, uint32, fn_datetime),
    c.UnconfirmedCountAnswer: st.builds(c.UnconfirmedCountAnswer, word),
    c.FnMemoryAnswer: st.builds(c.FnMemoryAnswer, uint32, uint32, st.none() | byte),
    # ФН shifts, reports and registration.
    c.FnOpenShiftAnswer: st.builds(c.FnOpenShiftAnswer, word, uint32, uint32),
    c.FnCloseShiftAnswer: st.builds(c.FnCloseShiftAnswer, word, uint32, uint32, document_datetime),
    c.ShiftParametersAnswer: st.builds(c.ShiftParametersAnswer, st.booleans(), word, word),
    c.SettlementReportAnswer: st.builds(c.SettlementReportAnswer, uint32, uint32, uint32, fn_date, document_datetime),
    c.BeginRegistrationRequest: st.builds(c.BeginRegistrationRequest, password, byte),
    c.RegistrationRequest: st.builds(c.RegistrationRequest, password, ascii_text(12), ascii_text(20), byte, byte),
    c.RegistrationAnswer: st.builds(c.RegistrationAnswer, uint32, uint32, document_datetime),
    c.ReregistrationRequest: st.builds(c.ReregistrationRequest, password, ascii_text(12), ascii_text(20), byte, byte,
                                       byte),
    c.ReregistrationAnswer: st.builds(c.ReregistrationAnswer, uint32, uint32, document_datetime),
    c.ResetFnRequest: st.builds(c.ResetFnRequest, password, byte),
    c.CloseFiscalModeAnswer: st.builds(c.CloseFiscalModeAnswer, uint32, uint32, document_datetime),
    c.FiscalizationTotalsAnswer: st.builds(c.FiscalizationTotalsAnswer, *_FISCALIZATION_PREFIX, document_datetime)
    | st.builds(lambda *values: c.FiscalizationTotalsAnswer(*values[:7], None, *values[7:]),
                *_FISCALIZATION_PREFIX, byte, ascii_text(12), uint32),
    c.RegistrationTotalsRequest: st.builds(c.RegistrationTotalsRequest, password, byte),
    c.RegistrationTotalsAnswer: st.builds(c.RegistrationTotalsAnswer, *_FISCALIZATION_PREFIX, st.none() | byte)
    | st.builds(c.RegistrationTotalsAnswer, *_FISCALIZATION_PREFIX, uint32, byte, ascii_text(12)),
    # Device, tables, clock.
    c.SetExchangeParametersRequest: st.builds(c.SetExchangeParametersRequest, password, byte, byte, byte),
    c.ReadExchangeParametersRequest: st.builds(c.ReadExchangeParametersRequest, password, byte),
    c.ReadExchangeParametersAnswer: st.builds(c.ReadExchangeParametersAnswer, byte, byte),
    c.TechnologicalResetRequest: st.builds(c.TechnologicalResetRequest),
    c.StartTestRunRequest: st.builds(c.StartTestRunRequest, password, byte),
    c.CashRegisterRequest: st.builds(c.CashRegisterRequest, password, byte)
    | st.builds(c.CashRegisterRequest, password, word, st.just(True)),
    c.CashRegisterAnswer: st.builds(c.CashRegisterAnswer, operator, st.integers(0, 2**48 - 1)),
    c.OperationRegisterRequest: st.builds(c.OperationRegisterRequest, password, byte),
    c.OperationRegisterAnswer: st.builds(c.OperationRegisterAnswer, operator, word),
    c.OpenDrawerRequest: st.builds(c.OpenDrawerRequest, password, byte),
    c.FeedRequest: st.builds(c.FeedRequest, password, byte, byte),
    c.FontParametersRequest: st.builds(c.FontParametersRequest, password, byte),
    c.FontParametersAnswer: st.builds(c.FontParametersAnswer, word, byte, byte, byte),
    c.ErrorNameRequest: st.builds(c.ErrorNameRequest, st.none() | byte),
    c.ErrorNameAnswer: st.builds(c.ErrorNameAnswer, cp1251_text(MAX_BODY_SIZE - 2)),
    c.WriteTableRequest: st.builds(c.WriteTableRequest, password, byte, word, byte,
                                   st.binary(max_size=MAX_BODY_SIZE - 9)),
    c.ReadTableRequest: st.builds(c.ReadTableRequest, password, byte, word, byte),
    c.ReadTableAnswer: st.builds(c.ReadTableAnswer, st.binary(max_size=MAX_BODY_SIZE - 2)),
    c.TableStructureRequest: st.builds(c.TableStructureRequest, password, byte),
    c.TableStructureAnswer: st.builds(c.TableStructureAnswer, cp1251_text(40), word, byte),
    c.FieldStructureRequest: st.builds(c.FieldStructureRequest, password, byte, byte),
    c.FieldStructureAnswer: st.builds(c.FieldStructureAnswer, cp1251_text(40), st.just(c.FieldType.CHAR), byte)
    | st.integers(0, 105).flatmap(_field_structure),
    c.SetTimeRequest: st.builds(c.SetTimeRequest, password, byte, byte, byte),
    c.SetDateRequest: st.builds(c.SetDateRequest, password, byte, byte, byte),
    c.ConfirmDateRequest: st.builds(c.ConfirmDateRequest, password, byte, byte, byte),
    # Printing.
    c.PrintBoldLineRequest: _text_request(c.PrintBoldLineRequest, (password, byte), MAX_BODY_SIZE - 6, 0),
    c.PrintFontLineRequest: _text_request(c.PrintFontLineRequest, (password, byte, byte), MAX_BODY_SIZE - 7, 0),
    c.DocumentHeaderRequest: st.builds(c.DocumentHeaderRequest, password, cp1251_text(30), word),
    c.DocumentHeaderAnswer: st.builds(c.DocumentHeaderAnswer, operator, word),
    c.DocumentEndRequest: st.builds(c.DocumentEndRequest, password, byte),
    # The register's buffer and authorisation.
    c.BufferStatusAnswer: st.builds(c.BufferStatusAnswer, word, byte),
    c.ReadBufferRequest: st.builds(c.ReadBufferRequest, password, word, byte),
    c.ReadBufferAnswer: st.builds(c.ReadBufferAnswer, st.binary(max_size=MAX_BODY_SIZE - 3)),
    c.StartBufferWriteRequest: st.builds(c.StartBufferWriteRequest, password, word),
    c.StartBufferWriteAnswer: st.builds(c.StartBufferWriteAnswer, byte),
    c.WriteBufferRequest: st.builds(c.WriteBufferRequest, password, word, st.binary(max_size=MAX_BODY_SIZE - 9)),
    c.RandomDataAnswer: st.builds(c.RandomDataAnswer, st.binary(min_size=16, max_size=16)),
    c.AuthorizeRequest: st.builds(c.AuthorizeRequest, password, st.binary(min_size=16, max_size=16)),
    # Extended and service commands.
    c.ExtendedRequest: st.builds(c.ExtendedRequest, byte, st.binary(max_size=MAX_BODY_SIZE - 2)),
    c.ExtendedAnswer: st.builds(c.ExtendedAnswer, st.binary(max_size=MAX_BODY_SIZE - 2)),
    c.ServiceRequest: st.builds(c.ServiceRequest, byte, st.binary(max_size=MAX_BODY_SIZE - 2)),
    c.ServiceAnswer: st.builds(c.ServiceAnswer, st.binary(max_size=MAX_BODY_SIZE - 2)),
})

ALL_TYPES = sorted({*c.REQUEST_TYPES.values(), *c.ANSWER_TYPES.values()}, key=lambda t: (t.CODE, t.IS_ANSWER))

# The many commands made of a password alone, or answered with the error byte
# or the operator number alone, share one strategy per shape.
for _type in ALL_TYPES:
    if _type in STRATEGIES:
        continue
    if issubclass(_type, PasswordRequest):
        STRATEGIES[_type] = st.builds(_type, password)
    elif issubclass(_type, OperatorAnswer):
        STRATEGIES[_type] = st.builds(_type, operator)
    elif issubclass(_type, EmptyAnswer):
        STRATEGIES[_type] = st.builds(_type)

# Classes whose body has no tail after the fixed layout.
OPTIONAL_TAIL_TYPES = (
    c.ShortStatusAnswer, c.LongStatusAnswer, c.DeviceTypeAnswer, c.CloseReceiptAnswer, c.SendTlvRequest,
    c.FnExpiryAnswer, c.FindDocumentAnswer, c.FnMemoryAnswer, c.FiscalizationTotalsAnswer,
    c.RegistrationTotalsAnswer, c.CashRegisterRequest, c.ErrorNameRequest, c.ErrorNameAnswer,
    c.FieldStructureAnswer, c.DiscountOperationRequest,
)
FIXED_TYPES = [t for t in ALL_TYPES if not issubclass(t, (TextTailMessage, BytesTailMessage, DateTimeTailMessage,
                                                         *OPTIONAL_TAIL_TYPES))]


def _name(message_type: type) -> str:
    return message_type.__name__


def test_strategies_cover_registry():
    assert set(STRATEGIES) == set(ALL_TYPES)


@pytest.mark.parametrize("message_type", ALL_TYPES, ids=_name)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_round_trip(message_type, data):
    message = data.draw(STRATEGIES[message_type])
    body = message.encode()
    decoded = message_type.decode(body)
    assert decoded == message
    assert decoded.encode() == body


@pytest.mark.parametrize("message_type", ALL_TYPES, ids=_name)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_header_carries_code_and_error_zero(message_type, data):
    body = data.draw(STRATEGIES[message_type]).encode()
    code = c.code_bytes(message_type.CODE)
    assert body.startswith(code)
    if message_type.IS_ANSWER:
        assert body[len(code)] == 0
    assert c.command_code(body) == message_type.CODE


@pytest.mark.parametrize("message_type", ALL_TYPES, ids=_name)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_truncated_fixed_part_rejected(message_type, data):
    body = data.draw(STRATEGIES[message_type]).encode()
    fixed_end = len(c.code_bytes(message_type.CODE)) + message_type.IS_ANSWER + message_type.LAYOUT.sizeof()
    for cut in range(fixed_end):
        with pytest.raises(DecodeError):
            message_type.decode(body[:cut])


@pytest.mark.parametrize("message_type", FIXED_TYPES, ids=_name)
@settings(max_examples=10, deadline=None)
@given(data=st.data(), extra=st.binary(min_size=1, max_size=8))
def test_fixed_layout_rejects_trailing_bytes(message_type, data, extra):
    body = data.draw(STRATEGIES[message_type]).encode()
    with pytest.raises(DecodeError):
        message_type.decode(body + extra)


@pytest.mark.parametrize("message_type", ALL_TYPES, ids=_name)
def test_other_command_code_rejected(message_type):
    other = 0x12 if message_type.CODE != 0x12 else 0x13
    body = bytes((other,)) + bytes(300)
    with pytest.raises(DecodeError, match="0x12|0x13"):
        message_type.decode(body)


@pytest.mark.parametrize("message_type", list(c.ANSWER_TYPES.values()), ids=_name)
def test_answer_with_error_rejected(message_type):
    body = c.code_bytes(message_type.CODE) + b"\x4f" + bytes(message_type.LAYOUT.sizeof() + 40)
    with pytest.raises(DecodeError, match="ErrorAnswer"):
        message_type.decode(body)
