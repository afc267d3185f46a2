"""Device side of the Штрих-М protocol v2 link layer, sans-IO, and protocol detection.

``DeviceLinkV2`` has the event-style API of ``link.DeviceLink``: ``receive_data``
returns events whose ``reply`` the transport writes at once, after a
``CommandReceived`` the caller executes its body and calls ``answer``, and timeouts
are inputs.
Protocol v2 has no ENQ, ACK or NAK: every request packet gets one answer packet,
or nothing when it is damaged.

Packet numbering follows the vendor spec "Протокол ККТ" v1.17, section
"Синхронизация пакетов". The device remembers the number (NUM16) and the answer
of the last command it executed, in a ``PacketHistory``:

* A request numbered one above the last answer is executed, and its answer carries
  the request's number. Numbers wrap from 65535 to 0.
* A request with the same number as the last answer is a retransmission: the
  device sends that answer again and executes nothing, even when the command in the
  packet differs. A real device did exactly that in a public fr_drv_ng log: a 11h
  request numbered like the preceding 1Eh got the cached 1Eh answer.
* Any other number means host and device are out of step. The device again sends
  the last answer, so the host learns the current number, and executes nothing.
* The empty request (LEN16 = 0) asks for that same last answer. Before any command
  has been executed, the answer is an empty packet carrying the current number,
  which starts at 1: a freshly connected device answered ``8F 00 00 0F 1D`` with
  ``8F 02 00 01 00 99 5A``, and the vendor's drivers then number their first
  command 2.
* A damaged packet (wrong CRC, broken stuffing, bad LEN16, cut short) counts as
  never received: no reply and no execution. The host repeats it after its timeout
  with the same number, which is safe because of the rules above.

Decisions where the spec and the hosts leave room:

* Before any command has been executed, a request with any number is executed. A
  real device starts in that state after power-on; rejecting every number but 2
  would only delay hosts that skip the empty request.
* The history belongs to the device, not to one connection: pass the same
  ``PacketHistory`` to every link of one register. A host that reconnects and
  resends its last request then gets the cached answer instead of a second
  execution.
* A numbered packet without data (type II) is valid only as an answer. From a host
  it is skipped without reply.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import EncodeError
from .frame import ENQ
from .frame import STX as STX_V1
from .frame_v2 import (
    MAX_DATA_LEN,
    STX,
    BytesOutsidePacket,
    DamagedPacket,
    Packet,
    PacketDecoder,
    encode_packet,
)
from .link import (
    DEFAULT_MAX_BUFFER,
    ChecksumError,
    CommandReceived,
    GarbageSkipped,
    LinkConfigError,
    LinkEvent,
    LinkUsageError,
    SkipReason,
)

DEFAULT_MAX_LENGTH = 4096
"""Largest LEN16 a ``DeviceLinkV2`` accepts; longer packets are dropped as damaged."""

FIRST_NUM = 1
"""Packet number a device reports before it has executed any command."""

MIN_BUFFER = 64
"""Smallest ``max_buffer`` a ``DeviceLinkV2`` accepts."""


class LinkProtocol(enum.Enum):
    """Штрих-М link-layer protocol of a connection."""

    V1 = "v1"
    V2 = "v2"


def detect_protocol(data: bytes) -> tuple[LinkProtocol | None, int]:
    """Find the first byte in ``data`` that selects a protocol and return (protocol, its index).

    ENQ (05) or STX (02) selects v1 and 0x8F selects v2, as a device in the spec's
    protocol auto-selection mode decides. Bytes before it are noise, for example
    the NULs some hosts send before every frame. Returns ``(None, len(data))`` when
    no byte decides.
    """
    for index, byte in enumerate(data):
        if byte == ENQ or byte == STX_V1:
            return LinkProtocol.V1, index
        if byte == STX:
            return LinkProtocol.V2, index
    return None, len(data)


class PacketHistory:
    """Device-wide state of v2 numbering: the last executed packet number and its answer.

    ``last_answer`` is the physical answer packet, or None before the first command.
    One instance is shared by every v2 link of a register. It has no lock: use it
    from one thread, or from one event loop.
    """

    __slots__ = ("last_answer", "last_num")

    def __init__(self) -> None:
        self.last_num = FIRST_NUM
        self.last_answer: bytes | None = None

    @property
    def current_answer(self) -> bytes:
        """The answer to an empty request: the last answer, or an empty packet with the current number."""
        if self.last_answer is not None:
            return self.last_answer
        return encode_packet(self.last_num)


@dataclass(frozen=True, slots=True)
class SyncRequested(LinkEvent):
    """The empty request (LEN16 = 0). The reply is ``PacketHistory.current_answer``."""

    reply: bytes


@dataclass(frozen=True, slots=True)
class RepeatedPacket(LinkEvent):
    """A request numbered like the last answer; the reply is that answer, ``body`` is not executed."""

    num: int
    body: bytes
    reply: bytes


@dataclass(frozen=True, slots=True)
class OutOfSequence(LinkEvent):
    """A request whose number is neither the last one nor the next; nothing is executed.

    The reply is the last answer, which tells the host the device's current number.
    """

    num: int
    expected: int
    body: bytes
    reply: bytes


class DeviceLinkV2:
    """Link-layer state machine of one Штрих-М protocol v2 connection.

    ``history`` is the device's ``PacketHistory`` (a new one when omitted).
    ``max_buffer`` caps the input kept while a command executes, and ``max_length``
    the LEN16 accepted. Raises LinkConfigError for a ``max_buffer`` below 64 bytes
    and ValueError for a ``max_length`` outside 2..65535.
    """

    def __init__(
        self,
        history: PacketHistory | None = None,
        *,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        if max_buffer < MIN_BUFFER:
            raise LinkConfigError(f"max_buffer must be at least {MIN_BUFFER} bytes, got {max_buffer}")
        self.history = history if history is not None else PacketHistory()
        self.max_buffer = max_buffer
        self._decoder = PacketDecoder(max_length)
        self._executing_num: int | None = None
        self._held_input = b""

    @property
    def executing(self) -> bool:
        """Whether a ``CommandReceived`` is waiting for ``answer`` or ``cancel_command``."""
        return self._executing_num is not None

    @property
    def pending_answer(self) -> bytes | None:
        """Always None: protocol v2 sends an answer once and keeps it only in the history."""
        return None

    @property
    def has_partial_frame(self) -> bool:
        """Whether a packet has started and awaits more bytes (never while executing)."""
        return not self.executing and self._decoder.in_packet

    def receive_data(self, data: bytes) -> list[LinkEvent]:
        """Feed bytes from the host; return the events they complete, in order.

        Write each event's ``reply`` before acting on the next event. The list stops
        after a ``CommandReceived``: later bytes are kept until ``answer`` or
        ``cancel_command``, and a call with ``b""`` then processes them. While a
        command executes, the call only stores ``data`` and returns an empty list, or a
        ``GarbageSkipped`` for bytes beyond ``max_buffer``.
        """
        if self.executing:
            return self._hold(data)
        if self._held_input:
            data, self._held_input = self._held_input + data, b""
        self._decoder.feed(data)
        events: list[LinkEvent] = []
        while not self.executing:
            event = self._decoder.next_event()
            if event is None:
                break
            events.append(self._on_decoder_event(event))
        return events

    def answer(self, body: bytes) -> bytes:
        """Return the packet to write for the answer ``body`` (CMD, error code, data).

        The packet carries the request's number and becomes the history's last
        answer. Raises LinkUsageError when no command is executing, and EncodeError
        (state unchanged) when the body is empty or longer than 65533 bytes.
        """
        num = self._executing_num
        if num is None:
            raise LinkUsageError("answer() needs an executing command, but the v2 link is idle")
        if not body:
            raise EncodeError(f"an answer body must contain at least a command code (1..{MAX_DATA_LEN} bytes), got 0 bytes")
        frame = encode_packet(num, body)
        self.history.last_num = num
        self.history.last_answer = frame
        self._executing_num = None
        return frame

    def cancel_command(self) -> None:
        """Return to idle without answering; the history keeps the previous answer.

        Raises LinkUsageError when no command is executing.
        """
        if self._executing_num is None:
            raise LinkUsageError("cancel_command() needs an executing command, but the v2 link is idle")
        self._executing_num = None

    def expire_partial_frame(self) -> GarbageSkipped | None:
        """Drop an incomplete packet after the byte timeout; return it with an empty reply, or None."""
        if self.executing:
            return None
        damaged = self._decoder.expire_partial_packet()
        if damaged is None:
            return None
        return GarbageSkipped(damaged.frame, SkipReason.FRAME_TIMEOUT)

    def _hold(self, data: bytes) -> list[LinkEvent]:
        room = self.max_buffer - len(self._held_input)
        if len(data) <= room:
            self._held_input += data
            return []
        self._held_input += data[:room]
        return [GarbageSkipped(bytes(data[room:]), SkipReason.BUFFER_FULL)]

    def _on_decoder_event(self, event: Packet | DamagedPacket | BytesOutsidePacket) -> LinkEvent:
        if isinstance(event, BytesOutsidePacket):
            return GarbageSkipped(event.data, SkipReason.OUTSIDE_FRAME)
        if isinstance(event, DamagedPacket):
            if event.bad_checksum:
                return ChecksumError(event.frame, b"")
            return GarbageSkipped(event.frame, SkipReason.DAMAGED_PACKET)
        if event.num is None:
            return SyncRequested(self.history.current_answer)
        if not event.data:
            return GarbageSkipped(event.frame, SkipReason.NUMBERED_EMPTY_PACKET)
        return self._on_request(event.num, event.data)

    def _on_request(self, num: int, body: bytes) -> LinkEvent:
        history = self.history
        if history.last_answer is not None:
            if num == history.last_num:
                return RepeatedPacket(num, body, history.last_answer)
            expected = (history.last_num + 1) & 0xFFFF
            if num != expected:
                return OutOfSequence(num, expected, body, history.last_answer)
        self._executing_num = num
        return CommandReceived(body, b"")
