"""Framing of Штрих-М protocol v2 (the "alternative lower level") and its stream decoder.

Logical packet (vendor spec "Протокол ККТ" v1.17, section "Альтернативный нижний
уровень"), every number little-endian::

    8F  LEN16  [NUM16  [DATA...]]  CRC16

* LEN16 counts NUM16 and DATA: 0 for the empty request without a number (type I, the
  host's sync or ping), 2 for an empty packet with a number (type II, only ever an
  answer), 3..65535 for a packet carrying DATA (type III). LEN16 = 1 is invalid.
* DATA is the same body as in protocol v1: ``CMD [DATA]`` in a request and
  ``CMD err [DATA]`` in an answer.
* CRC16 is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no
  reflection, no final XOR) over LEN16, NUM16 and DATA.

Physical packet: everything after the leading 0x8F is byte-stuffed after the CRC is
computed, so 0x8F never occurs inside a packet. 0x8F becomes ``9F 81`` and 0x9F
becomes ``9F 83``; no other byte changes. The stuffed part includes LEN16 and
CRC16. Both the spec's coding table and the vendor's Java driver (javapos_shtrih
``PrinterProtocol_2``) stuff that way. None of the captured device packets in
public driver logs contains 0x8F or 0x9F, so no trace confirms it byte for byte.

A packet is damaged, and a receiver treats it as never received, when its CRC is
wrong, when 0x9F is followed by anything but 0x81 or 0x83, when a raw 0x8F
appears before it is complete (that 0x8F starts the next packet), or when LEN16 is 1
or larger than the receiver's buffer.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

from ..errors import DecodeError, EncodeError

STX = 0x8F
"""First byte of every v2 packet; it never occurs anywhere else on the wire."""

ESC = 0x9F
"""Escape byte of the stuffing: the byte after it stands for STX or ESC."""

TSTX = 0x81
"""Byte after ESC that stands for a 0x8F in the logical packet."""

TESC = 0x83
"""Byte after ESC that stands for a 0x9F in the logical packet."""

MAX_LENGTH = 0xFFFF
"""Largest LEN16 value, so DATA is at most 65533 bytes."""

MAX_DATA_LEN = MAX_LENGTH - 2
"""Largest DATA (CMD and parameters) one packet can carry."""

_STUFFING = {STX: bytes((ESC, TSTX)), ESC: bytes((ESC, TESC))}


def crc16(data: bytes) -> int:
    """Return the CRC-16/CCITT-FALSE of ``data`` (0xFFFF for empty input).

    For a logical packet, pass LEN16, NUM16 and DATA: ``crc16(packet[1:-2])``.
    """
    return binascii.crc_hqx(data, 0xFFFF)


def stuff(data: bytes) -> bytes:
    """Replace each 0x8F in ``data`` with ``9F 81`` and each 0x9F with ``9F 83``."""
    if STX not in data and ESC not in data:
        return bytes(data)
    return b"".join(_STUFFING.get(byte, bytes((byte,))) for byte in data)


def unstuff(data: bytes) -> bytes:
    """Undo ``stuff``. Raises DecodeError for a raw 0x8F, or a 0x9F not followed by 0x81 or 0x83."""
    if STX not in data and ESC not in data:
        return bytes(data)
    result = bytearray()
    index = 0
    size = len(data)
    while index < size:
        byte = data[index]
        if byte == STX:
            raise DecodeError("0x8F inside a v2 packet; it only starts a packet", index)
        if byte == ESC:
            if index + 1 == size:
                raise DecodeError("v2 packet ends with the escape byte 0x9F", index)
            follower = data[index + 1]
            if follower == TSTX:
                result.append(STX)
            elif follower == TESC:
                result.append(ESC)
            else:
                raise DecodeError(f"escape byte 0x9F followed by {follower:02X}, expected 81 or 83", index + 1)
            index += 2
            continue
        result.append(byte)
        index += 1
    return bytes(result)


@dataclass(frozen=True, slots=True)
class Packet:
    """A v2 packet with a correct CRC.

    ``num`` is None for the empty type I packet (LEN16 = 0). ``data`` is empty for
    types I and II. ``frame`` is the packet as it was on the wire, stuffing included.
    """

    num: int | None
    data: bytes
    frame: bytes = b""

    @property
    def is_sync(self) -> bool:
        """Whether this is the empty request without a number (type I)."""
        return self.num is None


@dataclass(frozen=True, slots=True)
class DamagedPacket:
    """Bytes that started a v2 packet but do not form a valid one; ``reason`` describes the fault."""

    frame: bytes
    reason: str
    bad_checksum: bool = False


@dataclass(frozen=True, slots=True)
class BytesOutsidePacket:
    """Bytes before a packet's 0x8F; protocol v2 has no control bytes, so these are noise."""

    data: bytes


