"""``kktemu fn inspect``: list or decode the documents of a ФН archive file and their ОФД квитанции.

The file is only read, never changed, so it is safe to inspect the archive of a
running emulator.
"""

from __future__ import annotations

import json

import click

from kktemu.fn_storage import ArchivedDocument, read_archive
from kktemu.fn_storage.tickets import ArchivedTicket
from kktemu.fn_storage.qr import receipt_qr
from kktemu.protocol.errors import DecodeError, EncodeError, KktemuError
from kktemu.protocol.ffd.display import fields_to_json, format_fields, format_money
from kktemu.protocol.ffd.documents import decode_document
from kktemu.protocol.ffd.forms import form_name
from kktemu.protocol.ffd.tlv import iter_tlv
from kktemu.protocol.ffd.values import decode_vln

from .errors import CliError, fn_read_error
from .fn_inspect_ticket import ticket_cell, ticket_json, ticket_lines, tickets_by_fd
from .i18n import COLUMNS, byte_count, message
from .localized import LocalizedCommand, LocalizedOption

TOTAL_TAG = 1020
TIME_FORMAT = "%Y-%m-%d %H:%M"


@click.command(cls=LocalizedCommand, help_key="help_inspect", short_help_key="help_inspect_short")
@click.argument("path", type=click.Path())
@click.option("--doc", "fd_number", type=click.IntRange(min=1), metavar="N", cls=LocalizedOption,
              help_key="help_inspect_doc")
@click.option("--json", "as_json", is_flag=True, cls=LocalizedOption, help_key="help_inspect_json")
@click.pass_context
def inspect(ctx: click.Context, path: str, fd_number: int | None, as_json: bool) -> None:
    """List or decode the documents of an archive; the help text is the catalogue entry ``help_inspect``."""
    lang = ctx.obj["lang"]
    try:
        contents = read_archive(path)
    except (KktemuError, OSError) as exc:
        raise fn_read_error(exc, path, lang) from exc
    if contents.torn_tail_bytes:
        click.echo(message("torn_tail", lang, size=byte_count(contents.torn_tail_bytes, lang), path=path), err=True)
    documents = contents.documents
    tickets = tickets_by_fd(contents.tickets)
    serial = contents.header.serial
    if fd_number is not None:
        documents = [_find(documents, fd_number, path, lang)]
    if as_json:
        for document in documents:
            item = _document_json(document, lang)
            item["ticket"] = ticket_json(tickets.get(document.fd_number), serial)
            click.echo(json.dumps(item, ensure_ascii=False))
    elif fd_number is not None:
        _print_document(documents[0], tickets.get(fd_number), serial, path, lang)
    else:
        header = contents.header
        click.echo(message("header", lang, serial=header.serial, version=header.version,
                           created=header.created.strftime(TIME_FORMAT), count=len(documents)))
        _print_table(documents, tickets if contents.tickets else None, lang)


def _find(documents: list[ArchivedDocument], fd_number: int, path: str, lang: str) -> ArchivedDocument:
    # The archive reader guarantees ФД numbers 1, 2, 3, ... in order.
    if 1 <= fd_number <= len(documents):
        return documents[fd_number - 1]
    if not documents:
        raise CliError(message("empty_archive", lang, number=fd_number, path=path), lang)
    raise CliError(message("no_document", lang, number=fd_number, path=path,
                           first=documents[0].fd_number, last=documents[-1].fd_number), lang)


def _total(document: ArchivedDocument) -> int | None:
    try:
        for tag, value in iter_tlv(document.tlv):
            if tag == TOTAL_TAG:
                return decode_vln(value)
    except DecodeError:
        return None
    return None


def _form_label(code: int, lang: str) -> str:
    return form_name(code, lang) or message("unknown_form", lang)


