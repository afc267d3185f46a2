"""Framing of Штрих-М protocol v1 and a sans-IO decoder for the host side.

A message on the wire is ``STX LEN CMD DATA LRC``. LEN is one byte counting CMD and
DATA only (STX, LEN and LRC excluded), so a body is 1..255 bytes. LRC is the XOR of
LEN and every body byte. Outside frames the link uses single control bytes: ENQ from
the host, ACK and NAK from both sides, and on network transports an extra 0xFF that
the device sends after the host acknowledges an answer (vendor spec "Протокол ККТ"
v1.17, appendix 3, note on RNDIS).

``HostLink`` parses what a device sends (control bytes and answer frames). Tests and
raw benchmark clients use it; the device side lives in ``link.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DecodeError, EncodeError

STX = 0x02
ENQ = 0x05
ACK = 0x06
NAK = 0x15
FILLER = 0xFF
"""The byte a network device sends after the host's ACK of an answer."""

MAX_BODY_LEN = 0xFF
"""Largest CMD+DATA length that the one-byte LEN field can describe."""

MAX_FRAME_LEN = MAX_BODY_LEN + 3
"""Largest frame on the wire: STX, LEN, 255 body bytes, LRC."""


def lrc(data: bytes) -> int:
    """Return the XOR of all bytes of ``data`` (0 for empty input).

    For a frame, pass LEN followed by the body: ``lrc(frame[1:-1])``.
    """
    value = 0
    for byte in data:
        value ^= byte
    return value


def encode_frame(body: bytes) -> bytes:
    """Build the frame ``STX LEN body LRC`` for a command or answer body (CMD+DATA).

    Raises EncodeError when the body is empty or longer than 255 bytes.
    """
    length = len(body)
    if not 1 <= length <= MAX_BODY_LEN:
        raise EncodeError(
            f"frame body must be 1..{MAX_BODY_LEN} bytes (command code included), got {length}"
        )
    header = bytes((STX, length))
    return header + body + bytes((lrc(body) ^ length,))


def decode_frame(frame: bytes) -> bytes:
    """Return the body (CMD+DATA) of exactly one complete frame.

    Raises DecodeError when ``frame`` does not start with STX, its length disagrees with
    LEN, LEN is zero or the LRC is wrong. Use ``HostLink`` or ``DeviceLink`` for streams.
    """
    if len(frame) < 3 or frame[0] != STX:
        raise DecodeError("a frame starts with STX (02) followed by LEN", 0)
    length = frame[1]
    if length == 0:
        raise DecodeError("frame length byte is 0, but a body holds at least a command code", 1)
    if len(frame) != length + 3:
        raise DecodeError(f"LEN {length} requires a frame of {length + 3} bytes, got {len(frame)}")
    expected = lrc(frame[1:-1])
    if frame[-1] != expected:
        raise DecodeError(
            f"LRC is {frame[-1]:02X}, expected {expected:02X}", len(frame) - 1
        )
    return bytes(frame[2:-1])


@dataclass(frozen=True, slots=True)
class ControlByte:
    """A single ACK, NAK or 0xFF filler byte sent by the device."""

    value: int


@dataclass(frozen=True, slots=True)
class AnswerFrame:
    """A complete answer frame with a correct LRC; ``body`` is CMD+DATA."""

    body: bytes
    frame: bytes


@dataclass(frozen=True, slots=True)
class AnswerChecksumError:
    """A complete answer frame whose LRC is wrong (or whose LEN is zero)."""

    frame: bytes


@dataclass(frozen=True, slots=True)
class UnexpectedBytes:
    """Bytes a device never sends outside a frame (anything but STX, ACK, NAK, 0xFF)."""

    data: bytes


HostEvent = ControlByte | AnswerFrame | AnswerChecksumError | UnexpectedBytes


class HostLink:
    """Incremental decoder of the byte stream a Штрих-М device sends to its host.

    Feed received bytes to ``receive_data``; it returns the events they complete, in
    order, and keeps an incomplete frame for the next call. The host decides what to
    send next (ACK, NAK, ENQ or a frame from ``encode_frame``): this class keeps no
    protocol state beyond the partial frame.
    """

    def __init__(self) -> None:
        self._buffer = b""

    @property
    def has_partial_frame(self) -> bool:
        """Whether an answer frame has started but not all of its bytes have arrived."""
        return bool(self._buffer)

    def expire_partial_frame(self) -> UnexpectedBytes | None:
        """Drop an incomplete frame after a read timeout and return it, or None."""
        if not self._buffer:
            return None
        data, self._buffer = self._buffer, b""
        return UnexpectedBytes(data)

    def receive_data(self, data: bytes) -> list[HostEvent]:
        """Decode ``data`` appended to any partial frame; return the completed events."""
        buffer = self._buffer + data if self._buffer else bytes(data)
        events: list[HostEvent] = []
        size = len(buffer)
        index = 0
        while index < size:
            byte = buffer[index]
            if byte == STX:
                if size - index < 2:
                    break
                end = index + buffer[index + 1] + 3
                if end > size:
                    break
                frame = buffer[index:end]
                index = end
                if frame[1] != 0 and lrc(frame[1:-1]) == frame[-1]:
                    events.append(AnswerFrame(frame[2:-1], frame))
                else:
                    events.append(AnswerChecksumError(frame))
            elif byte in (ACK, NAK, FILLER):
                events.append(ControlByte(byte))
                index += 1
            else:
                start = index
                index += 1
                while index < size and buffer[index] not in (STX, ACK, NAK, FILLER):
                    index += 1
                events.append(UnexpectedBytes(buffer[start:index]))
        self._buffer = buffer[index:]
        return events
