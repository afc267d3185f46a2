"""The ОФД квитанция part of ``kktemu fn inspect``: table cell, text lines and JSON object.

The operator sign (1078) is checked with the ОФД key that ``signing.ofd_key_for``
derives from the ФН serial and the default master key, the key the mock ОФД of
kktemu signs with. An archive written with another master key therefore shows
valid signs as not verifying.
"""

from __future__ import annotations

from kktemu.fn_storage import DEFAULT_MASTER_KEY
from kktemu.fn_storage.signing import ofd_key_for, verify_operator_sign
from kktemu.fn_storage.tickets import ArchivedTicket
from kktemu.protocol.ffd.values import decode_string

from .i18n import message

TICKET_TIME_FORMAT = "%Y-%m-%d %H:%M"
RECEIVED_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def tickets_by_fd(tickets: list[ArchivedTicket]) -> dict[int, ArchivedTicket]:
    """Return the квитанции keyed by the number of the ФД they confirm (the reader allows one per ФД)."""
    return {ticket.fd_number: ticket for ticket in tickets}


def ticket_cell(ticket: ArchivedTicket | None, lang: str) -> str:
    """Return the table cell: the time (UTC, 1012) the ОФД received the ФД, or the word for a missing квитанция."""
    if ticket is None:
        return message("ticket_missing", lang)
    return ticket.confirmation.received_at.strftime(TICKET_TIME_FORMAT)


def sign_check(ticket: ArchivedTicket, serial: str) -> bool | None:
    """Check the 1078 of ``ticket`` with the ОФД key of ФН ``serial`` and the default master key.

    Returns None when the квитанция has no 1078, otherwise whether it matches.
    """
    return verify_operator_sign(ofd_key_for(DEFAULT_MASTER_KEY, serial), ticket.stlv)


def operator_text(ticket: ArchivedTicket) -> str | None:
    """Return the text of 1068 after the 1022 answer code (CP866), None when it has none."""
    text = ticket.confirmation.operator_text
    return decode_string(text) if text else None


def ticket_lines(ticket: ArchivedTicket, serial: str, lang: str) -> list[str]:
    """Return the lines that describe ``ticket`` under ``fn inspect --doc``: a title, then indented fields."""
    confirmation = ticket.confirmation
    lines = [
        message("ticket_inn", lang, inn=confirmation.ofd_inn),
        message("ticket_received_at", lang, moment=confirmation.received_at.strftime(RECEIVED_TIME_FORMAT)),
        message("ticket_accepted_at", lang, moment=ticket.fn_time.strftime(RECEIVED_TIME_FORMAT)),
    ]
    if confirmation.answer_code is None:
        lines.append(message("ticket_no_answer", lang))
    else:
        lines.append(message("ticket_answer", lang, code=confirmation.answer_code))
    text = operator_text(ticket)
    if text is not None:
        lines.append(message("ticket_text", lang, text=text))
    verified = sign_check(ticket, serial)
    if verified is None:
        lines.append(message("ticket_no_sign", lang))
    else:
        check = message("ticket_sign_valid" if verified else "ticket_sign_invalid", lang, serial=serial)
        lines.append(message("ticket_sign", lang, sign=(confirmation.ofd_sign or b"").hex().upper(), check=check))
    return [message("ticket_title", lang, number=ticket.fd_number)] + ["  " + line for line in lines]


def ticket_json(ticket: ArchivedTicket | None, serial: str) -> dict[str, object] | None:
    """Return the ``ticket`` object of a ``fn inspect --json`` line, None when the ФД has no квитанция.

    ``sign_valid`` is None when there is no 1078; times are naive ISO 8601,
    ``received_at`` in UTC (1012) and ``fn_time`` on the ФН timer.
    """
    if ticket is None:
        return None
    confirmation = ticket.confirmation
    sign = confirmation.ofd_sign
    return {
        "ofd_inn": confirmation.ofd_inn,
        "received_at": confirmation.received_at.isoformat(),
        "fn_time": ticket.fn_time.isoformat(),
        "answer_code": confirmation.answer_code,
        "operator_text": operator_text(ticket),
        "operator_sign": None if sign is None else sign.hex().upper(),
        "sign_valid": sign_check(ticket, serial),
        "stlv": ticket.stlv.hex().upper(),
    }
