"""``kktemu fn serve``: the console script serving a ФН alone, and its startup failures in-process.

The end-to-end test plays register firmware: ``FnClient`` and the register's own
TLV builders send ФН interface frames over TCP to a ``kktemu fn serve``
subprocess, which registers the fresh ФН, opens a shift and forms a receipt.
Then ``kktemu fn inspect`` reads the archive that process wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial
from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.profiles import get_profile
from kktemu.emulator.receipt import Receipt, ReceiptContext, make_item, receipt_tlv
from kktemu.emulator.registration import default_identity, register_fn
from kktemu.fn_storage import FiscalStorage, read_archive
from kktemu.protocol.ffd.tlv import encode_tlv, iter_tlv
from kktemu.protocol.ffd.values import (
    decode_string,
    decode_vln,
    encode_byte,
    encode_string,
    encode_uint32,
)
from kktemu.protocol.fn.frame import FnFrame, FnFrameDecoder, encode_frame
from kktemu.protocol.fn.records import ReceiptRecord
from support.cli_process import CliProcess, environment_without_locale

KKTEMU = Path(sys.executable).with_name("kktemu")
READY_TIMEOUT = 20.0  # seconds; a bound for a loaded CI machine, not a performance claim
IO_TIMEOUT = 5.0
STATUS_REQUEST = bytes.fromhex("04 01 00 30 FF CD")  # polarikus/flipper-zero_fn_tester lib/fn/fn_tools.c
CASHIER = "Иванова А."
FFD_1_05 = 2


class FnServeProcess(CliProcess):
    """A running ``kktemu -v fn serve``."""

    def __init__(self, *args: str | os.PathLike[str], **locale: str) -> None:
        super().__init__(["-v", "fn", "serve", *map(str, args)], environment_without_locale(**locale),
                         name="kktemu fn serve")

    def read_ready_lines(self) -> tuple[str, str]:
        """Wait (bounded) for the two ready lines; fail with stderr if the process ends first."""
        first, second = self.read_lines(2)
        return first, second


@pytest.fixture
def start_fn_serve() -> Iterator:
    """Return ``start(*args, **locale)`` for FnServeProcess; kills leftovers at teardown."""
    started: list[FnServeProcess] = []

    def start(*args: str | os.PathLike[str], **locale: str) -> FnServeProcess:
        process = FnServeProcess(*args, **locale)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


class TcpFnLine:
    """The register's end of a ФН line over TCP: ``execute(command, data)`` sends a frame, returns the answer."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        self.decoder = FnFrameDecoder()

    def exchange(self, request: bytes) -> bytes:
        """Send raw bytes and return exactly the bytes of the one answer frame."""
        self.sock.sendall(request)
        raw = bytearray()
        while True:
            data = self.sock.recv(4096)
            assert data, f"the ФН closed the connection after {raw.hex(' ')}"
            raw += data
            events = self.decoder.receive_data(data)
            if events:
                assert len(events) == 1 and isinstance(events[0], FnFrame), events
                assert self.decoder.pending == 0
                return bytes(raw)

    def execute(self, command: int, data: bytes) -> tuple[int, bytes]:
        raw = self.exchange(encode_frame(command, data))
        return raw[3], raw[4:-2]

    def close(self) -> None:
        self.sock.close()


def _ready(process: FnServeProcess, fn_file: Path) -> tuple[str, int, int]:
    """Check the ready lines; return the ФН serial, its phase and the TCP port."""
    fn_line, tcp_line = process.read_ready_lines()
    words = fn_line.split(" ")
    assert words[:3] == ["fn", "file", str(fn_file)], fn_line
    assert words[3] == "serial", fn_line
    assert words[5] == "phase", fn_line
    prefix = "listening tcp 127.0.0.1:"
    assert tcp_line.startswith(prefix), tcp_line
    return words[4], int(words[6]), int(tcp_line[len(prefix):])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shift_tlv(shift_number: int) -> bytes:
    profile = get_profile("shtrih-m-01f", "1.05")
    return b"".join((
        encode_tlv(1021, encode_string(CASHIER)),
        encode_tlv(1038, encode_uint32(shift_number)),
        encode_tlv(1188, encode_string(profile.kkt_version)),
        encode_tlv(1189, encode_byte(FFD_1_05)),
        encode_tlv(1209, encode_byte(FFD_1_05)),
    ))


