"""A ФН served alone over TCP and a pty: the ФН interface frames travel byte for byte.

The ФН is a real ``FiscalStorage`` behind a recorder, so each test checks both
directions: the command and data the model received, and the answer frame on
the wire against the frame of what the model returned.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest
import serial

from kktemu.emulator.transports import TransportThread
from kktemu.emulator.transports.fn_session import FN_PROTOCOL_NAME, FnEndpoint
from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.protocol.fn.frame import FnFrame, FnFrameDecoder, encode_frame

SERIAL = make_test_fn_serial(4242)
BYTE_TIMEOUT = 0.05  # seconds; short, so the 01h answer to a bad frame comes soon
IO_TIMEOUT = 5.0

# The request frames of the ФН interface test vectors, with their public sources.
VECTORS = [
    # polarikus/flipper-zero_fn_tester lib/fn/fn_tools.c, comment «FF CD для 0x30».
    pytest.param(bytes.fromhex("04 01 00 30 FF CD"), 0x30, b"", id="C2-30h-status"),
    # Derived by the same rule (CRC-16/CCITT-FALSE over LEN, CMD, DATA, little endian) for the
    # commands polarikus/flipper-zero_fn_tester sends to a real ФН: 31h, 3Ah and 60h 16h.
    pytest.param(bytes.fromhex("04 01 00 31 DE DD"), 0x31, b"", id="C3-31h-serial"),
    pytest.param(bytes.fromhex("04 01 00 3A B5 6C"), 0x3A, b"", id="C4-3Ah-ffd-version"),
    pytest.param(bytes.fromhex("04 02 00 60 16 75 10"), 0x60, b"\x16", id="C5-60h-reset"),
]


class RecordingFn:
    """A ``FiscalStorage`` whose commands and answers are recorded."""

    def __init__(self, storage: FiscalStorage) -> None:
        self.storage = storage
        self.calls: list[tuple[int, bytes, int, bytes]] = []

    def __call__(self, command: int, data: bytes) -> tuple[int, bytes]:
        code, answer = self.storage.execute(command, data)
        self.calls.append((command, data, code, answer))
        return code, answer


def _unused_handler(body: bytes) -> bytes:
    raise AssertionError("the Штрих-М handler must not run on a ФН transport")


@pytest.fixture
def fn(tmp_path) -> Iterator[RecordingFn]:
    storage = FiscalStorage.create(tmp_path / "fn.bin", SERIAL, dt.datetime.now)
    yield RecordingFn(storage)
    storage.close()


@pytest.fixture
def transports() -> Iterator[TransportThread]:
    with TransportThread(_unused_handler) as thread:
        yield thread


def _serve_tcp(transports: TransportThread, fn: RecordingFn) -> int:
    endpoint = FnEndpoint(fn)
    server = transports.serve_tcp(session_factory=endpoint.new_session, byte_timeout=BYTE_TIMEOUT,
                                  protocol_name=FN_PROTOCOL_NAME)
    return server.port


def _read_answer(receive) -> bytes:
    """Read bytes with ``receive`` until one whole answer frame has arrived; return exactly its bytes."""
    decoder = FnFrameDecoder()
    raw = bytearray()
    while True:
        data = receive()
        if not data:
            raise ConnectionError(f"the line closed after {raw.hex(' ')}")
        raw += data
        events = decoder.receive_data(data)
        if events:
            assert len(events) == 1 and isinstance(events[0], FnFrame), events
            assert decoder.pending == 0, "bytes after the answer frame"
            return bytes(raw)


def _exchange(sock: socket.socket, request: bytes) -> bytes:
    sock.sendall(request)
    return _read_answer(lambda: sock.recv(4096))


@pytest.mark.parametrize("request_frame, command, data", VECTORS)
def test_vector_over_tcp(transports, fn, request_frame, command, data):
    port = _serve_tcp(transports, fn)
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as sock:
        answer = _exchange(sock, request_frame)
    assert [call[:2] for call in fn.calls] == [(command, data)]
    _, _, code, answer_data = fn.calls[0]
    assert answer == encode_frame(code, answer_data)


def test_status_vector_answer_fields(transports, fn):
    port = _serve_tcp(transports, fn)
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as sock:
        answer = _exchange(sock, bytes.fromhex("04 01 00 30 FF CD"))
    # polarikus/flipper-zero_fn_tester lib/fn/fn_tools.c reads a 30-byte 30h answer.
    assert answer[1:3] == (31).to_bytes(2, "little")
    assert answer[3] == 0x00
    assert answer[4] == 1  # phase 1, готовность к фискализации
    assert answer[4 + 10:4 + 26] == SERIAL.encode()  # after 5 status bytes and the DATE_TIME


def test_bad_crc_over_tcp_gets_01h(transports, fn):
    port = _serve_tcp(transports, fn)
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as sock:
        assert _exchange(sock, bytes.fromhex("04 01 00 31 DE DE")) == encode_frame(0x01)
        assert _exchange(sock, bytes.fromhex("04 01 00 31 DE DD")) == encode_frame(0x00, SERIAL.encode())
    assert [call[:2] for call in fn.calls] == [(0x31, b"")]


def test_enq_after_reconnect_repeats_answer(transports, fn):
    port = _serve_tcp(transports, fn)
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as sock:
        first = _exchange(sock, bytes.fromhex("04 01 00 31 DE DD"))
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as sock:
        assert _exchange(sock, b"\x05") == first
    assert len(fn.calls) == 1


def test_vectors_over_pty(transports, fn, tmp_path):
    endpoint = FnEndpoint(fn)
    port = transports.serve_pty(str(tmp_path / "fn-tty"), session_factory=endpoint.new_session,
                                byte_timeout=BYTE_TIMEOUT, protocol_name=FN_PROTOCOL_NAME)
    with serial.Serial(port.path, baudrate=115200, timeout=IO_TIMEOUT) as line:
        line.write(bytes.fromhex("04 01 00 31 DE DD"))
        answer = _read_answer(lambda: line.read(max(1, line.in_waiting)))
        assert answer == encode_frame(0x00, SERIAL.encode())
        line.write(bytes.fromhex("04 01 00 30 FF CE"))  # wrong CRC
        assert _read_answer(lambda: line.read(max(1, line.in_waiting))) == encode_frame(0x01)
    assert [call[:2] for call in fn.calls] == [(0x31, b"")]
