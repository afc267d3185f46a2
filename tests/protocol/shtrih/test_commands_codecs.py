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
from kktemu.protocol.shtrih.commands_base import MAX_BODY_SIZE, TextTailMessage
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

ALL_TYPES = sorted({*c.REQUEST_TYPES.values(), *c.ANSWER_TYPES.values()}, key=lambda t: (t.CODE, t.IS_ANSWER))
# Classes whose body has no tail after the fixed layout.
FIXED_TYPES = [t for t in ALL_TYPES if not issubclass(t, TextTailMessage) and t not in (
    c.ShortStatusAnswer, c.LongStatusAnswer, c.DeviceTypeAnswer, c.CloseReceiptAnswer, c.SendTlvRequest)]


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
