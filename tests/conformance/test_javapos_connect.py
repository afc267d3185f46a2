"""Conformance: the byte exchange javapos_shtrih runs when it connects, replayed over TCP and a pty.

javapos_shtrih (SMFiscalPrinterImpl.connect and the initialisation after it) sends
F7h 01 first and tolerates an error there, then FCh, then 11h until the mode is a
working one; with the ФН capability bit of F7h it reads table 18 for the ККТ
serial (2Eh, then 1Fh), checks that 2Dh names table 17 "Региональные настройки"
and reads 17.1.7. Every exchange goes ENQ → NAK, frame → ACK and answer, ACK; a
network register adds 0xFF after each ACK of the host, which javapos skips.

Each answer is checked against its codec (kktemu.protocol.shtrih.commands) and its
length against the spec's LEN. The 2Eh answer for field 18.3 is compared with the
bytes captured from a real register in javapos_shtrih issue 108.
"""

from __future__ import annotations

import datetime as dt
import os
import select
import socket

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.transports.background import TransportThread
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import AnswerFrame, ControlByte, HostLink, encode_frame

ENQ, ACK, NAK, FILLER = 0x05, 0x06, 0x15, 0xFF
START = dt.datetime(2024, 3, 1, 9, 0, 0)
SYSADMIN = 30
CASHIER = 1
# javapos_shtrih issue 108: 2E 00, "RNM" in 40 bytes, type 01 (CHAR), size 15h.
RNM_FIELD_CAPTURE = bytes.fromhex("2E 00 52 4E 4D") + bytes(37) + bytes.fromhex("01 15")


class TcpClient:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self) -> bytes:
        data = self.sock.recv(4096)
        if not data:
            raise ConnectionError("the emulator closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


class PtyClient:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def read(self) -> bytes:
        readable, _, _ = select.select([self.fd], [], [], 5)
        if not readable:
            raise TimeoutError("no byte from the emulator within 5 s")
        return os.read(self.fd, 4096)

    def close(self) -> None:
        os.close(self.fd)


class JavaposLink:
    """The host side of protocol v1 as javapos_shtrih drives it, skipping 0xFF fillers."""

    def __init__(self, client) -> None:
        self.client = client
        self.decoder = HostLink()
        self.events: list = []
        self.fillers = 0
        self.commands = 0

    def _next(self):
        while not self.events:
            self.events += self.decoder.receive_data(self.client.read())
        event = self.events.pop(0)
        if event == ControlByte(FILLER):
            self.fillers += 1
            return self._next()
        return event

    def command(self, body: bytes) -> bytes:
        """Run ENQ, the frame and the ACK; return the answer body."""
        self.client.write(bytes((ENQ,)))
        assert self._next() == ControlByte(NAK)
        self.client.write(encode_frame(body))
        assert self._next() == ControlByte(ACK)
        answer = self._next()
        assert isinstance(answer, AnswerFrame)
        self.client.write(bytes((ACK,)))
        self.commands += 1
        return answer.body


@pytest.fixture(params=["tcp", "pty"])
def link(request, tmp_path):
    with Emulator(tmp_path / "fn.bin", clock=Clock(START, frozen=True)) as emulator, \
            TransportThread(emulator.execute) as thread:
        if request.param == "tcp":
            client = TcpClient(thread.serve_tcp(port=0).port)
        else:
            path = str(tmp_path / "ttyKKT")
            thread.serve_pty(path)
            client = PtyClient(path)
        yield JavaposLink(client), emulator, request.param
        client.close()


def _decoded(body: bytes, length: int):
    """Decode an answer body, checking LEN (the body length) and that it is not an error."""
    assert len(body) == length, f"{body[:1].hex()}h answer LEN {len(body)}, expected {length}"
    answer = c.decode_answer(body)
    assert not isinstance(answer, c.ErrorAnswer), f"error {answer.error:02X}h"
    return answer


def test_javapos_connect_sequence(link):
    host, emulator, transport = link
    register = emulator.register

    parameters = _decoded(host.command(bytes.fromhex("F7 01")), 2 + c.MODEL_PARAMETERS_SIZE + 5)
    model = parameters.model_parameters()
    assert c.ModelCapability.FISCAL_STORAGE in c.ModelCapability(model.capabilities)
    fs_table, _ofd_table, _embedded, ffd_table, ffd_field = model.extra

    name = register.profile.device_name.encode("cp1251")
    device = _decoded(host.command(c.DeviceTypeRequest().encode()), 8 + len(name))
    assert device.name == "ШТРИХ-М-01Ф"

    status = _decoded(host.command(c.LongStatusRequest(CASHIER).encode()), 50)
    assert status.mode == 0x04
    assert status.submode == 0

    table = _decoded(host.command(c.TableStructureRequest(SYSADMIN, 17).encode()), 45)
    assert table.name.casefold() == "региональные настройки"

    field = _decoded(host.command(c.FieldStructureRequest(SYSADMIN, 17, 7).encode()), 44 + 2)
    assert (field.field_type, field.size) == (c.FieldType.BIN, 1)
    print_mode = _decoded(host.command(c.ReadTableRequest(SYSADMIN, 17, 1, 7).encode()), 2 + 1)
    assert print_mode.value == b"\x00"

    field = _decoded(host.command(c.FieldStructureRequest(SYSADMIN, fs_table, 1).encode()), 44)
    serial = _decoded(host.command(c.ReadTableRequest(SYSADMIN, fs_table, 1, 1).encode()), 2 + field.size)
    assert serial.value.rstrip(b"\0").decode() == register.identity.kkt_serial

    rnm_field = host.command(c.FieldStructureRequest(SYSADMIN, fs_table, 3).encode())
    assert rnm_field == RNM_FIELD_CAPTURE

    field = _decoded(host.command(c.FieldStructureRequest(SYSADMIN, fs_table, 4).encode()), 44)
    fn_number = _decoded(host.command(c.ReadTableRequest(SYSADMIN, fs_table, 1, 4).encode()), 2 + field.size)
    assert fn_number.value.rstrip(b"\0").decode() == emulator.fn_serial

    ffd = _decoded(host.command(c.ReadTableRequest(SYSADMIN, ffd_table, 1, ffd_field).encode()), 3)
    assert ffd.value == bytes((register.profile.ffd_code,))

    short = _decoded(host.command(c.ShortStatusRequest(CASHIER).encode()), 16)
    assert short.mode == 0x04

    # One 0xFF after every host ACK on TCP (the last one is not read), none on the serial port.
    assert host.fillers == (host.commands - 1 if transport == "tcp" else 0)


def test_javapos_confirms_date_in_mode_6(link):
    # checkEcrMode in mode 6: read 11h and confirm the date it shows with 23h.
    host, emulator, _transport = link
    assert host.command(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 3, 5)).encode()) == bytes.fromhex("22 00")
    status = _decoded(host.command(c.LongStatusRequest(CASHIER).encode()), 50)
    assert status.mode == 0x06
    answer = host.command(c.ConfirmDateRequest.on(SYSADMIN, status.date).encode())
    assert answer == bytes.fromhex("23 00")
    assert emulator.register.now().date() == dt.date(2024, 3, 5)
