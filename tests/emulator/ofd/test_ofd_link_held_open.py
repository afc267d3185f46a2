"""An ОФД that sends a whole квитанция and then never closes the connection.

The register, not the ОФД, ends each connection, so the квитанция must reach
the ФН (26h) as soon as its last byte has arrived, before the link waits for
anything else. The link's injectable sleep never returns here. The tests wait
only on events, and nothing depends on real time.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.ofd_link import OfdLink, OfdLinkSettings, Outcome
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.protocol.fn.codes import FnCommand
from kktemu.protocol.fn.exchange import ExchangeFlags
from kktemu.protocol.ofd.session import SESSION_HEADER_SIZE, read_session_header

START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000017"
SETTINGS = OfdLinkSettings(poll_interval=60, first_retry=1, max_retry=4, connect_timeout=30, answer_timeout=300)


class HoldingOfd:
    """An ОФД on 127.0.0.1 that sends a квитанция for each message and never closes the connection.

    After writing the квитанция it sets ``ticket_sent`` and keeps reading. When
    the register closes the connection, it sets ``closed_by_register``, but its
    own side stays open until the test ends.
    """

    def __init__(self) -> None:
        self.ticket_sent = asyncio.Event()
        self.closed_by_register = asyncio.Event()
        self.messages = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task] = set()

    async def start(self) -> HoldingOfd:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for handler in self._handlers:
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._handlers.add(asyncio.current_task())
        try:
            header_bytes = await reader.readexactly(SESSION_HEADER_SIZE)
            header, _end = read_session_header(header_bytes)
            message = header_bytes + await reader.readexactly(header.body_length)
            self.messages += 1
            writer.write(confirm_message(message, ofd_inn="7704358518", received_at=dt.datetime(2024, 3, 1, 6, 30)))
            await writer.drain()
            self.ticket_sent.set()
            while await reader.read(4096):
                pass
            self.closed_by_register.set()
            await asyncio.get_running_loop().create_future()  # hold our side open until cancelled
        finally:
            writer.close()


class EndlessSleep:
    """The link's sleep, which never returns.

    The first sleep the link starts after the квитанция was sent calls ``on_wait``.
    """

    def __init__(self, ticket_sent: asyncio.Event) -> None:
        self._ticket_sent = ticket_sent
        self.on_wait = lambda: None
        self.waited_after_ticket = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        if self._ticket_sent.is_set() and not self.waited_after_ticket.is_set():
            self.waited_after_ticket.set()
            self.on_wait()
        await asyncio.get_running_loop().create_future()


class WatchedFn:
    """The emulator's ФН, noting whether the ОФД had seen the connection closed when 26h arrived."""

    def __init__(self, emulator: Emulator, ofd: HoldingOfd) -> None:
        self._storage = emulator.storage
        self._ofd = ofd
        self.closed_at_ticket: list[bool] = []

    def execute(self, command: int, data: bytes) -> tuple[int, bytes]:
        if command == FnCommand.SEND_OFD_TICKET:
            self.closed_at_ticket.append(self._ofd.closed_by_register.is_set())
        return self._storage.execute(command, data)


@pytest.fixture
def emulator(tmp_path):
    """A registered register whose registration report (ФД 1) waits for the ОФД."""
    with Emulator(tmp_path / "fn.bin", clock=Clock(START, frozen=True), fn_serial=FN_SERIAL) as emulated:
        yield emulated


def delivered(emulator: Emulator) -> tuple[int, bool, int]:
    """42h count, 40h квитанция flag of ФД 1 and the 20h flags."""
    with emulator.lock:
        client = FnClient(emulator.storage)
        return (client.unconfirmed_count(), client.find_document(1).ticket_received,
                client.exchange_status().flags)


def run(scenario, emulator: Emulator) -> None:
    async def main():
        ofd = await HoldingOfd().start()
        sleep = EndlessSleep(ofd.ticket_sent)
        fn = WatchedFn(emulator, ofd)
        link = OfdLink(fn, "127.0.0.1", ofd.port, lock=emulator.lock, watch=emulator.fn_watch,
                       settings=SETTINGS, sleep=sleep)
        try:
            await scenario(link, ofd, sleep, fn)
        finally:
            await link.close()
            await ofd.close()

    asyncio.run(main())


def test_ticket_confirmed_while_ofd_holds_connection(emulator, guarded):
    async def scenario(link, ofd, sleep, fn):
        confirmed = link.wait_attempt(lambda attempt: attempt.fd_number == 1)
        link.start()
        attempt = await guarded(confirmed)
        assert attempt.outcome is Outcome.CONFIRMED
        # 26h came while the connection was still open; the register closed it afterwards.
        assert fn.closed_at_ticket == [False]
        await guarded(ofd.closed_by_register.wait())
        count, ticket_received, flags = delivered(emulator)
        assert (count, ticket_received) == (0, True)
        assert not flags & (ExchangeFlags.TRANSPORT_CONNECTED | ExchangeFlags.AWAITING_TICKET
                            | ExchangeFlags.MESSAGE_FOR_OFD)
        assert ofd.messages == 1

    run(scenario, emulator)


def test_stop_at_first_wait_after_ticket_keeps_it(emulator, guarded):
    """Stop the link at its first wait after the квитанция was sent, as SIGTERM does.

    ``tools/serve.py`` stops the link with ``OfdLink.close``, whose first step
    cancels the link's task. The sleep cancels it synchronously, so the link
    cannot run on before the stop. The ФН must already contain the квитанция.
    """

    async def scenario(link, ofd, sleep, fn):
        task = link.start()
        sleep.on_wait = task.cancel
        await guarded(sleep.waited_after_ticket.wait())
        await guarded(link.close())
        assert task.cancelled()
        count, ticket_received, flags = delivered(emulator)
        assert (count, ticket_received) == (0, True)
        assert not flags & (ExchangeFlags.TRANSPORT_CONNECTED | ExchangeFlags.MESSAGE_FOR_OFD)
        assert ofd.messages == 1

    run(scenario, emulator)
