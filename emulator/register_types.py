"""Types and constants shared by the register model and its operation mixins."""

from __future__ import annotations

import dataclasses
import datetime as dt

from kktemu.protocol.fn.codes import FnResult

from .receipt import Receipt

SHIFT_LIMIT = dt.timedelta(hours=24)
OPEN_SHIFT_FORM = 2
MAX_DEPARTMENT = 16
JOURNAL_LINES = 1000
# Receipt types of the register (Штрих-М 8Dh numbering) to реквизит 1054, признак расчёта.
RECEIPT_OPERATIONS = {0: 1, 1: 3, 2: 2, 3: 4}
# Операции, после которых наличных в ящике становится меньше: возврат прихода и расход.
CASH_OUTGOING_OPERATIONS = {2, 3}
# Forms whose cash (1031) moves the drawer: receipt, correction receipt, БСО, БСО коррекции.
CASH_DOCUMENT_FORMS = {3, 31, 4, 41}
# Tags the ФН puts into every document itself (ФН number, РНМ, ИНН, ФД number, time, ФПД).
FN_OWN_TAGS = frozenset({1041, 1037, 1018, 1040, 1012, 1077})
# Host TLVs kept for one document: the ФН's data budget for a receipt (30 KB).
MAX_HOST_TLV_BYTES = 30 * 1024
# ФН results that reject the data of a shift report (07h, 12h, 14h): an invalid value,
# tags not allowed, tags the ФН writes itself, data over the size budget, invalid tags.
HOST_DATA_REJECTIONS = {FnResult.INVALID_PARAMETER, FnResult.FORBIDDEN_TAGS, FnResult.DUPLICATE_DATA,
                        FnResult.TLV_TOO_LARGE, FnResult.INVALID_TAG, FnResult.TAG_MISMATCH}


def cashier_name(operator: int) -> str:
    """Return the default name of operator 1..30 as a Штрих-М operator table holds it."""
    if operator == 30:
        return "СИС. АДМИНИСТРАТОР"
    if operator == 29:
        return "АДМИНИСТРАТОР"
    return f"КАССИР {operator}"


@dataclasses.dataclass
class ShiftState:
    """The shift as the register tracks it. ``opened_at`` has the ФН's minute precision."""

    is_open: bool
    number: int
    opened_at: dt.datetime | None = None


@dataclasses.dataclass
class OpenReceipt:
    """The receipt under construction and whether the ФН has begun it (15h)."""

    receipt_type: int
    operator: int
    receipt: Receipt
    begun_in_fn: bool
