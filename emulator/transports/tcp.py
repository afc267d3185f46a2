"""Штрих-М protocol over TCP: the transport of network registers (Ethernet, Wi-Fi, RNDIS).

One client at a time. A register's network interface feeds one protocol state
machine, so the server serves one connection and lets later ones wait. They are
accepted but not read until every earlier client has disconnected, then served in
the order they connected. A waiting client sees an open connection whose replies
are late, as it would while the register finishes a long command. An idle client
that keeps its connection open therefore blocks every other client until it closes.

A waiting client's bytes stay in the kernel's socket buffer. So a client that
sends a command and disconnects before its turn still has that command executed
once, like a frame a serial register received. When ``max_waiting`` is set and that
many clients wait, the server stops accepting. Further clients then wait in the
kernel's listen backlog, so the server itself refuses nobody.

Waiting rather than refusing keeps reconnecting per operation reliable.
re-star-ru/shtrih-m-driver dials for every operation, and its next connection can
arrive before the server has seen the previous one close.
NOTE: no public source says whether a real ШТРИХ network register queues or
refuses a second connection; this queueing is our choice.

Each served connection gets a fresh ``LinkSession``, which detects protocol v1 or v2
from the first byte. A v1 answer the previous client left unacknowledged is
dropped with that client's session, so the next client's ENQ gets NAK. Protocol v2
packet numbers live in the server's ``PacketHistory``, shared by every connection,
so a v2 host that reconnects and repeats its last packet gets the cached answer
instead of a second execution. A ``session_factory`` replaces ``LinkSession`` with
a session of another framing (the ФН interface); the queueing of clients above
applies to it unchanged.

``ff_after_ack`` is on by default here: network registers send 0xFF after the
host's ACK of a v1 answer (vendor spec v1.17, appendix 3, note on RNDIS).

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
import collections
import logging
import socket

from kktemu.protocol.shtrih.link import DEFAULT_MAX_BUFFER
from kktemu.protocol.shtrih.link_v2 import PacketHistory

from .session import (
    DEFAULT_BYTE_TIMEOUT,
    SHTRIH_PROTOCOL_NAME,
    CommandHandler,
    LinkSession,
    Session,
    SessionFactory,
    format_hex,
)

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7778
"""The port real network registers listen on."""

LISTEN_BACKLOG = 100
"""Connections the kernel completes and queues while the server does not accept."""

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
    """One accepted client: waits for its turn, then bytes in, session replies out."""

    def __init__(self, server: TcpServer) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None
        self.sock: socket.socket | None = None
        self.peer = "?"
        self._session: Session | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._read_buffer = bytearray(READ_SIZE)
        self.reading_paused = False
        """Whether reading stopped because the client does not take its output."""
        self.read_pauses = 0
        """How many times reading stopped for that reason on this connection."""

    @property
    def session(self) -> Session | None:
        """The session, or None while the connection waits for its turn."""
        return self._session

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        server = self._server
        if server.closing:
            # Accepted by the kernel while the server was shutting down.
            transport.abort()
            return
        self.peer = _format_peer(transport.get_extra_info("peername"))
        self.sock = transport.get_extra_info("socket")
        if self.sock is not None:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._quickack()
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER, low=WRITE_LOW_WATER)
        server.add_connection(self)
        if server.active is None:
            log.info("client %s connected to port %d", self.peer, server.port)
            self.activate()
            return
        transport.pause_reading()
        server.waiting.append(self)
        log.info("client %s connected to port %d and waits until %s disconnects (%d waiting)",
                 self.peer, server.port, server.active.peer, len(server.waiting))

    def activate(self) -> None:
        """Start serving this connection: a fresh session, then read what the client sent."""
        assert self._transport is not None
        server = self._server
        server.active = self
        self._session = server.session_factory(self.peer)
        if not self._transport.is_reading():
            # Reading was paused while the client waited for its turn.
            log.info("client %s waited its turn and is now served on port %d", self.peer, server.port)
            self._transport.resume_reading()

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
        assert self._transport is not None
        self.reading_paused = True
        self.read_pauses += 1
        self._transport.pause_reading()
        level = logging.WARNING if self.read_pauses == 1 else logging.DEBUG
        log.log(level, "client %s does not read its replies: stopped reading from it until it does (pause %d)",
                self.peer, self.read_pauses)

    def resume_writing(self) -> None:
        assert self._transport is not None
        self.reading_paused = False
        if not self._transport.is_closing():
            self._transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        server = self._server
        server.remove_connection(self)
        reason = f" ({exc})" if exc else ""
        if self in server.waiting:
            server.waiting.remove(self)
            log.info("client %s disconnected%s before its turn", self.peer, reason)
            return
        session = self._session
        if session is None:
            return
        pending = session.pending_answer
        log.info(
            "client %s disconnected%s after %d commands and %d protocol anomalies%s",
            self.peer, reason, session.commands_executed, session.anomalies,
            f"; dropped the unacknowledged answer {format_hex(pending)}" if pending else "",
        )
        if server.active is self:
            server.active = None
            server.serve_next()

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
    """A TCP listener serving the Штрих-М protocol (v1 or v2), or another framing, to one client at a time.

    Use ``async with serve_tcp(...) as server`` or ``await server.start()`` and
    ``await server.close()``. ``port`` is the bound port (useful with port 0).
    ``byte_timeout`` is in seconds. ``ff_after_ack`` (on by default) sends 0xFF after
    each host ACK of a v1 answer, as real network registers do. ``history`` is the
    register's v2 ``PacketHistory``: pass the one its other transports use (a new one
    when omitted). ``max_waiting`` caps the accepted clients waiting for their turn
    (None, the default, accepts every client).
    ``session_factory`` builds each connection's session instead of a ``LinkSession``
    over ``handler``. ``handler``, ``ff_after_ack``, ``max_buffer`` and ``history``
    then have no effect, and ``handler`` may be None. ``protocol_name`` names the
    protocol in the start log line. Raises ValueError when ``handler`` and
    ``session_factory`` are both None, or ``max_waiting`` is negative.
    ``connections`` contains every accepted client, ``active`` the one being served
    and ``waiting`` the others in arrival order.
    """

    def __init__(
        self,
        handler: CommandHandler | None,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        ff_after_ack: bool = True,
        byte_timeout: float = DEFAULT_BYTE_TIMEOUT,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        history: PacketHistory | None = None,
        max_waiting: int | None = None,
        session_factory: SessionFactory | None = None,
        protocol_name: str = SHTRIH_PROTOCOL_NAME,
    ) -> None:
        if max_waiting is not None and max_waiting < 0:
            raise ValueError(f"max_waiting must be 0 or more, got {max_waiting}")
        if handler is None and session_factory is None:
            raise ValueError("TcpServer needs a command handler or a session factory")
        self.handler = handler
        self._serves_link = session_factory is None
        self.session_factory: SessionFactory = session_factory or self._new_link_session
        self.protocol_name = protocol_name
        self.host = host
        self.port = port
        self.ff_after_ack = ff_after_ack
        self.byte_timeout = byte_timeout
        self.max_buffer = max_buffer
        self.history = history if history is not None else PacketHistory()
        self.max_waiting = max_waiting
        self.connections: set[_Connection] = set()
        self.active: _Connection | None = None
        self.waiting: collections.deque[_Connection] = collections.deque()
        self.closing = False
        self._listeners: list[socket.socket] = []
        self._accept_tasks: list[asyncio.Task[None]] = []
        self._room = asyncio.Event()

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The bound (IP address, port) of every listening socket: empty before ``start`` and after ``close``."""
        return [listener.getsockname()[:2] for listener in self._listeners if listener.fileno() != -1]

    async def start(self) -> TcpServer:
        """Bind, listen and start accepting.

        Raises socket.gaierror when ``host`` does not resolve, and OSError when the
        address cannot be bound.
        """
        loop = asyncio.get_running_loop()
        self._listeners = await _listen(self.host, self.port)
        self.port = self._listeners[0].getsockname()[1]
        self._room.set()
        self._accept_tasks = [loop.create_task(self._accept(listener)) for listener in self._listeners]
        if self._serves_link:
            log.info("serving %s on TCP %s port %d (0xFF after ACK %s)",
                     self.protocol_name, self.host, self.port, "on" if self.ff_after_ack else "off")
        else:
            log.info("serving %s on TCP %s port %d", self.protocol_name, self.host, self.port)
        return self

    def _new_link_session(self, peer: str) -> LinkSession:
        assert self.handler is not None
        return LinkSession(
            self.handler, peer, ff_after_ack=self.ff_after_ack, max_buffer=self.max_buffer, history=self.history
        )

    def add_connection(self, connection: _Connection) -> None:
        """Record an accepted client; accepting pauses once ``max_waiting`` clients wait."""
        self.connections.add(connection)
        if self.max_waiting is not None and len(self.connections) > self.max_waiting:
            self._room.clear()

    def remove_connection(self, connection: _Connection) -> None:
        """Forget a disconnected client; accepting resumes when there is room again."""
        self.connections.discard(connection)
        if self.max_waiting is None or len(self.connections) <= self.max_waiting:
            self._room.set()

    def serve_next(self) -> None:
        """Serve the longest-waiting client, if any; called when the active one disconnects."""
        while self.waiting and self.active is None and not self.closing:
            connection = self.waiting.popleft()
            connection.activate()

    async def close(self) -> None:
        """Stop listening and drop every client connection, waiting ones included."""
        if not self._listeners:
            return
        self.closing = True
        for task in self._accept_tasks:
            task.cancel()
        await asyncio.gather(*self._accept_tasks, return_exceptions=True)
        self._accept_tasks = []
        for listener in self._listeners:
            listener.close()
        self._listeners = []
        for connection in list(self.connections):
            connection.abort()
        # abort() reports connection_lost on the next loop iteration.
        await asyncio.sleep(0)
        log.info("stopped serving TCP %s port %d", self.host, self.port)

    async def __aenter__(self) -> TcpServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._room.wait()
            try:
                sock, _address = await loop.sock_accept(listener)
            except OSError as exc:
                # For example EMFILE when out of descriptors: the client stays in the backlog.
                log.error("accepting a client on TCP port %d failed: %s", self.port, exc)
                await asyncio.sleep(0.1)
                continue
            try:
                await loop.connect_accepted_socket(lambda: _Connection(self), sock)
            except OSError as exc:
                log.warning("client connection on TCP port %d failed during setup: %s", self.port, exc)
                sock.close()


