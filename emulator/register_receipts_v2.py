"""Receipt operations of the ФН era: FF46h items, FF4Dh item TLVs, and the close that 85h, 8Eh
and FF45h share."""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Sequence

from kktemu.protocol.ffd.tlv import join_tlv, split_tlv

from . import ffd_rules
from .fn_client import fn_moment
from .receipt import MAX_MONEY, VAT_SHARE, ReceiptContext, make_item
from .receipt_settings import TAX_MODE_HOST
from .receipt_v2 import (OpenReceiptV2, Payments, as_item_v2, computed_vat_totals, document_tlv,
                         given_vat_totals, round_off, settle)
from .refusals import Reason, Refusal
from .register_types import CASH_OUTGOING_OPERATIONS, MAX_DEPARTMENT

logger = logging.getLogger(__name__)

# FF46h operation type (реквизит 1054) to the register's receipt type (8Dh numbering).
OPERATION_RECEIPT_TYPES = {1: 0, 2: 2, 3: 1, 4: 3}
# Bit n of the FF46h tax rate byte to the реквизит 1199 code: 20 %, 10 %, 0 %, без НДС, 20/120, 10/110.
TAX_BIT_RATES = (1, 2, 5, 6, 3, 4)
DEPARTMENT_BY_ITEM_CODE = 255
# Реквизит 1214 признак способа расчета 1..7 and 1212 признак предмета расчета 1..33.
PAYMENT_METHODS = range(1, 8)
PAYMENT_SUBJECTS = range(1, 34)
# NOTE: a real register accepted an FF46h with 0 in both bytes (a 1C driver trace). The
# register takes 0 as "not given": 4 полный расчёт and 1 товар.
DEFAULT_PAYMENT_METHOD = 4
DEFAULT_PAYMENT_SUBJECT = 1
TAXATION_BITS = 0x3F
ITEM_STLV_MAX_BYTES = 1024  # the ФФД length limit of реквизит 1059


