"""Answers of the service commands 30h..3Dh and the debug request 60h."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from enum import IntEnum, IntFlag

from .fields import (
    FieldReader,
    encode_ascii,
    encode_date,
    encode_date_time_or_none,
    encode_uint,
)
from .message import decode_flag, encode_byte

SERIAL_SIZE = 16
VERSION_SIZE = 16


class FnPhase(IntEnum):
    """Life phase byte of 30h; each bit marks a transition already made."""

    SETUP = 0x00
    READY_FOR_FISCALIZATION = 0x01
    FISCAL_MODE = 0x03
    POST_FISCAL_MODE = 0x07
    ARCHIVE_READ_ONLY = 0x0F


class CurrentDocument(IntEnum):
    """«Текущий документ» byte of 30h: the document begun and not yet formed."""

    NONE = 0x00
    REGISTRATION = 0x01
    OPEN_SHIFT = 0x02
    RECEIPT = 0x04
    CLOSE_SHIFT = 0x08
    CLOSE_FISCAL_MODE = 0x10
    BSO = 0x11
    REREGISTRATION_NEW_FN = 0x12
    REREGISTRATION = 0x13
    CORRECTION_RECEIPT = 0x14
    CORRECTION_BSO = 0x15
    SETTLEMENT_REPORT = 0x17


class FnWarning(IntFlag):
    """Warning flags byte of 30h; any of them sets bit 7 of answer codes."""

    CRYPTO_REPLACE_URGENT = 0x01
    CRYPTO_RESOURCE_ENDING = 0x02
    MEMORY_90_PERCENT = 0x04
    OFD_TIMEOUT = 0x08
    CRITICAL_ERROR = 0x80


@dataclass(frozen=True)
class StatusAnswer:
    """30h answer, 30 bytes.

    ``last_document_time`` is None (zeros) before the first document; ``serial``
    is the 16-character ФН number.
    """

    phase: int
    current_document: int
    has_document_data: bool
    shift_open: bool
    warnings: int
    last_document_time: _dt.datetime | None
    serial: str
    last_fd_number: int

    def encode(self) -> bytes:
        """Encode the 30-byte status."""
        return (
            encode_byte(self.phase, "phase")
            + encode_byte(self.current_document, "current document")
            + encode_byte(int(self.has_document_data), "document data")
            + encode_byte(int(self.shift_open), "shift state")
            + encode_byte(self.warnings, "warning flags")
            + encode_date_time_or_none(self.last_document_time)
            + encode_ascii(self.serial, SERIAL_SIZE)
            + encode_uint(self.last_fd_number, 4, "last ФД number")
        )

    @classmethod
    def decode(cls, data: bytes) -> StatusAnswer:
        """Decode the 30-byte status."""
        reader = FieldReader(data, "30h answer")
        result = cls(
            phase=reader.uint(1, "phase"),
            current_document=reader.uint(1, "current document"),
            has_document_data=decode_flag(reader.uint(1, "document data"), "document data"),
            shift_open=decode_flag(reader.uint(1, "shift state"), "shift state"),
            warnings=reader.uint(1, "warning flags"),
            last_document_time=reader.date_time_or_none("last document time"),
            serial=reader.ascii(SERIAL_SIZE, "ФН number"),
            last_fd_number=reader.uint(4, "last ФД number"),
        )
        reader.finish()
        return result


@dataclass(frozen=True)
class SerialAnswer:
    """31h answer: the ФН number, ASCII16."""

    serial: str

    def encode(self) -> bytes:
        """Encode the ФН number."""
        return encode_ascii(self.serial, SERIAL_SIZE)

    @classmethod
    def decode(cls, data: bytes) -> SerialAnswer:
        """Decode the 16-byte answer."""
        reader = FieldReader(data, "31h answer")
        result = cls(reader.ascii(SERIAL_SIZE, "ФН number"))
        reader.finish()
        return result


@dataclass(frozen=True)
class ExpiryAnswer:
    """32h answer: validity end date, registrations left and registrations made."""

    valid_until: _dt.date
    registrations_left: int
    registrations_done: int

    def encode(self) -> bytes:
        """Encode DATE and two count bytes."""
        return (
            encode_date(self.valid_until)
            + encode_byte(self.registrations_left, "registrations left")
            + encode_byte(self.registrations_done, "registrations done")
        )

    @classmethod
    def decode(cls, data: bytes) -> ExpiryAnswer:
        """Decode the 5-byte answer."""
        reader = FieldReader(data, "32h answer")
        result = cls(reader.date("valid until"), reader.uint(1, "registrations left"), reader.uint(1, "registrations done"))
        reader.finish()
        return result


@dataclass(frozen=True)
class VersionAnswer:
    """33h answer: firmware version text and whether it is a release (serial) build.

    A debug build (``is_release`` False) is the kind that accepts 60h.
    """

    version: str
    is_release: bool

    def encode(self) -> bytes:
        """Encode ASCII16 and the type byte."""
        return encode_ascii(self.version, VERSION_SIZE) + encode_byte(int(self.is_release), "software type")

    @classmethod
    def decode(cls, data: bytes) -> VersionAnswer:
        """Decode the 17-byte answer."""
        reader = FieldReader(data, "33h answer")
        result = cls(reader.ascii(VERSION_SIZE, "version"), decode_flag(reader.uint(1, "software type"), "software type"))
        reader.finish()
        return result


@dataclass(frozen=True)
class FfdVersionAnswer:
    """3Ah answer: ФФД version of the ФН now and the highest it supports (1209 codes)."""

    current: int
    maximum: int

    def encode(self) -> bytes:
        """Encode two bytes."""
        return encode_byte(self.current, "current ФФД version") + encode_byte(self.maximum, "maximum ФФД version")

    @classmethod
    def decode(cls, data: bytes) -> FfdVersionAnswer:
        """Decode the 2-byte answer."""
        reader = FieldReader(data, "3Ah answer")
        result = cls(reader.uint(1, "current ФФД version"), reader.uint(1, "maximum ФФД version"))
        reader.finish()
        return result


@dataclass(frozen=True)
class DaysLeftAnswer:
    """3Bh answer: days of validity left, UInt16 LE."""

    days: int

    def encode(self) -> bytes:
        """Encode the day count."""
        return encode_uint(self.days, 2, "days left")

    @classmethod
    def decode(cls, data: bytes) -> DaysLeftAnswer:
        """Decode the 2-byte answer."""
        reader = FieldReader(data, "3Bh answer")
        result = cls(reader.uint(2, "days left"))
        reader.finish()
        return result


@dataclass(frozen=True)
class FreeMemoryAnswer:
    """3Dh answer: documents that still fit the 5-year archive and free KB of the 30-day area.

    ФН-М models append one more byte about the marking area (``marking``).
    """

    documents_left: int
    ofd_area_free_kb: int
    marking: int | None = None

    def encode(self) -> bytes:
        """Encode two UInt32 LE and the optional byte."""
        body = encode_uint(self.documents_left, 4, "documents left") + encode_uint(
            self.ofd_area_free_kb, 4, "free KB"
        )
        if self.marking is not None:
            body += encode_byte(self.marking, "marking area")
        return body

    @classmethod
    def decode(cls, data: bytes) -> FreeMemoryAnswer:
        """Decode the 8- or 9-byte answer."""
        reader = FieldReader(data, "3Dh answer")
        documents_left = reader.uint(4, "documents left")
        free_kb = reader.uint(4, "free KB")
        marking = reader.uint(1, "marking area") if reader.remaining else None
        reader.finish()
        return cls(documents_left, free_kb, marking)


@dataclass(frozen=True)
class ResetStateRequest:
    """60h request of a debug ФН: 16h wipes the archive and returns to phase 1."""

    WIPE_ARCHIVE = 0x16

    code: int = WIPE_ARCHIVE

    def encode(self) -> bytes:
        """Encode the request code byte."""
        return encode_byte(self.code, "reset code")

    @classmethod
    def decode(cls, data: bytes) -> ResetStateRequest:
        """Decode the 1-byte body."""
        reader = FieldReader(data, "60h request")
        result = cls(reader.uint(1, "reset code"))
        reader.finish()
        return result
