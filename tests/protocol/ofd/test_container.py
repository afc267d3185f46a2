"""The 32-byte container header, its CRC and the BCD ФН serial."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_string, decode_uint
from kktemu.protocol.ofd.container import (
    CONTAINER_HEADER_SIZE,
    Container,
    ContainerChecksumError,
    container_crc,
    decode_bcd_serial,
    decode_container,
    encode_bcd_serial,
    read_container,
)

# V2: yandex/ofd tests/ofd_test.py, the container of registration report ФД 1 (header and body).
V2_HEADER = bytes.fromhex("310103eca50101100999990789123456 7f000001002309 82c4000001000201 07".replace(" ", ""))
V2_BODY = bytes.fromhex("""
0100030111041000393939393037383931323334353637200d04140031323030
30303133303030302020202020202020fa030c00313132323333343435353636
1004040001000000f403040028540e573504060021041c6b81a4e903010000ea
0301000020040100002604010001180409008e8e8e20228c8c8c222104010000
2204010000f10326008caee1aaa2a02c2087a5aba5adeba920afe0aee1afa5aa
e22c20a42e363620aaaee0af2e2032160408008e94842de2a5e1e225040a0077
77772e6f66642e727524040c007777772e6e616c6f672e727519040600313131
323334fd0312009188912e2080848c888d8891929080928e90f5030a00303632
30303030303031810673fca34b28720000""".replace("\n", ""))
V2 = V2_HEADER + V2_BODY
V2_TRAILER = bytes.fromhex("810673fca34b28720000")


def _v2_container() -> Container:
    return Container(
        data_type=1,
        fn_serial="999907891234567",
        fd_number=1,
        document=V2_BODY[:-10],
        trailer=V2_TRAILER,
        service_data_1=b"\x10\x09",
        service_data_2=bytes.fromhex("00230982c4000001000201 07".replace(" ", "")),
    )


def test_v2_sizes():
    assert len(V2_HEADER) == CONTAINER_HEADER_SIZE
    assert len(V2) == 305


def test_v2_decodes_whole():
    container = decode_container(V2)
    assert container == _v2_container()
    assert container.container_type == 0xA5
    assert container.version == 1
    assert container.size == 305


def test_v2_crc_value():
    # The header stores 60419 (EC03h) little-endian.
    assert container_crc(V2) == 60419


def test_v2_document_fields():
    container = decode_container(V2)
    items = dict(split_tlv(split_tlv(container.document)[0][1]))
    assert decode_string(items[1041]) == "999907891234567 "
    assert decode_uint(items[1040], 4) == 1
    assert decode_uint(items[1012], 4) == 1460556840
    assert items[1077] == bytes.fromhex("21041c6b81a4")
    assert decode_string(items[1048]) == 'ООО "МММ"'
    assert len(container.document) == 4 + 259


def test_v2_re_encodes_identically():
    assert _v2_container().encode() == V2


def test_v2_byte_by_byte():
    for size in range(len(V2)):
        assert read_container(V2[:size]) is None
    assert read_container(V2) == (_v2_container(), len(V2))


def test_v2_with_trailing_bytes():
    data = V2 + b"\x2a\x08\x41"
    assert read_container(data) == (_v2_container(), len(V2))
    with pytest.raises(DecodeError) as caught:
        decode_container(data)
    assert caught.value.offset == len(V2)


def test_v2_truncated_is_an_error_for_decode():
    with pytest.raises(DecodeError):
        decode_container(V2[:-1])


def test_bad_crc():
    data = bytearray(V2)
    data[-1] ^= 0x01
    with pytest.raises(ContainerChecksumError) as caught:
        decode_container(bytes(data))
    assert caught.value.stored == 60419
    assert caught.value.computed == container_crc(bytes(data))
    assert decode_container(bytes(data), check_crc=False).trailer[-1] == 0x01


def _patched(position: int, value: int) -> bytes:
    data = bytearray(V2)
    data[position] = value
    data[2:4] = container_crc(bytes(data)).to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize("position, value", [
    (4, 0xA4),    # container type is A5h or 5Ah
    (5, 3),       # data type differs from the document's form
    (6, 0x10),    # header version 1xh would be another header length
    (10, 0x9A),   # a BCD nibble A
    (12, 0xF9),   # a digit after the F padding
])
def test_bad_header_fields(position, value):
    with pytest.raises(DecodeError):
        decode_container(_patched(position, value))


def test_type_5a_is_accepted():
    assert decode_container(_patched(4, 0x5A)).container_type == 0x5A


def test_length_shorter_than_header():
    with pytest.raises(DecodeError):
        read_container(b"\x1f\x00" + bytes(40))


def test_body_must_start_with_a_whole_stlv():
    container = Container(1, "1", 1, encode_tlv(1, b""))
    data = bytearray(container.encode())
    data[CONTAINER_HEADER_SIZE + 2] = 9  # the document claims 9 bytes and has none
    data[2:4] = container_crc(bytes(data)).to_bytes(2, "little")
    with pytest.raises(DecodeError):
        decode_container(bytes(data))


@pytest.mark.parametrize("serial, packed", [
    ("9999078900005488", "9999078900005488"),
    ("999907891234567", "999907891234567f"),
    ("", "ffffffffffffffff"),
])
def test_bcd_serial(serial, packed):
    assert encode_bcd_serial(serial) == bytes.fromhex(packed)
    assert decode_bcd_serial(bytes.fromhex(packed)) == serial


@pytest.mark.parametrize("serial", ["99990789000054881", "9999 0789", "abc"])
def test_bcd_serial_refuses(serial):
    with pytest.raises(EncodeError):
        encode_bcd_serial(serial)


def test_bcd_serial_size():
    with pytest.raises(DecodeError):
        decode_bcd_serial(b"\x99" * 7)


@pytest.mark.parametrize("changes", [
    {"container_type": 0x55},
    {"data_type": 0x100},
    {"version": 0x10},
    {"service_data_1": b"\x10"},
    {"service_data_2": bytes(11)},
    {"fd_number": 0x1000000},
    {"document": encode_tlv(3, b"")},
    {"document": encode_tlv(1, b"") + b"\x00"},
    {"trailer": bytes(0xFFFF)},
])
def test_encode_refuses(changes):
    fields = {"data_type": 1, "fn_serial": "1", "fd_number": 1, "document": encode_tlv(1, b"")} | changes
    with pytest.raises(EncodeError):
        Container(**fields).encode()


@st.composite
def containers(draw):
    data_type = draw(st.integers(0, 0xFF))
    return Container(
        data_type=data_type,
        fn_serial=draw(st.text(alphabet="0123456789", max_size=16)),
        fd_number=draw(st.integers(0, 0xFFFFFF)),
        document=encode_tlv(data_type, draw(st.binary(max_size=300))),
        trailer=draw(st.binary(max_size=20)),
        container_type=draw(st.sampled_from([0xA5, 0x5A])),
        version=draw(st.integers(0, 0x0F)),
        service_data_1=draw(st.binary(min_size=2, max_size=2)),
        service_data_2=draw(st.binary(min_size=12, max_size=12)),
    )


@given(containers())
def test_round_trip(container):
    encoded = container.encode()
    assert len(encoded) == container.size
    assert decode_container(encoded) == container


@given(containers(), st.binary(max_size=8))
def test_round_trip_with_trailing_bytes(container, tail):
    encoded = container.encode()
    assert read_container(encoded + tail) == (container, len(encoded))