class ReceiptV2Operations:
    """Mixin of ``Register``: FF46h items, FF4Dh item TLVs and the shared receipt close."""

    def add_operation_v2(self, operator: int, operation: int, quantity: int, price: int, amount: int | None,
                         tax_amount: int | None, tax_rate: int, department: int, payment_method: int,
                         payment_subject: int, name: str) -> None:
        """Register one FF46h item, opening the receipt of ``operation`` (реквизит 1054) if needed.

        ``quantity`` is in millionths, money in kopecks. ``amount`` None means price ×
        quantity; a given amount may differ from it by one kopeck at most
        (ITEM_SUM_MISMATCH). ``tax_rate`` is the FF46h bit mask with exactly one bit
        set. ``tax_amount`` is the item's VAT, None when not given. In tax mode 0
        the register computes every item's VAT and ignores ``tax_amount``. In tax
        mode 1 a given sum becomes 1200 and a missing one leaves 1200 out. Either
        way a sum above the item's is refused. Raises Refusal before any change;
        an operation of another type than the open receipt's gets WRONG_OPERATION.
        NOTE: the vendor note on FF46h describes the tax sum for tax mode 1 only.
        Ignoring it in mode 0 follows the FF45h note, which says the register then
        computes the taxes and ignores those of the command.
        """
        if operation not in OPERATION_RECEIPT_TYPES:
            raise Refusal(Reason.INVALID_PARAMETER, f"operation type {operation} is not 1..4")
        vat_rate = _vat_rate(tax_rate)
        if department == DEPARTMENT_BY_ITEM_CODE:
            raise Refusal(Reason.UNSUPPORTED_PARAMETER, "sales by item code (department 255) need a goods base")
        if not 0 <= department <= MAX_DEPARTMENT:
            raise Refusal(Reason.DEPARTMENT_OUT_OF_RANGE, f"department {department}")
        method = payment_method or DEFAULT_PAYMENT_METHOD
        subject = payment_subject or DEFAULT_PAYMENT_SUBJECT
        if method not in PAYMENT_METHODS or subject not in PAYMENT_SUBJECTS:
            raise Refusal(Reason.INVALID_PARAMETER, f"1214 = {payment_method}, 1212 = {payment_subject}")
        item = make_item(name, quantity, price, vat_rate, department)
        if amount is not None:
            if abs(amount - item.amount) > 1:
                raise Refusal(Reason.ITEM_SUM_MISMATCH, f"sum {amount} against price × quantity {item.amount}")
            item = dataclasses.replace(item, amount=amount)
        taxed = VAT_SHARE[vat_rate] is not None
        if taxed and tax_amount is not None and tax_amount > item.amount:
            raise Refusal(Reason.INVALID_PARAMETER, f"tax sum {tax_amount} is above the item sum {item.amount}")
        host_mode = self.receipt_settings.tax_mode == TAX_MODE_HOST
        given_vat = tax_amount if taxed and host_mode else None
        write_vat = given_vat is not None or not host_mode
        item_v2 = dataclasses.replace(as_item_v2(item), payment_method=method, subject=subject, given_vat=given_vat,
                                      write_vat=write_vat)
        receipt_type = OPERATION_RECEIPT_TYPES[operation]
        open_receipt = self._receipt_for_item(operator, receipt_type, Reason.WRONG_OPERATION)
        open_receipt.receipt.add_item(item_v2)
        self._fix_correction_type(open_receipt, receipt_type, operation)

    def add_operation_tlv(self, block: bytes) -> None:
        """Add FF4Dh TLVs to the 1059 of the receipt's last item.

        Refused at once: no open receipt (RECEIPT_CLOSED), no item yet
        (WRONG_OPERATION), and TLVs ``ffd_rules.check_item_tlv`` rejects. Rules
        between several tags are checked when the receipt closes.
        """
        open_receipt = self._require_receipt()
        items = open_receipt.receipt.items
        if not items:
            raise Refusal(Reason.WRONG_OPERATION, "FF4Dh needs an item operation first")
        new = ffd_rules.parse_block(block)
        version = self.profile.ffd_code
        last = as_item_v2(items[-1])
        present = {tag for tag, _ in last.children(version)}
        if not last.measure_from_host:
            present.discard(ffd_rules.MEASURE_TAG)
        ffd_rules.check_item_tlv(version, present, new, format_check=self.receipt_settings.tlv_format_check,
                                 now=self.now())
        measure = [value[0] for tag, value in new if tag == ffd_rules.MEASURE_TAG]
        extra = last.extra + tuple((tag, value) for tag, value in new if tag != ffd_rules.MEASURE_TAG)
        updated = dataclasses.replace(last, extra=extra)
        if measure:
            updated = dataclasses.replace(updated, measure=measure[0], measure_from_host=True)
        size = len(join_tlv(updated.children(version)))  # of one 1059, a split item writes two alike
        if size > ITEM_STLV_MAX_BYTES:
            raise Refusal(Reason.INVALID_PARAMETER, f"1059 would be {size} bytes, the maximum is {ITEM_STLV_MAX_BYTES}")
        items[-1] = updated

    def close_receipt_v2(self, operator: int, payment_sums: Sequence[int], *, rounding: int = 0,
                         tax_sums: Sequence[int] | None = None, taxation: int | None = None):
        """Close the open receipt as FF45h does; return ``(settlement, ФН answer, document time)``.

        ``payment_sums`` are the 16 sums of FF45h. ``rounding`` (0..99 kopecks) comes
        off the total. ``tax_sums`` are the six FF45h tax sums, used in tax mode 1 and
        ignored in tax mode 0. ``taxation`` is the 1055 bit, which must be one bit
        of the registered systems. A receipt without items gets WRONG_OPERATION.
        """
        return self._close_receipt(operator, payment_sums, rounding=rounding, tax_sums=tax_sums,
                                   taxation=taxation, require_items=True)

    def close_receipt_extended(self, operator: int, payment_sums: Sequence[int], discount: int = 0):
        """Close the open receipt as 8Eh does; return ``(settlement, ФН answer)``.

        ``payment_sums`` are the 16 sums of 8Eh, read as FF45h reads them.
        ``discount`` is in 0.01 % (negative for a markup).
        """
        settlement, answer, _moment = self._close_receipt(operator, payment_sums, discount=discount)
        return settlement, answer

    def _close_receipt(self, operator: int, payment_sums: Sequence[int], *, discount: int = 0, rounding: int = 0,
                       tax_sums: Sequence[int] | None = None, taxation: int | None = None,
                       require_items: bool = False):
        """Pay and form the open receipt (85h, 8Eh, FF45h); return ``(settlement, answer, moment)``.

        ``payment_sums`` lists the sums of payment types 1.. in kopecks: four for
        85h (types 2..4 electronic), sixteen for 8Eh and FF45h. ``discount`` is in
        0.01 % (85h, 8Eh). Refusals leave the receipt open and unchanged; after a
        ФН refusal the ФН side is begun again on the next attempt.
        """
        open_receipt = self._require_receipt()
        settings = self.receipt_settings
        if require_items and not open_receipt.receipt.items:
            raise Refusal(Reason.WRONG_OPERATION, "the receipt has no item operations")
        taxation_bit = self._receipt_taxation(taxation)
        host_mode = settings.tax_mode == TAX_MODE_HOST and tax_sums is not None
        if host_mode and any(value > MAX_MONEY for value in tax_sums):
            raise Refusal(Reason.INVALID_PARAMETER, f"tax sums {list(tax_sums)} exceed {MAX_MONEY} kopecks")
        payments = _payments(payment_sums)
        receipt = copy.deepcopy(open_receipt.receipt)
        receipt.apply_discount(discount)
        round_off(receipt, rounding)
        settlement = settle(receipt.total, payments, allow_zero=settings.allow_zero_receipts)
        self._check_drawer(receipt.operation, settlement.cash)
        moment = self.now()
        host_items = self._host_items(open_receipt, receipt.extra_tlv, moment)
        for item in receipt.items:
            ffd_rules.check_item_at_close(as_item_v2(item).children(self.profile.ffd_code))
        vat_totals = given_vat_totals(receipt.items, tax_sums) if host_mode else computed_vat_totals(receipt.items)
        answer = self._form_in_fn(open_receipt, receipt, settlement, moment, operator=operator,
                                  taxation=taxation_bit, vat_totals=vat_totals, host_items=host_items,
                                  payment_sums=payment_sums)
        logger.info("receipt %d formed: ФД %d, total %d kopecks", answer.receipt_number, answer.fd_number,
                    settlement.total)
        return settlement, answer, fn_moment(moment)

    # Shared steps of receipts and correction receipts.

    def _receipt_for_item(self, operator: int, receipt_type: int, mismatch: Reason) -> OpenReceiptV2:
        """Return the open receipt an item of ``receipt_type`` goes to, opening one when none is.

        Raises Refusal(``mismatch``) when a receipt of another type is open; a
        correction receipt whose type is not fixed yet takes any type.
        """
        if self._receipt is None:
            self.open_receipt(operator, receipt_type)
        open_receipt = self._receipt
        if open_receipt.receipt_type != receipt_type and open_receipt.type_fixed:
            raise Refusal(mismatch, f"receipt type {open_receipt.receipt_type} is open, the operation is for "
                                    f"type {receipt_type}")
        return open_receipt

    @staticmethod
    def _fix_correction_type(open_receipt: OpenReceiptV2, receipt_type: int, operation: int) -> None:
        if not open_receipt.type_fixed:
            open_receipt.receipt_type = receipt_type
            open_receipt.receipt.operation = operation
            open_receipt.type_fixed = True

    def _receipt_taxation(self, taxation: int | None) -> int:
        """Return the 1055 bit of a receipt: ``taxation`` checked, or the registered default when None."""
        if taxation is None:
            return self.identity.taxation
        if taxation == 0 or taxation & (taxation - 1) or taxation & ~TAXATION_BITS:
            raise Refusal(Reason.INVALID_PARAMETER, f"tax system {taxation:#04x} is not exactly one of bits 0..5")
        if not taxation & self.identity.taxation_systems:
            raise Refusal(Reason.INVALID_PARAMETER,
                          f"tax system {taxation:#04x} is not registered ({self.identity.taxation_systems:#04x})")
        return taxation

    def _check_drawer(self, operation: int, cash: int) -> None:
        if operation in CASH_OUTGOING_OPERATIONS and cash > self.cash_in_drawer:
            raise Refusal(Reason.NOT_ENOUGH_CASH, f"{cash} > {self.cash_in_drawer} kopecks")

    def _host_items(self, open_receipt: OpenReceiptV2, blocks: Sequence[bytes], moment) -> list[tuple[int, bytes]]:
        """Return the host's receipt-level TLVs of a receipt being closed, checked by ``ffd_rules``."""
        version = self.profile.ffd_code
        items = [item for block in blocks for item in split_tlv(block)]
        if open_receipt.correction and version < ffd_rules.FFD_1_2:
            items = ffd_rules.wrap_correction_basis(items)
        ffd_rules.check_receipt_at_close(version, open_receipt.correction, items,
                                         registered_tags=self._registered_tags(), moment=fn_moment(moment))
        return items

    def _registered_tags(self) -> set[int]:
        """Receipt-level tags the register writes from its registration, which a host may not send."""
        tags = set()
        if self.identity.address:
            tags.add(1009)
        if self.identity.place:
            tags.add(1187)
        return tags

    def _form_in_fn(self, open_receipt: OpenReceiptV2, receipt, settlement, moment, *, operator: int, taxation: int,
                    vat_totals: dict[int, int], host_items, register_tlv=(), payment_sums: Sequence[int] = ()):
        """Send the receipt to the ФН, update the drawer and counters, and return the ФН's 16h result.

        Begins the document in the ФН first when a refused attempt dropped it.
        ``payment_sums`` are the payment types 1.. as the host sent them, for the
        cash registers of a receipt.
        """
        if not open_receipt.begun_in_fn:
            self._begin_in_fn(open_receipt.correction, moment)
            open_receipt.begun_in_fn = True
        context = ReceiptContext(
            ffd_code=self.profile.ffd_code,
            shift_number=self.shift.number,
            receipt_number=self.fn.shift_parameters().receipt_number + 1,
            taxation=taxation,
            cashier=self.cashier_requisite(operator),
            user_name=self.identity.user_name,
            address=self.identity.address,
            place=self.identity.place,
        )
        tlv = document_tlv(receipt, settlement, context, vat_totals=vat_totals, register_tlv=register_tlv,
                           host_tlv=host_items)
        try:
            answer = self.fn.form_receipt(moment, tlv, receipt.operation, settlement.total)
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
        # Correction receipts move the drawer and the document counter only: neither the vendor
        # text nor the register lists of javapos_shtrih (CashRegister, OperationRegister) name a
        # register for them, and the sale and purchase registers count receipts (form 3).
        if not open_receipt.correction:
            self._count_receipt(open_receipt.receipt_type, receipt, settlement, list(payment_sums[1:]))
        self._save(durable=False)
        return answer

    def _begin_in_fn(self, correction: bool, moment) -> None:
        if correction:
            self._begin_correction_in_fn(moment)
        else:
            self.fn.begin_receipt(moment)


def _vat_rate(tax_rate: int) -> int:
    """Return the 1199 code of an FF46h tax rate byte. Raises Refusal unless exactly one of bits 0..5 is set."""
    bits = [bit for bit in range(8) if tax_rate >> bit & 1]
    if len(bits) != 1 or bits[0] >= len(TAX_BIT_RATES):
        raise Refusal(Reason.INVALID_PARAMETER, f"tax rate byte {tax_rate:#04x} must set exactly one of bits 0..5")
    return TAX_BIT_RATES[bits[0]]


def _payments(payment_sums: Sequence[int]) -> Payments:
    """Read payment sums of 85h (cash and types 2..4) or of 8Eh and FF45h (16 types)."""
    if len(payment_sums) == 16:
        return Payments.from_sums(payment_sums)
    return Payments(cash=payment_sums[0], electronic=sum(payment_sums[1:]))
