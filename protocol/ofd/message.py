"""A whole session-level message: the session header and its body.

The body is one container when flag bit 2 is set, and empty otherwise (the
service mode of protocol section 4.8). The ККТ's «Сообщение» and the server's
«Квитанция» have the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DecodeError, EncodeError
from .container import Container, read_container
from .session import (
    CLIENT_MESSAGE_FLAGS,
    FLAG_CONTAINER,
    P_VERSION_FFD_1_05,
    SessionHeader,
    check_flags,
    read_session_header,
)


class SessionChecksumError(DecodeError):
    """The session header's check code does not match the message.

    ``stored`` and ``computed`` are the two values.
    """

    def __init__(self, stored: int, computed: int):
        super().__init__(f"session check code is {stored:#06x}, the message gives {computed:#06x}", 28)
        self.stored = stored
        self.computed = computed


@dataclass(frozen=True)
class OfdMessage:
    """A message or квитанция: ФН serial, flags, P-protocol version and the container.

    ``container`` is None for a service-mode message. The body length and the
    check code are derived from the other fields by ``encode``.
    """

    fn_serial: str
    container: Container | None
    flags: int = CLIENT_MESSAGE_FLAGS
    protocol_version: int = P_VERSION_FFD_1_05

    @property
    def header(self) -> SessionHeader:
        """The session header ``encode`` writes (check code included)."""
        body = self._body()
        draft = SessionHeader(self.fn_serial, len(body), self.flags, self.protocol_version)
        return SessionHeader(self.fn_serial, len(body), self.flags, self.protocol_version, draft.session_crc(body))

    def encode(self) -> bytes:
        """Encode the header and the body.

        Raises EncodeError when the flags do not match the body (container
        flag without a container or the reverse), break table 2, or a field
        does not fit.
        """
        try:
            check_flags(self.flags)
        except DecodeError as exc:
            raise EncodeError(str(exc)) from None
        has_container = bool(self.flags & FLAG_CONTAINER)
        if has_container != (self.container is not None):
            raise EncodeError("the container flag (bit 2) must be set exactly when a container is sent")
        body = self._body()
        if len(body) > 0xFFFF:
            raise EncodeError(f"message body of {len(body)} bytes exceeds 65535")
        return self.header.encode() + body

    def _body(self) -> bytes:
        return b"" if self.container is None else self.container.encode()


def read_message(data: bytes, offset: int = 0, *, check_crc: bool = True) -> tuple[OfdMessage, int] | None:
    """Read one message at ``offset``; return it with the offset after it.

    Returns None when the data end before the message does. Raises
    SessionChecksumError or ContainerChecksumError for a wrong check code (when
    ``check_crc``) and DecodeError when the body does not match the header.
    """
    result = read_session_header(data, offset)
    if result is None:
        return None
    header, body_start = result
    end = body_start + header.body_length
    if len(data) < end:
        return None
    body = bytes(data[body_start:end])
    if check_crc:
        expected = header.session_crc(body)
        if header.crc != expected:
            raise SessionChecksumError(header.crc, expected)
    container = None
    if header.has_container:
        parsed = read_container(body, check_crc=check_crc)
        if parsed is None or parsed[1] != len(body):
            raise DecodeError(f"the {len(body)}-byte body is not exactly one container", body_start)
        container = parsed[0]
    elif body:
        raise DecodeError(f"the flags announce no container but the body has {len(body)} bytes", body_start)
    message = OfdMessage(header.fn_serial, container, header.flags, header.protocol_version)
    return message, end


def decode_message(data: bytes, *, check_crc: bool = True) -> OfdMessage:
    """Decode bytes that are exactly one message. Raises DecodeError as ``read_message`` does,
    and for missing or extra bytes."""
    result = read_message(data, check_crc=check_crc)
    if result is None:
        raise DecodeError(f"{len(data)} bytes end inside the message")
    message, end = result
    if end != len(data):
        raise DecodeError(f"{len(data) - end} bytes follow the message", end)
    return message
