"""Document form 7, the operator confirmation, and the квитанция that carries it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_uint32
from kktemu.protocol.fn.crc import crc16_ccitt_false
from kktemu.protocol.ofd.confirmation import (
    ANSWER_FAILED_CONTROL,
    OperatorConfirmation,
)
from kktemu.protocol.ofd.container import Container, decode_container
from kktemu.protocol.ofd.message import OfdMessage, decode_message

SERIAL = "9999078900005488"
MOMENT = dt.datetime(2017, 3, 3, 8, 38, 5)
CONFIRMATION = OperatorConfirmation(
    ofd_inn="7704358518", fn_serial=SERIAL, fd_number=1, received_at=MOMENT, ofd_sign=bytes(range(18)),
)


def _yandex_mock_receipt(fd_number: int) -> bytes:
    """A квитанция shaped as yandex/ofd example/mock_ofd.py builds it.

    Facts from that file: the operatorAck carries 1017 "7704358518", 1041, 1040,
    1012 and 1068 {1022 = 0} and no 1078; strings are not padded; the container
    header copies service data 1 and the BCD ФН number from the message, writes
    the ФД number field as the ASCII digits of the number padded with zero bytes
    and service data 2 as "0" right-aligned in 12 characters; the CRC is right;
    the session header has P-version 00 01, flags 0x0014 and no check code.
    """
    document = encode_tlv(7, (
        encode_tlv(1017, b"7704358518")
        + encode_tlv(1041, SERIAL.encode())
        + encode_tlv(1040, encode_uint32(fd_number))
        + encode_tlv(1012, encode_uint32(1488530285))
        + encode_tlv(1068, encode_tlv(1022, b"\x00"))
    ))
    rest = (
        b"\xa5\x07\x01" + b"\x10\x09" + bytes.fromhex("9999078900005488")
        + str(fd_number).encode().ljust(3, b"\x00") + b"0".rjust(12) + document
    )
    length = (4 + len(rest)).to_bytes(2, "little")
    container = length + crc16_ccitt_false(length + rest).to_bytes(2, "little") + rest
    session = (bytes.fromhex("2a08410a81a20001") + SERIAL.encode() + len(container).to_bytes(2, "little")
               + b"\x14\x00\x00\x00")
    return session + container


def test_encode_layout():
    stlv = CONFIRMATION.encode()
    assert stlv[:2] == b"\x07\x00"
    assert stlv.endswith(encode_tlv(1078, bytes(range(18))))
    assert encode_tlv(1017, b"7704358518  ") in stlv
    assert encode_tlv(1068, encode_tlv(1022, b"\x00")) in stlv


def test_decode_whole():
    assert OperatorConfirmation.decode(CONFIRMATION.encode()) == CONFIRMATION


def test_unsigned_tlv_leaves_out_the_sign():
    assert b"\x36\x04" not in CONFIRMATION.unsigned_tlv()
    assert CONFIRMATION.encode() == encode_tlv(7, CONFIRMATION.unsigned_tlv() + encode_tlv(1078, bytes(range(18))))


def test_trailing_bytes_are_an_error():
    with pytest.raises(DecodeError):
        OperatorConfirmation.decode(CONFIRMATION.encode() + b"\x00")


def test_truncated_is_an_error():
    stlv = CONFIRMATION.encode()
    for size in range(len(stlv)):
        with pytest.raises(DecodeError):
            OperatorConfirmation.decode(stlv[:size])


def test_yandex_mock_receipt_decodes():
    message = decode_message(_yandex_mock_receipt(12))
    container = message.container
    assert container.data_type == 7
    assert container.fd_number == int.from_bytes(b"12\x00", "big")
    assert container.service_data_2 == b"           0"
    confirmation = OperatorConfirmation.decode(container.document)
    assert confirmation.fd_number == 12
    assert confirmation.ofd_inn == "7704358518"
    assert confirmation.fn_serial == SERIAL
    assert confirmation.answer_code == 0
    assert confirmation.operator_text == b""
    assert confirmation.ofd_sign is None
    assert confirmation.received_at == dt.datetime(2017, 3, 3, 8, 38, 5)


def test_no_operator_message():
    confirmation = OperatorConfirmation("7704358518", SERIAL, 5, MOMENT, answer_code=None)
    stlv = confirmation.encode()
    assert b"\x2c\x04" not in stlv
    assert OperatorConfirmation.decode(stlv) == confirmation


def test_operator_text_after_the_code():
    text = encode_tlv(1046, "ОФД".encode("cp866"))
    confirmation = OperatorConfirmation("7704358518", SERIAL, 5, MOMENT, ANSWER_FAILED_CONTROL, text)
    assert OperatorConfirmation.decode(confirmation.encode()) == confirmation


def _document(*items) -> bytes:
    return encode_tlv(7, b"".join(encode_tlv(tag, value) for tag, value in items))


_BASE = [(1017, b"7704358518"), (1041, SERIAL.encode()), (1040, encode_uint32(1)), (1012, encode_uint32(0))]


@pytest.mark.parametrize("stlv", [
    _document(*_BASE[1:]),                                   # 1017 missing
    _document(*_BASE, (1040, encode_uint32(2))),             # 1040 twice
    _document(*_BASE, (1020, b"\x01")),                      # a tag outside table 32
    _document(*_BASE, (1078, bytes(19))),                    # ФПО longer than 18 bytes
    _document(*_BASE, (1068, encode_tlv(1021, b"\x00"))),    # 1068 without 1022 first
    _document(*_BASE, (1068, encode_tlv(1022, b"\x00\x00"))),
    _document(*_BASE[:2], (1040, b"\x01\x00"), _BASE[3]),    # 1040 of 2 bytes
    _document(*_BASE[:3], (1012, b"\x00")),                  # 1012 of 1 byte
    _document((1017, b"7" * 13), *_BASE[1:]),                # ИНН longer than 12
    encode_tlv(3, b""),                                      # another form
    encode_tlv(7, b"\x00" * 513),                            # data over 512 bytes
])
def test_decode_refuses(stlv):
    with pytest.raises(DecodeError):
        OperatorConfirmation.decode(stlv)


@pytest.mark.parametrize("confirmation", [
    OperatorConfirmation("7" * 13, SERIAL, 1, MOMENT),
    OperatorConfirmation("7704358518", SERIAL, 1 << 32, MOMENT),
    OperatorConfirmation("7704358518", SERIAL, 1, MOMENT, answer_code=256),
    OperatorConfirmation("7704358518", SERIAL, 1, MOMENT, answer_code=None, operator_text=b"x"),
    OperatorConfirmation("7704358518", SERIAL, 1, MOMENT, ofd_sign=bytes(19)),
    OperatorConfirmation("7704358518", SERIAL, 1, MOMENT, operator_text=encode_tlv(1046, bytes(500))),
])
def test_encode_refuses(confirmation):
    with pytest.raises(EncodeError):
        confirmation.encode()


def test_to_container_copies_the_template():
    template = Container(3, SERIAL, 9, encode_tlv(3, b""), container_type=0x5A, service_data_1=b"\x01\x02",
                         service_data_2=b"x" * 12)
    container = CONFIRMATION.to_container(template)
    assert (container.container_type, container.service_data_1, container.service_data_2) == (0x5A, b"\x01\x02", b"x" * 12)
    assert container.data_type == 7
    assert container.fd_number == 1
    assert container.fn_serial == SERIAL
    assert decode_container(container.encode()) == container
    plain = CONFIRMATION.to_container()
    assert plain.container_type == 0xA5
    assert plain.service_data_2 == bytes(12)


def test_receipt_message_round_trip():
    message = OfdMessage(SERIAL, CONFIRMATION.to_container())
    decoded = decode_message(message.encode())
    assert OperatorConfirmation.decode(decoded.container.document) == CONFIRMATION


_digits = st.text(alphabet="0123456789", min_size=1)


@given(st.builds(
    OperatorConfirmation,
    ofd_inn=_digits.filter(lambda text: len(text) <= 12),
    fn_serial=_digits.filter(lambda text: len(text) <= 16),
    fd_number=st.integers(0, 0xFFFFFFFF),
    received_at=st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2106, 2, 7)).map(lambda m: m.replace(microsecond=0)),
    answer_code=st.one_of(st.none(), st.integers(0, 255)),
    operator_text=st.just(b""),
    ofd_sign=st.one_of(st.none(), st.binary(max_size=18)),
))
def test_round_trip(confirmation):
    assert OperatorConfirmation.decode(confirmation.encode()) == confirmation
