"""``kktemu ofd serve`` in a subprocess and ``kktemu ofd documents`` in-process, in English and Russian."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.ofd.message import decode_message
from kktemu.tools.ofd import DirectoryStore, Result, parse_message
from kktemu.tools.ofd.store import INDEX_NAME

KKTEMU = Path(sys.executable).with_name("kktemu")
READY_TIMEOUT = 20.0  # seconds; a bound for a loaded machine, not a performance claim
RECEIVED = dt.datetime(2024, 3, 1, 6, 31, 5)


def _environment(**locale: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(locale)
    return environment


class OfdProcess:
    """A running ``kktemu ofd serve`` whose stdout lines arrive through a reader thread."""

    def __init__(self, *args: str, options: tuple[str, ...] = (), **locale: str) -> None:
        assert KKTEMU.exists(), f"console script {KKTEMU} is missing; install the package with pip -e"
        self.process = subprocess.Popen(
            [str(KKTEMU), *options, "ofd", "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", env=_environment(**locale))
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def ready_lines(self) -> list[str]:
        lines = []
        for _ in range(2):
            line = self.lines.get(timeout=READY_TIMEOUT)
            if line is None:
                self.process.wait(READY_TIMEOUT)
                pytest.fail(f"kktemu ofd serve exited with {self.process.returncode}: {self.process.stderr.read()}")
            lines.append(line)
        return lines

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        _out, err = self.process.communicate(timeout=READY_TIMEOUT)
        return self.process.returncode, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(READY_TIMEOUT)


@pytest.fixture
def start_ofd():
    started: list[OfdProcess] = []

    def start(*args: str, options: tuple[str, ...] = (), **locale: str) -> OfdProcess:
        process = OfdProcess(*args, options=options, **locale)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def _exchange(port: int, message: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=READY_TIMEOUT) as connection:
        connection.sendall(message)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
            if len(answer) >= 30 and len(answer) >= 30 + int.from_bytes(answer[24:26], "little"):
                break
        return answer


@pytest.mark.parametrize(("options", "locale", "stopped"), [
    ((), {}, "stopped"),
    (("--lang", "ru"), {}, "остановлен"),
    ((), {"LANG": "ru_RU.UTF-8"}, "остановлен"),
])
def test_serve_ready_lines_and_answer(kit, fn_emulator, tmp_path, start_ofd, options, locale, stopped):
    message = kit.read_fn_message(fn_emulator.storage)
    store = tmp_path / "store"
    process = start_ofd("--port", "0", "--store", str(store), "--ofd-inn", "7702203276", options=options, **locale)
    store_line, listening_line = process.ready_lines()
    assert store_line == f"ofd store {store}"
    prefix = "listening tcp 127.0.0.1:"
    assert listening_line.startswith(prefix)
    answer = _exchange(int(listening_line[len(prefix):]), message)
    status, err = process.stop()
    assert status == 0
    assert err.strip().endswith(stopped)
    assert decode_message(answer).container.fd_number == 1
    assert fn_emulator.storage.execute(FnCommand.SEND_OFD_TICKET, answer)[0] == FnResult.OK


def test_serve_reject_option(kit, fn_emulator, tmp_path, start_ofd):
    message = kit.read_fn_message(fn_emulator.storage)
    process = start_ofd("--port", "0", "--store", str(tmp_path / "store"), "--reject", "14")
    _store_line, listening_line = process.ready_lines()
    answer = _exchange(int(listening_line.rsplit(":", 1)[1]), message)
    status, err = process.stop()
    assert answer == b""
    assert status == 0
    assert "mock ОФД fault mode: reject 14" in err


@pytest.fixture
def filled_store(kit, fn_emulator, tmp_path) -> Path:
    """A store directory with ФД 1 rejected with code 14, then accepted."""
    received = parse_message(kit.read_fn_message(fn_emulator.storage))
    store = DirectoryStore(tmp_path / "store")
    store.add(received, result=Result.REJECTED, code=14, received_at=RECEIVED, peer="127.0.0.1:40001")
    store.add(received, result=Result.ACCEPTED, code=0, received_at=RECEIVED.replace(second=9),
              peer="127.0.0.1:40002")
    store.close()
    return tmp_path / "store"


def test_documents_table_en(cli, filled_store, fn_emulator):
    result = cli("ofd", "documents", "--store", filled_store)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["ФН", "ФД", "form", "date", "and", "time", "ФПД", "result", "received", "at",
                                "(UTC)"]
    serial = fn_emulator.storage.serial
    assert lines[1].startswith(f"{serial}   1  1 ")
    assert "rejected 14" in lines[1]
    assert lines[1].endswith("2024-03-01 06:31:05")
    assert "accepted" in lines[2]
    assert lines[2].endswith("2024-03-01 06:31:09")
    assert len(lines) == 3


def test_documents_table_ru(cli, filled_store):
    result = cli("--lang", "ru", "ofd", "documents", "--store", filled_store)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("ФН")
    assert "форма" in lines[0]
    assert "отклонён 14" in lines[1]
    assert "принят" in lines[2]


def test_documents_json(cli, filled_store):
    result = cli("ofd", "documents", "--store", filled_store, "--json")
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.output.splitlines()]
    index = [json.loads(line) for line in (filled_store / INDEX_NAME).read_text(encoding="utf-8").splitlines()]
    assert objects == index
    assert [item["result"] for item in objects] == ["rejected", "accepted"]
    assert objects[0]["code"] == 14


def test_documents_empty_store(cli, tmp_path):
    (tmp_path / "store").mkdir()
    result = cli("ofd", "documents", "--store", tmp_path / "store")
    assert result.exit_code == 0
    assert result.output == f"no documents in {tmp_path / 'store'}\n"
    assert cli("ofd", "documents", "--store", tmp_path / "store", "--json").output == ""


@pytest.mark.parametrize(("setup", "text_en", "text_ru"), [
    ("missing", "not found. Give the --store", "не найден"),
    ("file", "is not a directory", "не является каталогом"),
    ("damaged", "cannot be read", "не читается"),
])
def test_documents_bad_store(cli, tmp_path, setup, text_en, text_ru):
    path = tmp_path / "store"
    if setup == "file":
        path.write_text("x")
    elif setup == "damaged":
        path.mkdir()
        (path / INDEX_NAME).write_text("not json\n")
    english = cli("ofd", "documents", "--store", path)
    assert english.exit_code == 1
    assert english.output.startswith("Error: ")
    assert text_en in english.output
    russian = cli("--lang", "ru", "ofd", "documents", "--store", path)
    assert russian.exit_code == 1
    assert russian.output.startswith("Ошибка: ")
    assert text_ru in russian.output


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "{index} line 1 is not a valid arrival record: missing fields 'sequence',"),
    ("ru", "его индекс index.jsonl повреждён"),
])
def test_documents_record_missing_field(cli, tmp_path, lang, text):
    store = tmp_path / "store"
    store.mkdir()
    (store / INDEX_NAME).write_text('{"a": 1}\n')
    result = cli("--lang", lang, "ofd", "documents", "--store", store)
    assert result.exit_code == 1
    assert text.format(index=store / INDEX_NAME) in result.output
    assert "KeyError" not in result.output
    assert "{'a': 1}" not in result.output


@pytest.mark.parametrize(("args", "text"), [
    (("--reject", "14", "--drop"), "--reject and --drop cannot be used together"),
    (("--drop", "--no-answer"), "--drop and --no-answer cannot be used together"),
    (("--ofd-inn", "1234567890"), "--ofd-inn '1234567890' is not a valid ИНН"),
    (("--delay", "inf"), "--delay inf is not a number of seconds"),
    (("--delay", "nan"), "--delay nan is not a number of seconds"),
])
def test_serve_bad_options_exit_2(cli, tmp_path, args, text):
    result = cli("ofd", "serve", "--port", "0", "--store", tmp_path / "store", *args)
    assert result.exit_code == 2
    assert text in result.output
    assert not (tmp_path / "store").exists()


def test_serve_bad_option_values(cli, tmp_path):
    for args in (("--reject", "0"), ("--delay", "-1"), ("--port", "70000")):
        result = cli("ofd", "serve", "--store", tmp_path / "store", *args)
        assert result.exit_code == 2, args


def test_serve_store_in_use(cli, tmp_path):
    holder = DirectoryStore(tmp_path / "store")
    try:
        result = cli("ofd", "serve", "--port", "0", "--store", tmp_path / "store")
    finally:
        holder.close()
    assert result.exit_code == 1
    assert "is in use by another `kktemu ofd serve`" in result.output


def test_serve_port_busy(cli, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("--lang", "ru", "ofd", "serve", "--port", port, "--store", tmp_path / "store")
    assert result.exit_code == 1
    assert f"не удалось открыть 127.0.0.1:{port}" in result.output
    # The port is checked before the store directory is created.
    assert not (tmp_path / "store").exists()


def test_serve_bad_options_ru(cli, tmp_path):
    result = cli("--lang", "ru", "ofd", "serve", "--store", tmp_path / "store", "--drop", "--no-answer")
    assert result.exit_code == 2
    assert result.output.startswith("Ошибка: --drop и --no-answer нельзя указать вместе")


def test_serve_help_states_exit_2(cli):
    text = " ".join(cli("ofd", "serve", "--help").output.split())
    assert "2 for a wrong option value (such as an --ofd-inn that is not an ИНН)" in text
    assert "contradict each other (such as --reject with --drop)" in text
