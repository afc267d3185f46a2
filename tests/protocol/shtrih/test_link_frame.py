"""Framing helpers and the host-side decoder of Штрих-М protocol v1."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih.frame import (
    AnswerChecksumError,
    AnswerFrame,
    ControlByte,
    HostLink,
    UnexpectedBytes,
    decode_frame,
    encode_frame,
    lrc,
)

# Vendor spec "Протокол ККТ" v1.17, standard lower level: the 0xFC request.
FC_REQUEST = bytes.fromhex("02 01 FC FD")
# fr_drv_ng issue 103: an FF45 answer refused with error 0x4D.
FF45_REFUSED = bytes.fromhex("02 03 FF 45 4D F4")


def test_lrc_of_empty_input_is_zero():
    assert lrc(b"") == 0


def test_lrc_xors_every_byte():
    assert lrc(bytes.fromhex("01 FC")) == 0xFD
    assert lrc(bytes.fromhex("03 FF 45 4D")) == 0xF4


def test_encode_frame_matches_spec_example():
    assert encode_frame(b"\xfc") == FC_REQUEST


def test_encode_frame_matches_device_trace():
    assert encode_frame(bytes.fromhex("FF 45 4D")) == FF45_REFUSED


def test_encode_frame_matches_pyshtrih_open_shift():
    # pyshtrih 2.0.6 README flow, open_shift() with operator password 1.
    assert encode_frame(bytes.fromhex("E0 01 00 00 00")) == bytes.fromhex("02 05 E0 01 00 00 00 E4")


@pytest.mark.parametrize("size", [0, 256])
def test_encode_frame_rejects_body_size(size):
    with pytest.raises(EncodeError):
        encode_frame(bytes(size))


def test_encode_frame_accepts_max_body():
    frame = encode_frame(bytes(255))
    assert len(frame) == 258
    assert frame[1] == 0xFF


def test_decode_frame_returns_body():
    assert decode_frame(FC_REQUEST) == b"\xfc"


@pytest.mark.parametrize(
    "frame",
    [
        bytes.fromhex("02 01 FC FC"),  # wrong LRC
        bytes.fromhex("03 01 FC FD"),  # no STX
        bytes.fromhex("02 00 00"),  # zero LEN
        bytes.fromhex("02 02 FC FD"),  # LEN longer than the frame
        bytes.fromhex("02 01 FC FD 00"),  # trailing byte
        b"\x02",
    ],
)
def test_decode_frame_rejects_malformed(frame):
    with pytest.raises(DecodeError):
        decode_frame(frame)


def test_host_link_decodes_stream_whole():
    stream = b"\x06" + FF45_REFUSED + b"\xff\x15"
    events = HostLink().receive_data(stream)
    assert events == [
        ControlByte(0x06),
        AnswerFrame(bytes.fromhex("FF 45 4D"), FF45_REFUSED),
        ControlByte(0xFF),
        ControlByte(0x15),
    ]


def test_host_link_decodes_stream_byte_by_byte():
    stream = b"\x06" + FF45_REFUSED + b"\xff"
    host = HostLink()
    events = []
    for index in range(len(stream)):
        events += host.receive_data(stream[index:index + 1])
    assert events == [ControlByte(0x06), AnswerFrame(bytes.fromhex("FF 45 4D"), FF45_REFUSED), ControlByte(0xFF)]
    assert not host.has_partial_frame


def test_host_link_keeps_trailing_partial_frame():
    host = HostLink()
    events = host.receive_data(b"\x06" + FF45_REFUSED + FF45_REFUSED[:3])
    assert events == [ControlByte(0x06), AnswerFrame(bytes.fromhex("FF 45 4D"), FF45_REFUSED)]
    assert host.has_partial_frame
    assert host.receive_data(FF45_REFUSED[3:]) == [AnswerFrame(bytes.fromhex("FF 45 4D"), FF45_REFUSED)]


def test_host_link_reports_bad_lrc():
    bad = FF45_REFUSED[:-1] + b"\x00"
    assert HostLink().receive_data(bad) == [AnswerChecksumError(bad)]


def test_host_link_reports_unexpected_bytes():
    events = HostLink().receive_data(b"\x05\x00\x06")
    assert events == [UnexpectedBytes(b"\x05\x00"), ControlByte(0x06)]


def test_host_link_expires_partial_frame():
    host = HostLink()
    assert host.expire_partial_frame() is None
    host.receive_data(b"\x02\x05\x11")
    assert host.expire_partial_frame() == UnexpectedBytes(b"\x02\x05\x11")
    assert not host.has_partial_frame


@given(body=st.binary(min_size=1, max_size=255))
def test_decode_frame_round_trip(body):
    assert decode_frame(encode_frame(body)) == body


@given(
    bodies=st.lists(st.binary(min_size=1, max_size=255), min_size=1, max_size=4),
    data=st.data(),
)
def test_host_link_round_trip_in_random_chunks(bodies, data):
    stream = b"".join(b"\x06" + encode_frame(body) for body in bodies)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    host = HostLink()
    events = []
    start = 0
    for cut in cuts + [len(stream)]:
        events += host.receive_data(stream[start:cut])
        start = cut
    frames = [event.body for event in events if isinstance(event, AnswerFrame)]
    assert frames == bodies
    assert events.count(ControlByte(0x06)) == len(bodies)
    assert not host.has_partial_frame
