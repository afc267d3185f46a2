"""Arithmetic of receipts: each item's sum, the receipt total and the payments.

The rules are the notes to the ФФД 1.05 receipt tables:

* 1043 (item sum) may differ from 1079 (unit price) × 1023 (quantity) by at
  most one kopeck (note 1 to table 21);
* an item with the fractional quantity 1291 has 1023 = 1 (ФФД 1.2 note on 1291);
* 1020 (receipt total) equals the sum of the items' 1043 (note 5 to table 20),
  and equals 1031 + 1081 + 1215 + 1216 + 1217 (note 1 to table 20).

NOTE: note 5 lets an external calculator's 1020 differ from the sum of 1043 in
kopecks as long as the roubles agree. The ФН model demands the exact sum.
"""

from __future__ import annotations

from decimal import Decimal

from ...protocol.ffd.values import decode_fvln, decode_vln
from .tree import Node
from .violation import Rule, Violation

TAG_ITEM = 1059
TAG_ITEM_SUM = 1043
TAG_PRICE = 1079
TAG_QUANTITY = 1023
TAG_FRACTION = 1291
TAG_TOTAL = 1020
PAYMENT_TAGS = (1031, 1081, 1215, 1216, 1217)
ITEM_SUM_TOLERANCE = 1  # kopecks


def check_item(item: Node) -> Violation | None:
    """Check one 1059: its sum against price × quantity, and the quantity of a fractional item."""
    quantity_value = item.child(TAG_QUANTITY)
    quantity = None if quantity_value is None else decode_fvln(quantity_value)
    if item.child(TAG_FRACTION) is not None and quantity != 1:
        found = "missing" if quantity is None else str(quantity)
        return Violation(Rule.FRACTION_QUANTITY, TAG_QUANTITY,
                         f"an item with the fractional quantity 1291 needs 1023 = 1, it is {found}")
    price_value, sum_value = item.child(TAG_PRICE), item.child(TAG_ITEM_SUM)
    if quantity is None or price_value is None or sum_value is None:
        return None
    price, amount = decode_vln(price_value), decode_vln(sum_value)
    expected = price * quantity
    if abs(Decimal(amount) - expected) > ITEM_SUM_TOLERANCE:
        return Violation(Rule.ITEM_SUM, TAG_ITEM_SUM,
                         f"item sum {amount} differs from 1079 × 1023 = {price} × {quantity} = {expected} "
                         f"by more than {ITEM_SUM_TOLERANCE} kopeck")
    return None


def check_totals(nodes: list[Node]) -> Violation | None:
    """Check 1020 against the items' sums and against the payments of the receipt."""
    totals = [node.value for node in nodes if node.tag == TAG_TOTAL]
    if not totals:
        return None
    total = decode_vln(totals[0])
    items = [node for node in nodes if node.tag == TAG_ITEM]
    if items:
        item_sum = sum(decode_vln(item.child(TAG_ITEM_SUM) or b"") for item in items)
        if item_sum != total:
            return Violation(Rule.RECEIPT_TOTAL, TAG_TOTAL,
                             f"receipt total {total} is not the sum {item_sum} of the items' 1043")
    payments = {tag: decode_vln(node.value) for node in nodes for tag in PAYMENT_TAGS if node.tag == tag}
    paid = sum(payments.values())
    if paid != total:
        shown = " + ".join(f"{tag}={payments.get(tag, 0)}" for tag in PAYMENT_TAGS)
        return Violation(Rule.PAYMENT_SUM, TAG_TOTAL, f"receipt total {total} is not the sum of the payments {shown} = {paid}")
    return None
