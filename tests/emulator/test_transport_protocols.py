"""Protocol v1 and v2 on the same transports: detection per connection and shared v2 numbering."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
import serial

from kktemu.emulator.transports import LinkSession, MemoryPort, TransportThread
from kktemu.protocol.shtrih.frame import AnswerFrame, ControlByte, HostLink, encode_frame
from kktemu.protocol.shtrih.frame_v2 import Packet, PacketDecoder, encode_packet
from kktemu.protocol.shtrih.link_v2 import LinkProtocol, PacketHistory

ENQ, ACK, NAK = b"\x05", b"\x06", b"\x15"
FC_REQUEST = bytes.fromhex("02 01 FC FD")
# fr_drv_ng_examples issue 23: sync request and the answer of a device that has
# executed nothing yet.
SYNC = bytes.fromhex("8F 00 00 0F 1D")
FRESH_SYNC_ANSWER = bytes.fromhex("8F 02 00 01 00 99 5A")
BEEP_BODY = bytes.fromhex("13 01 00 00 00")


class CountingHandler:
    """Return ``CMD 00`` and record every body executed."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> bytes:
        with self._lock:
            self.calls.append(body)
        return body[:1] + b"\x00"


class TcpClient:
    """A socket client that reads exact byte counts."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError(f"the emulator closed the connection after {data.hex(' ')}")
            data += chunk
        return data

    def read_packet(self) -> Packet:
        decoder = PacketDecoder()
        while True:
            events = decoder.decode_all(self.read(1))
            if events:
                (event,) = events
                assert isinstance(event, Packet), event
                return event

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
    return CountingHandler()


@pytest.fixture
def emulator(handler):
    with TransportThread(handler) as thread:
        yield thread


# TCP.


def test_tcp_v2_sync_on_fresh_device(emulator):
    client = TcpClient(emulator.serve_tcp().port)
    try:
        client.send(SYNC)
        assert client.read(len(FRESH_SYNC_ANSWER)) == FRESH_SYNC_ANSWER
    finally:
        client.close()


def test_tcp_v2_after_leading_nuls(emulator, handler):
    client = TcpClient(emulator.serve_tcp().port)
    try:
        client.send(bytes(4) + encode_packet(2, b"\xfc"))
        assert client.read_packet() == Packet(2, b"\xfc\x00", encode_packet(2, b"\xfc\x00"))
    finally:
        client.close()
    assert handler.calls == [b"\xfc"]


def test_tcp_v1_and_v2_clients_in_turn(emulator, handler, caplog):
    caplog.set_level(logging.INFO, logger="kktemu")
    port = emulator.serve_tcp().port

    v1 = TcpClient(port)
    v1.send(ENQ + FC_REQUEST)
    assert v1.read(1 + 1 + 5) == NAK + ACK + encode_frame(b"\xfc\x00")
    v1.send(ACK)
    assert v1.read(1) == b"\xff"
    v1.close()

    v2 = TcpClient(port)
    v2.send(SYNC)
    assert v2.read(len(FRESH_SYNC_ANSWER)) == FRESH_SYNC_ANSWER
    v2.send(encode_packet(2, BEEP_BODY))
    beep_answer = encode_packet(2, b"\x13\x00")
    assert v2.read(len(beep_answer)) == beep_answer
    v2.close()

    again = TcpClient(port)
    again.send(b"\x00\x00" + ENQ)
    assert again.read(1) == NAK
    again.close()

    assert handler.calls == [b"\xfc", BEEP_BODY]
    chosen = [record.getMessage() for record in caplog.records if "speaks Штрих-М protocol" in record.getMessage()]
    assert [message.split("protocol ")[1][:2] for message in chosen] == ["v1", "v2", "v1"]


def test_tcp_v2_repeat_after_reconnect_not_executed(emulator, handler):
    port = emulator.serve_tcp().port
    packet = encode_packet(7, BEEP_BODY)

    gone = TcpClient(port)
    gone.send(packet)
    gone.close()
    assert wait_until(lambda: handler.calls == [BEEP_BODY])

    retry = TcpClient(port)
    try:
        retry.send(packet)
        assert retry.read_packet() == Packet(7, b"\x13\x00", encode_packet(7, b"\x13\x00"))
        retry.send(SYNC)
        assert retry.read_packet().num == 7
    finally:
        retry.close()
    assert handler.calls == [BEEP_BODY]


def test_tcp_v2_bad_crc_gets_no_reply(emulator, handler):
    client = TcpClient(emulator.serve_tcp().port)
    damaged = encode_packet(2, BEEP_BODY)[:-1] + b"\x00"
    try:
        # The first reply on the wire answers the sync packet: nothing came for the damaged one.
        client.send(damaged + SYNC)
        assert client.read(len(FRESH_SYNC_ANSWER)) == FRESH_SYNC_ANSWER
    finally:
        client.close()
    assert handler.calls == []


def test_tcp_v2_gets_no_ff(emulator, handler):
    client = TcpClient(emulator.serve_tcp().port)
    try:
        client.send(encode_packet(2, b"\xfc") + ACK + encode_packet(3, BEEP_BODY))
        assert client.read_packet().num == 2
        assert client.read_packet().num == 3
    finally:
        client.close()
    assert handler.calls == [b"\xfc", BEEP_BODY]


# Pty.


def test_pty_v2_then_v1_client(emulator, handler, tmp_path):
    path = str(tmp_path / "kkt")
    port = emulator.serve_pty(path)
    v2 = serial.Serial(path, timeout=5)
    try:
        v2.write(SYNC + encode_packet(2, BEEP_BODY))
        assert v2.read(len(FRESH_SYNC_ANSWER)) == FRESH_SYNC_ANSWER
        answer = encode_packet(2, b"\x13\x00")
        assert v2.read(len(answer)) == answer
    finally:
        v2.close()
    assert wait_until(lambda: not port.client_connected)

    v1 = serial.Serial(path, timeout=5)
    try:
        v1.write(ENQ + FC_REQUEST)
        assert HostLink().receive_data(v1.read(7)) == [
            ControlByte(0x15),
            ControlByte(0x06),
            AnswerFrame(b"\xfc\x00", encode_frame(b"\xfc\x00")),
        ]
    finally:
        v1.close()
    assert handler.calls == [BEEP_BODY, b"\xfc"]


def test_tcp_and_pty_share_v2_history(emulator, handler, tmp_path):
    tcp = TcpClient(emulator.serve_tcp().port)
    try:
        tcp.send(encode_packet(4, BEEP_BODY))
        tcp_answer = tcp.read_packet()
    finally:
        tcp.close()
    path = str(tmp_path / "kkt")
    emulator.serve_pty(path)
    pty = serial.Serial(path, timeout=5)
    try:
        pty.write(encode_packet(4, BEEP_BODY))
        assert pty.read(len(tcp_answer.frame)) == tcp_answer.frame
    finally:
        pty.close()
    assert handler.calls == [BEEP_BODY]


# Memory and session.


def test_memory_port_detects_v2(handler):
    port = MemoryPort(handler)
    port.write(b"\x00" + encode_packet(2, b"\xfc"))
    assert port.read_all() == encode_packet(2, b"\xfc\x00")
    assert port.session.protocol is LinkProtocol.V2


def test_memory_port_v2_partial_packet_expires_silently(handler):
    port = MemoryPort(handler, protocol=LinkProtocol.V2)
    port.write(encode_packet(2, b"\xfc")[:4])
    assert port.read(16) == b""
    assert not port.session.has_partial_frame
    port.write(encode_packet(2, b"\xfc"))
    assert port.read_all() == encode_packet(2, b"\xfc\x00")
    assert handler.calls == [b"\xfc"]


def test_session_undecided_until_meaningful_byte(handler, caplog):
    session = LinkSession(handler, "peer-1")
    assert session.feed(b"\x00\xff") == b""
    assert session.protocol is None
    assert not session.has_partial_frame
    assert session.expire_partial_frame() == b""
    assert session.pending_answer is None
    assert session.feed(ENQ) == NAK
    assert session.protocol is LinkProtocol.V1
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == ["skipped bytes outside a frame from peer-1: 00 ff"]


def test_session_protocol_fixed(handler):
    session = LinkSession(handler, "peer-1", protocol=LinkProtocol.V1)
    assert session.feed(SYNC) == b""
    assert session.protocol is LinkProtocol.V1


def test_session_shared_history(handler):
    history = PacketHistory()
    first = LinkSession(handler, "peer-1", history=history)
    answer = first.feed(encode_packet(9, BEEP_BODY))
    second = LinkSession(handler, "peer-2", history=history)
    assert second.feed(encode_packet(9, BEEP_BODY)) == answer
    assert second.feed(SYNC) == answer
    assert handler.calls == [BEEP_BODY]


def test_session_v2_warnings(handler, caplog):
    session = LinkSession(handler, "peer-1")
    session.feed(encode_packet(2, b"\xfc"))
    session.feed(encode_packet(2, BEEP_BODY))
    session.feed(encode_packet(5, BEEP_BODY))
    session.feed(encode_packet(3, BEEP_BODY)[:-1] + b"\x00")
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert "sent packet number 2 again" in warnings[0]
    assert "sent packet number 5, expected 3" in warnings[1]
    assert "v2 packet with wrong CRC from peer-1" in warnings[2]
    assert handler.calls == [b"\xfc"]


def test_session_switches_back_to_v1_after_stray_8f(handler):
    # A lone 0x8F makes the first guess v2; the next v1 frame at a frame boundary switches back.
    session = LinkSession(handler, "peer-1")
    session.feed(b"\x8f")
    session.expire_partial_frame()
    assert session.protocol is LinkProtocol.V2
    reply = session.feed(encode_frame(BEEP_BODY))
    assert session.protocol is LinkProtocol.V1
    assert reply.startswith(b"\x06\x02")
    assert handler.calls == [BEEP_BODY]


def test_session_switches_to_v2_between_frames(handler):
    session = LinkSession(handler, "peer-1")
    session.feed(b"\x05")
    assert session.protocol is LinkProtocol.V1
    reply = session.feed(encode_packet(2, BEEP_BODY))
    assert session.protocol is LinkProtocol.V2
    assert reply.startswith(b"\x8f")
    assert handler.calls == [BEEP_BODY]
