"""An in-memory link for tests: the host end of a serial line wired straight to the device.

``MemoryPort`` runs the device side synchronously inside ``write``: by the time
``write`` returns, every reply and answer is waiting in the read buffer. No thread,
event loop or timer is involved, so tests are deterministic.

The byte timeout is simulated at read time. A ``read`` that finds nothing to return
while the device holds an incomplete frame acts as if the host had waited longer than
the byte timeout: the device drops the frame and returns its reply (NAK in protocol
v1, nothing in protocol v2).

The class also offers the subset of the pyserial ``Serial`` API that pyshtrih 2.0.6
uses (``read``, ``write``, ``open``, ``close``, ``isOpen``, ``flushInput``,
``flushOutput``, ``port``, ``timeout``), so a test can put it in place of the serial port
of an unmodified client.
"""

from __future__ import annotations

from kktemu.protocol.shtrih.link import DEFAULT_MAX_BUFFER
from kktemu.protocol.shtrih.link_v2 import LinkProtocol, PacketHistory

from .session import CommandHandler, LinkSession


class MemoryPort:
    """Host end of an in-memory link to one device session.

    ``handler`` executes commands in the thread that calls ``write``; wrap it with
    ``session.serialized`` when other transports share it from other threads.
    The session detects protocol v1 or v2 from the first byte unless ``protocol``
    fixes it. ``history`` is the device's v2 packet history (see ``LinkSession``);
    it has no lock, so share it only with transports running in the same thread.
    """

    def __init__(
        self,
        handler: CommandHandler,
        *,
        ff_after_ack: bool = False,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        peer: str = "memory",
        protocol: LinkProtocol | None = None,
        history: PacketHistory | None = None,
    ) -> None:
        self.session = LinkSession(
            handler, peer, ff_after_ack=ff_after_ack, max_buffer=max_buffer, protocol=protocol, history=history
        )
        self._received = bytearray()
        self.is_open = True
        self.port: str | None = peer
        self.timeout: float | None = None
        """Stored for pyserial clients that set it; reads never block, so it has no effect."""

    @property
    def in_waiting(self) -> int:
        """Bytes from the device waiting to be read."""
        return len(self._received)

    def write(self, data: bytes) -> int:
        """Send bytes to the device; its replies become readable at once. Returns len(data)."""
        self._received += self.session.feed(bytes(data))
        return len(data)

    def read(self, size: int = 1) -> bytes:
        """Return up to ``size`` bytes from the device, or b"" when there are none.

        An empty buffer with an incomplete frame at the device first expires that
        frame (the host has waited longer than the byte timeout). In protocol v1
        that yields a NAK.
        """
        if not self._received and self.session.has_partial_frame:
            self._received += self.session.expire_partial_frame()
        data = bytes(self._received[:size])
        del self._received[:size]
        return data

    def read_all(self) -> bytes:
        """Return every byte waiting from the device."""
        data = bytes(self._received)
        self._received.clear()
        return data

    def reset_input_buffer(self) -> None:
        """Discard unread bytes from the device."""
        self._received.clear()

    def reset_output_buffer(self) -> None:
        """Do nothing: writes reach the device at once, so no output is ever queued."""

    def flush(self) -> None:
        """Do nothing: writes reach the device at once."""

    def open(self) -> None:
        """Mark the port open again; the device session and its state are kept."""
        self.is_open = True

    def close(self) -> None:
        """Mark the port closed; the device session and its state are kept."""
        self.is_open = False

    def isOpen(self) -> bool:  # noqa: N802 - pyserial 2.x name that pyshtrih calls
        """Return ``is_open``."""
        return self.is_open

    flushInput = reset_input_buffer  # noqa: N815 - pyserial 2.x name
    flushOutput = reset_output_buffer  # noqa: N815 - pyserial 2.x name
