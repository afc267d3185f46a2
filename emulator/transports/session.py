"""Glue between one host connection, its link-layer state machine and the command handler.

Every transport (TCP, pty, memory) owns one ``LinkSession`` per connection. The
session feeds received bytes to the link, runs each complete command through the
handler, and returns the bytes to write: event replies and answer frames joined, so
ACK and the answer leave in one write. Logging happens here so that every transport
reports the same things in the same words.

A session starts without a protocol unless one is given. The first byte that
means something decides: ENQ or STX selects protocol v1 (``DeviceLink``), 0x8F
selects protocol v2 (``DeviceLinkV2``). Bytes before it are skipped as garbage,
and the choice holds until the connection ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from kktemu.protocol.errors import EncodeError
from kktemu.protocol.shtrih.link import (
    DEFAULT_MAX_BUFFER,
    AnswerAbandoned,
    AnswerRejected,
    ChecksumError,
    CommandReceived,
    DeviceLink,
    GarbageSkipped,
    LinkEvent,
    RepeatedCommand,
    SkipReason,
)
from kktemu.protocol.shtrih.link_v2 import (
    DeviceLinkV2,
    LinkProtocol,
    OutOfSequence,
    PacketHistory,
    RepeatedPacket,
    detect_protocol,
)

log = logging.getLogger(__name__)
wire_log = logging.getLogger("kktemu.wire")

SHTRIH_PROTOCOL_NAME = "Штрих-М protocol"
"""What transport log lines call the protocol of ``LinkSession``."""

CommandHandler = Callable[[bytes], bytes]
"""Executes one command body (CMD+DATA) and returns the answer body (CMD, error, data)."""


class Session(Protocol):
    """The per-connection state a transport drives: ``LinkSession`` or a session of another framing.

    A transport feeds every byte it reads to ``feed`` and writes what it returns,
    arms its byte timer while ``has_partial_frame`` is true, and calls
    ``expire_partial_frame`` when the timer fires. ``pending_answer``,
    ``commands_executed`` and ``anomalies`` go into the disconnect log line.
    """

    commands_executed: int
    anomalies: int

    @property
    def has_partial_frame(self) -> bool: ...

    @property
    def pending_answer(self) -> bytes | None: ...

    def feed(self, data: bytes) -> bytes: ...

    def expire_partial_frame(self) -> bytes: ...


SessionFactory = Callable[[str], Session]
"""Builds the session of one client connection; the argument names the peer for logs."""

DEFAULT_BYTE_TIMEOUT = 0.05
"""Seconds without a byte after which an incomplete frame is dropped (the spec's default)."""

MAX_WARNINGS_PER_SESSION = 20
"""Protocol warnings logged per connection; later ones are only counted."""

_HEX_LOG_LIMIT = 64


def serialized(handler: CommandHandler) -> CommandHandler:
    """Wrap ``handler`` so that calls from any thread run one at a time.

    Transports on one event loop already call it one at a time. Wrap the handler once
    when the same register also serves a memory pair or a second loop in another thread.
    """
    lock = threading.Lock()

    def call_serialized(body: bytes) -> bytes:
        with lock:
            return handler(body)

    return call_serialized


def byte_count(count: int) -> str:
    """Return ``count`` with the noun for logs: "1 byte", "0 bytes", "7 bytes"."""
    return "1 byte" if count == 1 else f"{count} bytes"


def format_hex(data: bytes, limit: int = _HEX_LOG_LIMIT) -> str:
    """Format bytes as spaced hex for logs, cut after ``limit`` bytes with a count."""
    if len(data) <= limit:
        return data.hex(" ")
    return f"{data[:limit].hex(' ')} ... ({len(data)} bytes)"


class LinkSession:
    """One host connection: a link-layer state machine driven by a command handler.

    ``peer`` names the host in logs (an address or a pty path). ``handler`` runs in the
    caller's thread, once per command, in the order the frames arrived. A handler
    exception is logged at ERROR and the command gets no answer, so the host times out.

    ``protocol`` fixes the link protocol; None (the default) detects it from the
    first meaningful byte, and again at frame boundaries until the first command
    has run. ``ff_after_ack`` applies to protocol v1 only. ``history`` is the
    device's v2 ``PacketHistory``; share one between the sessions of a register
    so that packet numbers survive reconnects (a new one when omitted).
    """

    def __init__(
        self,
        handler: CommandHandler,
        peer: str,
        *,
        ff_after_ack: bool = False,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        protocol: LinkProtocol | None = None,
        history: PacketHistory | None = None,
    ) -> None:
        self.handler = handler
        self.peer = peer
        self.ff_after_ack = ff_after_ack
        self.max_buffer = max_buffer
        self.history = history if history is not None else PacketHistory()
        self.link: DeviceLink | DeviceLinkV2 | None = None
        """The link of the chosen protocol, or None until the first meaningful byte."""
        self.commands_executed = 0
        self.anomalies = 0
        self._protocol_fixed = protocol is not None
        if protocol is not None:
            self._select(protocol)

    @property
    def protocol(self) -> LinkProtocol | None:
        """The link protocol of this connection, or None while it is not known yet."""
        if self.link is None:
            return None
        return LinkProtocol.V2 if isinstance(self.link, DeviceLinkV2) else LinkProtocol.V1

    @property
    def has_partial_frame(self) -> bool:
        """Whether the transport should arm the byte timeout."""
        return self.link is not None and self.link.has_partial_frame

    @property
    def pending_answer(self) -> bytes | None:
        """The v1 answer frame the host has not acknowledged yet, or None."""
        return None if self.link is None else self.link.pending_answer

    def feed(self, data: bytes) -> bytes:
        """Process bytes from the host; return everything to write back, in order."""
        if wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("%s -> device: %s", self.peer, format_hex(data, limit=1024))
        output = bytearray()
        if self.link is None or self._may_switch():
            data = self._detect(data)
        if self.link is None:
            return b""
        link = self.link
        events = link.receive_data(data)
        while events:
            for event in events:
                output += event.reply
                self._report(event)
            last = events[-1]
            if not isinstance(last, CommandReceived):
                break
            output += self._execute(link, last.body)
            events = link.receive_data(b"")
        return self._sent(output)

    def expire_partial_frame(self) -> bytes:
        """Drop an incomplete frame after the byte timeout; return the reply to write."""
        if self.link is None:
            return b""
        event = self.link.expire_partial_frame()
        if event is None:
            return b""
        self._report(event)
        return self._sent(bytearray(event.reply))

    def _may_switch(self) -> bool:
        # Until the first command runs, the next frame may use the other protocol: a
        # stray 0x8F or ENQ made the first guess wrong. After that the protocol is
        # kept, so garbage containing 0x8F between v1 frames stays garbage.
        link = self.link
        if self._protocol_fixed or self.commands_executed:
            return False
        return not link.has_partial_frame and link.pending_answer is None and not link.executing

    def _detect(self, data: bytes) -> bytes:
        protocol, index = detect_protocol(data)
        if self.link is not None:
            if protocol is None or protocol is self.protocol:
                return data
            log.info("client %s switched to Штрих-М protocol %s", self.peer, protocol.value)
        if index:
            self._report(GarbageSkipped(bytes(data[:index]), SkipReason.OUTSIDE_FRAME))
        if protocol is None:
            return b""
        self._select(protocol)
        log.info("client %s speaks Штрих-М protocol %s (first byte %02X)", self.peer, protocol.value, data[index])
        return bytes(data[index:])

    def _select(self, protocol: LinkProtocol) -> None:
        if protocol is LinkProtocol.V2:
            self.link = DeviceLinkV2(self.history, max_buffer=self.max_buffer)
        else:
            self.link = DeviceLink(ff_after_ack=self.ff_after_ack, max_buffer=self.max_buffer)

    def _sent(self, output: bytearray) -> bytes:
        if output and wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("device -> %s: %s", self.peer, format_hex(output, limit=1024))
        return bytes(output)

    def _execute(self, link: DeviceLink | DeviceLinkV2, body: bytes) -> bytes:
        try:
            answer_body = self.handler(body)
            frame = link.answer(answer_body)
        except EncodeError as exc:
            log.error("invalid answer to command %s from %s, no answer sent: %s", body[:2].hex(), self.peer, exc)
            link.cancel_command()
            return b""
        except Exception:
            # The boundary to the register: a bug there must not kill the connection.
            log.exception("command handler failed on %s from %s, no answer sent", format_hex(body), self.peer)
            link.cancel_command()
            return b""
        self.commands_executed += 1
        return frame

    def _report(self, event: LinkEvent) -> None:
        if isinstance(event, GarbageSkipped):
            self._warn("skipped %s from %s: %s", event.reason.value, self.peer, format_hex(event.data))
        elif isinstance(event, ChecksumError):
            if self.protocol is LinkProtocol.V2:
                self._warn("v2 packet with wrong CRC from %s, dropped without reply: %s",
                           self.peer, format_hex(event.frame))
            else:
                self._warn("frame with wrong LRC from %s, sent NAK: %s", self.peer, format_hex(event.frame))
        elif isinstance(event, AnswerRejected):
            self._warn("host %s rejected the answer with NAK; it stays pending until ENQ", self.peer)
        elif isinstance(event, AnswerAbandoned):
            self._warn("host %s sent a new command without acknowledging the answer %s",
                       self.peer, format_hex(event.answer))
        elif isinstance(event, RepeatedCommand):
            self._warn("host %s resent command %s, answered again without executing it",
                       self.peer, format_hex(event.body))
        elif isinstance(event, RepeatedPacket):
            self._warn("host %s sent packet number %d again (command %s); resent its answer without executing",
                       self.peer, event.num, format_hex(event.body))
        elif isinstance(event, OutOfSequence):
            self._warn("host %s sent packet number %d, expected %d; resent the last answer, command %s not executed",
                       self.peer, event.num, event.expected, format_hex(event.body))

    def _warn(self, message: str, *args: object) -> None:
        self.anomalies += 1
        if self.anomalies <= MAX_WARNINGS_PER_SESSION:
            log.warning(message, *args)
        if self.anomalies == MAX_WARNINGS_PER_SESSION:
            log.warning("further protocol warnings for %s are only counted", self.peer)
