"""The ``kktemu`` command line: thin click commands over the library."""

from __future__ import annotations

import logging

import click

from .fn_inspect import inspect
from .fn_serve import fn_serve
from .i18n import LANGUAGES
from .localized import LocalizedGroup, LocalizedOption, RootGroup
from .ofd_cli import ofd, ofd_documents, ofd_serve
from .serve import serve


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
        # RootGroup reads --lang before parsing, wherever it appears; eager keeps ctx.obj up to date
        # for the callbacks of the other options.
        LocalizedOption(["--lang"], type=click.Choice(LANGUAGES), expose_value=False, callback=_set_language,
                        is_eager=True, help_key="help_lang"),
        LocalizedOption(["-v", "--verbose"], count=True, expose_value=False, callback=_set_verbosity,
                        help_key="help_verbose"),
    ])
    return command


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]}, help_key="help_main",
             epilog_key="help_main_epilog")
@click.version_option(package_name="kktemu", message="kktemu %(version)s", cls=LocalizedOption,
                      help_key="help_version")
@click.option("--lang", type=click.Choice(LANGUAGES), cls=LocalizedOption, help_key="help_lang")
@click.option("-v", "--verbose", count=True, cls=LocalizedOption, help_key="help_verbose")
@click.pass_context
def main(ctx: click.Context, lang: str | None, verbose: int) -> None:
    """Run the ``kktemu`` command line; ``RootGroup`` has already set ``ctx.obj["lang"]`` from the arguments."""
    ctx.ensure_object(dict)
    if lang:
        ctx.obj["lang"] = lang
    logging.basicConfig(level=_log_level(verbose), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.group(cls=LocalizedGroup, help_key="help_fn", short_help_key="help_fn_short")
def fn() -> None:
    """Group the commands on ФН archive files and the lone ФН."""


main.add_command(accept_common_options(serve))
fn.add_command(accept_common_options(inspect))
fn.add_command(accept_common_options(fn_serve))
main.add_command(ofd)
ofd.add_command(accept_common_options(ofd_serve))
ofd.add_command(accept_common_options(ofd_documents))
