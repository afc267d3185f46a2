"""Clock commands: 21h set the time, 22h set the date (mode 6), 23h confirm the date."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c


def set_time(dialect, request):
    dialect.register.set_time(request.time())
    return c.SetTimeAnswer()


def set_date(dialect, request):
    dialect.register.set_date(request.date())
    return c.SetDateAnswer()


def confirm_date(dialect, request):
    dialect.register.confirm_date(request.date())
    return c.ConfirmDateAnswer()


HANDLERS = {
    c.SetTimeRequest: set_time,
    c.SetDateRequest: set_date,
    c.ConfirmDateRequest: confirm_date,
}
