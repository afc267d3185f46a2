"""The ``--ofd`` option of ``kktemu serve``: where the register sends its documents.

``--ofd HOST:PORT`` names an ОФД server (an IPv6 address goes in brackets,
``[::1]:7779``). Without the option the register has no ОФД link and its
documents stay queued in the ФН, as on a register with no network.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable

import click

from .errors import CliError
from .fn_profile_option import LocalizedOption
from .i18n import message

USAGE_EXIT_STATUS = 2


@dataclasses.dataclass(frozen=True)
class OfdAddress:
    """An ОФД server address: host name or IP address, and TCP port 1..65535."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def ofd_option(command: Callable) -> Callable:
    """Add ``--ofd HOST:PORT`` (parameter ``ofd``, a string or None) to a click command."""
    return click.option("--ofd", "ofd", metavar="HOST:PORT", cls=LocalizedOption, help_key="help_ofd")(command)


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
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else str(exc)
        raise CliError(message("ofd_unresolved", lang, value=str(address), host=address.host,
                               reason=reason), lang) from exc


def _usage_error(key: str, value: str, lang: str, **values: object) -> CliError:
    error = CliError(message(key, lang, value=value, **values), lang)
    error.exit_code = USAGE_EXIT_STATUS
    return error
