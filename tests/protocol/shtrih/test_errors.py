"""Штрих-М error codes, modes and submodes against the v1.17 spec tables."""

from __future__ import annotations

import pytest

from kktemu.protocol.shtrih.errors import (
    ErrorCode,
    KktMode,
    KktSubmode,
    OpenDocumentStatus,
    mode_byte,
    split_mode_byte,
)

# Every code of the error table of "Протокол работы ККТ с ФН" v1.17, build 25.
SPEC_ERROR_CODES = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x09, 0x10, 0x11, 0x12, 0x14, 0x16, 0x17, 0x20,
    0x2F, 0x30, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3C, 0x3D, 0x3E, 0x3F,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x58, 0x59, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    0x60, 0x61, 0x62, 0x63, 0x65, 0x66, 0x68, 0x69, 0x6A, 0x6B, 0x6D, 0x6E, 0x6F,
    0x71, 0x72, 0x73, 0x74, 0x75, 0x77, 0x78, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
    0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E,
    0x90, 0x91, 0x92, 0x93, 0x94, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xC0, 0xC2, 0xC4, 0xC7, 0xC8,
}


def test_error_table_complete():
    assert {int(code) for code in ErrorCode} == SPEC_ERROR_CODES


def test_error_descriptions_present():
    for code in ErrorCode:
        assert code.russian.strip(), code.name
        assert code.english.strip(), code.name
        assert code.russian != code.english


@pytest.mark.parametrize(("value", "member", "russian"), [
    (0x37, ErrorCode.COMMAND_NOT_SUPPORTED, "Команда не поддерживается в данной реализации ККТ"),
    (0x4F, ErrorCode.WRONG_PASSWORD, "Неверный пароль"),
    (0x33, ErrorCode.INVALID_PARAMETERS, "Некорректные параметры в команде"),
    (0x3D, ErrorCode.SHIFT_NOT_OPEN, "Смена не открыта, операция невозможна"),
    (0x8E, ErrorCode.ZERO_RECEIPT_TOTAL, "Нулевой итог чека"),
    (0x16, ErrorCode.FN_SHIFT_OVER_24H, "Продолжительность смены более 24 часов"),
])
def test_error_lookup(value, member, russian):
    assert ErrorCode(value) is member
    assert member.russian == russian


def test_error_source():
    assert ErrorCode.FN_NO_DATA.from_fn
    assert ErrorCode.FN_OFD_MESSAGE_REJECTED.from_fn
    assert ErrorCode.FN_MARKING_NOT_CHECKED.from_fn
    assert not ErrorCode.FN_NOT_RESPONDING.from_fn
    assert not ErrorCode.WRONG_PASSWORD.from_fn
    assert not ErrorCode.NO_ERROR.from_fn


def test_error_unknown_value():
    with pytest.raises(ValueError):
        ErrorCode(0x06)


def test_modes():
    assert [int(mode) for mode in KktMode] == list(range(1, 15))
    assert KktMode.SHIFT_OPEN.russian == "Открытая смена, 24 часа не кончились"
    assert KktMode(3).english == "Shift open, 24 hours elapsed"


def test_submodes():
    assert [int(submode) for submode in KktSubmode] == list(range(6))
    assert KktSubmode.AFTER_NO_PAPER == 3
    for submode in KktSubmode:
        assert submode.russian and submode.english


def test_open_document_status():
    assert [int(status) for status in OpenDocumentStatus] == [0, 1, 2, 3, 4]


def test_mode_byte():
    assert mode_byte(KktMode.DOCUMENT_OPEN, OpenDocumentStatus.SALE_RETURN) == 0x28
    assert mode_byte(KktMode.SHIFT_CLOSED) == 0x04
    assert split_mode_byte(0x28) == (8, 2)
    assert split_mode_byte(0x04) == (4, 0)


@pytest.mark.parametrize(("mode", "status"), [(16, 0), (8, 16), (-1, 0)])
def test_mode_byte_out_of_range(mode, status):
    with pytest.raises(ValueError):
        mode_byte(mode, status)
