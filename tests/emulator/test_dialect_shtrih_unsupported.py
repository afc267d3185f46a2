"""Commands with a codec that kktemu answers with 37h on purpose, the coverage table, and what
correction receipts count.

37h is «Команда не поддерживается в данной реализации ККТ». The reasons are in
docs/shtrih-commands.md: 27h общее гашение has no effect the v1.17 text gives
for a ФН register, FF62h names no register or ФН counter, and the FF65h/FF66h authorisation uses
a key and an algorithm that are not public.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kktemu.emulator.dialects.shtrih.core import HANDLER_MODULES, collect_handlers
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
CASHIER = 1
SYSADMIN = 30


@pytest.mark.parametrize("request_", [
    c.GeneralResetRequest(SYSADMIN),
    c.SyncRegistersRequest(SYSADMIN),
    c.RandomDataRequest(CASHIER),
    c.AuthorizeRequest(CASHIER, bytes(16)),
], ids=["27h", "FF62h", "FF65h", "FF66h"])
def test_answers_37h(make_kkt, request_):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.refused(request_, 0x37)


@pytest.mark.parametrize("body", ["27", "FF 62 1E", "FF 65", "FF 66 01 00 00 00"])
def test_answers_37h_whatever_body(make_kkt, body):
    kkt = make_kkt()
    request = H(body)
    assert kkt.raw(request) == c.code_bytes(c.command_code(request)) + b"\x37"


def test_correction_leaves_registers(make_kkt):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(CASHIER))
    registers = {number: kkt.send(c.CashRegisterRequest(CASHIER, number)).value for number in (0, 121, 193, 244)}
    operations = {number: kkt.send(c.OperationRegisterRequest(CASHIER, number)).value for number in (144, 148)}
    drawer = kkt.send(c.CashRegisterRequest(CASHIER, 241)).value

    kkt.send(c.CorrectionRequest(SYSADMIN, 500, 1))

    assert kkt.last_document().form == 31
    assert kkt.send(c.CashRegisterRequest(CASHIER, 241)).value == drawer + 500
    for number, value in registers.items():
        assert kkt.send(c.CashRegisterRequest(CASHIER, number)).value == value
    for number, value in operations.items():
        assert kkt.send(c.OperationRegisterRequest(CASHIER, number)).value == value


def _coverage_rows() -> dict[int, str]:
    """Return the Dialect column of docs/shtrih-commands.md by command code."""
    rows = {}
    text = (Path(__file__).resolve().parents[2] / "docs" / "shtrih-commands.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.match(r"\| ([0-9A-F]{2,4})h \|", line)
        if match:
            rows[int(match.group(1), 16)] = line.rstrip(" |").rsplit(" | ", 1)[1]
    return rows


def test_coverage_table_matches_dialect():
    rows = _coverage_rows()
    handled = {request_type.CODE for request_type in collect_handlers(HANDLER_MODULES)}
    assert set(c.REQUEST_TYPES) <= set(rows)
    for code, state in rows.items():
        assert state.startswith(("implemented", "answers 37h on purpose")), f"{code:X}h: {state}"
        assert (code in handled) == state.startswith("implemented"), f"{code:X}h: {state}"
