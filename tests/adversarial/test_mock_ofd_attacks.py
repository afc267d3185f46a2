"""Attacks on the mock ОФД: idle and slow clients, crowds of registers, a failing or damaged store.

The server is judged by what honest registers get while the attack runs (a
квитанция for each valid message) and by what its store directory contains
afterwards: every line of the index readable, every recorded message file
present and byte-equal to what arrived, no stray temporary files.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import json
import os
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.ofd_link import OfdLinkSettings, Outcome, link_emulator
from kktemu.protocol.ofd.message import decode_message
from kktemu.protocol.ofd.session import SESSION_HEADER_SIZE, read_session_header
from kktemu.tools.cli import main as cli_main
from kktemu.tools.ofd import DirectoryStore, MockOfd, Result, StoreError, StoreLockedError, parse_message, read_store
from kktemu.tools.ofd import store as store_module
from kktemu.tools.ofd.store import INDEX_NAME, MESSAGES_DIR

START = dt.datetime(2024, 3, 1, 9, 0, 0)
GUARD = 30.0
"""Seconds before a waiting test gives up: a hang guard, not a performance claim."""


def fn_messages(directory: Path, count: int) -> list[bytes]:
    """Return the registration report message of ``count`` fresh test ФН (one per ФН serial)."""
    messages = []
    for number in range(count):
        serial = f"99990789{number + 100:08d}"
        with Emulator(directory / f"fn{number}.bin", clock=Clock(START, frozen=True), fn_serial=serial) as emulator:
            messages.append(emulator.storage.message_for_ofd(1))
    return messages


async def read_answer(reader: asyncio.StreamReader) -> bytes:
    header = await reader.readexactly(SESSION_HEADER_SIZE)
    parsed, _end = read_session_header(header)
    return header + await reader.readexactly(parsed.body_length)


async def send_message(address: tuple[str, int], message: bytes) -> bytes | None:
    """Send one message on a new connection; return the квитанция, or None when the server closes without one."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(message)
        await writer.drain()
        try:
            return await read_answer(reader)
        except asyncio.IncompleteReadError:
            return None
    finally:
        writer.close()


def ticket_fd(answer: bytes) -> tuple[str, int]:
    parsed = decode_message(answer)
    return parsed.fn_serial, parsed.container.fd_number


def assert_store_consistent(path: Path, expected_messages: list[bytes]) -> None:
    """Check that the index reads, numbers arrivals 1..n and that each file contains the message as sent."""
    records = read_store(path)
    assert [record.sequence for record in records] == list(range(1, len(records) + 1))
    stored = [(path / MESSAGES_DIR / record.file).read_bytes() for record in records]
    assert sorted(stored) == sorted(expected_messages)
    leftovers = [name for name in os.listdir(path / MESSAGES_DIR) if name.startswith(".")]
    assert leftovers == []
    assert len(os.listdir(path / MESSAGES_DIR)) == len(records)


# --- slow and idle clients -----------------------------------------------------------------------


def test_idle_connections_do_not_block_registers(tmp_path):
    message, = fn_messages(tmp_path, 1)

    async def scenario():
        server = MockOfd()
        address = await server.start()
        idle = []
        try:
            for number in range(60):
                reader, writer = await asyncio.open_connection(*address)
                # Some send nothing, some stop inside the header, some inside the body.
                writer.write(message[:number % 3 * 20])
                idle.append(writer)
            answer = await asyncio.wait_for(send_message(address, message), GUARD)
            assert answer is not None
            assert ticket_fd(answer) == ("9999078900000100", 1)
            assert server.open_connections >= 60
        finally:
            for writer in idle:
                writer.close()
            await server.stop()
        assert server.open_connections == 0
        assert [record.result for record in server.documents()] == [Result.ACCEPTED]

    asyncio.run(scenario())


def test_hundreds_of_registers_at_once(tmp_path):
    messages = fn_messages(tmp_path, 4)
    sent = [messages[number % 4] for number in range(200)]
    store_path = tmp_path / "store"

    async def scenario():
        server = MockOfd(store=DirectoryStore(store_path, sync=False))
        address = await server.start()
        try:
            answers = await asyncio.wait_for(asyncio.gather(*(send_message(address, item) for item in sent)), GUARD)
        finally:
            await server.stop()
        for message, answer in zip(sent, answers):
            assert answer is not None
            assert ticket_fd(answer) == (decode_message(message).fn_serial, 1)

    asyncio.run(scenario())
    assert_store_consistent(store_path, sent)
    assert {record.result for record in read_store(store_path)} == {Result.ACCEPTED}


