"""ФН document commands: FF08h cancel, the split shift commands FF41h/FF0Bh and FF42h/FF43h,
and the settlement report FF37h/FF38h.

FF0Bh, FF43h and FF38h form the report begun by FF41h, FF42h or FF37h, or begin
and form it at once when nothing was begun. E0h and 41h (``shift``) also form a
begun shift report. The cashier of a report is the operator of the forming
command.
"""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c

from .answers import document_time


def cancel_fn_document(dialect, _request):
    dialect.register.cancel_fn_document()
    return c.CancelFnDocumentAnswer()


def begin_open_shift(dialect, _request):
    dialect.register.begin_open_shift()
    return c.BeginOpenShiftAnswer()


def open_shift(dialect, request):
    answer = dialect.register.open_shift(request.password)
    return c.FnOpenShiftAnswer(answer.shift_number, answer.fd_number, answer.fiscal_sign)


def begin_close_shift(dialect, _request):
    dialect.register.begin_close_shift()
    return c.BeginCloseShiftAnswer()


def close_shift(dialect, request):
    answer = dialect.register.close_shift(request.password)
    return c.FnCloseShiftAnswer(answer.shift_number, answer.fd_number, answer.fiscal_sign,
                                document_time(dialect))


def begin_settlement_report(dialect, _request):
    dialect.register.begin_settlement_report()
    return c.BeginSettlementReportAnswer()


def settlement_report(dialect, request):
    answer = dialect.register.settlement_report(request.password)
    return c.SettlementReportAnswer(answer.fd_number, answer.fiscal_sign, answer.unconfirmed_count,
                                    answer.first_unconfirmed, document_time(dialect))


HANDLERS = {
    c.CancelFnDocumentRequest: cancel_fn_document,
    c.BeginOpenShiftRequest: begin_open_shift,
    c.FnOpenShiftRequest: open_shift,
    c.BeginCloseShiftRequest: begin_close_shift,
    c.FnCloseShiftRequest: close_shift,
    c.BeginSettlementReportRequest: begin_settlement_report,
    c.SettlementReportRequest: settlement_report,
}
