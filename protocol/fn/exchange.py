"""Requests and answers of the ОФД exchange commands 20h..26h."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from enum import IntEnum, IntFlag

from ..errors import DecodeError
from ..ffd.tlv import read_tlv
from .fields import FieldReader, encode_date_time_or_none, encode_uint
from .message import decode_flag, encode_byte


class ExchangeFlags(IntFlag):
    """Status byte of 20h."""

    TRANSPORT_CONNECTED = 0x01
    MESSAGE_FOR_OFD = 0x02
    AWAITING_TICKET = 0x04
    COMMAND_FROM_OFD = 0x08
    CONNECTION_SETTINGS_CHANGED = 0x10
    AWAITING_COMMAND_ANSWER = 0x20


class TicketRejectReason(IntEnum):
    """Data byte of a 26h answer with result 20h: why the квитанция was rejected."""

    WRONG_FISCAL_SIGN = 1
    WRONG_FORMAT = 2
    WRONG_FD_NUMBER = 3
    WRONG_FN_NUMBER = 4
    WRONG_CRC = 5


@dataclass(frozen=True)
class ExchangeStatusAnswer:
    """20h answer: exchange flags, whether a read is under way, queue length and its head."""

    flags: int
    read_started: bool
    message_count: int
    first_fd_number: int
    first_document_time: _dt.datetime | None

    def encode(self) -> bytes:
        """Encode the 13-byte answer."""
        return (
            encode_byte(self.flags, "exchange flags")
            + encode_byte(int(self.read_started), "read state")
            + encode_uint(self.message_count, 2, "message count")
            + encode_uint(self.first_fd_number, 4, "first ФД number")
            + encode_date_time_or_none(self.first_document_time)
        )

    @classmethod
    def decode(cls, data: bytes) -> ExchangeStatusAnswer:
        """Decode the 13-byte answer."""
        reader = FieldReader(data, "20h answer")
        result = cls(
            reader.uint(1, "exchange flags"),
            decode_flag(reader.uint(1, "read state"), "read state"),
            reader.uint(2, "message count"),
            reader.uint(4, "first ФД number"),
            reader.date_time_or_none("first document time"),
        )
        reader.finish()
        return result


@dataclass(frozen=True)
class TransportStatusRequest:
    """21h: the ККТ reports the transport connection to the ОФД as up or down."""

    connected: bool

    def encode(self) -> bytes:
        """Encode the state byte."""
        return encode_byte(int(self.connected), "transport state")

    @classmethod
    def decode(cls, data: bytes) -> TransportStatusRequest:
        """Decode the 1-byte body."""
        reader = FieldReader(data, "21h request")
        result = cls(decode_flag(reader.uint(1, "transport state"), "transport state"))
        reader.finish()
        return result


@dataclass(frozen=True)
class OfdMessageLengthAnswer:
    """22h answer: length in bytes of the message for the ОФД."""

    length: int

    def encode(self) -> bytes:
        """Encode UInt16 LE."""
        return encode_uint(self.length, 2, "message length")

    @classmethod
    def decode(cls, data: bytes) -> OfdMessageLengthAnswer:
        """Decode the 2-byte answer."""
        reader = FieldReader(data, "22h answer")
        result = cls(reader.uint(2, "message length"))
        reader.finish()
        return result


@dataclass(frozen=True)
class ReadOfdBlockRequest:
    """23h: read up to ``length`` bytes of the message from ``offset``."""

    offset: int
    length: int

    def encode(self) -> bytes:
        """Encode two UInt16 LE."""
        return encode_uint(self.offset, 2, "offset") + encode_uint(self.length, 2, "length")

    @classmethod
    def decode(cls, data: bytes) -> ReadOfdBlockRequest:
        """Decode the 4-byte body."""
        reader = FieldReader(data, "23h request")
        result = cls(reader.uint(2, "offset"), reader.uint(2, "length"))
        reader.finish()
        return result


@dataclass(frozen=True)
class OfdTicketAnswer:
    """26h answer with result 00h: ОФД answer code and the optional operator STLV for the ККТ.

    With result 20h the answer is a single ``TicketRejectReason`` byte instead;
    decode that with ``OfdTicketAnswer.decode`` too (``operator_message`` empty).
    """

    ofd_code: int
    operator_message: bytes = b""

    def encode(self) -> bytes:
        """Encode the code byte and the STLV bytes."""
        return encode_byte(self.ofd_code, "ОФД answer code") + bytes(self.operator_message)

    @classmethod
    def decode(cls, data: bytes) -> OfdTicketAnswer:
        """Decode the code byte and check that the rest is one whole STLV (or nothing)."""
        reader = FieldReader(data, "26h answer")
        code = reader.uint(1, "ОФД answer code")
        message = reader.rest()
        if message:
            item = read_tlv(message)
            if item is None or item[2] != len(message):
                raise DecodeError("26h answer: operator message is not exactly one STLV", 1)
        return cls(code, message)
