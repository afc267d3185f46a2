"""The rules of the format-logical control and the rejection each one produces.

Every rule has a short name, used in logs and in docs/fn-flc.md, and the ФН
result code the document gets when the rule fails. The interface description
of 2016 (ФН-1) defines 01h for a malformed request and 10h for TLV data over
their size. The codes 0Bh..0Dh and 18h..19h come from ФН-1.1, which checks the
content of documents.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ...protocol.fn.codes import FnResult
from ..resources import DocumentRefused


class Rule(enum.Enum):
    """One rule of the control: its name and the result code of a failure.

    ``structural`` rules guard what the ФН cannot store at all. They stay on
    when the profile turns the strict control off.
    """

    TLV_STRUCTURE = ("tlv-structure", FnResult.UNKNOWN_COMMAND, True)
    MAX_LENGTH = ("max-length", FnResult.TLV_TOO_LARGE, True)
    FIXED_LENGTH = ("fixed-length", FnResult.INVALID_TAG, False)
    VALUE_FORMAT = ("value-format", FnResult.INVALID_TAG, False)
    TAG_ALLOWED = ("tag-allowed", FnResult.FORBIDDEN_TAGS, False)
    TAG_REPEATED = ("tag-repeated", FnResult.DUPLICATE_DATA, False)
    TAG_MISSING = ("tag-missing", FnResult.MISSING_DATA, False)
    REGISTRATION_MATCH = ("registration-match", FnResult.TAG_MISMATCH, False)
    ITEM_SUM = ("item-sum", FnResult.INVALID_TAG, False)
    FRACTION_QUANTITY = ("fraction-quantity", FnResult.INVALID_TAG, False)
    RECEIPT_TOTAL = ("receipt-total", FnResult.INVALID_TAG, False)
    PAYMENT_SUM = ("payment-sum", FnResult.INVALID_TAG, False)
    VAT_SUM = ("vat-sum", FnResult.INVALID_TAG, False)
    CORRECTION_DATE = ("correction-date", FnResult.INVALID_TAG, False)

    def __init__(self, title: str, result: FnResult, structural: bool):
        self.title = title
        self.result = result
        self.structural = structural


@dataclass(frozen=True)
class Violation:
    """A failed rule: which rule, on which tag (None for the document as a whole), and why."""

    rule: Rule
    tag: int | None
    detail: str

    @property
    def result(self) -> FnResult:
        """The ФН result code of the rejection."""
        return self.rule.result

    def __str__(self) -> str:
        where = "document" if self.tag is None else f"tag {self.tag}"
        return f"rule {self.rule.title} ({self.result:02X}h), {where}: {self.detail}"


class ControlViolation(DocumentRefused):
    """Raised inside the ФН model when a document about to be formed fails the control.

    Like every ``DocumentRefused``, ``FiscalStorage.execute`` catches it, logs
    its text and returns ``result`` (here the violation's code), so it never
    leaves the model.
    """

    def __init__(self, violation: Violation):
        super().__init__(violation.result, str(violation))
        self.violation = violation
