"""Printer commands 13h, 17h, 25h, B0h and shift commands E0h, 40h, 41h, 50h, 51h."""

from __future__ import annotations

import pytest

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex


def test_beep_bodies():
    assert c.BeepRequest(1).encode() == H("13 01 00 00 00")
    assert c.BeepAnswer(1).encode() == H("13 00 01")


def test_print_line_default_width():
    request = c.PrintLineRequest(password=1, flags=c.PrintFlags.RECEIPT_TAPE, text="Итог")
    body = request.encode()
    # The spec's length for 17h with 40 characters is 46, CMD included.
    assert len(body) == 46
    assert body[:6] == H("17 01 00 00 00 02")
    assert body[6:10] == H("C8 F2 EE E3")
    assert body[10:] == bytes(36)


def test_print_line_short_field_accepted():
    # Some models take fewer than 40 characters (the spec's "6+X" length).
    request = c.PrintLineRequest.decode(H("17 01 00 00 00 03") + "Итог".encode("cp1251"))
    assert request.text == "Итог"
    assert request.flags == c.PrintFlags.CONTROL_TAPE | c.PrintFlags.RECEIPT_TAPE
    assert request.text_size == 4


def test_print_line_empty_text():
    request = c.PrintLineRequest.decode(H("17 01 00 00 00 02"))
    assert request.text == ""


def test_print_line_flag_bits():
    assert c.PrintFlags.WRAP_LINES == 0x40
    assert c.PrintFlags.DEFERRED == 0x80


def test_cut_bodies():
    assert c.CutRequest(1, c.CutType.PARTIAL).encode() == H("25 01 00 00 00 01")
    assert c.CutRequest.decode(H("25 1E 00 00 00 00")) == c.CutRequest(30, c.CutType.FULL)


def test_cut_missing_type_rejected():
    with pytest.raises(DecodeError, match="at least 6"):
        c.CutRequest.decode(H("25 01 00 00 00"))


def test_busy_cut_error_answer():
    # shtrih-m/fr_drv_ng issue 247: a cut while printing got error 50h, frame 02 02 25 50 77.
    assert c.error_answer(0x25, 0x50) == H("25 50")
    assert c.decode_answer(H("25 50")) == c.ErrorAnswer(0x25, 0x50)


def test_continue_printing_bodies():
    assert c.ContinuePrintingRequest(30).encode() == H("B0 1E 00 00 00")
    assert c.ContinuePrintingAnswer.decode(H("B0 00 1E")).operator == 30


def test_open_shift_bodies():
    # pyshtrih 2.0.6 open_shift() frame 02 05 E0 01 00 00 00 E4.
    assert c.OpenShiftRequest.decode(H("E0 01 00 00 00")) == c.OpenShiftRequest(1)
    assert c.OpenShiftAnswer(30).encode() == H("E0 00 1E")


def test_z_report_bodies():
    # Z report with the system administrator password, which closes the shift.
    assert c.ZReportRequest.decode(H("41 1E 00 00 00")) == c.ZReportRequest(30)
    assert c.ZReportAnswer(30).encode() == H("41 00 1E")


def test_x_report_bodies():
    assert c.XReportRequest(29).encode() == H("40 1D 00 00 00")
    assert c.XReportAnswer.decode(H("40 00 1D")).operator == 29


@pytest.mark.parametrize(("request_type", "answer_type", "code"), [
    (c.CashInRequest, c.CashInAnswer, 0x50), (c.CashOutRequest, c.CashOutAnswer, 0x51)])
def test_cash_bodies(request_type, answer_type, code):
    request = request_type(password=1, amount=150000)
    assert request.encode() == bytes((code,)) + H("01 00 00 00 F0 49 02 00 00")
    assert request_type.decode(request.encode()) == request
    answer = answer_type(operator=1, document_number=0x1234)
    assert answer.encode() == bytes((code,)) + H("00 01 34 12")
    assert len(answer.encode()) == 5


def test_cash_amount_out_of_range_rejected():
    with pytest.raises(EncodeError, match="amount"):
        c.CashInRequest(password=1, amount=2**40).encode()
    with pytest.raises(EncodeError, match="document_number"):
        c.CashOutAnswer(operator=1, document_number=0x10000).encode()
