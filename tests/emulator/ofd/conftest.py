"""Fixtures for the ОФД link tests: a sleep the test releases by hand and a small ОФД server.

``ManualSleep`` replaces ``asyncio.sleep`` in the link, so timeouts, back-off
and the poll interval end only when a test says so: nothing waits for real time.
``SimpleOfd`` is a TCP server on 127.0.0.1 that reads one message per
connection and answers with a квитанция from
``kktemu.fn_storage.ofd_operator.confirm_message``, or misbehaves as its
``mode`` says.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from kktemu.fn_storage import DEFAULT_MASTER_KEY
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.protocol.ofd.message import decode_message
from kktemu.protocol.ofd.session import SESSION_HEADER_SIZE, read_session_header

GUARD = 20.0
"""Seconds before a test that waits for an event gives up; a hang guard, not a performance claim."""

OFD_INN = "7704358518"
RECEIVED_AT = dt.datetime(2024, 3, 1, 6, 30, 15)


async def guarded(awaitable):
    """Await ``awaitable`` with the hang guard."""
    return await asyncio.wait_for(awaitable, GUARD)


class ManualSleep:
    """An injectable ``sleep(seconds)`` that returns only when the test calls ``release``.

    ``history`` lists every requested duration in order; ``pending`` the sleeps
    still waiting (a cancelled sleep leaves it).
    """

    def __init__(self) -> None:
        self.history: list[float] = []
        self.pending: list[tuple[float, asyncio.Future[None]]] = []
        self._changed: asyncio.Event | None = None

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    async def __call__(self, seconds: float) -> None:
        entry = (seconds, asyncio.get_running_loop().create_future())
        self.pending.append(entry)
        self.history.append(seconds)
        self._event().set()
        try:
            await entry[1]
        finally:
            self.pending.remove(entry)

    async def wait_for(self, seconds: float) -> None:
        """Wait (guarded) until a sleep of ``seconds`` is pending."""
        async def find() -> None:
            while not any(pending == seconds for pending, _future in self.pending):
                self._event().clear()
                await self._event().wait()

        await guarded(find())

    async def release(self, seconds: float) -> None:
        """Wait for a pending sleep of ``seconds`` and end it."""
        await self.wait_for(seconds)
        for pending, future in self.pending:
            if pending == seconds and not future.done():
                future.set_result(None)
                return


@dataclasses.dataclass(frozen=True)
class Received:
    """One message the ОФД read: ФН number, ФД number and the message bytes."""

    fn_serial: str
    fd_number: int
    message: bytes


class SimpleOfd:
    """A minimal ОФД on 127.0.0.1: one message per connection, then the action ``mode`` names.

    Modes: "accept" answers with a квитанция (``answer_code``, signed unless
    ``sign`` is False, with ``master_key``); "drop" closes the connection without
    an answer; "silent" never answers and waits for the client to close;
    "garbage" answers with bytes that are not a session header.
    """

    def __init__(self) -> None:
        self.mode = "accept"
        self.answer_code = 0
        self.sign = True
        self.master_key = DEFAULT_MASTER_KEY
        self.received: list[Received] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Event()
        self._silent_readers: list[asyncio.StreamReader] = []

    async def start(self) -> SimpleOfd:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for reader in self._silent_readers:
                reader.feed_eof()
            await self._server.wait_closed()

    async def wait_received(self, count: int) -> None:
        """Wait (guarded) until ``count`` messages have arrived in all."""
        async def reach() -> None:
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()

        await guarded(reach())

    def fd_numbers(self, fn_serial: str | None = None) -> list[int]:
        """Return the ФД numbers received, in arrival order, of one ФН or of all."""
        return [item.fd_number for item in self.received if fn_serial in (None, item.fn_serial)]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            header_bytes = await reader.readexactly(SESSION_HEADER_SIZE)
            header, _end = read_session_header(header_bytes)
            message = header_bytes + await reader.readexactly(header.body_length)
            parsed = decode_message(message)
            self.received.append(Received(parsed.fn_serial, parsed.container.fd_number, message))
            self._arrived.set()
            mode = self.mode
            if mode == "accept":
                writer.write(confirm_message(message, ofd_inn=OFD_INN, received_at=RECEIVED_AT,
                                             master_key=self.master_key, answer_code=self.answer_code,
                                             sign=self.sign))
                await writer.drain()
            elif mode == "silent":
                self._silent_readers.append(reader)
                await reader.read()
            elif mode == "garbage":
                writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\nthis is not an OFD server")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
def manual_sleep() -> ManualSleep:
    return ManualSleep()


@pytest.fixture(name="guarded")
def guarded_fixture():
    """Return ``guarded(awaitable)``: await it, failing after GUARD seconds instead of hanging."""
    return guarded


@pytest.fixture
def simple_ofd() -> Callable[[], SimpleOfd]:
    """Return the SimpleOfd class; start it with ``await SimpleOfd().start()`` inside the test's loop."""
    return SimpleOfd
