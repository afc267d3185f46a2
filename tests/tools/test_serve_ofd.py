"""``kktemu serve --ofd``: parsing the address, its error messages, and sales that reach an ОФД.

The subprocess tests run the installed console script, with ``--ofd`` pointing
at a small ОФД server in a thread of the test or with ``--ofd builtin``, sell
through pyshtrih over TCP and read the ФН's unsent count back through the
register. ``kktemu ofd documents`` then lists what the built-in ОФД stored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyshtrih
import pytest
import serial

from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.protocol.ofd.message import decode_message
from kktemu.protocol.ofd.session import SESSION_HEADER_SIZE, read_session_header
from kktemu.tools.ofd import DirectoryStore
from kktemu.tools.errors import CliError
from kktemu.tools.ofd_option import (
    BuiltinOfd,
    OfdAddress,
    check_not_register_address,
    make_ofd_target,
    parse_ofd_address,
)

KKTEMU = Path(sys.executable).with_name("kktemu")
READY_TIMEOUT = 20.0  # seconds; a hang guard for a loaded CI machine, not a performance claim


# --- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("127.0.0.1:7779", OfdAddress("127.0.0.1", 7779)),
    ("localhost:1", OfdAddress("localhost", 1)),
    ("ofd.test:65535", OfdAddress("ofd.test", 65535)),
    ("[::1]:7779", OfdAddress("::1", 7779)),
    (" 127.0.0.1:21101 ", OfdAddress("127.0.0.1", 21101)),
])
def test_parse_valid_addresses(value, expected):
    assert parse_ofd_address(value, "en") == expected


def test_address_text_brackets_ipv6():
    assert str(OfdAddress("::1", 7779)) == "[::1]:7779"
    assert str(OfdAddress("127.0.0.1", 7779)) == "127.0.0.1:7779"


@pytest.mark.parametrize(("value", "fragment"), [
    ("127.0.0.1", "has no port"),
    ("127.0.0.1:", "has no port"),
    ("[::1]", "has no port"),
    ("[::1]7779", "has no port"),
    (":7779", "has no host"),
    ("127.0.0.1:0", "port '0' is not a number from 1 to 65535"),
    ("127.0.0.1:65536", "port '65536' is not a number from 1 to 65535"),
    ("127.0.0.1:-5", "port '-5' is not a number"),
    ("127.0.0.1:http", "port 'http' is not a number"),
    ("127.0.0.1:７７７９", "port '７７７９' is not a number"),
    ("::1:7779", "an IPv6 address must be in brackets"),
])
def test_bad_address_exits_2_in_english(cli, value, fragment):
    result = cli("serve", "--ofd", value)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: --ofd {value!r}")
    assert fragment in result.output
    assert "--ofd 127.0.0.1:7777" in result.output or "--ofd [::1]:7777" in result.output


@pytest.mark.parametrize(("value", "fragment"), [
    ("127.0.0.1", "нет порта"),
    (":7779", "нет хоста"),
    ("127.0.0.1:70000", "порт '70000' не является числом от 1 до 65535"),
    ("::1:7779", "IPv6-адрес нужно заключить в квадратные скобки"),
])
def test_bad_address_exits_2_in_russian(cli, value, fragment):
    result = cli("--lang", "ru", "serve", "--ofd", value)
    assert result.exit_code == 2
    assert result.output.startswith("Ошибка: ")
    assert repr(value) in result.output
    assert fragment in result.output


def test_bad_address_creates_no_fn_file(cli, tmp_path):
    fn_file = tmp_path / "fn"
    result = cli("serve", "--port", "0", "--fn-file", fn_file, "--ofd", "127.0.0.1")
    assert result.exit_code == 2
    assert not fn_file.exists()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_unresolved_host_exits_1(cli, monkeypatch, tmp_path, lang):
    # The resolver is replaced, so the test sends no DNS query.
    def no_such_host(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    fn_file = tmp_path / "fn"
    result = cli("--lang", lang, "serve", "--port", "0", "--fn-file", fn_file, "--ofd", "ofd.invalid:7779")
    assert result.exit_code == 1
    assert "ofd.invalid:7779" in result.output
    if lang == "en":
        assert "Name or service not known" in result.output
        assert "the host ofd.invalid does not resolve" in result.output
        assert "give the ОФД server's IP address" in result.output
    else:
        assert "не удалось найти адрес хоста ofd.invalid (имя или служба не найдены)" in result.output
    assert not fn_file.exists()


@pytest.mark.parametrize("value", ["builtin", "BUILTIN", "BuiltIn", " builtin "])
def test_builtin_choice(value):
    assert make_ofd_target(value, None, "en") == BuiltinOfd("kktemu-ofd")
    assert make_ofd_target(value, "/tmp/store", "en") == BuiltinOfd("/tmp/store")


@pytest.mark.parametrize(("lang", "fragment"), [
    ("en", "--ofd builtin takes no port"),
    ("ru", "для --ofd builtin порт не указывается"),
])
@pytest.mark.parametrize("value", ["builtin:17777", "BUILTIN:17777", "Builtin:"])
def test_builtin_with_port_exits_2(cli, monkeypatch, tmp_path, lang, fragment, value):
    def no_lookup(*args, **kwargs):
        raise AssertionError("builtin with a port must not reach the resolver")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    fn_file = tmp_path / "fn"
    result = cli("--lang", lang, "serve", "--port", "0", "--fn-file", fn_file, "--ofd", value)
    assert result.exit_code == 2
    assert repr(value) in result.output
    assert fragment in result.output
    assert "--ofd-store" in result.output
    assert "does not resolve" not in result.output
    assert not fn_file.exists()


def test_no_ofd_option_means_no_link():
    assert make_ofd_target(None, None, "en") is None


@pytest.mark.parametrize(("lang", "fragment"), [
    ("en", "--ofd-store store applies to --ofd builtin only"),
    ("ru", "--ofd-store store действует только с --ofd builtin"),
])
def test_store_without_builtin_exits_2(cli, lang, fragment):
    for extra in ((), ("--ofd", "127.0.0.1:7779")):
        result = cli("--lang", lang, "serve", "--ofd-store", "store", *extra)
        assert result.exit_code == 2
        assert fragment in result.output


@pytest.mark.parametrize(("lang", "fragment"), [
    ("en", "is in use by another mock ОФД. Stop that server or give another --ofd-store."),
    ("ru", "занят другим имитатором ОФД. Остановите тот сервер или укажите другой --ofd-store."),
])
def test_builtin_store_in_use_exits_1(cli, tmp_path, lang, fragment):
    store, fn_file = tmp_path / "store", tmp_path / "fn"
    holder = DirectoryStore(store)
    try:
        result = cli("--lang", lang, "serve", "--port", "0", "--fn-file", fn_file, "--ofd", "builtin",
                     "--ofd-store", store)
    finally:
        holder.close()
    assert result.exit_code == 1
    assert f"{store} {fragment}" in result.output
    assert not fn_file.exists()


def test_builtin_store_not_directory_exits_1(cli, tmp_path):
    store, fn_file = tmp_path / "store", tmp_path / "fn"
    store.write_text("a file, not a directory")
    result = cli("serve", "--port", "0", "--fn-file", fn_file, "--ofd", "builtin", "--ofd-store", store)
    assert result.exit_code == 1
    assert f"cannot use store directory {store}: Not a directory." in result.output
    assert "cannot open store directory" not in result.output
    assert "Give another --ofd-store." in result.output
    assert not fn_file.exists()


def test_help_names_option_in_both_languages(cli):
    assert "--ofd HOST:PORT|builtin" in cli("serve", "--help").output
    assert "--ofd-store DIR" in cli("serve", "--help").output
    assert "квитанция in the ФН" in " ".join(cli("serve", "--help").output.split())
    assert "сервер ОФД" in " ".join(cli("--lang", "ru", "serve", "--help").output.split())


# --- a sale through the console script ----------------------------------------------------------


class _OfdHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        stream = self.request.makefile("rb")
        header_bytes = stream.read(SESSION_HEADER_SIZE)
        header, _end = read_session_header(header_bytes)
        message = header_bytes + stream.read(header.body_length)
        self.server.received.put(decode_message(message).container.fd_number)
        self.request.sendall(confirm_message(message, ofd_inn="7704358518",
                                             received_at=dt.datetime(2024, 3, 1, 6, 0)))


class _ThreadedOfd(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _OfdHandler)
        self.received: queue.Queue[int] = queue.Queue()


@pytest.fixture
def threaded_ofd():
    server = _ThreadedOfd()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    environment["PYTHONIOENCODING"] = "utf-8"
    return environment


def _connect(port: int) -> pyshtrih.ShtrihM01F:
    url = f"socket://127.0.0.1:{port}"
    device = pyshtrih.ShtrihM01F(port=url, timeout=3)
    device.protocol.serial = serial.serial_for_url(url, do_not_open=True, timeout=3, write_timeout=3)
    device.connect()
    return device


def _wait_all_sent(device: pyshtrih.ShtrihM01F) -> None:
    # The квитанция reaches the ФН just after the ОФД sends it: poll, bounded by the hang guard.
    deadline = time.monotonic() + READY_TIMEOUT
    while device.fs_unconfirmed_document_count()["Количество неподтверждённых ФД"] != 0:
        assert time.monotonic() < deadline, "the ФН still counts unsent documents"
        time.sleep(0.05)


def _read_line(process: subprocess.Popen) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=READY_TIMEOUT).rstrip("\n")
    except queue.Empty:
        pytest.fail(f"kktemu serve printed no line within {READY_TIMEOUT} s")


def test_serve_delivers_sale_to_ofd(threaded_ofd, tmp_path):
    address = f"127.0.0.1:{threaded_ofd.server_address[1]}"
    process = subprocess.Popen(
        [str(KKTEMU), "serve", "--port", "0", "--no-tcp-ff", "--fn-file", str(tmp_path / "fn"), "--ofd", address,
         "--clock", "2024-03-01T09:00:00", "--freeze-clock"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_environment())
    try:
        assert _read_line(process).startswith("fn file ")
        tcp_line = _read_line(process)
        assert _read_line(process) == f"ofd {address}"
        port = int(tcp_line.rsplit(":", 1)[1])
        assert threaded_ofd.received.get(timeout=READY_TIMEOUT) == 1  # the registration report

        device = _connect(port)
        try:
            device.open_shift()
            device.open_check(0)
            device.sale(("Хлеб", 1000, 4500), tax1=1)
            device.close_check(4500)
            assert threaded_ofd.received.get(timeout=READY_TIMEOUT) == 2
            assert threaded_ofd.received.get(timeout=READY_TIMEOUT) == 3
            _wait_all_sent(device)
            assert device.fs_find_document_by_num(3)["Получена ли квитанция из ОФД"] == 1
        finally:
            device.disconnect()
    finally:
        process.terminate()
        process.wait(READY_TIMEOUT)
    assert process.returncode == 0


def _kktemu(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KKTEMU), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          env=_environment(), timeout=READY_TIMEOUT)


def test_serve_builtin_ofd_then_documents(tmp_path):
    store = tmp_path / "ofd-store"
    process = subprocess.Popen(
        [str(KKTEMU), "serve", "--port", "0", "--no-tcp-ff", "--fn-file", str(tmp_path / "fn"), "--ofd", "builtin",
         "--ofd-store", str(store), "--clock", "2024-03-01T09:00:00", "--freeze-clock"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_environment())
    try:
        fn_line = _read_line(process)
        serial_number = fn_line.split()[4]
        tcp_line = _read_line(process)
        assert _read_line(process) == f"ofd store {store}"
        ofd_line = _read_line(process)
        assert ofd_line.startswith("ofd 127.0.0.1:")
        assert int(ofd_line.rsplit(":", 1)[1]) > 0

        device = _connect(int(tcp_line.rsplit(":", 1)[1]))
        try:
            device.open_shift()
            device.open_check(0)
            device.sale(("Хлеб", 1000, 4500), tax1=1)
            device.close_check(4500)
            _wait_all_sent(device)
            assert device.fs_find_document_by_num(3)["Получена ли квитанция из ОФД"] == 1
        finally:
            device.disconnect()

        # The store can be listed while the server runs.
        listed = _kktemu("ofd", "documents", "--store", store, "--json")
        assert listed.returncode == 0, listed.stderr
    finally:
        process.terminate()
        process.wait(READY_TIMEOUT)
    assert process.returncode == 0

    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(record["fn_serial"], record["fd_number"], record["form"], record["result"]) for record in records] == [
        (serial_number, 1, 1, "accepted"), (serial_number, 2, 2, "accepted"), (serial_number, 3, 3, "accepted")]

    table = _kktemu("ofd", "documents", "--store", store)
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()
    assert len(rows) == 4
    assert rows[3].startswith(f"{serial_number}   3  3 ")
    assert "accepted" in rows[3]


# --- an --ofd that is the register's own address -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _local_names(real_getaddrinfo):
    # "localhost" is answered here, so the test never depends on the machine's resolver configuration.
    def lookup(host, port, *args, **kwargs):
        if host == "localhost":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)
    return lookup


@pytest.mark.parametrize(("register", "ofd_host"), [
    ("127.0.0.1", "127.0.0.1"),
    ("127.0.0.1", "localhost"),
    ("127.0.0.1", "0.0.0.0"),
])
def test_ofd_at_register_port_exits_2(cli, monkeypatch, tmp_path, register, ofd_host):
    monkeypatch.setattr(socket, "getaddrinfo", _local_names(socket.getaddrinfo))
    port = _free_port()
    fn_file = tmp_path / "fn"
    result = cli("serve", "--host", register, "--port", port, "--fn-file", fn_file, "--ofd", f"{ofd_host}:{port}")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: --ofd {ofd_host}:{port}: this register listens on {register}:{port}")
    assert "Give the address of the ОФД" in " ".join(result.output.split())
    assert "--ofd builtin, or another --port" in " ".join(result.output.split())
    assert not fn_file.exists()


def test_ofd_at_register_port_in_russian(cli, tmp_path):
    port = _free_port()
    result = cli("--lang", "ru", "serve", "--port", port, "--fn-file", tmp_path / "fn", "--ofd", f"127.0.0.1:{port}")
    assert result.exit_code == 2
    assert result.output.startswith(f"Ошибка: --ofd 127.0.0.1:{port}: на 127.0.0.1:{port} слушает сама эта ККТ")


@pytest.mark.parametrize(("listening", "ofd"), [
    ([("127.0.0.1", 7778)], OfdAddress("127.0.0.1", 7778)),
    ([("127.0.0.1", 7778)], OfdAddress("::1", 7778)),
    ([("::1", 7778)], OfdAddress("127.0.0.1", 7778)),
    ([("::", 7778)], OfdAddress("127.0.0.1", 7778)),
    ([("0.0.0.0", 7778)], OfdAddress("localhost", 7778)),
    ([("127.0.0.1", 40000), ("::1", 40000)], OfdAddress("::", 40000)),
])
def test_register_address_check_rejects(monkeypatch, listening, ofd):
    monkeypatch.setattr(socket, "getaddrinfo", _local_names(socket.getaddrinfo))
    with pytest.raises(CliError) as caught:
        check_not_register_address(ofd, listening, "en")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("listening", "ofd"), [
    ([("127.0.0.1", 7778)], OfdAddress("127.0.0.1", 7777)),
    ([("0.0.0.0", 7778)], OfdAddress("127.0.0.1", 7777)),
    # 192.0.2.1 (TEST-NET-1) is no address of this machine; checking it sends nothing.
    ([("0.0.0.0", 7778)], OfdAddress("192.0.2.1", 7778)),
    ([("127.0.0.1", 7778)], OfdAddress("192.0.2.1", 7778)),
])
def test_register_address_check_accepts(listening, ofd):
    check_not_register_address(ofd, listening, "en")


def test_register_address_check_skips_unresolved(monkeypatch):
    def no_such_host(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    check_not_register_address(OfdAddress("ofd.invalid", 7778), [("127.0.0.1", 7778)], "en")

