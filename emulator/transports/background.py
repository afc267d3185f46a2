"""Run emulator transports in a background thread, for tests and embedding.

A test starts the emulator in-process, points a real client (pyshtrih, pyserial, a
socket) at it from the test thread, and stops it at the end::

    with TransportThread(handler) as emulator:
        port = emulator.serve_tcp(port=0).port
        pty_path = emulator.serve_pty(str(tmp_path / "kkt")).path
        ...

The thread owns a private event loop. Every transport it starts, and every
``MemoryPort`` made with ``open_memory``, calls one handler wrapped by
``serialized``, so the register never runs two commands at once. The TCP server
and the pty also share one protocol v2 ``PacketHistory``, like the one protocol
state machine of a real register. The 0xFF after ACK follows the device profile:
on for TCP and off for the pty unless a call overrides it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from kktemu.protocol.errors import KktemuError
from kktemu.protocol.shtrih.link_v2 import PacketHistory

from ..profiles import SHTRIH_M_01F, DeviceProfile
from .memory import MemoryPort
from .pty import PtyPort
from .session import CommandHandler, serialized
from .tcp import DEFAULT_HOST, TcpServer

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class TransportThreadError(KktemuError, RuntimeError):
    """The background transport thread is not running or did not stop in time."""


class TransportThread:
    """A daemon thread with its own event loop that serves transports for one register.

    ``handler`` is wrapped once with ``serialized`` and shared by every transport.
    ``profile`` supplies the per-transport 0xFF defaults (``ff_after_ack_tcp`` and
    ``ff_after_ack_pty``); it defaults to the stock ШТРИХ-М-01Ф profile.
    Methods block the calling thread until the loop has done the work. ``stop`` (or
    leaving the ``with`` block) closes every transport and ends the thread.
    """

    def __init__(
        self,
        handler: CommandHandler,
        *,
        profile: DeviceProfile = SHTRIH_M_01F,
        name: str = "kktemu-transports",
    ) -> None:
        self.handler = serialized(handler)
        self.profile = profile
        self.history = PacketHistory()
        """The protocol v2 packet history shared by the TCP server and the pty."""
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._transports: list[TcpServer | PtyPort] = []

    def start(self) -> TransportThread:
        """Start the thread and its event loop; returns self."""
        if self._thread is not None:
            raise TransportThreadError("the transport thread is already started")
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run_loop() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=run_loop, name=self._name, daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def serve_tcp(self, host: str = DEFAULT_HOST, port: int = 0, **options: Any) -> TcpServer:
        """Start a ``TcpServer`` (port 0 by default) and return it once it listens.

        ``options`` are the keyword arguments of ``TcpServer``; ``ff_after_ack``
        defaults to the profile's ``ff_after_ack_tcp`` and ``history`` to the shared
        one. Raises OSError when the address cannot be bound.
        """
        options.setdefault("ff_after_ack", self.profile.ff_after_ack_tcp)
        options.setdefault("history", self.history)
        server = TcpServer(self.handler, host, port, **options)
        self._run(server.start())
        self._transports.append(server)
        return server

    def serve_pty(self, path: str, **options: Any) -> PtyPort:
        """Open a ``PtyPort`` published at ``path`` and return it once it reads.

        ``options`` are the keyword arguments of ``PtyPort``; ``ff_after_ack``
        defaults to the profile's ``ff_after_ack_pty`` and ``history`` to the shared one.
        """
        options.setdefault("ff_after_ack", self.profile.ff_after_ack_pty)
        options.setdefault("history", self.history)
        port = PtyPort(self.handler, path, **options)
        self._run(port.start())
        self._transports.append(port)
        return port

    def open_memory(self, **options: Any) -> MemoryPort:
        """Return a new ``MemoryPort`` that shares this thread's serialized handler.

        It runs in the caller's thread, not on the loop, so it gets its own v2 packet
        history unless ``options`` passes one.
        """
        return MemoryPort(self.handler, **options)

    def stop(self, timeout: float = 5.0) -> None:
        """Close every transport, stop the loop and join the thread (``timeout`` in seconds).

        Raises TransportThreadError when the thread does not end within ``timeout``.
        """
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            self._run(self._close_all(), timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
            self._loop = self._thread = None
        if thread.is_alive():
            raise TransportThreadError(f"the transport thread did not stop within {timeout} s")
        loop.close()

    def __enter__(self) -> TransportThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _close_all(self) -> None:
        transports, self._transports = self._transports, []
        for transport in transports:
            try:
                await transport.close()
            except OSError as exc:
                log.error("closing %r failed: %s", transport, exc)

    def _run(self, coroutine: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
        if self._loop is None:
            coroutine.close()
            raise TransportThreadError("the transport thread is not running; call start() first")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)
