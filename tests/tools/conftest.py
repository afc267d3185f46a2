"""Fixtures for the CLI tests: ФН archives made by an in-process emulator, and a CLI runner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.fn_storage.profile import DEFAULT_PROFILE, FnProfile
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c
from kktemu.tools.cli import main

START = dt.datetime(2024, 3, 1, 9, 30)
FN_SERIAL = make_test_fn_serial(4321)
PASSWORD = 30  # system administrator, operator 30
PHONE = "+79990001122"
NO_TAXES = (0, 0, 0, 0)
# Locale variables removed from the environment of a CLI run unless a test sets them.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def execute_all(emulator: Emulator, requests: Sequence[c.Message]) -> None:
    """Execute Штрих-М requests in order and fail on the first refused one."""
    for request in requests:
        answer = emulator.execute(request.encode())
        error = answer[2] if answer[0] == 0xFF else answer[1]
        assert error == 0, f"{type(request).__name__} refused with error 0x{error:02X}"


def sale(quantity: int, price: int, tax_group: int, name: str) -> c.SaleRequest:
    """80h sale of ``quantity`` thousandths at ``price`` kopecks in ``tax_group`` (1..4)."""
    taxes = tuple(1 if group == tax_group else 0 for group in range(1, 5))
    return c.SaleRequest(PASSWORD, quantity, price, 1, taxes, name)


def close(cash: int = 0, cashless: int = 0) -> c.CloseReceiptRequest:
    """85h close the receipt paying ``cash`` and ``cashless`` (payment type 2) kopecks."""
    return c.CloseReceiptRequest(PASSWORD, (cash, cashless, 0, 0), 0, NO_TAXES, "")


def _build_archive(path: Path, requests: Sequence[c.Message], fn_profile: FnProfile = DEFAULT_PROFILE) -> Path:
    """Create a new ФН at ``path`` (registered by the register, ФД 1), then execute ``requests``."""
    with Emulator(path, clock=Clock(START, frozen=True), fn_serial=FN_SERIAL, fn_profile=fn_profile) as emulator:
        execute_all(emulator, requests)
    return path


SALE_FLOW = (
    c.OpenShiftRequest(PASSWORD),
    c.OpenReceiptRequest(PASSWORD, c.ReceiptType.SALE),
    sale(1000, 2800, 1, "Сахар"),
    sale(2000, 5500, 2, "Чай"),
    c.SendTlvRequest(PASSWORD, encode_tlv(1008, encode_string(PHONE))),
    close(cash=20000),
    c.OpenReceiptRequest(PASSWORD, c.ReceiptType.SALE),
    sale(3000, 9999, 1, "Кофе"),
    close(cashless=29997),
    c.ZReportRequest(PASSWORD),
)
"""Shift with two receipts: 138.00 in cash (two VAT rates, buyer phone 1008), 299.97 cashless."""


@pytest.fixture(scope="module")
def sale_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Archive of SALE_FLOW: ФД 1 registration, 2 open shift, 3 and 4 receipts, 5 close shift."""
    return _build_archive(tmp_path_factory.mktemp("sale") / "fn.bin", SALE_FLOW)


@pytest.fixture(scope="session")
def build_archive() -> Callable[..., Path]:
    """Return ``build(path, requests, fn_profile=DEFAULT_PROFILE)``: a new ФН at ``path`` (ФД 1
    registration), then ``requests``.

    The clock is frozen at START and the ФН serial is FN_SERIAL; every request must succeed.
    """
    return _build_archive


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Return ``run(*args, env=None)``: invoke ``kktemu`` in-process with no locale unless ``env`` sets one."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        environment: dict[str, str | None] = dict.fromkeys(LOCALE_VARIABLES)
        environment.update(env or {})
        return CliRunner().invoke(main, [str(arg) for arg in args], env=environment, catch_exceptions=False)

    return run
