"""Field values of the settings tables: 1Fh encoding, 1Eh decoding and range checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.emulator.table_defaults import TABLES
from kktemu.emulator.table_layout import InvalidValue, bin_field, char_field
from kktemu.protocol.shtrih.commands_tables import NAME_SIZE, FieldType

PASSWORD = bin_field("ПАРОЛИ КАССИРОВ", 4, 0, 99999999, 7)
NAME = char_field("ДОЛЖНОСТИ И ФАМИЛИИ КАССИРОВ", 64, "КАССИР")
INN = char_field("INN", 17)
CP1251_TEXT = st.text(alphabet=st.characters(codec="cp1251", min_codepoint=0x20), max_size=17)


def test_bin_encodes_little_endian_field_size():
    assert PASSWORD.encode(0x01020304) == bytes.fromhex("04 03 02 01")
    assert PASSWORD.decode(bytes.fromhex("04 03 02 01")) == 0x01020304


def test_bin_shorter_value_zero_extended():
    assert PASSWORD.decode(b"\x1e") == 30
    assert PASSWORD.decode(b"\x1e\x00") == 30


def test_bin_trailing_byte_rejected():
    with pytest.raises(InvalidValue, match="5 bytes for a BIN field of 4"):
        PASSWORD.decode(PASSWORD.encode(1) + b"\x00")


def test_bin_each_prefix_of_the_value():
    # Every prefix up to the field size is a smaller value; nothing is left pending.
    encoded = PASSWORD.encode(0x00050403)
    assert [PASSWORD.decode(encoded[:size]) for size in range(1, 5)] == [3, 0x0403, 0x050403, 0x050403]
    with pytest.raises(InvalidValue):
        PASSWORD.decode(b"")


def test_bin_range_checked():
    with pytest.raises(InvalidValue, match="100000000 is outside 0..99999999"):
        PASSWORD.decode((100_000_000).to_bytes(4, "little"))


def test_char_nul_padded_to_size():
    assert INN.encode("7700000009  ") == b"7700000009  ".ljust(17, b"\0")
    assert NAME.encode("Я") == b"\xdf".ljust(64, b"\0")


def test_char_ends_at_first_nul():
    assert INN.decode(b"7700000009\0\0\0junk after") == "7700000009"


def test_char_each_prefix():
    encoded = INN.encode("ABC")
    assert [INN.decode(encoded[:size]) for size in range(4)] == ["", "A", "AB", "ABC"]
    assert INN.decode(encoded) == "ABC"


def test_char_too_long_rejected():
    with pytest.raises(InvalidValue, match="18 bytes of text for a CHAR field of 17"):
        INN.decode(b"1" * 18)


def test_char_longer_encode_truncated():
    assert INN.encode("9" * 20) == b"9" * 17


@given(st.integers(0, 99999999))
def test_bin_round_trip(value):
    assert PASSWORD.decode(PASSWORD.encode(value)) == value


@given(CP1251_TEXT)
def test_char_round_trip(text):
    assert INN.decode(INN.encode(text)) == text


def test_defaults_fit_names_and_sizes():
    for number, table in TABLES.items():
        assert len(table.name.encode("cp1251")) <= NAME_SIZE, number
        for field_number, field in enumerate(table.fields, 1):
            assert len(field.name.encode("cp1251")) <= NAME_SIZE, (number, field_number)
            if isinstance(field.default, tuple):
                assert len(field.default) == table.rows, (number, field_number)
            for row in (1, table.rows):
                value = field.default_for(row)
                if field.field_type == FieldType.BIN:
                    assert 0 <= value < 1 << (8 * field.size), (number, field_number)
                else:
                    assert len(value.encode("cp1251")) <= field.size, (number, field_number)


def test_every_factory_value_writes_back():
    # A host that saves the tables with 1Fh and restores them with 1Eh writes each value back.
    for number, table in TABLES.items():
        for field_number, field in enumerate(table.fields, 1):
            for row in range(1, table.rows + 1):
                value = field.default_for(row)
                assert field.decode(field.encode(value)) == value, (number, row, field_number)
