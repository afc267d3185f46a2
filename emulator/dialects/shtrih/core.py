"""The dispatcher of the Штрих-М dialect.

``ShtrihDialect.execute`` is the command handler the transports call. It decodes
the body, checks the password, runs the handler of the command and encodes the
answer. Every refusal becomes an error answer (``CMD err``): 37h for a command
kktemu does not implement, 4Fh for a wrong password, 7Eh for a body whose length
or layout is wrong, the ФН result code for a ФН refusal (01h..20h pass through,
as on real registers), and the register's own codes otherwise.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode
from kktemu.protocol.shtrih.passwords import PasswordRole, password_role

from ...refusals import Reason, Refusal
from ...register import Register
from . import (buffer, clock, correction, device, fn, fn_read, fn_shift, modes, printing, receipt, receipt_v2,
               registration, shift, status, tables)

logger = logging.getLogger(__name__)

HANDLER_MODULES = (status, printing, shift, receipt, fn, fn_read, fn_shift, tables, clock, device, receipt_v2,
                   correction, registration, buffer)

REFUSAL_CODES = {
    Reason.INVALID_PARAMETER: ErrorCode.INVALID_PARAMETERS,
    Reason.INVALID_OPERATION: ErrorCode.NOT_ALLOWED_IN_RECEIPT_TYPE,
    Reason.WRONG_OPERATION: ErrorCode.INVALID_OPERATION,
    Reason.ITEM_SUM_MISMATCH: ErrorCode.INVALID_PARAMETERS,
    Reason.UNSUPPORTED_PARAMETER: ErrorCode.INVALID_FOR_IMPLEMENTATION,
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
    Reason.MEMORY_FAILURE: ErrorCode.RAM_ERROR,
    Reason.TABLE_NOT_DEFINED: ErrorCode.TABLE_NOT_DEFINED,
    Reason.FIELD_READ_ONLY: ErrorCode.FIELD_READ_ONLY,
    Reason.FIELD_READ_ONLY_IN_MODE: ErrorCode.FIELD_READ_ONLY_IN_MODE,
    Reason.INVALID_DATE: ErrorCode.INVALID_DATE_FORMAT,
    Reason.DATE_MISMATCH: ErrorCode.DATE_MISMATCH,
    Reason.DATE_NOT_CONFIRMED: ErrorCode.CONFIRM_DATETIME,
    Reason.NOT_IN_THIS_MODE: ErrorCode.NOT_SUPPORTED_IN_MODE,
    Reason.NO_PAPER: ErrorCode.NO_RECEIPT_PAPER,
    Reason.WAITING_CONTINUE_PRINTING: ErrorCode.WAITING_CONTINUE_PRINTING,
    Reason.NO_DOCUMENT_TO_REPEAT: ErrorCode.NO_DOCUMENT_TO_REPEAT,
    Reason.FN_DOCUMENT_OPEN: ErrorCode.INVALID_OPERATION,
    Reason.DISCOUNT_OUT_OF_RANGE: ErrorCode.DISCOUNT_OUT_OF_RANGE,
    Reason.SURCHARGE_OUT_OF_RANGE: ErrorCode.SURCHARGE_OUT_OF_RANGE,
    Reason.NO_DATA: ErrorCode.NO_DATA,
}

PORT_TCP = 128

Handler = Callable[["ShtrihDialect", object], object]


def collect_handlers(modules) -> dict[type, Handler]:
    """Merge the ``HANDLERS`` of ``modules``. Raises ValueError when two claim one request class."""
    handlers: dict[type, Handler] = {}
    for module in modules:
        for request_type, handler in module.HANDLERS.items():
            if request_type in handlers:
                raise ValueError(f"{request_type.__name__} has handlers in two modules, keep one")
            handlers[request_type] = handler
    return handlers


class ShtrihDialect:
    """Штрих-М protocol over one ``Register``.

    ``port_number`` is what 11h reports as the host's port: 128 for TCP, a COM
    port number otherwise.
    """

    def __init__(self, register: Register, port_number: int = PORT_TCP):
        self.register = register
        self.port_number = port_number
        self._handlers = collect_handlers(HANDLER_MODULES)

    def execute(self, body: bytes) -> bytes:
        """Execute one command body and return the answer body. Never raises."""
        try:
            code = c.command_code(body)
        except DecodeError:
            return bytes((body[0], ErrorCode.COMMAND_NOT_SUPPORTED)) if body else b""
        handler = self._handlers.get(c.REQUEST_TYPES.get(code))
        if handler is None:
            return c.error_answer(code, ErrorCode.COMMAND_NOT_SUPPORTED)
        try:
            request = c.decode_request(body)
        except DecodeError as exc:
            logger.info("command %s rejected: %s", code_text(code), exc)
            return c.error_answer(code, ErrorCode.INVALID_LENGTH)
        role = password_role(code)
        if role is not PasswordRole.NONE:
            operator = self.register.operator_for_password(request.password, role.operators)
            if operator is None:
                return c.error_answer(code, ErrorCode.WRONG_PASSWORD)
            # Handlers read the operator number from ``password``: table 2 maps passwords to operators.
            request = dataclasses.replace(request, password=operator)
        try:
            modes.check_command(self.register, code)
            return handler(self, request).encode()
        except Refusal as refusal:
            error = refusal.fn_code if refusal.reason is Reason.FN_ERROR else REFUSAL_CODES[refusal.reason]
            logger.info("command %s refused with %02Xh: %s", code_text(code), error, refusal)
            return c.error_answer(code, error)
        except Exception:
            logger.exception("command %s failed inside kktemu", code_text(code))
            self._resync()
            return c.error_answer(code, ErrorCode.INTERNAL_ERROR)

    def _resync(self) -> None:
        """Re-sync the register with the ФН after an internal error, so that no ФН document stays open."""
        try:
            self.register.resync_with_fn()
        except Exception:
            logger.exception("re-syncing the register with the ФН failed")

    def mode(self) -> int:
        """Return the 10h/11h mode byte: 9, 6 or 10 for those modes, 8.x with a receipt open,
        else 2, 3 or 4 by the shift (see ``modes``)."""
        return modes.current_mode(self.register)


def code_text(code: int) -> str:
    """Format a command code as the spec writes it: ``10h``, ``FF46h``."""
    return f"{code:04X}h" if code > 0xFF else f"{code:02X}h"
