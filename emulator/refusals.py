"""Reasons the register refuses an operation, independent of the wire protocol.

The register model raises ``Refusal`` inside one operation before it changes any
state; the dialect of the wire protocol catches it and sends that protocol's
error code (Штрих-М 0x45, 0x4D, ... or a ФН result code passed through),
so a refusal never escapes to a transport.
"""

from __future__ import annotations

import enum

from kktemu.protocol.errors import KktemuError
from kktemu.protocol.fn.codes import FnResult


class Reason(enum.Enum):
    """Reason for refusing an operation, in the register's own terms."""

    INVALID_PARAMETER = "invalid parameter"
    INVALID_OPERATION = "operation not allowed for this receipt type"
    WRONG_OPERATION = "the operation does not fit the open document or the command sequence"
    ITEM_SUM_MISMATCH = "the item sum differs from price × quantity by more than one kopeck"
    UNSUPPORTED_PARAMETER = "the parameter value is not supported by this register"
    SHIFT_OPEN = "shift is open"
    SHIFT_CLOSED = "shift is not open"
    SHIFT_EXPIRED = "shift is longer than 24 hours"
    RECEIPT_OPEN = "a receipt is open"
    RECEIPT_CLOSED = "no receipt is open"
    PAYMENTS_BELOW_TOTAL = "sum of payments is less than the receipt total"
    CASHLESS_ABOVE_TOTAL = "cashless payment exceeds the receipt total"
    ZERO_TOTAL = "receipt total is zero"
    NOT_ENOUGH_CASH = "not enough cash in the drawer"
    CASH_OVERFLOW = "cash in the drawer would overflow"
    QUANTITY_OVERFLOW = "quantity is out of range"
    PRICE_OVERFLOW = "price is out of range"
    TOTAL_OVERFLOW = "receipt total is out of range"
    DEPARTMENT_OUT_OF_RANGE = "department is out of range"
    TOO_MANY_ITEMS = "too many operations in the receipt"
    MEMORY_FAILURE = "the register memory cannot be saved"
    TABLE_NOT_DEFINED = "the settings table is not defined"
    FIELD_READ_ONLY = "the table field is read-only"
    FIELD_READ_ONLY_IN_MODE = "the table field cannot be changed in this mode"
    INVALID_DATE = "invalid date"
    DATE_MISMATCH = "the date does not match the date being set"
    DATE_NOT_CONFIRMED = "the date being set must be confirmed first"
    NOT_IN_THIS_MODE = "the command is not allowed in this mode"
    NO_PAPER = "no receipt paper"
    WAITING_CONTINUE_PRINTING = "printing was interrupted: waiting for the continue printing command"
    NO_DOCUMENT_TO_REPEAT = "no document to repeat"
    FN_DOCUMENT_OPEN = "another document is open in the ФН"
    DISCOUNT_OUT_OF_RANGE = "the discount is out of range"
    SURCHARGE_OUT_OF_RANGE = "the surcharge is out of range"
    NO_DATA = "there are no data"
    FN_ERROR = "the ФН refused the command"


class Refusal(KktemuError):
    """Raised when the register refuses an operation. No state was changed.

    ``fn_code`` carries the ФН result code when ``reason`` is FN_ERROR.
    """

    def __init__(self, reason: Reason, detail: str = "", fn_code: int | None = None):
        text = reason.value if not detail else f"{reason.value}: {detail}"
        if fn_code is not None:
            text += f" ({_fn_result_text(fn_code)})"
        super().__init__(text)
        self.reason = reason
        self.detail = detail
        self.fn_code = fn_code


def _fn_result_text(code: int) -> str:
    """Return "result 15h «Исчерпан ресурс ожидания передачи сообщения»: <English meaning>" for a ФН result code."""
    try:
        result = FnResult(code)
    except ValueError:
        return f"result {code:02X}h, not a known ФН result"
    return f"result {code:02X}h «{result.description_ru}»: {result.description_en}"