# --- serving -------------------------------------------------------------------------------


def test_register_shift_receipt_then_inspect(start_fn_serve, tmp_path, cli):
    fn_file = tmp_path / "fn.bin"
    server = start_fn_serve("--port", "0", "--fn-file", fn_file)
    serial_number, phase, port = _ready(server, fn_file)
    assert serial_number.startswith("9999078900")
    assert phase == 1

    line = TcpFnLine(port)
    fn = FnClient(line)
    assert fn.status().phase == 1
    assert fn.serial() == serial_number

    # 02h, 07h, 03h: the firmware registers the fresh ФН.
    identity = default_identity(serial_number, FFD_1_05)
    assert register_fn(fn, identity, get_profile("shtrih-m-01f", "1.05"), CASHIER, dt.datetime.now()) == 1
    assert fn.status().phase == 3

    # 11h, 07h, 12h: open shift 1.
    shift = fn.open_shift(dt.datetime.now(), _shift_tlv(1))
    assert (shift.shift_number, shift.fd_number) == (1, 2)

    # 15h, 07h, 16h: a receipt of two items, paid in cash.
    receipt = Receipt(operation=1)
    receipt.add_item(make_item("Хлеб", 2_000_000, 4550, 2))
    receipt.add_item(make_item("Соль", 1_000_000, 2900, 1))
    settlement = receipt.settle(cash=15000, cashless=[])
    context = ReceiptContext(FFD_1_05, 1, 1, 1, CASHIER, identity.user_name, identity.address, identity.place)
    now = dt.datetime.now()
    fn.begin_receipt(now)
    formed = fn.form_receipt(now, receipt_tlv(receipt, settlement, context), 1, settlement.total)
    assert formed.fd_number == 3
    assert settlement.total == 12000

    # 40h: the archive record of the receipt.
    found = fn.find_document(3)
    assert isinstance(found.record, ReceiptRecord)
    assert (found.record.operation, found.record.total) == (1, 12000)
    assert found.record.fiscal_sign == formed.fiscal_sign

    # 45h, 46h: the receipt's TLVs as the ФН formed them.
    form, items = fn.read_document(3)
    assert form == 3
    values = dict(items)
    assert decode_vln(values[1020]) == 12000
    assert values[1054] == b"\x01"
    assert decode_string(values[1041]) == serial_number
    names = [decode_string(child) for tag, value in items if tag == 1059
             for child_tag, child in iter_tlv(value) if child_tag == 1030]
    assert names == ["Хлеб", "Соль"]
    line.close()
    assert server.stop() == 0

    # The file contains what went over the wire, and fn inspect shows the receipt with its QR code.
    assert [document.form for document in read_archive(fn_file).documents] == [1, 2, 3]
    result = cli("fn", "inspect", fn_file, "--doc", "3")
    assert result.exit_code == 0, result.output
    moment = read_archive(fn_file).documents[2].moment
    assert result.stdout.splitlines()[2] == (
        f"QR code: t={moment:%Y%m%dT%H%M}&s=120.00&fn={serial_number}&i=3&fp={formed.fiscal_sign}&n=1")


def test_fresh_fn_not_registered(start_fn_serve, tmp_path):
    fn_file = tmp_path / "fn.bin"
    server = start_fn_serve("--port", "0", "--fn-file", fn_file)
    _, phase, port = _ready(server, fn_file)
    assert phase == 1
    line = TcpFnLine(port)
    answer = line.exchange(STATUS_REQUEST)
    line.close()
    assert answer[3] == 0x00
    assert answer[4] == 1  # phase 1, готовность к фискализации
    assert server.stop() == 0
    assert read_archive(fn_file).documents == []
    log = "".join(server.stderr)
    assert "serving ФН interface on TCP 127.0.0.1 port" in log
    assert "stopped\n" in server.stderr


