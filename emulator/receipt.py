"""The receipt under construction: items, VAT, payments, change and its ФФД tags.

Everything here is pure arithmetic on int kopecks and int millionths of a unit.
Prices include VAT, as in Russian retail, so the VAT of an item at 20 % is
amount × 20/120, rounded half up to the kopeck. Receipt-level VAT sums are the
sums of the item VAT amounts (one of the two policies registers use; the other
computes VAT on the receipt total).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from kktemu.protocol.ffd.tlv import encode_tlv, join_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_fvln, encode_string, encode_uint32, encode_vln

from .money import MAX_MONEY, MILLION, round_half_up
from .refusals import Reason, Refusal
from .requisite_text import cp866_text
from .spreading import ItemLine, spread_adjustment

MAX_ITEMS = 100
NAME_MAX_BYTES = 128

# Реквизит 1199 VAT rate code -> (numerator, denominator) of the VAT share in a VAT-inclusive amount.
VAT_SHARE = {1: (20, 120), 2: (10, 110), 3: (20, 120), 4: (10, 110), 5: None, 6: None}
# Реквизит 1199 VAT rate code -> receipt-level tag that carries its VAT (or turnover for 0 % and без НДС).
VAT_RECEIPT_TAG = {1: 1102, 2: 1103, 5: 1104, 6: 1105, 3: 1106, 4: 1107}

def vat_of(amount: int, rate: int) -> int | None:
    """VAT in kopecks contained in a VAT-inclusive ``amount`` at rate code ``rate`` (None: no VAT)."""
    share = VAT_SHARE[rate]
    if share is None:
        return None
    return round_half_up(amount * share[0], share[1])


def clean_name(text: str) -> str:
    """Prepare item text from the wire for a CP866 реквизит: cut at NUL, drop control
    characters, trim spaces, substitute characters CP866 lacks and cut to 128 bytes."""
    text = text.split("\0", 1)[0]
    return cp866_text("".join(ch for ch in text if ch >= " ").strip(), NAME_MAX_BYTES)


@dataclasses.dataclass(frozen=True)
class Item:
    """One position of a receipt. Money in kopecks, quantity in millionths of a unit.

    ``lines`` is empty for an item written as one 1059. When spreading a
    discount left a sum that no single unit price fits, it contains the two
    document lines the item is written as (see ``spreading``), whose
    quantities and sums add up to the item's.
    """

    name: str
    quantity: int
    price: int
    amount: int
    vat_rate: int
    department: int = 0
    payment_method: int = 4  # реквизит 1214: 4 = полный расчёт
    subject: int = 1  # реквизит 1212: 1 = товар
    lines: tuple[ItemLine, ...] = ()

    @property
    def vat_amount(self) -> int | None:
        """VAT in kopecks of this item (the sum over its document lines), or None for 0 % and без НДС."""
        if not self.lines:
            return vat_of(self.amount, self.vat_rate)
        vats = [vat_of(line.amount, self.vat_rate) for line in self.lines]
        return None if None in vats else sum(vats)

    def document_lines(self) -> list[Item]:
        """Return the item as the 1059 entries it is written as: itself, or one item per line of ``lines``."""
        if not self.lines:
            return [self]
        return [dataclasses.replace(self, quantity=line.quantity, price=line.price, amount=line.amount, lines=())
                for line in self.lines]

    def to_tlv(self, ffd_code: int) -> bytes:
        """Encode the item as STLV 1059 (one per document line) for ФФД version code ``ffd_code``
        (2 = 1.05, 4 = 1.2)."""
        return b"".join(line.line_tlv(ffd_code) for line in self.document_lines())

    def line_tlv(self, ffd_code: int) -> bytes:
        """Encode this item's own quantity, price and sum as one STLV 1059, ignoring ``lines``."""
        children = [
            (1214, encode_byte(self.payment_method)),
            (1212, encode_byte(self.subject)),
            (1030, encode_string(self.name, max_len=NAME_MAX_BYTES)),
            (1079, encode_vln(self.price, 6)),
            (1023, encode_fvln(Decimal(self.quantity).scaleb(-6), 8)),
        ]
        if ffd_code >= 4:
            children.append((2108, encode_byte(0)))  # мера количества: 0 = штуки
        children.append((1199, encode_byte(self.vat_rate)))
        vat = self.vat_amount
        if vat is not None:
            children.append((1200, encode_vln(vat, 6)))
        children.append((1043, encode_vln(self.amount, 6)))
        return encode_tlv(1059, join_tlv(children))


def make_item(name: str, quantity: int, price: int, vat_rate: int, department: int = 0) -> Item:
    """Build an item whose amount is quantity × price rounded half up to the kopeck.

    Raises Refusal for a zero or oversized quantity or an oversized price.
    """
    if not 0 < quantity <= 9_999_999_999 * 1000:
        raise Refusal(Reason.QUANTITY_OVERFLOW, f"quantity {Decimal(quantity).scaleb(-6)}")
    if not 0 <= price <= MAX_MONEY:
        raise Refusal(Reason.PRICE_OVERFLOW, f"price {price} kopecks")
    amount = round_half_up(quantity * price, MILLION)
    if amount > MAX_MONEY:
        raise Refusal(Reason.TOTAL_OVERFLOW, f"item amount {amount} kopecks")
    return Item(clean_name(name), quantity, price, amount, vat_rate, department)


@dataclasses.dataclass(frozen=True)
class Settlement:
    """How a closed receipt was paid: total, cash kept (after change), cashless, change."""

    total: int
    cash: int
    cashless: int
    change: int


