"""Printer commands: 13h beep, 17h print line, 25h cut, B0h continue printing."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c

from ...refusals import Reason, Refusal


def beep(dialect, request):
    return c.BeepAnswer(request.password)


def continue_printing(dialect, request):
    return c.ContinuePrintingAnswer(request.password)


def print_line(dialect, request):
    dialect.register.print_text(request.text)
    return c.PrintLineAnswer(request.password)


def cut(dialect, request):
    if request.cut_type not in tuple(c.CutType):
        raise Refusal(Reason.INVALID_PARAMETER, f"cut type {request.cut_type}")
    return c.CutAnswer(request.password)


HANDLERS = {
    c.BeepRequest: beep,
    c.PrintLineRequest: print_line,
    c.CutRequest: cut,
    c.ContinuePrintingRequest: continue_printing,
}
