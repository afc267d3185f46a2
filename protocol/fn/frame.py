"""Framing of the ФН interface, sans-IO.

Request and answer share one layout::

    04 | LEN (UInt16 LE) | CODE | DATA (LEN - 1 bytes) | CRC (UInt16 LE)

CODE is the command in a request and the result code in an answer. LEN counts
CODE and DATA. CRC is CRC-16/CCITT-FALSE over LEN, CODE and DATA (everything but
the leading 04h). DATA holds at most 1024 bytes. Besides frames, a ККТ may send a
lone ENQ (05h) to ask the ФН to repeat its last answer.

``FnFrameDecoder`` cuts frames out of a byte stream by the start byte and the
length and only then checks the CRC, so a frame may arrive in any number of
pieces and bytes after it stay buffered for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DecodeError, EncodeError
from .crc import crc16_ccitt_false

START = 0x04
ENQ = 0x05
MAX_DATA_SIZE = 1024
HEADER_SIZE = 3  # start byte and LEN
CRC_SIZE = 2


@dataclass(frozen=True)
class FnFrame:
    """One checked frame: ``code`` is the command (request) or result code (answer)."""

    code: int
    data: bytes


@dataclass(frozen=True)
class BadChecksum:
    """A frame whose CRC did not match; it was dropped whole."""

    raw: bytes
    expected: int
    received: int


@dataclass(frozen=True)
class GarbageSkipped:
    """Bytes that could not start a frame and were dropped while looking for 04h."""

    data: bytes


@dataclass(frozen=True)
class BadLength:
    """A start byte and a LEN outside 1..max data + 1, reported only with ``report_bad_length``.

    ``header`` is the three bytes (04h and LEN) the decoder dropped; the bytes
    after them stay buffered.
    """

    header: bytes
    length: int


@dataclass(frozen=True)
class EnqReceived:
    """A lone ENQ (05h) between frames: the ККТ asks for the last answer again."""


FrameEvent = FnFrame | BadChecksum | BadLength | GarbageSkipped | EnqReceived


def encode_frame(code: int, data: bytes = b"", *, max_data: int = MAX_DATA_SIZE) -> bytes:
    """Build the bytes of a request (``code`` = command) or answer (``code`` = result).

    Raises EncodeError when ``code`` is not a byte or ``data`` exceeds ``max_data`` bytes.
    """
    if not 0 <= code <= 0xFF:
        raise EncodeError(f"frame code {code} is not a byte")
    if len(data) > max_data:
        raise EncodeError(f"frame data is {len(data)} bytes, the ФН interface allows {max_data}")
    body = (len(data) + 1).to_bytes(2, "little") + bytes((code,)) + bytes(data)
    return bytes((START,)) + body + crc16_ccitt_false(body).to_bytes(2, "little")


def decode_frame(raw: bytes, *, max_data: int = MAX_DATA_SIZE) -> tuple[FnFrame, int] | None:
    """Decode the frame at the start of ``raw``.

    Returns ``(frame, bytes consumed)``, or None when ``raw`` ends before the frame
    does. Bytes after the frame are left alone. Raises DecodeError when ``raw``
    does not start with 04h, the length is impossible or the CRC does not match.
    """
    if not raw:
        return None
    if raw[0] != START:
        raise DecodeError(f"frame starts with {raw[0]:02X}h, expected 04h", 0)
    if len(raw) < HEADER_SIZE:
        return None
    length = int.from_bytes(raw[1:3], "little")
    if not 1 <= length <= max_data + 1:
        raise DecodeError(f"frame length {length} is outside 1..{max_data + 1}", 1)
    end = HEADER_SIZE + length + CRC_SIZE
    if len(raw) < end:
        return None
    body = bytes(raw[1:HEADER_SIZE + length])
    received = int.from_bytes(raw[end - CRC_SIZE:end], "little")
    expected = crc16_ccitt_false(body)
    if received != expected:
        raise DecodeError(f"frame CRC is {received:04X}h, computed {expected:04X}h", end - CRC_SIZE)
    return FnFrame(code=body[2], data=body[3:]), end


class FnFrameDecoder:
    """Incremental frame decoder for one direction of the ФН interface.

    Feed bytes with ``receive_data``; it returns the events completed so far.
    Bytes before a start byte are reported as ``GarbageSkipped``. A start byte
    followed by an impossible length is skipped as garbage too, so the decoder
    resynchronises on the next 04h. A frame with a wrong CRC is dropped whole and
    reported as ``BadChecksum``. With ``accept_enq`` (the ФН side), a 05h between
    frames is reported as ``EnqReceived`` instead of garbage. With
    ``report_bad_length``, an impossible length is reported as ``BadLength``
    (start byte and LEN dropped) instead of garbage, so the ФН side can answer
    it. The buffer never holds more than one frame, so memory stays bounded.
    """

    def __init__(self, *, accept_enq: bool = False, max_data: int = MAX_DATA_SIZE, report_bad_length: bool = False):
        self._buffer = bytearray()
        self._accept_enq = accept_enq
        self._max_data = max_data
        self._report_bad_length = report_bad_length

    @property
    def pending(self) -> int:
        """Number of buffered bytes of an incomplete frame."""
        return len(self._buffer)

    def receive_data(self, data: bytes) -> list[FrameEvent]:
        """Add received bytes and return the events they complete, in order."""
        self._buffer += data
        events: list[FrameEvent] = []
        while self._buffer:
            event = self._next_event()
            if event is None:
                break
            events.append(event)
        return events

    def _next_event(self) -> FrameEvent | None:
        buffer = self._buffer
        if buffer[0] != START:
            if self._accept_enq and buffer[0] == ENQ:
                del buffer[:1]
                return EnqReceived()
            return self._skip_garbage()
        if len(buffer) < HEADER_SIZE:
            return None
        length = int.from_bytes(buffer[1:3], "little")
        if not 1 <= length <= self._max_data + 1:
            if self._report_bad_length:
                header = bytes(buffer[:HEADER_SIZE])
                del buffer[:HEADER_SIZE]
                return BadLength(header, length)
            del buffer[:1]
            return GarbageSkipped(bytes((START,)))
        end = HEADER_SIZE + length + CRC_SIZE
        if len(buffer) < end:
            return None
        raw = bytes(buffer[:end])
        del buffer[:end]
        body = raw[1:HEADER_SIZE + length]
        received = int.from_bytes(raw[-CRC_SIZE:], "little")
        expected = crc16_ccitt_false(body)
        if received != expected:
            return BadChecksum(raw=raw, expected=expected, received=received)
        return FnFrame(code=body[2], data=body[3:])

    def _skip_garbage(self) -> GarbageSkipped:
        buffer = self._buffer
        stop = len(buffer)
        for index, value in enumerate(buffer):
            if value == START or (self._accept_enq and value == ENQ):
                stop = index
                break
        skipped = bytes(buffer[:stop])
        del buffer[:stop]
        return GarbageSkipped(skipped)
