"""Device commands: 14h/15h exchange parameters, 16h technological reset, 19h/2Bh test run,
1Ah/1Bh registers, 28h cash drawer, 29h feed, 8Ch repeat document, 6Bh error name,
F7h model parameters and FEh service commands."""

from __future__ import annotations

import logging

from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

from ...refusals import Reason, Refusal
from ...table_defaults import FISCAL_STORAGE_TABLE, REGIONAL_TABLE

logger = logging.getLogger(__name__)

Capability = c.ModelCapability
# F7h type 1 of the ШТРИХ-М-01Ф as kktemu emulates it. It is a desktop receipt printer
# with paper and cover sensors and a cutter. It speaks protocol v2, wraps lines at '\n'
# in print commands, lets the senior cashier (28) take reports, names errors with 6Bh
# and has a ФН. Bit 50 announces table 17 field 36, which adds the document DATE_TIME to the
# answers of commands that form a ФД.
# NOTE: no capture of a real ШТРИХ-М-01Ф answer is public. The bits and numbers follow
# the desktop model in javapos_shtrih ReadPrinterModelParametersTests (the answer with a
# cutter and 12 and 24 dot fonts) and what kktemu implements.
MODEL_CAPABILITIES = (
    Capability.RECEIPT_OPTICAL_SENSOR | Capability.COVER_SENSOR | Capability.RECEIPT_LEVER_SENSOR
    | Capability.CUTTER | Capability.INN_LEADING_ZEROS | Capability.RNM_LEADING_ZEROS | Capability.PROTOCOL_V2
    | Capability.PRINT_LINE_FEED | Capability.SENIOR_CASHIER_REPORTS | Capability.ERROR_NAME_COMMAND
    | Capability.FISCAL_STORAGE | Capability.EXTENDED_DOCUMENT_ANSWERS
)
# Table 1 field 14 "НАЧИСЛЕНИЕ НАЛОГОВ", as F7h names it for drivers.
TAX_FIELD = 14
# Table 17 field 17 "RUS ФОРМАТ ФД", the ФФД version that javapos_shtrih reads.
FFD_FIELD = 17
DEFAULT_SYSADMIN_PASSWORD = 30
# Receipt printer width: 576 dots of an 80 mm head, 72 bytes of a graphics line.
GRAPHICS_LINE_BYTES = 72
# Bytes after the 31 the spec lists, as javapos_shtrih reads them: the ФН table, the ОФД
# table, the table of embedded and internet use (0: none), the table and field of the
# ФФД version.
OFD_TABLE = 19
MODEL_EXTRA = bytes((FISCAL_STORAGE_TABLE, OFD_TABLE, 0, REGIONAL_TABLE, FFD_FIELD))


def model_parameters(profile) -> c.ModelParameters:
    """Return the F7h type 1 answer data for ``profile``."""
    return c.ModelParameters(
        capabilities=int(MODEL_CAPABILITIES),
        font1_width=profile.print_width,
        font2_width=profile.print_width // 2,
        first_graphics_line=1,
        inn_digits=12,
        rnm_digits=16,
        long_rnm_digits=0,
        long_serial_digits=0,
        default_tax_password=0,
        default_sysadmin_password=DEFAULT_SYSADMIN_PASSWORD,
        bluetooth_table=0,
        tax_field=TAX_FIELD,
        max_command_length=c.MAX_BODY_SIZE,
        graphics_line_width=GRAPHICS_LINE_BYTES,
        graphics512_width=0,
        graphics512_lines=0,
        extra=MODEL_EXTRA,
    )


def extended_request(dialect, request):
    if request.request_type != c.MODEL_PARAMETERS:
        raise Refusal(Reason.INVALID_PARAMETER, f"F7h request type {request.request_type}")
    return c.ExtendedAnswer.of_model(model_parameters(dialect.register.profile))


def service(dialect, request):
    if request.function == c.ServiceFunction.PING:
        return c.ServiceAnswer()
    if request.function == c.ServiceFunction.REBOOT:
        dialect.register.reboot()
        return c.ServiceAnswer()
    logger.info("FEh sub-function %02Xh is not emulated", request.function)
    return c.ErrorAnswer(request.CODE, ErrorCode.COMMAND_NOT_SUPPORTED)


def error_name(dialect, request):
    if request.error is None:
        return c.ErrorAnswer(request.CODE, ErrorCode.INVALID_LENGTH)
    try:
        error = ErrorCode(request.error)
    except ValueError:
        raise Refusal(Reason.INVALID_PARAMETER, f"unknown error code {request.error:02X}h") from None
    return c.ErrorNameAnswer(error_text(error))


def error_text(error: ErrorCode) -> str:
    """Return the 6Bh text of ``error``: the source and the Russian name ("ККТ: Неверная операция")."""
    name = error.russian.removeprefix("ФН: ")
    return f"{'ФН' if error.from_fn else 'ККТ'}: {name}"


def set_exchange_parameters(dialect, request):
    dialect.register.set_exchange_parameters(request.port, request.speed, request.byte_timeout)
    return c.SetExchangeParametersAnswer()


def read_exchange_parameters(dialect, request):
    speed, byte_timeout = dialect.register.exchange_parameters(request.port)
    return c.ReadExchangeParametersAnswer(speed, byte_timeout)


def technological_reset(dialect, _request):
    dialect.register.technological_reset()
    return c.TechnologicalResetAnswer()


def start_test_run(dialect, request):
    dialect.register.start_test_run(request.period)
    return c.StartTestRunAnswer(request.password)


def stop_test_run(dialect, request):
    dialect.register.stop_test_run()
    return c.StopTestRunAnswer(request.password)


def cash_register(dialect, request):
    return c.CashRegisterAnswer(request.password, dialect.register.cash_register(request.register))


def operation_register(dialect, request):
    return c.OperationRegisterAnswer(request.password, dialect.register.operation_register(request.register))


def open_drawer(dialect, request):
    dialect.register.open_drawer(request.drawer)
    return c.OpenDrawerAnswer(request.password)


def feed(dialect, request):
    dialect.register.feed(request.lines)
    return c.FeedAnswer(request.password)


def repeat_document(dialect, request):
    dialect.register.repeat_document()
    return c.RepeatDocumentAnswer(request.password)


HANDLERS = {
    c.ExtendedRequest: extended_request,
    c.ServiceRequest: service,
    c.ErrorNameRequest: error_name,
    c.SetExchangeParametersRequest: set_exchange_parameters,
    c.ReadExchangeParametersRequest: read_exchange_parameters,
    c.TechnologicalResetRequest: technological_reset,
    c.StartTestRunRequest: start_test_run,
    c.StopTestRunRequest: stop_test_run,
    c.CashRegisterRequest: cash_register,
    c.OperationRegisterRequest: operation_register,
    c.OpenDrawerRequest: open_drawer,
    c.FeedRequest: feed,
    c.RepeatDocumentRequest: repeat_document,
}
