"""Штрих-М protocol v1 over TCP: the transport of network registers (Ethernet, Wi-Fi, RNDIS).

Each accepted connection gets its own ``LinkSession``; every connection calls the
one shared handler from the event loop thread, so commands never run concurrently.
Several clients may be connected at once and are served in turn.

Flow control: a host that keeps sending but never reads would make the server
queue replies without limit, and a pending answer turns each 1-byte ENQ into up to
259 bytes of ACK and answer frame. So each connection reads at most ``READ_SIZE``
bytes at a time and stops reading while its unsent output is above
``WRITE_HIGH_WATER``; it reads again once the host has drained it below
``WRITE_LOW_WATER``. The host's own socket buffer then fills and its sends block,
as on a serial line whose device stops reading.

Latency: every accepted socket gets TCP_NODELAY, and TCP_QUICKACK is set again after
each read (Linux only; the kernel clears it by itself). Without QUICKACK, a client
that leaves Nagle's algorithm on and sends its ACK and next ENQ back to back waits for
the server's delayed ACK. Measured on a 2-vCPU loopback VM (scratch asyncio and
threaded servers), such a client stalled at about 23 transactions per second.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from kktemu.protocol.shtrih.link import DEFAULT_MAX_BUFFER

from .session import DEFAULT_BYTE_TIMEOUT, CommandHandler, LinkSession

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7778
"""The port real network registers listen on."""

READ_SIZE = 4096
"""Bytes read from a client per call, which bounds the replies produced per read."""

WRITE_HIGH_WATER = 64 * 1024
"""Unsent output bytes above which the connection stops reading from its client."""

WRITE_LOW_WATER = 16 * 1024
"""Unsent output bytes below which a paused connection reads again."""

_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def _format_peer(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)


class _Connection(asyncio.BufferedProtocol):
    """One accepted client: bytes in, ``LinkSession`` replies out."""

    def __init__(self, server: TcpServer) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None
        self.sock: socket.socket | None = None
        self._session: LinkSession | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._read_buffer = bytearray(READ_SIZE)
        self.reading_paused = False
        """Whether reading stopped because the client does not take its output."""
        self.read_pauses = 0
        """How many times reading stopped for that reason on this connection."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if self._server.closing:
            # Accepted by the kernel while the server was shutting down.
            transport.abort()
            return
        peer = _format_peer(transport.get_extra_info("peername"))
        self.sock = transport.get_extra_info("socket")
        if self.sock is not None:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._quickack()
        self._session = LinkSession(
            self._server.handler, peer, ff_after_ack=self._server.ff_after_ack, max_buffer=self._server.max_buffer
        )
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER, low=WRITE_LOW_WATER)
        self._server.connections.add(self)
        log.info("client %s connected to port %d", peer, self._server.port)

    def get_buffer(self, sizehint: int) -> memoryview:
        return memoryview(self._read_buffer)

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(bytes(self._read_buffer[:nbytes]))

    def data_received(self, data: bytes) -> None:
        assert self._session is not None and self._transport is not None
        self._quickack()
        output = self._session.feed(data)
        if output:
            self._transport.write(output)
        self._rearm_byte_timer()

    def pause_writing(self) -> None:
        # Called by the transport when its unsent output passes WRITE_HIGH_WATER.
        assert self._transport is not None and self._session is not None
        self.reading_paused = True
        self.read_pauses += 1
        self._transport.pause_reading()
        level = logging.WARNING if self.read_pauses == 1 else logging.DEBUG
        log.log(level, "client %s does not read its replies: stopped reading from it until it does (pause %d)",
                self._session.peer, self.read_pauses)

    def resume_writing(self) -> None:
        assert self._transport is not None
        self.reading_paused = False
        if not self._transport.is_closing():
            self._transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        self._server.connections.discard(self)
        session = self._session
        if session is None:
            return
        reason = f" ({exc})" if exc else ""
        log.info(
            "client %s disconnected%s after %d commands and %d protocol anomalies",
            session.peer, reason, session.commands_executed, session.anomalies,
        )

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def _quickack(self) -> None:
        if _QUICKACK is None or self.sock is None:
            return
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        except OSError:
            # The peer may already be gone; the next read reports that.
            pass

    def _rearm_byte_timer(self) -> None:
        self._cancel_timer()
        assert self._session is not None
        if self._session.has_partial_frame:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._server.byte_timeout, self._on_byte_timeout)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_byte_timeout(self) -> None:
        self._timer = None
        if self._session is None or self._transport is None or self._transport.is_closing():
            return
        output = self._session.expire_partial_frame()
        if output:
            self._transport.write(output)


class TcpServer:
    """A TCP listener serving the Штрих-М protocol to any number of clients.

    Use ``async with serve_tcp(...) as server`` or ``await server.start()`` and
    ``await server.close()``. ``port`` is the bound port (useful with port 0).
    ``byte_timeout`` is in seconds. ``ff_after_ack`` sends 0xFF after each host ACK
    of an answer, as real network registers do.
    """

    def __init__(
        self,
        handler: CommandHandler,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        ff_after_ack: bool = False,
        byte_timeout: float = DEFAULT_BYTE_TIMEOUT,
        max_buffer: int = DEFAULT_MAX_BUFFER,
    ) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.ff_after_ack = ff_after_ack
        self.byte_timeout = byte_timeout
        self.max_buffer = max_buffer
        self.connections: set[_Connection] = set()
        self.closing = False
        self._server: asyncio.Server | None = None

    async def start(self) -> TcpServer:
        """Bind and start listening; raises OSError when the address is unavailable."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("serving Штрих-М protocol on TCP %s port %d", self.host, self.port)
        return self

    async def close(self) -> None:
        """Stop listening and drop every client connection."""
        if self._server is None:
            return
        server, self._server = self._server, None
        self.closing = True
        server.close()
        for connection in list(self.connections):
            connection.abort()
        await server.wait_closed()
        # abort() reports connection_lost on the next loop iteration.
        await asyncio.sleep(0)
        log.info("stopped serving TCP %s port %d", self.host, self.port)

    async def __aenter__(self) -> TcpServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def serve_tcp(
    handler: CommandHandler,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    ff_after_ack: bool = False,
    byte_timeout: float = DEFAULT_BYTE_TIMEOUT,
    max_buffer: int = DEFAULT_MAX_BUFFER,
) -> TcpServer:
    """Create a ``TcpServer`` to use with ``async with``; it binds on entry."""
    return TcpServer(
        handler, host, port, ff_after_ack=ff_after_ack, byte_timeout=byte_timeout, max_buffer=max_buffer
    )
