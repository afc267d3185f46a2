"""The register memory journal ``<fn file>.kkt`` damaged, cut, deleted or unwritable.

The journal keeps what a real register keeps apart from its ФН: the drawer,
the document counter, tables and registers. The rules under test:

- A start on a journal that exists but has no readable snapshot is mode 9,
  and only 16h (technological reset) leaves it.
- A torn or damaged last line costs that change only.
- A missing journal, or one of another ФН, is rebuilt from the ФН archive
  without mode 9.
- A non-fiscal change (cash in, a table write) answered with success is on
  disk. When the journal cannot be written, the command is refused with 74h and
  nothing changes.

Full-disk cases run a child Python process under RLIMIT_FSIZE, so that only the
child's writes are cut short. Tests marked xfail pin open bugs; each one names
the bug in its reason and turns into a failure (strict) once the bug is fixed.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.fn_storage import read_archive
from kktemu.protocol.errors import KktemuError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

START = dt.datetime(2024, 3, 1, 9, 0, 0)
ADMIN = 30
DRAWER_REGISTER = 241
TECHNOLOGICAL_RESET_MODE = 9
SALE = c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар")
CLOSE = c.CloseReceiptV2Request(ADMIN, (2800,) + (0,) * 15, 0, (0,) * 6, 1, "")
NEW_PASSWORD = (4321).to_bytes(4, "little")


def start(fn_path: Path) -> Emulator:
    return Emulator(fn_path, clock=Clock(START, frozen=True))


def send(emulator: Emulator, request):
    answer = c.decode_answer(emulator.execute(request.encode()))
    assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
    return answer


def error(emulator: Emulator, request) -> int:
    body = request.encode()
    return emulator.execute(body)[len(c.code_bytes(c.command_code(body)))]


def mode(emulator: Emulator) -> int:
    return send(emulator, c.ShortStatusRequest(ADMIN)).mode


def drawer(emulator: Emulator, password: int = ADMIN) -> int:
    return send(emulator, c.CashRegisterRequest(password, DRAWER_REGISTER)).value


@pytest.fixture
def fn_path(tmp_path) -> Path:
    """A ФН file with one cash sale of 28.00 and a cash in of 100.00: the drawer contains 128.00."""
    path = tmp_path / "fn.bin"
    emulator = start(path)
    try:
        send(emulator, SALE)
        send(emulator, CLOSE)
        send(emulator, c.CashInRequest(ADMIN, 10000))
    finally:
        emulator.close()
    return path


def journal_line(state: dict, serial: str) -> bytes:
    """Return a journal line with a correct CRC, as ``memory`` writes it."""
    text = json.dumps({"format": 1, "fn_serial": serial, "state": state}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()
    return b"%08x " % zlib.crc32(text) + text + b"\n"


@pytest.mark.parametrize("garbage", [b"garbage\n", b"\x00" * 100 + b"\n", b"deadbeef {}\n" * 3],
                         ids=["text", "zeros", "bad CRC lines"])
def test_unreadable_journal_is_mode_9(fn_path, garbage):
    memory_path(fn_path).write_bytes(garbage)
    emulator = start(fn_path)
    try:
        assert mode(emulator) == TECHNOLOGICAL_RESET_MODE
        assert error(emulator, SALE) == ErrorCode.NOT_SUPPORTED_IN_MODE
        assert error(emulator, c.CashInRequest(ADMIN, 100)) == ErrorCode.NOT_SUPPORTED_IN_MODE

        send(emulator, c.TechnologicalResetRequest())

        assert mode(emulator) != TECHNOLOGICAL_RESET_MODE
        assert drawer(emulator) == 0
        send(emulator, SALE)
        send(emulator, CLOSE)
        assert drawer(emulator) == 2800
    finally:
        emulator.close()
    emulator = start(fn_path)
    try:
        assert mode(emulator) != TECHNOLOGICAL_RESET_MODE
        assert drawer(emulator) == 2800
    finally:
        emulator.close()


def test_mode_9_survives_restart_without_reset(fn_path):
    memory_path(fn_path).write_bytes(b"garbage\n")
    start(fn_path).close()

    emulator = start(fn_path)
    try:
        assert mode(emulator) == TECHNOLOGICAL_RESET_MODE
    finally:
        emulator.close()


def test_torn_tail_costs_nothing_written(fn_path):
    with memory_path(fn_path).open("ab") as journal:
        journal.write(b'12345678 {"format":1,"state":{"cash_in_dr')

    emulator = start(fn_path)
    try:
        assert mode(emulator) != TECHNOLOGICAL_RESET_MODE
        assert drawer(emulator) == 12800
    finally:
        emulator.close()


def test_damaged_last_line_falls_back_one_change(fn_path):
    journal = memory_path(fn_path)
    lines = journal.read_bytes().splitlines(keepends=True)
    damaged = bytearray(lines[-1])
    damaged[20] ^= 0x01
    journal.write_bytes(b"".join(lines[:-1]) + bytes(damaged))

    emulator = start(fn_path)
    try:
        assert mode(emulator) != TECHNOLOGICAL_RESET_MODE
        assert drawer(emulator) == 2800  # the cash in was the last change
    finally:
        emulator.close()


@pytest.mark.parametrize("content", ["empty", "missing", "another ФН"])
def test_lost_journal_rebuilt_from_fn(fn_path, content):
    journal = memory_path(fn_path)
    if content == "empty":
        journal.write_bytes(b"")
    elif content == "missing":
        journal.unlink()
    else:
        journal.write_bytes(journal_line({"cash_in_drawer": 999999, "last_fd": 99}, "9999078900999999"))
    documents = len(read_archive(fn_path).documents)

    emulator = start(fn_path)
    try:
        assert mode(emulator) != TECHNOLOGICAL_RESET_MODE
        assert drawer(emulator) == 2800  # the receipt is replayed, but the cash in was only in the journal
        assert send(emulator, c.LongStatusRequest(ADMIN)).document_number == documents
        send(emulator, SALE)
        send(emulator, CLOSE)
    finally:
        emulator.close()


def test_tables_and_passwords_survive_restart(fn_path):
    emulator = start(fn_path)
    try:
        send(emulator, c.WriteTableRequest(ADMIN, 2, 30, 1, NEW_PASSWORD))
        send(emulator, c.WriteTableRequest(4321, 1, 1, 1, b"\x07"))
    finally:
        emulator.close()
    emulator = start(fn_path)
    try:
        assert error(emulator, c.ReadTableRequest(ADMIN, 1, 1, 1)) == ErrorCode.WRONG_PASSWORD
        assert send(emulator, c.ReadTableRequest(4321, 1, 1, 1)).value == b"\x07"
        assert drawer(emulator, 4321) == 12800
    finally:
        emulator.close()


def test_journal_deleted_while_running(fn_path):
    emulator = start(fn_path)
    try:
        send(emulator, c.CashInRequest(ADMIN, 100))  # the register has its journal open now
        memory_path(fn_path).unlink()
        cash_in = error(emulator, c.CashInRequest(ADMIN, 5000))
        expected_drawer = drawer(emulator)
        written = error(emulator, c.WriteTableRequest(ADMIN, 2, 30, 1, NEW_PASSWORD))
    finally:
        emulator.close()
    emulator = start(fn_path)
    try:
        # What the register answered with success must still be there, or else it must answer 74h.
        assert written == ErrorCode.RAM_ERROR or error(emulator, c.FnStatusRequest(4321)) == 0
        password = ADMIN if written else 4321
        assert cash_in == ErrorCode.RAM_ERROR or drawer(emulator, password) == expected_drawer
    finally:
        emulator.close()


def test_unreadable_journal_path(fn_path):
    journal = memory_path(fn_path)
    journal.unlink()
    journal.mkdir()
    try:
        emulator = start(fn_path)
    except KktemuError:
        emulator = None
    if emulator is not None:
        try:
            assert mode(emulator) == TECHNOLOGICAL_RESET_MODE
        finally:
            emulator.close()
    journal.rmdir()

    emulator = start(fn_path)  # the failed start must not keep the ФН archive locked
    emulator.close()


# A child process under RLIMIT_FSIZE: the journal may grow by ``extra`` bytes from the
# moment the limit is set. Prints the hex answers and the drawer as JSON.
_CHILD = """
import datetime as dt, json, os, resource, sys
from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.protocol.shtrih import commands as c

