"""Totals counters («счётчики итогов») that the ФН keeps and writes into close shift reports.

The ФН updates two sets from every receipt it forms: the shift counters (tag
1194, reset when a shift opens) and the lifetime counters of the ФН (tag 1157).
Each set is an STLV::

    1194 / 1157
      1134  receipts and corrections of every operation type (UInt32)
      1129  приход | 1130 возврат прихода | 1131 расход | 1132 возврат расхода
      1133  corrections: 1144 count (UInt32), then one block per operation type:
            1145 приход and 1146 расход; ФФД 1.2 adds 1232 возврат прихода and
            1233 возврат расхода

and every operation block holds 1135 receipt count (UInt32), then VLN kopecks:
1136 cash, 1138 cashless, 1218 prepaid, 1219 credit, 1220 counter provision,
1139 VAT 20%, 1140 VAT 10%, 1141 VAT 20/120, 1142 VAT 10/110, 1143 turnover
at 0%, 1183 turnover without VAT, 1201 total.

Zero values are written as one 00 byte rather than left out, so every close
shift report has the same shape.

NOTE: the ФФД 1.2 tables of these STLVs were not available as text. The order
1145, 1232, 1146, 1233 and the 1135 count inside correction blocks follow
secondary sources (driver tag maps, ОФД JSON), not the official tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..protocol.ffd.tlv import encode_tlv, iter_tlv
from ..protocol.ffd.values import decode_vln, encode_uint32, encode_vln

TAG_SHIFT_COUNTERS = 1194
TAG_FN_COUNTERS = 1157
MAX_COUNTER_VALUE = (1 << 64) - 1  # counters are VLN of at most 8 bytes
FFD_1_2 = 4

OPERATION_TAGS = {1: 1129, 2: 1130, 3: 1131, 4: 1132}
CORRECTION_TAGS_FFD105 = {1: 1145, 3: 1146}
CORRECTION_TAGS_FFD12 = {1: 1145, 2: 1232, 3: 1146, 4: 1233}

# Receipt tag -> counter field it adds to.
RECEIPT_SUM_TAGS = {
    1020: "total",
    1031: "cash",
    1081: "cashless",
    1215: "prepaid",
    1216: "credit",
    1217: "provision",
    1102: "vat20",
    1103: "vat10",
    1106: "vat20_120",
    1107: "vat10_110",
    1104: "turnover_vat0",
    1105: "turnover_no_vat",
}


@dataclass
class OperationTotals:
    """One operation block: receipt count and sums in kopecks."""

    count: int = 0
    cash: int = 0
    cashless: int = 0
    prepaid: int = 0
    credit: int = 0
    provision: int = 0
    vat20: int = 0
    vat10: int = 0
    vat20_120: int = 0
    vat10_110: int = 0
    turnover_vat0: int = 0
    turnover_no_vat: int = 0
    total: int = 0

    # Order and tags of the fields inside the block's STLV.
    TAGS = (
        ("count", 1135),
        ("cash", 1136),
        ("cashless", 1138),
        ("prepaid", 1218),
        ("credit", 1219),
        ("provision", 1220),
        ("vat20", 1139),
        ("vat10", 1140),
        ("vat20_120", 1141),
        ("vat10_110", 1142),
        ("turnover_vat0", 1143),
        ("turnover_no_vat", 1183),
        ("total", 1201),
    )

    def added(self, figures: ReceiptFigures) -> OperationTotals:
        """Return a copy with one more receipt of these figures."""
        result = OperationTotals(count=self.count + 1)
        for name in RECEIPT_SUM_TAGS.values():
            setattr(result, name, getattr(self, name) + getattr(figures, name))
        return result

    def fits(self) -> bool:
        """Tell whether every sum still fits an 8-byte VLN and the count a UInt32."""
        if self.count > 0xFFFFFFFF:
            return False
        return all(getattr(self, name) <= MAX_COUNTER_VALUE for name in RECEIPT_SUM_TAGS.values())

    def encode(self, tag: int) -> bytes:
        """Encode the block as the STLV ``tag``."""
        body = b"".join(
            encode_tlv(item_tag, encode_uint32(self.count) if name == "count" else encode_vln(getattr(self, name)))
            for name, item_tag in self.TAGS
        )
        return encode_tlv(tag, body)


@dataclass(frozen=True)
class ReceiptFigures:
    """Sums of one receipt in kopecks, read from its top-level TLVs (absent tags are 0)."""

    operation: int
    total: int = 0
    cash: int = 0
    cashless: int = 0
    prepaid: int = 0
    credit: int = 0
    provision: int = 0
    vat20: int = 0
    vat10: int = 0
    vat20_120: int = 0
    vat10_110: int = 0
    turnover_vat0: int = 0
    turnover_no_vat: int = 0

    @classmethod
    def from_tlv(cls, tlv: bytes, operation: int, total: int) -> ReceiptFigures:
        """Read the sums from a receipt's top-level TLVs; ``total`` is the 16h total.

        The 16h total is authoritative for 1201, so a receipt without 1020 still
        counts. Raises DecodeError when ``tlv`` is not whole TLVs.
        """
        sums = {"total": total}
        for tag, value in iter_tlv(tlv):
            name = RECEIPT_SUM_TAGS.get(tag)
            if name is not None and name != "total":
                sums[name] = sums.get(name, 0) + decode_vln(value)
        return cls(operation=operation, **sums)


@dataclass
class Counters:
    """One counter set (shift or ФН lifetime): receipts and corrections per operation type."""

    receipts: dict[int, OperationTotals] = field(default_factory=dict)
    corrections: dict[int, OperationTotals] = field(default_factory=dict)

    def added(self, figures: ReceiptFigures, correction: bool) -> Counters:
        """Return a copy that includes one more receipt (or correction)."""
        receipts = dict(self.receipts)
        corrections = dict(self.corrections)
        target = corrections if correction else receipts
        target[figures.operation] = target.get(figures.operation, OperationTotals()).added(figures)
        return Counters(receipts, corrections)

    def fits(self) -> bool:
        """Tell whether every value still fits its field (false means 09h, totals overflow)."""
        blocks = [*self.receipts.values(), *self.corrections.values()]
        return all(block.fits() for block in blocks) and self.document_count() <= 0xFFFFFFFF

    def document_count(self) -> int:
        """Number of receipts and corrections of every operation type (1134)."""
        return sum(block.count for block in self.receipts.values()) + self.correction_count()

    def correction_count(self) -> int:
        """Number of corrections (1144)."""
        return sum(block.count for block in self.corrections.values())

    def encode(self, tag: int, ffd_version: int) -> bytes:
        """Encode the set as STLV ``tag`` (1194 or 1157) in the layout of ``ffd_version`` (1209 code)."""
        correction_tags = CORRECTION_TAGS_FFD12 if ffd_version >= FFD_1_2 else CORRECTION_TAGS_FFD105
        body = encode_tlv(1134, encode_uint32(self.document_count()))
        for operation, block_tag in OPERATION_TAGS.items():
            body += self.receipts.get(operation, OperationTotals()).encode(block_tag)
        corrections = encode_tlv(1144, encode_uint32(self.correction_count()))
        for operation, block_tag in correction_tags.items():
            corrections += self.corrections.get(operation, OperationTotals()).encode(block_tag)
        body += encode_tlv(1133, corrections)
        return encode_tlv(tag, body)

