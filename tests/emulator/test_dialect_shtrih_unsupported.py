"""Commands with a codec that kktemu answers with 37h on purpose, and what correction receipts count.

37h is «Команда не поддерживается в данной реализации ККТ». The reasons are in
docs/shtrih-commands.md: 27h общее гашение has no effect the v1.17 text gives
for a ФН register, FF07h needs the debug ФН reset 60h that the ФН model lacks,
FF62h names no register or ФН counter, and the FF65h/FF66h authorisation uses
a key and an algorithm that are not public.
"""

from __future__ import annotations

import pytest

from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
CASHIER = 1
SYSADMIN = 30


@pytest.mark.parametrize("request_", [
    c.GeneralResetRequest(SYSADMIN),
    c.ResetFnRequest(SYSADMIN, 0x16),
    c.SyncRegistersRequest(SYSADMIN),
    c.RandomDataRequest(CASHIER),
    c.AuthorizeRequest(CASHIER, bytes(16)),
], ids=["27h", "FF07h", "FF62h", "FF65h", "FF66h"])
def test_answers_37h(make_kkt, request_):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.refused(request_, 0x37)


@pytest.mark.parametrize("body", ["27", "FF 07", "FF 62 1E", "FF 65", "FF 66 01 00 00 00"])
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
