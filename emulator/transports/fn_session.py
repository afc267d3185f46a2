"""The ФН interface framing on a transport: a ФН served alone to a register's firmware.

A register talks to its ФН over a UART with frames ``04 LEN16 CMD DATA CRC16``
and gets ``04 LEN16 CODE DATA CRC16`` back (``protocol.fn.frame``). ``FnEndpoint``
is the ФН end of that line: it runs each command through a handler such as
``FiscalStorage.execute`` and keeps its last answer frame. Every connection gets
an ``FnSession`` from it, which TCP and pty transports drive like a Штрих-М
``LinkSession`` (pass ``endpoint.new_session`` as their ``session_factory``).

The interface description names one answer for input it cannot take: result
01h, «неизвестная команда, неверный формат посылки или неизвестные параметры».
It says nothing about CRC errors or timing, so the rules below are our reading:

* A frame with a valid CRC runs its command, and the answer frame goes back.
  The ФН model answers 01h itself for an unknown command or malformed data.
* A frame whose CRC does not match, or whose LEN is 0 or more than 1025 (1024
  data bytes and the command), is a bad frame. It never runs. Every byte after
  it is dropped until the line has been quiet for the byte timeout, and then
  01h goes back. Waiting for the quiet line means that the rest of a frame
  whose LEN was garbled is dropped too, so a frame hidden in its data cannot
  run as a command.
* Bytes outside a frame are dropped without an answer and logged at WARNING.
* A partial frame that gets no byte for the byte timeout is dropped without an
  answer, so a lost byte cannot wedge the line and line noise gets no answer
  the host did not ask for. The host's own answer timeout covers that frame.
* ENQ (05h) between frames repeats the last answer frame as it was sent. With
  no answer yet, ENQ gets no reply. The last answer belongs to the endpoint, so
  it survives reconnects, as a ФН keeps it until the next command.
* A handler that raises, or returns an answer that cannot be framed, gets 03h
  (ФН error) sent in its place, and the failure is logged at ERROR.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kktemu.protocol.errors import EncodeError
from kktemu.protocol.fn.codes import FnResult
from kktemu.protocol.fn.frame import (
    CRC_SIZE,
    HEADER_SIZE,
    BadChecksum,
    BadLength,
    EnqReceived,
    FnFrame,
    FnFrameDecoder,
    FrameEvent,
    GarbageSkipped,
    encode_frame,
)

from .session import MAX_WARNINGS_PER_SESSION, byte_count, format_hex

log = logging.getLogger(__name__)
wire_log = logging.getLogger("kktemu.wire")

FnCommandHandler = Callable[[int, bytes], tuple[int, bytes]]
"""Runs one ФН command (CMD byte, data) and returns (result code, answer data), like ``FiscalStorage.execute``."""

FN_PROTOCOL_NAME = "ФН interface"
"""The name transport log lines give this framing."""

DEFAULT_FN_BYTE_TIMEOUT = 0.2
"""Seconds of a quiet line that end a partial frame, or the input after a bad frame.

