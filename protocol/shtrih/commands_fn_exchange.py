"""ФН exchange state: FF39h exchange status with the ОФД, FF3Fh documents without a квитанция,
FF63h free resources.

All take the system administrator password. Answer lengths (LEN): FF39h 16,
FF3Fh 5, FF63h 11, or 12 with the marking notification byte.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any, ClassVar

import construct

from ..errors import DecodeError
from .commands_base import Message, Pair, PasswordRequest
from .commands_fields import FN_DATETIME, STRICT_BOOL


class ExchangeStatus(enum.IntFlag):
    """Bits of the information exchange status byte of FF39h."""

    TRANSPORT_CONNECTED = 1 << 0
    MESSAGE_FOR_OFD = 1 << 1
    AWAITING_TICKET = 1 << 2
    COMMAND_FROM_OFD = 1 << 3
    CONNECTION_SETTINGS_CHANGED = 1 << 4
    AWAITING_COMMAND_ANSWER = 1 << 5


@dataclasses.dataclass(frozen=True)
class UnconfirmedCountRequest(PasswordRequest):
    """FF3Fh count of fiscal documents without an ОФД квитанция."""

    CODE: ClassVar[int] = 0xFF3F


@dataclasses.dataclass(frozen=True)
class UnconfirmedCountAnswer(Message):
    """FF3Fh answer: ``count``, 2 bytes (LEN 5).

    The spec and pyshtrih 2.0.6 use 2 bytes. javapos_shtrih (FSReadDocCount) reads
    4, so it cannot read a spec-conformant answer.
    """

    CODE: ClassVar[int] = 0xFF3F
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("count" / construct.Int16ul)

    count: int


@dataclasses.dataclass(frozen=True)
class ExchangeStatusRequest(PasswordRequest):
    """FF39h information exchange status with the ОФД."""

    CODE: ClassVar[int] = 0xFF39


@dataclasses.dataclass(frozen=True)
class ExchangeStatusAnswer(Message):
    """FF39h answer, LEN 16.

    ``status`` contains ``ExchangeStatus`` bits and ``reading`` tells whether a
    message is being read out for the ОФД. ``queue_size`` is the number of
    messages waiting for the ОФД, ``first_fd_number`` and ``first_datetime``
    describe the oldest of them (0 and None when the queue is empty).
    """

    CODE: ClassVar[int] = 0xFF39
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "status" / construct.Int8ul,
        "reading" / STRICT_BOOL,
        "queue_size" / construct.Int16ul,
        "first_fd_number" / construct.Int32ul,
        "first_datetime" / FN_DATETIME,
    )

    status: int
    reading: bool
    queue_size: int
    first_fd_number: int
    first_datetime: datetime.datetime | None


@dataclasses.dataclass(frozen=True)
class FnMemoryRequest(PasswordRequest):
    """FF63h free resources of the ФН."""

    CODE: ClassVar[int] = 0xFF63


@dataclasses.dataclass(frozen=True)
class FnMemoryAnswer(Message):
    """FF63h answer, LEN 11, or 12 with ``notification_fill``.

    ``documents_left`` is the approximate number of documents the 5-year storage
    still takes, ``free_kilobytes`` the free space for documents kept 30 days.
    ``notification_fill`` is how full the marking notification storage is, in
    percent. The ФН omits it (None) when it is registered without marking.
    """

    CODE: ClassVar[int] = 0xFF63
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "documents_left" / construct.Int32ul,
        "free_kilobytes" / construct.Int32ul,
    )

    documents_left: int
    free_kilobytes: int
    notification_fill: int | None = None

    def _encode_tail(self) -> bytes:
        return b"" if self.notification_fill is None else construct.Int8ul.build(self.notification_fill)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) > 1:
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the layout, expected 0 or 1", offset)
        return {"notification_fill": tail[0] if tail else None}


PAIRS: tuple[Pair, ...] = (
    (ExchangeStatusRequest, ExchangeStatusAnswer),
    (UnconfirmedCountRequest, UnconfirmedCountAnswer),
    (FnMemoryRequest, FnMemoryAnswer),
)

__all__ = [
    "ExchangeStatus", "ExchangeStatusAnswer", "ExchangeStatusRequest", "FnMemoryAnswer", "FnMemoryRequest",
    "UnconfirmedCountAnswer", "UnconfirmedCountRequest",
]
