"""The mock ОФД's message checks without a socket: structure, numbers, signs, and arbitrary bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.fn_storage.signing import DEFAULT_MASTER_KEY, compute_fiscal_sign, derive_fn_key, fiscal_sign_tlv
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string, encode_uint32
from kktemu.protocol.ofd.message import OfdMessage, decode_message
from kktemu.protocol.ofd.session import CLIENT_MESSAGE_FLAGS
from kktemu.tools.ofd import InvalidMessage, ReceivedDocument, check_signs, parse_message


@pytest.fixture(scope="module")
def fn_message(tmp_path_factory) -> bytes:
    """The message for ФД 1 of a new kktemu ФН 9999078900000031."""
    path = tmp_path_factory.mktemp("intake") / "fn.bin"
    with Emulator(path, clock=Clock(dt.datetime(2024, 3, 1, 9, 30), frozen=True),
                  fn_serial=make_test_fn_serial(31)) as emulator:
        return emulator.storage.message_for_ofd(1)


def rebuild(message: bytes, items: list[tuple[int, bytes]], *, sign: bool = True) -> bytes:
    """Return ``message`` with the document's TLVs replaced by ``items`` (re-signed unless ``sign`` is False)."""
    parsed = decode_message(message)
    form = parsed.container.data_type
    if sign:
        unsigned = b"".join(encode_tlv(tag, value) for tag, value in items if tag != 1077)
        key = derive_fn_key(DEFAULT_MASTER_KEY, parsed.fn_serial)
        body = unsigned + fiscal_sign_tlv(compute_fiscal_sign(key, form, unsigned))
    else:
        body = b"".join(encode_tlv(tag, value) for tag, value in items)
    container = dataclasses.replace(parsed.container, document=encode_tlv(form, body))
    return dataclasses.replace(parsed, container=container).encode()


def document_items(message: bytes) -> list[tuple[int, bytes]]:
    return split_tlv(split_tlv(decode_message(message).container.document)[0][1])


def test_fn_message_parsed(fn_message):
    received = parse_message(fn_message)
    assert isinstance(received, ReceivedDocument)
    assert (received.fn_serial, received.fd_number, received.form) == ("9999078900000031", 1, 1)
    assert received.raw == fn_message
    assert check_signs(received, DEFAULT_MASTER_KEY) is None
    assert "does not verify" in check_signs(received, b"other key")


def test_service_message_returned():
    message = OfdMessage("9999078900000031", None, 0x0010).encode()
    assert parse_message(message) == decode_message(message)


def test_no_container_wrong_flags():
    message = OfdMessage("9999078900000031", None, 0x0000).encode()
    with pytest.raises(InvalidMessage, match="service message"):
        parse_message(message)


@pytest.mark.parametrize(("change", "text"), [
    ("no 1041", "no ФН number"),
    ("other 1041", "1041"),
    ("no 1040", "no ФД number"),
    ("other 1040", "1040 is 7"),
    ("short 1040", "tag 1040"),
    ("short 1012", "tag 1012"),
    ("short 1077", "tag 1077"),
    ("form 7", "operator confirmation"),
])
def test_document_checks(fn_message, change, text):
    items = document_items(fn_message)
    sign = True
    if change == "no 1041":
        items = [item for item in items if item[0] != 1041]
    elif change == "other 1041":
        items = [(1041, encode_string("9999078900000099")) if tag == 1041 else (tag, value) for tag, value in items]
    elif change == "no 1040":
        items = [item for item in items if item[0] != 1040]
    elif change == "other 1040":
        items = [(1040, encode_uint32(7)) if tag == 1040 else (tag, value) for tag, value in items]
    elif change == "short 1040":
        items = [(1040, b"\x01") if tag == 1040 else (tag, value) for tag, value in items]
    elif change == "short 1012":
        items = [(1012, b"\x01") if tag == 1012 else (tag, value) for tag, value in items]
    elif change == "short 1077":
        items = [item for item in items if item[0] != 1077] + [(1077, b"\x21\x04")]
        sign = False
    if change == "form 7":
        parsed = decode_message(fn_message)
        container = dataclasses.replace(parsed.container, data_type=7,
                                        document=encode_tlv(7, split_tlv(parsed.container.document)[0][1]))
        message = dataclasses.replace(parsed, container=container).encode()
    else:
        message = rebuild(fn_message, items, sign=sign)
    with pytest.raises(InvalidMessage, match=text):
        parse_message(message)


def test_empty_session_serial(fn_message):
    parsed = decode_message(fn_message)
    message = OfdMessage("", parsed.container, CLIENT_MESSAGE_FLAGS, parsed.protocol_version).encode()
    with pytest.raises(InvalidMessage, match="empty ФН serial"):
        parse_message(message)


@settings(max_examples=200)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_only_invalid(data):
    try:
        parse_message(data)
    except InvalidMessage:
        pass


@settings(max_examples=200)
@given(st.data())
def test_mutated_message_only_invalid(fn_message, data):
    """Flip, cut or extend a valid message: the result parses or raises InvalidMessage, nothing else."""
    mutated = bytearray(fn_message)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    mutated = bytes(mutated[:data.draw(st.integers(0, len(mutated)))]) + data.draw(st.binary(max_size=8))
    try:
        received = parse_message(mutated)
    except InvalidMessage:
        return
    if isinstance(received, ReceivedDocument):
        check_signs(received, DEFAULT_MASTER_KEY)
