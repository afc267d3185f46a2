"""``kktemu ofd serve`` and ``kktemu ofd documents``: the mock ОФД on the command line.

The logic is in ``tools/ofd`` (server, checks, fault modes, store); these
commands parse options, start the server and format the store's records.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import math
import socket
import sys
from pathlib import Path

import click

from kktemu.fn_storage.identifiers import inn_is_valid
from kktemu.protocol.ffd.forms import form_name

from .errors import CliError, os_reason
from .i18n import OFD_COLUMNS, OFD_RESULTS, message
from .ofd import DEFAULT_OFD_INN, DirectoryStore, Fault, Faults, MockOfd, StoredDocument, read_store
from .ofd.store import StoreError, StoreLockedError
from .serving import format_address, install_stop_handlers

logger = logging.getLogger(__name__)

DEFAULT_STORE = "kktemu-ofd"
DEFAULT_PORT = 7777  # NOTE: our choice, beside the register (7778) and the lone ФН (7779)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
USAGE_EXIT_STATUS = 2
ACTION_OPTIONS = ("--reject", "--drop", "--no-answer")
# Bind errors that mean the host address is wrong rather than the port busy (as in `kktemu serve`).
HOST_ERRNOS = frozenset((errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT))


@click.group(short_help="Run a mock ОФД, or list the documents it received.")
def ofd() -> None:
    """A mock ОФД (fiscal data operator) for registers that send documents with `kktemu serve --ofd`."""


@ofd.command("serve", short_help="Run a mock ОФД that confirms the documents registers send.")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on for registers.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), metavar="PORT",
              help="TCP port; 0 picks a free port (see the 'listening tcp' line).")
@click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True, type=click.Path(file_okay=False),
              metavar="DIR", help="Directory that keeps every received message and the index; created if missing.")
@click.option("--reject", type=click.IntRange(1, 255), metavar="CODE",
              help="Reject every document: store it with this code (1..255), send no квитанция and close the "
                   "connection, so the register sends it again.")
@click.option("--delay", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
              help="Wait this many seconds before answering (or before the --reject, --drop or --no-answer action).")
@click.option("--drop", is_flag=True, help="Close the connection after reading each message, without an answer.")
@click.option("--no-answer", is_flag=True,
              help="Keep the connection open after each message and never answer.")
@click.option("--ofd-inn", default=DEFAULT_OFD_INN, show_default=True, metavar="INN",
              help="ИНН ОФД written into tag 1017 of every квитанция.")
@click.option("--no-verify-sign", is_flag=True,
              help="Accept documents whose ФПД and message sign do not verify with kktemu's key, such as "
                   "messages of a real ФН.")
@click.option("--no-operator-sign", is_flag=True,
              help="Leave the operator sign 1078 out of the квитанция, as third-party mock ОФД do.")
@click.pass_context
def ofd_serve(ctx: click.Context, host: str, port: int, store_path: str, reject: int | None, delay: float,
              drop: bool, no_answer: bool, ofd_inn: str, no_verify_sign: bool, no_operator_sign: bool) -> None:
    """Run a mock ОФД until SIGINT (Ctrl+C) or SIGTERM.

    It checks each message (session header, container CRC, ФПД and message
    sign), stores it in the --store directory and answers with a signed
    квитанция. When it is ready it prints these lines to stdout:

    \b
      ofd store DIR
      listening tcp HOST:PORT

    --reject, --drop and --no-answer are fault modes for tests; at most one
    of them can be given, with or without --delay. docs/ofd-mock.md
    describes the checks, the fault modes and the store format.

    Exit status: 0 after a stop signal; 1 when the port or the store
    directory cannot be used; 2 for a wrong option value (such as an
    --ofd-inn that is not an ИНН) or for options that contradict each other
    (such as --reject with --drop).
    """
    lang = ctx.obj["lang"]
    chosen = [name for name, active in zip(ACTION_OPTIONS, (reject is not None, drop, no_answer)) if active]
    if len(chosen) > 1:
        raise _usage_error(message("ofd_one_action", lang, first=chosen[0], second=chosen[1]), lang)
    if not math.isfinite(delay):
        raise _usage_error(message("ofd_delay_invalid", lang, value=delay), lang)
    if not inn_is_valid(ofd_inn):
        raise _usage_error(message("ofd_inn_invalid", lang, value=ofd_inn), lang)
    fault = Fault(reject=reject, delay=delay, drop=drop, no_answer=no_answer)
    faults = Faults() if fault == Fault() else Faults(fault)
    try:
        asyncio.run(_serve(host, port, store_path, ofd_inn.strip(), faults, not no_verify_sign,
                           not no_operator_sign, lang))
    except KeyboardInterrupt:
        logger.info("interrupted during startup")
    click.echo(message("stopped", lang), err=True)


async def _serve(host: str, port: int, store_path: str, ofd_inn: str, faults: Faults, verify_signs: bool,
                 operator_sign: bool, lang: str) -> None:
    stop = install_stop_handlers(logger)
    server = MockOfd(ofd_inn=ofd_inn, verify_signs=verify_signs, operator_sign=operator_sign, faults=faults)
    try:
        try:
            bound_host, bound_port = await server.start(host, port)
        except OSError as exc:
            key = "bad_host" if isinstance(exc, socket.gaierror) or exc.errno in HOST_ERRNOS else "bind_failed"
            raise CliError(message(key, lang, address=format_address(host, port), reason=os_reason(exc)),
                           lang) from exc
        # The port is bound before the store directory is created, so a busy port leaves no directory
        # behind. No connection is served before the next await, so no message reaches the memory store.
        server.store = _open_store(store_path, lang)
        for rule in faults.rules():
            click.echo(message("ofd_fault", lang, fault=rule.describe()), err=True)
        click.echo(message("ofd_store", lang, path=store_path))
        click.echo(message("listening_tcp", lang, address=format_address(bound_host, bound_port)))
        sys.stdout.flush()
        await stop.wait()
    finally:
        await server.stop()


def _usage_error(text: str, lang: str) -> CliError:
    # Exit status 2, as click gives for values it rejects itself; 1 stays for runtime failures.
    error = CliError(text, lang)
    error.exit_code = USAGE_EXIT_STATUS
    return error


def _open_store(path: str, lang: str) -> DirectoryStore:
    try:
        return DirectoryStore(path)
    except StoreLockedError as exc:
        raise CliError(message("ofd_store_in_use", lang, path=path), lang) from exc
    except StoreError as exc:
        raise CliError(message("ofd_store_failed", lang, path=path, reason=exc), lang) from exc


@ofd.command("documents", short_help="List the documents a mock ОФД received.")
@click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True, type=click.Path(), metavar="DIR",
              help="Store directory of `kktemu ofd serve`.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per arrival (JSON Lines) instead of the table.")
@click.pass_context
def ofd_documents(ctx: click.Context, store_path: str, as_json: bool) -> None:
    """List every message a mock ОФД received, oldest first, one line each.

    The table shows the ФН serial, ФД number, form, the document's date and
    time, its ФПД, what the mock did (accepted, rejected, dropped, held,
    invalid sign) and when it arrived (UTC). A document sent again after a
    rejection is listed once per arrival. --json prints the index records
    with the keys sequence, fn_serial, fd_number, form, document_time,
    fiscal_sign, result, code, received_at, peer, file and detail. The store
    is only read, so it is safe to list the store of a running server.
    """
    lang = ctx.obj["lang"]
    records = _read_records(store_path, lang)
    if as_json:
        for record in records:
            click.echo(json.dumps(record.to_json(), ensure_ascii=False))
        return
    if not records:
        click.echo(message("ofd_no_documents", lang, path=store_path))
        return
    _print_table(records, lang)


def _read_records(path: str, lang: str) -> list[StoredDocument]:
    directory = Path(path)
    if not directory.exists():
        raise CliError(message("ofd_store_not_found", lang, path=path), lang)
    if not directory.is_dir():
        raise CliError(message("ofd_store_not_directory", lang, path=path), lang)
    try:
        return read_store(directory)
    except StoreError as exc:
        raise CliError(message("ofd_store_damaged", lang, path=path, reason=exc), lang) from exc


def _result_text(record: StoredDocument, lang: str) -> str:
    text = OFD_RESULTS[lang].get(record.result, record.result)
    if record.code:
        text += f" {record.code}"
    return text


def _print_table(records: list[StoredDocument], lang: str) -> None:
    rows = [OFD_COLUMNS[lang]]
    for record in records:
        name = form_name(record.form, lang)
        rows.append((
            record.fn_serial,
            str(record.fd_number),
            f"{record.form} {name}" if name else str(record.form),
            "" if record.document_time is None else record.document_time.strftime(TIME_FORMAT),
            "" if record.fiscal_sign is None else str(record.fiscal_sign),
            _result_text(record, lang),
            record.received_at.strftime(TIME_FORMAT),
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    right_aligned = {1, 4}
    for row in rows:
        cells = [cell.rjust(width) if column in right_aligned else cell.ljust(width)
                 for column, (cell, width) in enumerate(zip(row, widths))]
        click.echo("  ".join(cells).rstrip())
