"""Field cases reported by integrators, replayed against the Штрих-М dialect.

Wrong passwords, payment rules at 85h, the shift longer than 24 hours with 80h,
unknown commands and bodies of the wrong length. Frames are checked whole
(STX LEN body LRC) where the report gives them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.ffd.values import decode_vln
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import decode_frame, encode_frame

START = dt.datetime(2024, 3, 1, 9, 0, 0)
CASHIER = 1
SYSADMIN = 30


def sale(price=2800, quantity=1000, name="Сахар"):
    """Return an 80h sale of ``quantity`` thousandths at ``price`` kopecks in tax group 1."""
    return c.SaleRequest(SYSADMIN, quantity, price, 1, (1, 0, 0, 0), name)


def close(cash=0, cashless=0):
    return c.CloseReceiptRequest(SYSADMIN, (cash, cashless, 0, 0), 0, (0, 0, 0, 0), "")


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def emulator(tmp_path, clock):
    with Emulator(tmp_path / "fn.bin", clock=clock) as emulated:
        yield emulated


def execute(emulator, request) -> bytes:
    return emulator.execute(request.encode())


def mode(emulator) -> int:
    return c.decode_answer(execute(emulator, c.ShortStatusRequest(SYSADMIN))).mode


def subtotal(emulator) -> bytes:
    return execute(emulator, c.SubtotalRequest(SYSADMIN))


def receipts(path):
    return [document for document in read_archive(path).documents if document.form == 3]


# Wrong password. Error 4Fh is "Неверный пароль" in the v1.17 protocol error table and in
# pyshtrih 2.0.6 excepts.py; operator passwords are 1..30 by default.


def test_unknown_password_frame(emulator):
    request = decode_frame(bytes.fromhex("02 05 10 1F 00 00 00 0A"))
    assert request == bytes.fromhex("10 1F 00 00 00")
    answer = emulator.execute(request)
    assert answer == bytes.fromhex("10 4F")
    assert encode_frame(answer) == bytes.fromhex("02 02 10 4F 5D")


@pytest.mark.parametrize("frame, operator", [
    ("02 05 10 01 00 00 00 14", 1),
    ("02 05 10 1E 00 00 00 0B", 30),
])
def test_known_passwords_accepted(emulator, frame, operator):
    answer = emulator.execute(decode_frame(bytes.fromhex(frame)))
    assert answer[:3] == bytes((0x10, 0x00, operator))
    assert len(answer) == 16


def test_unknown_password_changes_nothing(emulator, tmp_path):
    execute(emulator, sale())
    archive = (tmp_path / "fn.bin").read_bytes()
    for body in ("10 1F 00 00 00", "80 1F 00 00 00" + " 00" * 56, "85 00 00 00 00" + " 00" * 66, "88 1F 00 00 00"):
        assert emulator.execute(bytes.fromhex(body))[1] == 0x4F
    assert mode(emulator) == 0x08
    assert subtotal(emulator) == bytes.fromhex("89 00 1E F0 0A 00 00 00")
    assert (tmp_path / "fn.bin").read_bytes() == archive


# Payments against the receipt total. shtrih-m/fr_drv_ng issue 103: a 28.00 receipt paid
# 2800.00 cashless is refused with 4Dh, the same sum in cash closes with change. Codes 45h
# (payments below the total) and 8Eh (zero total) are from the v1.17 error table.


def test_cashless_above_total_keeps_receipt(emulator, tmp_path):
    execute(emulator, sale())
    archive = (tmp_path / "fn.bin").read_bytes()
    assert execute(emulator, close(cashless=280000)) == bytes.fromhex("85 4D")
    assert mode(emulator) == 0x08
    assert subtotal(emulator) == bytes.fromhex("89 00 1E F0 0A 00 00 00")
    assert (tmp_path / "fn.bin").read_bytes() == archive


def test_cash_overpay_gives_change(emulator, tmp_path):
    execute(emulator, sale())
    assert execute(emulator, close(cashless=280000)) == bytes.fromhex("85 4D")
    answer = c.decode_answer(execute(emulator, close(cash=3000)))
    assert answer.change == 200
    fields = dict(split_tlv(receipts(tmp_path / "fn.bin")[0].tlv))
    assert decode_vln(fields[1020]) == 2800
    assert decode_vln(fields[1031]) == 2800
    assert decode_vln(fields[1081]) == 0


def test_payments_below_total(emulator):
    execute(emulator, sale())
    assert execute(emulator, close(cash=2000)) == bytes.fromhex("85 45")
    assert mode(emulator) == 0x08
    assert c.decode_answer(execute(emulator, close(cash=2000, cashless=800))).change == 0


def test_zero_total_refused(emulator, tmp_path):
    execute(emulator, sale(price=0))
    archive = (tmp_path / "fn.bin").read_bytes()
    assert execute(emulator, close(cash=100)) == bytes.fromhex("85 8E")
    assert mode(emulator) == 0x08
    assert (tmp_path / "fn.bin").read_bytes() == archive


# The shift longer than 24 hours. A register shows mode 3 once 24 hours have passed
# (shtrih-m/javapos_shtrih issue 72), the ФН refuses a new receipt with its result 16h,
# which the register passes on, and the Z report still closes the shift.


def test_shift_before_24_hours(emulator, clock, tmp_path):
    execute(emulator, c.OpenShiftRequest(SYSADMIN))
    clock.advance(dt.timedelta(hours=23, minutes=59, seconds=59))
    assert mode(emulator) == 0x02
    assert execute(emulator, sale()) == bytes.fromhex("80 00 1E")
    assert c.decode_answer(execute(emulator, close(cash=2800))).change == 0
    assert len(receipts(tmp_path / "fn.bin")) == 1


def test_shift_after_24_hours(emulator, clock, tmp_path):
    execute(emulator, c.OpenShiftRequest(SYSADMIN))
    clock.advance(dt.timedelta(hours=24, minutes=1))
    assert mode(emulator) == 0x03
    archive = (tmp_path / "fn.bin").read_bytes()

    answer = execute(emulator, sale())

    assert answer == bytes.fromhex("80 16")
    assert encode_frame(answer) == bytes.fromhex("02 02 80 16 94")
    assert mode(emulator) == 0x03
    assert subtotal(emulator) == bytes.fromhex("89 55")
    assert (tmp_path / "fn.bin").read_bytes() == archive
    assert receipts(tmp_path / "fn.bin") == []


def test_z_report_after_24_hours(emulator, clock, tmp_path):
    execute(emulator, c.OpenShiftRequest(SYSADMIN))
    clock.advance(dt.timedelta(hours=24, minutes=1))
    assert execute(emulator, sale()) == bytes.fromhex("80 16")

    assert encode_frame(emulator.execute(bytes.fromhex("41 1E 00 00 00"))) == bytes.fromhex("02 03 41 00 1E 5C")
    assert mode(emulator) == 0x04
    assert execute(emulator, c.OpenShiftRequest(SYSADMIN)) == bytes.fromhex("E0 00 1E")
    assert mode(emulator) == 0x02
    assert execute(emulator, sale()) == bytes.fromhex("80 00 1E")
    forms = [document.form for document in read_archive(tmp_path / "fn.bin").documents]
    assert forms == [1, 2, 5, 2]


def test_receipt_crossing_24_hours(emulator, clock, tmp_path):
    # The ФН interface description lets 16h date a receipt no later than 24 hours after
    # the shift opened, and returns 07h otherwise. The receipt stays open on the register.
    execute(emulator, c.OpenShiftRequest(SYSADMIN))
    clock.advance(dt.timedelta(hours=23, minutes=59))
    execute(emulator, sale())
    clock.advance(dt.timedelta(minutes=2))
    archive = (tmp_path / "fn.bin").read_bytes()

    assert execute(emulator, close(cash=2800)) == bytes.fromhex("85 07")
    assert mode(emulator) == 0x08
    assert execute(emulator, close(cash=2800)) == bytes.fromhex("85 16")
    assert execute(emulator, c.CancelReceiptRequest(SYSADMIN)) == bytes.fromhex("88 00 1E")
    assert mode(emulator) == 0x03
    assert (tmp_path / "fn.bin").read_bytes() == archive


# Commands kktemu does not implement get 37h ("Команда не поддерживается в данной реализации ККТ").


@pytest.mark.parametrize("body", ["D0 1E 00 00 00", "99", "99 1E 00 00 00", "27 1E 00 00 00"])
def test_unknown_command(emulator, body):
    request = bytes.fromhex(body)
    answer = emulator.execute(request)
    assert answer == c.code_bytes(c.command_code(request)) + b"\x37"


# A body shorter or longer than the command's layout gets 7Eh ("Неверное значение в поле длины").


@pytest.mark.parametrize("body", [
    "10",
    "10 1E 00 00",
    "10 1E 00 00 00 00",
    "11 1E",
    "E0 1E 00 00 00 00",
    "41 1E 00 00",
    "50 1E 00 00 00 10 27 00 00",
    "8D 1E 00 00 00",
    "8D 1E 00 00 00 00 00",
    "89 1E 00 00 00 00",
    "FF 01 1E 00 00",
    "FF 0C 1E 00",
])
def test_wrong_length(emulator, body):
    request = bytes.fromhex(body)
    assert emulator.execute(request) == c.code_bytes(c.command_code(request)) + b"\x7e"
    assert mode(emulator) == 0x04
