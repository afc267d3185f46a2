"""Fiscal sign imitation: printed value, key derivation, verification."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.fn_storage.forming import FN_BLOCK_TAGS, build_document
from kktemu.fn_storage.signing import (
    DEFAULT_MASTER_KEY,
    compute_fiscal_sign,
    derive_fn_key,
    fiscal_sign_value,
    printed_fiscal_sign,
    verify_document,
)
from kktemu.protocol.errors import DecodeError
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv

KEY = derive_fn_key(DEFAULT_MASTER_KEY, "9999078900000001")


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        # 1077 of the two real ФН documents in yandex/ofd tests (example_test.py and ofd_test.py).
        (bytes.fromhex("21 04 AA 10 75 41"), 2853205313),
        (bytes.fromhex("21 04 1C 6B 81 A4"), 476807588),
    ],
)
def test_printed_fiscal_sign_vectors(value, printed):
    assert printed_fiscal_sign(value) == printed
    assert fiscal_sign_value(printed) == value


def test_interface_fiscal_sign_is_little_endian():
    # shtrih-m/javapos_shtrih FSFindDocumentTests.java: interface bytes EB EA 4B 2E are ФПД 776727275.
    assert int.from_bytes(bytes.fromhex("EB EA 4B 2E"), "little") == 776727275


def test_key_depends_on_serial_and_master_key():
    assert derive_fn_key(DEFAULT_MASTER_KEY, "9999078900000002") != KEY
    assert derive_fn_key(b"another master key", "9999078900000001") != KEY
    assert len(KEY) == 32


def _document(register_tlv: bytes, fd_number: int = 7) -> bytes:
    stlv, _ = build_document(
        key=KEY, form=3, serial="9999078900000001", rnm="0000000005008570", inn="7702203276",
        fd_number=fd_number, moment=dt.datetime(2024, 3, 1, 12, 30), register_tlv=register_tlv,
    )
    return stlv


def test_document_starts_with_fn_block():
    stlv = _document(encode_tlv(1021, b"\x88"))
    form, value = split_tlv(stlv)[0]
    tags = [tag for tag, _ in split_tlv(value)]
    assert form == 3
    assert tags == [*FN_BLOCK_TAGS, 1021]


def test_document_fn_block_values():
    items = dict(split_tlv(split_tlv(_document(b""))[0][1]))
    assert items[1041] == b"9999078900000001"
    assert items[1037] == b"0000000005008570    "
    assert items[1018] == b"7702203276  "
    assert items[1040] == (7).to_bytes(4, "little")
    assert items[1012] == (1709296200).to_bytes(4, "little")  # 2024-03-01 12:30 written as if UTC
    assert items[1077][:2] == b"\x21\x04"


def test_sign_covers_message_without_1077():
    stlv = _document(encode_tlv(1021, b"\x88"))
    value = split_tlv(stlv)[0][1]
    unsigned = b"".join(encode_tlv(tag, item) for tag, item in split_tlv(value) if tag != 1077)
    sign = dict(split_tlv(value))[1077]
    assert printed_fiscal_sign(sign) == compute_fiscal_sign(KEY, 3, unsigned)


def test_verify_detects_tampering():
    stlv = _document(encode_tlv(1020, b"\x10\x27"))
    assert verify_document(KEY, stlv)
    tampered = stlv[:-1] + bytes((stlv[-1] ^ 1,))
    assert not verify_document(KEY, tampered)


def test_verify_rejects_other_key():
    assert not verify_document(derive_fn_key(DEFAULT_MASTER_KEY, "9999078900000002"), _document(b""))


def test_verify_without_sign_is_false():
    assert not verify_document(KEY, encode_tlv(3, encode_tlv(1040, bytes(4))))


def test_verify_with_two_signs_is_false():
    stlv = _document(b"")
    form, value = split_tlv(stlv)[0]
    assert not verify_document(KEY, encode_tlv(form, value + encode_tlv(1077, fiscal_sign_value(1))))


def test_verify_raises_on_broken_framing():
    with pytest.raises(DecodeError):
        verify_document(KEY, _document(b"")[:-1])


@given(register_tlv=st.lists(st.builds(encode_tlv, st.integers(1078, 1300), st.binary(max_size=30)), max_size=6),
       fd_number=st.integers(1, 0xFFFFFFFF))
def test_sign_round_trip(register_tlv, fd_number):
    stlv = _document(b"".join(register_tlv), fd_number)
    assert verify_document(KEY, stlv)
    assert printed_fiscal_sign(dict(split_tlv(split_tlv(stlv)[0][1]))[1077]) != 0


@given(st.binary(max_size=64), st.integers(0, 0xFFFF))
def test_fiscal_sign_never_zero(message, form):
    assert compute_fiscal_sign(KEY, form, message) != 0
