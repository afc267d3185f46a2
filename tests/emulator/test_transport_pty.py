"""The pty transport with pyserial and pyshtrih 2.0.6 as clients."""

from __future__ import annotations

import dataclasses
import logging
import os
import select
import threading
import time

import pyshtrih.protocol
import pytest
import serial

from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.emulator.transports import TransportThread
from kktemu.emulator.transports.pty import PtyPathError, publish_symlink
from kktemu.protocol.shtrih.frame import AnswerFrame, ControlByte, HostLink, encode_frame

ENQ, ACK, NAK = b"\x05", b"\x06", b"\x15"
FC_REQUEST = bytes.fromhex("02 01 FC FD")
FC_ANSWER = encode_frame(b"\xfc\x00")
# Bytes a cooked tty would turn into signals, newlines or flow control.
TTY_SPECIAL_BODY = bytes.fromhex("AA 03 0D 0A 11 13 1A 1C 7F 04")


class CountingHandler:
    """Return ``CMD 00`` and record every body; a body starting with 0xAA is echoed whole."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> bytes:
        with self._lock:
            self.calls.append(body)
        if body[:1] == b"\xaa":
            return body
        return body[:1] + b"\x00"


class SerialClient:
    """pyserial on the pty path, decoding the device stream with ``HostLink``."""

    def __init__(self, path: str) -> None:
        self.port = serial.Serial(path, baudrate=115200, timeout=5)
        self.decoder = HostLink()
        self.events: list = []

    def send(self, data: bytes) -> None:
        self.port.write(data)

    def expect(self, count: int) -> list:
        while len(self.events) < count:
            data = self.port.read(max(1, self.port.in_waiting))
            if not data:
                raise TimeoutError(f"expected {count} events, got {self.events}")
            self.events += self.decoder.receive_data(data)
        result, self.events = self.events[:count], self.events[count:]
        return result

    def close(self) -> None:
        self.port.close()


@pytest.fixture
def handler():
    return CountingHandler()


@pytest.fixture
def emulator(handler):
    with TransportThread(handler) as thread:
        yield thread


@pytest.fixture
def pty_path(tmp_path):
    return str(tmp_path / "kkt")


def test_symlink_points_to_pty(emulator, pty_path):
    port = emulator.serve_pty(pty_path)
    assert os.path.islink(pty_path)
    assert os.readlink(pty_path) == port.device
    assert port.device.startswith("/dev/pts/")


def test_handshake_over_pyserial(emulator, pty_path, handler):
    emulator.serve_pty(pty_path)
    client = SerialClient(pty_path)
    try:
        client.send(ENQ)
        assert client.expect(1) == [ControlByte(0x15)]
        client.send(FC_REQUEST)
        assert client.expect(2) == [ControlByte(0x06), AnswerFrame(b"\xfc\x00", FC_ANSWER)]
        client.send(ACK + ENQ)
        assert client.expect(1) == [ControlByte(0x15)]
    finally:
        client.close()
    assert handler.calls == [b"\xfc"]


def test_ff_after_ack_off_by_default(emulator, pty_path):
    port = emulator.serve_pty(pty_path)
    assert not port.ff_after_ack
    client = SerialClient(pty_path)
    try:
        client.send(FC_REQUEST)
        client.expect(2)
        client.send(ACK + ENQ)
        assert client.expect(1) == [ControlByte(0x15)]
    finally:
        client.close()


def test_ff_after_ack_follows_profile(handler, pty_path):
    profile = dataclasses.replace(SHTRIH_M_01F, ff_after_ack_pty=True)
    with TransportThread(handler, profile=profile) as thread:
        thread.serve_pty(pty_path)
        client = SerialClient(pty_path)
        try:
            client.send(FC_REQUEST)
            client.expect(2)
            client.send(ACK + ENQ)
            assert client.expect(2) == [ControlByte(0xFF), ControlByte(0x15)]
        finally:
            client.close()


def test_raw_mode_passes_tty_special_bytes(emulator, pty_path, handler):
    emulator.serve_pty(pty_path)
    client = SerialClient(pty_path)
    try:
        client.send(encode_frame(TTY_SPECIAL_BODY))
        assert client.expect(2) == [ControlByte(0x06), AnswerFrame(TTY_SPECIAL_BODY, encode_frame(TTY_SPECIAL_BODY))]
    finally:
        client.close()
    assert handler.calls == [TTY_SPECIAL_BODY]


def test_rejected_answer_resent_not_reexecuted(emulator, pty_path, handler):
    emulator.serve_pty(pty_path)
    client = SerialClient(pty_path)
    try:
        client.send(FC_REQUEST)
        first = client.expect(2)
        client.send(NAK + ENQ)
        assert client.expect(2) == first
    finally:
        client.close()
    assert handler.calls == [b"\xfc"]


class RawPtyClient:
    """A client on a plain descriptor: unlike pyserial, its open flushes nothing."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        self.decoder = HostLink()
        self.events: list = []

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def expect(self, count: int) -> list:
        while len(self.events) < count:
            readable, _, _ = select.select([self.fd], [], [], 5)
            if not readable:
                raise TimeoutError(f"expected {count} events, got {self.events}")
            self.events += self.decoder.receive_data(os.read(self.fd, 4096))
        result, self.events = self.events[:count], self.events[count:]
        return result

    def close(self) -> None:
        os.close(self.fd)


