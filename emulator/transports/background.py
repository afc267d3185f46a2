"""Run emulator transports in a background thread, for tests and embedding.

A test starts the emulator in-process, points a real client (pyshtrih, pyserial, a
socket) at it from the test thread, and stops it at the end::

    with TransportThread(handler) as emulator:
        port = emulator.serve_tcp(port=0).port
        pty_path = emulator.serve_pty(str(tmp_path / "kkt")).path
        ...

The thread owns a private event loop. Every transport it starts, and every
``MemoryPort`` made with ``open_memory``, calls one handler wrapped by
``serialized``, so the register never runs two commands at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from kktemu.protocol.errors import KktemuError

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
    Methods block the calling thread until the loop has done the work. ``stop`` (or
    leaving the ``with`` block) closes every transport and ends the thread.
    """

    def __init__(self, handler: CommandHandler, *, name: str = "kktemu-transports") -> None:
        self.handler = serialized(handler)
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

        ``options`` are the keyword arguments of ``TcpServer``. Raises OSError when
        the address cannot be bound.
        """
        server = TcpServer(self.handler, host, port, **options)
        self._run(server.start())
        self._transports.append(server)
        return server

    def serve_pty(self, path: str, **options: Any) -> PtyPort:
        """Open a ``PtyPort`` published at ``path`` and return it once it reads.

        ``options`` are the keyword arguments of ``PtyPort``.
        """
        port = PtyPort(self.handler, path, **options)
        self._run(port.start())
        self._transports.append(port)
        return port

    def open_memory(self, **options: Any) -> MemoryPort:
        """Return a new ``MemoryPort`` that shares this thread's serialized handler.

        It runs in the caller's thread, not on the loop.
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
