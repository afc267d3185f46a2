"""Settings tables through the Штрих-М dialect: 1Eh, 1Fh, 2Dh, 2Eh, 24h, and what reads them.

Public facts used here:
- javapos_shtrih issue 108: the 2Eh answer for table 18 field 3 names the field "RNM",
  type CHAR, 21 bytes; 1Fh of table 19 row 1 field 2 answers two bytes (an ОФД port).
- javapos_shtrih SMFiscalPrinterImpl: table 17 is found by its 2Dh name "Региональные
  настройки" (compared ignoring case), 17.1.7 is read as a number, 18.1 is the serial.
- afilippov1985/kkt-shtrih KktShtrih: 18.1 is the ККТ serial, 18.4 the ФН number, and
  CHAR values are written as 40 NUL-padded bytes.
- re-star-ru/shtrih-m-driver commands.go: writes 17.1.7 = 1 as one byte.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import iter_tlv
from kktemu.protocol.ffd.values import decode_string
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000001"
CASHIER = 1
SYSADMIN = 30


class Kkt:
    """An Emulator on a file, driven by request objects."""

    def __init__(self, path, clock):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, fn_serial=FN_SERIAL)

    @property
    def register(self):
        return self.emulator.register

    def raw(self, body: bytes) -> bytes:
        return self.emulator.execute(body)

    def send(self, request):
        answer = c.decode_answer(self.raw(request.encode()))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def error(self, request) -> int:
        answer = c.decode_answer(self.raw(request.encode()))
        assert isinstance(answer, c.ErrorAnswer), f"{request} succeeded"
        return answer.error

    def state(self) -> dict:
        """Everything a refused command must leave unchanged."""
        return {
            "mode": self.send(c.ShortStatusRequest(CASHIER)).mode,
            "memory": copy.deepcopy(self.register.memory.state),
            "journal": memory_path(self.path).read_bytes() if memory_path(self.path).exists() else b"",
            "archive": self.path.read_bytes(),
        }

    def reopen(self) -> None:
        self.emulator.close()
        self.emulator = Emulator(self.path, clock=self.clock, fn_serial=FN_SERIAL)

    def read(self, table, row, field) -> bytes:
        return self.send(c.ReadTableRequest(SYSADMIN, table, row, field)).value


@pytest.fixture
def kkt(tmp_path):
    kkt = Kkt(tmp_path / "fn.bin", Clock(START, frozen=True))
    yield kkt
    kkt.emulator.close()


# 2Dh and 2Eh.


def test_table_17_named_for_javapos(kkt):
    answer = kkt.send(c.TableStructureRequest(SYSADMIN, 17))
    assert answer.name.casefold() == "Региональные настройки".casefold()
    assert answer.rows == 1
    assert answer.fields == 46


def test_operator_table_structure(kkt):
    answer = kkt.send(c.TableStructureRequest(SYSADMIN, 2))
    assert (answer.rows, answer.fields) == (30, 2)


@pytest.mark.parametrize("table", [0, 20, 255])
def test_unknown_table_5d(kkt, table):
    # javapos_shtrih reads table layouts from table 1 on until 5Dh "Таблица не определена".
    before = kkt.state()
    assert kkt.raw(c.TableStructureRequest(SYSADMIN, table).encode()) == H("2D 5D")
    assert kkt.raw(c.FieldStructureRequest(SYSADMIN, table, 1).encode()) == H("2E 5D")
    assert kkt.raw(c.ReadTableRequest(SYSADMIN, table, 1, 1).encode()) == H("1F 5D")
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, table, 1, 1, b"\x01").encode()) == H("1E 5D")
    assert kkt.state() == before


def test_rnm_field_structure_javapos_108(kkt):
    # javapos_shtrih issue 108: name "RNM", type 1 (CHAR), size 15h.
    answer = kkt.raw(c.FieldStructureRequest(SYSADMIN, 18, 3).encode())
    assert answer[:2] == H("2E 00")
    assert answer[2:42] == b"RNM".ljust(40, b"\0")
    assert answer[42:44] == H("01 15")
    assert len(answer) == 44


def test_bin_field_structure_carries_range(kkt):
    answer = kkt.send(c.FieldStructureRequest(SYSADMIN, 2, 1))
    assert answer == c.FieldStructureAnswer("ПАРОЛИ КАССИРОВ", c.FieldType.BIN, 4, 0, 99999999)
    raw = kkt.raw(c.FieldStructureRequest(SYSADMIN, 17, 7).encode())
    assert raw[42:] == H("00 01 00 03")


def test_unknown_field_33(kkt):
    before = kkt.state()
    assert kkt.raw(c.FieldStructureRequest(SYSADMIN, 17, 47).encode()) == H("2E 33")
    assert kkt.raw(c.FieldStructureRequest(SYSADMIN, 17, 0).encode()) == H("2E 33")
    assert kkt.raw(c.ReadTableRequest(SYSADMIN, 1, 1, 48).encode()) == H("1F 33")
    assert kkt.state() == before


@pytest.mark.parametrize("row", [0, 2, 65535])
def test_unknown_row_33(kkt, row):
    before = kkt.state()
    assert kkt.raw(c.ReadTableRequest(SYSADMIN, 17, row, 7).encode()) == H("1F 33")
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 17, row, 7, b"\x01").encode()) == H("1E 33")
    assert kkt.state() == before


def test_every_field_readable_with_its_size(kkt):
    for table in range(1, 20):
        structure = kkt.send(c.TableStructureRequest(SYSADMIN, table))
        for field in range(1, structure.fields + 1):
            layout = kkt.send(c.FieldStructureRequest(SYSADMIN, table, field))
            for row in (1, structure.rows):
                value = kkt.read(table, row, field)
                assert len(value) == layout.size, (table, row, field)
                if layout.field_type == c.FieldType.BIN:
                    number = int.from_bytes(value, "little")
                    assert layout.minimum <= number <= layout.maximum or table == 10, (table, row, field)


# 1Fh of the identity in table 18.


def test_table_18_shows_the_registration(kkt):
    identity = kkt.register.identity
    assert kkt.read(18, 1, 1) == identity.kkt_serial.encode().ljust(21, b"\0")
    assert kkt.read(18, 1, 2) == identity.inn.ljust(12).encode().ljust(17, b"\0")
    assert kkt.read(18, 1, 3) == identity.rnm.encode().ljust(21, b"\0")
    assert kkt.read(18, 1, 4) == FN_SERIAL.encode().ljust(17, b"\0")
    assert kkt.read(18, 1, 5) == bytes((identity.taxation_systems,))
    assert kkt.read(18, 1, 7).rstrip(b"\0").decode("cp1251") == identity.user_name


def test_table_18_matches_fn_status_and_long_status(kkt):
    fn_number = kkt.send(c.FnStatusRequest(SYSADMIN)).fn_number
    assert kkt.read(18, 1, 4).rstrip(b"\0").decode() == fn_number
    long_status = kkt.send(c.LongStatusRequest(SYSADMIN))
    assert int(kkt.read(18, 1, 1).rstrip(b"\0")) & 0xFFFFFFFF == long_status.serial_number
    assert int(kkt.read(18, 1, 2).rstrip(b"\0 ")) == long_status.inn


@pytest.mark.parametrize("field", [1, 2, 3, 4, 5, 6])
def test_identity_fields_read_only_7a(kkt, field):
    before = kkt.state()
    value = b"\x01" if field in (5, 6) else b"1234567890"
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 18, 1, field, value).encode()) == H("1E 7A")
    assert kkt.state() == before


def test_ffd_version_field_fixed_c7(kkt):
    assert kkt.read(17, 1, 17) == bytes((kkt.register.profile.ffd_code,))
    before = kkt.state()
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 17, 1, 17, b"\x04").encode()) == H("1E C7")
    assert kkt.state() == before


def test_tax_mode_needs_closed_shift_c7(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    before = kkt.state()
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 1, 1, 14, b"\x01").encode()) == H("1E C7")
    assert kkt.state() == before
    kkt.send(c.ZReportRequest(SYSADMIN))
    kkt.send(c.WriteTableRequest(SYSADMIN, 1, 1, 14, b"\x01"))
    assert kkt.read(1, 1, 14) == b"\x01"


# 1Eh values.


def test_go_driver_skips_printing(kkt):
    # re-star-ru/shtrih-m-driver: 1E pw30 table 17 row 1 field 7 value 01.
    assert kkt.raw(H("1E 1E 00 00 00 11 01 00 07 01")) == H("1E 00")
    assert kkt.read(17, 1, 7) == b"\x01"


@pytest.mark.parametrize("value", [b"\x02\x00\x00\x00", b"\x02"])
def test_bin_value_any_width_up_to_size(kkt, value):
    # javapos_shtrih sends the field size; pyshtrih 2.0.6 the fewest bytes.
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 5, 1, value))
    assert kkt.read(2, 5, 1) == b"\x02\x00\x00\x00"


@pytest.mark.parametrize(("table", "row", "field", "value"), [
    (17, 1, 7, b"\x04"),  # max 3
    (1, 1, 1, b"\x00"),  # min 1
    (2, 1, 1, (100_000_000).to_bytes(4, "little")),  # max 99999999
    (17, 1, 7, b"\x01\x00"),  # wider than the 1-byte field
    (17, 1, 7, b""),  # no value
    (18, 1, 7, "Я".encode("cp1251") * 129),  # 129 bytes for 128
    (18, 1, 7, b"\x98"),  # no cp1251 character
])
def test_invalid_value_33(kkt, table, row, field, value):
    before = kkt.state()
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, table, row, field, value).encode()) == H("1E 33")
    assert kkt.state() == before


def test_char_value_nul_padded_like_kkt_shtrih(kkt):
    # kkt-shtrih packs CHAR values as 'a40': 40 bytes, NUL-padded, even for a 17-byte field.
    kkt.send(c.WriteTableRequest(SYSADMIN, 18, 1, 12, b"7700000016".ljust(40, b"\0")))
    assert kkt.read(18, 1, 12) == b"7700000016".ljust(17, b"\0")


def test_char_value_drops_control_bytes(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 4, 3, 1, b"\x01\x1fSHOP\x0a\x00garbage"))
    assert kkt.read(4, 3, 1) == b"SHOP".ljust(64, b"\0")


def test_values_survive_restart(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 17, 1, 7, b"\x01"))
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 3, 2, "Иванова И.И.".encode("cp1251")))
    kkt.reopen()
    assert kkt.read(17, 1, 7) == b"\x01"
    assert kkt.read(2, 3, 2).rstrip(b"\0").decode("cp1251") == "Иванова И.И."


def test_write_needs_sysadmin(kkt):
    before = kkt.state()
    assert kkt.raw(c.WriteTableRequest(CASHIER, 17, 1, 7, b"\x01").encode()) == H("1E 4F")
    assert kkt.raw(c.ReadTableRequest(29, 17, 1, 7).encode()) == H("1F 4F")
    assert kkt.state() == before


def test_memory_failure_74(kkt, tmp_path):
    kkt.emulator.memory.close()
    kkt.emulator.memory.path = tmp_path  # a directory: the journal cannot be written
    before = copy.deepcopy(kkt.register.memory.state)
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, 17, 1, 7, b"\x01").encode()) == H("1E 74")
    assert kkt.register.memory.state == before


# 24h.


def test_init_tables_restores_factory_values(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 17, 1, 7, b"\x01"))
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 1, 1, b"\x07"))
    kkt.send(c.InitTablesRequest(SYSADMIN))
    assert kkt.read(17, 1, 7) == b"\x00"
    assert kkt.read(2, 1, 1) == b"\x01\x00\x00\x00"


def test_init_tables_refused_in_open_shift(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.WriteTableRequest(SYSADMIN, 17, 1, 7, b"\x01"))
    before = kkt.state()
    assert kkt.raw(c.InitTablesRequest(SYSADMIN).encode()) == H("24 3C")
    assert kkt.state() == before


# Table 2: passwords and names.


def test_changed_password_checked(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 1, 1, (1234).to_bytes(4, "little")))
    assert kkt.raw(c.ShortStatusRequest(1).encode()) == H("10 4F")
    assert kkt.send(c.ShortStatusRequest(1234)).operator == 1
    assert kkt.send(c.BeepRequest(1234)).operator == 1


def test_changed_sysadmin_password(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 30, 1, (555).to_bytes(4, "little")))
    assert kkt.raw(c.ReadTableRequest(SYSADMIN, 2, 30, 1).encode()) == H("1F 4F")
    assert kkt.send(c.ReadTableRequest(555, 2, 30, 1)).value == (555).to_bytes(4, "little")


def test_shared_password_lowest_allowed_operator(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 29, 1, (5).to_bytes(4, "little")))
    assert kkt.send(c.BeepRequest(5)).operator == 5
    assert kkt.send(c.XReportRequest(5)).operator == 29


def _cashier_of_last_document(kkt) -> str:
    documents = read_archive(kkt.path).documents
    values = dict(iter_tlv(documents[-1].tlv))
    return decode_string(values[1021])


def test_operator_name_in_documents(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 1, 2, "Петрова А.А.".encode("cp1251")))
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert _cashier_of_last_document(kkt) == "Петрова А.А."
    kkt.send(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x"))
    kkt.send(c.CloseReceiptRequest(CASHIER, (100, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    assert _cashier_of_last_document(kkt) == "Петрова А.А."


def test_operator_name_without_cp866_form(kkt):
    # 1Eh keeps the cp1251 name, which the register prints, and 1021 gets CP866 substitutes.
    name = "Кассир «Иванов» €Ђ"
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 1, 2, name.encode("cp1251")))
    assert kkt.read(2, 1, 2).rstrip(b"\0").decode("cp1251") == name
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert _cashier_of_last_document(kkt) == 'Кассир "Иванов" EUR?'
    kkt.send(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "x"))
    kkt.send(c.CloseReceiptRequest(CASHIER, (100, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    assert _cashier_of_last_document(kkt) == 'Кассир "Иванов" EUR?'


def test_operator_name_substitutes_cut_to_64_bytes(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 2, 1, 2, ("€" * 64).encode("cp1251")))
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert _cashier_of_last_document(kkt) == "EUR" * 21 + "E"


def test_default_names_read_back(kkt):
    assert kkt.read(2, 1, 2).rstrip(b"\0").decode("cp1251") == "КАССИР 1"
    assert kkt.read(2, 30, 2).rstrip(b"\0").decode("cp1251") == "СИС. АДМИНИСТРАТОР"


def test_hall_number_from_table_1(kkt):
    kkt.send(c.WriteTableRequest(SYSADMIN, 1, 1, 1, b"\x07"))
    assert kkt.send(c.LongStatusRequest(CASHIER)).hall_number == 7
