"""The TCP server's client policy: one client at a time, reconnects, and real client flows.

Waits poll for an outcome with a deadline; no test asserts how long anything took.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time

import pyshtrih
import pytest
import serial

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.transports import TransportThread
from kktemu.protocol.shtrih.frame import AnswerFrame, ControlByte, HostLink, encode_frame, lrc

ENQ, ACK, NAK = b"\x05", b"\x06", b"\x15"
FC_REQUEST = bytes.fromhex("02 01 FC FD")
BEEP_BODY = bytes.fromhex("13 01 00 00 00")


class EchoHandler:
    """Answer ``CMD 00 DATA`` (the request data echoed) and record every body executed."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> bytes:
        with self._lock:
            self.calls.append(body)
        return body[:1] + b"\x00" + body[1:]


class RawClient:
    """A blocking socket client that decodes the device stream with ``HostLink``."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.decoder = HostLink()
        self.events: list = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def expect(self, count: int) -> list:
        while len(self.events) < count:
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError(f"the emulator closed the connection after {self.events}")
            self.events += self.decoder.receive_data(data)
        result, self.events = self.events[:count], self.events[count:]
        return result

    def close(self) -> None:
        self.sock.close()


def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def handler():
    return EchoHandler()


@pytest.fixture
def emulator(handler):
    with TransportThread(handler) as thread:
        yield thread


def beep(index: int) -> bytes:
    """A 13h body whose password field carries ``index``, so every command is distinct."""
    return b"\x13" + index.to_bytes(4, "little")


def test_second_client_waits_for_first(emulator, handler):
    server = emulator.serve_tcp()
    first = RawClient(server.port)
    second = RawClient(server.port)
    try:
        first.send(ENQ)
        assert first.expect(1) == [ControlByte(0x15)]
        second.send(FC_REQUEST)
        assert wait_until(lambda: len(server.waiting) == 1)
        first.send(encode_frame(BEEP_BODY))
        assert first.expect(2)[0] == ControlByte(0x06)
        assert handler.calls == [BEEP_BODY]

        first.close()
        assert second.expect(2) == [ControlByte(0x06), AnswerFrame(b"\xfc\x00", encode_frame(b"\xfc\x00"))]
    finally:
        second.close()
    assert handler.calls == [BEEP_BODY, b"\xfc"]


def test_pending_answer_not_passed_on(emulator, handler, caplog):
    caplog.set_level(logging.INFO, logger="kktemu")
    server = emulator.serve_tcp()
    first = RawClient(server.port)
    first.send(FC_REQUEST)
    first.expect(2)
    second = RawClient(server.port)
    try:
        second.send(ENQ)
        first.close()
        # The second client's ENQ gets NAK: the first client's answer stays with it.
        assert second.expect(1) == [ControlByte(0x15)]
    finally:
        second.close()
    assert handler.calls == [b"\xfc"]
    messages = [record.getMessage() for record in caplog.records]
    assert any("dropped the unacknowledged answer 02 02 fc 00 fe" in message for message in messages)


def test_waiting_client_that_left_still_executes(emulator, handler):
    server = emulator.serve_tcp()
    first = RawClient(server.port)
    first.send(ENQ)
    first.expect(1)
    leaving = RawClient(server.port)
    leaving.send(encode_frame(beep(7)))
    assert wait_until(lambda: len(server.waiting) == 1)
    leaving.close()
    assert handler.calls == []

    first.close()
    assert wait_until(lambda: not server.connections)
    assert handler.calls == [beep(7)]


def test_clients_beyond_max_waiting_stay_in_backlog(emulator, handler):
    server = emulator.serve_tcp(max_waiting=1)
    first = RawClient(server.port)
    second = RawClient(server.port)
    third = RawClient(server.port)
    try:
        first.send(ENQ)
        first.expect(1)
        second.send(encode_frame(beep(2)))
        third.send(encode_frame(beep(3)))
        assert wait_until(lambda: len(server.waiting) == 1)
        # The third client is in the kernel's listen backlog, not accepted yet.
        assert len(server.connections) == 2

        first.close()
        assert second.expect(2)[1].body == b"\x13\x00" + beep(2)[1:]
        second.close()
        assert third.expect(2)[1].body == b"\x13\x00" + beep(3)[1:]
    finally:
        third.close()
    assert handler.calls == [beep(2), beep(3)]


def test_rapid_reconnects_execute_each_command_once(emulator, handler):
    # A connection per command, the next one dialled as soon as the previous closes.
    server = emulator.serve_tcp()
    bodies = [beep(index) for index in range(60)]
    for body in bodies:
        client = RawClient(server.port)
        client.send(ENQ)
        assert client.expect(1) == [ControlByte(0x15)]
        client.send(encode_frame(body))
        assert client.expect(2)[1].body == body[:1] + b"\x00" + body[1:]
        client.send(ACK)
        client.close()
    assert wait_until(lambda: not server.connections)
    assert handler.calls == bodies


def test_rapid_connect_send_close(emulator, handler):
    # Clients that write a frame and close at once, reading nothing.
    server = emulator.serve_tcp()
    bodies = [beep(index) for index in range(40)]
    for body in bodies:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(encode_frame(body))
        sock.close()
    assert wait_until(lambda: len(handler.calls) == len(bodies))
    assert handler.calls == bodies


class GoDriverClient:
    """A model of how re-star-ru/shtrih-m-driver (app/kkt/transport) drives the link layer.

    Per command: ENQ, then read one control byte. ACK: read a (stale) answer, ACK it,
    start over with ENQ. NAK: send four NULs and the frame, up to 10 times until a
    byte read back is ACK, then read the answer and ACK it. Any other byte: ENQ again.
    It dials a new connection per operation.
    """

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)

    def _read(self, size: int = 1) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("the emulator closed the connection")
            data += chunk
        return data

    def _receive_answer(self) -> bytes:
        assert self._read() == b"\x02"
        length = self._read()
        body = self._read(length[0])
        assert self._read()[0] == lrc(length + body)
        self.sock.sendall(ACK)
        return body

    def send_message(self, body: bytes) -> bytes:
        frame = bytes(4) + encode_frame(body)
        for _ in range(20):
            self.sock.sendall(ENQ)
            control = self._read()
            if control == ACK:
                self._receive_answer()
                continue
            if control != NAK:
                continue
            for _ in range(10):
                self.sock.sendall(frame)
                if self._read() == ACK:
                    return self._receive_answer()
            raise AssertionError("the frame was never acknowledged")
        raise AssertionError("no NAK to 20 ENQs")

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("ff_after_ack", [True, False], ids=["0xFF on", "0xFF off"])
def test_go_driver_operations(emulator, handler, ff_after_ack):
    server = emulator.serve_tcp(ff_after_ack=ff_after_ack)
    expected = []
    for operation in range(5):
        client = GoDriverClient(server.port)
        try:
            for step in range(4):
                body = beep(operation * 10 + step)
                expected.append(body)
                assert client.send_message(body) == body[:1] + b"\x00" + body[1:]
        finally:
            client.close()
    assert wait_until(lambda: not server.connections)
    assert handler.calls == expected


@pytest.fixture
def register(tmp_path):
    clock = Clock(dt.datetime(2024, 3, 1, 9, 0, 0), frozen=True)
    with Emulator(tmp_path / "fn.bin", clock=clock) as emulator:
        yield emulator


def test_pyshtrih_survives_ff_after_ack(register):
    # pyshtrih 2.0.6 reads the 0xFF where it expects the NAK to its ENQ, drains
    # the port until its read timeout and retries: slower, but every command runs once.
    calls: list[bytes] = []

    def counting(body: bytes) -> bytes:
        calls.append(body)
        return register.execute(body)

    with TransportThread(counting) as thread:
        server = thread.serve_tcp()
        assert server.ff_after_ack
        url = f"socket://127.0.0.1:{server.port}"
        device = pyshtrih.ShtrihM01F(port=url, timeout=0.2)
        device.protocol.serial = serial.serial_for_url(url, do_not_open=True, timeout=0.2, write_timeout=1)
        device.connect()
        try:
            device.beep()
            device.beep()
        finally:
            device.disconnect()
    assert device.name == "ШТРИХ-М-01Ф"
    assert [body[0] for body in calls] == [0xFC, 0x13, 0x13]
