"""Signs of the ОФД exchange: ФПО (1078) of the operator confirmation and ФПС of a message."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.fn_storage.signing import (
    DEFAULT_MASTER_KEY,
    OPERATOR_SIGN_SIZE,
    compute_message_sign,
    compute_operator_sign,
    derive_fn_key,
    derive_ofd_key,
    message_trailer,
    ofd_key_for,
    verify_operator_sign,
)
from kktemu.protocol.errors import DecodeError
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ofd.confirmation import OperatorConfirmation

SERIAL = "9999078900000001"
FN_KEY = derive_fn_key(DEFAULT_MASTER_KEY, SERIAL)
OFD_KEY = derive_ofd_key(FN_KEY)
UNSIGNED = OperatorConfirmation("7704358518", SERIAL, 3, dt.datetime(2024, 5, 1, 9, 30))


def _signed(confirmation: OperatorConfirmation, key: bytes = OFD_KEY) -> OperatorConfirmation:
    return dataclasses.replace(confirmation, ofd_sign=compute_operator_sign(key, confirmation.unsigned_tlv()))


def test_ofd_key_from_master_key():
    assert ofd_key_for(DEFAULT_MASTER_KEY, SERIAL) == OFD_KEY


def test_ofd_key_differs_per_fn():
    assert ofd_key_for(DEFAULT_MASTER_KEY, "9999078900000002") != OFD_KEY
    assert OFD_KEY != FN_KEY


def test_operator_sign_size():
    assert len(compute_operator_sign(OFD_KEY, UNSIGNED.unsigned_tlv())) == OPERATOR_SIGN_SIZE == 16


def test_verify_signed():
    assert verify_operator_sign(OFD_KEY, _signed(UNSIGNED).encode()) is True


def test_verify_without_sign():
    assert verify_operator_sign(OFD_KEY, UNSIGNED.encode()) is None


def test_verify_with_another_key():
    other = ofd_key_for(b"another master key", SERIAL)
    assert verify_operator_sign(OFD_KEY, _signed(UNSIGNED, other).encode()) is False


@pytest.mark.parametrize("changes", [{"fd_number": 4}, {"answer_code": 14}, {"ofd_inn": "7704358519"}])
def test_verify_after_a_change(changes):
    tampered = dataclasses.replace(_signed(UNSIGNED), **changes)
    assert verify_operator_sign(OFD_KEY, tampered.encode()) is False


def test_verify_sign_of_wrong_size():
    sign = _signed(UNSIGNED).ofd_sign
    assert verify_operator_sign(OFD_KEY, dataclasses.replace(UNSIGNED, ofd_sign=sign + b"\x00\x00").encode()) is False


def test_verify_two_signs():
    sign = _signed(UNSIGNED).ofd_sign
    stlv = encode_tlv(7, UNSIGNED.unsigned_tlv() + encode_tlv(1078, sign) * 2)
    assert verify_operator_sign(OFD_KEY, stlv) is False


def test_sign_covers_the_stored_order():
    # The sign covers the TLVs as received, so an ОФД may order them its own way.
    items = UNSIGNED.unsigned_tlv()
    first = encode_tlv(1017, b"7704358518  ")
    reordered = items.replace(first, b"") + first
    stlv = encode_tlv(7, reordered + encode_tlv(1078, compute_operator_sign(OFD_KEY, reordered)))
    assert verify_operator_sign(OFD_KEY, stlv) is True


def test_verify_malformed():
    with pytest.raises(DecodeError):
        verify_operator_sign(OFD_KEY, b"\x07\x00\x05\x00\x01")


def test_message_sign_shape():
    document = encode_tlv(3, b"\x01\x02")
    sign = compute_message_sign(FN_KEY, document)
    assert len(sign) == 8
    assert sign[:2] == b"\x81\x06"
    assert compute_message_sign(FN_KEY, encode_tlv(3, b"\x01\x03")) != sign


def test_message_trailer():
    document = encode_tlv(3, b"\x01\x02")
    trailer = message_trailer(FN_KEY, document)
    assert len(trailer) == 10
    assert trailer[:8] == compute_message_sign(FN_KEY, document)
    assert trailer[8:] == b"\x00\x00"


@given(
    fd_number=st.integers(0, 0xFFFFFFFF),
    answer_code=st.one_of(st.none(), st.integers(0, 255)),
    minutes=st.integers(0, 60 * 24 * 365 * 50),
)
def test_sign_then_verify(fd_number, answer_code, minutes):
    confirmation = OperatorConfirmation(
        "7704358518", SERIAL, fd_number, dt.datetime(2000, 1, 1) + dt.timedelta(minutes=minutes), answer_code,
    )
    assert verify_operator_sign(OFD_KEY, _signed(confirmation).encode()) is True
