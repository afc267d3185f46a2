"""The ФН interface session: good frames run, bad frames never do and get 01h once the line is quiet.

Frames are fed whole, byte by byte and with trailing bytes, as a transport may
deliver them. ``expire_partial_frame`` stands for the byte timeout of a transport.
The status request frame ``04 01 00 30 FF CD`` is the one named in
polarikus/flipper-zero_fn_tester lib/fn/fn_tools.c («FF CD для 0x30»).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kktemu.emulator.transports.fn_session import FnEndpoint, FnSession
from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.protocol.errors import DecodeError
from kktemu.protocol.fn.frame import MAX_DATA_SIZE, decode_frame, encode_frame

STATUS_REQUEST = bytes.fromhex("04 01 00 30 FF CD")
SERIAL_REQUEST = bytes.fromhex("04 01 00 31 DE DD")
ANSWER_01H = encode_frame(0x01)
ANSWER_03H = encode_frame(0x03)


class RecordingHandler:
    """Record every command and answer 00h with the data reversed and the command appended (1024 bytes at most)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, bytes]] = []

    def __call__(self, command: int, data: bytes) -> tuple[int, bytes]:
        self.calls.append((command, data))
        return 0x00, (data[::-1] + bytes((command,)))[:MAX_DATA_SIZE]


def answer_to(command: int, data: bytes = b"") -> bytes:
    """The answer frame ``RecordingHandler`` produces for one command."""
    return encode_frame(0x00, (data[::-1] + bytes((command,)))[:MAX_DATA_SIZE])


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def session(handler) -> FnSession:
    return FnEndpoint(handler).new_session("test")


def feed_bytewise(session: FnSession, data: bytes) -> bytes:
    return b"".join(session.feed(data[index:index + 1]) for index in range(len(data)))


# --- good frames ---------------------------------------------------------------------------


def test_frame_whole_runs_command(session, handler):
    assert session.feed(STATUS_REQUEST) == answer_to(0x30)
    assert handler.calls == [(0x30, b"")]
    assert session.commands_executed == 1
    assert not session.has_partial_frame


def test_frame_byte_by_byte_answers_at_last_byte(session, handler):
    for byte in STATUS_REQUEST[:-1]:
        assert session.feed(bytes((byte,))) == b""
        assert session.has_partial_frame
    assert handler.calls == []
    assert session.feed(STATUS_REQUEST[-1:]) == answer_to(0x30)
    assert handler.calls == [(0x30, b"")]


def test_frame_with_trailing_bytes_keeps_them(session, handler):
    assert session.feed(STATUS_REQUEST + SERIAL_REQUEST[:3]) == answer_to(0x30)
    assert session.has_partial_frame
    assert session.feed(SERIAL_REQUEST[3:]) == answer_to(0x31)
    assert handler.calls == [(0x30, b""), (0x31, b"")]


def test_two_frames_in_one_read(session, handler):
    assert session.feed(STATUS_REQUEST + SERIAL_REQUEST) == answer_to(0x30) + answer_to(0x31)
    assert handler.calls == [(0x30, b""), (0x31, b"")]


def test_maximum_data_runs(session, handler):
    data = bytes(range(256)) * 4
    assert len(data) == MAX_DATA_SIZE
    frame = encode_frame(0x07, data)
    assert frame[1:3] == bytes.fromhex("01 04")  # LEN 1025
    assert feed_bytewise(session, frame) == answer_to(0x07, data)
    assert handler.calls == [(0x07, data)]


def test_warning_bit_passes_through():
    endpoint = FnEndpoint(lambda command, data: (0x82, b""))
    assert endpoint.new_session("test").feed(STATUS_REQUEST) == encode_frame(0x82)


def test_garbage_before_frame_dropped(session, handler):
    assert session.feed(b"\xff\x00\x13" + STATUS_REQUEST) == answer_to(0x30)
    assert handler.calls == [(0x30, b"")]
    assert session.anomalies == 1


# --- bad frames ----------------------------------------------------------------------------

BAD_CRC = bytes.fromhex("04 01 00 30 FF CE")
LEN_ZERO = bytes.fromhex("04 00 00 3F 5D")
LEN_1026 = bytes.fromhex("04 02 04") + bytes(1026) + bytes(2)
LEN_MAX = bytes.fromhex("04 FF FF 30")
BAD_FRAMES = {"bad CRC": BAD_CRC, "LEN 0": LEN_ZERO, "LEN 1026": LEN_1026, "LEN FFFFh": LEN_MAX}


