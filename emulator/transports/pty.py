"""Штрих-М protocol over a pseudo-terminal: a serial port for clients that need a path.

The emulator opens a pty pair, keeps the master and publishes the slave's
``/dev/pts/N`` under a stable symlink chosen by the caller. Clients such as pyshtrih
open the symlink as if it were ``/dev/ttyUSB0``. The baud rate the client sets is
ignored (a pty has no line timing).

* Raw mode. The slave is switched to raw mode right after ``openpty``, and Linux keeps
  that setting while the master stays open. With the default line discipline, 0x03
  raises SIGINT, CR is translated, input waits for a newline and our own output is
  echoed back to us as if the host had sent it.
* Hang-up. The emulator closes its own slave descriptor after setup. Holding it would
  avoid EIO on the master but hide every client disconnect. Without it, a master read
  fails with EIO once the last client closes the slave. The port then stops reading
  and discards what the client left unread, for example the ACK and answer of a
  command it sent before exiting, which the next client would read as replies. Then it
  checks every ``poll_interval`` seconds whether a client has opened the slave again
  (the master stops reporting POLLHUP). A client that opens, writes and closes the
  slave between two checks is never seen as connected, but the master keeps what it
  wrote: the next check executes those commands and drops their replies.
* Each client session gets a fresh session, as each TCP connection does. The
  default ``LinkSession`` detects protocol v1 or v2 from the client's first byte,
  and a pending v1 answer of the previous client is dropped and logged. A real
  serial register cannot see the host close its port and would still hold that
  answer; its host would drain it on the next ENQ, so the fresh link differs only
  in sending NAK instead of that old answer. Protocol v2 packet numbers live in
  the port's ``PacketHistory`` and survive client sessions. A ``session_factory``
  serves another framing, such as the ФН interface, in its place.
* The symlink is replaced atomically (a temporary link renamed over it), refused
  when the path exists and is not a symlink, and removed on close while it still
  points to this port's device.
"""

from __future__ import annotations

import array
import asyncio
import errno
import fcntl
import logging
import os
import secrets
import select
import termios
import tty

from kktemu.protocol.errors import KktemuError
from kktemu.protocol.shtrih.link import DEFAULT_MAX_BUFFER
from kktemu.protocol.shtrih.link_v2 import PacketHistory

from .session import (
    DEFAULT_BYTE_TIMEOUT,
    SHTRIH_PROTOCOL_NAME,
    CommandHandler,
    LinkSession,
    Session,
    SessionFactory,
    byte_count,
    format_hex,
)

log = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 0.05
"""Seconds between checks for a client opening the slave while none has it open."""

MAX_PENDING_OUTPUT = 65536
"""Bytes kept for a client that does not read; later output is dropped with a warning."""

_READ_SIZE = 4096


class PtyPathError(KktemuError, FileExistsError):
    """The symlink path for the pty exists and is not a symlink."""


def publish_symlink(path: str, target: str) -> None:
    """Point the symlink ``path`` at ``target``, creating or atomically replacing it.

    Raises PtyPathError when ``path`` exists and is not a symlink, and OSError when
    its directory does not exist or is not writable.
    """
    if os.path.lexists(path) and not os.path.islink(path):
        raise PtyPathError(f"{path} exists and is not a symlink; remove it or choose another pty path")
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    os.symlink(target, temporary)
    try:
        os.replace(temporary, path)
    except OSError:
        os.unlink(temporary)
        raise