async def _listen(host: str, port: int) -> list[socket.socket]:
    """Return listening non-blocking sockets for every address ``host`` resolves to.

    Raises socket.gaierror when ``host`` does not resolve and OSError when binding
    fails. With port 0, every address gets the port the first one was given.
    """
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    listeners: list[socket.socket] = []
    try:
        for family, kind, proto, _name, address in dict.fromkeys(infos):
            listener = socket.socket(family, kind, proto)
            listeners.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # Each family gets its own socket, as asyncio's create_server does.
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(listeners) > 1:
                address = (address[0], listeners[0].getsockname()[1], *address[2:])
            listener.bind(address)
            listener.listen(LISTEN_BACKLOG)
            listener.setblocking(False)
    except BaseException:
        for listener in listeners:
            listener.close()
        raise
    return listeners


def serve_tcp(
    handler: CommandHandler,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    ff_after_ack: bool = True,
    byte_timeout: float = DEFAULT_BYTE_TIMEOUT,
    max_buffer: int = DEFAULT_MAX_BUFFER,
    history: PacketHistory | None = None,
    max_waiting: int | None = None,
) -> TcpServer:
    """Create a ``TcpServer`` to use with ``async with``; it binds on entry."""
    return TcpServer(
        handler, host, port, ff_after_ack=ff_after_ack, byte_timeout=byte_timeout, max_buffer=max_buffer,
        history=history, max_waiting=max_waiting,
    )
