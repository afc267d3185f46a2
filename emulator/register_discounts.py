"""Discounts and surcharges of the ФН era: FF0Dh on one item, FF4Bh on the whole receipt.

ФФД 1.05 and 1.2 have no discount реквизит: an item carries its price (1079)
and sum (1043) after discounts. So the register puts an FF0Dh discount or
surcharge into the item's 1043 and sets 1079 to the sum per unit, and spreads an
FF4Bh one over the items already in the receipt. Where no unit price comes
within a kopeck of the new sum, the item is written as two lines
(``spreading``).
"""

from __future__ import annotations

from .receipt import MAX_MONEY, make_item
from .receipt_v2 import as_item_v2, spread_adjustment
from .refusals import Reason, Refusal
from .register_receipts_v2 import DEPARTMENT_BY_ITEM_CODE, OPERATION_RECEIPT_TYPES
from .register_types import MAX_DEPARTMENT
from .spreading import with_amount

NO_VAT_RATE = 6  # реквизит 1199 «без НДС», what tax group 0 means
TAX_GROUPS = 4
NO_PRINT_PREFIX = "//"


class DiscountOperations:
    """Mixin of ``Register``: FF0Dh item operations with a discount and surcharge, FF4Bh receipt discounts."""

    def add_discount_operation(self, operator: int, operation: int, quantity: int, price: int, discount: int,
                               surcharge: int, department: int, taxes: int, name: str) -> None:
        """Register one FF0Dh item: price × ``quantity`` (millionths), less ``discount``, plus ``surcharge``.

        ``operation`` is реквизит 1054 and opens a receipt of its type when none
        is open. ``taxes`` is the FF0Dh tax bit mask: 0 for no VAT, or one of
        bits 0..3 for tax groups 1..4, which the profile maps to VAT rates.
        Raises Refusal before any change: 33h for an operation or tax mask out of
        range, 63h for a department above 16 and 36h for department 255 (sales by
        item code). A discount above the item sum gets 40h, a sum over the money
        range 5Bh, and a sum that neither one unit price nor two lines can carry
        (a quantity of one millionth) 33h. Otherwise the refusals of an FF46h
        item apply.
        NOTE: the vendor text numbers the tax bits 1..4 and gives no unit for the
        quantity. kktemu reads bit 0 as group 1, as the tax byte of FF46h counts,
        and the quantity in thousandths, as 80h sends it.
        """
        if operation not in OPERATION_RECEIPT_TYPES:
            raise Refusal(Reason.INVALID_PARAMETER, f"operation type {operation} is not 1..4")
        if department == DEPARTMENT_BY_ITEM_CODE:
            raise Refusal(Reason.UNSUPPORTED_PARAMETER, "sales by item code (department 255) need a goods base")
        if not 0 <= department <= MAX_DEPARTMENT:
            raise Refusal(Reason.DEPARTMENT_OUT_OF_RANGE, f"department {department}")
        vat_rate = self._discount_vat_rate(taxes)
        item = make_item(name, quantity, price, vat_rate, department)
        if discount > item.amount:
            raise Refusal(Reason.DISCOUNT_OUT_OF_RANGE, f"discount {discount} above the item sum {item.amount}")
        amount = item.amount - discount + surcharge
        if amount > MAX_MONEY:
            raise Refusal(Reason.SURCHARGE_OUT_OF_RANGE, f"item sum {amount} kopecks is above {MAX_MONEY}")
        item = with_amount(as_item_v2(item), amount)
        receipt_type = OPERATION_RECEIPT_TYPES[operation]
        open_receipt = self._receipt_for_item(operator, receipt_type, Reason.WRONG_OPERATION)
        open_receipt.receipt.add_item(item)
        self._fix_correction_type(open_receipt, receipt_type, operation)

    def apply_receipt_discount(self, discount: int, surcharge: int, tax: int, text: str) -> None:
        """Spread a discount and a surcharge (FF4Bh, kopecks) over the items of the open receipt.

        The net change goes into the items' 1043 and 1079 in proportion to their
        sums, so 1020 stays the sum of the items. ``text`` is printed unless it
        starts with «//». ``tax`` is a tax group 0..4 (33h otherwise) and changes
        nothing, because each item keeps its own VAT rate. Raises Refusal before
        any change: 55h with no receipt open, 5Eh with no item, 40h for a
        discount above the total, 5Bh for a total over the money range or a
        surcharge on items that sum to zero.
        NOTE: javapos_shtrih sends FF4Bh to round the total down, with tax 0; what
        a real register does with another tax group is not published.
        """
        open_receipt = self._require_receipt()
        receipt = open_receipt.receipt
        if not receipt.items:
            raise Refusal(Reason.WRONG_OPERATION, "FF4Bh needs an item operation first")
        if not 0 <= tax <= TAX_GROUPS:
            raise Refusal(Reason.INVALID_PARAMETER, f"tax group {tax} is not 0..{TAX_GROUPS}")
        total = receipt.total
        change = surcharge - discount
        if -change > total:
            raise Refusal(Reason.DISCOUNT_OUT_OF_RANGE, f"discount {discount} less surcharge {surcharge} "
                                                        f"is above the total {total} kopecks")
        if total + change > MAX_MONEY or (total == 0 and change > 0):
            raise Refusal(Reason.SURCHARGE_OUT_OF_RANGE, f"surcharge {change} kopecks on a total of {total} "
                                                         f"does not fit 1..{MAX_MONEY}")
        spread_adjustment(receipt, change)
        if text and not text.startswith(NO_PRINT_PREFIX):
            self.print_text(text)

    def _discount_vat_rate(self, taxes: int) -> int:
        if taxes == 0:
            return NO_VAT_RATE
        bits = [bit for bit in range(8) if taxes >> bit & 1]
        if len(bits) != 1 or bits[0] >= TAX_GROUPS:
            raise Refusal(Reason.INVALID_PARAMETER, f"tax byte {taxes:#04x} must set at most one of bits 0..3")
        return self.profile.tax_group_rates[bits[0]]
