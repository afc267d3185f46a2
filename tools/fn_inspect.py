"""``kktemu fn inspect``: list or decode the documents of a ФН archive file.

The file is only read, never changed, so it is safe to inspect the archive of a
running emulator.
"""

from __future__ import annotations

import json

import click

from kktemu.fn_storage import ArchivedDocument, read_archive
from kktemu.protocol.errors import DecodeError, KktemuError
from kktemu.protocol.ffd.display import fields_to_json, format_fields, format_money
from kktemu.protocol.ffd.documents import decode_document
from kktemu.protocol.ffd.forms import form_name
from kktemu.protocol.ffd.tlv import iter_tlv
from kktemu.protocol.ffd.values import decode_vln

from .errors import open_failure
from .i18n import message

TOTAL_TAG = 1020


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--doc", "fd_number", type=click.IntRange(min=1), metavar="N",
              help="Show document ФД N with every tag decoded.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON Lines: one object per document (fd, form, datetime, fiscal_sign, tlv, fields).")
@click.pass_context
def inspect(ctx: click.Context, path: str, fd_number: int | None, as_json: bool) -> None:
    """List the fiscal documents in the ФН archive PATH, or show one with --doc."""
    lang = ctx.obj["lang"]
    try:
        contents = read_archive(path)
    except (KktemuError, OSError) as exc:
        raise open_failure(exc, path, lang) from exc
    if contents.torn_tail_bytes:
        click.echo(message("torn_tail", lang, count=contents.torn_tail_bytes, path=path), err=True)
    documents = contents.documents
    if fd_number is not None:
        documents = [_find(documents, fd_number, path, lang)]
    if as_json:
        for document in documents:
            click.echo(json.dumps(_document_json(document, lang), ensure_ascii=False))
    elif fd_number is not None:
        _print_document(documents[0], lang)
    else:
        header = contents.header
        click.echo(message("header", lang, serial=header.serial, version=header.version,
                           created=header.created.strftime("%Y-%m-%d %H:%M"), count=len(documents)))
        _print_table(documents, lang)


def _find(documents: list[ArchivedDocument], fd_number: int, path: str, lang: str) -> ArchivedDocument:
    for document in documents:
        if document.fd_number == fd_number:
            return document
    if not documents:
        raise click.ClickException(message("empty_archive", lang, number=fd_number, path=path))
    raise click.ClickException(message("no_document", lang, number=fd_number, path=path,
                                       first=documents[0].fd_number, last=documents[-1].fd_number))


def _total(document: ArchivedDocument) -> int | None:
    for tag, value in iter_tlv(document.tlv):
        if tag == TOTAL_TAG:
            return decode_vln(value)
    return None


def _form_label(code: int, lang: str) -> str:
    return form_name(code, lang) or message("unknown_form", lang)


def _print_table(documents: list[ArchivedDocument], lang: str) -> None:
    rows = [message("columns", lang)]
    for document in documents:
        total = _total(document)
        rows.append((
            str(document.fd_number),
            f"{document.form} {_form_label(document.form, lang)}",
            document.moment.strftime("%Y-%m-%d %H:%M"),
            str(document.fiscal_sign),
            "" if total is None else format_money(total),
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].rjust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]),
                 row[3].rjust(widths[3]), row[4].rjust(widths[4])]
        click.echo("  ".join(cells).rstrip())


def _print_document(document: ArchivedDocument, lang: str) -> None:
    click.echo(message("document_title", lang, number=document.fd_number,
                       form=_form_label(document.form, lang), code=document.form))
    click.echo(message("document_time", lang, moment=document.moment.strftime("%Y-%m-%d %H:%M"),
                       sign=document.fiscal_sign, ticket=message("yes" if document.ticket else "no", lang)))
    try:
        fields = decode_document(document.stlv).fields
    except DecodeError as exc:
        raise click.ClickException(message("document_damaged", lang, number=document.fd_number,
                                           reason=exc)) from exc
    for line in format_fields(fields, lang):
        click.echo("  " + line)


def _document_json(document: ArchivedDocument, lang: str) -> dict[str, object]:
    try:
        fields = fields_to_json(decode_document(document.stlv).fields, lang)
    except DecodeError as exc:
        fields = None
        error = str(exc)
    else:
        error = None
    item: dict[str, object] = {
        "fd": document.fd_number,
        "form": document.form,
        "form_name": form_name(document.form, lang),
        "datetime": document.moment.isoformat(),
        "fiscal_sign": document.fiscal_sign,
        "total": _total(document),
        "ticket": document.ticket,
        "tlv": document.stlv.hex().upper(),
        "fields": fields,
    }
    if error is not None:
        item["error"] = error
    return item
