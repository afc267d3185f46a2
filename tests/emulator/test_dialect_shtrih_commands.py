"""Every command of the Штрих-М dialect through ``Emulator.execute``: answer layouts and refusals.

Each refusal is checked for its exact error byte and for leaving the register
as it was: the mode byte (10h), the open receipt's items and subtotal (89h), the
cash in the drawer, the document number (11h) and the ФН archive file bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000001"
CASHIER = 1
SENIOR_CASHIER = 28
ADMINISTRATOR = 29
SYSADMIN = 30
UNKNOWN_PASSWORD = 31
DRAWER = 10000  # kopecks put in with 50h before each refusal case
PHONE_TLV = encode_tlv(1008, encode_string("+79990001122"))


def sale(password=CASHIER, quantity=1000, price=2800, department=1, taxes=(1, 0, 0, 0), name="Сахар",
         command=c.SaleRequest):
    """Return an item request (80h by default): quantity in thousandths, price in kopecks."""
    return command(password, quantity, price, department, taxes, name)


def close(cash=0, cashless=0, password=CASHIER, discount=0, taxes=(0, 0, 0, 0)):
    """Return an 85h request paying ``cash`` and ``cashless`` (payment type 2) in kopecks."""
    return c.CloseReceiptRequest(password, (cash, cashless, 0, 0), discount, taxes, "")


class Kkt:
    """An Emulator on a file, driven by request objects and inspected through its own commands."""

    def __init__(self, path, clock, profile=SHTRIH_M_01F):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, profile=profile, fn_serial=FN_SERIAL)

    def raw(self, body: bytes) -> bytes:
        return self.emulator.execute(body)

    def send(self, request):
        """Execute ``request`` and return the decoded success answer; fail the test on an error."""
        answer = c.decode_answer(self.raw(request.encode()))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def mode(self) -> int:
        return self.send(c.ShortStatusRequest(CASHIER)).mode

    def state(self) -> dict:
        """Everything a refusal must leave unchanged."""
        short = self.send(c.ShortStatusRequest(CASHIER))
        receipt = self.emulator.register.receipt
        return {
            "mode": short.mode,
            "operations": short.receipt_operations,
            "subtotal": self.raw(c.SubtotalRequest(CASHIER).encode()),
            "items": list(receipt.receipt.items) if receipt else None,
            "receipt_tlv": list(receipt.receipt.extra_tlv) if receipt else None,
            "drawer": self.emulator.register.cash_in_drawer,
            "document_number": self.send(c.LongStatusRequest(CASHIER)).document_number,
            "archive": self.path.read_bytes(),
        }


def make_kkt(tmp_path, state: str) -> Kkt:
    """Build a register in one of the named states used by the refusal table."""
    profile = SHTRIH_M_01F
    if state == "manual":
        profile = dataclasses.replace(SHTRIH_M_01F, auto_open_shift=False)
    kkt = Kkt(tmp_path / "fn.bin", Clock(START, frozen=True), profile)
    if state in ("closed", "manual"):
        return kkt
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.CashInRequest(CASHIER, DRAWER))
    if state == "shift":
        return kkt
    if state == "sale":
        kkt.send(sale())
    elif state == "zero_sale":
        kkt.send(sale(price=0))
    elif state == "sale_return":
        kkt.send(sale(price=15000, command=c.SaleReturnRequest))
    elif state == "purchase":
        kkt.send(sale(price=15000, command=c.PurchaseRequest))
    elif state == "expired":
        kkt.clock.advance(dt.timedelta(hours=24, minutes=1))
    else:
        raise ValueError(f"unknown state {state!r}")
    return kkt


@pytest.fixture
def kkt(tmp_path):
    emulated = make_kkt(tmp_path, "shift")
    yield emulated
    emulated.emulator.close()


# (case id, state, request or raw body, expected Штрих-М error byte)
REFUSALS = [
    # Status and identity.
    ("10h unknown password", "shift", c.ShortStatusRequest(UNKNOWN_PASSWORD), 0x4F),
    ("10h password 0", "shift", c.ShortStatusRequest(0), 0x4F),
    ("10h short body", "shift", bytes.fromhex("10 1E 00 00"), 0x7E),
    ("10h long body", "sale", bytes.fromhex("10 1E 00 00 00 00"), 0x7E),
    ("11h unknown password", "shift", c.LongStatusRequest(UNKNOWN_PASSWORD), 0x4F),
    ("11h long body", "shift", bytes.fromhex("11 1E 00 00 00 00"), 0x7E),
    ("FCh with data", "shift", bytes.fromhex("FC 00"), 0x7E),
    # Printer.
    ("13h unknown password", "sale", c.BeepRequest(UNKNOWN_PASSWORD), 0x4F),
    ("13h short body", "shift", bytes.fromhex("13 01 00"), 0x7E),
    ("17h unknown password", "sale", c.PrintLineRequest(UNKNOWN_PASSWORD, 2, "строка"), 0x4F),
    ("17h without flags", "shift", bytes.fromhex("17 01 00 00 00"), 0x7E),
    ("25h cut type 2", "sale", c.CutRequest(CASHIER, 2), 0x33),
    ("25h unknown password", "shift", c.CutRequest(UNKNOWN_PASSWORD, 0), 0x4F),
    ("25h without cut type", "shift", bytes.fromhex("25 01 00 00 00"), 0x7E),
    ("B0h unknown password", "shift", c.ContinuePrintingRequest(UNKNOWN_PASSWORD), 0x4F),
    ("B0h long body", "shift", bytes.fromhex("B0 01 00 00 00 00"), 0x7E),
    # Shift.
    ("E0h shift open", "shift", c.OpenShiftRequest(CASHIER), 0x3C),
    ("E0h receipt open", "sale", c.OpenShiftRequest(CASHIER), 0x4A),
    ("E0h shift expired", "expired", c.OpenShiftRequest(CASHIER), 0x3C),
    ("E0h unknown password", "closed", c.OpenShiftRequest(UNKNOWN_PASSWORD), 0x4F),
    ("E0h long body", "closed", bytes.fromhex("E0 01 00 00 00 00"), 0x7E),
    ("40h cashier password", "shift", c.XReportRequest(CASHIER), 0x4F),
    ("40h receipt open", "sale", c.XReportRequest(SYSADMIN), 0x4A),
    ("41h senior cashier password", "shift", c.ZReportRequest(SENIOR_CASHIER), 0x4F),
    ("41h shift closed", "closed", c.ZReportRequest(SYSADMIN), 0x3D),
    ("41h receipt open", "sale", c.ZReportRequest(SYSADMIN), 0x4A),
    ("41h short body", "shift", bytes.fromhex("41 1E 00"), 0x7E),
    # Cash.
    ("50h amount 0", "shift", c.CashInRequest(CASHIER, 0), 0x33),
    ("50h receipt open", "sale", c.CashInRequest(CASHIER, 100), 0x4A),
    ("50h shift expired", "expired", c.CashInRequest(CASHIER, 100), 0x4E),
    ("50h shift closed without auto-open", "manual", c.CashInRequest(CASHIER, 100), 0x3D),
    ("50h unknown password", "shift", c.CashInRequest(UNKNOWN_PASSWORD, 100), 0x4F),
    ("50h short body", "shift", bytes.fromhex("50 01 00 00 00 64 00 00 00"), 0x7E),
    ("51h beyond the drawer", "shift", c.CashOutRequest(CASHIER, DRAWER + 1), 0x46),
    ("51h receipt open", "sale", c.CashOutRequest(CASHIER, DRAWER + 1), 0x4A),
    ("51h amount 0", "shift", c.CashOutRequest(CASHIER, 0), 0x33),
    ("51h shift expired", "expired", c.CashOutRequest(CASHIER, 100), 0x4E),
    # Receipt: open, items.
    ("8Dh receipt open", "sale", c.OpenReceiptRequest(CASHIER, 0), 0x4A),
    ("8Dh receipt type 4", "shift", c.OpenReceiptRequest(CASHIER, 4), 0x33),
    ("8Dh shift expired", "expired", c.OpenReceiptRequest(CASHIER, 0), 0x16),
    ("8Dh shift closed without auto-open", "manual", c.OpenReceiptRequest(CASHIER, 0), 0x3D),
    ("8Dh unknown password", "shift", c.OpenReceiptRequest(UNKNOWN_PASSWORD, 0), 0x4F),
    ("8Dh without type", "shift", bytes.fromhex("8D 1E 00 00 00"), 0x7E),
    ("80h department 17", "shift", sale(department=17), 0x63),
    ("80h department 255 in the receipt", "sale", sale(department=255), 0x63),
    ("80h quantity 0", "sale", sale(quantity=0), 0x62),
    ("80h quantity above the range", "shift", sale(quantity=10_000_000_000), 0x62),
    ("80h price above the range", "sale", sale(price=c.MAX_MONEY + 1), 0x61),
    ("80h item amount above the range", "shift", sale(quantity=11000, price=c.MAX_MONEY), 0x48),
    ("80h receipt total above the range", "sale", sale(quantity=10000, price=c.MAX_MONEY), 0x48),
    ("80h tax group 5", "sale", sale(taxes=(5, 0, 0, 0)), 0x33),
    ("80h two tax groups", "shift", sale(taxes=(1, 2, 0, 0)), 0x33),
    ("80h shift expired", "expired", sale(), 0x16),
    ("80h shift closed without auto-open", "manual", sale(), 0x3D),
    ("80h into a sale return", "sale_return", sale(), 0x49),
    ("80h unknown password", "sale", sale(password=UNKNOWN_PASSWORD), 0x4F),
    ("80h name under 40 bytes", "sale", sale().encode()[:-1], 0x7E),
    ("81h into a sale", "sale", sale(command=c.PurchaseRequest), 0x49),
    ("81h shift expired", "expired", sale(command=c.PurchaseRequest), 0x16),
    ("82h into a sale", "sale", sale(command=c.SaleReturnRequest), 0x49),
    ("82h department 17", "shift", sale(department=17, command=c.SaleReturnRequest), 0x63),
    ("83h into a sale", "sale", sale(command=c.PurchaseReturnRequest), 0x49),
    ("83h quantity 0", "shift", sale(quantity=0, command=c.PurchaseReturnRequest), 0x62),
    # Receipt: close, cancel, subtotal.
    ("85h no receipt", "shift", close(cash=3000), 0x55),
    ("85h cashless above the total", "sale", close(cashless=280000), 0x4D),
    ("85h payments below the total", "sale", close(cash=2000), 0x45),
    ("85h zero total", "zero_sale", close(cash=100), 0x8E),
    ("85h tax group 5", "sale", close(cash=3000, taxes=(5, 0, 0, 0)), 0x33),
    ("85h discount 100 %", "sale", close(cash=3000, discount=10000), 0x33),
    ("85h cash above the range", "sale", close(cash=c.MAX_MONEY + 1), 0x41),
    ("85h payment type 2 above the range", "sale", close(cashless=c.MAX_MONEY + 1), 0x42),
    ("85h sale return paying out beyond the drawer", "sale_return", close(cash=15000), 0x46),
    ("85h purchase paying out beyond the drawer", "purchase", close(cash=15000), 0x46),
    ("85h unknown password", "sale", close(cash=3000, password=UNKNOWN_PASSWORD), 0x4F),
    ("85h text under 40 bytes", "sale", close(cash=3000).encode()[:-1], 0x7E),
    ("88h no receipt", "shift", c.CancelReceiptRequest(CASHIER), 0x55),
    ("88h unknown password", "sale", c.CancelReceiptRequest(UNKNOWN_PASSWORD), 0x4F),
    ("88h long body", "sale", bytes.fromhex("88 01 00 00 00 00"), 0x7E),
    ("89h no receipt", "shift", c.SubtotalRequest(CASHIER), 0x55),
    ("89h unknown password", "sale", c.SubtotalRequest(UNKNOWN_PASSWORD), 0x4F),
    # ФН commands.
    ("FF01h cashier password", "shift", c.FnStatusRequest(CASHIER), 0x4F),
    ("FF01h long body", "shift", bytes.fromhex("FF 01 1E 00 00 00 00"), 0x7E),
    ("FF0Ch cashier password", "sale", c.SendTlvRequest(CASHIER, PHONE_TLV), 0x4F),
    ("FF0Ch empty block", "sale", c.SendTlvRequest(SYSADMIN, b""), 0x33),
    ("FF0Ch block ends inside a TLV", "sale", c.SendTlvRequest(SYSADMIN, PHONE_TLV[:-1]), 0x33),
    ("FF0Ch short password", "shift", bytes.fromhex("FF 0C 1E 00 00"), 0x7E),
]


@pytest.mark.parametrize("state, request_, error", [case[1:] for case in REFUSALS],
                         ids=[case[0] for case in REFUSALS])
def test_refusal_keeps_state(tmp_path, state, request_, error):
    kkt = make_kkt(tmp_path, state)
    body = request_ if isinstance(request_, bytes) else request_.encode()
    code = c.command_code(body)
    before = kkt.state()

    answer = kkt.raw(body)

    assert answer == c.error_answer(code, error)
    after = kkt.state()
    for key in before:
        assert after[key] == before[key], key
    kkt.emulator.close()


# Success answers.


def test_short_status_layout(kkt):
    answer = kkt.raw(c.ShortStatusRequest(CASHIER).encode())
    assert len(answer) == 16
    assert answer[:3] == bytes.fromhex("10 00 01")
    decoded = c.decode_answer(answer)
    assert decoded.flags & c.KktFlags.RECEIPT_ROLL
    assert decoded.mode == 0x02
    assert decoded.submode == 0
    assert decoded.receipt_operations == 0


def test_short_status_counts_operations(kkt):
    kkt.send(sale())
    kkt.send(sale(price=5500, taxes=(2, 0, 0, 0), name="Чай"))
    assert kkt.send(c.ShortStatusRequest(SYSADMIN)).receipt_operations == 2


def test_long_status_layout(kkt):
    kkt.clock.advance(dt.timedelta(minutes=5, seconds=7))
    answer = kkt.raw(c.LongStatusRequest(SYSADMIN).encode())
    assert len(answer) == 50
    decoded = c.decode_answer(answer)
    identity = kkt.emulator.register.identity
    assert decoded.operator == SYSADMIN
    assert decoded.mode == 0x02
    assert decoded.port == 128
    assert decoded.date == dt.date(2024, 3, 1)
    assert decoded.time == dt.time(9, 5, 7)
    assert decoded.inn == int(identity.inn)
    assert decoded.serial_number | decoded.serial_number_high << 32 == int(identity.kkt_serial)
    assert decoded.document_number == 3  # registration, open shift, cash in
    assert decoded.last_closed_shift == 0
    assert decoded.fm_flags & 0x40  # shift open
    assert not decoded.fm_flags & 0x80


def test_long_status_flags_after_24_hours(kkt):
    kkt.clock.advance(dt.timedelta(hours=24, minutes=1))
    decoded = kkt.send(c.LongStatusRequest(SYSADMIN))
    assert decoded.mode == 0x03
    assert decoded.fm_flags & 0x40  # the shift is still open
    assert decoded.fm_flags & 0x80


def test_device_type_bytes(kkt):
    expected = bytes.fromhex("FC 00 00 00 01 0E FA 00") + "ШТРИХ-М-01Ф".encode("cp1251")
    assert kkt.raw(b"\xfc") == expected


@pytest.mark.parametrize("request_", [
    c.BeepRequest(7),
    c.PrintLineRequest(7, 2, "Спасибо за покупку"),
    c.CutRequest(7, 0),
    c.CutRequest(7, 1),
    c.ContinuePrintingRequest(7),
], ids=["13h", "17h", "25h full", "25h partial", "B0h"])
def test_printer_answer_carries_operator(kkt, request_):
    before = kkt.state()
    assert kkt.raw(request_.encode()) == c.code_bytes(request_.CODE) + bytes((0, 7))
    assert kkt.state() == before


def test_print_line_goes_to_journal(kkt):
    kkt.send(c.PrintLineRequest(CASHIER, 2, "Спасибо за покупку"))
    assert kkt.emulator.register.journal[-1] == "Спасибо за покупку"


def test_open_shift_answer(tmp_path):
    kkt = make_kkt(tmp_path, "closed")
    # The request body is the E0h that fr_drv_ng sent in shtrih-m/fr_drv_ng issue 158.
    assert kkt.raw(bytes.fromhex("E0 1E 00 00 00")) == bytes.fromhex("E0 00 1E")
    assert kkt.mode() == 0x02
    kkt.emulator.close()


def test_z_report_answer(kkt):
    assert kkt.raw(bytes.fromhex("41 1E 00 00 00")) == bytes.fromhex("41 00 1E")
    assert kkt.mode() == 0x04


def test_z_report_administrator(kkt):
    assert kkt.raw(c.ZReportRequest(ADMINISTRATOR).encode()) == bytes.fromhex("41 00 1D")


def test_x_report_keeps_shift(kkt):
    archive = kkt.path.read_bytes()
    assert kkt.raw(c.XReportRequest(SENIOR_CASHIER).encode()) == bytes.fromhex("40 00 1C")
    assert kkt.mode() == 0x02
    assert kkt.path.read_bytes() == archive
    assert kkt.send(c.LongStatusRequest(CASHIER)).document_number == 4


def test_cash_in_and_out(kkt):
    assert kkt.raw(c.CashInRequest(CASHIER, 500).encode()) == bytes.fromhex("50 00 01 04 00")
    assert kkt.raw(c.CashOutRequest(2, DRAWER + 500).encode()) == bytes.fromhex("51 00 02 05 00")
    assert kkt.emulator.register.cash_in_drawer == 0
    assert kkt.send(c.LongStatusRequest(CASHIER)).document_number == 5


def test_open_receipt_answer(kkt):
    # 8Dh with password 30 and its answer, both captured in shtrih-m/fr_drv_ng issue 220.
    assert kkt.raw(bytes.fromhex("8D 1E 00 00 00 00")) == bytes.fromhex("8D 00 1E")
    assert kkt.mode() == 0x08
    assert kkt.raw(c.SubtotalRequest(CASHIER).encode()) == bytes.fromhex("89 00 01 00 00 00 00 00")


@pytest.mark.parametrize("command, mode", [
    (c.SaleRequest, 0x08), (c.PurchaseRequest, 0x18), (c.SaleReturnRequest, 0x28), (c.PurchaseReturnRequest, 0x38),
])
def test_item_answer_and_subtotal(kkt, command, mode):
    assert kkt.raw(sale(password=3, command=command).encode()) == c.code_bytes(command.CODE) + b"\x00\x03"
    assert kkt.mode() == mode
    kkt.send(sale(quantity=2500, price=333, command=command))  # 2.5 × 3.33 = 8.325, rounded half up
    assert kkt.raw(c.SubtotalRequest(CASHIER).encode()) == bytes.fromhex("89 00 01") + (2800 + 833).to_bytes(5, "little")


def test_item_limit(kkt):
    for _ in range(100):
        kkt.send(sale(price=1))
    before = kkt.state()
    assert kkt.raw(sale(price=1).encode()) == bytes.fromhex("80 94")
    assert kkt.state() == before
    assert kkt.send(c.SubtotalRequest(CASHIER)).subtotal == 100
    assert kkt.send(close(cash=100)).change == 0
    assert kkt.mode() == 0x02


def test_close_receipt_answer(kkt):
    kkt.send(sale())
    # A 28.00 receipt paid 2800.00 in cash closes with 2772.00 change (shtrih-m/fr_drv_ng issue 103).
    assert kkt.raw(close(cash=280000).encode()) == bytes.fromhex("85 00 01") + (277200).to_bytes(5, "little")
    assert kkt.mode() == 0x02
    assert kkt.emulator.register.cash_in_drawer == DRAWER + 2800
    assert kkt.send(c.LongStatusRequest(CASHIER)).document_number == 4


def test_close_receipt_cash_and_cashless(kkt):
    kkt.send(sale())
    assert kkt.send(close(cash=1000, cashless=1800)).change == 0
    assert kkt.emulator.register.cash_in_drawer == DRAWER + 1000


def test_close_sale_return_pays_out(kkt):
    kkt.send(sale(price=DRAWER, command=c.SaleReturnRequest))
    assert kkt.send(close(cash=DRAWER)).change == 0
    assert kkt.emulator.register.cash_in_drawer == 0


def test_cancel_receipt_answer(kkt):
    kkt.send(sale())
    archive = kkt.path.read_bytes()
    assert kkt.raw(c.CancelReceiptRequest(CASHIER).encode()) == bytes.fromhex("88 00 01")
    assert kkt.mode() == 0x02
    assert kkt.path.read_bytes() == archive
    assert kkt.raw(c.SubtotalRequest(CASHIER).encode()) == bytes.fromhex("89 55")


def test_fn_status_answer(kkt):
    kkt.clock.advance(dt.timedelta(hours=1))
    kkt.send(sale())
    answer = kkt.raw(c.FnStatusRequest(SYSADMIN).encode())
    # Phase 3 (configured, fiscal mode), receipt open (04h), no data yet, shift open, no
    # warnings, last document at 2024-03-01 09:00, the ФН number, last ФД 2.
    expected = (bytes.fromhex("FF 01 00 03 04 00 01 00 18 03 01 09 00") + FN_SERIAL.encode("ascii")
                + (2).to_bytes(4, "little"))
    assert answer == expected


def test_send_tlv_answer(kkt):
    kkt.send(sale())
    assert kkt.raw(c.SendTlvRequest(SYSADMIN, PHONE_TLV).encode()) == bytes.fromhex("FF 0C 00")
    assert kkt.emulator.register.receipt.receipt.extra_tlv == [PHONE_TLV]


def test_unknown_command_not_supported(kkt):
    before = kkt.state()
    assert kkt.raw(bytes.fromhex("99 1E 00 00 00")) == bytes.fromhex("99 37")
    assert kkt.state() == before
