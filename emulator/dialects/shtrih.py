"""The Штрих-М dialect: protocol v1 command bodies in, answer bodies out.

``ShtrihDialect.execute`` is the command handler the transports call. It decodes
the body, checks the password, runs the register operation and encodes the
answer. Every refusal becomes an error answer (``CMD err``): 37h for a command
kktemu does not implement, 4Fh for a wrong password, 7Eh for a body whose length
or layout is wrong, the ФН result code for a ФН refusal (01h..20h pass through,
as on real registers), and the register's own codes otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode, KktMode, KktSubmode, mode_byte
from kktemu.protocol.shtrih.passwords import PasswordRole, password_role

from ..register import Register
from ..refusals import Reason, Refusal

logger = logging.getLogger(__name__)

REFUSAL_CODES = {
    Reason.INVALID_PARAMETER: ErrorCode.INVALID_PARAMETERS,
    Reason.INVALID_OPERATION: ErrorCode.NOT_ALLOWED_IN_RECEIPT_TYPE,
    Reason.SHIFT_OPEN: ErrorCode.SHIFT_OPEN,
    Reason.SHIFT_CLOSED: ErrorCode.SHIFT_NOT_OPEN,
    Reason.SHIFT_EXPIRED: ErrorCode.SHIFT_EXCEEDED_24H,
    Reason.RECEIPT_OPEN: ErrorCode.RECEIPT_OPEN,
    Reason.RECEIPT_CLOSED: ErrorCode.RECEIPT_CLOSED,
    Reason.PAYMENTS_BELOW_TOTAL: ErrorCode.PAYMENTS_BELOW_TOTAL,
    Reason.CASHLESS_ABOVE_TOTAL: ErrorCode.CASHLESS_ABOVE_TOTAL,
    Reason.ZERO_TOTAL: ErrorCode.ZERO_RECEIPT_TOTAL,
    Reason.NOT_ENOUGH_CASH: ErrorCode.NOT_ENOUGH_CASH,
    Reason.CASH_OVERFLOW: ErrorCode.CASH_OVERFLOW,
    Reason.QUANTITY_OVERFLOW: ErrorCode.QUANTITY_OUT_OF_RANGE,
    Reason.PRICE_OVERFLOW: ErrorCode.PRICE_OUT_OF_RANGE,
    Reason.TOTAL_OVERFLOW: ErrorCode.RECEIPT_TOTAL_OVERFLOW,
    Reason.DEPARTMENT_OUT_OF_RANGE: ErrorCode.DEPARTMENT_OUT_OF_RANGE,
    Reason.TOO_MANY_ITEMS: ErrorCode.RECEIPT_OPERATION_LIMIT,
}

# "Флаги ККТ" of 10h/11h for a ШТРИХ-М-01Ф with paper loaded: receipt roll present,
# receipt optical sensor sees paper, receipt head lever down.
PAPER_LOADED_FLAGS = c.KktFlags.RECEIPT_ROLL | c.KktFlags.RECEIPT_OPTICAL_SENSOR | c.KktFlags.RECEIPT_HEAD_LEVER_DOWN
# 11h "Флаги ФП": bit 0 ФП 1 present, bit 2 licence entered, bit 6 shift open, bit 7 24 hours over.
FP_PRESENT_AND_LICENSED = 0x05
FP_SHIFT_OPEN = 0x40
FP_SHIFT_EXPIRED = 0x80
PORT_TCP = 128
# 10h voltage bytes as a ШТРИХ-М-01Ф reports them on mains power (raw ADC units).
BATTERY_VOLTAGE = 0x9F
POWER_VOLTAGE = 0xC6
# Item commands 80h..83h to the receipt type they belong to (8Dh numbering).
ITEM_RECEIPT_TYPES = {c.SaleRequest: 0, c.PurchaseRequest: 1, c.SaleReturnRequest: 2, c.PurchaseReturnRequest: 3}


class ShtrihDialect:
    """Штрих-М protocol v1 over one ``Register``.

    ``port_number`` is what 11h reports as the host's port: 128 for TCP, a COM
    port number otherwise.
    """

    def __init__(self, register: Register, port_number: int = PORT_TCP):
        self.register = register
        self.port_number = port_number
        self._handlers: dict[type, Callable] = {
            c.ShortStatusRequest: self._short_status,
            c.LongStatusRequest: self._long_status,
            c.DeviceTypeRequest: self._device_type,
            c.BeepRequest: lambda request: c.BeepAnswer(self._operator(request)),
            c.PrintLineRequest: self._print_line,
            c.CutRequest: self._cut,
            c.ContinuePrintingRequest: lambda request: c.ContinuePrintingAnswer(self._operator(request)),
            c.OpenShiftRequest: self._open_shift,
            c.XReportRequest: self._x_report,
            c.ZReportRequest: self._z_report,
            c.CashInRequest: self._cash_in,
            c.CashOutRequest: self._cash_out,
            c.OpenReceiptRequest: self._open_receipt,
            c.SaleRequest: self._item,
            c.PurchaseRequest: self._item,
            c.SaleReturnRequest: self._item,
            c.PurchaseReturnRequest: self._item,
            c.CloseReceiptRequest: self._close_receipt,
            c.CancelReceiptRequest: self._cancel_receipt,
            c.SubtotalRequest: self._subtotal,
            c.FnStatusRequest: self._fn_status,
            c.SendTlvRequest: self._send_tlv,
        }

    def execute(self, body: bytes) -> bytes:
        """Execute one command body and return the answer body. Never raises."""
        try:
            code = c.command_code(body)
        except DecodeError:
            return bytes((body[0], ErrorCode.COMMAND_NOT_SUPPORTED)) if body else b""
        try:
            request = c.decode_request(body)
            handler = self._handlers[type(request)]
        except (c.UnknownCommand, KeyError):
            return c.error_answer(code, ErrorCode.COMMAND_NOT_SUPPORTED)
        except DecodeError as exc:
            logger.info("command %s rejected: %s", _code_text(code), exc)
            return c.error_answer(code, ErrorCode.INVALID_LENGTH)
        role = password_role(code)
        if role is not PasswordRole.NONE and not role.allows(request.password):
            return c.error_answer(code, ErrorCode.WRONG_PASSWORD)
        try:
            return handler(request).encode()
        except Refusal as refusal:
            error = refusal.fn_code if refusal.reason is Reason.FN_ERROR else REFUSAL_CODES[refusal.reason]
            logger.info("command %s refused with %02Xh: %s", _code_text(code), error, refusal)
            return c.error_answer(code, error)
        except Exception:
            logger.exception("command %s failed inside kktemu", _code_text(code))
            return c.error_answer(code, ErrorCode.INTERNAL_ERROR)

    @staticmethod
    def _operator(request) -> int:
        return request.password

    # Status.

    def mode(self) -> int:
        """Return the 10h/11h mode byte: 8.x with a receipt open, else 2, 3 or 4 by the shift."""
        register = self.register
        if register.receipt is not None:
            return mode_byte(KktMode.DOCUMENT_OPEN, register.receipt.receipt_type)
        if register.shift.is_open:
            return mode_byte(KktMode.SHIFT_EXPIRED if register.shift_expired() else KktMode.SHIFT_OPEN)
        return mode_byte(KktMode.SHIFT_CLOSED)

    def _short_status(self, request):
        receipt = self.register.receipt
        return c.ShortStatusAnswer(
            operator=self._operator(request),
            flags=PAPER_LOADED_FLAGS,
            mode=self.mode(),
            submode=KktSubmode.PAPER_PRESENT,
            receipt_operations=len(receipt.receipt.items) if receipt else 0,
            battery_voltage=BATTERY_VOLTAGE,
            power_voltage=POWER_VOLTAGE,
        )

    def _long_status(self, request):
        register = self.register
        profile = register.profile
        now = register.now()
        shift = register.shift
        fp_flags = FP_PRESENT_AND_LICENSED
        if shift.is_open:
            fp_flags |= FP_SHIFT_OPEN
        if register.shift_expired():
            fp_flags |= FP_SHIFT_EXPIRED
        expiry = register.fn.expiry()
        serial = int(register.identity.kkt_serial)
        return c.LongStatusAnswer(
            operator=self._operator(request),
            firmware_version=profile.firmware_version,
            firmware_build=profile.firmware_build,
            firmware_date=profile.firmware_date,
            hall_number=1,
            document_number=register.document_number % 10000,
            flags=PAPER_LOADED_FLAGS,
            mode=self.mode(),
            submode=KktSubmode.PAPER_PRESENT,
            port=self.port_number,
            fm_firmware_version=profile.firmware_version,
            fm_firmware_build=profile.firmware_build,
            fm_firmware_date=profile.firmware_date,
            date=now.date(),
            time=now.time().replace(microsecond=0),
            fm_flags=fp_flags,
            serial_number=serial & 0xFFFFFFFF,
            last_closed_shift=shift.number - 1 if shift.is_open else shift.number,
            # Records left in the pre-ФН fiscal memory: a ФН register has none.
            fm_free_records=0,
            registrations=expiry.registrations_done,
            registrations_left=expiry.registrations_left,
            inn=int(register.identity.inn),
            serial_number_high=(serial >> 32) & 0xFFFF,
        )

    def _device_type(self, _request):
        profile = self.register.profile
        return c.DeviceTypeAnswer(
            device_type=0,
            device_subtype=0,
            protocol_version=profile.protocol_version,
            protocol_subversion=profile.protocol_subversion,
            model=profile.model_id,
            language=0,
            name=profile.device_name,
        )

    def _fn_status(self, _request):
        status = self.register.fn.status()
        return c.FnStatusAnswer(
            phase=status.phase,
            current_document=status.current_document,
            document_data_received=status.has_document_data,
            shift_open=status.shift_open,
            warnings=status.warnings,
            document_datetime=status.last_document_time,
            fn_number=status.serial,
            last_document_number=status.last_fd_number,
        )

    # Printing.

    def _print_line(self, request):
        self.register.print_text(request.text)
        return c.PrintLineAnswer(self._operator(request))

    def _cut(self, request):
        if request.cut_type not in tuple(c.CutType):
            raise Refusal(Reason.INVALID_PARAMETER, f"cut type {request.cut_type}")
        return c.CutAnswer(self._operator(request))

    # Shift and reports.

    def _open_shift(self, request):
        self.register.open_shift(self._operator(request))
        return c.OpenShiftAnswer(self._operator(request))

    def _x_report(self, request):
        self.register.x_report(self._operator(request))
        return c.XReportAnswer(self._operator(request))

    def _z_report(self, request):
        self.register.close_shift(self._operator(request))
        return c.ZReportAnswer(self._operator(request))

    def _cash_in(self, request):
        number = self.register.cash_in(self._operator(request), request.amount)
        return c.CashInAnswer(self._operator(request), number % 10000)

    def _cash_out(self, request):
        number = self.register.cash_out(self._operator(request), request.amount)
        return c.CashOutAnswer(self._operator(request), number % 10000)

    # Receipts.

    def _open_receipt(self, request):
        self.register.open_receipt(self._operator(request), request.receipt_type)
        return c.OpenReceiptAnswer(self._operator(request))

    def _item(self, request):
        if request.price > c.MAX_MONEY:
            raise Refusal(Reason.PRICE_OVERFLOW, f"price {request.price} kopecks is above {c.MAX_MONEY}")
        groups = [tax for tax in request.taxes if tax]
        if len(set(groups)) > 1:
            raise Refusal(Reason.INVALID_PARAMETER, f"several tax groups {request.taxes} on one item")
        self.register.add_item(
            operator=self._operator(request),
            receipt_type=ITEM_RECEIPT_TYPES[type(request)],
            name=request.text,
            quantity=request.quantity * 1000,  # thousandths on the wire, millionths inside
            price=request.price,
            department=request.department,
            tax_group=groups[0] if groups else 0,
        )
        return c.ANSWER_TYPES[request.CODE](self._operator(request))

    def _close_receipt(self, request):
        self.register.subtotal()  # refuses with 55h when no receipt is open
        if any(tax not in range(5) for tax in request.taxes):
            raise Refusal(Reason.INVALID_PARAMETER, f"tax groups {request.taxes}")
        # 41h..44h name the payment type (cash, types 2, 3, 4) whose sum is out of range.
        for index, amount in enumerate(request.payments):
            if amount > c.MAX_MONEY:
                error = ErrorCode(ErrorCode.CASH_PAYMENT_OUT_OF_RANGE + index)
                logger.info("command 85h refused with %02Xh: payment %d is %d kopecks", error, index + 1, amount)
                return c.ErrorAnswer(request.CODE, error)
        cash, *cashless = request.payments
        settlement, _answer = self.register.close_receipt(self._operator(request), cash, cashless,
                                                          request.discount)
        return c.CloseReceiptAnswer(self._operator(request), settlement.change)

    def _cancel_receipt(self, request):
        self.register.cancel_receipt()
        return c.CancelReceiptAnswer(self._operator(request))

    def _subtotal(self, request):
        return c.SubtotalAnswer(self._operator(request), self.register.subtotal())

    def _send_tlv(self, request):
        self.register.add_tlv(request.tlv)
        return c.SendTlvAnswer()


def _code_text(code: int) -> str:
    return f"{code:04X}h" if code > 0xFF else f"{code:02X}h"

