"""``kktemu fn serve``: a ФН alone, speaking the ФН interface framing on TCP or a virtual serial port.

Register firmware developers point their ФН driver at it instead of a ФН on a
UART: frames ``04 LEN16 CMD DATA CRC16`` in, ``04 LEN16 CODE DATA CRC16`` out
(``emulator.transports.fn_session``). A new ФН file gets a fresh test ФН in
phase 1, «готовность к фискализации», which the firmware registers itself with
02h, 07h and 03h. An existing file is reopened with its documents.

Startup binds the port or publishes the pty before it opens the ФН file, so a
busy port or a bad pty path fails before a new ФН archive is created.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from kktemu.emulator.clock import Clock
from kktemu.emulator.transports.fn_session import DEFAULT_FN_BYTE_TIMEOUT, FN_PROTOCOL_NAME, FnEndpoint
from kktemu.emulator.transports.pty import PtyPort
from kktemu.emulator.transports.tcp import TcpServer
from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.errors import KktemuError

from .clock_option import fn_clock_options, make_clock
from .errors import CliError, fn_open_error
from .fn_profile_option import describe_fn_profile, fn_profile_options, make_fn_profile
from .i18n import message
from .localized import LocalizedCommand, LocalizedOption
from .serving import format_address, install_stop_handlers, start_pty, start_tcp

logger = logging.getLogger(__name__)

DEFAULT_FN_FILE = "kktemu.fn"
DEFAULT_FN_PORT = 7779  # also written in help_fn_serve_port and help_fn_serve
"""TCP port of ``kktemu fn serve`` when neither --port nor --pty is given.

NOTE: a real ФН has no network port; 7779 is our choice, next to the register's 7778.
"""


class UsageCliError(CliError):
    """A wrong combination of options, in the user's language, with exit status 2 like click's usage errors."""

    exit_code = 2


@click.command("serve", cls=LocalizedCommand, help_key="help_fn_serve", short_help_key="help_fn_serve_short")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS", cls=LocalizedOption,
              help_key="help_fn_serve_host")
@click.option("--port", type=click.IntRange(0, 65535), metavar="PORT", cls=LocalizedOption,
              help_key="help_fn_serve_port")
@click.option("--pty", "pty_path", type=click.Path(dir_okay=False), metavar="PATH", cls=LocalizedOption,
              help_key="help_fn_serve_pty")
@click.option("--fn-file", default=DEFAULT_FN_FILE, show_default=True, type=click.Path(), metavar="PATH",
              cls=LocalizedOption, help_key="help_fn_serve_fn_file")
@fn_clock_options
@fn_profile_options
@click.pass_context
def fn_serve(ctx: click.Context, host: str, port: int | None, pty_path: str | None, fn_file: str,
             clock: str | None, freeze_clock: bool, fn_validity: str | None, no_flc: bool, strict_ofd: bool) -> None:
    """Serve the ФН until a stop signal; the help text is the catalogue entry ``help_fn_serve``."""
    lang = ctx.obj["lang"]
    if pty_path is not None and port is not None:
        raise UsageCliError(message("fn_serve_port_and_pty", lang, port=port, path=pty_path), lang)
    if pty_path is not None and ctx.get_parameter_source("host") is ParameterSource.COMMANDLINE:
        raise UsageCliError(message("fn_serve_host_and_pty", lang, host=host, path=pty_path), lang)
    emulated_clock = make_clock(clock, freeze_clock, lang)
    fn_profile = make_fn_profile(fn_validity, no_flc, strict_ofd, lang)
    try:
        asyncio.run(_serve(fn_file, host, DEFAULT_FN_PORT if port is None else port, pty_path, lang,
                           emulated_clock, fn_profile))
    except KeyboardInterrupt:
        # Ctrl+C in the moment before the loop's own SIGINT handler is installed.
        logger.info("interrupted during startup")
    click.echo(message("stopped", lang), err=True)


class _LateStorage:
    """The ФН command handler, whose storage is attached after the transport is up."""

    def __init__(self) -> None:
        self.storage: FiscalStorage | None = None

    def __call__(self, command: int, data: bytes) -> tuple[int, bytes]:
        if self.storage is None:
            # Unreachable in practice: nothing suspends the startup coroutine between
            # starting the transport and attaching the storage, so no data has been read.
            raise KktemuError("a ФН command arrived before the ФН file was opened")
        return self.storage.execute(command, data)


async def _serve(fn_file: str, host: str, port: int, pty_path: str | None, lang: str, clock: Clock,
                 fn_profile: FnProfile) -> None:
    stop = install_stop_handlers(logger)
    handler = _LateStorage()
    endpoint = FnEndpoint(handler)
    transport: TcpServer | PtyPort
    if pty_path is None:
        transport = TcpServer(None, host, port, session_factory=endpoint.new_session,
                              byte_timeout=DEFAULT_FN_BYTE_TIMEOUT, protocol_name=FN_PROTOCOL_NAME)
    else:
        transport = PtyPort(None, pty_path, session_factory=endpoint.new_session,
                            byte_timeout=DEFAULT_FN_BYTE_TIMEOUT, protocol_name=FN_PROTOCOL_NAME)
    storage = None
    try:
        if isinstance(transport, TcpServer):
            await start_tcp(transport, host, port, lang)
        else:
            await start_pty(transport, lang)
        storage = _open_storage(fn_file, clock, fn_profile, lang)
        handler.storage = storage
        click.echo(message("fn_serve_file", lang, path=fn_file, serial=storage.serial, phase=storage.phase))
        if isinstance(transport, TcpServer):
            click.echo(message("listening_tcp", lang, address=format_address(transport.host, transport.port)))
        else:
            click.echo(message("listening_pty", lang, path=transport.path))
        sys.stdout.flush()
        await stop.wait()
    finally:
        await transport.close()
        if storage is not None:
            storage.close()
            logger.info("ФН %s served %d commands", storage.serial, endpoint.commands_executed)


def _open_storage(fn_file: str, clock: Clock, fn_profile: FnProfile, lang: str) -> FiscalStorage:
    """Reopen the ФН archive at ``fn_file``, or create a fresh test ФН there; raise CliError when neither works.

    ``clock`` is the ФН timer and ``fn_profile`` the model's figures.
    """
    path = Path(fn_file)
    logger.info("ФН timer starts at %s%s", clock.now().isoformat(timespec="seconds"),
                ", frozen" if clock.frozen else "")
    logger.info("ФН profile: %s", describe_fn_profile(fn_profile))
    try:
        if path.exists():
            return FiscalStorage.open(path, clock, profile=fn_profile)
        serial = make_test_fn_serial(secrets.randbelow(1_000_000))
        storage = FiscalStorage.create(path, serial, clock, profile=fn_profile)
        logger.info("created test ФН %s in %s, waiting for its registration (02h, 03h)", serial, path)
        return storage
    except (KktemuError, OSError) as exc:
        logger.debug("opening ФН file %s failed", fn_file, exc_info=True)
        raise fn_open_error(exc, fn_file, lang) from exc
