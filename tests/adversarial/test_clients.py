"""Odd clients: connection storms, disconnects mid-frame, interleaved hosts, slow readers.

The emulator runs in a ``TransportThread`` with a real ФН file. Waits poll for an
outcome with a generous deadline; no test asserts how long anything took.
"""

from __future__ import annotations

import logging
import os
import random
import select
import socket
import struct
import tty

from kktemu.emulator.transports.tcp import READ_SIZE, WRITE_HIGH_WATER
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import ACK, ENQ, FILLER, NAK, AnswerFrame, ControlByte, HostLink, encode_frame

ADMIN = 30
CASHIER = 1
STATUS = c.ShortStatusRequest(ADMIN).encode()
SALE = c.SaleRequest(CASHIER, 1000, 2800, 1, (1, 0, 0, 0), "Сахар").encode()
SALE_OTHER = c.SaleRequest(CASHIER, 2000, 5500, 1, (2, 0, 0, 0), "Чай").encode()
CLOSE = c.CloseReceiptRequest(CASHIER, (20000, 0, 0, 0), 0, (0, 0, 0, 0), "").encode()
RECEIPT_MODE = 8


def _reset_on_close(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout: close() sends RST and drops unsent data.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _drain(sock: socket.socket, quiet: float = 0.5) -> bytes:
    """Read until nothing arrives for ``quiet`` seconds."""
    received = bytearray()
    sock.settimeout(quiet)
    try:
        while chunk := sock.recv(1 << 20):
            received += chunk
    except TimeoutError:
        pass
    finally:
        sock.settimeout(10)
    return bytes(received)


# TCP.


def test_connect_disconnect_storm(served, tcp_host_factory, helpers):
    kkt, thread = served
    server = thread.serve_tcp()
    before = kkt.snapshot()
    frame = encode_frame(STATUS)
    generator = random.Random(20240301)
    kept = []

    for _ in range(150):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        action = generator.randrange(4)
        if action == 0:
            sock.sendall(frame[:generator.randrange(1, len(frame))])
        elif action == 1:
            sock.sendall(frame)
        elif action == 2:
            sock.sendall(bytes((ENQ,)) * 10)
        if generator.random() < 0.5:
            _reset_on_close(sock)
        if generator.random() < 0.7:
            sock.close()
        else:
            kept.append(sock)
    for sock in kept:
        sock.close()

    assert helpers.wait_until(lambda: not server.connections)
    client = tcp_host_factory(server)
    assert client.command(STATUS)[:2] == b"\x10\x00"
    assert kkt.snapshot() == before


def test_disconnect_mid_close_frame_leaves_receipt_open(served, tcp_host_factory, helpers):
    kkt, thread = served
    server = thread.serve_tcp()
    cashier = tcp_host_factory(server)
    assert cashier.command(SALE)[1] == 0
    before = kkt.snapshot()

    frame = encode_frame(CLOSE)
    cashier.send(frame[: len(frame) // 2])
    cashier.close()

    assert helpers.wait_until(lambda: not server.connections)
    assert kkt.snapshot() == before
    assert kkt.mode() & 0x0F == RECEIPT_MODE
    retry = tcp_host_factory(server)
    assert retry.command(CLOSE)[1] == 0
    assert len(kkt.receipts()) == 1


def test_disconnect_right_after_close_frame(served, tcp_host_factory, helpers):
    # The host sends the whole close frame and closes at once, reading nothing.
    kkt, thread = served
    server = thread.serve_tcp()
    cashier = tcp_host_factory(server)
    assert cashier.command(SALE)[1] == 0

    cashier.send(encode_frame(CLOSE))
    cashier.close()

    assert helpers.wait_until(lambda: not server.connections)
    assert helpers.wait_until(lambda: len(kkt.receipts()) == 1)
    assert kkt.mode() & 0x0F != RECEIPT_MODE
    kkt.assert_archive_valid()


def test_reset_right_after_close_frame(served, tcp_host_factory, helpers):
    # With RST the kernel may drop the frame before the server reads it. The
    # receipt is then either formed whole or still open, never half written.
    kkt, thread = served
    server = thread.serve_tcp()
    for _ in range(5):
        cashier = tcp_host_factory(server)
        assert cashier.command(SALE)[1] == 0
        receipts = len(kkt.receipts())
        _reset_on_close(cashier.sock)
        cashier.send(encode_frame(CLOSE))
        cashier.close()
        assert helpers.wait_until(lambda: not server.connections)

        formed = len(kkt.receipts()) - receipts
        assert formed in (0, 1)
        assert (kkt.mode() & 0x0F == RECEIPT_MODE) == (formed == 0)
        if formed == 0:
            retry = tcp_host_factory(server)
            assert retry.command(CLOSE)[1] == 0
    kkt.assert_archive_valid()


def test_second_client_waits_for_first(served, tcp_host_factory, helpers):
    # One client at a time: the second client's bytes wait until the first one
    # disconnects, and the first client's unacknowledged answer does not reach it.
    kkt, thread = served
    server = thread.serve_tcp()
    first = tcp_host_factory(server)
    first.send(encode_frame(SALE))
    assert first.expect(2)[1].body[:2] == b"\x80\x00"
    before = kkt.snapshot()

    second = tcp_host_factory(server)
    second.send(bytes((ENQ,)) + encode_frame(SALE_OTHER))
    assert helpers.wait_until(lambda: len(server.waiting) == 1)
    assert server.active is not None
    assert kkt.snapshot() == before

    first.close()
    assert second.expect(1) == [ControlByte(NAK)]
    ack, answer = second.expect(2)
    assert ack == ControlByte(ACK)
    assert answer.body[:2] == b"\x80\x00"
    second.send(bytes((ACK,)))
    assert second.command(CLOSE)[1] == 0
    assert len(kkt.receipts()) == 1
    kkt.assert_archive_valid()


def test_pipelined_frames_over_tcp(served, tcp_host_factory):
    # 300 status frames in one write, each followed by the host's ACK.
    _kkt, thread = served
    client = tcp_host_factory()

    client.send((encode_frame(STATUS) + bytes((ACK,))) * 300)

    events = client.expect(600)
    assert events[0::2] == [ControlByte(ACK)] * 300
    assert {event.body[:2] for event in events[1::2]} == {b"\x10\x00"}
    client.send(bytes((ENQ,)))
    assert client.expect(1) == [ControlByte(NAK)]


def test_slow_tcp_reader_is_throttled(served, helpers):
    # The host leaves an answer pending, then sends ENQs without reading. Each
    # ENQ asks for ACK and the answer again (1 byte in, 20 out); the server must
    # stop reading instead of queueing that output without limit.
    _kkt, thread = served
    server = thread.serve_tcp()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    try:
        sock.sendall(encode_frame(STATUS))
        assert helpers.wait_until(lambda: len(server.connections) == 1)
        (connection,) = server.connections
        sock.settimeout(2)
        for _ in range(2000):
            # Small steps, so that little input waits in socket buffers once
            # the server pauses: all of it is answered when the host drains.
            if helpers.wait_until(lambda: connection.reading_paused, timeout=0.02):
                break
            try:
                sock.sendall(bytes((ENQ,)) * 4096)
            except TimeoutError:
                break
        assert helpers.wait_until(lambda: connection.reading_paused)
        assert connection._transport.get_write_buffer_size() < WRITE_HIGH_WATER + READ_SIZE * 260

        events = HostLink().receive_data(_drain(sock))
        answers = {event.body for event in events if isinstance(event, AnswerFrame)}
        assert len(answers) == 1
        assert all(event == ControlByte(ACK) for event in events if not isinstance(event, AnswerFrame))
        assert connection.read_pauses >= 1
        assert not connection.reading_paused

        sock.sendall(bytes((ACK,)) + encode_frame(STATUS))
        # The host's ACK gets the 0xFF of a network register first.
        reply = HostLink().receive_data(_drain(sock))
        assert reply[0] == ControlByte(FILLER)
        assert reply[1] == ControlByte(ACK)
        assert reply[2].body[:2] == b"\x10\x00"
    finally:
        sock.close()


# Pty.


def _open_pty_client(path: str) -> int:
    descriptor = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(descriptor)
    return descriptor


def _pty_read(descriptor: int, quiet: float = 0.5) -> bytes:
    received = bytearray()
    while select.select([descriptor], [], [], quiet)[0]:
        received += os.read(descriptor, 65536)
    return bytes(received)


def _pty_command(descriptor: int, body: bytes) -> bytes:
    """Send a frame, check ACK and the answer, ACK it, return the answer body."""
    os.write(descriptor, encode_frame(body))
    decoder = HostLink()
    events: list = []
    while len(events) < 2:
        assert select.select([descriptor], [], [], 10)[0], f"no answer to {body.hex()} after {events}"
        events += decoder.receive_data(os.read(descriptor, 4096))
    assert events[0] == ControlByte(ACK)
    os.write(descriptor, bytes((ACK,)))
    return events[1].body


def test_pty_client_closes_mid_frame_and_reopens(served, tmp_path, helpers):
    kkt, thread = served
    port = thread.serve_pty(str(tmp_path / "ttyKKT"))
    client = _open_pty_client(port.path)
    assert helpers.wait_until(lambda: port.client_connected)
    assert _pty_command(client, SALE)[1] == 0
    before = kkt.snapshot()

    frame = encode_frame(CLOSE)
    os.write(client, frame[:20])
    os.close(client)
    assert helpers.wait_until(lambda: not port.client_connected)
    assert kkt.snapshot() == before

    client = _open_pty_client(port.path)
    try:
        assert helpers.wait_until(lambda: port.client_connected)
        # The half frame of the previous client is gone: this one starts clean.
        os.write(client, bytes((ENQ,)))
        assert _pty_read(client) == bytes((NAK,))
        assert _pty_command(client, CLOSE)[1] == 0
    finally:
        os.close(client)
    assert len(kkt.receipts()) == 1


def test_pty_client_closes_with_answer_pending(served, tmp_path, helpers):
    kkt, thread = served
    port = thread.serve_pty(str(tmp_path / "ttyKKT"))
    client = _open_pty_client(port.path)
    assert helpers.wait_until(lambda: port.client_connected)
    assert _pty_command(client, SALE)[1] == 0

    os.write(client, encode_frame(CLOSE))
    assert helpers.wait_until(lambda: len(kkt.receipts()) == 1)
    os.close(client)
    assert helpers.wait_until(lambda: not port.client_connected)

    client = _open_pty_client(port.path)
    try:
        assert helpers.wait_until(lambda: port.client_connected)
        # Unread replies of the previous client were discarded, and the new
        # session has no pending answer, so ENQ gets NAK.
        os.write(client, bytes((ENQ,)))
        assert _pty_read(client) == bytes((NAK,))
    finally:
        os.close(client)
    assert len(kkt.receipts()) == 1
    kkt.assert_archive_valid()


def test_pty_client_gone_before_noticed(served, tmp_path, helpers):
    # A client that opens the port, writes the close frame and closes it again
    # faster than the port checks for clients. A serial register would run
    # the command at once; the next client must not get its reply.
    kkt, thread = served
    port = thread.serve_pty(str(tmp_path / "ttyKKT"))
    client = _open_pty_client(port.path)
    assert helpers.wait_until(lambda: port.client_connected)
    assert _pty_command(client, SALE)[1] == 0
    os.close(client)
    assert helpers.wait_until(lambda: not port.client_connected)

    client = _open_pty_client(port.path)
    os.write(client, encode_frame(CLOSE))
    os.close(client)

    assert helpers.wait_until(lambda: len(kkt.receipts()) == 1, timeout=5)
    client = _open_pty_client(port.path)
    try:
        assert helpers.wait_until(lambda: port.client_connected)
        os.write(client, bytes((ENQ,)))
        assert _pty_read(client) == bytes((NAK,))
    finally:
        os.close(client)
    assert len(kkt.receipts()) == 1
    kkt.assert_archive_valid()


def test_slow_pty_reader_keeps_port_usable(served, tmp_path, helpers, caplog):
    # Output beyond the pty port's queue is dropped while the client does not
    # read, with one warning per client session rather than one per write.
    caplog.set_level(logging.WARNING, logger="kktemu.emulator.transports.pty")
    _kkt, thread = served
    port = thread.serve_pty(str(tmp_path / "ttyKKT"))
    client = _open_pty_client(port.path)
    try:
        assert helpers.wait_until(lambda: port.client_connected)
        os.write(client, encode_frame(STATUS))
        os.set_blocking(client, False)
        sent = 0
        while sent < 64 << 10:
            try:
                sent += os.write(client, bytes((ENQ,)) * 1024)
            except BlockingIOError:
                select.select([], [client], [], 0.05)
        os.set_blocking(client, True)

        output = _pty_read(client)
        events = HostLink().receive_data(output)
        assert any(isinstance(event, AnswerFrame) for event in events)

        os.write(client, bytes((ACK,)))
        assert _pty_command(client, STATUS)[:2] == b"\x10\x00"
    finally:
        os.close(client)
    warnings = [record for record in caplog.records if "not reading" in record.getMessage()]
    assert len(warnings) == 1
