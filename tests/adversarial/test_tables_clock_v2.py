"""Tables (1Eh, 1Fh, 2Dh, 2Eh, 24h), passwords, date and time (21h–23h, mode 6), mode 9 and paper faults.

The register is driven through ``Emulator.execute`` on a ФН file with a frozen
clock. A refused command must leave the mode, the tables as 1Fh reads them, the
drawer, the register memory journal and the ФН archive as they were. No command
may answer 39h (internal error).

Tests marked xfail pin open bugs; each one names the bug in its reason and
turns into a failure (strict) once the bug is fixed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.emulator.table_defaults import TABLES
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.documents import decode_document
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

START = dt.datetime(2024, 3, 1, 9, 0, 0)
ADMIN = 30
CASHIER = 1
DRAWER_REGISTER = 241
TECHNOLOGICAL_RESET_MODE = 9
DATE_CONFIRMATION_MODE = 6
BIN = c.FieldType.BIN


class Register:
    """An emulator on a ФН file under ``directory`` with a frozen clock, which ``restart`` reopens."""

    def __init__(self, directory: Path, ffd: str = "1.05") -> None:
        self.fn_path = directory / "fn.bin"
        self.ffd = ffd
        self.clock = Clock(START, frozen=True)
        self.emulator = self._start()

    def _start(self) -> Emulator:
        return Emulator(self.fn_path, clock=self.clock, profile=SHTRIH_M_01F.with_ffd(self.ffd))

    def restart(self) -> None:
        self.emulator.close()
        self.emulator = self._start()

    def close(self) -> None:
        self.emulator.close()

    def raw(self, request) -> bytes:
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)

    def error(self, request) -> int:
        """Execute ``request`` and return its error byte (0 on success)."""
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)[len(c.code_bytes(c.command_code(body)))]

    def send(self, request):
        answer = c.decode_answer(self.raw(request))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def mode(self) -> int:
        return self.send(c.ShortStatusRequest(ADMIN)).mode

    def state(self) -> dict:
        journal = memory_path(self.fn_path)
        return {
            "10h": self.raw(c.ShortStatusRequest(ADMIN)),
            "11h": self.raw(c.LongStatusRequest(ADMIN)),
            "drawer": self.raw(c.CashRegisterRequest(ADMIN, DRAWER_REGISTER)),
            "journal": journal.read_bytes() if journal.exists() else b"",
            "archive": self.fn_path.read_bytes(),
        }

    def refused(self, request, error: int | None = None) -> int:
        """Check that ``request`` is refused (with ``error`` when given) and changes nothing."""
        before = self.state()
        code = self.error(request)
        assert code != 0, f"{request} succeeded"
        assert code != ErrorCode.INTERNAL_ERROR, f"{request} failed inside kktemu"
        if error is not None:
            assert code == error, f"{request}: {code:02X}h, expected {error:02X}h"
        after = self.state()
        changed = [name for name in before if before[name] != after[name]]
        assert not changed, f"{request} refused with {code:02X}h changed {changed}"
        return code

    def sell(self, password: int = ADMIN) -> int:
        """Sell one item for 28.00, close in cash and return the error of the first refused step, or 0."""
        error = self.error(c.OperationV2Request(password, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1,
                                                "Сахар"))
        if error:
            return error
        return self.error(c.CloseReceiptV2Request(password, (2800,) + (0,) * 15, 0, (0,) * 6, 1, ""))

    def last_fields(self) -> dict:
        document = decode_document(read_archive(self.fn_path).documents[-1].stlv)
        return {field.tag: field.value for field in document.fields}


@pytest.fixture
def kkt(tmp_path):
    register = Register(tmp_path)
    yield register
    register.close()


# Tables: every boundary of table, row and field.

def test_table_numbers(kkt):
    for table in range(256):
        if table in TABLES:
            answer = kkt.send(c.TableStructureRequest(ADMIN, table))
            assert (answer.rows, answer.fields) == (TABLES[table].rows, len(TABLES[table].fields))
        else:
            kkt.refused(c.TableStructureRequest(ADMIN, table), ErrorCode.TABLE_NOT_DEFINED)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_field_and_row_boundaries(kkt, table):
    layout = TABLES[table]
    for field in (0, len(layout.fields) + 1, 255):
        kkt.refused(c.FieldStructureRequest(ADMIN, table, field), ErrorCode.INVALID_PARAMETERS)
        kkt.refused(c.ReadTableRequest(ADMIN, table, 1, field), ErrorCode.INVALID_PARAMETERS)
        kkt.refused(c.WriteTableRequest(ADMIN, table, 1, field, b"\x00"), ErrorCode.INVALID_PARAMETERS)
    for field in range(1, len(layout.fields) + 1):
        structure = kkt.send(c.FieldStructureRequest(ADMIN, table, field))
        for row in (0, layout.rows + 1, 0xFFFF):
            kkt.refused(c.ReadTableRequest(ADMIN, table, row, field), ErrorCode.INVALID_PARAMETERS)
            kkt.refused(c.WriteTableRequest(ADMIN, table, row, field, b"\x00"), ErrorCode.INVALID_PARAMETERS)
        for row in {1, layout.rows}:
            value = kkt.send(c.ReadTableRequest(ADMIN, table, row, field)).value
            assert len(value) == structure.size, (table, row, field)


def _writable_fields():
    for table, layout in sorted(TABLES.items()):
        for number, field in enumerate(layout.fields, start=1):
            if field.access.name == "WRITABLE" and (table, number) != (10, 11):
                yield table, number


@pytest.mark.parametrize(("table", "field"), list(_writable_fields()))
def test_read_value_writes_back(kkt, table, field):
    for row in {1, TABLES[table].rows}:
        value = kkt.send(c.ReadTableRequest(ADMIN, table, row, field)).value

        kkt.send(c.WriteTableRequest(ADMIN, table, row, field, value))

        assert kkt.send(c.ReadTableRequest(ADMIN, table, row, field)).value == value


def test_paper_sensor_threshold_writes_back(kkt):
    value = kkt.send(c.ReadTableRequest(ADMIN, 10, 1, 11)).value

    assert kkt.error(c.WriteTableRequest(ADMIN, 10, 1, 11, value)) == 0


BIN_WRITES = [
    (b"", False),
    (b"\x01", True),  # shorter than the field: zero-extended
    (b"\x01\x00\x00\x00", True),
    (b"\x01\x00\x00\x00\x00", False),  # longer than the field
    ((99_999_999).to_bytes(4, "little"), True),  # the maximum of a table 2 password
    ((100_000_000).to_bytes(4, "little"), False),
    (b"\xff\xff\xff\xff", False),
]


@pytest.mark.parametrize(("value", "accepted"), BIN_WRITES)
def test_bin_write_sizes(kkt, value, accepted):
    request = c.WriteTableRequest(ADMIN, 2, 28, 1, value)  # cashier 28's password
    if accepted:
        kkt.send(request)
        assert kkt.send(c.ReadTableRequest(ADMIN, 2, 28, 1)).value == value.ljust(4, b"\x00")
    else:
        kkt.refused(request, ErrorCode.INVALID_PARAMETERS)


CHAR_WRITES = [
    (b"", b""),
    (b"x" * 64, b"x" * 64),
    (b"x" * 64 + b"\x00junk", b"x" * 64),  # padding after the NUL does not count
    (b"\x00junk", b""),
    (b"ab\x01\x1fcd", b"abcd"),  # bytes 1..31 are dropped
]


@pytest.mark.parametrize(("value", "stored"), CHAR_WRITES)
def test_char_write(kkt, value, stored):
    kkt.send(c.WriteTableRequest(ADMIN, 2, 28, 2, value))

    assert kkt.send(c.ReadTableRequest(ADMIN, 2, 28, 2)).value == stored.ljust(64, b"\x00")


@pytest.mark.parametrize("value", [b"x" * 65, b"\x98", b"ab\x98", b"x" * 200],
                         ids=["65 bytes", "98h", "98h inside", "200 bytes"])
def test_char_write_refused(kkt, value):
    kkt.refused(c.WriteTableRequest(ADMIN, 2, 28, 2, value), ErrorCode.INVALID_PARAMETERS)


@pytest.mark.parametrize(("table", "field", "error"), [
    *((18, field, ErrorCode.FIELD_READ_ONLY) for field in range(1, 7)),
    (17, 17, ErrorCode.FIELD_READ_ONLY_IN_MODE),  # ФФД version of the registration
])
def test_protected_fields(kkt, table, field, error):
    value = kkt.send(c.ReadTableRequest(ADMIN, table, 1, field)).value

    kkt.refused(c.WriteTableRequest(ADMIN, table, 1, field, value), error)


def test_tax_mode_field_needs_closed_shift(kkt):
    kkt.send(c.OpenShiftRequest(ADMIN))

    kkt.refused(c.WriteTableRequest(ADMIN, 1, 1, 14, b"\x01"), ErrorCode.FIELD_READ_ONLY_IN_MODE)
    kkt.refused(c.InitTablesRequest(ADMIN), ErrorCode.SHIFT_OPEN)


def test_tables_need_system_administrator(kkt):
    for password in (CASHIER, 29, 31, 0, 0xFFFFFFFF):
        kkt.refused(c.WriteTableRequest(password, 2, 30, 1, b"\x01"), ErrorCode.WRONG_PASSWORD)
        kkt.refused(c.ReadTableRequest(password, 2, 30, 1), ErrorCode.WRONG_PASSWORD)


@pytest.mark.parametrize("ffd", ["1.05", "1.2"])
def test_registration_table_after_restart(tmp_path, ffd):
    kkt = Register(tmp_path, ffd)
    try:
        before = [kkt.send(c.ReadTableRequest(ADMIN, 18, 1, field)).value for field in range(1, 24)]
        kkt.send(c.WriteTableRequest(ADMIN, 18, 1, 7, "ИП Тестов".encode("cp1251")))

        kkt.restart()

        after = [kkt.send(c.ReadTableRequest(ADMIN, 18, 1, field)).value for field in range(1, 24)]
        assert after[:6] == before[:6]
        assert after[6] == "ИП Тестов".encode("cp1251").ljust(128, b"\x00")
        assert after[7:] == before[7:]
        assert kkt.send(c.ReadTableRequest(ADMIN, 18, 1, 4)).value[:16].decode() == \
            kkt.send(c.FnNumberRequest(ADMIN)).fn_number
        assert kkt.send(c.ReadTableRequest(ADMIN, 17, 1, 17)).value == bytes((2 if ffd == "1.05" else 4,))
    finally:
        kkt.close()


# Passwords (table 2).

def test_system_administrator_password_change_survives_restart(kkt):
    kkt.send(c.WriteTableRequest(ADMIN, 2, 30, 1, (12345).to_bytes(4, "little")))

    kkt.refused(c.ReadTableRequest(ADMIN, 2, 30, 1), ErrorCode.WRONG_PASSWORD)
    kkt.refused(c.FnStatusRequest(ADMIN), ErrorCode.WRONG_PASSWORD)
    assert kkt.send(c.FnStatusRequest(12345)).fn_number
    kkt.restart()
    kkt.refused(c.FnStatusRequest(ADMIN), ErrorCode.WRONG_PASSWORD)
    assert kkt.sell(12345) == 0
    assert kkt.last_fields()[1021] == "СИС. АДМИНИСТРАТОР"


def test_cashier_password_change(kkt):
    kkt.send(c.WriteTableRequest(ADMIN, 2, CASHIER, 1, (777).to_bytes(4, "little")))

    kkt.refused(c.ShortStatusRequest(CASHIER), ErrorCode.WRONG_PASSWORD)
    kkt.restart()
    kkt.refused(c.ShortStatusRequest(CASHIER), ErrorCode.WRONG_PASSWORD)
    assert kkt.send(c.ShortStatusRequest(777)).operator == CASHIER
    kkt.send(c.SaleRequest(777, 1000, 2800, 1, (0, 0, 0, 0), "Соль"))  # 80h and 85h take a cashier password
    kkt.send(c.CloseReceiptRequest(777, (2800, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    assert kkt.last_fields()[1021] == "КАССИР 1"


def test_init_tables_restores_passwords(kkt):
    kkt.send(c.WriteTableRequest(ADMIN, 2, 30, 1, (12345).to_bytes(4, "little")))
    kkt.restart()

    kkt.send(c.InitTablesRequest(12345))

    assert kkt.send(c.ReadTableRequest(ADMIN, 2, 30, 1)).value == (ADMIN).to_bytes(4, "little")
    kkt.refused(c.FnStatusRequest(12345), ErrorCode.WRONG_PASSWORD)


@pytest.mark.parametrize("name", ["Кассир «Иванов»", "Ђ€"])
def test_operator_name_without_cp866_form(kkt, name):
    written = kkt.error(c.WriteTableRequest(ADMIN, 2, 30, 2, name.encode("cp1251")))

    # Either 1Eh refuses the name, or the register can write it into its documents.
    assert written != 0 or kkt.sell() == 0


# Date and time.

def date_pair(day: int, month: int, year: int):
    return c.SetDateRequest(ADMIN, day, month, year), c.ConfirmDateRequest(ADMIN, day, month, year)


ALLOWED_IN_MODE_6 = [c.ShortStatusRequest(ADMIN), c.LongStatusRequest(ADMIN), c.DeviceTypeRequest()]
REFUSED_IN_MODE_6 = [
    c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар"),
    c.OpenShiftRequest(ADMIN), c.CashInRequest(ADMIN, 100), c.FnStatusRequest(ADMIN),
    c.ReadTableRequest(ADMIN, 1, 1, 1), c.WriteTableRequest(ADMIN, 2, 28, 1, b"\x05"),
    c.SendTlvRequest(ADMIN, b"\xf0\x03\x0c\x00+79990001122"), c.TechnologicalResetRequest(),
    c.BeginOpenShiftRequest(ADMIN), c.DocumentTlvRequest(ADMIN, 1),
]


def test_date_waiting_blocks_other_commands(kkt):
    set_date, confirm = date_pair(2, 3, 24)
    kkt.send(set_date)
    assert kkt.mode() == DATE_CONFIRMATION_MODE

    for request in ALLOWED_IN_MODE_6:
        kkt.send(request)
    for request in REFUSED_IN_MODE_6:
        kkt.refused(request, ErrorCode.CONFIRM_DATETIME)
    kkt.send(confirm)

    assert kkt.mode() != DATE_CONFIRMATION_MODE
    assert kkt.emulator.register.now() == dt.datetime(2024, 3, 2, 9, 0, 0)


def test_confirm_mismatch_keeps_date_waiting(kkt):
    kkt.send(c.SetDateRequest(ADMIN, 2, 3, 24))

    kkt.refused(c.ConfirmDateRequest(ADMIN, 3, 3, 24), ErrorCode.DATE_MISMATCH)
    kkt.refused(c.ConfirmDateRequest(ADMIN, 31, 2, 24), ErrorCode.INVALID_DATE_FORMAT)
    assert kkt.mode() == DATE_CONFIRMATION_MODE
    kkt.send(c.ConfirmDateRequest(ADMIN, 2, 3, 24))


def test_confirm_without_set_date(kkt):
    kkt.refused(c.ConfirmDateRequest(ADMIN, 1, 3, 24), ErrorCode.NOT_SUPPORTED_IN_MODE)


def test_second_set_date_replaces_waiting_one(kkt):
    kkt.send(c.SetDateRequest(ADMIN, 2, 3, 24))
    kkt.send(c.SetDateRequest(ADMIN, 3, 3, 24))

    kkt.refused(c.ConfirmDateRequest(ADMIN, 2, 3, 24), ErrorCode.DATE_MISMATCH)
    kkt.send(c.ConfirmDateRequest(ADMIN, 3, 3, 24))


def test_waiting_date_lost_on_restart(kkt):
    kkt.send(c.SetDateRequest(ADMIN, 2, 3, 24))

    kkt.restart()

    assert kkt.mode() != DATE_CONFIRMATION_MODE
    kkt.refused(c.ConfirmDateRequest(ADMIN, 2, 3, 24), ErrorCode.NOT_SUPPORTED_IN_MODE)


@pytest.mark.parametrize("date", [(31, 2, 24), (29, 2, 23), (0, 1, 24), (32, 1, 24), (1, 0, 24), (1, 13, 24)])
def test_impossible_dates_refused(kkt, date):
    kkt.refused(c.SetDateRequest(ADMIN, *date), ErrorCode.INVALID_DATE_FORMAT)


@pytest.mark.parametrize("time", [(24, 0, 0), (0, 60, 0), (0, 0, 60), (255, 255, 255)])
def test_impossible_times_refused(kkt, time):
    kkt.refused(c.SetTimeRequest(ADMIN, *time), ErrorCode.INVALID_PARAMETERS)


def test_date_moves_register_clock_only(kkt):
    for date in ((29, 2, 28), (31, 12, 99)):  # a leap day, and the last day of 2099
        set_date, confirm = date_pair(*date)
        kkt.send(set_date)
        kkt.send(confirm)

        assert kkt.sell() == 0
        assert kkt.send(c.LongStatusRequest(ADMIN)).date == dt.date(2000 + date[2], date[1], date[0])
        assert kkt.send(c.ZReportRequest(ADMIN))


@pytest.mark.parametrize("date", [(29, 2, 24), (1, 1, 0)])
def test_date_before_last_document_refused_by_fn(kkt, date):
    set_date, confirm = date_pair(*date)
    kkt.send(set_date)
    kkt.send(confirm)

    kkt.refused(c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар"),
                0x07)  # ФН: date and time earlier than the last document


def test_time_set_back_before_last_document(kkt):
    assert kkt.sell() == 0
    kkt.clock.advance(dt.timedelta(minutes=10))

    kkt.send(c.SetTimeRequest(ADMIN, 8, 59, 0))
    kkt.refused(c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар"),
                0x07)
    kkt.send(c.SetTimeRequest(ADMIN, 9, 10, 0))
    assert kkt.sell() == 0


@pytest.mark.parametrize("year", [100, 150, 255])
def test_year_beyond_2099(kkt, year):
    set_date, confirm = date_pair(1, 1, year)
    accepted = kkt.error(set_date) == 0 and kkt.error(confirm) == 0

    assert not accepted
    assert kkt.error(c.LongStatusRequest(ADMIN)) == 0
    assert kkt.sell() == 0


# Mode 9, test run and paper.

def test_technological_reset_outside_mode_9(kkt):
    kkt.refused(c.TechnologicalResetRequest(), ErrorCode.NOT_SUPPORTED_IN_MODE)


def test_mode_9_takes_only_reset_and_status(kkt):
    kkt.send(c.CashInRequest(ADMIN, 5000))
    kkt.emulator.register.require_technological_reset()
    assert kkt.mode() == TECHNOLOGICAL_RESET_MODE

    for request in REFUSED_IN_MODE_6[:-4] + [c.ConfirmDateRequest(ADMIN, 1, 3, 24), c.SetTimeRequest(ADMIN, 9, 0, 0)]:
        kkt.refused(request, ErrorCode.NOT_SUPPORTED_IN_MODE)
    kkt.send(c.TechnologicalResetRequest())

    assert kkt.mode() != TECHNOLOGICAL_RESET_MODE
    assert kkt.send(c.CashRegisterRequest(ADMIN, DRAWER_REGISTER)).value == 0
    assert kkt.sell() == 0


def test_paper_out_keeps_receipt_open(kkt):
    register = kkt.emulator.register
    kkt.send(c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар"))
    register.paper_out()
    close = c.CloseReceiptV2Request(ADMIN, (2800,) + (0,) * 15, 0, (0,) * 6, 1, "")

    kkt.refused(close, ErrorCode.NO_RECEIPT_PAPER)
    kkt.refused(c.CancelReceiptRequest(ADMIN), ErrorCode.NO_RECEIPT_PAPER)
    register.paper_loaded()
    kkt.send(close)


def test_interrupted_printing_waits_for_continue(kkt):
    register = kkt.emulator.register
    kkt.send(c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар"))
    register.paper_out(while_printing=True)
    register.paper_loaded()
    close = c.CloseReceiptV2Request(ADMIN, (2800,) + (0,) * 15, 0, (0,) * 6, 1, "")

    kkt.refused(close, ErrorCode.WAITING_CONTINUE_PRINTING)
    kkt.send(c.ContinuePrintingRequest(ADMIN))
    kkt.send(close)


def test_continue_printing_without_paper_refused(kkt):
    kkt.emulator.register.paper_out(while_printing=True)

    kkt.refused(c.ContinuePrintingRequest(ADMIN), ErrorCode.NO_RECEIPT_PAPER)
