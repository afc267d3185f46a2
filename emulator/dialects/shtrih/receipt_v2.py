"""Receipt commands of the ФН era: FF46h operation V2, FF4Dh item TLVs, FF45h close V2, 8Eh
extended close, FF0Dh operation with a discount and surcharge, FF4Bh receipt discount."""

from __future__ import annotations

import logging

from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

from ...refusals import Reason, Refusal
from .answers import document_time

logger = logging.getLogger(__name__)

# 41h..44h name the payment type 1..4 whose sum is out of range; later types get 33h.
PAYMENT_RANGE_ERRORS = 4


def operation_v2(dialect, request):
    try:
        dialect.register.add_operation_v2(
            operator=request.password,
            operation=request.operation,
            quantity=request.quantity,
            price=request.price,
            amount=request.amount,
            tax_amount=request.tax_amount,
            tax_rate=request.tax_rate,
            department=request.department,
            payment_method=request.payment_method,
            payment_subject=request.payment_subject,
            name=request.text,
        )
    except Refusal as refusal:
        if refusal.reason is not Reason.ITEM_SUM_MISMATCH:
            raise
        error = dialect.register.receipt_settings.item_sum_error
        logger.info("command FF46h refused with %02Xh: %s", error, refusal)
        return c.ErrorAnswer(request.CODE, error)
    return c.OperationV2Answer()


def operation_tlv(dialect, request):
    dialect.register.add_operation_tlv(request.tlv)
    return c.SendOperationTlvAnswer()


def close_v2(dialect, request):
    dialect.register.subtotal()  # refuses with 55h when no receipt is open
    refused = _payment_out_of_range(request)
    if refused is not None:
        return refused
    settlement, answer, moment = dialect.register.close_receipt_v2(
        request.password, request.payments, rounding=request.rounding, tax_sums=request.taxes,
        taxation=request.tax_system)
    if request.text:
        dialect.register.print_text(request.text)
    return c.CloseReceiptV2Answer(settlement.change, answer.fd_number, answer.fiscal_sign,
                                  document_time(dialect, moment))


def close_extended(dialect, request):
    register = dialect.register
    register.subtotal()
    if any(tax not in range(5) for tax in request.taxes):
        raise Refusal(Reason.INVALID_PARAMETER, f"tax groups {request.taxes}")
    refused = _payment_out_of_range(request)
    if refused is not None:
        return refused
    settlement, _answer = register.close_receipt_extended(request.password, request.payments, request.discount)
    if request.text.strip():
        register.print_text(request.text)
    return c.CloseReceiptExtendedAnswer(request.password, settlement.change)


def discount_operation(dialect, request):
    # The item name goes to реквизит 1030. ФФД has no реквизит for the discount name.
    dialect.register.add_discount_operation(
        operator=request.password,
        operation=request.operation,
        quantity=request.quantity * 1000,  # thousandths on the wire, as in 80h; millionths inside
        price=request.price,
        discount=request.discount,
        surcharge=request.markup,
        department=request.department,
        taxes=request.taxes,
        name=request.item_name,
    )
    return c.DiscountOperationAnswer()


def receipt_discount(dialect, request):
    dialect.register.apply_receipt_discount(request.discount, request.markup, request.tax, request.text)
    return c.ReceiptDiscountAnswer()


def _payment_out_of_range(request) -> c.ErrorAnswer | None:
    """Return an error for the first payment sum above the protocol's money range, or None."""
    for index, amount in enumerate(request.payments):
        if amount > c.MAX_MONEY:
            error = ErrorCode(ErrorCode.CASH_PAYMENT_OUT_OF_RANGE + index) if index < PAYMENT_RANGE_ERRORS \
                else ErrorCode.INVALID_PARAMETERS
            logger.info("command %Xh refused with %02Xh: payment %d is %d kopecks", request.CODE, error,
                        index + 1, amount)
            return c.ErrorAnswer(request.CODE, error)
    return None


HANDLERS = {
    c.OperationV2Request: operation_v2,
    c.SendOperationTlvRequest: operation_tlv,
    c.CloseReceiptV2Request: close_v2,
    c.CloseReceiptExtendedRequest: close_extended,
    c.DiscountOperationRequest: discount_operation,
    c.ReceiptDiscountRequest: receipt_discount,
}
