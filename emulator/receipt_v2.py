"""Items with host data, the 16 payment sums and the ФН data of a receipt or correction receipt.

The arithmetic of ``receipt`` (items, VAT, discounts) stays. This module adds what
FF46h, FF4Dh, FF45h, 8Eh and the correction commands need. Items may carry the
sum or VAT the host gave and FF4Dh children. Payments include prepayment, credit
and counter-provision (1215, 1216, 1217). Rounding comes off the total, and one
TLV builder serves receipts (form 3) and correction receipts (form 31). Money is
int kopecks, quantities int millionths.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from kktemu.protocol.ffd.tlv import encode_tlv, join_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_fvln, encode_string, encode_uint32, encode_vln

from . import spreading
from .ffd_rules import MEASURE_TAG
from .receipt import NAME_MAX_BYTES, VAT_RECEIPT_TAG, VAT_SHARE, Item, Receipt, ReceiptContext, round_half_up
from .refusals import Reason, Refusal
from .register_types import OpenReceipt

Tlv = tuple[int, bytes]

# Receipt-level VAT tags in the order of the six tax sums of FF45h and FF4Ah:
# VAT 20 %, VAT 10 %, turnover at 0 %, turnover without VAT, VAT 20/120, VAT 10/110.
TAX_SUM_TAGS = (1102, 1103, 1104, 1105, 1106, 1107)


@dataclasses.dataclass
class OpenReceiptV2(OpenReceipt):
    """The open receipt with what FF35h and FF46h add to ``OpenReceipt``.

    ``correction`` marks a correction receipt (ФН form 31, begun with 17h).
    ``type_fixed`` is False while a correction opened by FF35h has no item yet, so
    the first FF46h still chooses its operation.
    """

    correction: bool = False
    type_fixed: bool = True


@dataclasses.dataclass(frozen=True)
class ItemV2(Item):
    """An item with the data of FF46h and FF4Dh.

    ``given_vat`` is the 1200 the host sent, in kopecks; None computes it from
    the amount. ``write_vat`` False leaves 1200 out of the item (tax mode 1 with
    no tax sum). ``measure`` is 2108, written under ФФД 1.2 only, and
    ``measure_from_host`` is True once FF4Dh has set it. ``extra`` holds the
    children FF4Dh added, in arrival order, without 2108.
    """

    given_vat: int | None = None
    write_vat: bool = True
    measure: int = 0
    measure_from_host: bool = False
    extra: tuple[Tlv, ...] = ()

    @property
    def vat_amount(self) -> int | None:
        """VAT of the item in kopecks: the host's sum when given, else computed; None for 0 % and без НДС."""
        if VAT_SHARE[self.vat_rate] is None:
            return None
        if self.given_vat is not None:
            return self.given_vat
        return Item.vat_amount.fget(self)

    def children(self, ffd_code: int) -> list[Tlv]:
        """Return the children of this item's 1059 for ФФД version code ``ffd_code``, in order."""
        result = [
            (1214, encode_byte(self.payment_method)),
            (1212, encode_byte(self.subject)),
            (1030, encode_string(self.name, max_len=NAME_MAX_BYTES)),
            (1079, encode_vln(self.price, 6)),
            (1023, encode_fvln(Decimal(self.quantity).scaleb(-6), 8)),
        ]
        if ffd_code >= 4:
            result.append((MEASURE_TAG, encode_byte(self.measure)))
        result.append((1199, encode_byte(self.vat_rate)))
        vat = self.vat_amount
        if self.write_vat and vat is not None:
            result.append((1200, encode_vln(vat, 6)))
        result.append((1043, encode_vln(self.amount, 6)))
        result.extend(self.extra)
        return result

    def document_lines(self) -> list[ItemV2]:
        """Return the item as the 1059 entries it is written as, the host's VAT shared by their sums.

        Each line but the last gets the given VAT × its sum / the item sum,
        rounded half up, and the last line the rest, so the lines' 1200 add up
        to ``given_vat``.
        """
        lines = super().document_lines()
        if self.given_vat is None or len(lines) == 1:
            return lines
        shares = [round_half_up(self.given_vat * line.amount, self.amount) if self.amount else 0
                  for line in lines[:-1]]
        shares.append(self.given_vat - sum(shares))
        return [dataclasses.replace(line, given_vat=share) for line, share in zip(lines, shares, strict=True)]

    def to_tlv(self, ffd_code: int) -> bytes:
        """Encode the item as STLV 1059 (one per document line) for ФФД version code ``ffd_code``."""
        return b"".join(encode_tlv(1059, join_tlv(line.children(ffd_code))) for line in self.document_lines())


