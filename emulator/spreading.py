"""Spread a receipt discount, surcharge or rounding over the items, keeping 1079 × 1023 within a kopeck of 1043.

ФФД has no receipt-level discount, so the register changes the sums (1043) of
the items and gives each a unit price (1079) to match. Every item it changes
keeps |1079 × 1023 − 1043| ≤ 1 kopeck, the tolerance FF46h allows between a
host's sum and price × quantity. At one price an item of Q units can only
carry sums within a kopeck of a multiple of Q kopecks. That is any sum when
Q ≤ 2, but few sums when Q is large: 1000 units at 0.01 ₽ carry 10.00 ₽ or
9.99 ₽, never 9.01 ₽.

The adjustment is spread in four steps:

1. Each item gets a share in proportion to its sum, and the kopecks left by
   rounding down go to the largest remainders.
2. An item that cannot carry its share at one price takes the part of it
   nearest to the share that it can carry.
3. The other items take what is left, largest sum first, each as far as it can
   carry it at one price.
4. Whatever is still left goes to the largest items, which are split into two
   document lines whose unit prices differ by one kopeck.

Moving kopecks between items before splitting keeps a receipt as the host sent
it whenever its items allow. A split item stays one operation of the register
(counters, FF4Dh) and is written as two 1059 with the same data (``Item.lines``).
NOTE: the Штрих-М protocol spec does not say how the firmware spreads these
sums or whether it splits items; the steps above are kktemu's choice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from .money import MAX_MONEY, MILLION, round_half_up
from .refusals import Reason, Refusal

if TYPE_CHECKING:
    from .receipt import Item

ItemT = TypeVar("ItemT", bound="Item")

# 1059 children that identify one unit of goods (1162 код товара, 1163 product code) or need
# quantity 1 (1291 дробное количество): two lines would repeat them, so such items are never split.
UNSPLITTABLE_TAGS = frozenset({1162, 1163, 1291})


class ItemLine(NamedTuple):
    """One document line of a split item: quantity in millionths, unit price and sum in kopecks."""

    quantity: int
    price: int
    amount: int


def single_price(quantity: int, amount: int) -> int | None:
    """Return the unit price in kopecks whose product with ``quantity`` (millionths) is within one
    kopeck of ``amount``, or None when no price of 0..MAX_MONEY is."""
    price = min(round_half_up(amount * MILLION, quantity), MAX_MONEY)
    if abs(price * quantity - amount * MILLION) <= MILLION:
        return price
    return None


def split_lines(quantity: int, amount: int) -> tuple[ItemLine, ItemLine] | None:
    """Split ``quantity`` into two lines at unit prices p and p + 1 whose sums add up to ``amount``.

    Each line's sum is its price × quantity rounded half up. Returns None when one
    price fits ``amount`` exactly or p + 1 exceeds MAX_MONEY.
    """
    price, remainder = divmod(amount * MILLION, quantity)
    if remainder == 0 or price + 1 > MAX_MONEY:
        return None
    upper_amount = round_half_up((price + 1) * remainder, MILLION)
    return ItemLine(quantity - remainder, price, amount - upper_amount), ItemLine(remainder, price + 1, upper_amount)


def can_split(item: Item) -> bool:
    """Tell whether ``item`` may be written as two lines: it has no child of ``UNSPLITTABLE_TAGS``."""
    return not any(tag in UNSPLITTABLE_TAGS for tag, _value in getattr(item, "extra", ()))


def with_amount(item: ItemT, amount: int) -> ItemT:
    """Return ``item`` with the sum ``amount`` in kopecks, at one unit price or split in two lines.

    An unchanged sum returns ``item`` itself. Raises Refusal(INVALID_PARAMETER)
    when no price fits and the item cannot be split.
    """
    if amount == item.amount:
        return item
    price = single_price(item.quantity, amount)
    if price is not None:
        return dataclasses.replace(item, amount=amount, price=price, lines=())
    lines = split_lines(item.quantity, amount) if can_split(item) else None
    if lines is None:
        raise Refusal(Reason.INVALID_PARAMETER, f"no unit price of {item.quantity / MILLION} units gives "
                                                f"{amount} kopecks within one kopeck")
    return dataclasses.replace(item, amount=amount, price=lines[0].price, lines=lines)


def proportional_shares(amounts: Sequence[int], kopecks: int) -> list[int]:
    """Split ``kopecks`` (signed) in proportion to ``amounts``, the largest remainders taking the odd kopecks.

    ``amounts`` must add up to more than zero.
    """
    total = sum(amounts)
    change = abs(kopecks)
    shares = [amount * change // total for amount in amounts]
    by_remainder = sorted(range(len(amounts)), key=lambda i: (amounts[i] * change) % total, reverse=True)
    for index in by_remainder[: change - sum(shares)]:
        shares[index] += 1
    sign = 1 if kopecks > 0 else -1
    return [sign * share for share in shares]


def spread_adjustment(items: Sequence[ItemT], kopecks: int) -> list[ItemT]:
    """Return ``items`` with ``kopecks`` added to their total (negative for a discount), by the steps above.

    The callers keep the new total within 0..MAX_MONEY and call this only for a
    total above zero. No item sum falls below zero or rises above MAX_MONEY.
    Raises Refusal(INVALID_PARAMETER) when the items cannot carry the
    adjustment even with splitting. That takes items of more than 2 units each
    that carry a child of ``UNSPLITTABLE_TAGS`` or a unit price near MAX_MONEY.
    """
    if kopecks == 0:
        return list(items)
    amounts = [item.amount for item in items]
    targets = [amount + share for amount, share in zip(amounts, proportional_shares(amounts, kopecks), strict=True)]
    left = 0
    for index, item in enumerate(items):
        if targets[index] != amounts[index] and single_price(item.quantity, targets[index]) is None:
            carried = _nearest_carried(item.quantity, targets[index], amounts[index])
            left += targets[index] - carried
            targets[index] = carried
    largest_first = sorted(range(len(items)), key=lambda i: (-targets[i], i))
    for index in largest_first:
        if left == 0:
            break
        proposed = _money_range(targets[index] + left)
        if proposed != targets[index] and single_price(items[index].quantity, proposed) is None:
            proposed = _nearest_carried(items[index].quantity, proposed, targets[index])
        left -= proposed - targets[index]
        targets[index] = proposed
    for index in largest_first:
        if left == 0:
            break
        proposed = _money_range(targets[index] + left)
        quantity = items[index].quantity
        if proposed == targets[index] or not can_split(items[index]):
            continue
        if single_price(quantity, proposed) is None and split_lines(quantity, proposed) is None:
            continue
        left -= proposed - targets[index]
        targets[index] = proposed
    if left:
        raise Refusal(Reason.INVALID_PARAMETER, f"{left} of {kopecks} kopecks fit no item at one price "
                                                f"and no item can be split")
    return [with_amount(item, target) for item, target in zip(items, targets, strict=True)]


def _money_range(amount: int) -> int:
    return min(max(amount, 0), MAX_MONEY)


def _nearest_carried(quantity: int, proposed: int, limit: int) -> int:
    """Return the sum nearest to ``proposed`` towards ``limit`` (inclusive) that ``quantity`` carries at
    one price, or ``limit`` when none does. ``proposed`` must be a sum it does not carry."""
    if proposed < limit:
        price = -(-proposed * MILLION // quantity)  # the lowest price whose product is above ``proposed``
        if price > MAX_MONEY:
            return limit
        return min(-(-(price * quantity - MILLION) // MILLION), limit)
    price = min(proposed * MILLION // quantity, MAX_MONEY)  # the highest price whose product is below ``proposed``
    return max((price * quantity + MILLION) // MILLION, limit)
