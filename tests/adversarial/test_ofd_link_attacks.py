"""Attacks on the register's ОФД link: hostile answers, a stop in the middle of an exchange, racing sales.

A real register relays the ОФД's answer to its ФН unchanged and keeps the
document queued until the ФН accepts a квитанция for it. So whatever an ОФД
answers, the ФН archive may change only by the квитанция of the queued
document, and a document that got none is sent again, byte for byte.

The link's timers run on a sleep that never ends, so every outcome here comes
from the bytes the ОФД sends, never from a timeout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.ofd_link import OfdLinkSettings, Outcome, link_emulator
from kktemu.fn_storage import read_archive
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.protocol.fn.exchange import ExchangeFlags
from kktemu.protocol.ofd.message import decode_message
from kktemu.protocol.ofd.session import SESSION_HEADER_SIZE, read_session_header
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
RECEIVED_AT = dt.datetime(2024, 3, 1, 6, 0, 0)
FN_SERIAL = "9999078900000017"
OTHER_SERIAL = "9999078900000018"
CASHIER = 1
ADMIN = 30
GUARD = 30.0
"""Seconds before a waiting test gives up: a hang guard, not a performance claim."""
SETTINGS = OfdLinkSettings(poll_interval=60, first_retry=1, max_retry=4, connect_timeout=30, answer_timeout=300)


async def never(seconds: float) -> None:
    """A sleep that ends only when cancelled, so no timer of the link ever fires."""
    await asyncio.Event().wait()


def ticket(message: bytes) -> bytes:
    return confirm_message(message, ofd_inn="7704358518", received_at=RECEIVED_AT)


def sell(emulator: Emulator) -> None:
    for request in (c.SaleRequest(CASHIER, 1000, 1000, 1, (1, 0, 0, 0), "Товар"),
                    c.CloseReceiptRequest(CASHIER, (1000, 0, 0, 0), 0, (0, 0, 0, 0), "")):
        answer = c.decode_answer(emulator.execute(request.encode()))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"


def unconfirmed(emulator: Emulator) -> int:
    with emulator.lock:
        return FnClient(emulator.storage).unconfirmed_count()


async def read_message(reader: asyncio.StreamReader) -> bytes:
    header = await reader.readexactly(SESSION_HEADER_SIZE)
    parsed, _end = read_session_header(header)
    return header + await reader.readexactly(parsed.body_length)


class ScriptedOfd:
    """An ОФД on 127.0.0.1 that reads one message per connection and then runs ``answer(message, writer)``."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.received: list[bytes] = []
        self.arrived = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> ScriptedOfd:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            message = await read_message(reader)
            self.received.append(message)
            self.arrived.set()
            await self.answer(message, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


# --- hostile answers -------------------------------------------------------------------------------


async def answer_garbage(message, reader, writer):
    writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n" + bytes(40))


async def answer_huge_length_then_close(message, reader, writer):
    header = bytearray(ticket(message)[:SESSION_HEADER_SIZE])
    header[24:26] = b"\xff\xff"  # the body length field of the session header
    writer.write(bytes(header))


async def answer_empty_body(message, reader, writer):
    header = bytearray(ticket(message)[:SESSION_HEADER_SIZE])
    header[24:26] = b"\x00\x00"
    writer.write(bytes(header))


def answer_with(data: bytes):
    """Return an answer that sends ``data`` whatever the message was."""
    async def answer(message, reader, writer):
        writer.write(data)

    return answer


async def answer_half_then_close(message, reader, writer):
    whole = ticket(message)
    writer.write(whole[:len(whole) // 2])


async def answer_reset(message, reader, writer):
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def answer_single_bytes(message, reader, writer):
    for byte in ticket(message):
        writer.write(bytes((byte,)))
        await writer.drain()
        await asyncio.sleep(0)


async def answer_with_trailing_bytes(message, reader, writer):
    writer.write(ticket(message) + b"\x00" * 5000)


async def answer_twice(message, reader, writer):
    writer.write(ticket(message) * 2)


ATTACKS = {
    "garbage": (answer_garbage, Outcome.BAD_ANSWER, None),
    "huge length then close": (answer_huge_length_then_close, Outcome.DROPPED, None),
    "empty body": (answer_empty_body, Outcome.TICKET_REJECTED, 2),
    "half then close": (answer_half_then_close, Outcome.DROPPED, None),
    "reset": (answer_reset, Outcome.DROPPED, None),
    "single bytes": (answer_single_bytes, Outcome.CONFIRMED, None),
    "trailing bytes": (answer_with_trailing_bytes, Outcome.CONFIRMED, None),
    "two квитанции": (answer_twice, Outcome.CONFIRMED, None),
}


@pytest.fixture
def emulator(tmp_path):
    """A registered register: ФД 1 (registration) confirmed, ФД 2 (shift opened) and 3 (receipt) queued."""
    with Emulator(tmp_path / "fn.bin", clock=Clock(START, frozen=True), fn_serial=FN_SERIAL) as emulated:
        with emulated.lock:
            first = emulated.storage.message_for_ofd(1)
            result, _data = emulated.storage.execute(0x26, ticket(first))
        assert result == 0
        sell(emulated)
        yield emulated


def attack(emulator: Emulator, answer):
    """Run one delivery attempt against an ОФД that answers with ``answer``; return the attempt and the ОФД."""
    async def main():
        ofd = await ScriptedOfd(answer).start()
        link = link_emulator(emulator, "127.0.0.1", ofd.port, settings=SETTINGS, sleep=never)
        try:
            return await asyncio.wait_for(link.deliver_once(), GUARD), ofd
        finally:
            await ofd.close()

    return asyncio.run(main())


@pytest.mark.parametrize(("answer", "outcome", "reason"), ATTACKS.values(), ids=ATTACKS.keys())
def test_hostile_answer(emulator, answer, outcome, reason):
    archive_before = emulator.fn_path.read_bytes()
    attempt, ofd = attack(emulator, answer)

    assert attempt.outcome is outcome, attempt.detail
    assert attempt.reject_reason == reason
    assert attempt.fd_number == 2
    assert ofd.received == [emulator.storage.message_for_ofd(2)]
    if outcome is Outcome.CONFIRMED:
        assert unconfirmed(emulator) == 1
        return
    assert unconfirmed(emulator) == 2
    assert emulator.fn_path.read_bytes() == archive_before
    with emulator.lock:
        assert FnClient(emulator.storage).exchange_status().flags & ExchangeFlags.MESSAGE_FOR_OFD


def test_ticket_for_other_fn_rejected(emulator, tmp_path):
    with Emulator(tmp_path / "other.bin", clock=Clock(START, frozen=True), fn_serial=OTHER_SERIAL) as other:
        foreign = ticket(other.storage.message_for_ofd(1))
    archive_before = emulator.fn_path.read_bytes()
    attempt, _ofd = attack(emulator, answer_with(foreign))
    assert attempt.outcome is Outcome.TICKET_REJECTED
    assert attempt.reject_reason == 4
    assert emulator.fn_path.read_bytes() == archive_before
    assert unconfirmed(emulator) == 2


def test_replayed_ticket_of_other_fd_rejected(emulator):
    # The квитанция of ФД 1, which the ФН already took, sent again for ФД 2.
    replay = ticket(emulator.storage.message_for_ofd(1))
    archive_before = emulator.fn_path.read_bytes()
    attempt, _ofd = attack(emulator, answer_with(replay))
    assert attempt.outcome is Outcome.TICKET_REJECTED
    assert attempt.reject_reason == 3
    assert emulator.fn_path.read_bytes() == archive_before
    assert unconfirmed(emulator) == 2


def test_cut_answer_counts_header_bytes(emulator):
    attempt, _ofd = attack(emulator, answer_huge_length_then_close)
    assert attempt.outcome is Outcome.DROPPED
    assert f"after {SESSION_HEADER_SIZE} bytes" in attempt.detail


# --- a stop in the middle of an exchange ------------------------------------------------------------


async def answer_never(message, reader, writer):
    await reader.read()


async def answer_ticket(message, reader, writer):
    writer.write(ticket(message))


def tickets_by_fd(fn_path: Path) -> list[int]:
    return [item.fd_number for item in read_archive(fn_path).tickets]


def test_restart_mid_exchange_resends_unchanged(emulator):
    fn_path = emulator.fn_path

    async def interrupted():
        ofd = await ScriptedOfd(answer_never).start()
        link = link_emulator(emulator, "127.0.0.1", ofd.port, settings=SETTINGS, sleep=never)
        link.start()
        await asyncio.wait_for(ofd.arrived.wait(), GUARD)
        await link.close()
        await ofd.close()
        return ofd.received

    unanswered = asyncio.run(interrupted())
    archive_at_stop = fn_path.read_bytes()
    emulator.close()

    with Emulator(fn_path, clock=Clock(START, frozen=True)) as restarted:
        assert fn_path.read_bytes() == archive_at_stop
        assert unconfirmed(restarted) == 2

        async def resumed():
            ofd = await ScriptedOfd(answer_ticket).start()
            link = link_emulator(restarted, "127.0.0.1", ofd.port, settings=SETTINGS, sleep=never)
            done = link.wait_attempt(lambda attempt: attempt.outcome is Outcome.CONFIRMED and attempt.fd_number == 3)
            link.start()
            try:
                await asyncio.wait_for(done, GUARD)
            finally:
                await link.close()
                await ofd.close()
            return ofd.received

        delivered = asyncio.run(resumed())
        assert unconfirmed(restarted) == 0
    assert delivered[0] == unanswered[0]
    assert [decode_message(item).container.fd_number for item in delivered] == [2, 3]
    contents = read_archive(fn_path)
    assert [document.fd_number for document in contents.documents] == [1, 2, 3]
    assert tickets_by_fd(fn_path) == [1, 2, 3]


class LineReader:
    """Reads a subprocess's stdout lines in a thread, so a test can wait for one without blocking."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, text: str) -> str:
        """Wait (guarded) for a line containing ``text`` and return it."""
        with self._changed:
            assert self._changed.wait_for(lambda: any(text in line for line in self.lines), GUARD), \
                f"no line containing {text!r} in {self.lines}"
            return next(line for line in self.lines if text in line)


KKTEMU = Path(sys.executable).with_name("kktemu")


def start_serve(fn_path: Path, ofd_port: int) -> tuple[subprocess.Popen, LineReader]:
    """Start ``kktemu serve -v`` with its ОФД link; the reader gets its log lines (stderr)."""
    process = subprocess.Popen(
        [str(KKTEMU), "--lang", "en", "-v", "serve", "--port", "0", "--fn-file", str(fn_path),
         "--ofd", f"127.0.0.1:{ofd_port}", "--clock", START.isoformat(), "--freeze-clock"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    return process, LineReader(process.stderr)


def stop_serve(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(GUARD)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sigterm_mid_exchange_then_restart(tmp_path):
    fn_path = tmp_path / "fn.bin"

    async def scenario():
        silent = await ScriptedOfd(answer_never).start()
        process, _lines = start_serve(fn_path, silent.port)
        try:
            await asyncio.wait_for(silent.arrived.wait(), GUARD)
            status = await asyncio.to_thread(stop_serve, process)
        finally:
            if process.poll() is None:
                process.kill()
        await silent.close()
        assert status == 0
        archive_at_stop = fn_path.read_bytes()
        assert read_archive(fn_path).tickets == []

        answering = await ScriptedOfd(answer_ticket).start()
        process, lines = start_serve(fn_path, answering.port)
        try:
            await asyncio.wait_for(answering.arrived.wait(), GUARD)
            # The link logs this line after the ФН took the квитанция (26h).
            await asyncio.to_thread(lines.wait_for, "квитанция for ФД 1 accepted")
        finally:
            status = await asyncio.to_thread(stop_serve, process)
        await answering.close()
        assert status == 0
        assert fn_path.read_bytes()[:len(archive_at_stop)] == archive_at_stop
        return silent.received, answering.received

    unanswered, delivered = asyncio.run(scenario())
    assert unanswered == [delivered[0]]
    contents = read_archive(fn_path)
    assert [document.fd_number for document in contents.documents] == [1]
    assert tickets_by_fd(fn_path) == [1]


# --- sales racing the link -----------------------------------------------------------------------------


def test_sales_during_exchange_keep_numbering(emulator):
    release = threading.Event()

    async def answer_after_sales(message, reader, writer):
        await asyncio.to_thread(release.wait, GUARD)
        writer.write(ticket(message))

    async def main():
        ofd = await ScriptedOfd(answer_after_sales).start()
        link = link_emulator(emulator, "127.0.0.1", ofd.port, settings=SETTINGS, sleep=never)
        done = link.wait_attempt(lambda attempt: attempt.outcome is Outcome.CONFIRMED and attempt.fd_number == 5)
        link.start()
        try:
            await asyncio.wait_for(ofd.arrived.wait(), GUARD)
            # ФД 2 is on its way: the host sells twice and reads the exchange status meanwhile.
            await asyncio.to_thread(sell, emulator)
            await asyncio.to_thread(sell, emulator)
            with emulator.lock:
                status = FnClient(emulator.storage).exchange_status()
            release.set()
            await asyncio.wait_for(done, GUARD)
        finally:
            await link.close()
            await ofd.close()
        return status, ofd.received

    status, received = asyncio.run(main())
    assert status.flags & ExchangeFlags.AWAITING_TICKET
    assert status.first_fd_number == 2
    assert status.message_count == 4
    assert [decode_message(item).container.fd_number for item in received] == [2, 3, 4, 5]
    assert unconfirmed(emulator) == 0
    contents = read_archive(emulator.fn_path)
    assert [document.fd_number for document in contents.documents] == [1, 2, 3, 4, 5]
    assert tickets_by_fd(emulator.fn_path) == [1, 2, 3, 4, 5]


# --- the clock jumps while a квитанция is awaited --------------------------------------------------------


def try_sell(emulator: Emulator) -> int:
    """Sell one item in a new receipt; return the Штрих-М error code of the first refused command (0: sold)."""
    for request in (c.SaleRequest(CASHIER, 1000, 1000, 1, (1, 0, 0, 0), "Товар"),
                    c.CloseReceiptRequest(CASHIER, (1000, 0, 0, 0), 0, (0, 0, 0, 0), "")):
        answer = c.decode_answer(emulator.execute(request.encode()))
        if isinstance(answer, c.ErrorAnswer):
            return answer.error
    return 0


def test_clock_jump_during_exchange_blocks_then_unblocks(emulator):
    # Close the shift first, so that after the jump only the 30-day rule can refuse the sale.
    answer = c.decode_answer(emulator.execute(c.ZReportRequest(ADMIN).encode()))
    assert not isinstance(answer, c.ErrorAnswer), answer
    release = threading.Event()

    async def answer_when_released(message, reader, writer):
        await asyncio.to_thread(release.wait, GUARD)
        writer.write(ticket(message))

    async def main():
        ofd = await ScriptedOfd(answer_when_released).start()
        link = link_emulator(emulator, "127.0.0.1", ofd.port, settings=SETTINGS, sleep=never)
        done = link.wait_attempt(lambda attempt: attempt.outcome is Outcome.CONFIRMED and attempt.fd_number == 4)
        link.start()
        try:
            await asyncio.wait_for(ofd.arrived.wait(), GUARD)
            emulator.clock.advance(dt.timedelta(days=31))
            blocked = await asyncio.to_thread(try_sell, emulator)
            archive_blocked = emulator.fn_path.read_bytes()
            release.set()
            await asyncio.wait_for(done, GUARD)
        finally:
            await link.close()
            await ofd.close()
        return blocked, archive_blocked

    blocked, archive_blocked = asyncio.run(main())
    # The Штрих-М code of the ФН's 15h refusal is the ФН code itself.
    assert blocked == 0x15
    assert unconfirmed(emulator) == 0
    contents = read_archive(emulator.fn_path)
    assert [document.fd_number for document in contents.documents] == [1, 2, 3, 4]
    assert [item.fd_number for item in contents.tickets] == [1, 2, 3, 4]
    assert emulator.fn_path.read_bytes().startswith(archive_blocked)
    assert try_sell(emulator) == 0
    assert unconfirmed(emulator) == 2
