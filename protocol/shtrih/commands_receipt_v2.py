"""Receipt commands of the ФН era: FF46h operation V2, FF45h close V2, FF4Dh operation TLV,
8Eh extended close, FF0Dh operation with discount and markup, FF4Bh receipt discount.

Money is int kopecks in 5 bytes. The FF46h quantity is int millionths in 6 bytes.
Item names and closing text are cp1251 and run to the end of the body. Answer
lengths (LEN, counting the command bytes):

- FF46h, FF4Dh, FF0Dh, FF4Bh: 3 (``FF xx 00``).
- FF45h: 16, or 21 with the document DATE_TIME.
- 8Eh: 8 (operator and change).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any, ClassVar

import construct

from ..errors import DecodeError, EncodeError
from .commands_base import (
    PASSWORD,
    DateTimeTailMessage,
    EmptyAnswer,
    Message,
    Pair,
    TextTailMessage,
    text_size_field,
)
from .commands_fields import (
    MONEY,
    OPTIONAL_MONEY,
    QUANTITY,
    QUANTITY_MILLIONTHS,
    TAXES,
    decode_text,
    encode_text,
    money_array,
)
from .commands_fn import SendTlvRequest


class OperationType(enum.IntEnum):
    """The operation type byte of FF46h and FF0Dh (реквизит 1054 numbering)."""

    SALE = 1  # приход
    SALE_RETURN = 2  # возврат прихода
    PURCHASE = 3  # расход
    PURCHASE_RETURN = 4  # возврат расхода


class TaxRate(enum.IntFlag):
    """The tax rate byte of FF46h, a bit mask: bit n selects rate n + 1 of table 6.

    The v1.17 spec still names the first rate 18%, and registers print 20% since 2019.
    One bit is set for an item. re-star-ru/shtrih-m-driver sends 3 for 0%,
    which sets two bits, and the dialect has to reject or map that.
    """

    VAT_20 = 1 << 0
    VAT_10 = 1 << 1
    VAT_0 = 1 << 2
    NO_VAT = 1 << 3
    VAT_20_120 = 1 << 4
    VAT_10_110 = 1 << 5


class TaxSystem(enum.IntFlag):
    """The tax system byte of FF45h, FF4Ah, FF06h and FF09h (реквизит 1055 bits). A receipt sets one bit."""

    OSN = 1 << 0  # ОСН
    USN_INCOME = 1 << 1  # УСН доход
    USN_INCOME_EXPENSE = 1 << 2  # УСН доход минус расход
    ENVD = 1 << 3  # ЕНВД
    ESHN = 1 << 4  # ЕСХН (the v1.17 text prints «ЕСП»)
    PSN = 1 << 5  # ПСН


ITEM_NAME_MAX_SIZE = 128
"""Maximum length of the FF46h item name, in bytes."""

CLOSE_TEXT_MAX_SIZE = 64
"""Maximum length of the FF45h text, in bytes."""


@dataclasses.dataclass(frozen=True)
class OperationV2Request(TextTailMessage):
    """FF46h operation V2: one item of the open receipt, LEN 32 + name (160 with a 128-byte name).

    ``operation`` is an ``OperationType`` value and ``quantity`` is in
    millionths. ``price`` and ``amount`` are in kopecks. ``amount`` None is sent
    as FF×5, and the register then computes price × quantity itself.
    ``tax_amount`` None (FF×5) means the item carries no tax sum. ``tax_rate`` is a
    ``TaxRate`` bit mask. ``payment_method`` is реквизит 1214 (1–7) and
    ``payment_subject`` реквизит 1212 (1–33). ``department`` is 0–16, or 255
    to sell by item code. Values outside those ranges decode, and the dialect
    rejects them. ``text`` is the item name, 0–128 bytes of cp1251. A name that
    starts with ``//`` goes to the ОФД and is not printed.
    """

    CODE: ClassVar[int] = 0xFF46
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "operation" / construct.Int8ul,
        "quantity" / QUANTITY_MILLIONTHS,
        "price" / MONEY,
        "amount" / OPTIONAL_MONEY,
        "tax_amount" / OPTIONAL_MONEY,
        "tax_rate" / construct.Int8ul,
        "department" / construct.Int8ul,
        "payment_method" / construct.Int8ul,
        "payment_subject" / construct.Int8ul,
    )
    TEXT_MIN_DECODE: ClassVar[int] = 0
    TEXT_MAX_SIZE: ClassVar[int | None] = ITEM_NAME_MAX_SIZE

    password: int
    operation: int
    quantity: int
    price: int
    amount: int | None
    tax_amount: int | None
    tax_rate: int
    department: int
    payment_method: int
    payment_subject: int
    text: str
    text_size: int = text_size_field(0)


@dataclasses.dataclass(frozen=True)
class OperationV2Answer(EmptyAnswer):
    """FF46h answer: ``FF 46 00``, no fields."""

    CODE: ClassVar[int] = 0xFF46


@dataclasses.dataclass(frozen=True)
class CloseReceiptV2Request(TextTailMessage):
    """FF45h close the receipt, variant 2: LEN 118 + text (182 with a 64-byte text).

    ``payments`` contains 16 sums in kopecks: 1 cash, 2–13 electronic (reported to
    the ОФД together as 1081), 14 prepayment (1215), 15 credit (1216) and
    16 counter-provision (1217). ``rounding`` is the kopecks rounded off to the
    rouble (0–99). ``taxes`` contains six sums: VAT 20%, VAT 10%, the turnover at
    0% and without VAT, VAT 20/120, VAT 10/110. The register ignores them when
    table 1 lets it compute taxes itself. ``tax_system`` is a ``TaxSystem`` bit
    mask with one bit set. ``text`` is 0–64 bytes of cp1251.
    """

    CODE: ClassVar[int] = 0xFF45
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "payments" / money_array(16),
        "rounding" / construct.Int8ul,
        "taxes" / money_array(6),
        "tax_system" / construct.Int8ul,
    )
    TEXT_MIN_DECODE: ClassVar[int] = 0
    TEXT_MAX_SIZE: ClassVar[int | None] = CLOSE_TEXT_MAX_SIZE

    password: int
    payments: tuple[int, ...]
    rounding: int
    taxes: tuple[int, int, int, int, int, int]
    tax_system: int
    text: str = ""
    text_size: int = text_size_field(0)


@dataclasses.dataclass(frozen=True)
class CloseReceiptV2Answer(DateTimeTailMessage):
    """FF45h answer: ``change`` in kopecks, ``fd_number`` and ``fiscal_sign`` (ФПД) of the receipt.

    ``document_datetime`` is the optional DATE_TIME of the receipt.
    """

    CODE: ClassVar[int] = 0xFF45
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "change" / MONEY,
        "fd_number" / construct.Int32ul,
        "fiscal_sign" / construct.Int32ul,
    )

    change: int
    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class SendOperationTlvRequest(SendTlvRequest):
    """FF4Dh send a TLV block bound to the last item operation (FF46h), up to 250 bytes.

    The layout and the ``tlv`` field are those of FF0Ch. The register adds the
    block to the item's 1059 structure.
    """

    CODE: ClassVar[int] = 0xFF4D


@dataclasses.dataclass(frozen=True)
class SendOperationTlvAnswer(EmptyAnswer):
    """FF4Dh answer: ``FF 4D 00``, no fields."""

    CODE: ClassVar[int] = 0xFF4D


@dataclasses.dataclass(frozen=True)
class CloseReceiptExtendedRequest(TextTailMessage):
    """8Eh close the receipt, extended: 16 payment sums instead of the 4 of 85h, LEN 131.

    ``payments`` contains 16 sums in kopecks, cash first. ``discount`` is a discount
    on the whole receipt in hundredths of a percent (-9999..9999, negative for a
    surcharge). ``taxes`` contains four tax group bytes, and ``text`` is cp1251,
    at least 40 bytes on the wire.
    """

    CODE: ClassVar[int] = 0x8E
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "payments" / money_array(16),
        "discount" / construct.Int16sl,
        "taxes" / TAXES,
    )

    password: int
    payments: tuple[int, ...]
    discount: int
    taxes: tuple[int, int, int, int]
    text: str = ""
    text_size: int = text_size_field()


@dataclasses.dataclass(frozen=True)
class CloseReceiptExtendedAnswer(Message):
    """8Eh answer: ``operator`` number and ``change`` in kopecks (LEN 8)."""

    CODE: ClassVar[int] = 0x8E
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("operator" / construct.Int8ul, "change" / MONEY)

    operator: int
    change: int


DISCOUNT_TEXT_SIZE = 220
"""Width of the text field of FF0Dh in the spec (LEN 254)."""


@dataclasses.dataclass(frozen=True)
class DiscountOperationRequest(Message):
    """FF0Dh item operation with a discount and a markup.

    ``operation`` is an ``OperationType`` value. ``quantity`` is the 5-byte
    quantity as sent: the spec gives no unit for it. ``price``, ``discount`` and
    ``markup`` are in kopecks. ``taxes`` is a bit mask of tax groups 1–4, whose bit
    numbering the spec leaves ambiguous. ``barcode`` is a 5-byte number.

    The text field contains ``item_name`` and ``discount_name``, each ended by NUL,
    0–220 bytes of cp1251. The spec sends 220 bytes (LEN 254), and javapos_shtrih
    (FSSale) sends the text unpadded. ``text_size`` is the width on the wire, as
    for ``TextTailMessage``. An empty ``discount_name`` is sent as nothing after
    the item name.
    """

    CODE: ClassVar[int] = 0xFF0D
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "operation" / construct.Int8ul,
        "quantity" / QUANTITY,
        "price" / MONEY,
        "discount" / MONEY,
        "markup" / MONEY,
        "department" / construct.Int8ul,
        "taxes" / construct.Int8ul,
        "barcode" / construct.BytesInteger(5, swapped=True),
    )

    password: int
    operation: int
    quantity: int
    price: int
    discount: int
    markup: int
    department: int
    taxes: int
    barcode: int
    item_name: str
    discount_name: str = ""
    text_size: int = text_size_field(DISCOUNT_TEXT_SIZE)

    def _encode_tail(self) -> bytes:
        raw = encode_text(self.item_name, name="item_name")
        if self.discount_name:
            raw += b"\0" + encode_text(self.discount_name, name="discount_name")
        if not isinstance(self.text_size, int) or self.text_size < 0:
            raise EncodeError(f"DiscountOperationRequest: text_size {self.text_size!r} is not a byte count")
        raw = raw.ljust(self.text_size, b"\0")
        if len(raw) > DISCOUNT_TEXT_SIZE:
            raise EncodeError(f"DiscountOperationRequest: text field is {len(raw)} bytes, the maximum is "
                              f"{DISCOUNT_TEXT_SIZE}")
        return raw

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) > DISCOUNT_TEXT_SIZE:
            raise DecodeError(f"{cls.__name__}: text field is {len(tail)} bytes, the maximum is "
                              f"{DISCOUNT_TEXT_SIZE}", offset)
        item, _, rest = tail.partition(b"\0")
        return {
            "item_name": decode_text(item, offset, name="item_name"),
            "discount_name": decode_text(rest, offset + len(item) + 1, name="discount_name"),
            "text_size": len(tail),
        }


@dataclasses.dataclass(frozen=True)
class DiscountOperationAnswer(EmptyAnswer):
    """FF0Dh answer: ``FF 0D 00``, no fields."""

    CODE: ClassVar[int] = 0xFF0D


RECEIPT_DISCOUNT_TEXT_SIZE = 128
"""Width of the description field of FF4Bh in the spec (LEN 145)."""


@dataclasses.dataclass(frozen=True)
class ReceiptDiscountRequest(TextTailMessage):
    """FF4Bh discount and markup on the whole receipt ("для Роснефти").

    ``discount`` and ``markup`` are in kopecks, ``tax`` is the tax byte as sent,
    and ``text`` the description, 0–128 bytes. The spec sends 128 bytes (LEN 145).
    """

    CODE: ClassVar[int] = 0xFF4B
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "discount" / MONEY,
        "markup" / MONEY,
        "tax" / construct.Int8ul,
    )
    TEXT_MIN_DECODE: ClassVar[int] = 0
    TEXT_MAX_SIZE: ClassVar[int | None] = RECEIPT_DISCOUNT_TEXT_SIZE

    password: int
    discount: int
    markup: int
    tax: int
    text: str
    text_size: int = text_size_field(RECEIPT_DISCOUNT_TEXT_SIZE)


@dataclasses.dataclass(frozen=True)
class ReceiptDiscountAnswer(EmptyAnswer):
    """FF4Bh answer: ``FF 4B 00``, no fields."""

    CODE: ClassVar[int] = 0xFF4B


PAIRS: tuple[Pair, ...] = (
    (OperationV2Request, OperationV2Answer),
    (CloseReceiptV2Request, CloseReceiptV2Answer),
    (SendOperationTlvRequest, SendOperationTlvAnswer),
    (CloseReceiptExtendedRequest, CloseReceiptExtendedAnswer),
    (DiscountOperationRequest, DiscountOperationAnswer),
    (ReceiptDiscountRequest, ReceiptDiscountAnswer),
)

__all__ = [
    "CLOSE_TEXT_MAX_SIZE", "DISCOUNT_TEXT_SIZE", "ITEM_NAME_MAX_SIZE", "RECEIPT_DISCOUNT_TEXT_SIZE",
    "CloseReceiptExtendedAnswer", "CloseReceiptExtendedRequest", "CloseReceiptV2Answer", "CloseReceiptV2Request",
    "DiscountOperationAnswer", "DiscountOperationRequest", "OperationType", "OperationV2Answer",
    "OperationV2Request", "ReceiptDiscountAnswer", "ReceiptDiscountRequest", "SendOperationTlvAnswer",
    "SendOperationTlvRequest", "TaxRate", "TaxSystem",
]
