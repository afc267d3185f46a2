"""Receipt operations of the register: open, items, host TLVs, close, cancel."""

from __future__ import annotations

import copy
import logging

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.ffd.tlv import iter_tlv

from .receipt import Receipt, ReceiptContext, make_item, receipt_tlv
from .refusals import Reason, Refusal
from .register_types import (CASH_OUTGOING_OPERATIONS, FN_OWN_TAGS, MAX_DEPARTMENT, MAX_HOST_TLV_BYTES,
                             RECEIPT_OPERATIONS, OpenReceipt)

logger = logging.getLogger(__name__)


class ReceiptOperations:
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
        self._receipt = OpenReceipt(receipt_type, operator, receipt, begun_in_fn=True)

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
        if self._receipt is None:
            self.open_receipt(operator, receipt_type)
        elif self._receipt.receipt_type != receipt_type:
            raise Refusal(Reason.INVALID_OPERATION,
                          f"receipt type {self._receipt.receipt_type} is open, operation is for type {receipt_type}")
        self._receipt.receipt.add_item(item)

    def add_tlv(self, tlv: bytes) -> None:
        """Attach host TLVs (FF0C) to the open receipt, or keep them for the next document.

        Refused at once: a broken or empty block, tags the ФН writes into every
        document itself, and data beyond the ФН's budget for one document.
        """
        try:
            tags = [tag for tag, _ in iter_tlv(tlv)]
        except DecodeError as exc:
            raise Refusal(Reason.INVALID_PARAMETER, f"TLV block: {exc}") from None
        if not tags:
            raise Refusal(Reason.INVALID_PARAMETER, "empty TLV block")
        own = sorted(set(tags) & FN_OWN_TAGS)
        if own:
            raise Refusal(Reason.INVALID_PARAMETER, f"tags {own} are written by the ФН itself")
        target = self._receipt.receipt.extra_tlv if self._receipt is not None else self._pending_tlv
        if sum(map(len, target)) + len(tlv) > MAX_HOST_TLV_BYTES:
            raise Refusal(Reason.INVALID_PARAMETER, f"host TLVs would exceed {MAX_HOST_TLV_BYTES} bytes")
        target.append(bytes(tlv))

    def subtotal(self) -> int:
        """Return the total of the open receipt in kopecks."""
        return self._require_receipt().receipt.total

    def close_receipt(self, operator: int, cash: int, cashless: list[int], discount: int = 0):
        """Pay and form the open receipt; return ``(settlement, ФН receipt answer)``.

        ``discount`` is in 0.01 % (negative for a markup). Payment errors leave the
        receipt open and unchanged; so does a ФН refusal, after which the ФН side
        is begun again on the next attempt.
        """
        open_receipt = self._require_receipt()
        receipt = copy.deepcopy(open_receipt.receipt)
        receipt.apply_discount(discount)
        settlement = receipt.settle(cash, cashless)
        if receipt.operation in CASH_OUTGOING_OPERATIONS and settlement.cash > self.cash_in_drawer:
            raise Refusal(Reason.NOT_ENOUGH_CASH, f"{settlement.cash} > {self.cash_in_drawer} kopecks")
        moment = self.now()
        if not open_receipt.begun_in_fn:
            self.fn.begin_receipt(moment)
            open_receipt.begun_in_fn = True
        context = ReceiptContext(
            ffd_code=self.profile.ffd_code,
            shift_number=self.shift.number,
            receipt_number=self.fn.shift_parameters().receipt_number + 1,
            taxation=self.identity.taxation,
            cashier=self.operator_name(operator),
            user_name=self.identity.user_name,
            address=self.identity.address,
            place=self.identity.place,
        )
        try:
            answer = self.fn.form_receipt(moment, receipt_tlv(receipt, settlement, context),
                                          receipt.operation, settlement.total)
        except Refusal:
            open_receipt.begun_in_fn = False
            raise
        if receipt.operation in CASH_OUTGOING_OPERATIONS:
            self.cash_in_drawer -= settlement.cash
        else:
            self.cash_in_drawer += settlement.cash
        self._receipt = None
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._count_receipt(open_receipt.receipt_type, receipt, settlement, cashless)
        self._save(durable=False)
        logger.info("receipt %d formed: ФД %d, total %d kopecks", answer.receipt_number, answer.fd_number,
                    settlement.total)
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

    def _require_receipt(self) -> OpenReceipt:
        if self._receipt is None:
            raise Refusal(Reason.RECEIPT_CLOSED)
        return self._receipt

    def _require_no_receipt(self) -> None:
        if self._receipt is not None:
            raise Refusal(Reason.RECEIPT_OPEN)
