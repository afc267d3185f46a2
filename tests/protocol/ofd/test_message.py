"""A whole session message: header and container, decoded and re-encoded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_string, decode_uint
from kktemu.protocol.ofd.container import Container, ContainerChecksumError, container_crc
from kktemu.protocol.ofd.message import OfdMessage, SessionChecksumError, decode_message, read_message
from kktemu.protocol.ofd.session import (
    CRC_HEADER,
    CRC_HEADER_AND_BODY,
    P_VERSION_OBSERVED,
    SERVICE_CLIENT_FLAGS,
    SERVICE_SERVER_FLAGS_WITH_CRC,
)

# V1: yandex/ofd tests/example_test.py, a ККТ message with re-registration report ФД 1.
V1 = bytes.fromhex("""
2a08410a81a2000139393939303738393030303035343838b40114000000b401
2578a50b011009999907890000548800000184ec4c14c20000010004018a0b00
860111041000393939393037383930303030353438380d041400303030303030
3030303530303835373020202020fa030c003737303232303332373620201004
040001000000f40304009855b958350406002104aa1075412004010000ea0301
0000e90301000055040100015604010000540401000026040100064d04010001
f5030c00303030303030303030303032180411008e8e8e2090808f8a80922de6
a5ade2e020f103300031313131343120a32e8caee1aaa2a02c20e3ab2e208ae3
e1aaaea2e1aaa0ef20a42e32308020aee4a8e120822d323032f9030c00373730
343335383531382020240408006e616c6f672e72755d0413006578616d706c65
406578616d706c652e636f6dfd030a0098a5adadaead208a2e2016040a004f4f
4f20544158434f4da504010002b904010002a4040300322e30a3043100313131
31343120a32e8caee1aaa2a02c20e3ab2e208ae3e1aaaea2e1aaa0ef0d0aa42e
32308020aee4a8e120822d323032b3040c00373731323334353637383930c504
010000b7040100018106a55ae10c4d750000""".replace("\n", ""))
V1_SERIAL = "9999078900005488"


def _v1_message() -> OfdMessage:
    body = V1[62:]
    return OfdMessage(
        fn_serial=V1_SERIAL,
        container=Container(
            data_type=11,
            fn_serial=V1_SERIAL,
            fd_number=1,
            document=body[:-10],
            trailer=bytes.fromhex("8106a55ae10c4d750000"),
            service_data_1=b"\x10\x09",
            service_data_2=bytes.fromhex("84ec4c14c20000010004018a"),
        ),
        flags=0x0014,
        protocol_version=P_VERSION_OBSERVED,
    )


def test_v1_layout():
    assert len(V1) == 466
    header = _v1_message().header
    assert header.body_length == 436
    assert header.crc == 0
    assert header.flags == 0x0014


def test_v1_decodes_whole():
    assert decode_message(V1) == _v1_message()


def test_v1_container_crc():
    assert container_crc(V1[30:]) == 0x7825


def test_v1_document_fields():
    document = decode_message(V1).container.document
    assert len(document) == 4 + 390
    form, data = split_tlv(document)[0]
    assert form == 11
    items = dict(split_tlv(data))
    assert decode_string(items[1041]) == V1_SERIAL
    assert decode_string(items[1037]) == "0000000005008570    "
    assert decode_uint(items[1040], 4) == 1
    assert decode_uint(items[1012], 4) == 1488541080
    assert items[1077] == bytes.fromhex("2104aa107541")
    assert decode_string(items[1046]) == "OOO TAXCOM"
    assert items[1209] == b"\x02"


def test_v1_re_encodes_identically():
    assert _v1_message().encode() == V1


def test_v1_byte_by_byte():
    for size in range(len(V1)):
        assert read_message(V1[:size]) is None
    assert read_message(V1) == (_v1_message(), len(V1))


def test_v1_with_trailing_bytes():
    data = V1 + V1[:10]
    assert read_message(data) == (_v1_message(), len(V1))
    with pytest.raises(DecodeError) as caught:
        decode_message(data)
    assert caught.value.offset == len(V1)


def test_two_messages_back_to_back():
    data = V1 + V1
    first, end = read_message(data)
    second, end2 = read_message(data, end)
    assert first == second == _v1_message()
    assert end2 == len(data)


def test_container_crc_error_passes_through():
    data = bytearray(V1)
    data[100] ^= 0xFF
    with pytest.raises(ContainerChecksumError):
        decode_message(bytes(data))
    assert decode_message(bytes(data), check_crc=False).container.document != _v1_message().container.document


@pytest.mark.parametrize("mode", [CRC_HEADER, CRC_HEADER_AND_BODY])
def test_session_check_code(mode):
    message = OfdMessage(V1_SERIAL, _v1_message().container, flags=0x0014 | mode)
    encoded = message.encode()
    assert encoded[28:30] != b"\x00\x00"
    assert decode_message(encoded) == message
    broken = bytearray(encoded)
    broken[28] ^= 0x01
    with pytest.raises(SessionChecksumError):
        decode_message(bytes(broken))
    assert decode_message(bytes(broken), check_crc=False) == message


def test_check_code_without_mode_is_an_error():
    data = bytearray(V1)
    data[28] = 1
    with pytest.raises(SessionChecksumError):
        decode_message(bytes(data))


def test_service_mode_message_has_no_body():
    message = OfdMessage(V1_SERIAL, None, flags=SERVICE_CLIENT_FLAGS)
    encoded = message.encode()
    assert len(encoded) == 30
    assert encoded[24:26] == b"\x00\x00"
    assert decode_message(encoded) == message
    answer = OfdMessage(V1_SERIAL, None, flags=SERVICE_SERVER_FLAGS_WITH_CRC)
    assert decode_message(answer.encode()) == answer


def test_body_without_container_flag():
    data = V1[:26] + b"\x10\x00" + V1[28:]
    with pytest.raises(DecodeError):
        decode_message(data)


def test_body_longer_than_its_container():
    body = _v1_message().container.encode() + b"\x00"
    data = V1[:24] + len(body).to_bytes(2, "little") + V1[26:30] + body
    with pytest.raises(DecodeError):
        decode_message(data)


@pytest.mark.parametrize("message", [
    OfdMessage(V1_SERIAL, None, flags=0x0014),
    OfdMessage(V1_SERIAL, Container(1, "1", 1, encode_tlv(1, b"")), flags=0x0010),
    OfdMessage(V1_SERIAL, None, flags=0x0013),
])
def test_encode_refuses_inconsistent_flags(message):
    with pytest.raises(EncodeError):
        message.encode()


@st.composite
def messages(draw):
    flags = draw(st.integers(0, 2)) | draw(st.integers(0, 1)) << 4 | draw(st.integers(0, 3)) << 6
    container = None
    if draw(st.booleans()):
        flags |= 0x0004
        form = draw(st.integers(0, 0xFF))
        container = Container(
            data_type=form,
            fn_serial=draw(st.text(alphabet="0123456789", max_size=16)),
            fd_number=draw(st.integers(0, 0xFFFFFF)),
            document=encode_tlv(form, draw(st.binary(max_size=200))),
            trailer=draw(st.binary(max_size=12)),
        )
    serial = draw(st.text(alphabet="0123456789", min_size=1, max_size=16))
    return OfdMessage(serial, container, flags, draw(st.integers(0, 0xFFFF)))


@given(messages())
def test_round_trip(message):
    assert decode_message(message.encode()) == message


@given(messages(), st.binary(max_size=8))
def test_round_trip_with_trailing_bytes(message, tail):
    encoded = message.encode()
    assert read_message(encoded + tail) == (message, len(encoded))
