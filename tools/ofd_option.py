"""The ``--ofd`` and ``--ofd-store`` options of ``kktemu serve``: where the register sends its documents.

``--ofd HOST:PORT`` names an ОФД server (an IPv6 address goes in brackets,
``[::1]:7777``). ``--ofd builtin`` starts the mock ОФД (``tools/ofd``) in the
same process on 127.0.0.1 and a free port; it stores what arrives in the
``--ofd-store`` directory, which ``kktemu ofd documents`` lists. Without
``--ofd`` the register has no ОФД link and its documents stay queued in the
ФН, as on a register with no network.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Iterable

import click

from kktemu.emulator.local_addresses import matching_listener

from .errors import CliError, os_reason, store_reason
from .fn_profile_option import LocalizedOption
from .i18n import message
from .ofd import DirectoryStore, MockOfd
from .ofd.store import StoreError, StoreLockedError
from .ofd_cli import DEFAULT_STORE
from .serving import format_address

USAGE_EXIT_STATUS = 2
BUILTIN = "builtin"
BUILTIN_HOST = "127.0.0.1"


@dataclasses.dataclass(frozen=True)
class OfdAddress:
    """An ОФД server address: host name or IP address, and TCP port 1..65535."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclasses.dataclass(frozen=True)
class BuiltinOfd:
    """The choice ``--ofd builtin``: run the mock ОФД in-process, storing into directory ``store``."""

    store: str


def ofd_options(command: Callable) -> Callable:
    """Add ``--ofd HOST:PORT|builtin`` (``ofd``) and ``--ofd-store DIR`` (``ofd_store``) to a click command."""
    command = click.option("--ofd-store", "ofd_store", metavar="DIR", type=click.Path(),
                           cls=LocalizedOption, help_key="help_ofd_store")(command)
    return click.option("--ofd", "ofd", metavar="HOST:PORT|builtin", cls=LocalizedOption,
                        help_key="help_ofd")(command)


def make_ofd_target(ofd: str | None, ofd_store: str | None, lang: str) -> OfdAddress | BuiltinOfd | None:
    """Return where the options send documents: an ОФД address, the built-in mock ОФД, or None.

    ``builtin`` is matched without regard to case. Raises CliError with exit
    status 2 for a malformed ``--ofd``, for ``builtin`` with a port and for
    ``--ofd-store`` without ``--ofd builtin``, and with exit status 1 when the
    host does not resolve.
    """
    if ofd is not None and ofd.strip().lower() == BUILTIN:
        return BuiltinOfd(ofd_store if ofd_store is not None else DEFAULT_STORE)
    if ofd is not None and ofd.strip().lower().startswith(BUILTIN + ":"):
        # Without this check "builtin" would be looked up as a host name.
        raise _usage_error("ofd_builtin_port", ofd, lang)
    if ofd_store is not None:
        error = CliError(message("ofd_store_needs_builtin", lang, path=ofd_store), lang)
        error.exit_code = USAGE_EXIT_STATUS
        raise error
    if ofd is None:
        return None
    address = parse_ofd_address(ofd, lang)
    resolve_ofd_address(address, lang)
    return address


async def start_builtin_ofd(target: BuiltinOfd, lang: str) -> MockOfd:
    """Start the mock ОФД on 127.0.0.1 and a free port, storing into ``target.store``; return it running.

    Stop it with ``await server.stop()``. Raises CliError naming the directory
    and the fix when the store is used by another server or cannot be created
    or read; the server is stopped again then.
    """
    server = MockOfd()
    try:
        await server.start(BUILTIN_HOST, 0)
    except OSError as exc:
        raise CliError(message("builtin_ofd_failed", lang, reason=os_reason(exc, lang)), lang) from exc
    try:
        # No connection is served before the next await, so nothing reaches the memory store meanwhile.
        server.store = DirectoryStore(target.store)
    except StoreError as exc:
        await server.stop()
        key = "builtin_store_in_use" if isinstance(exc, StoreLockedError) else "builtin_store_failed"
        raise CliError(message(key, lang, path=target.store, reason=store_reason(exc, lang)), lang) from exc
    return server


def parse_ofd_address(value: str, lang: str) -> OfdAddress:
    """Parse ``HOST:PORT`` (``[IPv6]:PORT``) into an ``OfdAddress``.

    Raises CliError with exit status 2, naming the value and the expected form,
    when the host or the port is missing, the port is not a number in 1..65535,
    or an IPv6 address lacks its brackets.
    """
    text = value.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise _usage_error("ofd_no_port", value, lang)
        port_text = rest[1:]
    else:
        host, colon, port_text = text.rpartition(":")
        if not colon:
            raise _usage_error("ofd_no_port", value, lang)
        if ":" in host:
            raise _usage_error("ofd_ipv6_brackets", value, lang)
    if not host:
        raise _usage_error("ofd_no_host", value, lang)
    if not port_text:
        raise _usage_error("ofd_no_port", value, lang)
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise _usage_error("ofd_bad_port", value, lang, port=port_text)
    return OfdAddress(host, int(port_text))


def resolve_ofd_address(address: OfdAddress, lang: str) -> None:
    """Check that the host of ``address`` resolves; raise CliError (exit status 1) naming it when it does not.

    The link resolves the name again on every connection, so a changed DNS
    record takes effect without a restart.
    """
    try:
        socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = os_reason(exc, lang) if isinstance(exc, socket.gaierror) else message("host_name_invalid", lang)
        raise CliError(message("ofd_unresolved", lang, value=str(address), host=address.host,
                               reason=reason), lang) from exc


def check_not_register_address(address: OfdAddress, listening: Iterable[tuple[str, int]], lang: str) -> None:
    """Raise CliError (exit status 2) when ``address`` would reach one of the register's own TCP sockets.

    ``listening`` holds the bound (IP address, port) pairs of the register, so
    port 0 is already replaced by the real port. An ОФД address counts as the
    register when its port matches and it names the same machine: a loopback
    or unspecified address (127.0.0.1, localhost, ::1, 0.0.0.0) for a register
    on a loopback or wildcard address, the register's own address, or any
    address of this machine for a register listening on every address.
    A host that no longer resolves is left to the link, which logs the failure.
    """
    if not any(port == address.port for _ip, port in listening):
        return
    try:
        infos = socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return
    match = matching_listener((str(info[4][0]) for info in infos), address.port, listening)
    if match is not None:
        raise _usage_error("ofd_is_register", str(address), lang, register=format_address(*match))


def _usage_error(key: str, value: str, lang: str, **values: object) -> CliError:
    error = CliError(message(key, lang, value=value, **values), lang)
    error.exit_code = USAGE_EXIT_STATUS
    return error
