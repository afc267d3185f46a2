"""``kktemu serve``: run one emulated register on TCP and, optionally, a virtual serial port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import click

from kktemu.emulator.app import Emulator
from kktemu.emulator.profiles import FFD_VERSION_CODES, get_profile
from kktemu.emulator.transports.pty import PtyPathError, PtyPort
from kktemu.emulator.transports.session import serialized
from kktemu.emulator.transports.tcp import TcpServer
from kktemu.protocol.errors import KktemuError

from .errors import open_failure
from .i18n import message

logger = logging.getLogger(__name__)

DEFAULT_FN_FILE = "kktemu.fn"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on for TCP clients.")
@click.option("--port", default=7778, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port for the Штрих-М protocol; 0 picks a free port and prints it.")
@click.option("--pty", "pty_path", metavar="PATH",
              help="Also serve a virtual serial port and publish it as a symlink at PATH.")
@click.option("--fn-file", default=DEFAULT_FN_FILE, show_default=True, metavar="PATH",
              help="ФН archive file; a fresh test ФН is created and registered if it does not exist.")
@click.option("--ffd", type=click.Choice(sorted(FFD_VERSION_CODES)), default="1.05", show_default=True,
              help="ФФД version a new ФН is registered with (an existing ФН keeps its own).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, pty_path: str | None, fn_file: str, ffd: str) -> None:
    """Run an emulated ШТРИХ-М-01Ф register with its ФН until interrupted (Ctrl+C)."""
    lang = ctx.obj["lang"]
    try:
        emulator = Emulator(fn_file, profile=get_profile("shtrih-m-01f", ffd))
    except (KktemuError, OSError) as exc:
        raise open_failure(exc, fn_file, lang) from exc
    with emulator:
        click.echo(message("fn_file", lang, path=fn_file, serial=emulator.fn_serial,
                           ffd=emulator.register.profile.ffd_version))
        try:
            asyncio.run(_serve(emulator, host, port, pty_path, lang))
        except KeyboardInterrupt:
            pass
    click.echo(message("stopped", lang), err=True)


async def _serve(emulator: Emulator, host: str, port: int, pty_path: str | None, lang: str) -> None:
    handler = serialized(emulator.execute)
    profile = emulator.register.profile
    tcp = TcpServer(handler, host, port, ff_after_ack=profile.ff_after_ack)
    try:
        await tcp.start()
    except OSError as exc:
        raise click.ClickException(message("bind_failed", lang, address=f"{host}:{port}",
                                           reason=exc.strerror or exc)) from exc
    pty = None
    try:
        click.echo(message("listening_tcp", lang, address=f"{tcp.host}:{tcp.port}"))
        if pty_path:
            pty = PtyPort(handler, pty_path)
            try:
                await pty.start()
            except (OSError, PtyPathError) as exc:
                raise click.ClickException(message("pty_failed", lang, path=pty_path,
                                                   reason=getattr(exc, "strerror", None) or exc)) from exc
            click.echo(message("listening_pty", lang, path=pty_path))
        sys.stdout.flush()
        await _wait_for_stop_signal()
    finally:
        if pty is not None:
            await pty.close()
        await tcp.close()


async def _wait_for_stop_signal() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(number, stop.set)
    await stop.wait()
