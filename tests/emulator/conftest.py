"""A Штрих-М register on a file for the dialect tests: send requests, read answers and the state.

``make_kkt(path, ...)`` builds a ``ShtrihKkt`` on an ``Emulator``. ``refused``
checks an error byte and that nothing changed: the mode (10h), the open
receipt, host TLVs and a begun report, the register memory and journal, the
ФН status and the archive file bytes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
CASHIER = 1
SYSADMIN = 30


class ShtrihKkt:
    """An Emulator on a file, driven by request objects and inspected through its own commands."""

    def __init__(self, path, clock, *, ffd="1.05", profile=None, **options):
        self.path = path
        self.clock = clock
        profile = profile or SHTRIH_M_01F.with_ffd(ffd)
        self.emulator = Emulator(path, clock=clock, profile=profile, **options)

    @property
    def register(self):
        return self.emulator.register

    def raw(self, request) -> bytes:
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)

    def send(self, request):
        """Execute ``request`` and return the decoded success answer; fail the test on an error."""
        answer = c.decode_answer(self.raw(request))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def error(self, request) -> int:
        """Execute ``request``, which must be refused, and return its error byte."""
        answer = c.decode_answer(self.raw(request))
        assert isinstance(answer, c.ErrorAnswer), f"{request}: no error, answered {answer}"
        return answer.error

    def refused(self, request, error: int) -> None:
        """Check that ``request`` gets ``error`` and changes nothing."""
        before = self.state()
        assert self.error(request) == error
        assert self.state() == before

    def mode(self) -> int:
        return self.send(c.ShortStatusRequest(CASHIER)).mode

    def state(self) -> dict:
        """Everything a refusal must leave unchanged."""
        register = self.register
        receipt = register.receipt
        return {
            "mode": self.mode(),
            "items": list(receipt.receipt.items) if receipt else None,
            "receipt_tlv": list(receipt.receipt.extra_tlv) if receipt else None,
            "begun": register.begun_report,
            "pending_tlv": list(register._pending_tlv),
            "memory": repr(register.memory.state),
            "journal": list(register.journal),
            "identity": register.identity,
            "fn_status": self.raw(c.FnStatusRequest(SYSADMIN)),
            "archive": self.path.read_bytes(),
        }

    def documents(self):
        return read_archive(self.path).documents

    def last_document(self):
        return self.documents()[-1]

    def tlv(self, document=None) -> dict[int, bytes]:
        return dict(split_tlv((document or self.last_document()).tlv))

    def table(self, table: int, field: int, row: int = 1) -> bytes:
        return self.send(c.ReadTableRequest(SYSADMIN, table, row, field)).value

    def close(self) -> None:
        self.emulator.close()


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def make_kkt(tmp_path, clock):
    """Return a factory of registers on files in ``tmp_path``; every register is closed after the test."""
    made = []

    def make(name="fn.bin", **options) -> ShtrihKkt:
        kkt = ShtrihKkt(tmp_path / name, clock, **options)
        made.append(kkt)
        return kkt

    yield make
    for kkt in made:
        kkt.close()
