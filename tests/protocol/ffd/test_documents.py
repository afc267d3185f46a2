"""Whole documents: two real ФН documents, the document reader and the fiscal sign."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.documents import (Document, decode_document, encode_document, fiscal_sign_value,
                                           printed_fiscal_sign, read_document)
from kktemu.protocol.ffd.display import format_fields
from kktemu.protocol.ffd.fields import encode_field, field_pairs
from kktemu.protocol.ffd.tlv import encode_tlv

# A 466-byte ККТ→ОФД message from yandex/ofd tests/example_test.py: a 30-byte session
# header, a 32-byte container header, document 11 (re-registration) and a 10-byte trailer.
REREGISTRATION_MESSAGE = bytes.fromhex(
    "2a08410a81a2000139393939303738393030303035343838b40114000000b401"
    "2578a50b011009999907890000548800000184ec4c14c20000010004018a0b00"
    "860111041000393939393037383930303030353438380d041400303030303030"
    "3030303530303835373020202020fa030c003737303232303332373620201004"
    "040001000000f40304009855b958350406002104aa1075412004010000ea0301"
    "0000e90301000055040100015604010000540401000026040100064d04010001"
    "f5030c00303030303030303030303032180411008e8e8e2090808f8a80922de6"
    "a5ade2e020f103300031313131343120a32e8caee1aaa2a02c20e3ab2e208ae3"
    "e1aaaea2e1aaa0ef20a42e32308020aee4a8e120822d323032f9030c00373730"
    "343335383531382020240408006e616c6f672e72755d0413006578616d706c65"
    "406578616d706c652e636f6dfd030a0098a5adadaead208a2e2016040a004f4f"
    "4f20544158434f4da504010002b904010002a4040300322e30a3043100313131"
    "31343120a32e8caee1aaa2a02c20e3ab2e208ae3e1aaaea2e1aaa0ef0d0aa42e"
    "32308020aee4a8e120822d323032b3040c00373731323334353637383930c504"
    "010000b7040100018106a55ae10c4d750000"
)
REREGISTRATION_OFFSET = 62
REREGISTRATION_TRAILER = bytes.fromhex("81 06 A5 5A E1 0C 4D 75 00 00")
REREGISTRATION_ADDRESS = "111141 г.Москва, ул. Кусковская д.20А офис В-202"
REREGISTRATION_FIELDS = [
    (1041, "9999078900005488"),
    (1037, "0000000005008570    "),
    (1018, "7702203276  "),
    (1040, 1),
    (1012, dt.datetime(2017, 3, 3, 11, 38)),  # 1488541080
    (1077, bytes.fromhex("21 04 AA 10 75 41")),
    (1056, 0), (1002, 0), (1001, 0), (1109, 1), (1110, 0), (1108, 0),
    (1062, 6),
    (1101, 1),
    (1013, "000000000002"),
    (1048, "ООО РАПКАТ-центр "),
    (1009, REREGISTRATION_ADDRESS),
    (1017, "7704358518  "),
    (1060, "nalog.ru"),
    (1117, "example@example.com"),
    (1021, "Шеннон К. "),
    (1046, "OOO TAXCOM"),
    (1189, 2), (1209, 2),
    (1188, "2.0"),
    (1187, "111141 г.Москва, ул. Кусковская\r\nд.20А офис В-202"),
    (1203, "771234567890"),
    (1221, 0), (1207, 1),
]

# The container body of yandex/ofd tests/ofd_test.py: document 1 (registration, FFD 1.0
# era, with tags 1049, 1058 and 1061 that later ФФД dropped) and a 10-byte trailer.
REGISTRATION_BODY = bytes.fromhex(
    "0100030111041000393939393037383931323334353637200d04140031323030"
    "30303133303030302020202020202020fa030c00313132323333343435353636"
    "1004040001000000f403040028540e573504060021041c6b81a4e903010000ea"
    "0301000020040100002604010001180409008e8e8e20228c8c8c222104010000"
    "2204010000f10326008caee1aaa2a02c2087a5aba5adeba920afe0aee1afa5aa"
    "e22c20a42e363620aaaee0af2e2032160408008e94842de2a5e1e225040a0077"
    "77772e6f66642e727524040c007777772e6e616c6f672e727519040600313131"
    "323334fd0312009188912e2080848c888d8891929080928e90f5030a00303632"
    "30303030303031810673fca34b28720000"
)
REGISTRATION_TRAILER = bytes.fromhex("81 06 73 FC A3 4B 28 72 00 00")
REGISTRATION_FIELDS = [
    (1041, "999907891234567 "),
    (1037, "120000130000        "),
    (1018, "112233445566"),
    (1040, 1),
    (1012, dt.datetime(2016, 4, 13, 14, 14)),  # 1460556840
    (1077, bytes.fromhex("21 04 1C 6B 81 A4")),
    (1001, 0), (1002, 0), (1056, 0),
    (1062, 1),
    (1048, 'ООО "МММ"'),
    (1057, 0),
    (1058, b"\x00"),
    (1009, "Москва, Зеленый проспект, д.66 корп. 2"),
    (1046, "ОФД-тест"),
    (1061, b"www.ofd.ru"),
    (1060, "www.nalog.ru"),
    (1049, b"111234"),
    (1021, "СИС. АДМИНИСТРАТОР"),
    (1013, "0620000001"),
]


def _reregistration_document() -> bytes:
    return REREGISTRATION_MESSAGE[REREGISTRATION_OFFSET:-len(REREGISTRATION_TRAILER)]


def test_reregistration_fields():
    document, end = read_document(REREGISTRATION_MESSAGE, REREGISTRATION_OFFSET)
    assert document.form == 11
    assert len(document.raw) == 4 + 390
    assert REREGISTRATION_MESSAGE[end:] == REREGISTRATION_TRAILER
    assert [(field.tag, field.value) for field in document.fields] == REREGISTRATION_FIELDS
    assert all(field.error is None and field.info is not None for field in document.fields)


def test_registration_fields():
    document, end = read_document(REGISTRATION_BODY)
    assert document.form == 1
    assert len(document.raw) == 4 + 259
    assert REGISTRATION_BODY[end:] == REGISTRATION_TRAILER
    assert [(field.tag, field.value) for field in document.fields] == REGISTRATION_FIELDS
    unknown = [field.tag for field in document.fields if field.info is None]
    assert unknown == [1058, 1061, 1049]


@pytest.mark.parametrize("raw", [pytest.param(_reregistration_document(), id="re-registration"),
                                 pytest.param(REGISTRATION_BODY[:-len(REGISTRATION_TRAILER)], id="registration")])
def test_real_document_re_encodes(raw):
    document = decode_document(raw)
    assert encode_document(document.form, document.fields) == raw
    assert encode_document(document.form, field_pairs(document.fields)) == raw


# Printed ФПД: bytes 2..5 of 1077 read big-endian (ФФД table 5,
# tag 1077). The signs are those of the two real documents above.
@pytest.mark.parametrize("sign, printed", [("21 04 AA 10 75 41", 2853205313),
                                           ("21 04 1C 6B 81 A4", 476807588)])
def test_printed_fiscal_sign(sign, printed):
    assert printed_fiscal_sign(bytes.fromhex(sign)) == printed
    assert fiscal_sign_value(printed) == bytes.fromhex(sign)


def test_printed_fiscal_sign_needs_six_bytes():
    with pytest.raises(DecodeError):
        printed_fiscal_sign(bytes(4))


def test_fiscal_sign_value_limits():
    with pytest.raises(EncodeError):
        fiscal_sign_value(2**32)
    with pytest.raises(EncodeError):
        fiscal_sign_value(1, prefix=b"\x21")


@given(st.integers(0, 0xFFFFFFFF), st.binary(min_size=2, max_size=2))
def test_fiscal_sign_round_trip(printed, prefix):
    assert printed_fiscal_sign(fiscal_sign_value(printed, prefix)) == printed


def test_read_document_byte_by_byte():
    raw = _reregistration_document()
    for size in range(len(raw)):
        assert read_document(raw[:size]) is None
    document, end = read_document(raw)
    assert end == len(raw)
    assert document.raw == raw


def test_read_document_leaves_trailer():
    document, end = read_document(REREGISTRATION_MESSAGE, REREGISTRATION_OFFSET)
    assert end == len(REREGISTRATION_MESSAGE) - len(REREGISTRATION_TRAILER)
    assert document.raw == _reregistration_document()


def test_decode_document_rejects_trailing_bytes():
    with pytest.raises(DecodeError) as error:
        decode_document(REGISTRATION_BODY)
    assert error.value.offset == len(REGISTRATION_BODY) - len(REGISTRATION_TRAILER)


def test_decode_document_rejects_truncation():
    with pytest.raises(DecodeError):
        decode_document(_reregistration_document()[:-1])


def test_broken_field_frame_raises():
    raw = bytes.fromhex("03 00 06 00 FE 03 05 00 2A 00")  # 1022 claims 5 bytes, has 2
    with pytest.raises(DecodeError):
        decode_document(raw)


def test_document_lookups():
    document = decode_document(_reregistration_document())
    assert document.name("en") == "registration change report"
    assert document.name("ru") == "Отчет об изменении параметров регистрации"
    assert document.find(1040).value == 1
    assert document.find(1059) is None
    assert [field.value for field in document.find_all(1009)] == [REREGISTRATION_ADDRESS]


def test_encode_document_from_pairs():
    raw = encode_document(3, [(1054, 1), (1059, [(1030, "Сахар"), (1043, 2800)]), (1020, 2800)])
    document = decode_document(raw)
    assert isinstance(document, Document)
    assert document.form == 3
    assert [field.tag for field in document.fields] == [1054, 1059, 1020]
    assert [(child.tag, child.value) for child in document.find(1059).value] == [(1030, "Сахар"), (1043, 2800)]


# Readers stopped at «Unknown tag 1115» after the 2025 VAT change (shtrih-m/fr_drv_ng issue 301):
# the tag inserted before 1055 of a whole receipt must decode in place.
def test_unknown_tag_inside_receipt():
    pairs = [(1209, 2), (1012, dt.datetime(2025, 1, 10, 12, 0)), (1054, 1), (1055, 1),
             (1059, [(1214, 4), (1030, "Хлеб"), (1079, 5000), (1023, Decimal("1.000000")), (1199, 1),
                     (1043, 5000)]),
             (1020, 5000), (1031, 5000), (1081, 0)]
    plain = encode_document(3, pairs)
    position = plain.index(encode_field(1055, 1))
    value = plain[4:position] + bytes.fromhex("5B 04 02 00 D2 04") + plain[position:]
    raw = encode_tlv(3, value)
    assert len(raw) == len(plain) + 6

    document = decode_document(raw)
    assert [field.tag for field in document.fields] == [1209, 1012, 1054, 1115, 1055, 1059, 1020, 1031, 1081]
    assert document.find(1115).value == bytes.fromhex("D2 04")
    assert document.find(1055).value == 1
    assert document.find(1020).value == 5000
    lines = format_fields(document.fields)
    assert lines[3] == "1115 (unknown): D2 04"
    assert lines[4] == "1055 applied taxation system: 1 (bit 0)"
    assert encode_document(3, document.fields) == raw
