"""``kktemu serve``: the installed console script in a subprocess, and startup failures in-process.

The subprocess tests read the ready lines with a bounded wait, talk to the
register over a raw TCP socket and over the pty with pyserial, and stop it with
a signal. Startup failures that happen before serving run through CliRunner,
which is faster and checks the same messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial
from kktemu.emulator.app import Emulator
from kktemu.emulator.profiles import get_profile
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.documents import decode_document
from kktemu.protocol.shtrih.commands import DeviceTypeAnswer
from kktemu.tools.clock_option import make_clock
from support.cli_process import CliProcess, environment_without_locale

KKTEMU = Path(sys.executable).with_name("kktemu")
READY_TIMEOUT = 20.0  # seconds; a bound for a loaded CI machine, not a performance claim
IO_TIMEOUT = 5.0

ENQ, ACK, NAK, STX = b"\x05", b"\x06", b"\x15", b"\x02"
DEVICE_TYPE_FRAME = bytes.fromhex("0201FCFD")  # STX, LEN 1, command FCh, LRC = 01 ^ FC
DEVICE_NAME = "ШТРИХ-М-01Ф"


def _environment(**locale: str) -> dict[str, str]:
    return environment_without_locale(**locale)


class ServeProcess(CliProcess):
    """A running ``kktemu serve``; ``options`` go before the command name."""

    def __init__(self, *args: str | os.PathLike[str], options: tuple[str, ...] = (), **locale: str) -> None:
        super().__init__([*options, "serve", *map(str, args)], environment_without_locale(**locale),
                         name="kktemu serve")

    def read_ready_lines(self, count: int) -> list[str]:
        """Wait (bounded) for ``count`` stdout lines; fail with stderr if the process ends first."""
        return self.read_lines(count)


@pytest.fixture
def start_serve() -> Iterator:
    """Return ``start(*args, options=(), **locale)`` for ServeProcess; kills leftovers at teardown."""
    started: list[ServeProcess] = []

    def start(*args: str | os.PathLike[str], options: tuple[str, ...] = (), **locale: str) -> ServeProcess:
        process = ServeProcess(*args, options=options, **locale)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def _run_serve(*args: str | os.PathLike[str], **locale: str) -> subprocess.CompletedProcess[str]:
    """Run a ``kktemu serve`` that is expected to fail at startup."""
    return subprocess.run([str(KKTEMU), "serve", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=_environment(**locale), timeout=READY_TIMEOUT)


def _listening_port(line: str) -> int:
    prefix = "listening tcp 127.0.0.1:"
    assert line.startswith(prefix), line
    return int(line[len(prefix):])


def _lrc(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def _read_answer(read) -> bytes:
    """Read ``STX LEN body LRC`` with ``read(n)``; check the LRC and return the body."""
    assert read(1) == STX
    length = read(1)
    assert len(length) == 1
    rest = read(length[0] + 1)
    assert len(rest) == length[0] + 1
    body, lrc = rest[:-1], rest[-1]
    assert lrc == _lrc(length + body)
    return body


def _check_device_type_answer(body: bytes) -> None:
    assert body[:2] == b"\xFC\x00"
    assert body.endswith(DEVICE_NAME.encode("cp1251"))
    assert DeviceTypeAnswer.decode(body).name == DEVICE_NAME


def _exchange_tcp(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as connection:
        def read(count: int) -> bytes:
            data = b""
            while len(data) < count:
                chunk = connection.recv(count - len(data))
                assert chunk, f"connection closed after {data.hex()}"
                data += chunk
            return data

        connection.sendall(ENQ)
        assert read(1) == NAK  # no answer is waiting
        connection.sendall(DEVICE_TYPE_FRAME)
        assert read(1) == ACK
        _check_device_type_answer(_read_answer(read))
        connection.sendall(ACK)


def _exchange_pty(path: Path) -> None:
    with serial.Serial(str(path), 115200, timeout=IO_TIMEOUT, write_timeout=IO_TIMEOUT) as port:
        port.write(ENQ)
        assert port.read(1) == NAK
        port.write(DEVICE_TYPE_FRAME)
        assert port.read(1) == ACK
        _check_device_type_answer(_read_answer(port.read))
        port.write(ACK)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- serving -----------------------------------------------------------------------------


def test_serve_tcp_pty_then_sigterm(start_serve, tmp_path):
    tty, fn_file = tmp_path / "tty", tmp_path / "fn"
    server = start_serve("--port", "0", "--pty", tty, "--fn-file", fn_file)
    first, tcp_line, pty_line = server.read_ready_lines(3)
    assert first.startswith(f"fn file {fn_file} serial 99990789")
    assert first.endswith(" ФФД 1.05")
    assert pty_line == f"listening pty {tty}"
    assert os.readlink(tty).startswith("/dev/pts/")

    _exchange_tcp(_listening_port(tcp_line))
    _exchange_pty(tty)

    assert server.stop(signal.SIGTERM) == 0
    assert "stopped\n" in server.stderr
    assert not os.path.lexists(tty)
    assert fn_file.is_file()
    assert [document.form for document in read_archive(fn_file).documents] == [1]


def test_serve_sigint_exit_zero(start_serve, tmp_path):
    server = start_serve("--port", "0", "--pty", tmp_path / "tty", "--fn-file", tmp_path / "fn", options=("-v",))
    server.read_ready_lines(3)
    assert server.stop(signal.SIGINT) == 0
    assert not os.path.lexists(tmp_path / "tty")
    log = "".join(server.stderr)
    assert "INFO kktemu.tools.serve: stopping on SIGINT" in log
    assert "INFO kktemu.emulator.app: created test ФН" in log


def test_serve_ipv6_address_in_brackets(start_serve, tmp_path):
    with socket.socket(socket.AF_INET6) as probe:
        try:
            probe.bind(("::1", 0))
        except OSError as exc:
            pytest.skip(f"no IPv6 loopback here: {exc}")
    server = start_serve("--host", "::1", "--port", "0", "--fn-file", tmp_path / "fn")
    line = server.read_ready_lines(2)[1]
    assert line.startswith("listening tcp [::1]:")
    assert server.stop() == 0


def test_serve_reopens_existing_fn(start_serve, tmp_path):
    fn_file = tmp_path / "fn"
    first = start_serve("--port", "0", "--fn-file", fn_file)
    serial_line = first.read_ready_lines(2)[0]
    assert first.stop() == 0
    before = _digest(fn_file)
    second = start_serve("--port", "0", "--fn-file", fn_file)
    assert second.read_ready_lines(2)[0] == serial_line
    assert second.stop() == 0
    assert _digest(fn_file) == before


def test_second_serve_same_fn_in_use(start_serve, tmp_path):
    fn_file = tmp_path / "fn"
    first = start_serve("--port", "0", "--fn-file", fn_file)
    port = _listening_port(first.read_ready_lines(2)[1])
    before = _digest(fn_file)

    second = _run_serve("--port", "0", "--pty", tmp_path / "tty2", "--fn-file", fn_file)
    assert second.returncode == 1
    assert second.stdout == ""
    assert second.stderr == (f"Error: ФН file {fn_file} is in use by another kktemu process (the file is "
                             "locked). Stop that emulator or give another --fn-file.\n")
    assert not os.path.lexists(tmp_path / "tty2")
    assert _digest(fn_file) == before

    _exchange_tcp(port)  # the first register still works
    assert first.stop() == 0


def test_second_serve_in_use_russian(start_serve, tmp_path):
    fn_file = tmp_path / "fn"
    first = start_serve("--port", "0", "--fn-file", fn_file, LANG="ru_RU.UTF-8")
    ready = first.read_ready_lines(2)
    assert ready[0].startswith(f"fn file {fn_file} serial ")  # scripts parse it in any locale
    assert ready[1].startswith("listening tcp 127.0.0.1:")
    second = _run_serve("--port", "0", "--fn-file", fn_file, LANG="ru_RU.UTF-8")
    assert second.returncode == 1
    assert second.stderr.startswith(f"Ошибка: файл ФН {fn_file} используется другим процессом kktemu")
    assert first.stop() == 0
    assert "остановлен\n" in first.stderr


def test_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run_serve("--port", port, "--fn-file", tmp_path / "fn")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: cannot listen on 127.0.0.1:{port}: Address already in use. "
                             "Give a free port with --port, or 0 to pick one.\n")
    assert not (tmp_path / "fn").exists()


def test_ffd_12_new_fn(start_serve, tmp_path, cli):
    fn_file = tmp_path / "fn"
    server = start_serve("--port", "0", "--fn-file", fn_file, "--ffd", "1.2")
    assert server.read_ready_lines(2)[0].endswith(" ФФД 1.2")
    assert server.stop() == 0
    result = cli("fn", "inspect", fn_file, "--doc", "1")
    assert result.exit_code == 0, result.output
    assert "  1209 FFD version: 4" in result.stdout.splitlines()
    assert "  1189 register FFD version: 4" in result.stdout.splitlines()


def test_existing_fn_keeps_its_ffd(start_serve, tmp_path):
    fn_file = tmp_path / "fn"
    Emulator(fn_file, profile=get_profile("shtrih-m-01f", "1.2")).close()
    server = start_serve("--port", "0", "--fn-file", fn_file, "--ffd", "1.05")
    assert server.read_ready_lines(2)[0].endswith(" ФФД 1.2")
    assert server.stop() == 0
    fields = {field.tag: field.value for field in decode_document(read_archive(fn_file).documents[0].stlv).fields}
    assert fields[1209] == 4


# --- startup failures (in-process) -------------------------------------------------------


def test_bad_host(cli, tmp_path):
    result = cli("serve", "--host", "300.1.1.1", "--port", "0", "--fn-file", tmp_path / "fn")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot listen on 300.1.1.1:0: ")
    assert result.stderr.endswith("Give an IP address or host name of this machine with --host "
                                  "(127.0.0.1 by default).\n")
    assert not (tmp_path / "fn").exists()


def test_missing_fn_directory(cli, tmp_path):
    fn_file = tmp_path / "absent" / "fn"
    result = cli("serve", "--port", "0", "--fn-file", fn_file)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot create ФН file {fn_file}: directory {tmp_path / 'absent'} "
                             "does not exist. Create it or give another --fn-file.\n")


def test_missing_fn_directory_russian(cli, tmp_path):
    fn_file = tmp_path / "absent" / "fn"
    result = cli("serve", "--port", "0", "--fn-file", fn_file, env={"LC_MESSAGES": "ru_RU.UTF-8"})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Ошибка: не удалось создать файл ФН {fn_file}: каталога ")


def test_fn_file_is_directory(cli, tmp_path):
    result = cli("serve", "--port", "0", "--fn-file", tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {tmp_path} is a directory, not a ФН file. "
                             "Give the path of the archive file itself.\n")


@pytest.mark.parametrize("content", [b"", b"not an archive at all" * 4], ids=["empty", "text"])
def test_corrupt_fn_file_unchanged(cli, tmp_path, content):
    fn_file = tmp_path / "fn"
    fn_file.write_bytes(content)
    result = cli("serve", "--port", "0", "--fn-file", fn_file)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: ФН file {fn_file} is not a valid kktemu archive: ")
    assert result.stderr.endswith("the file was not changed.\n")
    assert fn_file.read_bytes() == content


def test_pty_path_is_regular_file(cli, tmp_path):
    occupied = tmp_path / "occupied"
    occupied.write_bytes(b"keep me")
    result = cli("serve", "--port", "0", "--pty", occupied, "--fn-file", tmp_path / "fn")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot publish the virtual serial port at {occupied}: a file that is "
                             "not a symlink is there. Remove it or give another path with --pty.\n")
    assert occupied.read_bytes() == b"keep me"
    assert not (tmp_path / "fn").exists()


def test_pty_directory_missing(cli, tmp_path):
    tty = tmp_path / "absent" / "tty"
    result = cli("serve", "--port", "0", "--pty", tty, "--fn-file", tmp_path / "fn")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot publish the virtual serial port at {tty}: No such file or "
                             "directory. Give another path with --pty.\n")
    assert not (tmp_path / "fn").exists()


@pytest.mark.parametrize(("args", "option"), [
    (("--port", "70000"), "--port"),
    (("--ffd", "1.1"), "--ffd"),
    (("--lang-typo",), "--lang-typo"),
])
def test_usage_errors_exit_2(cli, tmp_path, args, option):
    result = cli("serve", "--fn-file", tmp_path / "fn", *args)
    assert result.exit_code == 2
    assert option in result.stderr
    assert not (tmp_path / "fn").exists()


def _filler_after_ack(port: int) -> bytes:
    # One exchange, then ENQ: a network register sends 0xFF after our ACK, before its NAK.
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as connection:
        def read(count: int) -> bytes:
            data = b""
            while len(data) < count:
                chunk = connection.recv(count - len(data))
                assert chunk, f"connection closed after {data.hex()}"
                data += chunk
            return data

        connection.sendall(ENQ)
        assert read(1) == NAK
        connection.sendall(DEVICE_TYPE_FRAME)
        assert read(1) == ACK
        _read_answer(read)
        connection.sendall(ACK + ENQ)
        reply = read(1)
        return reply if reply == NAK else reply + read(1)


@pytest.mark.parametrize("option, expected", [((), b"\xff\x15"), (("--no-tcp-ff",), b"\x15"),
                                              (("--tcp-ff",), b"\xff\x15")])
def test_tcp_ff_switch(start_serve, tmp_path, option, expected):
    server = start_serve("--port", "0", "--fn-file", tmp_path / "fn", *option)
    _first, tcp_line = server.read_ready_lines(2)
    assert _filler_after_ack(_listening_port(tcp_line)) == expected
    assert server.stop(signal.SIGTERM) == 0


# --- --clock and --freeze-clock --------------------------------------------------------------


def test_clock_start_frozen_dates_new_fn(start_serve, tmp_path):
    fn_file = tmp_path / "fn"
    server = start_serve("--port", "0", "--fn-file", fn_file, "--clock", "2030-01-02T03:04:05", "--freeze-clock")
    server.read_ready_lines(2)
    assert server.stop() == 0
    registration = read_archive(fn_file).documents[0]
    assert registration.moment == dt.datetime(2030, 1, 2, 3, 4)
    assert registration.fn_time == dt.datetime(2030, 1, 2, 3, 4, 5)


@pytest.mark.parametrize(("value", "english", "fix", "russian"), [
    ("yesterday", " is not a date and time", "e.g. --clock 2024-03-01T09:30.", " не является датой и временем"),
    ("2024-02-30T10:00", " is not a date and time", "e.g. --clock 2024-03-01T09:30.",
     " не является датой и временем"),
    ("2024-03-01T09:30:00+03:00", " has a UTC offset", "Drop the offset (e.g. --clock 2024-03-01T09:30:00).",
     " содержит смещение от UTC"),
    ("1999-12-31T23:59:59", ": the year 1999 is outside 2000..2099", "Give a year from 2000 to 2099.",
     ": 1999 год не помещается в дату и время ФН"),
    ("2100-01-01T00:00", ": the year 2100 is outside 2000..2099", "Give a year from 2000 to 2099.",
     ": 2100 год не помещается в дату и время ФН"),
])
def test_bad_clock_is_usage_error(cli, tmp_path, value, english, fix, russian):
    result = cli("serve", "--port", "0", "--fn-file", tmp_path / "fn", "--clock", value)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --clock {value!r}{english}")
    assert result.stderr.endswith(f"{fix}\n")
    result = cli("serve", "--port", "0", "--fn-file", tmp_path / "fn", "--clock", value,
                 env={"LANG": "ru_RU.UTF-8"})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Ошибка: --clock {value!r}{russian}")
    assert not (tmp_path / "fn").exists()


@pytest.mark.parametrize(("value", "moment"), [
    ("2024-03-01T09:30", dt.datetime(2024, 3, 1, 9, 30)),
    ("2024-03-01 09:30:15", dt.datetime(2024, 3, 1, 9, 30, 15)),
    (" 2099-12-31T23:59:59 ", dt.datetime(2099, 12, 31, 23, 59, 59)),
    ("2000-01-01", dt.datetime(2000, 1, 1)),
])
def test_clock_option_accepts_iso_local_times(value, moment):
    clock = make_clock(value, True, "en")
    assert clock.frozen
    assert clock.now() == moment
