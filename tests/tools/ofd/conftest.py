"""Fixtures for the mock ОФД tests: a kktemu ФН with documents, and ``kit``, the helpers as one object.

The ФН is made by an in-process emulator (ФД 1 is its registration report), so
its messages carry signs the mock can verify with the default master key.
pytest's importlib mode cannot import this file by name, so the helpers reach
the tests through the ``kit`` fixture.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.fn.exchange import OfdMessageLengthAnswer, ReadOfdBlockRequest
from kktemu.protocol.ofd.session import SESSION_HEADER_SIZE, SessionHeader
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 30)
PASSWORD = 30
# A bound for a loaded machine so a broken server fails the test instead of hanging it; not a timing claim.
IO_TIMEOUT = 10.0
T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run the coroutine function ``scenario`` in a new event loop."""
    return asyncio.run(asyncio.wait_for(scenario(), 4 * IO_TIMEOUT))


def make_fn(path: Path, number: int, shift: bool = False) -> Emulator:
    """Return an emulator with a new ФН (serial ``make_test_fn_serial(number)``) at ``path``.

    ФД 1 is the registration report; ``shift`` also opens a shift (ФД 2).
    """
    emulator = Emulator(path, clock=Clock(START, frozen=True), fn_serial=make_test_fn_serial(number))
    if shift:
        answer = emulator.execute(c.OpenShiftRequest(PASSWORD).encode())
        assert answer[1] == 0, f"open shift refused with error {answer[1]:#04x}"
    return emulator


@pytest.fixture
def fn_emulator(tmp_path: Path):
    """An emulator with a new ФН 9999078900000001: ФД 1 (registration) and ФД 2 (open shift) wait for the ОФД."""
    emulator = make_fn(tmp_path / "fn.bin", 1, shift=True)
    yield emulator
    emulator.close()


def call(storage: FiscalStorage, command: FnCommand, data: bytes = b"") -> bytes:
    """Execute a ФН command and fail the test unless it succeeds."""
    result, answer = storage.execute(command, data)
    assert result == FnResult.OK, f"ФН command {command.name} refused with {result!r}"
    return answer


def read_fn_message(storage: FiscalStorage) -> bytes:
    """Read the ФН's message for the ОФД as a register does: 21h(1), 22h, 23h blocks, 25h."""
    call(storage, FnCommand.SET_TRANSPORT_STATUS, b"\x01")
    length = OfdMessageLengthAnswer.decode(call(storage, FnCommand.BEGIN_OFD_MESSAGE_READ)).length
    message = b""
    while len(message) < length:
        message += call(storage, FnCommand.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(len(message), 512).encode())
    call(storage, FnCommand.FINISH_OFD_MESSAGE_READ)
    return message


async def read_answer(reader: asyncio.StreamReader) -> bytes:
    """Read one answer (session header and body); return b"" when the server closes first.

    Returns the partial bytes when the connection closes inside an answer.
    """
    try:
        header = await asyncio.wait_for(reader.readexactly(SESSION_HEADER_SIZE), IO_TIMEOUT)
    except asyncio.IncompleteReadError as exc:
        return exc.partial
    length = SessionHeader.decode(header).body_length
    try:
        return header + await asyncio.wait_for(reader.readexactly(length), IO_TIMEOUT)
    except asyncio.IncompleteReadError as exc:
        return header + exc.partial


async def exchange(address: tuple[str, int], data: bytes) -> bytes:
    """Connect, send ``data``, read one answer as ``read_answer`` does, close."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(data)
        await writer.drain()
        return await read_answer(reader)
    finally:
        writer.close()
        await writer.wait_closed()


async def closed_without_answer(reader: asyncio.StreamReader) -> bool:
    """Tell whether the server closes the connection without sending a byte."""
    return await asyncio.wait_for(reader.read(1), IO_TIMEOUT) == b""


class Kit:
    """The helpers above, for tests: ``kit.run``, ``kit.exchange``, ``kit.read_fn_message`` ..."""

    IO_TIMEOUT = IO_TIMEOUT
    START = START
    run = staticmethod(run)
    make_fn = staticmethod(make_fn)
    call = staticmethod(call)
    read_fn_message = staticmethod(read_fn_message)
    read_answer = staticmethod(read_answer)
    exchange = staticmethod(exchange)
    closed_without_answer = staticmethod(closed_without_answer)


@pytest.fixture
def kit() -> type[Kit]:
    """The test helpers of this folder."""
    return Kit
