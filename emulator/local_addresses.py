"""Whether a TCP address leads to a listening socket of this machine.

The register's ОФД link uses it so that it never sends to its own register,
and ``kktemu serve`` uses it to reject such an ``--ofd`` at start-up.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(text: str) -> IpAddress:
    """Parse an IP address as ``getaddrinfo`` and ``getsockname`` give it (an IPv6 scope "%eth0" is dropped).

    Raises ValueError when ``text`` is not an IP address.
    """
    return ipaddress.ip_address(text.partition("%")[0])


def is_local_address(ip: IpAddress) -> bool:
    """Return whether ``ip`` is an address of this machine: binding a socket to it succeeds only then."""
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(ip), 0))
    except OSError:
        return False
    return True


def reaches_listener(target: IpAddress, listener: IpAddress) -> bool:
    """Return whether a connection to ``target`` can arrive at a socket bound to ``listener`` on this machine.

    Loopback and unspecified addresses (127.0.0.1, ::1, 0.0.0.0, ::) all
    count as this machine, as do its own addresses for a wildcard listener.
    NOTE: any two loopback addresses match (127.0.0.1 and ::1 too), although
    they are separate sockets, so the answer errs toward True.
    """
    if listener.is_unspecified:
        return target.is_loopback or target.is_unspecified or is_local_address(target)
    if target.is_loopback or target.is_unspecified:
        # Linux sends a connection to 0.0.0.0 or :: to the loopback interface.
        return listener.is_loopback
    return target == listener


def matching_listener(targets: Iterable[str], port: int,
                      listening: Iterable[tuple[str, int]]) -> tuple[str, int] | None:
    """Return the (IP address, port) of ``listening`` that a connection to ``targets`` and ``port`` reaches.

    ``targets`` are IP addresses of one host. Returns None when no listener matches.
    """
    target_ips = [parse_ip(target) for target in targets]
    for listener_ip, listener_port in listening:
        if listener_port != port:
            continue
        listener = parse_ip(listener_ip)
        if any(reaches_listener(target, listener) for target in target_ips):
            return listener_ip, listener_port
    return None
