"""The TCP transport over real loopback sockets, with the emulator in a background thread.

Network registers send 0xFF after the host's ACK of an answer, and the TCP server
does so by default; the tests expect that byte where it appears.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import threading

import pytest

from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.emulator.transports import TcpServer, TransportThread, serve_tcp
from kktemu.protocol.shtrih.frame import AnswerFrame, ControlByte, HostLink, encode_frame

ENQ, ACK, NAK = b"\x05", b"\x06", b"\x15"
FC_REQUEST = bytes.fromhex("02 01 FC FD")
BEEP_REQUEST = encode_frame(bytes.fromhex("13 01 00 00 00"))


class CountingHandler:
    """Return ``CMD 00`` (success, no data) and record every command body executed."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> bytes:
        with self._lock:
            self.calls.append(body)
        return body[:1] + b"\x00"


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
        """Read until ``count`` events are decoded; return exactly those."""
        while len(self.events) < count:
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError("the emulator closed the connection")
            self.events += self.decoder.receive_data(data)
        result, self.events = self.events[:count], self.events[count:]
        return result

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def handler():
    return CountingHandler()


@pytest.fixture
def emulator(handler):
    with TransportThread(handler) as thread:
        yield thread


@pytest.fixture
def client(emulator):
    server = emulator.serve_tcp()
    raw = RawClient(server.port)
    yield raw
    raw.close()


def test_enquiry_when_idle_gets_nak(client):
    client.send(ENQ)
    assert client.expect(1) == [ControlByte(0x15)]


def test_handshake_executes_command(client, handler):
    client.send(ENQ)
    assert client.expect(1) == [ControlByte(0x15)]
    client.send(FC_REQUEST)
    assert client.expect(2) == [ControlByte(0x06), AnswerFrame(b"\xfc\x00", encode_frame(b"\xfc\x00"))]
    client.send(ACK + ENQ)
    assert client.expect(2) == [ControlByte(0xFF), ControlByte(0x15)]
    assert handler.calls == [b"\xfc"]


def test_ack_and_answer_arrive_in_one_segment(client):
    client.send(FC_REQUEST)
    # Loopback TCP delivers one write of the server as one recv here.
    first = client.sock.recv(4096)
    assert first == ACK + encode_frame(b"\xfc\x00")


def test_rejected_answer_resent_not_reexecuted(client, handler):
    client.send(BEEP_REQUEST)
    first = client.expect(2)
    client.send(NAK + ENQ)
    assert client.expect(2) == first
    client.send(ACK)
    assert client.expect(1) == [ControlByte(0xFF)]
    client.send(ENQ)
    assert client.expect(1) == [ControlByte(0x15)]
    assert handler.calls == [BEEP_REQUEST[2:-1]]


def test_leading_nuls_tolerated(client, handler):
    # re-star-ru/shtrih-m-driver sends 4 NULs before every STX.
    client.send(ENQ)
    client.expect(1)
    client.send(b"\x00" * 4 + FC_REQUEST)
    assert client.expect(2)[0] == ControlByte(0x06)
    assert handler.calls == [b"\xfc"]


def test_ff_after_ack_on_by_default(client):
    client.send(FC_REQUEST)
    client.expect(2)
    client.send(ACK)
    assert client.expect(1) == [ControlByte(0xFF)]
    client.send(ENQ)
    assert client.expect(1) == [ControlByte(0x15)]


def test_ff_after_ack_follows_profile(handler):
    profile = dataclasses.replace(SHTRIH_M_01F, ff_after_ack_tcp=False)
    with TransportThread(handler, profile=profile) as thread:
        client = RawClient(thread.serve_tcp().port)
        try:
            client.send(FC_REQUEST)
            client.expect(2)
            client.send(ACK + ENQ)
            assert client.expect(1) == [ControlByte(0x15)]
        finally:
            client.close()


def test_ff_after_ack_off_when_disabled(emulator):
    client = RawClient(emulator.serve_tcp(ff_after_ack=False).port)
    try:
        client.send(FC_REQUEST)
        client.expect(2)
        client.send(ACK + ENQ)
        assert client.expect(1) == [ControlByte(0x15)]
    finally:
        client.close()


def test_tcp_server_default_sends_ff(handler):
    assert TcpServer(handler).ff_after_ack
    assert serve_tcp(handler).ff_after_ack


