"""Printer commands: 13h beep, 12h/17h/2Fh print a line, 18h document header, 25h cut,
B0h continue printing."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c

from ...refusals import Reason, Refusal


def beep(dialect, request):
    return c.BeepAnswer(request.password)


def continue_printing(dialect, request):
    dialect.register.continue_printing()
    return c.ContinuePrintingAnswer(request.password)


def print_line(dialect, request):
    dialect.register.print_text(request.text)
    return c.PrintLineAnswer(request.password)


def print_bold_line(dialect, request):
    dialect.register.print_text(request.text)
    return c.PrintBoldLineAnswer(request.password)


def print_font_line(dialect, request):
    dialect.register.print_text(request.text)
    return c.PrintFontLineAnswer(request.password)


def document_header(dialect, request):
    number = dialect.register.print_document_header(request.title, request.number)
    return c.DocumentHeaderAnswer(request.password, number % 10000)


def cut(dialect, request):
    if request.cut_type not in tuple(c.CutType):
        raise Refusal(Reason.INVALID_PARAMETER, f"cut type {request.cut_type}")
    return c.CutAnswer(request.password)


HANDLERS = {
    c.BeepRequest: beep,
    c.PrintLineRequest: print_line,
    c.CutRequest: cut,
    c.ContinuePrintingRequest: continue_printing,
    c.PrintBoldLineRequest: print_bold_line,
    c.PrintFontLineRequest: print_font_line,
    c.DocumentHeaderRequest: document_header,
}
