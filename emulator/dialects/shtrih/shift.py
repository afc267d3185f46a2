"""Shift and cash commands: E0h open shift, 40h X report, 41h Z report, 50h/51h cash in and out."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c


def open_shift(dialect, request):
    dialect.register.open_shift(request.password)
    return c.OpenShiftAnswer(request.password)


def x_report(dialect, request):
    dialect.register.x_report(request.password)
    return c.XReportAnswer(request.password)


def z_report(dialect, request):
    dialect.register.close_shift(request.password)
    return c.ZReportAnswer(request.password)


def cash_in(dialect, request):
    number = dialect.register.cash_in(request.password, request.amount)
    return c.CashInAnswer(request.password, number % 10000)


def cash_out(dialect, request):
    number = dialect.register.cash_out(request.password, request.amount)
    return c.CashOutAnswer(request.password, number % 10000)


HANDLERS = {
    c.OpenShiftRequest: open_shift,
    c.XReportRequest: x_report,
    c.ZReportRequest: z_report,
    c.CashInRequest: cash_in,
    c.CashOutRequest: cash_out,
}