fn_path, extra = sys.argv[1], int(sys.argv[2])
emulator = Emulator(fn_path, clock=Clock(dt.datetime(2024, 3, 1, 9, 0, 0), frozen=True))
limit = os.path.getsize(memory_path(fn_path)) + extra
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
requests = [
    c.CashInRequest(30, 5000),
    c.WriteTableRequest(30, 2, 30, 1, (4321).to_bytes(4, "little")),
    c.CashInRequest(30, 700),
]
answers = [emulator.execute(request.encode()).hex() for request in requests]
drawer = emulator.register.cash_in_drawer
emulator.close()
print(json.dumps({"answers": answers, "drawer": drawer}))
"""


def run_limited(fn_path: Path, extra: int) -> dict:
    """Run the three requests of ``_CHILD`` with the journal limited to ``extra`` more bytes."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(fn_path), str(extra)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_full_disk_refuses_non_fiscal_changes(fn_path):
    result = run_limited(fn_path, 0)

    assert [bytes.fromhex(answer)[1] for answer in result["answers"]] == [ErrorCode.RAM_ERROR] * 3
    assert result["drawer"] == 12800
    emulator = start(fn_path)
    try:
        assert drawer(emulator) == 12800
        assert error(emulator, c.FnStatusRequest(ADMIN)) == 0  # the password write did not happen
    finally:
        emulator.close()


def test_full_disk_mid_line_keeps_answered_changes(fn_path):
    result = run_limited(fn_path, 20)

    emulator = start(fn_path)
    try:
        # Every change answered with success is in the journal.
        assert drawer(emulator) == result["drawer"]
    finally:
        emulator.close()