def as_item_v2(item: Item) -> ItemV2:
    """Return ``item`` as an ``ItemV2`` with the same data (items of 80h..83h are plain ``Item``)."""
    if isinstance(item, ItemV2):
        return item
    return ItemV2(**{field.name: getattr(item, field.name) for field in dataclasses.fields(Item)})


@dataclasses.dataclass(frozen=True)
class Payments:
    """Payment sums in kopecks: cash, electronic (1081), prepayment (1215), credit (1216),
    counter-provision (1217)."""

    cash: int = 0
    electronic: int = 0
    prepaid: int = 0
    credit: int = 0
    provision: int = 0

    @classmethod
    def from_sums(cls, sums: Sequence[int]) -> Payments:
        """Read the 16 sums of FF45h and 8Eh: 1 cash, 2..13 electronic, 14 prepayment,
        15 credit, 16 counter-provision."""
        if len(sums) != 16:
            raise ValueError(f"{len(sums)} payment sums, expected 16")
        return cls(sums[0], sum(sums[1:13]), sums[13], sums[14], sums[15])

    @property
    def non_cash(self) -> int:
        """Everything paid otherwise than in cash, which can give no change."""
        return self.electronic + self.prepaid + self.credit + self.provision


@dataclasses.dataclass(frozen=True)
class SettlementV2:
    """Payments of a formed receipt in kopecks: ``cash`` kept after giving ``change``, the others as paid."""

    total: int
    cash: int
    electronic: int
    prepaid: int
    credit: int
    provision: int
    change: int

    @property
    def cashless(self) -> int:
        """The electronic payment, реквизит 1081."""
        return self.electronic


def settle(total: int, payments: Payments, *, allow_zero: bool = False) -> SettlementV2:
    """Check ``payments`` against ``total`` and compute the change, given in cash only.

    Raises Refusal: ZERO_TOTAL (unless ``allow_zero``), CASHLESS_ABOVE_TOTAL when the
    payments other than cash exceed the total, PAYMENTS_BELOW_TOTAL.
    """
    if total == 0 and not allow_zero:
        raise Refusal(Reason.ZERO_TOTAL)
    if payments.non_cash > total:
        raise Refusal(Reason.CASHLESS_ABOVE_TOTAL, f"{payments.non_cash} > {total} kopecks")
    paid = payments.cash + payments.non_cash
    if paid < total:
        raise Refusal(Reason.PAYMENTS_BELOW_TOTAL, f"{paid} < {total} kopecks")
    change = paid - total
    return SettlementV2(total, payments.cash - change, payments.electronic, payments.prepaid, payments.credit,
                        payments.provision, change)


def exact_settlement(total: int, payments: Payments) -> SettlementV2:
    """Return the settlement of a correction receipt, whose payments must add up to ``total`` exactly.

    Raises Refusal(INVALID_PARAMETER) when they do not.
    """
    paid = payments.cash + payments.non_cash
    if paid != total:
        raise Refusal(Reason.INVALID_PARAMETER, f"payments {paid} differ from the total {total} kopecks")
    return SettlementV2(total, payments.cash, payments.electronic, payments.prepaid, payments.credit,
                        payments.provision, 0)


def round_off(receipt: Receipt, kopecks: int) -> None:
    """Take ``kopecks`` (rounding to the rouble, 0..99) off the receipt total.

    The kopecks are spread over the items by ``spreading.spread_adjustment``, so
    1020 stays the sum of the items' 1043. Raises Refusal(INVALID_PARAMETER) for
    rounding outside 0..99 or not below the total, or when the items cannot
    carry it.
    NOTE: the spec gives the field without saying how the register spreads it.
    """
    if not 0 <= kopecks <= 99:
        raise Refusal(Reason.INVALID_PARAMETER, f"rounding {kopecks} kopecks is outside 0..99")
    if kopecks == 0:
        return
    total = receipt.total
    if kopecks >= total:
        raise Refusal(Reason.INVALID_PARAMETER, f"rounding {kopecks} is not below the total {total} kopecks")
    spread_adjustment(receipt, -kopecks)


