"""Receipt rules that differ between Штрих-М firmware builds or follow a settings table field.

A register reads its ``ReceiptSettings`` through ``Register.receipt_settings``:
the device profile's ``receipt_settings`` (or a replacement a test sets on the
register), with the settings table fields the host wrote on top (see
``register_settings``).
"""

from __future__ import annotations

import dataclasses

from kktemu.protocol.shtrih.errors import ErrorCode

TAX_MODE_REGISTER = 0
"""Table 1 field 14 «НАЧИСЛЕНИЕ НАЛОГОВ» 0: the register computes VAT and ignores the host's tax sums."""

TAX_MODE_HOST = 1
"""Table 1 field 14 «НАЧИСЛЕНИЕ НАЛОГОВ» 1: the host sends the tax sums of items (FF46h) and receipts (FF45h)."""


@dataclasses.dataclass(frozen=True)
class ReceiptSettings:
    """Switches of the receipt commands (80h–8Eh, FF45h, FF46h, FF4Dh, FF0Ch, corrections).

    ``tax_mode`` is ``TAX_MODE_REGISTER`` or ``TAX_MODE_HOST`` (vendor spec v1.17,
    notes to FF45h and FF46h). ``item_sum_error`` is the error byte of an FF46h
    whose explicit sum differs from price × quantity by more than one kopeck.
    ``allow_zero_receipts`` lets a receipt with a zero total close instead of
    returning error 8Eh. ``tlv_format_check`` is table 17 field 35 «RUS СТРОГИЙ ФЛК»:
    when off, FF0Ch and FF4Dh keep only the structural checks (framing, placement,
    repeats) and skip value checks such as ИНН check digits. ``extended_document_answers``
    is table 17 field 36 «RUS РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД»: the commands that form
    a ФД (FF06h, FF34h, FF36h, FF38h, FF3Eh, FF43h, FF45h, FF4Ah) and FF09h then
    append the document DATE_TIME to their answers.
    """

    tax_mode: int = TAX_MODE_REGISTER
    # NOTE: neither the v1.17 spec nor a public trace shows the code of a sum outside
    # the ±1 kopeck window. 33h is the code Штрих-М firmware gives other FF46h
    # parameter errors; some builds are reported to send 36h.
    item_sum_error: int = ErrorCode.INVALID_PARAMETERS
    allow_zero_receipts: bool = False
    tlv_format_check: bool = True
    extended_document_answers: bool = False

    def __post_init__(self) -> None:
        if self.tax_mode not in (TAX_MODE_REGISTER, TAX_MODE_HOST):
            raise ValueError(f"tax_mode {self.tax_mode!r} is invalid: use 0 (register computes) or 1 (host sends)")
        if not 0 < self.item_sum_error <= 0xFF:
            raise ValueError(f"item_sum_error {self.item_sum_error!r} is not an error byte 01h..FFh")


DEFAULT_RECEIPT_SETTINGS = ReceiptSettings()
"""Settings of a ШТРИХ-М-01Ф with the factory table 1."""
