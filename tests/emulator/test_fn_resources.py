"""ФН resource refusals reach the Штрих-М host unchanged: 05h, 06h and 12h from the ФН are the error byte.

The emulator's one clock drives the register and the ФН timer, so moving it
reaches the ФН validity deadline without waiting.
"""

from __future__ import annotations

import datetime as dt

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000077"
PASSWORD = 30
EXPIRY_13_MONTHS = dt.datetime(2025, 4, 1, 9, 0, 0)


def _error(emulator: Emulator, request: c.Message) -> int:
    answer = emulator.execute(request.encode())
    return answer[2] if answer[0] == 0xFF else answer[1]


def _sale(emulator: Emulator) -> int:
    """Sell one item for 1.00 in cash; return the error byte of the first refused command (0 for none)."""
    for request in (c.OpenReceiptRequest(PASSWORD, c.ReceiptType.SALE),
                    c.SaleRequest(PASSWORD, 1000, 100, 1, (0, 0, 0, 0), "Хлеб"),
                    c.CloseReceiptRequest(PASSWORD, (100, 0, 0, 0), 0, (0, 0, 0, 0), "")):
        error = _error(emulator, request)
        if error:
            return error
    return 0


def _confirm_all(emulator: Emulator) -> None:
    # Stands in for the ОФД, so the 30-day rule (15h) does not answer before the rule under test.
    state = emulator.storage._state
    for number in range(1, state.last_fd_number + 1):
        state.mark_ticket(number)


def test_full_archive_passes_06h(tmp_path):
    path = tmp_path / "fn.bin"
    with Emulator(path, clock=Clock(START, frozen=True), fn_serial=FN_SERIAL,
                  fn_profile=FnProfile(archive_capacity=5)) as emulator:
        assert _error(emulator, c.OpenShiftRequest(PASSWORD)) == 0
        assert _sale(emulator) == 0
        before = path.read_bytes()
        assert _sale(emulator) == 0x06
        assert path.read_bytes() == before
        assert _error(emulator, c.CancelReceiptRequest(PASSWORD)) == 0
        assert _error(emulator, c.ZReportRequest(PASSWORD)) == 0
        assert emulator.storage.execute(0x30, b"")[1][-4:] == (4).to_bytes(4, "little")


def test_expired_fn_passes_05h_and_12h(tmp_path):
    path = tmp_path / "fn.bin"
    clock = Clock(START, frozen=True)
    with Emulator(path, clock=clock, fn_serial=FN_SERIAL, fn_profile=FnProfile(validity_months=13)) as emulator:
        clock.set(EXPIRY_13_MONTHS - dt.timedelta(minutes=1))
        _confirm_all(emulator)
        assert _error(emulator, c.OpenShiftRequest(PASSWORD)) == 0
        clock.set(EXPIRY_13_MONTHS)
        before = path.read_bytes()
        assert _sale(emulator) == 0x12
        assert path.read_bytes() == before
        assert _error(emulator, c.CancelReceiptRequest(PASSWORD)) == 0
        assert _error(emulator, c.ZReportRequest(PASSWORD)) == 0
        _confirm_all(emulator)
        before = path.read_bytes()
        assert _error(emulator, c.OpenShiftRequest(PASSWORD)) == 0x05
        assert path.read_bytes() == before
