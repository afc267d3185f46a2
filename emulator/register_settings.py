"""The register's receipt settings: the profile's defaults and the table fields that switch them.

Штрих-М firmware switches three receipt rules with settings table fields, which
the table dumps of a ШТРИХ-НАНО-Ф (shtrih-m/javapos_shtrih, RES/X5 and
Doc/UPOS) name:

- 1.1.14 «НАЧИСЛЕНИЕ НАЛОГОВ», the tax mode (0 the register computes VAT, 1 the
  host sends the tax sums);
- 17.1.35 «RUS СТРОГИЙ ФЛК», the value checks of host TLVs (``tlv_format_check``);
- 17.1.36 «RUS РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД», the DATE_TIME that answers of
  commands forming a ФД append (``extended_document_answers``).

Until the host writes one of these fields, 1Fh reads the value of the profile's
``ReceiptSettings`` there. A written value is kept in the register memory and
applies from the next command, so the next document follows it; documents
formed before keep what they were formed with.
"""

from __future__ import annotations

import dataclasses

from .receipt_settings import ReceiptSettings

# (table, field) of row 1 -> the ReceiptSettings attribute the field switches.
SETTING_FIELDS: dict[tuple[int, int], str] = {
    (1, 14): "tax_mode",
    (17, 35): "tlv_format_check",
    (17, 36): "extended_document_answers",
}
SETTING_ROW = 1


class SettingsOperations:
    """Mixin of ``Register``: the receipt settings in effect and their table fields."""

    _receipt_settings_override: ReceiptSettings | None = None

    @property
    def receipt_settings(self) -> ReceiptSettings:
        """The settings in effect: the profile's (or a replacement), with the table fields the host wrote."""
        settings = self._base_receipt_settings()
        written = self.memory.state.get("tables", {})
        changes = {}
        for (table, field), name in SETTING_FIELDS.items():
            key = f"{table}.{SETTING_ROW}.{field}"
            if key in written:
                value = written[key]
                changes[name] = value if name == "tax_mode" else bool(value)
        return dataclasses.replace(settings, **changes) if changes else settings

    @receipt_settings.setter
    def receipt_settings(self, settings: ReceiptSettings) -> None:
        """Replace the profile's settings on this register, in RAM; table fields the host wrote still apply."""
        self._receipt_settings_override = settings

    def _base_receipt_settings(self) -> ReceiptSettings:
        if self._receipt_settings_override is not None:
            return self._receipt_settings_override
        return self.profile.receipt_settings

    def _setting_field_default(self, table: int, field: int) -> int | None:
        """Return what an unwritten settings field shows (the profile's value), or None for other fields."""
        name = SETTING_FIELDS.get((table, field))
        if name is None:
            return None
        return int(getattr(self._base_receipt_settings(), name))