DecoderEvent = Packet | DamagedPacket | BytesOutsidePacket


def encode_packet(num: int | None, data: bytes = b"") -> bytes:
    """Build the physical packet (stuffed, with CRC) for ``num`` and ``data``.

    ``num=None`` with no data gives the type I sync request ``8F 00 00 0F 1D``;
    a number with no data gives a type II packet. Raises EncodeError when ``num`` is
    outside 0..65535, when data comes without a number, or when data is longer
    than 65533 bytes.
    """
    if num is None:
        if data:
            raise EncodeError("a v2 packet with data needs a packet number (NUM16)")
        logical = b"\x00\x00"
    else:
        if not 0 <= num <= 0xFFFF:
            raise EncodeError(f"v2 packet number must be 0..65535, got {num}")
        if len(data) > MAX_DATA_LEN:
            raise EncodeError(f"v2 packet data must be at most {MAX_DATA_LEN} bytes, got {len(data)}")
        logical = (len(data) + 2).to_bytes(2, "little") + num.to_bytes(2, "little") + bytes(data)
    logical += crc16(logical).to_bytes(2, "little")
    return bytes((STX,)) + stuff(logical)


def decode_packet(frame: bytes) -> Packet:
    """Decode exactly one physical packet with a correct CRC.

    Raises DecodeError when ``frame`` does not start with 0x8F, is damaged, is
    incomplete or has bytes after the packet. Use ``PacketDecoder`` for streams.
    """
    if not frame or frame[0] != STX:
        raise DecodeError("a v2 packet starts with 0x8F", 0)
    logical = unstuff(frame[1:])
    if len(logical) < 4:
        raise DecodeError(f"v2 packet needs at least LEN16 and CRC16 (4 bytes after 8F), got {len(logical)}")
    length = int.from_bytes(logical[:2], "little")
    if length == 1:
        raise DecodeError("v2 packet length LEN16 = 1 is invalid", 1)
    expected_size = 2 + length + 2
    if len(logical) != expected_size:
        raise DecodeError(
            f"LEN16 {length} requires {expected_size} bytes after 8F once unstuffed, got {len(logical)}"
        )
    crc = int.from_bytes(logical[-2:], "little")
    computed = crc16(logical[:-2])
    if crc != computed:
        raise DecodeError(f"v2 packet CRC is {crc:04X}, expected {computed:04X}")
    if length == 0:
        return Packet(None, b"", bytes(frame))
    return Packet(int.from_bytes(logical[2:4], "little"), logical[4:-2], bytes(frame))


