"""Receipt operations of the register: open, items, host TLVs, close, cancel.

FF46h, FF4Dh and the close shared with 8Eh and FF45h live in
``register_receipts_v2``, correction receipts in ``register_corrections``.
"""

from __future__ import annotations

import copy
import logging

from . import ffd_rules
from .receipt import Receipt, make_item
from .receipt_v2 import OpenReceiptV2
from .refusals import Reason, Refusal
from .register_corrections import CorrectionOperations
from .register_receipts_v2 import ReceiptV2Operations
from .register_types import MAX_DEPARTMENT, MAX_HOST_TLV_BYTES, RECEIPT_OPERATIONS

logger = logging.getLogger(__name__)


class ReceiptOperations(ReceiptV2Operations, CorrectionOperations):
    """Mixin of ``Register``: the receipt under construction and its forming in the ФН."""

    def open_receipt(self, operator: int, receipt_type: int) -> None:
        """Open a receipt of type 0 sale, 1 purchase, 2 sale return, 3 purchase return.

        The ФН begins the receipt here (15h), so a shift over 24 hours is refused
        now with ФН result 16h, as real registers answer the first item.
        """
        self._require_no_receipt()
        if receipt_type not in RECEIPT_OPERATIONS:
            raise Refusal(Reason.INVALID_PARAMETER, f"receipt type {receipt_type}")
        self._ensure_shift_for_sales(operator)
        self.fn.begin_receipt(self.now())
        receipt = Receipt(RECEIPT_OPERATIONS[receipt_type], extra_tlv=list(self._pending_tlv))
        self._pending_tlv.clear()
        self._receipt = OpenReceiptV2(receipt_type, operator, receipt, begun_in_fn=True)

    def add_item(self, operator: int, receipt_type: int, name: str, quantity: int, price: int,
                 department: int, tax_group: int) -> None:
        """Register one item (quantity in millionths, price in kopecks), opening the receipt if needed.

        ``tax_group`` 0 means no VAT (без НДС); 1..4 map through the profile's tax table.
        """
        if not 0 <= department <= MAX_DEPARTMENT:
            raise Refusal(Reason.DEPARTMENT_OUT_OF_RANGE, f"department {department}")
        if not 0 <= tax_group <= 4:
            raise Refusal(Reason.INVALID_PARAMETER, f"tax group {tax_group}")
        vat_rate = 6 if tax_group == 0 else self.profile.tax_group_rates[tax_group - 1]
        item = make_item(name, quantity, price, vat_rate, department)
        open_receipt = self._receipt_for_item(operator, receipt_type, Reason.INVALID_OPERATION)
        open_receipt.receipt.add_item(item)
        self._fix_correction_type(open_receipt, receipt_type, RECEIPT_OPERATIONS[receipt_type])

    def add_tlv(self, tlv: bytes) -> None:
        """Attach host TLVs (FF0C) to the open receipt, or keep them for the next document.

        Refused at once: a broken or empty block, tags the ФН writes into every
        document itself, data beyond the ФН's budget for one document, and what
        ``ffd_rules`` rejects: for an open receipt, tags it may not contain under
        the profile's ФФД version; for any TLV, an invalid value.
        """
        items = ffd_rules.parse_block(tlv)
        version = self.profile.ffd_code
        format_check = self.receipt_settings.tlv_format_check
        if self._receipt is not None:
            ffd_rules.check_receipt_tlv(version, self._receipt.correction, items, format_check=format_check,
                                        now=self.now())
        else:
            ffd_rules.check_pending_tlv(items, format_check=format_check, now=self.now())
        target = self._receipt.receipt.extra_tlv if self._receipt is not None else self._pending_tlv
        if sum(map(len, target)) + len(tlv) > MAX_HOST_TLV_BYTES:
            raise Refusal(Reason.INVALID_PARAMETER, f"host TLVs would exceed {MAX_HOST_TLV_BYTES} bytes")
        target.append(bytes(tlv))

    def subtotal(self) -> int:
        """Return the total of the open receipt in kopecks."""
        return self._require_receipt().receipt.total

    def close_receipt(self, operator: int, cash: int, cashless: list[int], discount: int = 0):
        """Pay and form the open receipt (85h); return ``(settlement, ФН receipt answer)``.

        ``cashless`` are the sums of payment types 2..4, all electronic (1081).
        ``discount`` is in 0.01 % (negative for a markup). Payment errors leave the
        receipt open and unchanged; so does a ФН refusal, after which the ФН side
        is begun again on the next attempt.
        """
        settlement, answer, _moment = self._close_receipt(operator, [cash, *cashless], discount=discount)
        return settlement, answer

    def cancel_receipt(self) -> None:
        """Cancel the open receipt; the ФН drops the receipt it began."""
        open_receipt = self._require_receipt()
        if open_receipt.begun_in_fn:
            self.fn.cancel_document()
        self._receipt = None
        previous = copy.deepcopy(self.memory.state)
        self.document_number += 1
        self._count_cancelled_receipt(open_receipt.receipt_type, open_receipt.receipt)
        try:
            self._save(durable=True)
        except OSError as exc:
            self.memory.state.update(previous)
            logger.error("cannot save the register memory to %s: %s", self.memory.path, exc)

    def _require_receipt(self) -> OpenReceiptV2:
        if self._receipt is None:
            raise Refusal(Reason.RECEIPT_CLOSED)
        return self._receipt

    def _require_no_receipt(self) -> None:
        if self._receipt is not None:
            raise Refusal(Reason.RECEIPT_OPEN)
