"""CLI message catalogue and language selection."""

from __future__ import annotations

import string

import pytest

from kktemu.tools.i18n import COLUMNS, ERROR_PREFIX, LANGUAGES, MESSAGES, message, resolve_language


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_message_in_both_languages(key):
    assert set(MESSAGES[key]) == set(LANGUAGES)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_message_placeholders_match(key):
    assert _placeholders(MESSAGES[key]["en"]) == _placeholders(MESSAGES[key]["ru"])


def test_tables_cover_languages():
    assert set(COLUMNS) == set(LANGUAGES)
    assert set(ERROR_PREFIX) == set(LANGUAGES)
    assert len(COLUMNS["en"]) == len(COLUMNS["ru"])


def test_ready_lines_same_in_both_languages():
    for key in ("fn_file", "listening_tcp", "listening_pty"):
        assert MESSAGES[key]["en"] == MESSAGES[key]["ru"]


def test_message_formats_values():
    assert message("listening_tcp", "ru", address="127.0.0.1:7778") == "listening tcp 127.0.0.1:7778"


LOCALES = [
    ({}, "en"),
    ({"LANG": "ru_RU.UTF-8"}, "ru"),
    ({"LANG": "RU_ru"}, "ru"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
    ({"LC_ALL": "C.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "ru_RU.UTF-8"}, "ru"),  # an empty variable counts as unset
]


@pytest.mark.parametrize(("environment", "expected"), LOCALES)
def test_language_from_locale(monkeypatch, environment, expected):
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert resolve_language(None) == expected


def test_option_beats_locale(monkeypatch):
    monkeypatch.setenv("LC_ALL", "ru_RU.UTF-8")
    assert resolve_language("en") == "en"
