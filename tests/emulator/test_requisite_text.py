"""CP866 text for ФФД requisites from cp1251 text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kktemu.emulator.requisite_text import cp866_text


def test_substitutes_for_cp1251_punctuation():
    assert cp866_text("«Чай» — 5 €", 64) == '"Чай" - 5 EUR'
    assert cp866_text("“a” ‘b’ „c“ …", 64) == "\"a\" 'b' \"c\" ..."


def test_other_missing_characters_become_question_marks():
    assert cp866_text("Ђ Ћ ℃", 64) == "? ? ?"
    assert cp866_text("Ў Ї Є", 64) == "Ў Ї Є"  # CP866 has these


def test_cut_after_substitution():
    assert cp866_text("€€", 4) == "EURE"
    assert cp866_text("Ёж", 1) == "Ё"


@given(st.text(), st.integers(0, 300))
def test_result_encodes_in_cp866(text, max_bytes):
    result = cp866_text(text, max_bytes)
    assert len(result.encode("cp866")) <= max_bytes
