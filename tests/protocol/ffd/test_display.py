"""Text and JSON renderings of decoded fields."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from kktemu.protocol.errors import KktemuError
from kktemu.protocol.ffd.display import (document_to_json, field_to_json, fields_to_json, format_field,
                                         format_fields, format_hex, format_money, format_value, tag_label)
from kktemu.protocol.ffd.documents import decode_document, encode_document
from kktemu.protocol.ffd.fields import decode_fields, encode_fields
from kktemu.protocol.ffd.schema import TlvType
from kktemu.protocol.ffd.tag_table import TAGS
from kktemu.protocol.ffd.tags import MONEY_TAGS


def _only(data):
    (field,) = decode_fields(data)
    return field


def _field(tag, value):
    return _only(encode_fields([(tag, value)]))


@pytest.mark.parametrize("kopecks, text", [(12345, "123.45"), (0, "0.00"), (5, "0.05"), (100, "1.00"),
                                           (-250, "-2.50")])
def test_format_money(kopecks, text):
    assert format_money(kopecks) == text


def test_money_tag_as_rubles():
    assert format_value(_field(1020, 12345)) == "123.45"


# A zero-length VLN (shtrih-m/fr_drv_ng issue 134) prints as 0.00.
def test_zero_length_money_prints_zero():
    assert format_value(_only(bytes.fromhex("07 04 00 00"))) == "0.00"


def test_non_money_vln_as_integer():
    assert format_value(_field(1293, 5)) == "5"


# The quantity keeps its scale, as in the receipt of kosov/fns-check issue 3.
@pytest.mark.parametrize("frame, text", [("FF 03 04 00 06 40 42 0F", "1.000000"), ("FF 03 03 00 03 B8 BA", "47.800"),
                                         ("FF 03 02 00 03 FA", "0.250"), ("FF 03 02 00 06 00", "0.000000")])
def test_fvln_keeps_scale(frame, text):
    assert format_value(_only(bytes.fromhex(frame))) == text


def test_unixtime_format():
    assert format_value(_only(bytes.fromhex("F4 03 04 00 98 55 B9 58"))) == "2017-03-03 11:38:00"


def test_string_padding_trimmed():
    assert format_value(_field(1018, "7702203276")) == "7702203276"
    assert format_value(_field(1048, "ООО РАПКАТ-центр ")) == "ООО РАПКАТ-центр"


def test_string_control_characters_escaped():
    assert format_value(_field(1187, "ул. Кусковская\r\nд.20А")) == "ул. Кусковская\\r\\nд.20А"
    assert format_value(_field(1030, "a\x01b")) == "a\\x01b"


# 1162 is binary and prints as hex only (shtrih-m/fr_drv_ng issues 141 and 97).
def test_product_code_1162_as_hex():
    field = _only(bytes.fromhex("8A 04 15 00 44 4D 04 2F 4E F3 B2 D5 41 62 33 78 59 39 51 31 31 32 30 30 30"))
    text = format_value(field)
    assert text == "44 4D 04 2F 4E F3 B2 D5 41 62 33 78 59 39 51 31 31 32 30 30 30"
    assert text.isascii()
    assert field_to_json(field)["value"] == "444D042F4EF3B2D541623378593951313132303030"


def test_fiscal_sign_as_printed_number():
    field = _field(1077, bytes.fromhex("21 04 AA 10 75 41"))
    assert format_value(field) == "2853205313"
    assert field_to_json(field) == {"tag": 1077, "name": "document fiscal sign", "value": "2104AA107541",
                                    "printed": 2853205313}


def test_fiscal_sign_of_wrong_length_as_hex():
    field = _only(bytes.fromhex("35 04 02 00 21 04"))
    assert format_value(field) == "21 04"


def test_fiscal_operator_sign_as_hex():
    assert format_value(_field(1078, bytes(range(4)))) == "00 01 02 03"


# An unknown tag prints in place as hex (shtrih-m/fr_drv_ng issue 301).
def test_unknown_tag_line():
    field = _only(bytes.fromhex("5B 04 02 00 D2 04"))
    assert format_field(field) == "1115 (unknown): D2 04"
    assert format_field(field, "ru") == "1115 (неизвестный реквизит): D2 04"
    assert tag_label(field) == "(unknown)"
    assert field_to_json(field) == {"tag": 1115, "name": None, "value": "D204"}


def test_unknown_empty_value():
    assert format_value(_only(bytes.fromhex("5B 04 00 00"))) == "(empty)"


@pytest.mark.parametrize("value, en, ru", [(1, "1 (bit 0)", "1 (бит 0)"), (6, "6 (bits 1, 2)", "6 (биты 1, 2)"),
                                           (0, "0 (no bits)", "0 (нет битов)")])
def test_bitmask_bits(value, en, ru):
    field = _field(1055, value)
    assert format_value(field) == en
    assert format_value(field, "ru") == ru


def test_plain_byte_as_number():
    assert format_value(_field(1054, 1)) == "1"


def test_bad_value_shown_with_error():
    field = _only(bytes.fromhex("FE 03 02 00 2A 00"))
    assert format_value(field) == "(invalid: byte value needs 1 byte, got 2) 2A 00"
    assert field_to_json(field) == {"tag": 1022, "name": "OFD response code", "value": "2A00",
                                    "error": "byte value needs 1 byte, got 2"}


def test_field_tree_lines():
    data = encode_fields([(1054, 1), (1059, [(1030, "Сахар"), (1023, Decimal("1.000")),
                                             (1043, 2800)]), (1020, 2800)])
    assert format_fields(decode_fields(data)) == [
        "1054 settlement type: 1",
        "1059 item:",
        "  1030 item name: Сахар",
        "  1023 item quantity: 1.000",
        "  1043 item total: 28.00",
        "1020 receipt total: 28.00",
    ]
    assert format_fields(decode_fields(data), "ru")[1] == "1059 предмет расчета:"
    assert format_value(decode_fields(data)[1]) == "3 fields"


def test_json_tree_serialises():
    raw = encode_document(3, [(1012, dt.datetime(2024, 3, 1, 9, 0)),
                              (1059, [(1023, Decimal("0.250")), (1043, 2800)]),
                              (1020, 2800), (1162, b"\x44\x4D")])
    converted = document_to_json(decode_document(raw))
    assert json.loads(json.dumps(converted, ensure_ascii=False)) == converted
    assert converted == {"form": 3, "name": "receipt", "fields": [
        {"tag": 1012, "name": "date and time", "value": "2024-03-01T09:00:00"},
        {"tag": 1059, "name": "item", "value": [
            {"tag": 1023, "name": "item quantity", "value": "0.250"},
            {"tag": 1043, "name": "item total", "value": 2800},
        ]},
        {"tag": 1020, "name": "receipt total", "value": 2800},
        {"tag": 1162, "name": "product code (FFD 1.05)", "value": "444D"},
    ]}


def test_json_keeps_string_padding_and_russian_names():
    (item,) = fields_to_json([_field(1018, "7702203276")], "ru")
    assert item == {"tag": 1018, "name": "ИНН пользователя", "value": "7702203276  "}


def test_unknown_language_rejected():
    with pytest.raises(KktemuError):
        format_value(_field(1054, 1), "de")


def test_format_hex():
    assert format_hex(bytes.fromhex("d204")) == "D2 04"
    assert format_hex(b"") == ""


def test_money_tags_are_the_sum_vlns():
    vln_tags = {tag for tag, info in TAGS.items() if info.type is TlvType.VLN}
    assert MONEY_TAGS == vln_tags - {1293, 1294}