def spread_adjustment(receipt: Receipt, kopecks: int) -> None:
    """Add ``kopecks`` to the receipt total (negative for a discount), spread over its items.

    ``spreading.spread_adjustment`` describes how, and its refusal applies. The
    caller keeps the new total within 0..MAX_MONEY and calls this only for a
    total above zero or a zero change.
    """
    receipt.items = spreading.spread_adjustment(receipt.items, kopecks)


def computed_vat_totals(items: Sequence[Item]) -> dict[int, int]:
    """Receipt-level VAT tag → kopecks from the items: VAT for taxed rates, the turnover for 0 % and без НДС."""
    totals: dict[int, int] = {}
    for item in items:
        tag = VAT_RECEIPT_TAG[item.vat_rate]
        vat = item.vat_amount
        totals[tag] = totals.get(tag, 0) + (item.amount if vat is None else vat)
    return dict(sorted(totals.items()))


def given_vat_totals(items: Sequence[Item], tax_sums: Sequence[int]) -> dict[int, int]:
    """Receipt-level VAT tag → kopecks from the six tax sums of FF45h or FF4Ah.

    A tag is written when its sum is not zero or an item has its rate.
    """
    used = {VAT_RECEIPT_TAG[item.vat_rate] for item in items}
    totals = {tag: value for tag, value in zip(TAX_SUM_TAGS, tax_sums) if value or tag in used}
    return dict(sorted(totals.items()))


def document_tlv(receipt: Receipt, settlement: SettlementV2, context: ReceiptContext, *,
                 vat_totals: dict[int, int], register_tlv: Sequence[Tlv] = (), host_tlv: Sequence[Tlv] = ()) -> bytes:
    """Encode the TLVs the register sends to the ФН for a receipt or correction receipt, in order.

    ``register_tlv`` are further register-made tags placed after 1055 (1173 of
    FF4Ah). ``host_tlv`` are the host's receipt-level TLVs (FF0Ch), sent last in
    arrival order, except that a host 1021 replaces the register's cashier name.
    An empty address or place of settlement is left out. The ФН adds 1041, 1037,
    1018, 1040, 1012 and 1077 itself.
    """
    host = list(host_tlv)
    cashier = next((value for tag, value in host if tag == 1021), None)
    host = [(tag, value) for tag, value in host if tag != 1021]
    parts = [(1048, encode_string(context.user_name, max_len=256))]
    if context.address:
        parts.append((1009, encode_string(context.address, max_len=256)))
    if context.place:
        parts.append((1187, encode_string(context.place, max_len=256)))
    parts += [
        (1042, encode_uint32(context.receipt_number)),
        (1038, encode_uint32(context.shift_number)),
        (1054, encode_byte(receipt.operation)),
        (1055, encode_byte(context.taxation)),
    ]
    parts.extend(register_tlv)
    body = join_tlv(parts) + b"".join(item.to_tlv(context.ffd_code) for item in receipt.items)
    closing = [
        (1020, encode_vln(settlement.total, 6)),
        (1031, encode_vln(settlement.cash, 6)),
        (1081, encode_vln(settlement.electronic, 6)),
        (1215, encode_vln(settlement.prepaid, 6)),
        (1216, encode_vln(settlement.credit, 6)),
        (1217, encode_vln(settlement.provision, 6)),
    ]
    closing += [(tag, encode_vln(value, 6)) for tag, value in vat_totals.items()]
    closing.append((1021, cashier if cashier is not None else encode_string(context.cashier, max_len=64)))
    if context.cashier_inn:
        closing.append((1203, encode_string(context.cashier_inn, fixed_len=12)))
    closing.append((1209, encode_byte(context.ffd_code)))
    return body + join_tlv(closing) + join_tlv(host)
