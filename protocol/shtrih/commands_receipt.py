"""Receipt commands: 8Dh open, 80h–83h item operations, 85h close, 88h cancel, 89h subtotal.

Money fields are int kopecks in 5 bytes. The quantity of 80h–83h is int thousandths
in 5 bytes (1000 is one piece). Tax bytes are tax group numbers 1–4, or 0 for
none. The item name and the closing text are cp1251, at least 40 bytes,
NUL-padded. pyshtrih 2.0.6 pads them to max(40, line width), 48 bytes for
ШТРИХ-М-01Ф, which gives LEN 68 for 80h and LEN 79 for 85h.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, ClassVar

import construct

from .commands_base import (
    PASSWORD,
    Message,
    OperatorAnswer,
    Pair,
    PasswordRequest,
    TextTailMessage,
    text_size_field,
)
from .commands_fields import (
    MONEY,
    QUANTITY,
    TAXES,
    decode_text,
    encode_text,
    tuple_array,
)


class ReceiptType(enum.IntEnum):
    """The document type byte of 8Dh, also the mode 8 status while the receipt is open."""

    SALE = 0
    PURCHASE = 1
    SALE_RETURN = 2
    PURCHASE_RETURN = 3


@dataclasses.dataclass(frozen=True)
class OpenReceiptRequest(Message):
    """8Dh open a receipt of ``receipt_type`` (``ReceiptType`` values; others are left to the dialect)."""

    CODE: ClassVar[int] = 0x8D
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "receipt_type" / construct.Int8ul)

    password: int
    receipt_type: int


_ITEM_LAYOUT = construct.Struct(
    "password" / PASSWORD,
    "quantity" / QUANTITY,
    "price" / MONEY,
    "department" / construct.Int8ul,
    "taxes" / TAXES,
)


@dataclasses.dataclass(frozen=True)
class _ItemOperationRequest(TextTailMessage):
    """Fields shared by 80h–83h.

    ``quantity`` is in thousandths and ``price`` in kopecks. ``department`` is 0–16
    for free sale, or 255 to sell by the item code given in ``text``. ``taxes``
    contains four tax group bytes. ``text`` is the item name.
    """

    LAYOUT: ClassVar[construct.Struct] = _ITEM_LAYOUT

    password: int
    quantity: int
    price: int
    department: int
    taxes: tuple[int, int, int, int]
    text: str
    text_size: int = text_size_field()


@dataclasses.dataclass(frozen=True)
class SaleRequest(_ItemOperationRequest):
    """80h sale (приход) of one item."""

    CODE: ClassVar[int] = 0x80


@dataclasses.dataclass(frozen=True)
class PurchaseRequest(_ItemOperationRequest):
    """81h purchase (расход) of one item."""

    CODE: ClassVar[int] = 0x81


@dataclasses.dataclass(frozen=True)
class SaleReturnRequest(_ItemOperationRequest):
    """82h return of a sale (возврат прихода) of one item."""

    CODE: ClassVar[int] = 0x82


@dataclasses.dataclass(frozen=True)
class PurchaseReturnRequest(_ItemOperationRequest):
    """83h return of a purchase (возврат расхода) of one item."""

    CODE: ClassVar[int] = 0x83


@dataclasses.dataclass(frozen=True)
class OpenReceiptAnswer(OperatorAnswer):
    """8Dh answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x8D


@dataclasses.dataclass(frozen=True)
class SaleAnswer(OperatorAnswer):
    """80h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x80


@dataclasses.dataclass(frozen=True)
class PurchaseAnswer(OperatorAnswer):
    """81h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x81


@dataclasses.dataclass(frozen=True)
class SaleReturnAnswer(OperatorAnswer):
    """82h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x82


@dataclasses.dataclass(frozen=True)
class PurchaseReturnAnswer(OperatorAnswer):
    """83h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x83


@dataclasses.dataclass(frozen=True)
class CloseReceiptRequest(TextTailMessage):
    """85h close the receipt.

    ``payments`` contains four sums in kopecks: cash, then payment types 2, 3 and 4.
    ``discount`` is a discount on the whole receipt in hundredths of a percent
    (-9999..9999, negative for a surcharge). ``taxes`` contains four tax group bytes.
    ``text`` is printed on the receipt.
    """

    CODE: ClassVar[int] = 0x85
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "payments" / tuple_array(4, MONEY),
        "discount" / construct.Int16sl,
        "taxes" / TAXES,
    )

    password: int
    payments: tuple[int, int, int, int]
    discount: int
    taxes: tuple[int, int, int, int]
    text: str
    text_size: int = text_size_field()


@dataclasses.dataclass(frozen=True)
class CloseReceiptAnswer(Message):
    """85h answer: ``operator`` number, ``change`` in kopecks, optional ``web_link``.

    The device appends the web link only when table 1 enables printing the
    receipt details as a QR code. An empty ``web_link`` is sent as nothing (LEN 8).
    """

    CODE: ClassVar[int] = 0x85
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("operator" / construct.Int8ul, "change" / MONEY)

    operator: int
    change: int
    web_link: str = ""

    def _encode_tail(self) -> bytes:
        return encode_text(self.web_link, name="web_link")

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        return {"web_link": decode_text(tail, offset, name="web_link")}


@dataclasses.dataclass(frozen=True)
class CancelReceiptRequest(PasswordRequest):
    """88h cancel the open receipt."""

    CODE: ClassVar[int] = 0x88


@dataclasses.dataclass(frozen=True)
class CancelReceiptAnswer(OperatorAnswer):
    """88h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x88


@dataclasses.dataclass(frozen=True)
class SubtotalRequest(PasswordRequest):
    """89h subtotal of the open receipt."""

    CODE: ClassVar[int] = 0x89


@dataclasses.dataclass(frozen=True)
class SubtotalAnswer(Message):
    """89h answer: ``operator`` number and ``subtotal`` in kopecks."""

    CODE: ClassVar[int] = 0x89
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("operator" / construct.Int8ul, "subtotal" / MONEY)

    operator: int
    subtotal: int


PAIRS: tuple[Pair, ...] = (
    (OpenReceiptRequest, OpenReceiptAnswer),
    (SaleRequest, SaleAnswer),
    (PurchaseRequest, PurchaseAnswer),
    (SaleReturnRequest, SaleReturnAnswer),
    (PurchaseReturnRequest, PurchaseReturnAnswer),
    (CloseReceiptRequest, CloseReceiptAnswer),
    (CancelReceiptRequest, CancelReceiptAnswer),
    (SubtotalRequest, SubtotalAnswer),
)

__all__ = [
    "CancelReceiptAnswer", "CancelReceiptRequest", "CloseReceiptAnswer", "CloseReceiptRequest", "OpenReceiptAnswer",
    "OpenReceiptRequest", "PurchaseAnswer", "PurchaseRequest", "PurchaseReturnAnswer", "PurchaseReturnRequest",
    "ReceiptType", "SaleAnswer", "SaleRequest", "SaleReturnAnswer", "SaleReturnRequest", "SubtotalAnswer",
    "SubtotalRequest",
]