# --- a failing store -----------------------------------------------------------------------------


def test_short_index_write_leaves_store_readable(tmp_path, monkeypatch):
    first, second = fn_messages(tmp_path, 2)
    store = DirectoryStore(tmp_path / "store", sync=False)
    received_at = dt.datetime(2024, 3, 1, 6, 0, 0)
    store.add(parse_message(first), result=Result.ACCEPTED, code=0, received_at=received_at, peer="a")
    real_write = os.write

    def half_write(descriptor, data):
        # A file system that runs out of space in the middle of the line.
        return real_write(descriptor, data[:len(data) // 2])

    monkeypatch.setattr(store_module.os, "write", half_write)
    with pytest.raises(StoreError):
        store.add(parse_message(second), result=Result.ACCEPTED, code=0, received_at=received_at, peer="b")
    monkeypatch.setattr(store_module.os, "write", real_write)

    store.add(parse_message(second), result=Result.ACCEPTED, code=0, received_at=received_at, peer="b")
    store.close()
    assert_store_consistent(tmp_path / "store", [first, second])
    reopened = DirectoryStore(tmp_path / "store")
    assert [record.peer for record in reopened.documents()] == ["a", "b"]
    reopened.close()


def test_unwritable_store_sends_no_ticket(tmp_path, monkeypatch):
    refused, message = fn_messages(tmp_path, 2)
    store_path = tmp_path / "store"

    def refuse(source, target):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    async def scenario():
        server = MockOfd(store=DirectoryStore(store_path, sync=False))
        address = await server.start()
        try:
            monkeypatch.setattr(store_module.os, "replace", refuse)
            assert await asyncio.wait_for(send_message(address, refused), GUARD) is None
            monkeypatch.undo()
            answer = await asyncio.wait_for(send_message(address, message), GUARD)
            assert answer is not None
        finally:
            await server.stop()

    asyncio.run(scenario())
    assert_store_consistent(store_path, [message])


def test_second_server_on_store_refused(tmp_path):
    message, = fn_messages(tmp_path, 1)
    store_path = tmp_path / "store"

    async def scenario():
        server = MockOfd(store=DirectoryStore(store_path, sync=False))
        address = await server.start()
        try:
            with pytest.raises(StoreLockedError):
                DirectoryStore(store_path)
            assert await asyncio.wait_for(send_message(address, message), GUARD) is not None
        finally:
            await server.stop()

    asyncio.run(scenario())
    assert_store_consistent(store_path, [message])


# --- a damaged index -------------------------------------------------------------------------------


def valid_line(**changes) -> dict:
    line = {"sequence": 1, "fn_serial": "9999078900000100", "fd_number": 1, "form": 1, "document_time": None,
            "fiscal_sign": None, "result": "accepted", "code": 0, "received_at": "2024-03-01T06:00:00",
            "peer": "127.0.0.1:5000", "file": "00000001-9999078900000100-1.bin", "detail": ""}
    line.update(changes)
    return line


DAMAGED_INDEXES = {
    "deep nesting": "[" * 100_000 + "]" * 100_000 + "\n",
    "lone surrogate in serial": json.dumps(valid_line(fn_serial="\ud800")) + "\n",
    "lone surrogate in peer": json.dumps(valid_line(peer="\udfff x")) + "\n",
}


@pytest.mark.parametrize("content", DAMAGED_INDEXES.values(), ids=DAMAGED_INDEXES.keys())
def test_damaged_index_read_as_store_error(tmp_path, content):
    (tmp_path / INDEX_NAME).write_text(content, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(StoreError):
        read_store(tmp_path)
    with pytest.raises(StoreError):
        DirectoryStore(tmp_path)


@pytest.mark.parametrize("content", DAMAGED_INDEXES.values(), ids=DAMAGED_INDEXES.keys())
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_documents_command_on_damaged_index(tmp_path, content, as_json):
    (tmp_path / INDEX_NAME).write_text(content, encoding="utf-8", errors="surrogatepass")
    arguments = ["ofd", "documents", "--store", str(tmp_path)] + (["--json"] if as_json else [])
    result = CliRunner().invoke(cli_main, arguments)
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, (RecursionError, UnicodeError))
    assert str(tmp_path) in result.output


def finishes(function, *arguments) -> BaseException | None:
    """Run ``function(*arguments)`` in a thread; return what it raised (None if nothing), failing on a hang."""
    outcome: list[BaseException | None] = []

    def target():
        try:
            function(*arguments)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(GUARD)
    assert outcome, f"{function.__name__} did not return"
    return outcome[0]


def make_fifo_index(directory: Path) -> None:
    os.mkfifo(directory / INDEX_NAME)


def make_device_index(directory: Path) -> None:
    (directory / INDEX_NAME).symlink_to("/dev/zero")


@pytest.mark.parametrize("make_index", [make_fifo_index, make_device_index], ids=["fifo", "device"])
def test_index_not_regular_file_rejected(tmp_path, make_index):
    make_index(tmp_path)
    assert isinstance(finishes(read_store, tmp_path), StoreError)
    assert isinstance(finishes(DirectoryStore, tmp_path), StoreError)

    result = CliRunner().invoke(cli_main, ["ofd", "documents", "--store", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "not a regular file" in result.output


def test_unordered_index_overwrites_no_message(tmp_path):
    first, = fn_messages(tmp_path, 1)
    store_path = tmp_path / "store"
    received_at = dt.datetime(2024, 3, 1, 6, 0, 0)
    store = DirectoryStore(store_path, sync=False)
    store.add(parse_message(first), result=Result.ACCEPTED, code=0, received_at=received_at, peer="a")
    store.add(parse_message(first), result=Result.ACCEPTED, code=0, received_at=received_at, peer="b")
    store.close()
    # Someone swaps the two lines of the index by hand.
    index = store_path / INDEX_NAME
    lines = index.read_bytes().splitlines(keepends=True)
    index.write_bytes(lines[1] + lines[0])
    stored_files = {name: (store_path / MESSAGES_DIR / name).read_bytes()
                    for name in os.listdir(store_path / MESSAGES_DIR)}

    store = DirectoryStore(store_path, sync=False)
    record = store.add(parse_message(first), result=Result.ACCEPTED, code=0, received_at=received_at, peer="c")
    store.close()
    assert record.sequence == 3
    for name, data in stored_files.items():
        assert (store_path / MESSAGES_DIR / name).read_bytes() == data


async def until(condition) -> None:
    """Wait (guarded) until ``condition()`` is true, checking between short sleeps."""
    async def check() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(check(), GUARD)


def test_client_reading_no_tickets_is_cut_off(tmp_path):
    message, = fn_messages(tmp_path, 1)

    async def scenario():
        server = MockOfd(idle_timeout=0.5)
        address = await server.start()
        # Accepted sockets inherit the listening socket's small send buffer, so unread квитанции pile up soon.
        server._server.sockets[0].setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(address)
        client.setblocking(False)
        _reader, writer = await asyncio.open_connection(sock=client, limit=1024)
        try:
            writer.write(message * 3000)
            await until(lambda: server.messages_read > 0)
            answer = await asyncio.wait_for(send_message(address, message), GUARD)
            assert answer is not None
            await until(lambda: server.open_connections == 0)
        finally:
            writer.transport.abort()
            await server.stop()

    asyncio.run(scenario())


def test_hundreds_of_linked_registers(tmp_path):
    store_path = tmp_path / "store"
    registers = [Emulator(tmp_path / f"fn{number}.bin", clock=Clock(START, frozen=True),
                          fn_serial=f"99990789{number + 200:08d}") for number in range(150)]

    async def never(seconds: float) -> None:
        await asyncio.Event().wait()

    async def scenario():
        server = MockOfd(store=DirectoryStore(store_path, sync=False))
        host, port = await server.start()
        links = [link_emulator(register, host, port, settings=OfdLinkSettings(), sleep=never)
                 for register in registers]
        confirmed = [link.wait_attempt(lambda attempt: attempt.outcome is Outcome.CONFIRMED) for link in links]
        for link in links:
            link.start()
        try:
            return await asyncio.wait_for(asyncio.gather(*confirmed), GUARD)
        finally:
            for link in links:
                await link.close()
            await server.stop()

    try:
        attempts = asyncio.run(scenario())
        assert {attempt.fd_number for attempt in attempts} == {1}
        for register in registers:
            with register.lock:
                assert FnClient(register.storage).unconfirmed_count() == 0
        messages = [register.storage.message_for_ofd(1) for register in registers]
    finally:
        for register in registers:
            register.close()
    assert_store_consistent(store_path, messages)
    assert {record.result for record in read_store(store_path)} == {Result.ACCEPTED}
