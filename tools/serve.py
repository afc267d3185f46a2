"""``kktemu serve``: run one emulated register on TCP and, optionally, a virtual serial port.

Startup binds the TCP port and publishes the pty before it opens the ФН file, so
a busy port or a bad pty path fails before a new ФН archive is created. The
ready lines are printed only after the SIGINT and SIGTERM handlers are
installed, so a supervisor that signals right after reading them gets a clean
stop (exit status 0, pty symlink removed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys

import click

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.ofd_link import OfdLink, link_emulator
from kktemu.emulator.profiles import FFD_VERSION_CODES, DeviceProfile, get_profile
from kktemu.emulator.transports.pty import PtyPort
from kktemu.emulator.transports.session import serialized
from kktemu.emulator.transports.tcp import TcpServer
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.errors import KktemuError
from kktemu.protocol.shtrih.link_v2 import PacketHistory

from .clock_option import clock_options, make_clock
from .errors import fn_open_error
from .fn_profile_option import describe_fn_profile, fn_profile_options, make_fn_profile
from .i18n import message
from .localized import LocalizedCommand, LocalizedOption
from .ofd import MockOfd
from .ofd_option import (
    BuiltinOfd,
    OfdAddress,
    check_not_register_address,
    make_ofd_target,
    ofd_options,
    start_builtin_ofd,
)
from .serving import format_address, install_stop_handlers, start_pty, start_tcp

logger = logging.getLogger(__name__)

DEFAULT_FN_FILE = "kktemu.fn"
PROFILE_NAME = "shtrih-m-01f"


@click.command(cls=LocalizedCommand, help_key="help_serve", short_help_key="help_serve_short")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS", cls=LocalizedOption,
              help_key="help_serve_host")
@click.option("--port", default=7778, show_default=True, type=click.IntRange(0, 65535), metavar="PORT",
              cls=LocalizedOption, help_key="help_serve_port")
@click.option("--pty", "pty_path", type=click.Path(dir_okay=False), metavar="PATH", cls=LocalizedOption,
              help_key="help_serve_pty")
@click.option("--fn-file", default=DEFAULT_FN_FILE, show_default=True, type=click.Path(), metavar="PATH",
              cls=LocalizedOption, help_key="help_serve_fn_file")
@click.option("--ffd", type=click.Choice(sorted(FFD_VERSION_CODES)), default="1.05", show_default=True,
              cls=LocalizedOption, help_key="help_serve_ffd")
@click.option("--tcp-ff/--no-tcp-ff", "tcp_ff", default=None, cls=LocalizedOption, help_key="help_serve_tcp_ff")
@ofd_options
@clock_options
@fn_profile_options
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, pty_path: str | None, fn_file: str, ffd: str,
          tcp_ff: bool | None, ofd: str | None, ofd_store: str | None, clock: str | None, freeze_clock: bool,
          fn_validity: str | None, no_flc: bool, strict_ofd: bool) -> None:
    """Run the register until a stop signal; the help text is the catalogue entry ``help_serve``."""
    lang = ctx.obj["lang"]
    emulated_clock = make_clock(clock, freeze_clock, lang)
    fn_profile = make_fn_profile(fn_validity, no_flc, strict_ofd, lang)
    ofd_target = make_ofd_target(ofd, ofd_store, lang)
    profile = get_profile(PROFILE_NAME, ffd)
    if tcp_ff is not None:
        profile = dataclasses.replace(profile, ff_after_ack_tcp=tcp_ff)
    try:
        asyncio.run(_serve(profile, fn_profile, fn_file, host, port, pty_path, lang, emulated_clock, ofd_target))
    except KeyboardInterrupt:
        # Ctrl+C in the moment before the loop's own SIGINT handler is installed.
        logger.info("interrupted during startup")
    click.echo(message("stopped", lang), err=True)


class _LateHandler:
    """Command handler whose emulator is attached after the transports are up."""

    def __init__(self) -> None:
        self.emulator: Emulator | None = None

    def __call__(self, body: bytes) -> bytes:
        if self.emulator is None:
            # Unreachable in practice: after TcpServer.start returns, nothing suspends
            # the coroutine until the emulator is attached, so no client data has been read yet.
            # The session would log this error and leave the command unanswered.
            raise KktemuError("a command arrived before the ФН file was opened")
        return self.emulator.execute(body)


async def _serve(profile: DeviceProfile, fn_profile: FnProfile, fn_file: str, host: str, port: int,
                 pty_path: str | None, lang: str, clock: Clock, ofd_target: OfdAddress | BuiltinOfd | None) -> None:
    stop = install_stop_handlers(logger)
    late_handler = _LateHandler()
    handler = serialized(late_handler)
    # One v2 packet history for both ports, as a register has one protocol state machine.
    history = PacketHistory()
    tcp = TcpServer(handler, host, port, ff_after_ack=profile.ff_after_ack_tcp, history=history)
    pty = PtyPort(handler, pty_path, ff_after_ack=profile.ff_after_ack_pty, history=history) if pty_path else None
    emulator = None
    link: OfdLink | None = None
    builtin_ofd: MockOfd | None = None
    try:
        await start_tcp(tcp, host, port, lang)
        if isinstance(ofd_target, OfdAddress):
            # Checked after binding, so port 0 is compared as the port the system picked.
            check_not_register_address(ofd_target, tcp.addresses, lang)
        if pty is not None:
            await start_pty(pty, lang)
        if isinstance(ofd_target, BuiltinOfd):
            builtin_ofd = await start_builtin_ofd(ofd_target, lang)
            assert builtin_ofd.address is not None
            ofd_address: OfdAddress | None = OfdAddress(*builtin_ofd.address)
        else:
            ofd_address = ofd_target
        emulator = _open_emulator(fn_file, profile, fn_profile, lang, clock)
        late_handler.emulator = emulator
        click.echo(message("fn_file", lang, path=fn_file, serial=emulator.fn_serial,
                           ffd=emulator.register.profile.ffd_version))
        click.echo(message("listening_tcp", lang, address=format_address(tcp.host, tcp.port)))
        if pty is not None:
            click.echo(message("listening_pty", lang, path=pty.path))
        if isinstance(ofd_target, BuiltinOfd):
            click.echo(message("ofd_store", lang, path=ofd_target.store))
        if ofd_address is not None:
            link = link_emulator(emulator, ofd_address.host, ofd_address.port, own_addresses=lambda: tcp.addresses)
            link.start()
            click.echo(message("ofd_address", lang, address=link.address))
        sys.stdout.flush()
        await stop.wait()
    finally:
        if link is not None:
            await link.close()
        if builtin_ofd is not None:
            await builtin_ofd.stop()
        if pty is not None:
            await pty.close()
        await tcp.close()
        if emulator is not None:
            emulator.close()


def _open_emulator(fn_file: str, profile: DeviceProfile, fn_profile: FnProfile, lang: str,
                   clock: Clock) -> Emulator:
    logger.info("emulated clock starts at %s%s", clock.now().isoformat(timespec="seconds"),
                ", frozen" if clock.frozen else "")
    logger.info("ФН profile: %s", describe_fn_profile(fn_profile))
    try:
        return Emulator(fn_file, profile=profile, clock=clock, fn_profile=fn_profile)
    except (KktemuError, OSError, LookupError) as exc:
        logger.debug("opening ФН file %s failed", fn_file, exc_info=True)
        raise fn_open_error(exc, fn_file, lang) from exc
