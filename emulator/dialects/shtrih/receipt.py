"""Receipt commands: 8Dh open, 80h–83h items, 85h close, 88h cancel, 89h subtotal, FF0Ch TLV."""

from __future__ import annotations

import logging

from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

from ...refusals import Reason, Refusal

logger = logging.getLogger(__name__)

# Item commands 80h..83h to the receipt type they belong to (8Dh numbering).
ITEM_RECEIPT_TYPES = {c.SaleRequest: 0, c.PurchaseRequest: 1, c.SaleReturnRequest: 2, c.PurchaseReturnRequest: 3}


def open_receipt(dialect, request):
    dialect.register.open_receipt(request.password, request.receipt_type)
    return c.OpenReceiptAnswer(request.password)


def item(dialect, request):
    if request.price > c.MAX_MONEY:
        raise Refusal(Reason.PRICE_OVERFLOW, f"price {request.price} kopecks is above {c.MAX_MONEY}")
    groups = [tax for tax in request.taxes if tax]
    if len(set(groups)) > 1:
        raise Refusal(Reason.INVALID_PARAMETER, f"several tax groups {request.taxes} on one item")
    dialect.register.add_item(
        operator=request.password,
        receipt_type=ITEM_RECEIPT_TYPES[type(request)],
        name=request.text,
        quantity=request.quantity * 1000,  # thousandths on the wire, millionths inside
        price=request.price,
        department=request.department,
        tax_group=groups[0] if groups else 0,
    )
    return c.ANSWER_TYPES[request.CODE](request.password)


def close_receipt(dialect, request):
    dialect.register.subtotal()  # refuses with 55h when no receipt is open
    if any(tax not in range(5) for tax in request.taxes):
        raise Refusal(Reason.INVALID_PARAMETER, f"tax groups {request.taxes}")
    # 41h..44h name the payment type (cash, types 2, 3, 4) whose sum is out of range.
    for index, amount in enumerate(request.payments):
        if amount > c.MAX_MONEY:
            error = ErrorCode(ErrorCode.CASH_PAYMENT_OUT_OF_RANGE + index)
            logger.info("command 85h refused with %02Xh: payment %d is %d kopecks", error, index + 1, amount)
            return c.ErrorAnswer(request.CODE, error)
    cash, *cashless = request.payments
    settlement, _answer = dialect.register.close_receipt(request.password, cash, cashless,
                                                      request.discount)
    return c.CloseReceiptAnswer(request.password, settlement.change)


def cancel_receipt(dialect, request):
    dialect.register.cancel_receipt()
    return c.CancelReceiptAnswer(request.password)


def subtotal(dialect, request):
    return c.SubtotalAnswer(request.password, dialect.register.subtotal())


def send_tlv(dialect, request):
    dialect.register.add_tlv(request.tlv)
    return c.SendTlvAnswer()


HANDLERS = {
    c.OpenReceiptRequest: open_receipt,
    c.SaleRequest: item,
    c.PurchaseRequest: item,
    c.SaleReturnRequest: item,
    c.PurchaseReturnRequest: item,
    c.CloseReceiptRequest: close_receipt,
    c.CancelReceiptRequest: cancel_receipt,
    c.SubtotalRequest: subtotal,
    c.SendTlvRequest: send_tlv,
}