def wait_until(condition) -> None:
    """Poll ``condition`` until it holds, for at most 5 s (the loop runs in another thread)."""
    deadline = time.monotonic() + 5
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached within 5 s")
        time.sleep(0.01)


def test_reconnect_discards_unread_output(emulator, pty_path, handler):
    port = emulator.serve_pty(pty_path)
    first = RawPtyClient(pty_path)
    first.send(FC_REQUEST)
    # The device answers, and the client leaves without reading ACK and answer.
    wait_until(lambda: handler.calls and port.client_connected)
    first.close()
    wait_until(lambda: not port.client_connected)
    second = RawPtyClient(pty_path)
    try:
        second.send(ENQ)
        # A fresh link answers NAK, and the stale ACK and answer are gone.
        assert second.expect(1) == [ControlByte(0x15)]
        second.send(FC_REQUEST)
        assert second.expect(2) == [ControlByte(0x06), AnswerFrame(b"\xfc\x00", FC_ANSWER)]
    finally:
        second.close()
    assert handler.calls == [b"\xfc", b"\xfc"]


def test_reconnect_drops_pending_answer(emulator, pty_path, handler, caplog):
    caplog.set_level(logging.INFO, logger="kktemu")
    port = emulator.serve_pty(pty_path)
    first = SerialClient(pty_path)
    first.send(ENQ + FC_REQUEST)
    assert first.expect(3)[2] == AnswerFrame(b"\xfc\x00", FC_ANSWER)
    first.close()
    wait_until(lambda: not port.client_connected)
    second = SerialClient(pty_path)
    try:
        second.send(ENQ)
        assert second.expect(1) == [ControlByte(0x15)]
    finally:
        second.close()
    assert handler.calls == [b"\xfc"]
    closed = [record.getMessage() for record in caplog.records if "client closed pty" in record.getMessage()]
    assert any("02 02 fc 00 fe" in message for message in closed)


def test_client_open_and_close_detected(emulator, pty_path):
    port = emulator.serve_pty(pty_path)
    assert not port.client_connected
    client = SerialClient(pty_path)
    try:
        client.send(ENQ)
        assert client.expect(1) == [ControlByte(0x15)]
        assert port.client_connected
    finally:
        client.close()
    wait_until(lambda: not port.client_connected)


def test_pyshtrih_connects_and_runs_command(emulator, pty_path, handler):
    emulator.serve_pty(pty_path)
    protocol = pyshtrih.protocol.Protocol(pty_path, 115200, 5)
    protocol.connect()
    try:
        response = protocol.command(0x13, 1)
    finally:
        protocol.disconnect()
    assert response.cmd == 0x13
    assert handler.calls == [bytes.fromhex("13 01 00 00 00")]


def test_symlink_replaced_atomically(emulator, pty_path, tmp_path):
    os.symlink(str(tmp_path / "stale-device"), pty_path)
    port = emulator.serve_pty(pty_path)
    assert os.readlink(pty_path) == port.device
    assert sorted(os.listdir(tmp_path)) == ["kkt"]


def test_symlink_removed_on_stop(handler, pty_path):
    with TransportThread(handler) as thread:
        thread.serve_pty(pty_path)
        assert os.path.islink(pty_path)
    assert not os.path.lexists(pty_path)


def test_foreign_symlink_kept_on_stop(handler, pty_path, tmp_path):
    with TransportThread(handler) as thread:
        thread.serve_pty(pty_path)
        publish_symlink(pty_path, str(tmp_path / "newer-device"))
    assert os.readlink(pty_path) == str(tmp_path / "newer-device")


def test_regular_file_at_path_rejected(emulator, pty_path):
    with open(pty_path, "w") as file:
        file.write("not a device")
    with pytest.raises(PtyPathError):
        emulator.serve_pty(pty_path)
    with open(pty_path) as file:
        assert file.read() == "not a device"
