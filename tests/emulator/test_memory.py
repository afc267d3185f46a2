"""The register memory journal (``<fn file>.kkt``) and its replay from the ФН archive."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kktemu.emulator import memory as memory_module
from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import RegisterMemory, memory_path
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0)
SERIAL = "9999078900000001"
CASHIER = 1


def test_memory_path_beside_archive(tmp_path):
    assert memory_path(tmp_path / "kktemu.fn") == tmp_path / "kktemu.fn.kkt"


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "m.kkt"
    memory = RegisterMemory(path, SERIAL, {"cash_in_drawer": 100, "tables": {"1.1.1": [1, 2]}})
    memory.save(durable=True)
    memory.state["cash_in_drawer"] = 250
    memory.save(durable=False)
    memory.close()
    loaded = RegisterMemory.load(path, SERIAL)
    assert loaded.state == {"cash_in_drawer": 250, "tables": {"1.1.1": [1, 2]}}


def test_torn_last_line_dropped(tmp_path, caplog):
    path = tmp_path / "m.kkt"
    memory = RegisterMemory(path, SERIAL, {"cash_in_drawer": 1})
    memory.save(durable=True)
    memory.close()
    with open(path, "ab") as file:
        file.write(b"0123abcd {\"format\": 1, \"fn_ser")
    with caplog.at_level(logging.WARNING):
        loaded = RegisterMemory.load(path, SERIAL)
    assert loaded.state == {"cash_in_drawer": 1}
    assert path.read_bytes().endswith(b"\n")
    assert "interrupted write" in caplog.text


def test_damaged_line_ignored(tmp_path):
    path = tmp_path / "m.kkt"
    memory = RegisterMemory(path, SERIAL, {"cash_in_drawer": 1})
    memory.save(durable=True)
    memory.state["cash_in_drawer"] = 2
    memory.save(durable=True)
    memory.close()
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # inside the JSON of the last snapshot
    path.write_bytes(bytes(data))
    assert RegisterMemory.load(path, SERIAL).state == {"cash_in_drawer": 1}


def test_other_fn_serial_starts_empty(tmp_path, caplog):
    path = tmp_path / "m.kkt"
    memory = RegisterMemory(path, "9999078900999999", {"cash_in_drawer": 5})
    memory.save(durable=True)
    memory.close()
    with caplog.at_level(logging.WARNING):
        assert RegisterMemory.load(path, SERIAL).state == {}
    assert "9999078900999999" in caplog.text


def test_journal_compacted(tmp_path, monkeypatch):
    monkeypatch.setattr(memory_module, "COMPACT_BYTES", 400)
    path = tmp_path / "m.kkt"
    memory = RegisterMemory(path, SERIAL, {})
    for value in range(50):
        memory.state["cash_in_drawer"] = value
        memory.save(durable=False)
    memory.close()
    assert path.stat().st_size <= 400
    assert RegisterMemory.load(path, SERIAL).state == {"cash_in_drawer": 49}


def _sell(emulator, price):
    emulator.execute(c.SaleRequest(CASHIER, 1000, price, 0, (1, 0, 0, 0), "x").encode())
    answer = emulator.execute(c.CloseReceiptRequest(CASHIER, (price, 0, 0, 0), 0, (0, 0, 0, 0), "").encode())
    assert answer[1] == 0


def test_lost_memory_rebuilt_from_fn_archive(tmp_path):
    fn_path = tmp_path / "fn.bin"
    clock = Clock(START, frozen=True)
    with Emulator(fn_path, clock=clock) as emulator:
        _sell(emulator, 1500)
        _sell(emulator, 2500)
        document_number = emulator.register.document_number
    memory_path(fn_path).unlink()
    with Emulator(fn_path, clock=clock) as emulator:
        assert emulator.register.cash_in_drawer == 4000
        assert emulator.register.document_number == document_number
        assert emulator.register.last_fd == 4


def test_unsynced_save_replayed(tmp_path):
    # A save after a fiscal document is not synced; if it is lost, the start replays the ФН.
    fn_path = tmp_path / "fn.bin"
    clock = Clock(START, frozen=True)
    with Emulator(fn_path, clock=clock) as emulator:
        _sell(emulator, 1000)
        journal = memory_path(fn_path).read_bytes()
        _sell(emulator, 700)
    memory_path(fn_path).write_bytes(journal)
    with Emulator(fn_path, clock=clock) as emulator:
        assert emulator.register.cash_in_drawer == 1700


def test_memory_failure_refuses_cash_in(tmp_path):
    fn_path = tmp_path / "fn.bin"
    with Emulator(fn_path, clock=Clock(START, frozen=True)) as emulator:
        emulator.execute(c.OpenShiftRequest(CASHIER).encode())
        emulator.memory.close()
        emulator.memory.path = tmp_path  # a directory: opening it for writing fails
        before = dict(emulator.memory.state)
        assert emulator.execute(c.CashInRequest(CASHIER, 100).encode()) == bytes.fromhex("50 74")
        assert emulator.memory.state == before


@pytest.mark.parametrize("durable", [True, False])
def test_ram_only_memory_never_writes(durable):
    memory = RegisterMemory(None, SERIAL, {"cash_in_drawer": 3})
    memory.save(durable)
    assert memory.state == {"cash_in_drawer": 3}


# Writes cut short, a journal deleted or replaced while running, a journal that cannot be read.


class ShortWrites:
    """Stand-in for ``os.write``: writes at most ``chunk`` bytes a call, then fails once ``budget`` is spent."""

    def __init__(self, chunk: int, budget: int | None = None):
        self.chunk = chunk
        self.budget = budget
        self.real_write = memory_module.os.write

    def __call__(self, descriptor, data):
        if self.budget is not None and self.budget <= 0:
            raise OSError(28, "No space left on device")
        size = self.chunk if self.budget is None else min(self.chunk, self.budget)
        written = self.real_write(descriptor, bytes(data[:size]))
        if self.budget is not None:
            self.budget -= written
        return written


def saved_memory(path, cash=1) -> RegisterMemory:
    memory = RegisterMemory(path, SERIAL, {"cash_in_drawer": cash})
    memory.save(durable=True)
    return memory


def test_short_writes_retried(tmp_path, monkeypatch):
    path = tmp_path / "m.kkt"
    memory = saved_memory(path)
    monkeypatch.setattr(memory_module.os, "write", ShortWrites(chunk=7))
    memory.state["cash_in_drawer"] = 2
    memory.save(durable=True)
    memory.close()
    assert RegisterMemory.load(path, SERIAL).state == {"cash_in_drawer": 2}


def test_full_disk_mid_line_truncated(tmp_path, monkeypatch):
    path = tmp_path / "m.kkt"
    memory = saved_memory(path)
    before = path.read_bytes()
    monkeypatch.setattr(memory_module.os, "write", ShortWrites(chunk=7, budget=20))
    memory.state["cash_in_drawer"] = 2
    with pytest.raises(OSError):
        memory.save(durable=True)
    assert path.read_bytes() == before
    monkeypatch.undo()
    memory.state["cash_in_drawer"] = 3
    memory.save(durable=True)
    memory.close()
    assert RegisterMemory.load(path, SERIAL).state == {"cash_in_drawer": 3}


def test_untruncatable_partial_line_ended(tmp_path, monkeypatch):
    path = tmp_path / "m.kkt"
    memory = saved_memory(path)
    monkeypatch.setattr(memory_module.os, "write", ShortWrites(chunk=7, budget=20))

    def refuse_truncate(descriptor, size):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(memory_module.os, "ftruncate", refuse_truncate)
    memory.state["cash_in_drawer"] = 2
    with pytest.raises(OSError):
        memory.save(durable=True)
    monkeypatch.undo()
    memory.state["cash_in_drawer"] = 3
    memory.save(durable=True)
    memory.close()
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3  # the first snapshot, the partial line, the last snapshot
    assert len(lines[1]) == 20
    assert RegisterMemory.load(path, SERIAL).state == {"cash_in_drawer": 3}


def test_deleted_journal_recreated(tmp_path, caplog):
    path = tmp_path / "m.kkt"
    memory = saved_memory(path)
    memory.state["cash_in_drawer"] = 2
    path.unlink()
    with caplog.at_level(logging.WARNING):
        memory.save(durable=True)
    memory.close()
    assert "deleted or replaced" in caplog.text
    assert RegisterMemory.load(path, SERIAL).state == {"cash_in_drawer": 2}


def test_replaced_journal_written_to(tmp_path):
    path = tmp_path / "m.kkt"
    memory = saved_memory(path)
    older = tmp_path / "older.kkt"
    older.write_bytes(path.read_bytes())
    older.replace(path)  # a restore of an older copy while the register runs
    memory.state["cash_in_drawer"] = 2
    memory.save(durable=False)
    memory.close()
    assert RegisterMemory.load(path, SERIAL).state == {"cash_in_drawer": 2}


def test_unreadable_journal_raises(tmp_path):
    path = tmp_path / "m.kkt"
    path.mkdir()
    with pytest.raises(memory_module.MemoryJournalError, match="m.kkt"):
        RegisterMemory.load(path, SERIAL)


def test_unreadable_journal_releases_fn_archive(tmp_path):
    fn_path = tmp_path / "fn.bin"
    Emulator(fn_path, clock=Clock(START, frozen=True)).close()
    memory_path(fn_path).unlink()
    memory_path(fn_path).mkdir()
    with pytest.raises(memory_module.MemoryJournalError):
        Emulator(fn_path, clock=Clock(START, frozen=True))
    memory_path(fn_path).rmdir()
    Emulator(fn_path, clock=Clock(START, frozen=True)).close()
