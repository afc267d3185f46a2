"""The in-memory transport and the session glue shared by every transport."""

from __future__ import annotations

import logging
import threading
import time

import pyshtrih.protocol
import pytest

from kktemu.emulator.transports import LinkSession, MemoryPort, TransportThread, serialized
from kktemu.emulator.transports.session import MAX_WARNINGS_PER_SESSION, byte_count, format_hex
from kktemu.protocol.shtrih.frame import encode_frame

ENQ, ACK, NAK = b"\x05", b"\x06", b"\x15"
FC_REQUEST = bytes.fromhex("02 01 FC FD")
FC_ANSWER = encode_frame(b"\xfc\x00")
BEEP_BODY = bytes.fromhex("13 01 00 00 00")


def echo_success(body: bytes) -> bytes:
    return body[:1] + b"\x00"


class CountingHandler:
    def __init__(self) -> None:
        self.calls: list[bytes] = []

    def __call__(self, body: bytes) -> bytes:
        self.calls.append(body)
        return body[:1] + b"\x00"


def test_memory_handshake():
    port = MemoryPort(echo_success)
    port.write(ENQ)
    assert port.read(1) == NAK
    port.write(FC_REQUEST)
    assert port.in_waiting == 1 + len(FC_ANSWER)
    assert port.read(100) == ACK + FC_ANSWER
    port.write(ACK + ENQ)
    assert port.read_all() == NAK


def test_memory_read_empty_returns_nothing():
    assert MemoryPort(echo_success).read(1) == b""


def test_memory_read_expires_partial_frame():
    handler = CountingHandler()
    port = MemoryPort(handler)
    port.write(FC_REQUEST[:2])
    assert port.read(1) == NAK
    port.write(FC_REQUEST)
    assert port.read(100) == ACK + FC_ANSWER
    assert handler.calls == [b"\xfc"]


def test_memory_rejected_answer_not_reexecuted():
    handler = CountingHandler()
    port = MemoryPort(handler)
    port.write(FC_REQUEST)
    first = port.read_all()
    port.write(NAK + ENQ)
    assert port.read_all() == first
    assert handler.calls == [b"\xfc"]


def test_memory_ff_after_ack():
    port = MemoryPort(echo_success, ff_after_ack=True)
    port.write(FC_REQUEST)
    port.read_all()
    port.write(ACK)
    assert port.read_all() == b"\xff"


def test_pyshtrih_over_memory_port():
    handler = CountingHandler()
    protocol = pyshtrih.protocol.Protocol("memory", 115200, 1)
    protocol.serial = MemoryPort(handler)
    protocol.connect()
    response = protocol.command(0x13, 1)
    assert response.cmd == 0x13
    assert handler.calls == [BEEP_BODY]
    # pyshtrih ACKed the answer, so the link is idle again.
    protocol.serial.write(ENQ)
    assert protocol.serial.read(1) == NAK


def test_session_joins_ack_and_answer():
    session = LinkSession(echo_success, "test")
    assert session.feed(ENQ + FC_REQUEST) == NAK + ACK + FC_ANSWER
    assert session.commands_executed == 1


def test_session_runs_merged_commands_in_order():
    handler = CountingHandler()
    session = LinkSession(handler, "test")
    beep = encode_frame(BEEP_BODY)
    output = session.feed(FC_REQUEST + ACK + beep + ACK + ENQ)
    assert output == ACK + FC_ANSWER + ACK + encode_frame(b"\x13\x00") + NAK
    assert handler.calls == [b"\xfc", BEEP_BODY]


def test_session_handler_failure_logged_without_answer(caplog):
    def failing(body: bytes) -> bytes:
        raise RuntimeError("register bug")

    session = LinkSession(failing, "test")
    assert session.feed(FC_REQUEST + ENQ) == ACK + NAK
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert session.commands_executed == 0


@pytest.mark.parametrize("answer", [b"", bytes(256)])
def test_session_invalid_answer_body_not_sent(answer, caplog):
    session = LinkSession(lambda body: answer, "test")
    assert session.feed(FC_REQUEST + ENQ) == ACK + NAK
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_session_garbage_warning_has_hex(caplog):
    session = LinkSession(echo_success, "peer-1")
    session.feed(b"\x00\x00\x00\x00" + ENQ)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == ["skipped bytes outside a frame from peer-1: 00 00 00 00"]


def test_session_bad_lrc_warning_and_nak(caplog):
    session = LinkSession(echo_success, "peer-1")
    assert session.feed(FC_REQUEST[:-1] + b"\x00") == NAK
    assert any("wrong LRC" in record.getMessage() for record in caplog.records)


def test_session_warnings_rate_limited(caplog):
    session = LinkSession(echo_success, "peer-1")
    for _ in range(MAX_WARNINGS_PER_SESSION + 10):
        session.feed(b"\xff" + ENQ)
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == MAX_WARNINGS_PER_SESSION + 1
    assert session.anomalies == MAX_WARNINGS_PER_SESSION + 10


@pytest.mark.parametrize(("count", "text"), [(0, "0 bytes"), (1, "1 byte"), (2, "2 bytes"), (21, "21 bytes")])
def test_byte_count_noun(count, text):
    assert byte_count(count) == text


def test_format_hex_cuts_long_data():
    assert format_hex(b"\x01\x02") == "01 02"
    assert format_hex(bytes(100), limit=2) == "00 00 ... (100 bytes)"


def test_serialized_handler_never_overlaps():
    active = 0
    overlaps = 0
    guard = threading.Lock()

    def slow(body: bytes) -> bytes:
        nonlocal active, overlaps
        with guard:
            active += 1
            overlaps += active > 1
        time.sleep(0.001)  # releases the GIL, so unserialized calls would overlap here
        with guard:
            active -= 1
        return body[:1] + b"\x00"

    handler = serialized(slow)
    threads = [threading.Thread(target=lambda: [handler(b"\x10") for _ in range(20)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == 0


def test_transport_thread_memory_port_shares_handler():
    handler = CountingHandler()
    with TransportThread(handler) as thread:
        port = thread.open_memory()
        port.write(FC_REQUEST)
        assert port.read_all() == ACK + FC_ANSWER
    assert handler.calls == [b"\xfc"]
