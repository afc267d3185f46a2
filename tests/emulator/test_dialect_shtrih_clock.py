"""Date and time through the Штрих-М dialect: 21h, 22h, 23h, mode 6 and the ФН's time rules.

Frames and answers of the date cases are those of field case B27, built from
rosix-ru/shtrihm-fr kkt.py (22h then 23h with DD MM YY), the error table of
pyshtrih 2.0.6 excepts.py (7Ch date mismatch, 7Dh bad date, C0h confirm the
date) and shtrih-m/fr_drv_ng_examples issue 17 (SetDate, SetTime, ConfirmDate).
javapos_shtrih (SMFiscalPrinterImpl.checkEcrMode) confirms, in mode 6, the date
that 11h reports.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import decode_frame, encode_frame

H = bytes.fromhex
START = dt.datetime(2024, 5, 14, 16, 0, 0)
FN_SERIAL = "9999078900000002"
CASHIER = 1
SYSADMIN = 30


class Kkt:
    def __init__(self, path, clock):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, fn_serial=FN_SERIAL)

    @property
    def register(self):
        return self.emulator.register

    def raw(self, body: bytes) -> bytes:
        return self.emulator.execute(body)

    def frame(self, frame_hex: str) -> str:
        """Send a whole v1 frame and return the answer frame, both as spaced hex."""
        body = decode_frame(H(frame_hex))
        return encode_frame(self.raw(body)).hex(" ").upper()

    def send(self, request):
        answer = c.decode_answer(self.raw(request.encode()))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def mode(self) -> int:
        return self.send(c.ShortStatusRequest(CASHIER)).mode

    def state(self) -> dict:
        return {
            "mode": self.mode(),
            "now": self.register.now(),
            "memory": copy.deepcopy(self.register.memory.state),
            "journal": memory_path(self.path).read_bytes(),
            "archive": self.path.read_bytes(),
        }

    def sell(self, price=100) -> bytes:
        answer = self.raw(c.SaleRequest(CASHIER, 1000, price, 1, (1, 0, 0, 0), "x").encode())
        if answer[1]:
            return answer
        return self.raw(c.CloseReceiptRequest(CASHIER, (price, 0, 0, 0), 0, (0, 0, 0, 0), "").encode())


@pytest.fixture
def kkt(tmp_path):
    kkt = Kkt(tmp_path / "fn.bin", Clock(START, frozen=True))
    yield kkt
    kkt.emulator.close()


# Field case B27, frame for frame.


def test_b27_impossible_date(kkt):
    before = kkt.state()
    assert kkt.frame("02 08 22 1E 00 00 00 1F 02 18 31") == "02 02 22 7D 5D"
    assert kkt.state() == before


def test_b27_mismatched_confirmation(kkt):
    assert kkt.frame("02 08 22 1E 00 00 00 0E 05 18 27") == "02 02 22 00 20"
    assert kkt.mode() == 0x06
    before = kkt.state()
    assert kkt.frame("02 08 23 1E 00 00 00 0F 05 18 27") == "02 02 23 7C 5D"
    assert kkt.state() == before
    assert kkt.register.pending_date == dt.date(2024, 5, 14)


def test_b27_matching_pair_and_time(kkt):
    assert kkt.frame("02 08 22 1E 00 00 00 0E 05 18 27") == "02 02 22 00 20"
    assert kkt.frame("02 08 23 1E 00 00 00 0E 05 18 26") == "02 02 23 00 21"
    assert kkt.mode() == 0x04
    assert kkt.frame("02 08 21 1E 00 00 00 10 0C 00 2B") == "02 02 21 00 23"
    assert kkt.register.now() == dt.datetime(2024, 5, 14, 16, 12, 0)


# Mode 6.


def test_date_moves_after_confirmation(kkt):
    kkt.send(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 6, 1)))
    assert kkt.register.now().date() == START.date()
    kkt.send(c.ConfirmDateRequest.on(SYSADMIN, dt.date(2024, 6, 1)))
    assert kkt.register.now() == dt.datetime(2024, 6, 1, 16, 0, 0)
    assert kkt.send(c.LongStatusRequest(CASHIER)).date == dt.date(2024, 6, 1)


def test_long_status_shows_pending_date(kkt):
    kkt.send(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 6, 1)))
    status = kkt.send(c.LongStatusRequest(CASHIER))
    assert status.mode == 0x06
    assert status.date == dt.date(2024, 6, 1)
    # javapos_shtrih confirms with the date 11h showed.
    kkt.send(c.ConfirmDateRequest.on(SYSADMIN, status.date))
    assert kkt.mode() == 0x04


def test_fr_drv_ng_order_date_time_confirm(kkt):
    kkt.send(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 7, 2)))
    kkt.send(c.SetTimeRequest.at(SYSADMIN, dt.time(8, 30, 15)))
    kkt.send(c.ConfirmDateRequest.on(SYSADMIN, dt.date(2024, 7, 2)))
    assert kkt.register.now() == dt.datetime(2024, 7, 2, 8, 30, 15)


@pytest.mark.parametrize("request_", [
    c.BeepRequest(CASHIER),
    c.OpenShiftRequest(CASHIER),
    c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x"),
    c.WriteTableRequest(SYSADMIN, 17, 1, 7, b"\x01"),
    c.CashInRequest(CASHIER, 100),
], ids=lambda request: type(request).__name__)
def test_other_commands_refused_c0_in_mode_6(kkt, request_):
    kkt.send(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 6, 1)))
    before = kkt.state()
    assert kkt.raw(request_.encode()) == c.code_bytes(request_.CODE) + b"\xC0"
    assert kkt.state() == before


def test_status_commands_answer_in_mode_6(kkt):
    kkt.send(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 6, 1)))
    kkt.send(c.ShortStatusRequest(CASHIER))
    kkt.send(c.DeviceTypeRequest())
    kkt.send(c.ExtendedRequest(c.MODEL_PARAMETERS))


def test_confirm_without_date_73(kkt):
    before = kkt.state()
    assert kkt.raw(c.ConfirmDateRequest.on(SYSADMIN, START.date()).encode()) == H("23 73")
    assert kkt.state() == before


def test_confirm_impossible_date_7d(kkt):
    kkt.send(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 6, 1)))
    before = kkt.state()
    assert kkt.raw(c.ConfirmDateRequest(SYSADMIN, 31, 4, 24).encode()) == H("23 7D")
    assert kkt.state() == before


@pytest.mark.parametrize(("hour", "minute", "second"), [(24, 0, 0), (12, 60, 0), (12, 0, 60)])
def test_impossible_time_33(kkt, hour, minute, second):
    before = kkt.state()
    assert kkt.raw(c.SetTimeRequest(SYSADMIN, hour, minute, second).encode()) == H("21 33")
    assert kkt.state() == before


def test_clock_commands_need_sysadmin(kkt):
    before = kkt.state()
    assert kkt.raw(c.SetTimeRequest.at(CASHIER, dt.time(1, 2, 3)).encode()) == H("21 4F")
    assert kkt.raw(c.SetDateRequest.on(29, dt.date(2024, 6, 1)).encode()) == H("22 4F")
    assert kkt.state() == before


def test_date_refused_with_receipt_open(kkt):
    kkt.send(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x"))
    before = kkt.state()
    assert kkt.raw(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 6, 1)).encode()) == H("22 4A")
    assert kkt.raw(c.SetTimeRequest.at(SYSADMIN, dt.time(17, 0)).encode()) == H("21 4A")
    assert kkt.state() == before


def test_memory_failure_restores_clock(kkt, tmp_path):
    kkt.emulator.memory.close()
    kkt.emulator.memory.path = tmp_path
    before = kkt.register.now()
    assert kkt.raw(c.SetTimeRequest.at(SYSADMIN, dt.time(17, 30)).encode()) == H("21 74")
    assert kkt.register.now() == before


# The register clock is an offset over the ФН timer: it survives restarts, and the ФН judges it.


def test_clock_offset_survives_restart(kkt):
    kkt.send(c.SetTimeRequest.at(SYSADMIN, dt.time(16, 3, 0)))
    kkt.emulator.close()
    kkt.emulator = Emulator(kkt.path, clock=kkt.clock)
    assert kkt.register.now() == dt.datetime(2024, 5, 14, 16, 3, 0)


def test_setting_time_never_moves_fn_timer(kkt):
    kkt.send(c.SetTimeRequest.at(SYSADMIN, dt.time(18, 0)))
    assert kkt.clock.now() == START


def test_date_before_last_document_refused_by_fn_07(kkt):
    assert kkt.sell()[1] == 0
    kkt.send(c.SetDateRequest.on(SYSADMIN, dt.date(2024, 5, 13)))
    kkt.send(c.ConfirmDateRequest.on(SYSADMIN, dt.date(2024, 5, 13)))
    before_archive = kkt.path.read_bytes()
    answer = kkt.raw(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x").encode())
    assert answer == H("80 07")
    assert kkt.path.read_bytes() == before_archive
    assert kkt.mode() == 0x02


def test_time_off_fn_timer_refused_by_fn_17(kkt):
    assert kkt.sell()[1] == 0
    kkt.send(c.SetTimeRequest.at(SYSADMIN, dt.time(16, 10)))
    before_archive = kkt.path.read_bytes()
    assert kkt.raw(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x").encode()) == H("80 17")
    assert kkt.path.read_bytes() == before_archive
    # Back within 5 minutes of the ФН timer, the receipt goes through.
    kkt.send(c.SetTimeRequest.at(SYSADMIN, dt.time(16, 2)))
    assert kkt.sell()[1] == 0
