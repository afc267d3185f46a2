"""``kktemu fn serve`` and ``fn inspect`` under bad frames, odd clients and files that are no archive.

The ФН served over TCP is the one the emulated register registered (ФД 1), so
a command that slips through would change a real archive. A bad frame must
never run, the server must keep serving, and the archive file must keep every
byte. The CLI runs in a child process where a wrong answer would be a hang
(a FIFO opened for reading) or unbounded memory (reading /dev/zero): the
child gets an address space limit and the run a timeout.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kktemu.emulator.transports import TransportThread
from kktemu.emulator.transports.fn_session import FN_PROTOCOL_NAME, FnEndpoint
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.documents import BeginOpenShiftRequest
from kktemu.protocol.fn.frame import ENQ, FnFrame, FnFrameDecoder, encode_frame
from kktemu.protocol.fn.service import StatusAnswer

KKTEMU = Path(sys.executable).with_name("kktemu")
BYTE_TIMEOUT = 0.05  # seconds of a quiet line; short, so the 01h answer to a bad frame comes soon
IO_TIMEOUT = 10.0  # a bound for a loaded machine, not a performance claim
CHILD_MEMORY_LIMIT = 1 << 30
ANSWER_01H = encode_frame(0x01)
SERIAL_REQUEST = encode_frame(C.GET_SERIAL)


def _unused_handler(body: bytes) -> bytes:
    raise AssertionError("the Штрих-М handler must not run on a ФН transport")


class Client:
    """A register's ФН driver on TCP that reads whole answer frames."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        self.decoder = FnFrameDecoder()
        self.frames: list[FnFrame] = []

    def answer(self) -> bytes:
        """Return the next answer frame's bytes."""
        while not self.frames:
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError("the ФН closed the connection")
            self.frames += self.decoder.receive_data(data)
        frame = self.frames.pop(0)
        return encode_frame(frame.code, frame.data)

    def exchange(self, request: bytes) -> bytes:
        self.sock.sendall(request)
        return self.answer()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def served(kkt) -> Iterator[tuple[int, FnEndpoint]]:
    """The registered ФН of ``kkt`` served alone on TCP: (port, endpoint)."""
    storage = kkt.emulator.storage
    endpoint = FnEndpoint(storage.execute)
    with TransportThread(_unused_handler) as thread:
        server = thread.serve_tcp(session_factory=endpoint.new_session, byte_timeout=BYTE_TIMEOUT,
                                  protocol_name=FN_PROTOCOL_NAME)
        yield server.port, endpoint


def _status(client: Client) -> StatusAnswer:
    answer = client.exchange(encode_frame(C.GET_STATUS))
    assert answer[3] & 0x7F == 0x00
    return StatusAnswer.decode(answer[4:-2])


def test_garbled_document_frames_never_run(served, kkt):
    port, endpoint = served
    client = Client(port)
    before = kkt.fn_path.read_bytes()
    begin = encode_frame(C.BEGIN_OPEN_SHIFT, BeginOpenShiftRequest(kkt.clock.now()).encode())
    assert client.exchange(begin)[3] & 0x7F == 0x00
    garbled_form = bytearray(encode_frame(C.OPEN_SHIFT))
    garbled_form[-1] ^= 0x40
    # The good 12h right behind the bad frame arrives before the line is quiet, so it is dropped too.
    assert client.exchange(bytes(garbled_form) + encode_frame(C.OPEN_SHIFT)) == ANSWER_01H
    assert kkt.fn_path.read_bytes() == before
    status = _status(client)
    assert status.last_fd_number == 1
    assert status.current_document == 0x02  # the open shift report is still open
    client.close()


def test_vanished_client_frame_never_runs(served, kkt):
    port, endpoint = served
    before = kkt.fn_path.read_bytes()
    leaving = Client(port)
    leaving.sock.sendall(encode_frame(C.BEGIN_OPEN_SHIFT, BeginOpenShiftRequest(kkt.clock.now()).encode())[:-1])
    waiting = Client(port)
    waiting.sock.sendall(SERIAL_REQUEST)
    leaving.close()
    assert waiting.answer() == encode_frame(0x00, kkt.emulator.fn_serial.encode())
    assert endpoint.commands_executed == 1
    assert _status(waiting).current_document == 0
    assert kkt.fn_path.read_bytes() == before
    waiting.close()


@pytest.mark.parametrize("noise", [
    b"\x04\x00\x00",  # LEN 0
    b"\x04\x02\x04" + bytes(2000),  # LEN 1026
    b"\x04\xff\xff" + bytes(70000),  # LEN FFFFh and far more bytes than a frame
], ids=["LEN 0", "LEN 1026", "LEN FFFFh"])
def test_impossible_length_then_serves(served, kkt, noise):
    port, endpoint = served
    client = Client(port)
    before = kkt.fn_path.read_bytes()
    assert client.exchange(noise + SERIAL_REQUEST) == ANSWER_01H
    assert endpoint.commands_executed == 0
    assert client.exchange(SERIAL_REQUEST) == encode_frame(0x00, kkt.emulator.fn_serial.encode())
    assert kkt.fn_path.read_bytes() == before
    client.close()


def test_enq_storm_without_reading(served, kkt):
    port, endpoint = served
    storm = Client(port)
    first = storm.exchange(SERIAL_REQUEST)
    storm.sock.sendall(bytes((ENQ,)) * 100_000)
    storm.close()
    client = Client(port)
    assert client.exchange(bytes((ENQ,))) == first
    assert client.exchange(SERIAL_REQUEST) == first
    assert endpoint.commands_executed == 2
    client.close()


# --- files that are no archive ---------------------------------------------------------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_LIMIT, CHILD_MEMORY_LIMIT))


def _kktemu(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess:
    assert KKTEMU.exists(), f"console script {KKTEMU} is missing; install the package with pip -e"
    environment = {key: value for key, value in os.environ.items() if key not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run([str(KKTEMU), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          env=environment, timeout=IO_TIMEOUT, preexec_fn=_limit_memory)


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", [("fn", "inspect"), ("fn", "serve", "--port", "0", "--fn-file")],
                         ids=["inspect", "serve"])
@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_special_file_refused(command, special, fifo):
    path = fifo if special == "fifo" else Path(special)
    result = _kktemu(*command, path)
    assert result.returncode == 1, result.stderr
    assert "is not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_damaged_last_record(kkt):
    kkt.emulator.close()
    damaged = bytearray(kkt.fn_path.read_bytes())
    damaged[-20] ^= 0x01
    kkt.fn_path.write_bytes(bytes(damaged))
    result = _kktemu("fn", "serve", "--port", "0", "--fn-file", kkt.fn_path)
    assert result.returncode == 1, result.stdout
    assert "damaged" in result.stderr
    assert kkt.fn_path.read_bytes() == bytes(damaged)
