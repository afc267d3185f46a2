"""Shift and cash commands: E0h open shift, 40h X report, 41h Z report, C6h Z report into the buffer,
2Ch operation registers report, 50h/51h cash in and out."""

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


def buffered_z_report(dialect, request):
    # The report goes to the register's report buffer instead of the tape, so C6h needs no
    # paper. NOTE: printing the buffer later (C7h in javapos_shtrih) is not in the v1.17 list
    # and not emulated.
    dialect.register.close_shift(request.password, printed=False)
    return c.BufferedZReportAnswer(request.password)


def operation_registers_report(dialect, request):
    dialect.register.operation_registers_report(request.password)
    return c.OperationRegistersReportAnswer(request.password)


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
    c.BufferedZReportRequest: buffered_z_report,
    c.OperationRegistersReportRequest: operation_registers_report,
    c.CashInRequest: cash_in,
    c.CashOutRequest: cash_out,
}
