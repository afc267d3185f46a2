"""Startup and shutdown steps shared by the serving commands (``kktemu serve``, ``kktemu fn serve``).

Each step turns an OSError into a ``CliError`` that names the address or path and
the fix, in the user's language.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket

from kktemu.emulator.transports.pty import PtyPathError, PtyPort
from kktemu.emulator.transports.tcp import TcpServer

from .errors import CliError, os_reason
from .i18n import message

# Bind errors that mean the host address is wrong rather than the port busy.
_HOST_ERRNOS = frozenset((errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT))


def install_stop_handlers(log: logging.Logger) -> asyncio.Event:
    """Return an event that SIGINT and SIGTERM set, each logged at INFO on ``log``.

    Call it inside the running loop.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def request_stop(number: signal.Signals) -> None:
        log.info("stopping on %s", number.name)
        stop.set()

    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, request_stop, number)
    return stop


async def start_tcp(tcp: TcpServer, host: str, port: int, lang: str) -> None:
    """Start ``tcp``; raise CliError when the host does not resolve or the port cannot be bound."""
    try:
        await tcp.start()
    except OSError as exc:
        key = "bad_host" if isinstance(exc, socket.gaierror) or exc.errno in _HOST_ERRNOS else "bind_failed"
        text = message(key, lang, address=format_address(host, port), reason=os_reason(exc, lang))
        raise CliError(text, lang) from exc


def format_address(host: str, port: int) -> str:
    """Return ``host:port``, with an IPv6 host in brackets ("[::1]:7778")."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def start_pty(pty: PtyPort, lang: str) -> None:
    """Open ``pty``; raise CliError when its symlink path is taken or cannot be created."""
    try:
        await pty.start()
    except PtyPathError as exc:
        raise CliError(message("pty_not_symlink", lang, path=pty.path), lang) from exc
    except OSError as exc:
        text = message("pty_failed", lang, path=pty.path, reason=os_reason(exc, lang))
        raise CliError(text, lang) from exc
