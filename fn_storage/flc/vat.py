"""VAT sums of a receipt (1102..1107) against the items grouped by their rate 1199.

Item sums (1043) include VAT. For each rate of ФФД table 8 the receipt carries
one tag: the VAT of the items at 20 % and 20/120 (1102, 1106) is their sum ×
20/120, at 10 % and 10/110 (1103, 1107) their sum × 10/110. The tags of 0 %
and of goods without VAT (1104, 1105) carry the items' sum itself.

A register rounds VAT to the kopeck either per item or once per receipt, so a
VAT tag may differ from the exact VAT of its group by less than one kopeck per
item of the group. A turnover tag must equal its group's sum. A tag without
items of its rate must be zero.
"""

from __future__ import annotations

from fractions import Fraction

from ...protocol.ffd.values import decode_vln
from .items import TAG_ITEM, TAG_ITEM_SUM
from .tree import Node
from .violation import Rule, Violation

TAG_VAT_RATE = 1199
VAT_TAGS = {1: 1102, 2: 1103, 3: 1106, 4: 1107, 5: 1104, 6: 1105}
# Share of VAT in a VAT-inclusive sum; None for the turnover tags.
VAT_SHARES = {1: Fraction(20, 120), 2: Fraction(10, 110), 3: Fraction(20, 120), 4: Fraction(10, 110), 5: None, 6: None}


def check_vat(nodes: list[Node]) -> Violation | None:
    """Check every VAT tag of a receipt with items against the items of its rate.

    Receipts without items (ФФД 1.05 corrections) and items with an unknown or
    absent rate are not checked here.
    """
    items = [node for node in nodes if node.tag == TAG_ITEM]
    if not items:
        return None
    groups: dict[int, list[int]] = {rate: [] for rate in VAT_TAGS}
    for item in items:
        rate = item.child(TAG_VAT_RATE)
        if rate is not None and len(rate) == 1 and rate[0] in groups:
            groups[rate[0]].append(decode_vln(item.child(TAG_ITEM_SUM) or b""))
    receipt = {node.tag: decode_vln(node.value) for node in nodes if node.tag in VAT_TAGS.values()}
    for rate, tag in VAT_TAGS.items():
        sums = groups[rate]
        if not sums:
            if receipt.get(tag, 0):
                return Violation(Rule.VAT_SUM, tag, f"{receipt[tag]} kopecks at rate {rate}, but no item has that rate")
            continue
        if tag not in receipt:
            return Violation(Rule.TAG_MISSING, tag, f"{len(sums)} items have rate {rate}, the receipt lacks its tag")
        violation = _check_group(rate, tag, receipt[tag], sums)
        if violation is not None:
            return violation
    return None


def _check_group(rate: int, tag: int, value: int, sums: list[int]) -> Violation | None:
    turnover = sum(sums)
    share = VAT_SHARES[rate]
    if share is None:
        if value != turnover:
            return Violation(Rule.VAT_SUM, tag, f"{value} is not the sum {turnover} of the items at rate {rate}")
        return None
    exact = turnover * share
    if abs(value - exact) >= len(sums):
        return Violation(Rule.VAT_SUM, tag,
                         f"VAT {value} differs from {turnover} × {share} = {float(exact):.2f} kopecks "
                         f"by {len(sums)} kopecks or more ({len(sums)} items at rate {rate})")
    return None
