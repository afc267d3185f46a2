"""The ``kktemu`` command line: thin click commands over the library."""

from __future__ import annotations

import logging

import click

from .fn_inspect import inspect
from .fn_serve import fn_serve
from .i18n import LANGUAGES, resolve_language
from .ofd_cli import ofd, ofd_documents, ofd_serve
from .serve import serve

EPILOG = ("Exit status: 0 on success, 1 when an input (file, port, document number) cannot be used, "
          "2 for a wrong option or argument.")


LANG_HELP = ("Language of messages and tag names. Default: Russian when LC_ALL, LC_MESSAGES "
             "or LANG (the first one set) starts with 'ru', else English.")
VERBOSE_HELP = "Log to stderr: -v for INFO, -vv for DEBUG with hex frames on the kktemu.wire logger."


def _log_level(verbose: int) -> int:
    if verbose >= 2:
        return logging.DEBUG
    return logging.INFO if verbose == 1 else logging.WARNING


def _set_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(dict)["lang"] = value


def _set_verbosity(_ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        logging.getLogger().setLevel(_log_level(value))


def accept_common_options(command: click.Command) -> click.Command:
    """Let ``--lang`` and ``-v`` also follow the subcommand (``kktemu serve -v``)."""
    command.params.extend([
        # Eager, so that "serve --lang ru --help" prints the help in Russian.
        click.Option(["--lang"], type=click.Choice(LANGUAGES), expose_value=False, callback=_set_language,
                     is_eager=True, help=LANG_HELP),
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_set_verbosity,
                     help=VERBOSE_HELP),
    ])
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(package_name="kktemu", message="kktemu %(version)s")
@click.option("--lang", type=click.Choice(LANGUAGES), help=LANG_HELP)
@click.option("-v", "--verbose", count=True, help=VERBOSE_HELP)
@click.pass_context
def main(ctx: click.Context, lang: str | None, verbose: int) -> None:
    """Emulator of a cloud fiscal cash register (ККТ) and its fiscal storage (ФН)."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = resolve_language(lang)
    logging.basicConfig(level=_log_level(verbose), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.group(short_help="Read ФН archive files (fiscal storage dumps), or serve a ФН alone.")
def fn() -> None:
    """Read ФН archive files (fiscal storage dumps) written by `kktemu serve`, or serve a ФН alone."""


main.add_command(accept_common_options(serve))
fn.add_command(accept_common_options(inspect))
fn.add_command(accept_common_options(fn_serve))
main.add_command(ofd)
ofd.add_command(accept_common_options(ofd_serve))
ofd.add_command(accept_common_options(ofd_documents))