@dataclasses.dataclass
class Receipt:
    """A receipt being built. ``operation`` is реквизит 1054 (1 приход … 4 возврат расхода)."""

    operation: int
    items: list[Item] = dataclasses.field(default_factory=list)
    extra_tlv: list[bytes] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        """Sum of item amounts in kopecks."""
        return sum(item.amount for item in self.items)

    def add_item(self, item: Item) -> None:
        """Append an item. Raises Refusal when the receipt is full or its total overflows."""
        if len(self.items) >= MAX_ITEMS:
            raise Refusal(Reason.TOO_MANY_ITEMS, f"{MAX_ITEMS} items")
        if self.total + item.amount > MAX_MONEY:
            raise Refusal(Reason.TOTAL_OVERFLOW, f"receipt total {self.total + item.amount} kopecks")
        self.items.append(item)

    def apply_discount(self, hundredths_percent: int) -> None:
        """Spread a receipt discount (positive) or markup (negative), given in 0.01 %,
        over the items with ``spreading.spread_adjustment``.

        The change is the total × percent rounded half up. ФФД has no
        receipt-level discount, so the register lowers the items' 1043 and sets
        their 1079 to match. A change of zero kopecks (a zero total included)
        leaves the receipt as it is. Raises Refusal(INVALID_PARAMETER) for a
        percent outside ±99.99 and Refusal(TOTAL_OVERFLOW) for a markup over the
        money range.
        """
        if not -9999 <= hundredths_percent <= 9999:
            raise Refusal(Reason.INVALID_PARAMETER, f"discount {hundredths_percent / 100} %")
        change = round_half_up(self.total * abs(hundredths_percent), 10000)
        if change == 0:
            return
        if hundredths_percent < 0 and self.total + change > MAX_MONEY:
            raise Refusal(Reason.TOTAL_OVERFLOW, "markup overflows the receipt total")
        self.items = spread_adjustment(self.items, -change if hundredths_percent > 0 else change)

    def settle(self, cash: int, cashless: list[int]) -> Settlement:
        """Check the payments against the total and compute the change (cash only).

        Raises Refusal: ZERO_TOTAL, CASHLESS_ABOVE_TOTAL, PAYMENTS_BELOW_TOTAL.
        """
        total = self.total
        paid_cashless = sum(cashless)
        if total == 0:
            raise Refusal(Reason.ZERO_TOTAL)
        if paid_cashless > total:
            raise Refusal(Reason.CASHLESS_ABOVE_TOTAL, f"{paid_cashless} > {total} kopecks")
        if cash + paid_cashless < total:
            raise Refusal(Reason.PAYMENTS_BELOW_TOTAL, f"{cash + paid_cashless} < {total} kopecks")
        change = cash + paid_cashless - total
        return Settlement(total=total, cash=cash - change, cashless=paid_cashless, change=change)

    def vat_totals(self) -> dict[int, int]:
        """Receipt-level VAT tag → sum: VAT for taxed rates, turnover for 0 % and без НДС."""
        totals: dict[int, int] = {}
        for item in self.items:
            tag = VAT_RECEIPT_TAG[item.vat_rate]
            vat = item.vat_amount
            totals[tag] = totals.get(tag, 0) + (item.amount if vat is None else vat)
        return dict(sorted(totals.items()))


@dataclasses.dataclass(frozen=True)
class ReceiptContext:
    """Document data the register adds around the items of a receipt."""

    ffd_code: int
    shift_number: int
    receipt_number: int
    taxation: int
    cashier: str
    user_name: str
    address: str
    place: str
    cashier_inn: str | None = None


def receipt_tlv(receipt: Receipt, settlement: Settlement, context: ReceiptContext) -> bytes:
    """Encode the TLVs the register sends to the ФН for a receipt (form 3), in order.

    The ФН adds 1041, 1037, 1018, 1040, 1012 and 1077 itself. TLVs received from the
    host during the receipt (FF0C) follow the register's own, in arrival order.
    """
    parts = [
        encode_tlv(1048, encode_string(context.user_name, max_len=256)),
        encode_tlv(1009, encode_string(context.address, max_len=256)),
        encode_tlv(1187, encode_string(context.place, max_len=256)),
        encode_tlv(1042, encode_uint32(context.receipt_number)),
        encode_tlv(1038, encode_uint32(context.shift_number)),
        encode_tlv(1054, encode_byte(receipt.operation)),
        encode_tlv(1055, encode_byte(context.taxation)),
    ]
    parts.extend(item.to_tlv(context.ffd_code) for item in receipt.items)
    parts.extend([
        encode_tlv(1020, encode_vln(settlement.total, 6)),
        encode_tlv(1031, encode_vln(settlement.cash, 6)),
        encode_tlv(1081, encode_vln(settlement.cashless, 6)),
        encode_tlv(1215, encode_vln(0, 6)),
        encode_tlv(1216, encode_vln(0, 6)),
        encode_tlv(1217, encode_vln(0, 6)),
    ])
    parts.extend(encode_tlv(tag, encode_vln(value, 6)) for tag, value in receipt.vat_totals().items())
    parts.append(encode_tlv(1021, encode_string(context.cashier, max_len=64)))
    if context.cashier_inn:
        parts.append(encode_tlv(1203, encode_string(context.cashier_inn, fixed_len=12)))
    parts.append(encode_tlv(1209, encode_byte(context.ffd_code)))
    parts.extend(receipt.extra_tlv)
    return b"".join(parts)
