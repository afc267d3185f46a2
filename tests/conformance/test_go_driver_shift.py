"""Conformance: the shift flow of re-star-ru/shtrih-m-driver over TCP.

The Go driver's health check (app/kkt/healthCheck.go) sends 10h and acts on the
mode: with the shift closed it opens one with FF41h, FF0Ch carrying 1203 (the
cashier's ИНН, CP866) and E0h (app/kkt/session.go); with the shift open late in
the day, or over 24 hours, it sends 41h. Every command uses password 30 and a
new connection per operation, and the link layer sends four NUL bytes before
each STX (app/kkt/transport). The 0xFF a network register sends after the
host's ACK is tested on and off.
"""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.transports.background import TransportThread
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.shtrih.frame import encode_frame, lrc

ENQ, ACK, NAK, STX = b"\x05", b"\x06", b"\x15", b"\x02"
START = dt.datetime(2024, 3, 1, 9, 0, 0)
PASSWORD = bytes.fromhex("1E 00 00 00")
CASHIER_INN = "500100732259"


class GoDriverLink:
    """One connection driven the Go driver's way.

    Per command: ENQ, then one control byte. ACK means an answer is still pending:
    read it, ACK it and start over. NAK: four NULs and the frame, resent up to 10
    times until a byte read back is ACK. Any other byte (the 0xFF): ENQ again, whose
    NAK the driver then takes as the reply to its frame, so it resends the frame.
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

    def _answer(self) -> bytes:
        assert self._read() == STX
        length = self._read()
        answer = self._read(length[0])
        assert self._read()[0] == lrc(length + answer)
        self.sock.sendall(ACK)
        return answer

    def command(self, body: bytes) -> bytes:
        """Send one command body and return the answer body."""
        frame = bytes(4) + encode_frame(body)
        for _ in range(20):
            self.sock.sendall(ENQ)
            control = self._read()
            if control == ACK:
                self._answer()
                continue
            if control != NAK:
                continue
            for _ in range(10):
                self.sock.sendall(frame)
                if self._read() == ACK:
                    return self._answer()
            raise AssertionError("the frame was never acknowledged")
        raise AssertionError("no NAK to 20 ENQs")

    def close(self) -> None:
        self.sock.close()


def operation(port: int, *bodies: bytes) -> list[bytes]:
    """Run the bodies over one new connection, as the Go driver does per operation."""
    link = GoDriverLink(port)
    try:
        return [link.command(body) for body in bodies]
    finally:
        link.close()


def mode(port: int) -> int:
    (answer,) = operation(port, b"\x10" + PASSWORD)
    return answer[5]


@pytest.mark.parametrize("ff_after_ack", [True, False], ids=["0xFF on", "0xFF off"])
def test_go_driver_shift_flow(tmp_path, ff_after_ack):
    clock = Clock(START, frozen=True)
    fn_path = tmp_path / "fn.bin"
    inn_tlv = encode_tlv(1203, CASHIER_INN.encode("cp866"))
    with Emulator(fn_path, clock=clock) as emulator, TransportThread(emulator.execute) as thread:
        port = thread.serve_tcp(port=0, ff_after_ack=ff_after_ack).port
        assert mode(port) == 0x04
        answers = operation(port, b"\xFF\x41" + PASSWORD, b"\xFF\x0C" + PASSWORD + inn_tlv, b"\xE0" + PASSWORD)
        assert answers == [bytes.fromhex("FF 41 00"), bytes.fromhex("FF 0C 00"), bytes.fromhex("E0 00 1E")]
        assert mode(port) == 0x02
        clock.advance(dt.timedelta(hours=14))
        assert operation(port, b"\x41" + PASSWORD) == [bytes.fromhex("41 00 1E")]
        assert mode(port) == 0x04
    documents = read_archive(fn_path).documents
    assert [document.form for document in documents] == [1, 2, 5]
    assert dict(split_tlv(documents[1].tlv))[1203] == CASHIER_INN.encode("cp866")


def test_go_driver_retries_after_failed_open(tmp_path):
    # If the connection drops after FF41h, the next health check finds mode 4 again and
    # repeats the flow. The register refuses the second FF41h (5Eh) while the first report
    # is begun, so the flow only completes after FF08h or a restart.
    clock = Clock(START, frozen=True)
    with Emulator(tmp_path / "fn.bin", clock=clock) as emulator, TransportThread(emulator.execute) as thread:
        port = thread.serve_tcp(port=0).port
        assert operation(port, b"\xFF\x41" + PASSWORD) == [bytes.fromhex("FF 41 00")]
        assert mode(port) == 0x04
        assert operation(port, b"\xFF\x41" + PASSWORD) == [bytes.fromhex("FF 41 5E")]
        assert operation(port, b"\xFF\x08" + PASSWORD, b"\xFF\x41" + PASSWORD, b"\xE0" + PASSWORD) == [
            bytes.fromhex("FF 08 00"), bytes.fromhex("FF 41 00"), bytes.fromhex("E0 00 1E")]
        assert mode(port) == 0x02
