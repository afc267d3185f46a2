"""ФН reading commands: FF02h–FF04h identity, FF09h registration totals, FF0Ah, FF3Ah–FF3Ch archive,
FF39h, FF3Fh exchange state, FF40h shift parameters, FF63h free memory.

Each one passes a ФН interface command through the register (31h..33h, 43h,
40h, 45h/46h, 41h, 20h, 42h, 10h, 3Dh), so a ФН refusal reaches the host as its
result code: 02h before registration, 08h for a document not in the archive.
"""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.commands_fn_registration import INN_SIZE, RNM_SIZE

from .answers import document_time

FN_VERSION_SIZE = 16
# The most TLV bytes one FF3Bh answer carries in a protocol v1 frame, after FF 3B and the error byte.
MAX_TLV_PART = c.MAX_BODY_SIZE - 3


def fn_number(dialect, _request):
    return c.FnNumberAnswer(dialect.register.fn.serial())


def fn_expiry(dialect, _request):
    expiry = dialect.register.fn.expiry()
    return c.FnExpiryAnswer(expiry.valid_until, expiry.registrations_left, expiry.registrations_done)


def fn_version(dialect, _request):
    # The ФН strips the padding of its 16-character version; the answer restores it.
    version = dialect.register.fn.version()
    return c.FnVersionAnswer(version.version.ljust(FN_VERSION_SIZE), int(version.is_release))


def fiscalization_totals(dialect, _request):
    # NOTE: always the ФФД 1.0/1.05 form (LEN 50, or 55 with the extended answers), which the
    # PHP driver kkt-shtrih parses. The vendor text gives a longer form for ФФД 1.1 whose
    # extra fields the ФН 43h answer lacks. The DATE_TIME tail repeats the registration's time.
    result = dialect.register.fn.fiscalization_result()
    return c.FiscalizationTotalsAnswer(
        moment=result.moment,
        inn=result.inn.ljust(INN_SIZE),
        rnm=result.rnm.ljust(RNM_SIZE),
        tax_systems=result.taxation,
        work_mode=result.work_mode,
        fd_number=result.fd_number,
        fiscal_sign=result.fiscal_sign,
        document_datetime=document_time(dialect, result.moment),
    )


def find_document(dialect, request):
    data = dialect.register.fn.find_document_data(request.fd_number)
    return c.FindDocumentAnswer(document_type=data[0], ticket_received=bool(data[1]), record=data[2:])


def request_document_tlv(dialect, request):
    info = dialect.register.start_document_reading(request.fd_number, MAX_TLV_PART)
    return c.DocumentTlvAnswer(info.document_type, info.length)


def read_document_tlv(dialect, _request):
    return c.ReadTlvAnswer(dialect.register.next_document_tlv())


def ticket(dialect, request):
    return c.TicketAnswer(dialect.register.fn.ticket_data(request.fd_number))


def exchange_status(dialect, _request):
    status = dialect.register.fn.exchange_status()
    return c.ExchangeStatusAnswer(
        status=status.flags,
        reading=status.read_started,
        queue_size=status.message_count,
        first_fd_number=status.first_fd_number,
        first_datetime=status.first_document_time,
    )


def unconfirmed_count(dialect, _request):
    # The answer field is 2 bytes, as the 42h answer of the ФН is.
    return c.UnconfirmedCountAnswer(dialect.register.fn.unconfirmed_count())


def fn_memory(dialect, _request):
    memory = dialect.register.fn.free_memory()
    return c.FnMemoryAnswer(memory.documents_left, memory.ofd_area_free_kb, memory.marking)


def shift_parameters(dialect, _request):
    parameters = dialect.register.fn.shift_parameters()
    return c.ShiftParametersAnswer(parameters.is_open, parameters.shift_number, parameters.receipt_number)


HANDLERS = {
    c.FnNumberRequest: fn_number,
    c.FnExpiryRequest: fn_expiry,
    c.FnVersionRequest: fn_version,
    c.FiscalizationTotalsRequest: fiscalization_totals,
    c.FindDocumentRequest: find_document,
    c.DocumentTlvRequest: request_document_tlv,
    c.ReadTlvRequest: read_document_tlv,
    c.TicketRequest: ticket,
    c.ExchangeStatusRequest: exchange_status,
    c.UnconfirmedCountRequest: unconfirmed_count,
    c.ShiftParametersRequest: shift_parameters,
    c.FnMemoryRequest: fn_memory,
}
