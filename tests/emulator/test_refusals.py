"""Refusal texts: a ФН result code is named with its meaning, not only as a number."""

from __future__ import annotations

from kktemu.emulator.refusals import Reason, Refusal
from kktemu.protocol.fn.codes import FnResult


def test_fn_refusal_names_result_meaning():
    refusal = Refusal(Reason.FN_ERROR, "ФН command 11h", fn_code=FnResult.OFD_WAIT_EXHAUSTED)
    text = str(refusal)
    assert text.startswith("the ФН refused the command: ФН command 11h (result 15h ")
    assert "«Исчерпан ресурс ожидания передачи сообщения»" in text
    assert "the oldest document has waited for the ОФД more than 30 days" in text


def test_fn_refusal_unknown_result():
    assert str(Refusal(Reason.FN_ERROR, "ФН command 11h", fn_code=0x7E)) == (
        "the ФН refused the command: ФН command 11h (result 7Eh, not a known ФН result)")


def test_register_refusal_has_no_result():
    refusal = Refusal(Reason.SHIFT_CLOSED)
    assert str(refusal) == "shift is not open"
    assert refusal.fn_code is None
