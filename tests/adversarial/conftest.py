"""Fixtures for the adversarial tests: a real emulator, raw clients and state snapshots.

The tests attack the whole stack (transport, link layer, dialect, register, ФН
archive) with bad frames, odd clients and faults. They drive it with raw bytes,
never through a driver, and judge it by what a host sees (ACK, NAK, answer
frames) and by what the ФН archive file contains afterwards.

With ``--import-mode=importlib`` test modules cannot import each other or this
file, so the helpers reach the tests through fixtures.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.transports import MemoryPort, TransportThread
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import ACK, FILLER, AnswerFrame, ControlByte, HostLink, encode_frame

START = dt.datetime(2024, 3, 1, 9, 0, 0)
ADMIN = 30
CASHIER = 1
RECEIPT_FORM = 3
_FILLER_EVENT = ControlByte(FILLER)


@dataclass(frozen=True)
class Snapshot:
    """What a refused command must leave as it was.

    ``archive`` is the ФН file, byte for byte. ``short_status`` is the 10h answer
    (mode, submode, operations in the open receipt). ``fn_status`` is the FF01h
    answer (ФН phase, open document, shift, last ФД number).
    """

    archive: bytes
    short_status: bytes
    fn_status: bytes


class Kkt:
    """One emulated register on a ФН file under ``tmp_path``, with a frozen clock.

    ``execute`` runs a command body directly, bypassing every transport. When a
    ``TransportThread`` serves the register, ``execute`` goes through its
    serialized handler so that the test thread never runs a command at the same
    time as the event loop.
    """

    def __init__(self, fn_path: Path) -> None:
        self.fn_path = fn_path
        self.clock = Clock(START, frozen=True)
        self.emulator = Emulator(fn_path, clock=self.clock)
        self.execute: Callable[[bytes], bytes] = self.emulator.execute

    def snapshot(self) -> Snapshot:
        """Read the archive file and both status answers."""
        return Snapshot(
            archive=self.fn_path.read_bytes(),
            short_status=self.execute(c.ShortStatusRequest(ADMIN).encode()),
            fn_status=self.execute(c.FnStatusRequest(ADMIN).encode()),
        )

    def mode(self) -> int:
        """Return the mode byte of the 10h answer."""
        return c.ShortStatusAnswer.decode(self.execute(c.ShortStatusRequest(ADMIN).encode())).mode

    def documents(self) -> list:
        """Return the archived documents, checking that the file parses without a torn tail."""
        contents = read_archive(self.fn_path)
        assert contents.torn_tail_bytes == 0
        return contents.documents

    def receipts(self) -> list:
        """Return the archived receipts (form 3)."""
        return [document for document in self.documents() if document.form == RECEIPT_FORM]

    def assert_archive_valid(self) -> None:
        """Check numbering 1..N and every fiscal sign of the archive."""
        assert_archive_valid(self.fn_path)


def assert_archive_valid(fn_path: Path) -> list:
    """Check that ``fn_path`` parses, is numbered 1..N and every fiscal sign verifies."""
    contents = read_archive(fn_path)
    assert contents.torn_tail_bytes == 0
    numbers = [document.fd_number for document in contents.documents]
    assert numbers == list(range(1, len(numbers) + 1))
    key = derive_fn_key(DEFAULT_MASTER_KEY, contents.header.serial)
    for document in contents.documents:
        assert verify_document(key, document.stlv), f"ФД {document.fd_number}"
    return contents.documents


class MemoryHost:
    """A host on a ``MemoryPort``: raw writes, decoded reads, and a full exchange."""

    def __init__(self, port: MemoryPort) -> None:
        self.port = port

    def send(self, data: bytes) -> bytes:
        """Write ``data`` and return every byte the device sent back."""
        self.port.write(data)
        return self.port.read_all()

    def wait_past_byte_timeout(self) -> bytes:
        """Act as a host that stays silent longer than the byte timeout; return the reply."""
        return self.port.read(1024)

    def command(self, body: bytes) -> bytes:
        """Send a frame, check ACK and one answer frame, ACK it, return the answer body."""
        events = HostLink().receive_data(self.send(encode_frame(body)))
        assert len(events) == 2, events
        assert events[0] == ControlByte(ACK)
        assert isinstance(events[1], AnswerFrame)
        assert self.send(bytes((ACK,))) == b""
        return events[1].body


class TcpHost:
    """A blocking TCP client that decodes the device stream with ``HostLink``.

    It drops the 0xFF filler that network registers send after the host's ACK,
    so the tests work whether the profile enables it or not.
    """

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.decoder = HostLink()
        self.events: list = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def expect(self, count: int) -> list:
        """Read until ``count`` events are decoded; return exactly those."""
        while len(self.events) < count:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError(f"the emulator closed the connection after {self.events}")
            self.events += [event for event in self.decoder.receive_data(data) if event != _FILLER_EVENT]
        result, self.events = self.events[:count], self.events[count:]
        return result

    def command(self, body: bytes) -> bytes:
        """Send a frame, check ACK, ACK the answer and return its body."""
        self.send(encode_frame(body))
        ack, answer = self.expect(2)
        assert ack == ControlByte(ACK)
        assert isinstance(answer, AnswerFrame), answer
        self.send(bytes((ACK,)))
        return answer.body

    def close(self) -> None:
        self.sock.close()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` every 10 ms until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def kkt(tmp_path) -> Iterator[Kkt]:
    register = Kkt(tmp_path / "fn.bin")
    yield register
    register.emulator.close()


@pytest.fixture
def host(kkt) -> MemoryHost:
    return MemoryHost(MemoryPort(kkt.emulator.execute))


@pytest.fixture
def served(kkt) -> Iterator[tuple[Kkt, TransportThread]]:
    """The register served by a ``TransportThread``; ``kkt.execute`` shares its lock."""
    with TransportThread(kkt.emulator.execute) as thread:
        kkt.execute = thread.handler
        yield kkt, thread


@pytest.fixture
def tcp_host_factory(served) -> Iterator[Callable[..., TcpHost]]:
    """Return ``connect(**server_options)``: a TCP client of a server started for it."""
    _kkt, thread = served
    clients: list[TcpHost] = []

    def connect(server=None, **options) -> TcpHost:
        server = server or thread.serve_tcp(**options)
        client = TcpHost(server.port)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def helpers():
    """The module-level helpers of this conftest, for tests that need them."""
    return _Helpers


class _Helpers:
    assert_archive_valid = staticmethod(assert_archive_valid)
    wait_until = staticmethod(wait_until)
    TcpHost = TcpHost
    MemoryHost = MemoryHost
