"""The register's link to the ОФД: deliver every queued document and bring back its квитанция.

``OfdLink`` is an asyncio task in the event loop of the register's transports.
It drives the ФН exchange commands the way a register's firmware does
(FNS «Протокол информационного обмена между ККТ и ТС ОФД» v1.1.006, table 5):

1. 20h: is there a message for the ОФД? If not, wait until the ФН forms a
   document (``wake``) or the poll interval passes.
2. 21h(1), 22h (message length), 23h in blocks of at most 1024 bytes, 25h:
   read the whole session message (header and container) out of the ФН.
3. Open a TCP connection to the ОФД, send the message unchanged and read the
   answer: the 30-byte session header, then as many body bytes as its length
   field says. Bytes after that are never read.
4. As soon as the answer is complete, 26h with it unchanged and 21h(0), and
   only then close the connection. The register, not the ОФД, ends the
   connection (one message per connection), and the квитанция reaches the ФН
   before any further wait, so stopping the link while the socket closes, or
   an ОФД that keeps the connection open, cannot lose a квитанция already read.

Each run of steps 2..4 is one ``Attempt``. When the connection fails, the ОФД
closes it or sends nothing within the answer timeout, or the ФН rejects the
answer, the document stays in the ФН's queue and the link retries after an
exponential back-off capped by ``OfdLinkSettings.max_retry`` (the protocol's
«Таймер С»). A new document does not cut the back-off short, so a busy register
does not hammer an ОФД that is down.

What counts as a rejection: the protocol's server (table 6) answers a message
that fails its checks by dropping its processing, with no квитанция. A
квитанция whose 1022 answer code is not 0 is still a квитанция: the ФН records
it and drops the document from its queue, so the link logs the code at WARNING
and does not resend the document.

Concurrency: the ФН commands of steps 1, 2 and 4 run synchronously, each group
inside ``lock``, between two commands of the register. The network wait of
step 3 releases the loop, so the host keeps working meanwhile. The exchange
commands touch only the ФН's exchange state, so they do not disturb a document
the host has opened in the ФН (for example between FF41h and FF42h).

Time: every wait (connection and answer timeouts, back-off, poll interval) goes
through the injectable ``sleep``, so tests drive the link without real waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.fn import exchange, service
from kktemu.protocol.fn.codes import FnCommand, FnResult, split_answer_code
from kktemu.protocol.fn.frame import MAX_DATA_SIZE
from kktemu.protocol.ofd.session import SESSION_HEADER_SIZE, read_session_header

from .document_watch import DocumentWatch
from .fn_client import FnPort
from .local_addresses import matching_listener
from .ofd_settings import DEFAULT_SETTINGS, Attempt, OfdLinkSettings, Outcome

if TYPE_CHECKING:
    from .app import Emulator

logger = logging.getLogger(__name__)
wire_log = logging.getLogger("kktemu.wire")

Sleep = Callable[[float], Awaitable[Any]]
OwnAddresses = Callable[[], Iterable[tuple[str, int]]]
_T = TypeVar("_T")

__all__ = ["DEFAULT_SETTINGS", "Attempt", "OfdLink", "OfdLinkSettings", "Outcome", "Sleep", "link_emulator"]

_HEX_LOG_LIMIT = 1024


class _FnRejected(Exception):
    def __init__(self, command: FnCommand, result: int):
        super().__init__(f"the ФН answered {command:02X}h with result {result:02X}h")


class OfdLink:
    """Deliver the ФН's queued documents to the ОФД at ``host``:``port``; see the module docstring.

    ``port`` is the ФН (a ``FiscalStorage``, or any ``FnPort``) and ``lock`` the
    lock the register's commands hold, so the link's ФН commands never run in
    the middle of one (any context manager, or None when no other code calls the ФН).
    While it runs, the link listens to ``watch`` (the register's
    ``DocumentWatch``) and polls the ФН as soon as a document is formed.
    ``sleep`` replaces ``asyncio.sleep`` for every wait. ``own_addresses``
    returns the register's bound (IP address, port) pairs: a connection that
    arrives at one of them is closed before anything is sent, and the attempt
    fails as CONNECT_FAILED. Use ``start`` and
    ``close`` from the event loop, or ``run`` as a task of your own.
    ``attempts`` counts the attempts made so far.
    """

    def __init__(self, port: FnPort, host: str, ofd_port: int, *, lock: Any = None,
                 watch: DocumentWatch | None = None, settings: OfdLinkSettings = DEFAULT_SETTINGS,
                 sleep: Sleep = asyncio.sleep, own_addresses: OwnAddresses | None = None) -> None:
        self._port = port
        self._own_addresses = own_addresses
        self._watch = watch
        self.host = host
        self.ofd_port = ofd_port
        self._lock = lock if lock is not None else contextlib.nullcontext()
        self.settings = settings
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._waiters: list[tuple[Callable[[Attempt], bool], asyncio.Future[Attempt]]] = []
        self._serial: str | None = None
        self.attempts = 0

    @property
    def address(self) -> str:
        """The ОФД address as ``host:port`` (an IPv6 host in brackets)."""
        return f"[{self.host}]:{self.ofd_port}" if ":" in self.host else f"{self.host}:{self.ofd_port}"

    # Running.

    def start(self) -> asyncio.Task[None]:
        """Start ``run`` as a task of the running loop and return it. Call it once."""
        if self._task is not None:
            raise RuntimeError("the ОФД link is already started")
        self._task = asyncio.get_running_loop().create_task(self.run(), name=f"ОФД link to {self.address}")
        return self._task

    async def close(self) -> None:
        """Stop the task ``start`` made; an exchange under way is broken off and 21h(0) sent."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for _predicate, future in self._waiters:
            future.cancel()
        self._waiters.clear()

    def wake(self) -> None:
        """Make the link poll the ФН now (a document was formed). Safe to call from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    def wait_attempt(self, predicate: Callable[[Attempt], bool] = lambda attempt: True) -> asyncio.Future[Attempt]:
        """Return a future for the next attempt that satisfies ``predicate``; call it in the link's loop."""
        future: asyncio.Future[Attempt] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        return future

    async def run(self) -> None:
        """Deliver documents until cancelled: poll, send, retry with back-off, sleep when idle.

        An unexpected error (a bug, or the ФН archive failing) is logged at ERROR
        with its traceback and retried after the back-off, so the link never dies
        silently while the register runs.
        """
        self._loop = asyncio.get_running_loop()
        if self._watch is not None:
            self._watch.subscribe(self.wake)
        logger.info("ОФД link to %s started", self.address)
        failures = 0
        try:
            while True:
                try:
                    attempt = await self.deliver_once(failures)
                except Exception:
                    failures += 1
                    delay = self.settings.retry_delay(failures)
                    logger.exception("ОФД link to %s failed; retrying in %g s", self.address, delay)
                    await self._sleep(delay)
                    continue
                if attempt is None:
                    failures = 0
                    await self._idle()
                elif attempt.outcome is Outcome.CONFIRMED:
                    failures = 0
                else:
                    failures += 1
                    assert attempt.retry_in is not None
                    await self._sleep(attempt.retry_in)
        finally:
            if self._watch is not None:
                self._watch.unsubscribe(self.wake)
            logger.info("ОФД link to %s stopped", self.address)

    async def deliver_once(self, previous_failures: int = 0) -> Attempt | None:
        """Try to deliver the document at the head of the ФН's queue once.

        Returns None when the queue is empty (or the ФН is not registered yet),
        else the ``Attempt``. ``previous_failures`` counts the failed attempts
        just before this one; a failure adds one and sets ``retry_in`` from it.
        """
        failures_after = previous_failures + 1
        self._wake.clear()
        with self._lock:
            head = self._queue_head()
            if head is None:
                return None
            try:
                message = self._read_message()
            except _FnRejected as exc:
                self._disconnect()
                return self._finish(self._failure(head, Outcome.FN_REJECTED, str(exc), failures_after))
        writer: asyncio.StreamWriter | None = None
        disconnected = False
        try:
            writer, answer, failure = await self._exchange(head, message)
            with self._lock:
                try:
                    if answer is None:
                        assert failure is not None
                        attempt = self._failure(head, failure[0], failure[1], failures_after)
                    else:
                        attempt = self._take_ticket(head, answer, failures_after)
                finally:
                    self._disconnect()
                    disconnected = True
            # Log and report the attempt before the socket closes, because the ФН has already recorded it.
            self._finish(attempt)
        except BaseException:
            # Cancelled (close) or a bug: tell the ФН the connection is gone, then let it propagate.
            if not disconnected:
                with self._lock, contextlib.suppress(Exception):
                    self._disconnect()
            raise
        finally:
            if writer is not None:
                await self._close_connection(writer)
        return attempt

    # The ФН side, always called with the lock held.

    def _call(self, command: FnCommand, data: bytes = b"") -> tuple[int, bytes]:
        code, answer = self._port.execute(command, data)
        return split_answer_code(code)[0], answer

    def _call_ok(self, command: FnCommand, data: bytes = b"") -> bytes:
        result, answer = self._call(command, data)
        if result != FnResult.OK:
            raise _FnRejected(command, result)
        return answer

    def _queue_head(self) -> int | None:
        if self._serial is None:
            result, answer = self._call(FnCommand.GET_SERIAL)
            if result == FnResult.OK:
                self._serial = service.SerialAnswer.decode(answer).serial
        result, answer = self._call(FnCommand.GET_EXCHANGE_STATUS)
        if result != FnResult.OK:
            # Not registered yet (02h): nothing can be queued.
            return None
        status = exchange.ExchangeStatusAnswer.decode(answer)
        if status.message_count == 0:
            return None
        return status.first_fd_number

    def _read_message(self) -> bytes:
        self._call_ok(FnCommand.SET_TRANSPORT_STATUS, exchange.TransportStatusRequest(True).encode())
        length = exchange.OfdMessageLengthAnswer.decode(self._call_ok(FnCommand.BEGIN_OFD_MESSAGE_READ)).length
        message = bytearray()
        while len(message) < length:
            size = min(length - len(message), MAX_DATA_SIZE)
            block = self._call_ok(FnCommand.READ_OFD_MESSAGE_BLOCK,
                                  exchange.ReadOfdBlockRequest(len(message), size).encode())
            if not block:
                raise _FnRejected(FnCommand.READ_OFD_MESSAGE_BLOCK, FnResult.NO_DATA)
            message += block
        self._call_ok(FnCommand.FINISH_OFD_MESSAGE_READ)
        return bytes(message[:length])

    def _disconnect(self) -> None:
        result, _answer = self._call(FnCommand.SET_TRANSPORT_STATUS, exchange.TransportStatusRequest(False).encode())
        if result != FnResult.OK:
            logger.warning("ФН %s rejected 21h(0) with result %02Xh", self._serial, result)

    def _take_ticket(self, fd_number: int, answer: bytes, failures_after: int) -> Attempt:
        result, data = self._call(FnCommand.SEND_OFD_TICKET, answer)
        if result == FnResult.OK:
            ticket = exchange.OfdTicketAnswer.decode(data)
            return Attempt(fd_number, Outcome.CONFIRMED, ofd_code=ticket.ofd_code,
                           detail=_operator_text(ticket.operator_message))
        reason = data[0] if result == FnResult.OFD_MESSAGE_REJECTED and data else None
        detail = f"the ФН rejected the квитанция with result {result:02X}h"
        if reason is not None:
            detail += f", reason {reason} ({_reject_reason_name(reason)})"
        attempt = self._failure(fd_number, Outcome.TICKET_REJECTED, detail, failures_after)
        return dataclasses.replace(attempt, reject_reason=reason)

    # The network side.

    async def _exchange(self, fd_number: int, message: bytes) -> tuple[
            asyncio.StreamWriter | None, bytes | None, tuple[Outcome, str] | None]:
        """Send ``message`` on a new connection; return ``(writer, answer, None)`` or ``(None, None, failure)``.

        On success the connection stays open, so the caller can pass the
        квитанция to the ФН before closing it. On failure ``failure`` is
        ``(outcome, detail)`` and the connection is already closed.
        """
        try:
            reader, writer = await self._within(asyncio.open_connection(self.host, self.ofd_port),
                                                self.settings.connect_timeout)
        except TimeoutError:
            return None, None, (Outcome.CONNECT_FAILED, f"no connection within {self.settings.connect_timeout:g} s")
        except OSError as exc:
            return None, None, (Outcome.CONNECT_FAILED, f"cannot connect: {exc}")
        answered = False
        try:
            if self._is_own_address(writer.get_extra_info("peername")):
                return None, None, (Outcome.CONNECT_FAILED, f"{self.address} is this register's own TCP address, "
                                                            "so nothing was sent; point the link at the ОФД")
            logger.info("ФН %s: sending ФД %d to the ОФД at %s (%d bytes)",
                        self._serial, fd_number, self.address, len(message))
            _log_wire(f"ККТ -> ОФД {self.address}", message)
            answer = await self._within(self._send_and_receive(reader, writer, message),
                                        self.settings.answer_timeout)
            answered = True
        except TimeoutError:
            return None, None, (Outcome.NO_ANSWER, f"no квитанция within {self.settings.answer_timeout:g} s")
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return None, None, (Outcome.DROPPED, "the ОФД closed the connection without a квитанция")
            return None, None, (Outcome.DROPPED, f"the ОФД closed the connection after {len(exc.partial)} "
                                                 "bytes of the answer, before the квитанция was complete")
        except DecodeError as exc:
            return None, None, (Outcome.BAD_ANSWER, f"the answer is not a session message: {exc}")
        except OSError as exc:
            return None, None, (Outcome.DROPPED, f"the connection failed: {exc}")
        finally:
            if not answered:
                await self._close_connection(writer)
        _log_wire(f"ОФД {self.address} -> ККТ", answer)
        return writer, answer, None

    async def _close_connection(self, writer: asyncio.StreamWriter) -> None:
        """Close the register's side of the connection, waiting at most the connect timeout."""
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await self._within(writer.wait_closed(), self.settings.connect_timeout)

    def _is_own_address(self, peer: Any) -> bool:
        if self._own_addresses is None or not isinstance(peer, tuple) or len(peer) < 2:
            return False
        return matching_listener((str(peer[0]),), peer[1], self._own_addresses()) is not None

    @staticmethod
    async def _send_and_receive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, message: bytes) -> bytes:
        writer.write(message)
        await writer.drain()
        return await OfdLink._read_answer(reader)

    @staticmethod
    async def _read_answer(reader: asyncio.StreamReader) -> bytes:
        header_bytes = await reader.readexactly(SESSION_HEADER_SIZE)
        parsed = read_session_header(header_bytes)
        assert parsed is not None  # 30 bytes are a whole header
        header, _end = parsed
        try:
            body = await reader.readexactly(header.body_length)
        except asyncio.IncompleteReadError as exc:
            # Count the header too, so the log shows how many bytes of the answer arrived.
            raise asyncio.IncompleteReadError(header_bytes + exc.partial, SESSION_HEADER_SIZE + header.body_length) \
                from None
        return header_bytes + body

    async def _within(self, awaitable: Awaitable[_T], seconds: float) -> _T:
        """Await ``awaitable``; raise TimeoutError when ``sleep(seconds)`` finishes first."""
        work = asyncio.ensure_future(awaitable)
        timer = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait((work, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await work
        if work.cancelled():
            raise TimeoutError
        return work.result()

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await self._within(self._wake.wait(), self.settings.poll_interval)

    # Results.

    def _failure(self, fd_number: int, outcome: Outcome, detail: str, failures: int) -> Attempt:
        return Attempt(fd_number, outcome, detail, failures=failures, retry_in=self.settings.retry_delay(failures))

    def _finish(self, attempt: Attempt) -> Attempt:
        self.attempts += 1
        self._log(attempt)
        waiting = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            if predicate(attempt):
                future.set_result(attempt)
            else:
                waiting.append((predicate, future))
        self._waiters = waiting
        return attempt

    def _log(self, attempt: Attempt) -> None:
        serial, fd_number = self._serial, attempt.fd_number
        if attempt.outcome is Outcome.CONFIRMED:
            logger.info("ФН %s: квитанция for ФД %d accepted, ОФД answer code %d",
                        serial, fd_number, attempt.ofd_code)
            if attempt.ofd_code:
                logger.warning("ФН %s: the ОФД answered ФД %d with code %d; the ФН counts the document "
                               "as delivered", serial, fd_number, attempt.ofd_code)
            if attempt.detail:
                logger.info("ФН %s: operator message for ФД %d: %s", serial, fd_number, attempt.detail)
            return
        # An ОФД that is down fails every retry the same way: warn when the streak starts, then log at INFO.
        repeated = attempt.outcome in _OUTAGE_OUTCOMES and attempt.failures > 1
        logger.log(logging.INFO if repeated else logging.WARNING,
                   "ФН %s: ФД %d not delivered to the ОФД at %s (%s): %s; retrying in %g s",
                   serial, fd_number, self.address, attempt.outcome.value, attempt.detail, attempt.retry_in)


_OUTAGE_OUTCOMES = frozenset((Outcome.CONNECT_FAILED, Outcome.NO_ANSWER))


def link_emulator(emulator: Emulator, host: str, ofd_port: int, *, settings: OfdLinkSettings | None = None,
                  sleep: Sleep = asyncio.sleep, own_addresses: OwnAddresses | None = None) -> OfdLink:
    """Return an ``OfdLink`` for the ФН of ``emulator``, not started yet.

    It takes the emulator's command lock and document watch, and its timers
    from the register's device profile unless ``settings`` is given.
    ``own_addresses`` (see ``OfdLink``) keeps it from sending to its own register.
    """
    return OfdLink(emulator.storage, host, ofd_port, lock=emulator.lock, watch=emulator.fn_watch,
                   settings=settings or emulator.register.profile.ofd_link, sleep=sleep,
                   own_addresses=own_addresses)


def _reject_reason_name(reason: int) -> str:
    try:
        return exchange.TicketRejectReason(reason).name.lower().replace("_", " ")
    except ValueError:
        return "unknown reason"


def _operator_text(operator_message: bytes) -> str:
    return operator_message.hex(" ") if operator_message else ""


def _log_wire(direction: str, data: bytes) -> None:
    if wire_log.isEnabledFor(logging.DEBUG):
        shown = data if len(data) <= _HEX_LOG_LIMIT else data[:_HEX_LOG_LIMIT]
        suffix = "" if len(data) <= _HEX_LOG_LIMIT else f" ... ({len(data)} bytes)"
        wire_log.debug("%s: %s%s", direction, shown.hex(" "), suffix)
