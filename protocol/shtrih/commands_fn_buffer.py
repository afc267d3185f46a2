"""The register's data buffer and authorisation: FF30h–FF33h read and write the buffer,
FF64h pass a TLV from the buffer to the ФН, FF65h/FF66h random data and authorisation.

The buffer carries data longer than one frame: a TLV over 250 bytes for FF64h,
or the marking data of FF61h. FF30h–FF33h and FF64h take the system
administrator password, FF65h and FF66h an operator password. Answer lengths
(LEN): FF30h 6, FF31h 3 + data, FF32h 4, FF33h/FF64h/FF66h 3, FF65h 19.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import construct

from ..errors import DecodeError, EncodeError
from .commands_base import (
    PASSWORD,
    BytesTailMessage,
    EmptyAnswer,
    Message,
    Pair,
    PasswordRequest,
)

RANDOM_SIZE = 16
"""Size of the random data of FF65h and of the authorisation data of FF66h."""


@dataclasses.dataclass(frozen=True)
class BufferStatusRequest(PasswordRequest):
    """FF30h how much data the buffer holds."""

    CODE: ClassVar[int] = 0xFF30


@dataclasses.dataclass(frozen=True)
class BufferStatusAnswer(Message):
    """FF30h answer: ``size`` of the data in the buffer (0: none) and the largest ``block_size`` of FF31h (LEN 6)."""

    CODE: ClassVar[int] = 0xFF30
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "size" / construct.Int16ul,
        "block_size" / construct.Int8ul,
    )

    size: int
    block_size: int


@dataclasses.dataclass(frozen=True)
class ReadBufferRequest(Message):
    """FF31h read ``count`` bytes of the buffer from ``offset``, LEN 9."""

    CODE: ClassVar[int] = 0xFF31
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "offset" / construct.Int16ul,
        "count" / construct.Int8ul,
    )

    password: int
    offset: int
    count: int


@dataclasses.dataclass(frozen=True)
class ReadBufferAnswer(BytesTailMessage):
    """FF31h answer: the ``data`` read (LEN 3 + N)."""

    CODE: ClassVar[int] = 0xFF31
    IS_ANSWER: ClassVar[bool] = True

    data: bytes


@dataclasses.dataclass(frozen=True)
class StartBufferWriteRequest(Message):
    """FF32h start writing ``size`` bytes into the buffer, LEN 8."""

    CODE: ClassVar[int] = 0xFF32
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "size" / construct.Int16ul)

    password: int
    size: int


@dataclasses.dataclass(frozen=True)
class StartBufferWriteAnswer(Message):
    """FF32h answer: the largest ``block_size`` FF33h takes (LEN 4)."""

    CODE: ClassVar[int] = 0xFF32
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("block_size" / construct.Int8ul)

    block_size: int


@dataclasses.dataclass(frozen=True)
class WriteBufferRequest(Message):
    """FF33h write ``data`` into the buffer at ``offset``, LEN 9 + N.

    The wire carries the data's length in a byte before it, and ``decode`` rejects a
    body whose length byte differs from the bytes that follow.
    """

    CODE: ClassVar[int] = 0xFF33
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "offset" / construct.Int16ul)

    password: int
    offset: int
    data: bytes

    def _encode_tail(self) -> bytes:
        if not isinstance(self.data, (bytes, bytearray)):
            raise EncodeError(f"WriteBufferRequest: data is {type(self.data).__name__}, expected bytes")
        if len(self.data) > 0xFF:
            raise EncodeError(f"WriteBufferRequest: data is {len(self.data)} bytes, the maximum is 255")
        return bytes((len(self.data),)) + bytes(self.data)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if not tail:
            raise DecodeError(f"{cls.__name__}: body ends before the data length byte", offset)
        if tail[0] != len(tail) - 1:
            raise DecodeError(f"{cls.__name__}: length byte is {tail[0]}, but {len(tail) - 1} bytes of data follow",
                              offset)
        return {"data": tail[1:]}


@dataclasses.dataclass(frozen=True)
class WriteBufferAnswer(EmptyAnswer):
    """FF33h answer: ``FF 33 00``, no fields."""

    CODE: ClassVar[int] = 0xFF33


@dataclasses.dataclass(frozen=True)
class SendBufferTlvRequest(PasswordRequest):
    """FF64h pass the TLV loaded into the buffer to the ФН, like FF0Ch for a longer block."""

    CODE: ClassVar[int] = 0xFF64


@dataclasses.dataclass(frozen=True)
class SendBufferTlvAnswer(EmptyAnswer):
    """FF64h answer: ``FF 64 00``, no fields."""

    CODE: ClassVar[int] = 0xFF64


@dataclasses.dataclass(frozen=True)
class RandomDataRequest(PasswordRequest):
    """FF65h random data for the authorisation of FF66h."""

    CODE: ClassVar[int] = 0xFF65


@dataclasses.dataclass(frozen=True)
class RandomDataAnswer(Message):
    """FF65h answer: 16 bytes of random ``data`` (LEN 19)."""

    CODE: ClassVar[int] = 0xFF65
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("data" / construct.Bytes(RANDOM_SIZE))

    data: bytes


@dataclasses.dataclass(frozen=True)
class AuthorizeRequest(Message):
    """FF66h authorise with 16 bytes of ``data`` derived from the FF65h random data, LEN 22."""

    CODE: ClassVar[int] = 0xFF66
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD,
                                                          "data" / construct.Bytes(RANDOM_SIZE))

    password: int
    data: bytes


@dataclasses.dataclass(frozen=True)
class AuthorizeAnswer(EmptyAnswer):
    """FF66h answer: ``FF 66 00``, no fields."""

    CODE: ClassVar[int] = 0xFF66


PAIRS: tuple[Pair, ...] = (
    (BufferStatusRequest, BufferStatusAnswer),
    (ReadBufferRequest, ReadBufferAnswer),
    (StartBufferWriteRequest, StartBufferWriteAnswer),
    (WriteBufferRequest, WriteBufferAnswer),
    (SendBufferTlvRequest, SendBufferTlvAnswer),
    (RandomDataRequest, RandomDataAnswer),
    (AuthorizeRequest, AuthorizeAnswer),
)

__all__ = [
    "RANDOM_SIZE",
    "AuthorizeAnswer", "AuthorizeRequest", "BufferStatusAnswer", "BufferStatusRequest", "RandomDataAnswer",
    "RandomDataRequest", "ReadBufferAnswer", "ReadBufferRequest", "SendBufferTlvAnswer", "SendBufferTlvRequest",
    "StartBufferWriteAnswer", "StartBufferWriteRequest", "WriteBufferAnswer", "WriteBufferRequest",
]
