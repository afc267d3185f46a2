"""The 30-byte session header of the ККТ ↔ ОФД protocol."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ofd.session import (
    ANSWER_EXPECTED,
    ANSWER_MODE_SHIFT,
    CLIENT_MESSAGE_FLAGS,
    CRC_HEADER,
    CRC_HEADER_AND_BODY,
    FLAG_CONTAINER,
    P_VERSION_FFD_1_05,
    P_VERSION_OBSERVED,
    SESSION_HEADER_SIZE,
    SERVICE_CLIENT_FLAGS,
    SessionHeader,
    check_flags,
    p_version_for_ffd,
    read_session_header,
)

# V3: yandex/ofd tests/ofd_test.py::TestSessionHeader, a header alone.
V3 = bytes.fromhex("2a08410a81a20001393939393037383935302020202020203101140000 00".replace(" ", ""))
V3_HEADER = SessionHeader(fn_serial="9999078950", body_length=305, flags=0x0014,
                          protocol_version=P_VERSION_OBSERVED, crc=0)


def test_v3_decodes_whole():
    assert SessionHeader.decode(V3) == V3_HEADER


def test_v3_fields():
    header = SessionHeader.decode(V3)
    assert header.has_container
    assert header.expects_answer
    assert header.crc_mode == 0
    assert header.priority == 0
    assert header.flags == 0b10100


def test_v3_packs_back_identically():
    assert V3_HEADER.encode() == V3


def test_v3_byte_by_byte():
    for size in range(SESSION_HEADER_SIZE):
        assert read_session_header(V3[:size]) is None
    assert read_session_header(V3) == (V3_HEADER, SESSION_HEADER_SIZE)


def test_v3_with_trailing_bytes():
    data = V3 + b"\x31\x01\x03"
    assert read_session_header(data) == (V3_HEADER, SESSION_HEADER_SIZE)
    with pytest.raises(DecodeError):
        SessionHeader.decode(data)


def test_read_at_offset():
    assert read_session_header(b"\xff\xff" + V3, 2) == (V3_HEADER, 32)


def test_client_flags_are_the_yandex_value():
    # yandex/ofd example/mock_ofd.py answers with flags 0b0000000000010100.
    assert CLIENT_MESSAGE_FLAGS == 0x0014 == FLAG_CONTAINER | ANSWER_EXPECTED << ANSWER_MODE_SHIFT


@pytest.mark.parametrize("position, byte", [(0, 0x2B), (3, 0x0B), (4, 0x80), (5, 0xA3)])
def test_bad_signature_or_s_version(position, byte):
    data = bytearray(V3)
    data[position] = byte
    with pytest.raises(DecodeError):
        SessionHeader.decode(bytes(data))


def test_serial_must_be_ascii():
    data = bytearray(V3)
    data[10] = 0xC0
    with pytest.raises(DecodeError) as caught:
        SessionHeader.decode(bytes(data))
    assert caught.value.offset == 8


@pytest.mark.parametrize("flags", [0x0003, 0x0008, 0x0100, 0x8000, 0x0020, 0x0030])
def test_forbidden_flags(flags):
    with pytest.raises(DecodeError):
        check_flags(flags)
    data = V3[:26] + flags.to_bytes(2, "little") + V3[28:]
    with pytest.raises(DecodeError) as caught:
        SessionHeader.decode(data)
    assert caught.value.offset == 26


@pytest.mark.parametrize("flags", [0x0000, 0x0001, 0x0002, 0x0014, 0x0011, 0x00D6])
def test_allowed_flags(flags):
    check_flags(flags)


def test_priority_bits():
    assert SessionHeader("1", 0, flags=0x00C0).priority == 3


def test_session_crc_modes():
    body = b"\x01\x02\x03"
    none = SessionHeader("9999078950", 3, flags=FLAG_CONTAINER)
    header_only = SessionHeader("9999078950", 3, flags=FLAG_CONTAINER | CRC_HEADER)
    whole = SessionHeader("9999078950", 3, flags=FLAG_CONTAINER | CRC_HEADER_AND_BODY)
    assert none.session_crc(body) == 0
    assert header_only.session_crc(body) == header_only.session_crc(b"other")
    assert whole.session_crc(body) != whole.session_crc(b"\x01\x02\x04")


def test_service_mode_flags():
    assert not SessionHeader("1", 0, flags=SERVICE_CLIENT_FLAGS).has_container
    assert SessionHeader("1", 0, flags=SERVICE_CLIENT_FLAGS).expects_answer


def test_p_versions():
    assert p_version_for_ffd(2) == P_VERSION_FFD_1_05 == 0x0105
    assert SessionHeader("1", 0, protocol_version=0x0105).encode()[6:8] == b"\x01\x05"
    with pytest.raises(EncodeError):
        p_version_for_ffd(5)


@pytest.mark.parametrize("header", [
    SessionHeader("9" * 17, 0),
    SessionHeader("ФН", 0),
    SessionHeader("1", 0x10000),
    SessionHeader("1", 0, flags=-1),
    SessionHeader("1", 0, crc=0x10000),
])
def test_encode_refuses_values_that_do_not_fit(header):
    with pytest.raises(EncodeError):
        header.encode()


_serials = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=16)
_flags = st.builds(
    lambda crc, container, answer, priority: crc | container << 2 | answer << 4 | priority << 6,
    st.integers(0, 2), st.integers(0, 1), st.integers(0, 1), st.integers(0, 3),
)
_u16 = st.integers(0, 0xFFFF)


@given(st.builds(SessionHeader, _serials, _u16, _flags, _u16, _u16))
def test_round_trip(header):
    encoded = header.encode()
    assert len(encoded) == SESSION_HEADER_SIZE
    assert SessionHeader.decode(encoded) == header
