"""The root of every Python exception kktemu raises on purpose.

Device refusals are not exceptions: a register or ФН answers them with an error
code (see DESIGN, "device errors are data"). Exceptions are for misuse of the
library, malformed input that cannot be answered, and I/O failures.
"""


class KktemuError(Exception):
    """Base class of all kktemu exceptions."""


class DecodeError(KktemuError, ValueError):
    """Input bytes do not follow the wire format being decoded.

    ``offset`` is the position in the input where decoding failed, when known.
    """

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message if offset is None else f"{message} (at byte {offset})")
        self.offset = offset


class EncodeError(KktemuError, ValueError):
    """A value cannot be represented in the requested wire format."""