def _print_table(documents: list[ArchivedDocument], tickets: dict[int, ArchivedTicket] | None, lang: str) -> None:
    """Print the document list: numbers and amounts right-aligned, text left-aligned.

    ``tickets`` maps ФД numbers to their квитанции; when it is not None, a last
    column shows the time each ФД reached the ОФД. An archive without
    квитанции passes None and gets the table without that column.
    """
    titles = COLUMNS[lang]
    if tickets is not None:
        titles = (*titles, message("ticket_column", lang))
    rows = [titles]
    for document in documents:
        total = _total(document)
        row = (
            str(document.fd_number),
            f"{document.form} {_form_label(document.form, lang)}",
            document.moment.strftime(TIME_FORMAT),
            str(document.fiscal_sign),
            "" if total is None else format_money(total),
        )
        if tickets is not None:
            row = (*row, ticket_cell(tickets.get(document.fd_number), lang))
        rows.append(row)
    widths = [max(len(row[column]) for row in rows) for column in range(len(titles))]
    for row in rows:
        cells = [row[0].rjust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]),
                 row[3].rjust(widths[3]), row[4].rjust(widths[4])]
        cells.extend(cell.ljust(width) for cell, width in zip(row[5:], widths[5:]))
        click.echo("  ".join(cells).rstrip())


def _print_document(document: ArchivedDocument, ticket: ArchivedTicket | None, serial: str, path: str,
                    lang: str) -> None:
    """Print one document: title, time line, QR code, fields, then its квитанция when the ОФД confirmed it."""
    try:
        fields = decode_document(document.stlv).fields
    except DecodeError as exc:
        raise CliError(message("document_damaged", lang, number=document.fd_number, path=path,
                               reason=_decode_reason(exc, "document_fields_broken", lang)), lang) from exc
    received = "ticket_missing" if ticket is None else "ticket_received"
    click.echo(message("document_title", lang, number=document.fd_number,
                       form=_form_label(document.form, lang), code=document.form))
    click.echo(message("document_time", lang, moment=document.moment.strftime(TIME_FORMAT),
                       sign=document.fiscal_sign, ticket=message(received, lang)))
    try:
        code = _qr_string(document)
    except DecodeError as exc:
        click.echo(message("qr_unavailable", lang, reason=_decode_reason(exc, "qr_fields_invalid", lang)))
    else:
        if code is not None:
            click.echo(message("qr_line", lang, code=code))
    for line in format_fields(fields, lang):
        click.echo("  " + line)
    if ticket is not None:
        for line in ticket_lines(ticket, serial, lang):
            click.echo(line)


def _document_json(document: ArchivedDocument, lang: str) -> dict[str, object]:
    item: dict[str, object] = {
        "fd": document.fd_number,
        "form": document.form,
        "form_name": form_name(document.form, lang),
        "datetime": document.moment.isoformat(),
        "fiscal_sign": document.fiscal_sign,
        "total": _total(document),
        "tlv": document.stlv.hex().upper(),
    }
    try:
        item["fields"] = fields_to_json(decode_document(document.stlv).fields, lang)
    except DecodeError as exc:
        item["fields"] = None
        item["error"] = str(exc)
    try:
        code = _qr_string(document)
    except DecodeError as exc:
        item["qr"] = None
        item["qr_error"] = str(exc)
    else:
        if code is not None:
            item["qr"] = code
    return item


def _decode_reason(exc: DecodeError, key: str, lang: str) -> str:
    """Return the detail of a decoding failure: the decoder's own text in English, catalogue entry ``key`` otherwise.

    The decoders word their errors in English only, so other languages get a
    general sentence that names the byte where decoding stopped, when known.
    """
    if lang == "en":
        return str(exc)
    text = message(key, lang)
    if exc.offset is not None:
        text = message("archive_at_byte", lang, reason=text, offset=exc.offset)
    return text


def _qr_string(document: ArchivedDocument) -> str | None:
    """Return the receipt's QR code string, None for a form without one; DecodeError when it cannot be built."""
    try:
        code = receipt_qr(document)
        return None if code is None else code.encode()
    except EncodeError as exc:
        # A field out of its range (a year before 2000, a bad ФН number) in a damaged archive.
        raise DecodeError(str(exc)) from None