def test_go_driver_second_enq_after_ff(emulator, handler):
    # re-star-ru/shtrih-m-driver sends ENQ before each command and, on any byte
    # but ACK or NAK (here the 0xFF left from the previous ACK), sends ENQ again.
    # Its frame is then answered by the second NAK, so it sends the frame again.
    client = RawClient(emulator.serve_tcp().port)
    try:
        client.send(FC_REQUEST)
        client.expect(2)
        client.send(ACK)
        client.send(ENQ)
        assert client.expect(1) == [ControlByte(0xFF)]
        client.send(ENQ)
        assert client.expect(1) == [ControlByte(0x15)]
        client.send(BEEP_REQUEST)
        assert client.expect(1) == [ControlByte(0x15)]
        client.send(BEEP_REQUEST)
        answer = AnswerFrame(b"\x13\x00", encode_frame(b"\x13\x00"))
        assert client.expect(2) == [ControlByte(0x06), answer]
        assert client.expect(2) == [ControlByte(0x06), answer]
        client.send(ACK + ENQ)
        assert client.expect(2) == [ControlByte(0xFF), ControlByte(0x15)]
    finally:
        client.close()
    assert handler.calls == [b"\xfc", BEEP_REQUEST[2:-1]]


def test_partial_frame_expires_with_nak(client, handler):
    client.send(BEEP_REQUEST[:4])
    assert client.expect(1) == [ControlByte(0x15)]
    client.send(FC_REQUEST)
    assert client.expect(2)[0] == ControlByte(0x06)
    assert handler.calls == [b"\xfc"]


def test_reconnect_starts_fresh_link(emulator, handler):
    server = emulator.serve_tcp()
    first = RawClient(server.port)
    first.send(FC_REQUEST)
    first.expect(2)
    first.close()
    second = RawClient(server.port)
    try:
        second.send(ENQ)
        assert second.expect(1) == [ControlByte(0x15)]
        second.send(BEEP_REQUEST)
        assert second.expect(2)[0] == ControlByte(0x06)
    finally:
        second.close()
    assert handler.calls == [b"\xfc", BEEP_REQUEST[2:-1]]


def test_nodelay_set_on_accepted_socket(emulator):
    server = emulator.serve_tcp()
    client = RawClient(server.port)
    try:
        client.send(ENQ)
        client.expect(1)
        (connection,) = server.connections
        assert connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        client.close()


def test_handler_failure_leaves_connection_usable(emulator):
    def failing(body: bytes) -> bytes:
        if body[:1] == b"\x13":
            raise RuntimeError("register bug")
        return body[:1] + b"\x00"

    with TransportThread(failing) as thread:
        client = RawClient(thread.serve_tcp().port)
        try:
            client.send(BEEP_REQUEST)
            assert client.expect(1) == [ControlByte(0x06)]
            client.send(ENQ)
            assert client.expect(1) == [ControlByte(0x15)]
        finally:
            client.close()


def test_logs_connect_garbage_and_disconnect(emulator, caplog):
    caplog.set_level(logging.INFO, logger="kktemu")
    server = emulator.serve_tcp()
    client = RawClient(server.port)
    client.send(b"\xaa\xbb" + ENQ)
    client.expect(1)
    client.close()
    emulator.stop()
    messages = [record.getMessage() for record in caplog.records]
    assert any("connected" in message and "127.0.0.1:" in message for message in messages)
    assert any(record.levelno == logging.WARNING and "aa bb" in record.getMessage() for record in caplog.records)
    assert any("disconnected" in message for message in messages)


def test_wire_logger_carries_hex(client, caplog):
    caplog.set_level(logging.DEBUG, logger="kktemu.wire")
    client.send(ENQ)
    client.expect(1)
    wire = [record.getMessage() for record in caplog.records if record.name == "kktemu.wire"]
    assert any(message.endswith(": 05") for message in wire)
    assert any(message.endswith(": 15") for message in wire)


def test_stop_closes_listener(handler):
    thread = TransportThread(handler).start()
    port = thread.serve_tcp().port
    client = RawClient(port)
    client.send(ENQ)
    client.expect(1)
    thread.stop()
    assert client.sock.recv(16) == b""
    client.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_serve_tcp_context_manager_reports_port(handler):
    async def scenario() -> tuple[int, bytes]:
        async with serve_tcp(handler, "127.0.0.1", 0) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(FC_REQUEST)
            reply = await reader.readexactly(1 + 5)
            writer.close()
            await writer.wait_closed()
            return server.port, reply

    port, reply = asyncio.run(scenario())
    assert port != 0
    assert reply == ACK + encode_frame(b"\xfc\x00")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
