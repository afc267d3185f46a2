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

from .errors import CliError, os_reason, store_reason
from .i18n import OFD_COLUMNS, OFD_RESULTS, message
from .localized import LocalizedCommand, LocalizedGroup, LocalizedOption
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


@click.group(cls=LocalizedGroup, help_key="help_mock_ofd", short_help_key="help_mock_ofd_short")
def ofd() -> None:
    """Group the mock ОФД commands."""


@ofd.command("serve", cls=LocalizedCommand, help_key="help_mock_ofd_serve",
             short_help_key="help_mock_ofd_serve_short")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS", cls=LocalizedOption,
              help_key="help_mock_ofd_serve_host")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), metavar="PORT",
              cls=LocalizedOption, help_key="help_mock_ofd_serve_port")
@click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True, type=click.Path(file_okay=False),
              metavar="DIR", cls=LocalizedOption, help_key="help_mock_ofd_serve_store")
@click.option("--reject", type=click.IntRange(1, 255), metavar="CODE", cls=LocalizedOption,
              help_key="help_mock_ofd_serve_reject")
@click.option("--delay", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS", cls=LocalizedOption,
              help_key="help_mock_ofd_serve_delay")
@click.option("--drop", is_flag=True, cls=LocalizedOption, help_key="help_mock_ofd_serve_drop")
@click.option("--no-answer", is_flag=True, cls=LocalizedOption, help_key="help_mock_ofd_serve_no_answer")
@click.option("--ofd-inn", default=DEFAULT_OFD_INN, show_default=True, metavar="INN", cls=LocalizedOption,
              help_key="help_mock_ofd_serve_ofd_inn")
@click.option("--no-verify-sign", is_flag=True, cls=LocalizedOption, help_key="help_mock_ofd_serve_no_verify_sign")
@click.option("--no-operator-sign", is_flag=True, cls=LocalizedOption,
              help_key="help_mock_ofd_serve_no_operator_sign")
@click.pass_context
def ofd_serve(ctx: click.Context, host: str, port: int, store_path: str, reject: int | None, delay: float,
              drop: bool, no_answer: bool, ofd_inn: str, no_verify_sign: bool, no_operator_sign: bool) -> None:
    """Run the mock ОФД until a stop signal; the help text is the catalogue entry ``help_mock_ofd_serve``."""
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
            raise CliError(message(key, lang, address=format_address(host, port), reason=os_reason(exc, lang)),
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
        raise CliError(message("ofd_store_failed", lang, path=path, reason=store_reason(exc, lang)), lang) from exc


@ofd.command("documents", cls=LocalizedCommand, help_key="help_mock_ofd_documents",
             short_help_key="help_mock_ofd_documents_short")
@click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True, type=click.Path(), metavar="DIR",
              cls=LocalizedOption, help_key="help_mock_ofd_documents_store")
@click.option("--json", "as_json", is_flag=True, cls=LocalizedOption, help_key="help_mock_ofd_documents_json")
@click.pass_context
def ofd_documents(ctx: click.Context, store_path: str, as_json: bool) -> None:
    """List the store's messages; the help text is the catalogue entry ``help_mock_ofd_documents``."""
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
        raise CliError(message("ofd_store_damaged", lang, path=path, reason=store_reason(exc, lang)), lang) from exc


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
