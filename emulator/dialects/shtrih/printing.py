"""Printer commands: 13h beep, 12h/17h/2Fh print a line, 18h document header, 25h cut,
26h font parameters, 52h cliché, 53h document end, 54h advertising text, B0h continue printing."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c

from ...refusals import Reason, Refusal

# Character height of every font, interline spacing included, in dots.
# NOTE: javapos_shtrih (PrinterModelDefault) assumes 24 dots for each of the 7 fonts; no
# 26h answer of a real ШТРИХ-М-01Ф is public.
FONT_HEIGHT_DOTS = 24


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


def font_parameters(dialect, request):
    profile = dialect.register.profile
    if not 1 <= request.font <= len(profile.font_line_lengths):
        raise Refusal(Reason.INVALID_PARAMETER, f"font {request.font} is not 1..{len(profile.font_line_lengths)}")
    characters = profile.font_line_lengths[request.font - 1]
    return c.FontParametersAnswer(profile.print_width_dots, profile.print_width_dots // characters,
                                  FONT_HEIGHT_DOTS, len(profile.font_line_lengths))


def print_cliche(dialect, request):
    dialect.register.print_cliche()
    return c.PrintClicheAnswer(request.password)


def document_end(dialect, request):
    dialect.register.end_document(request.print_trailer)
    return c.DocumentEndAnswer(request.password)


def print_advertising(dialect, request):
    dialect.register.print_advertising()
    return c.PrintAdvertisingAnswer(request.password)


HANDLERS = {
    c.BeepRequest: beep,
    c.PrintLineRequest: print_line,
    c.CutRequest: cut,
    c.ContinuePrintingRequest: continue_printing,
    c.PrintBoldLineRequest: print_bold_line,
    c.PrintFontLineRequest: print_font_line,
    c.DocumentHeaderRequest: document_header,
    c.FontParametersRequest: font_parameters,
    c.PrintClicheRequest: print_cliche,
    c.DocumentEndRequest: document_end,
    c.PrintAdvertisingRequest: print_advertising,
}
