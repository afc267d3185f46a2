"""Register modes as 10h and 11h report them, and the automatic shift opening before a sale.

Mode byte: 4 shift closed, 2 shift open, 3 shift open for more than 24 hours, 8 a
receipt open with the receipt type (8Dh numbering) in the high nibble.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
CASHIER = 1
SYSADMIN = 30
PHONE_TLV = encode_tlv(1008, encode_string("+79990001122"))
# Cashier ИНН 1203, a tag the open shift report may contain (the buyer's phone 1008 may not).
CASHIER_INN_TLV = encode_tlv(1203, encode_string("500100732259"))
ITEM_COMMANDS = {0: c.SaleRequest, 1: c.PurchaseRequest, 2: c.SaleReturnRequest, 3: c.PurchaseReturnRequest}


def item(receipt_type=0, price=2800):
    return ITEM_COMMANDS[receipt_type](CASHIER, 1000, price, 1, (1, 0, 0, 0), "Сахар")


def close(cash=0, cashless=0):
    return c.CloseReceiptRequest(CASHIER, (cash, cashless, 0, 0), 0, (0, 0, 0, 0), "")


class Kkt:
    """An Emulator driven by request objects; ``send`` fails the test on an error answer."""

    def __init__(self, path, profile=SHTRIH_M_01F):
        self.path = path
        self.clock = Clock(START, frozen=True)
        self.emulator = Emulator(path, clock=self.clock, profile=profile)

    def send(self, request):
        answer = c.decode_answer(self.emulator.execute(request.encode()))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def error(self, request) -> int:
        answer = c.decode_answer(self.emulator.execute(request.encode()))
        assert isinstance(answer, c.ErrorAnswer), f"{request} succeeded"
        return answer.error

    def mode(self) -> int:
        """Return the mode byte of 10h after checking that 11h reports the same."""
        short = self.send(c.ShortStatusRequest(CASHIER)).mode
        assert self.send(c.LongStatusRequest(CASHIER)).mode == short
        return short

    def forms(self) -> list[int]:
        return [document.form for document in read_archive(self.path).documents]


@pytest.fixture
def kkt(tmp_path):
    emulated = Kkt(tmp_path / "fn.bin")
    yield emulated
    emulated.emulator.close()


@pytest.fixture
def manual(tmp_path):
    emulated = Kkt(tmp_path / "fn.bin", dataclasses.replace(SHTRIH_M_01F, auto_open_shift=False))
    yield emulated
    emulated.emulator.close()


def test_mode_after_start(kkt):
    assert kkt.mode() == 0x04
    assert kkt.forms() == [1]


def test_mode_after_open_shift(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert kkt.mode() == 0x02


@pytest.mark.parametrize("receipt_type", [0, 1, 2, 3])
def test_mode_in_receipt_opened_by_8dh(kkt, receipt_type):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.OpenReceiptRequest(CASHIER, receipt_type))
    assert kkt.mode() == receipt_type << 4 | 0x08
    kkt.send(item(receipt_type))
    assert kkt.mode() == receipt_type << 4 | 0x08


@pytest.mark.parametrize("receipt_type", [0, 1, 2, 3])
def test_mode_in_receipt_opened_by_item(kkt, receipt_type):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(item(receipt_type))
    assert kkt.mode() == receipt_type << 4 | 0x08


@pytest.mark.parametrize("receipt_type", [0, 3])
def test_mode_after_close(kkt, receipt_type):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(item(receipt_type))
    kkt.send(close(cash=2800))
    assert kkt.mode() == 0x02


def test_mode_after_cancel(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.OpenReceiptRequest(CASHIER, 2))
    kkt.send(c.CancelReceiptRequest(CASHIER))
    assert kkt.mode() == 0x02


def test_mode_after_z_report(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.ZReportRequest(SYSADMIN))
    assert kkt.mode() == 0x04
    assert kkt.forms() == [1, 2, 5]


def test_mode_after_24_hours(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.clock.advance(dt.timedelta(hours=24))
    assert kkt.mode() == 0x02
    kkt.clock.advance(dt.timedelta(minutes=1))
    assert kkt.mode() == 0x03


def test_mode_in_receipt_after_24_hours(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(item())
    kkt.clock.advance(dt.timedelta(hours=25))
    assert kkt.mode() == 0x08


def test_open_shift_twice(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert kkt.error(c.OpenShiftRequest(CASHIER)) == 0x3C
    assert kkt.mode() == 0x02
    assert kkt.forms() == [1, 2]


def test_z_report_shift_closed(kkt):
    assert kkt.error(c.ZReportRequest(SYSADMIN)) == 0x3D
    assert kkt.mode() == 0x04


def test_open_receipt_twice(kkt):
    kkt.send(item())
    assert kkt.error(c.OpenReceiptRequest(CASHIER, 0)) == 0x4A
    assert kkt.send(c.SubtotalRequest(CASHIER)).subtotal == 2800


@pytest.mark.parametrize("request_", [close(cash=100), c.CancelReceiptRequest(CASHIER), c.SubtotalRequest(CASHIER)],
                         ids=["85h", "88h", "89h"])
def test_receipt_commands_without_receipt(kkt, request_):
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert kkt.error(request_) == 0x55
    assert kkt.mode() == 0x02


def test_return_into_sale_receipt(kkt):
    kkt.send(item(0))
    assert kkt.error(item(2)) == 0x49
    assert kkt.mode() == 0x08
    assert kkt.send(c.ShortStatusRequest(CASHIER)).receipt_operations == 1


def test_cash_out_beyond_drawer(kkt):
    kkt.send(c.CashInRequest(CASHIER, 1000))
    assert kkt.error(c.CashOutRequest(CASHIER, 1001)) == 0x46
    assert kkt.emulator.register.cash_in_drawer == 1000
    kkt.send(c.CashOutRequest(CASHIER, 1000))
    assert kkt.emulator.register.cash_in_drawer == 0


def test_return_beyond_drawer(kkt):
    kkt.send(item(0, price=2800))
    kkt.send(close(cash=2800))
    kkt.send(item(2, price=5000))
    assert kkt.error(close(cash=5000)) == 0x46
    assert kkt.mode() == 0x28
    assert kkt.send(close(cash=2000, cashless=3000)).change == 0
    assert kkt.emulator.register.cash_in_drawer == 800


# Automatic opening of the shift (profile switch auto_open_shift, on by default).


def test_sale_opens_shift_first(kkt):
    kkt.send(item())
    assert kkt.forms() == [1, 2]
    kkt.send(close(cash=2800))
    documents = read_archive(kkt.path).documents
    assert [document.form for document in documents] == [1, 2, 3]
    assert [document.fd_number for document in documents] == [1, 2, 3]
    assert documents[1].moment == START


def test_open_receipt_opens_shift(kkt):
    kkt.send(c.OpenReceiptRequest(CASHIER, 1))
    assert kkt.mode() == 0x18
    assert kkt.forms() == [1, 2]


def test_cash_in_opens_shift(kkt):
    kkt.send(c.CashInRequest(CASHIER, 500))
    assert kkt.mode() == 0x02
    assert kkt.forms() == [1, 2]


def test_auto_open_leaves_host_tlv_for_receipt(kkt):
    kkt.send(c.SendTlvRequest(SYSADMIN, PHONE_TLV))
    kkt.send(item())
    kkt.send(close(cash=2800))
    open_shift, receipt = read_archive(kkt.path).documents[1:]
    assert 1008 not in dict(split_tlv(open_shift.tlv))
    assert dict(split_tlv(receipt.tlv))[1008] == PHONE_TLV[4:]


def test_open_shift_takes_host_tlv(kkt):
    kkt.send(c.SendTlvRequest(SYSADMIN, CASHIER_INN_TLV))
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(item())
    kkt.send(close(cash=2800))
    open_shift, receipt = read_archive(kkt.path).documents[1:]
    assert dict(split_tlv(open_shift.tlv))[1203] == CASHIER_INN_TLV[4:]
    assert (1203, CASHIER_INN_TLV[4:]) not in split_tlv(receipt.tlv)


@pytest.mark.parametrize("request_", [item(0), item(2), c.OpenReceiptRequest(CASHIER, 0), c.CashInRequest(CASHIER, 500)],
                         ids=["80h", "82h", "8Dh", "50h"])
def test_no_auto_open_refuses(manual, request_):
    archive = manual.path.read_bytes()
    assert manual.error(request_) == 0x3D
    assert manual.mode() == 0x04
    assert manual.path.read_bytes() == archive


def test_no_auto_open_after_open_shift(manual):
    manual.send(c.OpenShiftRequest(CASHIER))
    manual.send(item())
    manual.send(close(cash=2800))
    assert manual.forms() == [1, 2, 3]