def test_vectors_byte_for_byte(start_fn_serve, tmp_path):
    fn_file = tmp_path / "fn.bin"
    server = start_fn_serve("--port", "0", "--fn-file", fn_file)
    serial_number, _, port = _ready(server, fn_file)
    line = TcpFnLine(port)
    # 30h, the frame quoted in polarikus/flipper-zero_fn_tester lib/fn/fn_tools.c: a fresh ФН is in
    # phase 1 with no document, shift or warning, no last document time, its serial and ФД 0.
    status = bytes((1, 0, 0, 0, 0)) + bytes(5) + serial_number.encode() + bytes(4)
    assert line.exchange(STATUS_REQUEST) == encode_frame(0x00, status)
    # 31h, derived by the same CRC rule: the 16-digit ФН number.
    assert line.exchange(bytes.fromhex("04 01 00 31 DE DD")) == encode_frame(0x00, serial_number.encode())
    line.close()
    assert server.stop() == 0


def test_existing_fn_reopened(start_fn_serve, tmp_path):
    fn_file = tmp_path / "fn.bin"
    first = start_fn_serve("--port", "0", "--fn-file", fn_file)
    serial_number, _, port = _ready(first, fn_file)
    line = TcpFnLine(port)
    identity = default_identity(serial_number, FFD_1_05)
    register_fn(FnClient(line), identity, get_profile("shtrih-m-01f", "1.05"), CASHIER, dt.datetime.now())
    line.close()
    assert first.stop() == 0
    before = _digest(fn_file)

    second = start_fn_serve("--port", "0", "--fn-file", fn_file)
    serial_again, phase, port = _ready(second, fn_file)
    assert (serial_again, phase) == (serial_number, 3)
    line = TcpFnLine(port)
    assert FnClient(line).status().last_fd_number == 1
    line.close()
    assert second.stop() == 0
    assert _digest(fn_file) == before


def test_serve_pty(start_fn_serve, tmp_path):
    tty, fn_file = tmp_path / "fn-tty", tmp_path / "fn.bin"
    server = start_fn_serve("--pty", tty, "--fn-file", fn_file)
    fn_line, pty_line = server.read_ready_lines()
    assert fn_line.endswith(" phase 1")
    assert pty_line == f"listening pty {tty}"
    serial_number = fn_line.split(" ")[4]
    with serial.Serial(str(tty), 115200, timeout=IO_TIMEOUT, write_timeout=IO_TIMEOUT) as port:
        port.write(bytes.fromhex("04 01 00 31 DE DD"))
        expected = encode_frame(0x00, serial_number.encode())
        assert port.read(len(expected)) == expected
    assert server.stop() == 0
    assert not os.path.lexists(tty)


# --- startup failures (in-process) ---------------------------------------------------------


def test_port_and_pty_together(cli, tmp_path):
    tty = tmp_path / "tty"
    result = cli("fn", "serve", "--port", "7000", "--pty", tty, "--fn-file", tmp_path / "fn")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: --port 7000 and --pty {tty} cannot be used together: the ФН is served "
                             "on TCP or on a virtual serial port, not both. Give only one of them.\n")
    assert not (tmp_path / "fn").exists()


def test_port_and_pty_together_russian(cli, tmp_path):
    result = cli("--lang", "ru", "fn", "serve", "--port", "0", "--pty", tmp_path / "tty",
                 "--fn-file", tmp_path / "fn")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Ошибка: --port 0 и --pty {tmp_path / 'tty'} нельзя указать вместе")


def test_host_with_pty(cli, tmp_path):
    result = cli("fn", "serve", "--host", "0.0.0.0", "--pty", tmp_path / "tty", "--fn-file", tmp_path / "fn")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --host 0.0.0.0 applies to TCP only")
    assert result.stderr.endswith("Drop --host, or give --port instead of --pty.\n")


def _busy_port() -> socket.socket:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    return busy


