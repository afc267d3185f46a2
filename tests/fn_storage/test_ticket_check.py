"""The checks of a квитанция (26h) and the ОФД side that builds one, without a ФН model."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.fn_storage.ofd_operator import confirm_message, document_number
from kktemu.fn_storage.signing import DEFAULT_MASTER_KEY, compute_operator_sign, ofd_key_for
from kktemu.fn_storage.ticket_check import AcceptedTicket, TicketRejection, check_ticket
from kktemu.protocol.errors import DecodeError
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_string, encode_uint32
from kktemu.protocol.fn.crc import crc16_ccitt_false
from kktemu.protocol.fn.exchange import TicketRejectReason as Reason
from kktemu.protocol.ofd.confirmation import OperatorConfirmation
from kktemu.protocol.ofd.container import Container, container_crc
from kktemu.protocol.ofd.message import OfdMessage, decode_message

SERIAL = "9999078900000001"
OTHER_SERIAL = "9999078900000002"
OFD_KEY = ofd_key_for(DEFAULT_MASTER_KEY, SERIAL)
RECEIVED = dt.datetime(2024, 3, 1, 6, 1, 30)


def _fn_message(fd_number: int, serial: str = SERIAL) -> bytes:
    document = encode_tlv(3, encode_tlv(1041, encode_string(serial)) + encode_tlv(1040, encode_uint32(fd_number)))
    return OfdMessage(serial, Container(3, serial, fd_number, document, trailer=bytes(10))).encode()


def _ticket(fd_number: int = 5, **options) -> bytes:
    return confirm_message(_fn_message(fd_number), ofd_inn="7704358518", received_at=RECEIVED, **options)


def _check(data: bytes, expected_fd: int | None = 5, strict: bool = False):
    return check_ticket(data, serial=SERIAL, expected_fd=expected_fd, ofd_key=OFD_KEY, strict=strict)


def _signed_ticket(confirmation: OperatorConfirmation, session_serial: str = SERIAL,
                   container_serial: str = SERIAL, container_fd: int | None = None) -> bytes:
    sign = compute_operator_sign(OFD_KEY, confirmation.unsigned_tlv())
    document = dataclasses.replace(confirmation, ofd_sign=sign).encode()
    fd = confirmation.fd_number if container_fd is None else container_fd
    return OfdMessage(session_serial, Container(7, container_serial, fd, document)).encode()


CONFIRMATION = OperatorConfirmation("7704358518", SERIAL, 5, RECEIVED)


def test_ofd_side_builds_a_signed_ticket():
    message = decode_message(_ticket())
    confirmation = OperatorConfirmation.decode(message.container.document)
    assert message.fn_serial == SERIAL
    assert message.flags == 0x0014
    assert message.container.data_type == 7
    assert message.container.fd_number == 5
    assert confirmation.fd_number == 5
    assert confirmation.received_at == RECEIVED
    assert confirmation.answer_code == 0
    assert len(confirmation.ofd_sign) == 16


def test_ofd_side_needs_a_container():
    with pytest.raises(DecodeError):
        confirm_message(OfdMessage(SERIAL, None, flags=0x0010).encode(), ofd_inn="1", received_at=RECEIVED)


def test_document_number_needs_1040():
    with pytest.raises(DecodeError):
        document_number(encode_tlv(3, encode_tlv(1041, b"1")))


def test_accepts_a_signed_ticket():
    verdict = _check(_ticket())
    assert isinstance(verdict, AcceptedTicket)
    assert verdict.confirmation.fd_number == 5
    assert verdict.stlv == decode_message(_ticket()).container.document


def test_accepts_a_bare_container():
    container = decode_message(_ticket()).container
    assert isinstance(_check(container.encode()), AcceptedTicket)


def test_wrong_sign():
    data = confirm_message(_fn_message(5), ofd_inn="7704358518", received_at=RECEIVED, master_key=b"another key")
    assert _check(data) == TicketRejection(Reason.WRONG_FISCAL_SIGN, "ФПО (1078) does not match")


def test_unsigned_is_accepted_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="kktemu.fn_storage.ticket_check"):
        verdict = _check(_ticket(sign=False))
    assert isinstance(verdict, AcceptedTicket)
    assert "without ФПО" in caplog.text


def test_unsigned_is_refused_when_strict():
    verdict = _check(_ticket(sign=False), strict=True)
    assert verdict.reason == Reason.WRONG_FISCAL_SIGN


@pytest.mark.parametrize("expected_fd", [4, 6, None])
def test_wrong_fd_number(expected_fd):
    assert _check(_ticket(5), expected_fd=expected_fd).reason == Reason.WRONG_FD_NUMBER


@pytest.mark.parametrize("serials", [
    {"session_serial": OTHER_SERIAL},
    {"container_serial": OTHER_SERIAL},
])
def test_wrong_fn_number_in_the_headers(serials):
    assert _check(_signed_ticket(CONFIRMATION, **serials)).reason == Reason.WRONG_FN_NUMBER


def test_wrong_fn_number_in_1041():
    confirmation = dataclasses.replace(CONFIRMATION, fn_serial=OTHER_SERIAL)
    assert _check(_signed_ticket(confirmation)).reason == Reason.WRONG_FN_NUMBER


def test_container_fd_field_differs(caplog):
    data = _signed_ticket(CONFIRMATION, container_fd=0x350000)
    with caplog.at_level(logging.WARNING, logger="kktemu.fn_storage.ticket_check"):
        assert isinstance(_check(data), AcceptedTicket)
    assert "1040 is used" in caplog.text
    assert _check(data, strict=True).reason == Reason.WRONG_FD_NUMBER


def test_wrong_container_crc():
    data = bytearray(_ticket())
    data[-1] ^= 0x01
    assert _check(bytes(data)).reason == Reason.WRONG_CRC


def test_wrong_session_check_code():
    container = decode_message(_ticket()).container
    data = bytearray(OfdMessage(SERIAL, container, flags=0x0016).encode())
    data[28] ^= 0x01
    assert _check(bytes(data)).reason == Reason.WRONG_CRC


@pytest.mark.parametrize("data", [
    b"",
    b"\x2a\x08\x41\x0a",
    OfdMessage(SERIAL, None, flags=0x0010).encode(),
    _fn_message(5),                       # a container of data type 3
    _ticket() + b"\x00",                  # a byte after the message
])
def test_wrong_format(data):
    assert _check(data).reason == Reason.WRONG_FORMAT


def test_form_7_that_breaks_its_table():
    document = encode_tlv(7, encode_tlv(1041, encode_string(SERIAL)))
    data = OfdMessage(SERIAL, Container(7, SERIAL, 5, document)).encode()
    assert _check(data).reason == Reason.WRONG_FORMAT


def test_yandex_mock_shaped_ticket():
    # yandex/ofd example/mock_ofd.py: no 1078, the ФД number field holds ASCII digits, service
    # data 2 is "0" right-aligned in 12 characters, P-version 00 01, flags 0x0014.
    document = encode_tlv(7, (
        encode_tlv(1017, b"7704358518") + encode_tlv(1041, SERIAL.encode()) + encode_tlv(1040, encode_uint32(5))
        + encode_tlv(1012, encode_uint32(1709272890)) + encode_tlv(1068, encode_tlv(1022, b"\x00"))))
    rest = b"\xa5\x07\x01\x10\x09" + bytes.fromhex(SERIAL) + b"5\x00\x00" + b"0".rjust(12) + document
    length = (4 + len(rest)).to_bytes(2, "little")
    container = length + crc16_ccitt_false(length + rest).to_bytes(2, "little") + rest
    assert container_crc(container) == int.from_bytes(container[2:4], "little")
    data = (bytes.fromhex("2a08410a81a20001") + SERIAL.encode() + len(container).to_bytes(2, "little")
            + b"\x14\x00\x00\x00" + container)
    assert isinstance(_check(data), AcceptedTicket)
    assert _check(data, strict=True).reason == Reason.WRONG_FD_NUMBER


@given(st.binary(max_size=200))
def test_random_bytes_are_rejected(data):
    assert isinstance(_check(data), TicketRejection)


@given(st.integers(0, 10_000), st.integers(1, 255))
def test_changed_byte_never_raises(position, flip):
    data = bytearray(_ticket())
    data[position % len(data)] ^= flip
    assert isinstance(_check(bytes(data)), (AcceptedTicket, TicketRejection))
