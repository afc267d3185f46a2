"""CLI message catalogue and language selection."""

from __future__ import annotations

import string

import pytest

from kktemu.tools.i18n import CATALOGUE, COLUMNS, ERROR_PREFIX, LANGUAGES, MESSAGES, message, resolve_language


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_message_in_both_languages(key):
    assert set(CATALOGUE[key]) == set(LANGUAGES)


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_message_placeholders_match(key):
    assert _placeholders(CATALOGUE[key]["en"]) == _placeholders(CATALOGUE[key]["ru"])


def test_catalogues_share_no_key():
    keys = [key for catalogue in CATALOGUE.maps for key in catalogue]
    assert len(keys) == len(set(keys))


def test_message_finds_every_catalogue():
    assert message("usage_prefix", "ru") == "Использование:"
    assert message("help_inspect_doc", "en") == "Show only ФД number N, with every tag decoded."
    assert message("archive_header_crc", "ru") == "CRC-32 заголовка архива не совпадает: заголовок повреждён"


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