@pytest.mark.parametrize("frame", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_bad_frame_whole_answered_when_quiet(session, handler, frame):
    assert session.feed(frame) == b""
    assert session.has_partial_frame
    assert session.expire_partial_frame() == ANSWER_01H
    assert not session.has_partial_frame
    assert handler.calls == []


@pytest.mark.parametrize("frame", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_bad_frame_byte_by_byte(session, handler, frame):
    assert feed_bytewise(session, frame) == b""
    assert session.expire_partial_frame() == ANSWER_01H
    assert handler.calls == []


@pytest.mark.parametrize("frame", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_bad_frame_drops_trailing_frames(session, handler, frame):
    assert session.feed(frame + STATUS_REQUEST + b"\x05" + SERIAL_REQUEST) == b""
    assert session.feed(STATUS_REQUEST) == b""
    assert session.expire_partial_frame() == ANSWER_01H
    assert handler.calls == []


@pytest.mark.parametrize("frame", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_frame_after_quiet_line_runs(session, handler, frame):
    session.feed(frame)
    session.expire_partial_frame()
    assert session.feed(STATUS_REQUEST) == answer_to(0x30)
    assert handler.calls == [(0x30, b"")]


def test_bad_frame_log_counts_one_byte(session, caplog):
    caplog.set_level("INFO", logger="kktemu.emulator.transports.fn_session")
    session.feed(BAD_CRC + b"\x30")
    assert session.expire_partial_frame() == ANSWER_01H
    assert "dropped 1 byte received after it" in caplog.text


def test_partial_frame_log_counts_bytes(session, caplog):
    caplog.set_level("WARNING", logger="kktemu.emulator.transports.fn_session")
    session.feed(STATUS_REQUEST[:1])
    session.expire_partial_frame()
    session.feed(STATUS_REQUEST[:4])
    session.expire_partial_frame()
    assert "partial ФН frame of 1 byte from" in caplog.text
    assert "partial ФН frame of 4 bytes from" in caplog.text


def test_good_frame_before_bad_one_runs(session, handler):
    assert session.feed(STATUS_REQUEST + BAD_CRC + SERIAL_REQUEST) == answer_to(0x30)
    assert session.expire_partial_frame() == ANSWER_01H
    assert handler.calls == [(0x30, b"")]


def test_garbled_length_hides_no_command(session, handler):
    # A 07h frame carries a whole status request in its data. LEN garbled from 13 to 5
    # cuts the frame just before that request, whose bytes must not run as a command.
    frame = bytearray(encode_frame(0x07, b"\x01\x02\x03\x04" + STATUS_REQUEST + b"\x09\x09"))
    assert frame[1] == 13
    frame[1] = 5
    with pytest.raises(DecodeError, match="CRC"):
        decode_frame(bytes(frame))
    assert session.feed(bytes(frame)) == b""
    assert session.expire_partial_frame() == ANSWER_01H
    assert handler.calls == []
    assert feed_bytewise(session, bytes(frame)) == b""
    assert session.expire_partial_frame() == ANSWER_01H
    assert handler.calls == []


def test_partial_frame_timeout_no_answer(session, handler):
    assert session.feed(STATUS_REQUEST[:4]) == b""
    assert session.expire_partial_frame() == b""
    assert not session.has_partial_frame
    assert session.anomalies == 1
    assert session.feed(STATUS_REQUEST) == answer_to(0x30)


def test_quiet_line_without_input_does_nothing(session):
    assert session.expire_partial_frame() == b""
    assert session.anomalies == 0


# --- ENQ -----------------------------------------------------------------------------------


def test_enq_repeats_last_answer(session, handler):
    first = session.feed(STATUS_REQUEST)
    assert session.feed(b"\x05") == first
    assert session.feed(b"\x05\x05") == first + first
    assert handler.calls == [(0x30, b"")]


def test_enq_before_any_answer_silent(session):
    assert session.feed(b"\x05") == b""
    assert session.anomalies == 1


def test_enq_repeats_01h_of_bad_frame(session):
    session.feed(STATUS_REQUEST)
    session.feed(BAD_CRC)
    session.expire_partial_frame()
    assert session.feed(b"\x05") == ANSWER_01H


def test_last_answer_survives_reconnect(handler):
    endpoint = FnEndpoint(handler)
    answer = endpoint.new_session("first").feed(SERIAL_REQUEST)
    assert endpoint.new_session("second").feed(b"\x05") == answer
    assert endpoint.commands_executed == 1


# --- handler failures ----------------------------------------------------------------------


def test_handler_exception_answers_03h():
    def broken(command: int, data: bytes) -> tuple[int, bytes]:
        raise RuntimeError("bug in the ФН model")

    session = FnEndpoint(broken).new_session("test")
    assert session.feed(STATUS_REQUEST) == ANSWER_03H
    assert session.commands_executed == 0
    assert session.feed(b"\x05") == ANSWER_03H


def test_unframeable_answer_answers_03h():
    session = FnEndpoint(lambda command, data: (0x00, bytes(MAX_DATA_SIZE + 1))).new_session("test")
    assert session.feed(STATUS_REQUEST) == ANSWER_03H


# --- the ФН model behind the session -------------------------------------------------------


def test_unknown_command_01h_from_model(tmp_path):
    path = tmp_path / "fn.bin"
    with FiscalStorage.create(path, make_test_fn_serial(7), lambda: dt.datetime(2024, 3, 1, 9, 0)) as storage:
        before = hashlib.sha256(path.read_bytes()).digest()
        session = FnEndpoint(storage.execute).new_session("test")
        assert session.feed(encode_frame(0x99, b"\x01\x02")) == ANSWER_01H
        assert session.commands_executed == 1
        assert hashlib.sha256(path.read_bytes()).digest() == before


def test_bad_crc_leaves_archive_untouched(tmp_path):
    path = tmp_path / "fn.bin"
    with FiscalStorage.create(path, make_test_fn_serial(8), lambda: dt.datetime(2024, 3, 1, 9, 0)) as storage:
        before = hashlib.sha256(path.read_bytes()).digest()
        session = FnEndpoint(storage.execute).new_session("test")
        frame = bytearray(encode_frame(0x02, b"\x00"))  # begin registration report
        frame[-1] ^= 0x01
        assert session.feed(bytes(frame)) == b""
        assert session.expire_partial_frame() == ANSWER_01H
        assert storage.execute(0x30, b"")[1][1] == 0  # no document open
        assert hashlib.sha256(path.read_bytes()).digest() == before


# --- properties ----------------------------------------------------------------------------

commands = st.integers(0, 0xFF)
payloads = st.binary(max_size=64)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    edges = [0, *points, len(data)]
    return [data[start:end] for start, end in zip(edges, edges[1:])]


@settings(max_examples=150)
@given(commands, payloads, st.lists(st.integers(0, 2000), max_size=6))
def test_any_frame_in_pieces_runs_once(command, data, cuts):
    handler = RecordingHandler()
    session = FnEndpoint(handler).new_session("property")
    output = b"".join(session.feed(piece) for piece in _split(encode_frame(command, data), cuts))
    assert output == answer_to(command, data)
    assert handler.calls == [(command, data)]
    assert not session.has_partial_frame


def _first_frame_is_valid(data: bytes) -> bool:
    try:
        return decode_frame(data) is not None
    except DecodeError:
        return False


@settings(max_examples=300)
@given(commands, payloads, st.integers(0, 2000), st.integers(1, 0xFF), st.lists(st.integers(0, 2000), max_size=6))
def test_garbled_frame_never_runs(command, data, position, flip, cuts):
    frame = bytearray(encode_frame(command, data))
    frame[position % len(frame)] ^= flip
    garbled = bytes(frame)
    # A LEN made shorter can, once in 65536 cuts, end on bytes that happen to be the right CRC.
    assume(not _first_frame_is_valid(garbled))
    handler = RecordingHandler()
    session = FnEndpoint(handler).new_session("property")
    output = b"".join(session.feed(piece) for piece in _split(garbled, cuts))
    output += session.expire_partial_frame()
    assert handler.calls == []
    assert output in (b"", ANSWER_01H)
    assert not session.has_partial_frame
