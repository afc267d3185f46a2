"""ФН command and result codes."""

from __future__ import annotations

import pytest

from kktemu.protocol.fn.codes import FnCommand, FnResult, split_answer_code

# Result codes of the FNS ФН interface description v1.2 (tables 4 and 5) and the
# ФН-1.1 additions listed in driver error tables.
SPECIFIED_RESULTS = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10, 0x11, 0x12, 0x14,
                     0x15, 0x16, 0x17, 0x20}
FN11_RESULTS = {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x18, 0x19}


def test_result_codes_are_exactly_the_specified_ones():
    assert {int(code) for code in FnResult} == SPECIFIED_RESULTS | FN11_RESULTS


def test_result_13h_is_not_assigned():
    with pytest.raises(ValueError):
        FnResult(0x13)


@pytest.mark.parametrize("result", list(FnResult))
def test_every_result_has_both_descriptions(result):
    assert result.description_ru
    assert result.description_en


def test_shift_over_24_hours_description():
    assert FnResult(0x16).description_ru == "Продолжительность смены более 24 часов"


@pytest.mark.parametrize("command", list(FnCommand))
def test_every_command_has_a_russian_title(command):
    assert command.title_ru


def test_interface_commands_present():
    expected = {0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                0x19, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x30, 0x31, 0x32, 0x33, 0x35, 0x40, 0x41,
                0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x60}
    assert expected <= {int(command) for command in FnCommand}


def test_split_answer_code_warning_bit():
    assert split_answer_code(0x96) == (0x16, True)
    assert split_answer_code(0x00) == (0x00, False)
