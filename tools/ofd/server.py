"""The mock ОФД server: ККТ↔ОФД protocol over TCP, many registers at once.

Per connection the server follows the server state machine of the FNS protocol
v1.1.006 (table 6): it reads a message (the 30-byte session header, then the
body its length announces), checks it, stores it and sends the квитанция, then
listens for the next message on the same connection until the client closes
it. kktemu's register and real ones send one message per connection and close
after the квитанция.

A message that fails a check gets no answer: the protocol has no negative
квитанция, and its server drops the context of a message whose check failed
(«Сброс обработки»). The mock logs a WARNING with the peer and the bytes in
hex and closes the connection. The checks are those of ``intake``; the signs
are checked when ``verify_signs`` is on (the default). A valid service-mode
message (no container) gets the service квитанция of protocol section 4.8.

The квитанция is ``fn_storage.ofd_operator.confirm_message``: a form 7
confirmation with 1022 and, unless ``operator_sign`` is off, the operator sign
1078 made with the ОФД key derived from the master key and the ФН serial.

``faults`` (``faults.Faults``) changes the answer for tests: rejection, delay,
dropped connection, no answer. Rules can change while the server runs.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
from collections.abc import Callable

from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.fn_storage.signing import DEFAULT_MASTER_KEY
from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ofd.message import OfdMessage
from kktemu.protocol.ofd.session import (
    CRC_MODE_MASK,
    SESSION_HEADER_SIZE,
    SERVICE_SERVER_FLAGS,
    SERVICE_SERVER_FLAGS_WITH_CRC,
    SessionHeader,
)

from .faults import Fault, Faults
from .intake import InvalidMessage, ReceivedDocument, check_signs, parse_message
from .store import DirectoryStore, MemoryStore, Result, StoredDocument, StoreError

logger = logging.getLogger(__name__)
wire_logger = logging.getLogger("kktemu.wire")

DEFAULT_OFD_INN = "7704358518"
"""ИНН ОФД (1017) of the квитанции unless configured: the value of the yandex/ofd samples (tests/example_test.py)."""
DEFAULT_IDLE_TIMEOUT = 300.0
"""Seconds a connection may stay silent before a message begins or while it arrives (implementation-defined
in the protocol). It also bounds the wait for a client to read its квитанция off the socket. The register's
own wait for a квитанция is also 300 s."""
HEX_LOG_LIMIT = 512
CLOSE_TIMEOUT = 5.0
"""Seconds to wait for a closed connection to flush; a client that never reads is then cut off."""


def utc_now() -> _dt.datetime:
    """Return the current UTC time, naive and rounded down to the second (the form of 1012)."""
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class _Close(Exception):
    """Ends the handling of one connection without an error."""


class MockOfd:
    """A mock ОФД. Create it, ``await start()``, read ``documents()``, ``await stop()``.

    ``store`` is a MemoryStore (the default) or a DirectoryStore; ``stop``
    closes it. ``ofd_inn`` goes into 1017 of every квитанция. ``master_key``
    derives the ФН keys that check ФПД and ФПС and the ОФД keys that sign
    1078. ``verify_signs`` False accepts documents whose signs were made by a
    real ФН. ``operator_sign`` False leaves 1078 out, as third-party mock ОФД
    do. ``clock`` returns the naive UTC time written into 1012 of the
    квитанция. ``idle_timeout`` is in seconds.

    ``messages_read`` counts the messages read whole (header and body),
    valid or not; ``wait_for_messages`` and ``wait_for_documents`` let tests
    wait for the server without sleeping.
    """

    def __init__(self, *, store: MemoryStore | DirectoryStore | None = None, ofd_inn: str = DEFAULT_OFD_INN,
                 master_key: bytes = DEFAULT_MASTER_KEY, verify_signs: bool = True, operator_sign: bool = True,
                 faults: Faults | None = None, clock: Callable[[], _dt.datetime] = utc_now,
                 idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> None:
        self.store = store if store is not None else MemoryStore()
        self.ofd_inn = ofd_inn
        self.master_key = master_key
        self.verify_signs = verify_signs
        self.operator_sign = operator_sign
        self.faults = faults if faults is not None else Faults()
        self.clock = clock
        self.idle_timeout = idle_timeout
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task] = set()
        self._arrived = asyncio.Condition()
        self.messages_read = 0
        self.address: tuple[str, int] | None = None
        """The bound (host, port) after ``start``."""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen on ``host``:``port`` (0 picks a free port) and return the bound (host, port).

        Raises OSError when the address cannot be bound, RuntimeError when the server already runs.
        """
        if self._server is not None:
            raise RuntimeError("the mock ОФД is already started; stop it first")
        self._server = await asyncio.start_server(self._serve_connection, host, port)
        bound = self._server.sockets[0].getsockname()
        self.address = (bound[0], bound[1])
        logger.info("mock ОФД listening on %s:%d", *self.address)
        return self.address

    async def stop(self) -> None:
        """Stop listening, close every open connection and the store."""
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        self.store.close()
        logger.info("mock ОФД stopped")

    async def __aenter__(self) -> MockOfd:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def documents(self) -> list[StoredDocument]:
        """Return every arrival stored so far, oldest first."""
        return self.store.documents()

    async def wait_for_documents(self, count: int) -> list[StoredDocument]:
        """Wait until at least ``count`` arrivals are stored and return them all.

        It does not time out by itself; wrap it in ``asyncio.wait_for``.
        """
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self.store.documents()) >= count)
            return self.store.documents()

    async def wait_for_messages(self, count: int) -> None:
        """Wait until at least ``count`` whole messages have been read, valid or not, before any fault
        delay or answer. It does not time out by itself; wrap it in ``asyncio.wait_for``."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: self.messages_read >= count)

    @property
    def open_connections(self) -> int:
        """Number of client connections being served now."""
        return len(self._connections)

    # One connection.

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        peer = _peer_name(writer)
        logger.info("connection from %s", peer)
        try:
            while True:
                raw = await self._read_message(reader, peer)
                if raw is None:
                    break
                await self._handle_message(raw, reader, writer, peer)
        except _Close:
            pass
        except asyncio.CancelledError:
            logger.info("closing the connection from %s on stop", peer)
        except (ConnectionError, TimeoutError) as exc:
            logger.info("connection from %s lost: %s", peer, exc)
        except Exception:
            logger.exception("failed to serve the connection from %s", peer)
        finally:
            self._connections.discard(task)
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), CLOSE_TIMEOUT)
            except TimeoutError:
                writer.transport.abort()
            except (ConnectionError, asyncio.CancelledError):
                pass
            logger.info("connection from %s closed", peer)

    async def _read_message(self, reader: asyncio.StreamReader, peer: str) -> bytes | None:
        """Return one whole message, None at a clean end of the connection; raise _Close after bad input."""
        header_bytes = await self._read_exactly(reader, SESSION_HEADER_SIZE, peer, b"", "session header")
        if header_bytes is None:
            return None
        try:
            header = SessionHeader.decode(header_bytes)
        except DecodeError as exc:
            # A bad header means the body length cannot be trusted either, so the rest is not read.
            _warn_invalid(peer, f"invalid session header: {exc}", header_bytes)
            raise _Close from None
        body = await self._read_exactly(reader, header.body_length, peer, header_bytes, "message body")
        assert body is not None  # the header is already read, so an end of data here raises _Close
        return header_bytes + body

    async def _read_exactly(self, reader: asyncio.StreamReader, size: int, peer: str, before: bytes,
                            part: str) -> bytes | None:
        if size == 0:
            return b""
        try:
            return await asyncio.wait_for(reader.readexactly(size), self.idle_timeout)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial and not before:
                return None
            _warn_invalid(peer, f"the connection closed inside the {part} ({len(exc.partial)} of {size} bytes)",
                          before + exc.partial)
            raise _Close from None
        except TimeoutError:
            if before:
                _warn_invalid(peer, f"no data for {self.idle_timeout:g} s inside the {part}", before)
            else:
                logger.info("closing the idle connection from %s after %g s", peer, self.idle_timeout)
            raise _Close from None

    async def _handle_message(self, raw: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                              peer: str) -> None:
        wire_logger.debug("ОФД <- %s: %s", peer, raw.hex(" "))
        self.messages_read += 1
        await self._notify()
        try:
            parsed = parse_message(raw)
        except InvalidMessage as exc:
            _warn_invalid(peer, f"invalid message: {exc}", raw)
            raise _Close from None
        if isinstance(parsed, OfdMessage):
            await self._answer_service(parsed, writer, peer)
            return
        await self._handle_document(parsed, reader, writer, peer)

    async def _answer_service(self, message: OfdMessage, writer: asyncio.StreamWriter, peer: str) -> None:
        with_crc = message.flags & CRC_MODE_MASK != 0
        flags = SERVICE_SERVER_FLAGS_WITH_CRC if with_crc else SERVICE_SERVER_FLAGS
        answer = OfdMessage(message.fn_serial, None, flags, message.protocol_version).encode()
        logger.info("service message from %s (ФН %s) answered", peer, message.fn_serial or "-")
        await self._send(writer, answer, peer)

    async def _handle_document(self, received: ReceivedDocument, reader: asyncio.StreamReader,
                               writer: asyncio.StreamWriter, peer: str) -> None:
        received_at = self.clock()
        subject = f"ФД {received.fd_number} of ФН {received.fn_serial} from {peer}"
        if self.verify_signs:
            failure = check_signs(received, self.master_key)
            if failure is not None:
                _warn_invalid(peer, failure, received.raw)
                await self._store(received, Result.INVALID_SIGN, None, received_at, peer, failure)
                raise _Close
        fault = self.faults.take(received.fn_serial)
        if fault is not None:
            logger.info("fault for %s: %s", subject, fault.describe())
            if fault.delay:
                await asyncio.sleep(fault.delay)
        action = "answer" if fault is None else fault.action
        if action == "answer":
            await self._confirm(received, fault, received_at, writer, peer)
            return
        if action == "reject":
            assert fault is not None
            await self._store(received, Result.REJECTED, fault.reject, received_at, peer)
            logger.warning("rejected %s with code %d: no квитанция, closing the connection", subject, fault.reject)
            raise _Close
        if action == "drop":
            await self._store(received, Result.DROPPED, None, received_at, peer)
            logger.warning("dropping the connection after %s", subject)
            writer.transport.abort()
            raise _Close
        await self._store(received, Result.HELD, None, received_at, peer)
        logger.warning("holding the connection after %s without a квитанция", subject)
        await self._hold(reader, peer)
        raise _Close

    async def _confirm(self, received: ReceivedDocument, fault: Fault | None, received_at: _dt.datetime,
                       writer: asyncio.StreamWriter, peer: str) -> None:
        code = 0 if fault is None or fault.answer_code is None else fault.answer_code
        try:
            ticket = confirm_message(received.raw, ofd_inn=self.ofd_inn, received_at=received_at,
                                     master_key=self.master_key, answer_code=code, sign=self.operator_sign)
        except (DecodeError, EncodeError) as exc:
            _warn_invalid(peer, f"cannot build the квитанция: {exc}", received.raw)
            raise _Close from None
        await self._store(received, Result.ACCEPTED, code, received_at, peer)
        await self._send(writer, ticket, peer)
        logger.info("accepted ФД %d of ФН %s from %s, квитанция sent (code %d)",
                    received.fd_number, received.fn_serial, peer, code)

    async def _store(self, received: ReceivedDocument, result: str, code: int | None, received_at: _dt.datetime,
                     peer: str, detail: str = "") -> None:
        try:
            self.store.add(received, result=result, code=code, received_at=received_at, peer=peer, detail=detail)
        except StoreError:
            logger.exception("cannot store ФД %d of ФН %s from %s; closing without a квитанция",
                             received.fd_number, received.fn_serial, peer)
            raise _Close from None
        await self._notify()

    async def _notify(self) -> None:
        async with self._arrived:
            self._arrived.notify_all()

    async def _send(self, writer: asyncio.StreamWriter, data: bytes, peer: str) -> None:
        wire_logger.debug("ОФД -> %s: %s", peer, data.hex(" "))
        writer.write(data)
        # A client that sends messages but never reads its квитанции would otherwise hold this task forever.
        try:
            await asyncio.wait_for(writer.drain(), self.idle_timeout)
        except TimeoutError:
            logger.warning("the client %s read no квитанция for %g s; closing the connection", peer, self.idle_timeout)
            raise _Close from None

    async def _hold(self, reader: asyncio.StreamReader, peer: str) -> None:
        """Keep the connection open, discarding input, until the client closes it or the server stops."""
        while True:
            data = await reader.read(4096)
            if not data:
                logger.info("the client %s closed the held connection", peer)
                return
            logger.warning("ignoring %d bytes from %s on a held connection", len(data), peer)


def _peer_name(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        host = peer[0]
        return f"[{host}]:{peer[1]}" if ":" in host else f"{host}:{peer[1]}"
    return str(peer)


def _warn_invalid(peer: str, reason: str, data: bytes) -> None:
    logged = data[:HEX_LOG_LIMIT].hex(" ")
    total = f" ... ({len(data)} bytes in all)" if len(data) > HEX_LOG_LIMIT else ""
    logger.warning("%s from %s; closing the connection without a квитанция. Bytes: %s%s", reason, peer, logged, total)
