"""ККТ ↔ ОФД exchange (FNS protocol v1.1.006), sans-IO.

* ``session`` — the 30-byte session header and its flags.
* ``container`` — the 32-byte container header, BCD ФН serial, container CRC.
* ``message`` — a whole message or квитанция: session header and container.
* ``confirmation`` — document form 7, the operator confirmation.
"""

from .confirmation import OperatorConfirmation
from .container import Container, ContainerChecksumError, decode_container, read_container
from .message import OfdMessage, SessionChecksumError, decode_message, read_message
from .session import SessionHeader, read_session_header

__all__ = [
    "Container",
    "ContainerChecksumError",
    "OfdMessage",
    "OperatorConfirmation",
    "SessionChecksumError",
    "SessionHeader",
    "decode_container",
    "decode_message",
    "read_container",
    "read_message",
    "read_session_header",
]