NOTE: the interface description names no byte timeout; 0.2 s is our choice. A
UART at 115200 baud sends a whole 1030-byte frame in about 90 ms, and a TCP
client's pieces of one frame arrive far closer together than 0.2 s.
"""


class FnEndpoint:
    """The ФН end of the interface, shared by every connection to one ФН.

    ``handler`` runs the commands. ``last_answer`` is the last answer frame sent
    (None before the first), which ENQ repeats. ``commands_executed`` counts the
    commands of every connection. Not thread-safe: drive all its sessions from
    one thread, as one event loop does.
    """

    def __init__(self, handler: FnCommandHandler) -> None:
        self.handler = handler
        self.last_answer: bytes | None = None
        self.commands_executed = 0

    def new_session(self, peer: str) -> FnSession:
        """Return a session for a new connection; ``peer`` names it in logs."""
        return FnSession(self, peer)


class FnSession:
    """One connection to the ФН: bytes from the host in, answer frames out.

    It satisfies the transports' ``Session`` protocol. ``commands_executed``
    counts the commands this connection ran, ``anomalies`` the protocol
    warnings (garbage, bad frames, timeouts, ENQ without an answer).
    """

    def __init__(self, endpoint: FnEndpoint, peer: str) -> None:
        self.endpoint = endpoint
        self.peer = peer
        self.commands_executed = 0
        self.anomalies = 0
        self._decoder = self._new_decoder()
        self._bad_frame = False
        """True from a bad frame until the line is quiet; input is dropped meanwhile."""
        self._dropped = 0

    @staticmethod
    def _new_decoder() -> FnFrameDecoder:
        return FnFrameDecoder(accept_enq=True, report_bad_length=True)

    @property
    def has_partial_frame(self) -> bool:
        """Whether the transport should arm the byte timeout: a partial frame or a bad frame is pending."""
        return self._bad_frame or self._decoder.pending > 0

    @property
    def pending_answer(self) -> None:
        """Always None: the ФН interface has no acknowledgement, so no answer waits for one."""
        return None

    def feed(self, data: bytes) -> bytes:
        """Process bytes from the host; return the answer frames to write, in order."""
        if wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("%s -> ФН: %s", self.peer, format_hex(data, limit=1024))
        if self._bad_frame:
            self._dropped += len(data)
            return b""
        output = bytearray()
        events = self._decoder.receive_data(data)
        for index, event in enumerate(events):
            if isinstance(event, FnFrame):
                output += self._answer_frame(event)
            elif isinstance(event, (BadChecksum, BadLength)):
                self._reject(event, events[index + 1:])
                break
            elif isinstance(event, EnqReceived):
                output += self._repeat_last_answer()
            else:
                self._warn("skipped bytes outside a ФН frame from %s: %s", self.peer, format_hex(event.data))
        if output and wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("ФН -> %s: %s", self.peer, format_hex(output, limit=1024))
        return bytes(output)

    def expire_partial_frame(self) -> bytes:
        """Handle a quiet line: answer 01h to a bad frame, or drop a partial frame without an answer."""
        if self._bad_frame:
            log.info("line from %s is quiet: answered 01h to the bad ФН frame, dropped %s received after it",
                     self.peer, byte_count(self._dropped))
            self._bad_frame = False
            self._dropped = 0
            answer = self._send(FnResult.UNKNOWN_COMMAND, b"")
            if wire_log.isEnabledFor(logging.DEBUG):
                wire_log.debug("ФН -> %s: %s", self.peer, format_hex(answer))
            return answer
        pending = self._decoder.pending
        if pending:
            self._warn("dropped a partial ФН frame of %s from %s after the byte timeout, no answer",
                       byte_count(pending), self.peer)
            self._decoder = self._new_decoder()
        return b""

    def _reject(self, event: BadChecksum | BadLength, later: list[FrameEvent]) -> None:
        if isinstance(event, BadChecksum):
            self._warn("ФН frame with wrong CRC from %s (received %04Xh, computed %04Xh), not executed: %s",
                       self.peer, event.received, event.expected, format_hex(event.raw))
        else:
            self._warn("ФН frame with LEN %d from %s (allowed 1..1025), not executed: %s",
                       event.length, self.peer, format_hex(event.header))
        self._bad_frame = True
        self._dropped = self._decoder.pending + sum(_event_size(item) for item in later)
        self._decoder = self._new_decoder()

    def _answer_frame(self, frame: FnFrame) -> bytes:
        try:
            code, answer = self.endpoint.handler(frame.code, frame.data)
            frame_bytes = encode_frame(code, answer)
        except EncodeError as exc:
            log.error("ФН command %02Xh from %s returned an answer that cannot be framed, answered 03h: %s",
                      frame.code, self.peer, exc)
            return self._send(FnResult.FN_FAILURE, b"")
        except Exception:
            # The boundary to the ФН model: a bug there must not end the connection.
            log.exception("ФН command %02Xh from %s failed, answered 03h: %s",
                          frame.code, self.peer, format_hex(frame.data))
            return self._send(FnResult.FN_FAILURE, b"")
        self.commands_executed += 1
        self.endpoint.commands_executed += 1
        log.debug("ФН command %02Xh from %s answered %02Xh with %d data bytes",
                  frame.code, self.peer, code, len(answer))
        self.endpoint.last_answer = frame_bytes
        return frame_bytes

    def _send(self, code: int, data: bytes) -> bytes:
        frame_bytes = encode_frame(code, data)
        self.endpoint.last_answer = frame_bytes
        return frame_bytes

    def _repeat_last_answer(self) -> bytes:
        last = self.endpoint.last_answer
        if last is None:
            self._warn("ENQ from %s before any ФН answer, nothing to repeat", self.peer)
            return b""
        log.debug("ENQ from %s: repeated the last ФН answer", self.peer)
        return last

    def _warn(self, message: str, *args: object) -> None:
        self.anomalies += 1
        if self.anomalies <= MAX_WARNINGS_PER_SESSION:
            log.warning(message, *args)
        if self.anomalies == MAX_WARNINGS_PER_SESSION:
            log.warning("further protocol warnings for %s are only counted", self.peer)


def _event_size(event: FrameEvent) -> int:
    """Return how many input bytes the decoder consumed for ``event``."""
    if isinstance(event, FnFrame):
        return HEADER_SIZE + 1 + len(event.data) + CRC_SIZE
    if isinstance(event, BadChecksum):
        return len(event.raw)
    if isinstance(event, BadLength):
        return len(event.header)
    if isinstance(event, GarbageSkipped):
        return len(event.data)
    return 1  # EnqReceived