def _discard_unread_input(device: str) -> int:
    """Flush what the slave side has not read yet; return the number of bytes dropped."""
    fd = os.open(device, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        count = array.array("i", [0])
        fcntl.ioctl(fd, termios.FIONREAD, count)
        termios.tcflush(fd, termios.TCIFLUSH)
        return count[0]
    finally:
        os.close(fd)


class PtyPort:
    """A pty serving the Штрих-М protocol, or another framing, published at the symlink ``path``.

    Use ``async with serve_pty(...) as port`` or ``await port.start()`` and
    ``await port.close()``. ``device`` is the ``/dev/pts/N`` path behind the symlink.
    Times are in seconds. ``ff_after_ack`` is off by default because serial
    registers do not send the 0xFF. ``history`` is the register's v2
    ``PacketHistory``: pass the one its other transports use (a new one when omitted).
    ``session_factory`` builds each client session instead of a ``LinkSession``
    over ``handler``. ``handler``, ``ff_after_ack``, ``max_buffer`` and ``history``
    then have no effect, and ``handler`` may be None. ``protocol_name`` names the
    protocol in the start log line. Raises ValueError when ``handler`` and
    ``session_factory`` are both None.
    """

    def __init__(
        self,
        handler: CommandHandler | None,
        path: str,
        *,
        ff_after_ack: bool = False,
        byte_timeout: float = DEFAULT_BYTE_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        history: PacketHistory | None = None,
        session_factory: SessionFactory | None = None,
        protocol_name: str = SHTRIH_PROTOCOL_NAME,
    ) -> None:
        if handler is None and session_factory is None:
            raise ValueError("PtyPort needs a command handler or a session factory")
        self.handler = handler
        self.session_factory: SessionFactory = session_factory or self._new_link_session
        self.protocol_name = protocol_name
        self.path = path
        self.history = history if history is not None else PacketHistory()
        self.device: str | None = None
        self.ff_after_ack = ff_after_ack
        self.byte_timeout = byte_timeout
        self.poll_interval = poll_interval
        self.max_buffer = max_buffer
        self.session: Session | None = None
        """The current client's session, or None while no client has the slave open."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._master: int | None = None
        self._output = bytearray()
        self._dropped_output = 0
        self._byte_timer: asyncio.TimerHandle | None = None
        self._poll_timer: asyncio.TimerHandle | None = None

    @property
    def client_connected(self) -> bool:
        """Whether a client has the slave open (as last seen by the event loop)."""
        return self.session is not None

    async def start(self) -> PtyPort:
        """Open the pty, publish the symlink and wait for a client.

        Raises PtyPathError or OSError when the symlink cannot be published.
        """
        self._loop = asyncio.get_running_loop()
        master, slave = os.openpty()
        try:
            tty.setraw(slave)
            os.set_blocking(master, False)
            device = os.ttyname(slave)
            publish_symlink(self.path, device)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._master, self.device = master, device
        log.info("serving %s on pty %s -> %s", self.protocol_name, self.path, device)
        self._check_for_client()
        return self

    async def close(self) -> None:
        """Stop serving, close the pty and remove the symlink if it is still ours."""
        if self._master is None or self._loop is None:
            return
        if self.session is not None:
            self._end_client_session("the emulator closed the port")
        self._cancel_timers()
        self._loop.remove_reader(self._master)
        self._loop.remove_writer(self._master)
        os.close(self._master)
        self._master = None
        try:
            if os.readlink(self.path) == self.device:
                os.unlink(self.path)
        except OSError as exc:
            log.warning("could not remove pty symlink %s: %s", self.path, exc)
        log.info("stopped serving pty %s", self.path)

    async def __aenter__(self) -> PtyPort:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _check_for_client(self) -> None:
        self._poll_timer = None
        if self._master is None or self._loop is None:
            return
        poller = select.poll()
        poller.register(self._master, select.POLLIN)
        events = 0
        for _, mask in poller.poll(0):
            events |= mask
        if events & select.POLLHUP:
            if events & select.POLLIN:
                self._serve_departed_client()
            self._poll_timer = self._loop.call_later(self.poll_interval, self._check_for_client)
            return
        self.session = self._new_session()
        self._loop.add_reader(self._master, self._on_readable)
        log.info("client opened pty %s", self.path)

    def _serve_departed_client(self) -> None:
        """Execute what a client wrote before closing the slave between two checks.

        A serial register executes every frame it receives, whether or not its
        host still listens, so these commands run now. Their replies are dropped:
        the master would keep them for the next client, which must not read them.
        """
        assert self._master is not None
        session = self._new_session()
        received = 0
        while True:
            try:
                data = os.read(self._master, _READ_SIZE)
            except BlockingIOError:
                break
            except OSError as exc:
                # EIO once the bytes the client left are read.
                if exc.errno != errno.EIO:
                    log.error("reading pty %s failed: %s", self.path, exc)
                break
            if not data:
                break
            received += len(data)
            session.feed(data)
        session.expire_partial_frame()
        log.info(
            "client opened and closed pty %s between two checks: read %s, executed %d commands, "
            "dropped the replies",
            self.path, byte_count(received), session.commands_executed,
        )

    def _new_session(self) -> Session:
        return self.session_factory(self.path)

    def _new_link_session(self, peer: str) -> LinkSession:
        assert self.handler is not None
        return LinkSession(
            self.handler, peer, ff_after_ack=self.ff_after_ack, max_buffer=self.max_buffer, history=self.history
        )

    def _end_client_session(self, reason: str) -> None:
        assert self._master is not None and self._loop is not None and self.session is not None
        session, self.session = self.session, None
        self._loop.remove_reader(self._master)
        self._loop.remove_writer(self._master)
        self._cancel_timers()
        stale = len(self._output)
        self._output.clear()
        dropped, self._dropped_output = self._dropped_output, 0
        try:
            stale += _discard_unread_input(self.device or "")
        except OSError as exc:
            log.warning("could not discard unread output on pty %s: %s", self.path, exc)
        pending = session.pending_answer
        log.info(
            "client closed pty %s (%s) after %d commands and %d protocol anomalies; "
            "dropped %s of output while it was not reading; discarded %s unread%s",
            self.path, reason, session.commands_executed, session.anomalies, byte_count(dropped), byte_count(stale),
            f" and the unacknowledged answer {format_hex(pending)}" if pending else "",
        )

    def _on_readable(self) -> None:
        assert self._master is not None and self._loop is not None and self.session is not None
        try:
            data = os.read(self._master, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno != errno.EIO:
                log.error("reading pty %s failed: %s", self.path, exc)
            # EIO: the last client closed the slave.
            self._end_client_session("hang-up" if exc.errno == errno.EIO else str(exc))
            self._poll_timer = self._loop.call_later(self.poll_interval, self._check_for_client)
            return
        if not data:
            return
        self._write(self.session.feed(data))
        self._rearm_byte_timer()

    def _write(self, data: bytes) -> None:
        if not data or self._master is None or self._loop is None:
            return
        if self._output:
            self._queue_output(data)
            return
        try:
            written = os.write(self._master, data)
        except BlockingIOError:
            written = 0
        except OSError as exc:
            log.error("writing %s to pty %s failed: %s", byte_count(len(data)), self.path, exc)
            return
        if written < len(data):
            self._queue_output(data[written:])
            self._loop.add_writer(self._master, self._on_writable)

    def _queue_output(self, data: bytes) -> None:
        room = MAX_PENDING_OUTPUT - len(self._output)
        if len(data) > room:
            # One warning per client session; the session end logs the total.
            if not self._dropped_output:
                log.warning("pty %s: client is not reading, dropping output beyond %d queued bytes",
                            self.path, MAX_PENDING_OUTPUT)
            self._dropped_output += len(data) - room
            data = data[:room]
        self._output += data

    def _on_writable(self) -> None:
        assert self._master is not None and self._loop is not None
        try:
            written = os.write(self._master, self._output)
        except BlockingIOError:
            return
        except OSError as exc:
            log.error("writing to pty %s failed, %s dropped: %s", self.path, byte_count(len(self._output)), exc)
            written = len(self._output)
        del self._output[:written]
        if not self._output:
            self._loop.remove_writer(self._master)

    def _rearm_byte_timer(self) -> None:
        if self._byte_timer is not None:
            self._byte_timer.cancel()
            self._byte_timer = None
        if self.session is not None and self.session.has_partial_frame and self._loop is not None:
            self._byte_timer = self._loop.call_later(self.byte_timeout, self._on_byte_timeout)

    def _cancel_timers(self) -> None:
        for timer in (self._byte_timer, self._poll_timer):
            if timer is not None:
                timer.cancel()
        self._byte_timer = self._poll_timer = None

    def _on_byte_timeout(self) -> None:
        self._byte_timer = None
        if self.session is not None:
            self._write(self.session.expire_partial_frame())


def serve_pty(
    handler: CommandHandler,
    path: str,
    *,
    ff_after_ack: bool = False,
    byte_timeout: float = DEFAULT_BYTE_TIMEOUT,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    max_buffer: int = DEFAULT_MAX_BUFFER,
    history: PacketHistory | None = None,
) -> PtyPort:
    """Create a ``PtyPort`` to use with ``async with``; it opens the pty on entry."""
    return PtyPort(
        handler, path, ff_after_ack=ff_after_ack, byte_timeout=byte_timeout,
        poll_interval=poll_interval, max_buffer=max_buffer, history=history,
    )
