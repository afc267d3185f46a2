"""Volatile state of the register hardware: what a power cycle loses.

The date waiting for confirmation, the test run mode, the paper sensor, the
last receipt that 8Ch can print again and the data buffer live in RAM on a real
register, so kktemu keeps them out of the register memory journal. The
technological reset mode (9) is the exception: a register that found its memory
corrupted stays in mode 9 after any restart until 16h, so the journal keeps
that mark too (``RESET_REQUIRED_KEY``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from pathlib import Path

from .memory import RegisterMemory
from .memory import _decode_line as decode_journal_line


class PaperState(enum.Enum):
    """The receipt printer's paper, as the Штрих-М submodes 0–3 describe it."""

    LOADED = "paper loaded"
    OUT_IDLE = "no paper, nothing was printing"
    OUT_WHILE_PRINTING = "paper ran out while printing"
    WAITING_CONTINUE = "paper replaced after it ran out while printing: waiting for continue printing"


@dataclasses.dataclass
class DataBuffer:
    """The data buffer of FF30h–FF33h after FF32h: ``data`` of the declared size and which bytes were written."""

    data: bytearray
    written: bytearray

    @property
    def complete(self) -> bool:
        """True when FF33h has written every byte."""
        return all(self.written)


@dataclasses.dataclass
class DeviceState:
    """RAM state of one register.

    ``pending_date`` is the date 22h set and 23h must confirm (mode 6);
    ``technological_reset_required`` keeps the register in mode 9 until 16h;
    ``test_run_period`` is the minutes of a running test run (mode 10) or None;
    ``buffer`` is the data buffer FF32h declared, or None.
    """

    pending_date: dt.date | None = None
    technological_reset_required: bool = False
    test_run_period: int | None = None
    paper: PaperState = PaperState.LOADED
    drawer_open: bool = False
    last_receipt_fd: int | None = None
    buffer: DataBuffer | None = None


# The register memory entry that keeps mode 9 across restarts until 16h clears the memory.
RESET_REQUIRED_KEY = "technological_reset_required"


def reset_required_at_start(memory: RegisterMemory) -> bool:
    """Return whether the register starts in mode 9, and mark ``memory`` so that it stays there.

    That is when the journal is lost (``memory_lost``) or a previous start found
    it lost and no technological reset (16h) has cleared the memory since. The
    mark goes into ``memory.state``, so the first snapshot the register writes
    afterwards keeps mode 9 for the next start too.
    """
    if memory_lost(memory):
        memory.state[RESET_REQUIRED_KEY] = True
    return bool(memory.state.get(RESET_REQUIRED_KEY))


def memory_lost(memory: RegisterMemory) -> bool:
    """Return whether the journal of ``memory`` exists but contains no readable snapshot.

    A real register finds its non-volatile RAM corrupted at power-on then and waits
    in mode 9 for a technological reset. A missing journal is not a loss: the
    register rebuilds it from the ФН archive, as with a new register. Nor is a
    journal of another ФН, which is what a register looks like after the ФН was
    replaced.
    """
    path: Path | None = memory.path
    if path is None or memory.state or not path.exists():
        return False
    lines = path.read_bytes().splitlines()
    return bool(lines) and all(decode_journal_line(line) is None for line in lines)