class PacketDecoder:
    """Incremental decoder of a v2 byte stream, for either direction.

    ``feed`` appends received bytes. ``next_event`` returns the next complete event,
    or None when more bytes are needed, so a caller can stop after any packet and
    resume later. Stuffing is undone byte by byte as the spec allows. ``max_length``
    caps LEN16: a packet announcing more is dropped as damaged as soon as its LEN16
    arrives, as the spec permits for a receive buffer smaller than the maximum.
    """

    def __init__(self, max_length: int = MAX_LENGTH) -> None:
        if not 2 <= max_length <= MAX_LENGTH:
            raise ValueError(f"max_length must be 2..{MAX_LENGTH}, got {max_length}")
        self.max_length = max_length
        self._input = bytearray()
        self._pos = 0
        self._start: int | None = None
        self._logical = bytearray()
        self._escape = False
        self._total = 0

    @property
    def in_packet(self) -> bool:
        """Whether a packet has started (0x8F seen) and is not complete yet."""
        return self._start is not None

    @property
    def buffered(self) -> int:
        """Bytes fed but not yet turned into events, the started packet included."""
        start = self._start if self._start is not None else self._pos
        return len(self._input) - start

    def feed(self, data: bytes) -> None:
        """Append received bytes; call ``next_event`` to decode them."""
        first = self._start if self._start is not None else self._pos
        if first:
            # Drop what is already decoded, so the buffer contains at most one packet plus new input.
            del self._input[:first]
            self._pos -= first
            if self._start is not None:
                self._start = 0
        self._input += data

    def decode_all(self, data: bytes = b"") -> list[DecoderEvent]:
        """Feed ``data`` and return every event it completes, in order."""
        self.feed(data)
        events: list[DecoderEvent] = []
        while (event := self.next_event()) is not None:
            events.append(event)
        return events

    def expire_partial_packet(self) -> DamagedPacket | None:
        """Drop a started packet after the byte timeout; return it, or None if none started."""
        if self._start is None:
            return None
        frame = bytes(self._input[self._start:self._pos])
        del self._input[:self._pos]
        self._pos = 0
        self._start = None
        return DamagedPacket(frame, "incomplete packet timed out")

    def next_event(self) -> DecoderEvent | None:
        """Decode the next event from the fed bytes, or return None when more are needed."""
        data = self._input
        end = len(data)
        if self._start is None:
            if self._pos >= end:
                self._compact()
                return None
            start = data.find(STX, self._pos)
            if start == -1:
                start = end
            if start > self._pos:
                noise = bytes(data[self._pos:start])
                self._pos = start
                return BytesOutsidePacket(noise)
            self._begin(start)
        return self._continue_packet(end)

    def _begin(self, start: int) -> None:
        self._start = start
        self._pos = start + 1
        self._logical = bytearray()
        self._escape = False
        self._total = 0

    def _continue_packet(self, end: int) -> DecoderEvent | None:
        data = self._input
        logical = self._logical
        pos = self._pos
        while pos < end:
            byte = data[pos]
            if byte == STX:
                self._pos = pos
                return self._damaged(pos, "packet cut short by the 0x8F of a new packet")
            pos += 1
            if self._escape:
                self._escape = False
                if byte == TSTX:
                    byte = STX
                elif byte == TESC:
                    byte = ESC
                else:
                    self._pos = pos
                    return self._damaged(pos, f"escape byte 0x9F followed by {byte:02X}, expected 81 or 83")
            elif byte == ESC:
                self._escape = True
                continue
            logical.append(byte)
            size = len(logical)
            if size == 2:
                length = logical[0] | logical[1] << 8
                if length == 1:
                    self._pos = pos
                    return self._damaged(pos, "packet length LEN16 = 1 is invalid")
                if length > self.max_length:
                    self._pos = pos
                    return self._damaged(pos, f"packet length LEN16 {length} is over the limit {self.max_length}")
                self._total = 2 + length + 2
            elif size == self._total:
                self._pos = pos
                return self._complete(pos)
        self._pos = pos
        return None

    def _complete(self, end: int) -> DecoderEvent:
        logical = self._logical
        assert self._start is not None
        frame = bytes(self._input[self._start:end])
        self._start = None
        crc = int.from_bytes(logical[-2:], "little")
        computed = crc16(logical[:-2])
        if crc != computed:
            return DamagedPacket(frame, f"CRC is {crc:04X}, expected {computed:04X}", bad_checksum=True)
        if self._total == 4:
            return Packet(None, b"", frame)
        return Packet(int.from_bytes(logical[2:4], "little"), bytes(logical[4:-2]), frame)

    def _damaged(self, end: int, reason: str) -> DamagedPacket:
        assert self._start is not None
        frame = bytes(self._input[self._start:end])
        self._start = None
        return DamagedPacket(frame, reason)

    def _compact(self) -> None:
        # Called only between packets with everything consumed.
        self._input.clear()
        self._pos = 0
