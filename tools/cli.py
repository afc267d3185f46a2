"""The ``kktemu`` command line: thin click commands over the library."""

from __future__ import annotations

import logging

import click

from .fn_inspect import inspect
from .i18n import LANGUAGES, resolve_language
from .serve import serve

EPILOG = ("Exit status: 0 on success, 1 when an input (file, port, document number) cannot be used, "
          "2 for a wrong option or argument.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="Language of messages and tag names. Default: Russian when LC_ALL, LC_MESSAGES "
                   "or LANG (the first one set) starts with 'ru', else English.")
@click.option("-v", "--verbose", count=True,
              help="Log to stderr: -v for INFO, -vv for DEBUG with hex frames on the kktemu.wire logger.")
@click.pass_context
def main(ctx: click.Context, lang: str | None, verbose: int) -> None:
    """Emulator of a cloud fiscal cash register (ККТ) and its fiscal storage (ФН)."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = resolve_language(lang)
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.group(short_help="Read ФН archive files (fiscal storage dumps).")
def fn() -> None:
    """Read ФН archive files (fiscal storage dumps) written by `kktemu serve`."""


main.add_command(serve)
fn.add_command(inspect)