@pytest.mark.parametrize("lang, expected", [
    ("en", "Error: cannot listen on 127.0.0.1:{port}: Address already in use. "
           "Give a free port with --port, or 0 to pick one.\n"),
    ("ru", "Ошибка: не удалось открыть 127.0.0.1:{port}: адрес уже используется. Укажите свободный порт "
           "в --port или 0, чтобы выбрать его автоматически.\n"),
])
def test_port_in_use(cli, tmp_path, lang, expected):
    with _busy_port() as busy:
        port = busy.getsockname()[1]
        result = cli("--lang", lang, "fn", "serve", "--port", port, "--fn-file", tmp_path / "fn")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected.format(port=port)
    assert not (tmp_path / "fn").exists()


@pytest.mark.parametrize("content", [b"", b"not an archive at all" * 4], ids=["empty", "text"])
def test_not_an_archive_unchanged(cli, tmp_path, content):
    fn_file = tmp_path / "fn"
    fn_file.write_bytes(content)
    result = cli("fn", "serve", "--port", "0", "--fn-file", fn_file)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: ФН file {fn_file} is not a valid kktemu archive: ")
    assert result.stderr.endswith("Give another --fn-file (a path that does not exist gets a new ФН); "
                                  "the file was not changed.\n")
    assert fn_file.read_bytes() == content


def test_not_an_archive_russian(cli, tmp_path):
    fn_file = tmp_path / "fn"
    fn_file.write_bytes(b"\x00" * 100)
    result = cli("fn", "serve", "--port", "0", "--fn-file", fn_file, env={"LANG": "ru_RU.UTF-8"})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Ошибка: файл ФН {fn_file} не является исправным архивом kktemu: ")
    assert result.stderr.endswith("файл не изменён.\n")


def test_fn_file_under_regular_file(cli, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory")
    fn_file = blocker / "fn"
    result = cli("fn", "serve", "--port", "0", "--fn-file", fn_file)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot open or create ФН file {fn_file}: Not a directory. Check the "
                             "permissions of the file and its directory, or give another --fn-file.\n")


@pytest.mark.parametrize("lang, expected", [
    ("en", "Error: cannot open or create ФН file {path}: Permission denied. Check the permissions of the "
           "file and its directory, or give another --fn-file.\n"),
    ("ru", "Ошибка: не удалось открыть или создать файл ФН {path}: нет доступа. Проверьте права "
           "доступа к файлу и каталогу или укажите другой --fn-file.\n"),
])
def test_unwritable_fn_file(cli, tmp_path, monkeypatch, lang, expected):
    fn_file = tmp_path / "fn"

    def denied(cls, path, serial, now, *args, **kwargs):
        # The error the kernel returns to a process without write permission on the directory (root is exempt).
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(FiscalStorage, "create", classmethod(denied))
    result = cli("--lang", lang, "fn", "serve", "--port", "0", "--fn-file", fn_file)
    assert result.exit_code == 1
    assert result.stderr == expected.format(path=fn_file)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory(cli, tmp_path):
    directory = tmp_path / "locked"
    directory.mkdir()
    directory.chmod(0o500)
    try:
        result = cli("fn", "serve", "--port", "0", "--fn-file", directory / "fn")
    finally:
        directory.chmod(0o700)
    assert result.exit_code == 1
    assert "Permission denied" in result.stderr


def test_fn_file_in_use(cli, tmp_path):
    fn_file = tmp_path / "fn"
    with FiscalStorage.create(fn_file, "9999078900000001", dt.datetime.now):
        before = _digest(fn_file)
        result = cli("fn", "serve", "--port", "0", "--fn-file", fn_file)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: ФН file {fn_file} is in use by another kktemu process (the file is "
                             "locked). Stop that emulator or give another --fn-file.\n")
    assert _digest(fn_file) == before


def test_pty_path_is_regular_file(cli, tmp_path):
    occupied = tmp_path / "occupied"
    occupied.write_bytes(b"keep me")
    result = cli("fn", "serve", "--pty", occupied, "--fn-file", tmp_path / "fn")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot publish the virtual serial port at {occupied}: ")
    assert occupied.read_bytes() == b"keep me"
    assert not (tmp_path / "fn").exists()
