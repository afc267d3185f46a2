"""Settings tables of the register: reading, writing, operator passwords and names.

Values the host writes are kept in the register memory as overrides of the
factory values (``memory.state["tables"]``, keys ``"table.row.field"``), so
they survive restarts and 24h restores the factory state by dropping them.
Table 18 shows the registration read from the ФН and the ФН number, and
field 17.1.17 the ФФД version of the registration.
"""

from __future__ import annotations

import copy

from .refusals import Reason, Refusal
from .requisite_text import cp866_text
from .table_defaults import (FISCAL_STORAGE_TABLE, NAME_FIELD, OPERATOR_TABLE, OPERATORS, PASSWORD_FIELD,
                             REGIONAL_TABLE, TABLES)
from .table_layout import Access, FieldLayout, InvalidValue, TableLayout, Value

FFD_FORMAT_FIELD = 17
CASHIER_MAX_BYTES = 64  # the ФФД length limit of реквизит 1021
# Table 1 field 26 "ОБНУЛЕНИЕ СЧЕТЧИКА ЧЕКОВ": 1 zeroes the receipt numbers with the Z report.
RECEIPT_NUMBERS_RESET = (1, 1, 26)


def _key(table: int, row: int, field: int) -> str:
    return f"{table}.{row}.{field}"


class TableOperations:
    """Mixin of ``Register``: the settings tables and what other operations read from them."""

    def table_layout(self, table: int) -> TableLayout:
        """Return the layout of ``table``. Raises Refusal TABLE_NOT_DEFINED (5Dh) for other numbers."""
        layout = TABLES.get(table)
        if layout is None:
            raise Refusal(Reason.TABLE_NOT_DEFINED, f"table {table}")
        return layout

    def field_layout(self, table: int, field: int) -> FieldLayout:
        """Return the layout of a field. Raises Refusal 5Dh for a table, 33h for a field it lacks."""
        layout = self.table_layout(table).field(field)
        if layout is None:
            raise Refusal(Reason.INVALID_PARAMETER, f"table {table} has no field {field}")
        return layout

    def table_value(self, table: int, row: int, field: int) -> Value:
        """Return the value of a field: int for BIN, str for CHAR. Raises Refusal 5Dh or 33h."""
        layout = self._checked_field(table, row, field)
        key = _key(table, row, field)
        overrides = self.memory.state.get("tables", {})
        if key in overrides:
            return overrides[key]
        derived = self._derived_value(table, field)
        return layout.default_for(row) if derived is None else derived

    def read_table_field(self, table: int, row: int, field: int) -> bytes:
        """Return the 1Fh bytes of a field: BIN little-endian, CHAR NUL-padded, ``size`` bytes each."""
        return self.field_layout(table, field).encode(self.table_value(table, row, field))

    def write_table_field(self, table: int, row: int, field: int, raw: bytes) -> None:
        """Write a 1Eh value into a field and journal it durably.

        Raises Refusal, and nothing changes then:

        - 5Dh for an unknown table;
        - 33h for an unknown row or field, or a value that does not fit the field;
        - 7Ah for a read-only field;
        - C7h for a field fixed by the registration, or one that needs the shift closed;
        - 74h when the memory cannot be saved.
        """
        layout = self._checked_field(table, row, field)
        if layout.access is Access.READ_ONLY:
            raise Refusal(Reason.FIELD_READ_ONLY, f"field {_key(table, row, field)}")
        if layout.access is Access.FIXED_BY_REGISTRATION:
            raise Refusal(Reason.FIELD_READ_ONLY_IN_MODE, f"field {_key(table, row, field)} is set by the registration")
        if layout.access is Access.SHIFT_CLOSED_ONLY and self.shift.is_open:
            raise Refusal(Reason.FIELD_READ_ONLY_IN_MODE, f"field {_key(table, row, field)} needs the shift closed")
        try:
            value = layout.decode(raw)
        except InvalidValue as exc:
            raise Refusal(Reason.INVALID_PARAMETER, f"field {_key(table, row, field)}: {exc}") from None
        previous = copy.deepcopy(self.memory.state)
        self.memory.state.setdefault("tables", {})[_key(table, row, field)] = value
        self._save_or_restore(previous)

    def reset_tables(self) -> None:
        """Restore every table to its factory values (24h). Refused with 3Ch while a shift is open."""
        if self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        previous = copy.deepcopy(self.memory.state)
        self.memory.state.pop("tables", None)
        self._save_or_restore(previous)

    def operator_for_password(self, password: int, allowed: frozenset[int]) -> int | None:
        """Return the operator (1..30) among ``allowed`` whose table 2 password is ``password``.

        Several operators may share a password; the lowest allowed number wins.
        Returns None when no allowed operator has that password (error 4Fh).
        """
        for operator in sorted(allowed):
            if 1 <= operator <= OPERATORS and self.table_value(OPERATOR_TABLE, operator, PASSWORD_FIELD) == password:
                return operator
        return None

    def operator_name(self, operator: int) -> str:
        """Return the table 2 name of operator 1..30, as the register prints it."""
        return str(self.table_value(OPERATOR_TABLE, operator, NAME_FIELD)).strip()

    def cashier_requisite(self, operator: int) -> str:
        """Return реквизит 1021 (кассир) of operator 1..30's documents: the table 2 name in CP866."""
        return cp866_text(self.operator_name(operator), CASHIER_MAX_BYTES)

    def receipt_numbers_reset_by_z(self) -> bool:
        """Return whether the Z report zeroes the receipt numbers (table 1, field 26)."""
        return self.table_value(*RECEIPT_NUMBERS_RESET) == 1

    def _checked_field(self, table: int, row: int, field: int) -> FieldLayout:
        layout = self.table_layout(table)
        if not 1 <= row <= layout.rows:
            raise Refusal(Reason.INVALID_PARAMETER, f"table {table} has rows 1..{layout.rows}, not {row}")
        return self.field_layout(table, field)

    def _derived_value(self, table: int, field: int) -> Value | None:
        """Return what the register shows in a field it fills in itself, or None for the factory value."""
        setting = self._setting_field_default(table, field)
        if setting is not None:
            return setting
        if table == REGIONAL_TABLE and field == FFD_FORMAT_FIELD:
            return self.identity.ffd_code
        if table != FISCAL_STORAGE_TABLE:
            return None
        identity = self.identity
        registration = {
            1: identity.kkt_serial,
            2: identity.inn.ljust(12),
            3: identity.rnm,
            4: self.fn_serial,
            5: identity.taxation_systems,
            6: identity.work_mode,
            7: identity.user_name,
            8: self.operator_name(30),
            9: identity.address,
            10: identity.ofd_name,
            12: identity.ofd_inn.ljust(12),
            13: identity.fns_site,
            14: identity.place,
            15: identity.sender_email,
        }
        return registration.get(field)
