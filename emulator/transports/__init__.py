"""Transports that carry the Штрих-М protocol between a host and the emulated register.

``tcp`` (network registers, port 7778), ``pty`` (a serial port with a stable path),
``memory`` (an in-process serial line for tests) and ``background`` (transports run in
a thread with their own event loop). Each connection drives one
``session.LinkSession``, which detects protocol v1 (``link.DeviceLink``) or v2
(``link_v2.DeviceLinkV2``) from the host's first byte. TCP and pty also take a
``session_factory`` for another framing: ``fn_session.FnEndpoint`` serves the ФН
interface framing of a ФН alone (``kktemu fn serve``).
"""

from .background import TransportThread
from .fn_session import FnEndpoint, FnSession
from .memory import MemoryPort
from .pty import PtyPort, serve_pty
from .session import CommandHandler, LinkSession, serialized
from .tcp import TcpServer, serve_tcp

__all__ = [
    "CommandHandler",
    "FnEndpoint",
    "FnSession",
    "LinkSession",
    "MemoryPort",
    "PtyPort",
    "TcpServer",
    "TransportThread",
    "serialized",
    "serve_pty",
    "serve_tcp",
]
