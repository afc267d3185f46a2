"""ФН interface framing: CRC, encoder, one-shot and incremental decoders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.fn.crc import crc16_ccitt_false
from kktemu.protocol.fn.frame import (
    BadChecksum,
    BadLength,
    EnqReceived,
    FnFrame,
    FnFrameDecoder,
    GarbageSkipped,
    decode_frame,
    encode_frame,
)

# (code, data, frame). C2 is the status request quoted in
# polarikus/flipper-zero_fn_tester lib/fn/fn_tools.c («FF CD для 0x30»); C3..C5 follow
# from the same rule (CRC-16/CCITT-FALSE over LEN, CMD and DATA, stored LE).
FRAME_VECTORS = [
    pytest.param(0x30, b"", bytes.fromhex("04 01 00 30 FF CD"), id="C2-status"),
    pytest.param(0x31, b"", bytes.fromhex("04 01 00 31 DE DD"), id="C3-serial"),
    pytest.param(0x3A, b"", bytes.fromhex("04 01 00 3A B5 6C"), id="C4-ffd-version"),
    pytest.param(0x60, b"\x16", bytes.fromhex("04 02 00 60 16 75 10"), id="C5-reset"),
]


def _frames(events):
    return [event for event in events if isinstance(event, FnFrame)]


def test_crc_catalogue_check_value():
    # C1: the CRC catalogue check value of CRC-16/CCITT-FALSE.
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize(("code", "data", "frame"), FRAME_VECTORS)
def test_encode_frame_vectors(code, data, frame):
    assert encode_frame(code, data) == frame


@pytest.mark.parametrize(("code", "data", "frame"), FRAME_VECTORS)
def test_decode_frame_whole(code, data, frame):
    assert decode_frame(frame) == (FnFrame(code, data), len(frame))


@pytest.mark.parametrize(("code", "data", "frame"), FRAME_VECTORS)
def test_decode_frame_with_trailing_bytes(code, data, frame):
    decoded, consumed = decode_frame(frame + b"\x04\x01")
    assert decoded == FnFrame(code, data)
    assert consumed == len(frame)


@pytest.mark.parametrize(("code", "data", "frame"), FRAME_VECTORS)
def test_decode_frame_incomplete_needs_more(code, data, frame):
    for cut in range(len(frame)):
        assert decode_frame(frame[:cut]) is None


@pytest.mark.parametrize(("code", "data", "frame"), FRAME_VECTORS)
def test_decoder_whole(code, data, frame):
    decoder = FnFrameDecoder()
    assert decoder.receive_data(frame) == [FnFrame(code, data)]
    assert decoder.pending == 0


@pytest.mark.parametrize(("code", "data", "frame"), FRAME_VECTORS)
def test_decoder_byte_by_byte(code, data, frame):
    decoder = FnFrameDecoder()
    events = []
    for index in range(len(frame)):
        step = decoder.receive_data(frame[index:index + 1])
        if index < len(frame) - 1:
            assert step == []
        events += step
    assert events == [FnFrame(code, data)]


@pytest.mark.parametrize(("code", "data", "frame"), FRAME_VECTORS)
def test_decoder_keeps_trailing_bytes(code, data, frame):
    decoder = FnFrameDecoder()
    assert decoder.receive_data(frame + frame[:3]) == [FnFrame(code, data)]
    assert decoder.pending == 3
    assert decoder.receive_data(frame[3:]) == [FnFrame(code, data)]


def test_decode_frame_rejects_bad_crc():
    broken = bytes.fromhex("04 01 00 30 FF CE")
    with pytest.raises(DecodeError, match="CRC"):
        decode_frame(broken)


def test_decode_frame_rejects_wrong_start():
    with pytest.raises(DecodeError, match="starts with 02h"):
        decode_frame(bytes.fromhex("02 01 00 30 FF CD"))


def test_decode_frame_rejects_impossible_length():
    with pytest.raises(DecodeError, match="length 0"):
        decode_frame(bytes.fromhex("04 00 00 30 FF CD"))
    with pytest.raises(DecodeError, match="length 1026"):
        decode_frame(bytes.fromhex("04 02 04 30"))


def test_decoder_reports_bad_checksum_and_recovers():
    decoder = FnFrameDecoder()
    events = decoder.receive_data(bytes.fromhex("04 01 00 30 FF CE") + bytes.fromhex("04 01 00 31 DE DD"))
    assert events[0] == BadChecksum(bytes.fromhex("04 01 00 30 FF CE"), expected=0xCDFF, received=0xCEFF)
    assert events[1:] == [FnFrame(0x31, b"")]


def test_decoder_skips_garbage_before_frame():
    decoder = FnFrameDecoder()
    events = decoder.receive_data(b"\xff\x00\x13" + bytes.fromhex("04 01 00 30 FF CD"))
    assert events == [GarbageSkipped(b"\xff\x00\x13"), FnFrame(0x30, b"")]


def test_decoder_resyncs_after_impossible_length():
    decoder = FnFrameDecoder()
    events = decoder.receive_data(bytes.fromhex("04 FF FF") + bytes.fromhex("04 01 00 30 FF CD"))
    assert _frames(events) == [FnFrame(0x30, b"")]
    garbage = b"".join(event.data for event in events if isinstance(event, GarbageSkipped))
    assert garbage == bytes.fromhex("04 FF FF")


@pytest.mark.parametrize("header, length", [("04 00 00", 0), ("04 02 04", 1026), ("04 FF FF", 0xFFFF)])
def test_decoder_reports_bad_length_when_asked(header, length):
    decoder = FnFrameDecoder(report_bad_length=True)
    events = decoder.receive_data(bytes.fromhex(header) + bytes.fromhex("04 01 00 30 FF CD"))
    assert events == [BadLength(bytes.fromhex(header), length), FnFrame(0x30, b"")]


def test_decoder_bad_length_byte_by_byte():
    decoder = FnFrameDecoder(report_bad_length=True)
    events = [event for byte in bytes.fromhex("04 02 04 30") for event in decoder.receive_data(bytes((byte,)))]
    assert events == [BadLength(bytes.fromhex("04 02 04"), 1026), GarbageSkipped(b"\x30")]
    assert decoder.pending == 0


def test_decoder_accepts_longest_length_with_bad_length_reports():
    decoder = FnFrameDecoder(report_bad_length=True)
    frame = encode_frame(0x07, bytes(1024))
    assert decoder.receive_data(frame) == [FnFrame(0x07, bytes(1024))]


def test_decoder_reports_enq_on_fn_side():
    decoder = FnFrameDecoder(accept_enq=True)
    assert decoder.receive_data(b"\x05") == [EnqReceived()]


def test_decoder_treats_enq_as_garbage_on_kkt_side():
    decoder = FnFrameDecoder()
    assert decoder.receive_data(b"\x05") == [GarbageSkipped(b"\x05")]


def test_encode_frame_rejects_oversize_data():
    with pytest.raises(EncodeError, match="1025 bytes"):
        encode_frame(0x07, bytes(1025))


def test_decoder_accepts_maximum_data():
    frame = encode_frame(0x07, bytes(range(256)) * 4)
    assert FnFrameDecoder().receive_data(frame) == [FnFrame(0x07, bytes(range(256)) * 4)]


@given(code=st.integers(0, 255), data=st.binary(max_size=1024), split=st.data())
def test_frame_round_trip_in_pieces(code, data, split):
    frame = encode_frame(code, data)
    cuts = sorted(split.draw(st.lists(st.integers(0, len(frame)), max_size=4)))
    decoder = FnFrameDecoder()
    events = []
    start = 0
    for cut in [*cuts, len(frame)]:
        events += decoder.receive_data(frame[start:cut])
        start = cut
    assert events == [FnFrame(code, data)]
    assert decode_frame(frame) == (FnFrame(code, data), len(frame))


@given(noise=st.binary(max_size=64), code=st.integers(0, 255), data=st.binary(max_size=64))
def test_decoder_finds_frame_after_noise_without_start_bytes(noise, code, data):
    noise = noise.replace(b"\x04", b"")
    frame = encode_frame(code, data)
    assert _frames(FnFrameDecoder().receive_data(noise + frame)) == [FnFrame(code, data)]
