"""Device side of the Штрих-М protocol v1 link layer, sans-IO.

``DeviceLink`` turns the bytes a host sends into events, each carrying the bytes the
transport must write back. It opens no sockets, reads no clocks and never sleeps: the byte timeout
is an input (``expire_partial_frame``) and every reply is returned as bytes.

States, after the vendor spec "Протокол ККТ" v1.17, appendix 2 (the device's state
diagram of the standard lower level):

* idle: ENQ gets NAK. A frame with a correct LRC gets ACK and is handed to the caller
  as ``CommandReceived``; one with a wrong LRC gets NAK. A frame needs no ENQ before it,
  because some hosts skip the handshake.
* executing: between ``CommandReceived`` and ``answer()``. The link parses nothing
  and keeps the input that arrives meanwhile, so the replies stay in the order the
  host sent its bytes. ``answer()`` resumes it: the caller passes ``b""`` to
  ``receive_data`` to process the kept bytes.
* answer pending: from ``answer()`` until the host's ACK. ENQ gets ACK followed by the
  same answer frame, byte for byte. A host NAK is only recorded: the device never
  resends on its own and waits for ENQ. The command is never executed twice.

Decisions where the spec and the hosts leave room:

* A valid frame while an answer is pending. The spec diagram ignores every byte but
  ENQ in that state. Hosts that skip ENQ would then stall, so a *different* frame is
  taken to mean that the host gave up on the old answer: it is dropped
  (``AnswerAbandoned``) and the new command runs. A frame *identical* to the command
  that produced the pending answer is a retransmission, for example by a host that
  took a stray byte for its NAK. It gets ACK and the pending answer again without a
  second execution (``RepeatedCommand``). NOTE: a host that never ACKs and sends
  the same command twice on purpose (two identical sale lines) gets it executed
  once, with the same answer twice.
* Bytes outside a frame (the four NULs that re-star-ru/shtrih-m-driver sends before
  every STX, stray 0xFF, an ACK or NAK with no answer pending) are skipped silently:
  ``GarbageSkipped`` with an empty reply. The spec diagram would NAK them, but a NAK
  for each NUL would reach the host as the reply to its frame.
* A LEN byte of 0 is rejected with NAK as soon as it arrives (the spec's length check).
  The bytes after it are then parsed afresh.
* An incomplete frame dropped by the byte timeout gets NAK, as in the spec diagram, so
  the host resends at once instead of waiting for its own timeout.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import KktemuError
from .frame import ACK, ENQ, FILLER, MAX_FRAME_LEN, NAK, STX, encode_frame, lrc

DEFAULT_MAX_BUFFER = 4096
"""Input bytes kept while a command executes; more is reported as garbage."""

_ACK = bytes((ACK,))
_NAK = bytes((NAK,))
_FILLER = bytes((FILLER,))


class LinkUsageError(KktemuError, RuntimeError):
    """A ``DeviceLink`` method was called in a state that does not allow it."""


class LinkConfigError(KktemuError, ValueError):
    """A ``DeviceLink`` was constructed with an invalid setting."""


class SkipReason(enum.Enum):
    """Reason the link skipped bytes without treating them as a command."""

    OUTSIDE_FRAME = "bytes outside a frame"
    ZERO_LENGTH = "frame length byte is 0"
    FRAME_TIMEOUT = "incomplete frame timed out"
    BUFFER_FULL = "input buffer full while a command executes"
    DAMAGED_PACKET = "damaged v2 packet"
    NUMBERED_EMPTY_PACKET = "v2 packet with a number but no command"


class LinkEvent:
    """Base of the events ``DeviceLink`` returns; ``reply`` goes to the host at once."""

    __slots__ = ()
    reply: bytes


@dataclass(frozen=True, slots=True)
class Enquiry(LinkEvent):
    """ENQ from the host. The reply is NAK when idle, else ACK plus the pending answer."""

    reply: bytes


@dataclass(frozen=True, slots=True)
class CommandReceived(LinkEvent):
    """A valid frame: execute ``body`` (CMD+DATA), then call the link's ``answer``.

    The reply is ACK in protocol v1 and empty in protocol v2, which has no ACK.
    """

    body: bytes
    reply: bytes = _ACK


@dataclass(frozen=True, slots=True)
class RepeatedCommand(LinkEvent):
    """The host resent the frame whose answer is pending. The reply is ACK plus the
    answer; the command is not executed again."""

    body: bytes
    reply: bytes


@dataclass(frozen=True, slots=True)
class AnswerAbandoned(LinkEvent):
    """A new command arrived before the host acknowledged ``answer``, which is dropped.

    A ``CommandReceived`` for the new frame always follows this event.
    """

    answer: bytes
    reply: bytes = b""


@dataclass(frozen=True, slots=True)
class ChecksumError(LinkEvent):
    """A complete frame with a wrong checksum; the state is unchanged.

    The reply is NAK for a v1 frame (wrong LRC). A v2 packet with a wrong CRC gets
    no reply, because the v2 spec treats it as never received.
    """

    frame: bytes
    reply: bytes = _NAK


@dataclass(frozen=True, slots=True)
class GarbageSkipped(LinkEvent):
    """Bytes dropped without effect on the state; see ``SkipReason`` for the cases.

    In protocol v1 the reply is NAK for a zero LEN byte and for an incomplete frame
    that timed out, and empty otherwise. In protocol v2 it is always empty.
    """

    data: bytes
    reason: SkipReason
    reply: bytes = b""


@dataclass(frozen=True, slots=True)
class AnswerAcknowledged(LinkEvent):
    """The host ACKed the pending answer. The reply is 0xFF when ``ff_after_ack`` is on."""

    reply: bytes = b""


@dataclass(frozen=True, slots=True)
class AnswerRejected(LinkEvent):
    """The host NAKed the pending answer, which stays pending until ENQ asks for it."""

    reply: bytes = b""


class _Phase(enum.Enum):
    IDLE = "idle"
    EXECUTING = "executing"
    ANSWER_PENDING = "answer pending"


class DeviceLink:
    """Link-layer state machine of one Штрих-М device connection (protocol v1).

    ``ff_after_ack`` makes the device send 0xFF after the host's ACK of an answer, as
    network devices do. ``max_buffer`` caps the input kept while a command executes;
    it must be at least one maximal frame (258 bytes).

    Raises LinkConfigError for a ``max_buffer`` below that size.
    """

    def __init__(self, ff_after_ack: bool = False, max_buffer: int = DEFAULT_MAX_BUFFER) -> None:
        if max_buffer < MAX_FRAME_LEN:
            raise LinkConfigError(
                f"max_buffer must be at least {MAX_FRAME_LEN} bytes (one full frame), got {max_buffer}"
            )
        self.ff_after_ack = ff_after_ack
        self.max_buffer = max_buffer
        self._phase = _Phase.IDLE
        self._buffer = b""
        self._command_frame = b""
        self._answer_frame = b""

    @property
    def executing(self) -> bool:
        """Whether a ``CommandReceived`` is waiting for ``answer`` or ``cancel_command``."""
        return self._phase is _Phase.EXECUTING

    @property
    def pending_answer(self) -> bytes | None:
        """The answer frame the host has not acknowledged yet, or None."""
        if self._phase is _Phase.ANSWER_PENDING:
            return self._answer_frame
        return None

    @property
    def has_partial_frame(self) -> bool:
        """Whether a frame has started and awaits more bytes (never while executing)."""
        return self._phase is not _Phase.EXECUTING and bool(self._buffer)

    def receive_data(self, data: bytes) -> list[LinkEvent]:
        """Feed bytes from the host; return the events they complete, in order.

        Write each event's ``reply`` before acting on the next event. The list stops
        after a ``CommandReceived``: later bytes are kept until ``answer`` or
        ``cancel_command``, and a call with ``b""`` then processes them. While a
        command executes, the call only stores ``data`` and returns an empty list, or a
        ``GarbageSkipped`` for bytes beyond ``max_buffer``.
        """
        if self._phase is _Phase.EXECUTING:
            return self._hold(data)
        if self._buffer:
            self._buffer += data
        else:
            self._buffer = bytes(data)
        return self._parse()

    def answer(self, body: bytes) -> bytes:
        """Return the frame to write for the answer ``body`` (CMD+DATA).

        The frame stays pending until the host's ACK, and ENQ gets it again.
        Raises LinkUsageError when no command is executing, and EncodeError (state
        unchanged) when the body is empty or longer than 255 bytes.
        """
        if self._phase is not _Phase.EXECUTING:
            raise LinkUsageError(f"answer() needs an executing command, but the link is {self._phase.value}")
        frame = encode_frame(body)
        self._answer_frame = frame
        self._phase = _Phase.ANSWER_PENDING
        return frame

    def cancel_command(self) -> None:
        """Return to idle without answering the executing command.

        The host's wait for the answer then times out, as with a device that lost
        power. Raises LinkUsageError when no command is executing.
        """
        if self._phase is not _Phase.EXECUTING:
            raise LinkUsageError(f"cancel_command() needs an executing command, but the link is {self._phase.value}")
        self._phase = _Phase.IDLE
        self._command_frame = b""

    def expire_partial_frame(self) -> GarbageSkipped | None:
        """Drop an incomplete frame after the byte timeout (50 ms in the spec).

        Returns the dropped bytes as ``GarbageSkipped`` with reply NAK, or None when
        no frame is incomplete. The transport calls it when no byte arrived for the
        byte timeout while ``has_partial_frame`` was true.
        """
        if not self.has_partial_frame:
            return None
        data, self._buffer = self._buffer, b""
        return GarbageSkipped(data, SkipReason.FRAME_TIMEOUT, _NAK)

    def _hold(self, data: bytes) -> list[LinkEvent]:
        room = self.max_buffer - len(self._buffer)
        if len(data) <= room:
            self._buffer += data
            return []
        self._buffer += data[:room]
        return [GarbageSkipped(bytes(data[room:]), SkipReason.BUFFER_FULL)]

    def _parse(self) -> list[LinkEvent]:
        buffer = self._buffer
        size = len(buffer)
        events: list[LinkEvent] = []
        index = 0
        while index < size:
            byte = buffer[index]
            if byte == STX:
                if size - index < 2:
                    break
                length = buffer[index + 1]
                if length == 0:
                    events.append(GarbageSkipped(buffer[index:index + 2], SkipReason.ZERO_LENGTH, _NAK))
                    index += 2
                    continue
                end = index + length + 3
                if end > size:
                    break
                self._on_frame(buffer[index:end], events)
                index = end
                if self._phase is _Phase.EXECUTING:
                    break
            elif byte == ENQ:
                events.append(self._on_enquiry())
                index += 1
            elif self._phase is _Phase.ANSWER_PENDING and byte == ACK:
                self._phase = _Phase.IDLE
                self._command_frame = b""
                events.append(AnswerAcknowledged(_FILLER if self.ff_after_ack else b""))
                index += 1
            elif self._phase is _Phase.ANSWER_PENDING and byte == NAK:
                events.append(AnswerRejected())
                index += 1
            else:
                start = index
                index = self._skip_garbage(buffer, index + 1)
                events.append(GarbageSkipped(buffer[start:index], SkipReason.OUTSIDE_FRAME))
        self._buffer = buffer[index:]
        return events

    def _skip_garbage(self, buffer: bytes, index: int) -> int:
        # ACK and NAK only end a run of garbage while they mean something.
        if self._phase is _Phase.ANSWER_PENDING:
            stops: tuple[int, ...] = (STX, ENQ, ACK, NAK)
        else:
            stops = (STX, ENQ)
        size = len(buffer)
        while index < size and buffer[index] not in stops:
            index += 1
        return index

    def _on_enquiry(self) -> Enquiry:
        if self._phase is _Phase.ANSWER_PENDING:
            return Enquiry(_ACK + self._answer_frame)
        return Enquiry(_NAK)

    def _on_frame(self, frame: bytes, events: list[LinkEvent]) -> None:
        if lrc(frame[1:-1]) != frame[-1]:
            events.append(ChecksumError(frame))
            return
        body = frame[2:-1]
        if self._phase is _Phase.ANSWER_PENDING:
            if frame == self._command_frame:
                events.append(RepeatedCommand(body, _ACK + self._answer_frame))
                return
            events.append(AnswerAbandoned(self._answer_frame))
            self._answer_frame = b""
        self._phase = _Phase.EXECUTING
        self._command_frame = frame
        events.append(CommandReceived(body))
