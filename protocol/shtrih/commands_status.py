"""Status and identity commands: 10h short status, 11h long status, FCh device type.

Answer lengths (LEN, counting the command byte):

- 10h: 16 bytes, that is ``10 00`` and 14 bytes of fields, or 17 with the
  last-print result.
- 11h: 48 bytes, that is ``11 00`` and 46 bytes of fields, or 50 with the high
  word of the serial number.
- FCh: 8 bytes and the name.

The v1.17 PDF text drops the ФП and ЭКЛЗ fields of 10h and 11h from its lists,
but its stated lengths count them. pyshtrih 2.0.6 (handlers/commands.py) and
javapos_shtrih (ReadShortStatus, LongPrinterStatus) read them at the offsets
laid out here.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any, ClassVar

import construct

from ..errors import DecodeError
from .commands_base import Message, Pair, PasswordRequest
from .commands_fields import (
    DATE_DMY,
    TIME_HMS,
    UINT48,
    decode_text,
    encode_text,
    enum_byte,
    fixed_string,
)
from .errors import KktSubmode, split_mode_byte


class KktFlags(enum.IntFlag):
    """Bits of the 2-byte "Флаги ККТ" field of 10h and 11h named by the v1.17 spec."""

    JOURNAL_ROLL = 1 << 0
    RECEIPT_ROLL = 1 << 1
    JOURNAL_OPTICAL_SENSOR = 1 << 6
    RECEIPT_OPTICAL_SENSOR = 1 << 7
    JOURNAL_HEAD_LEVER_DOWN = 1 << 8
    RECEIPT_HEAD_LEVER_DOWN = 1 << 9
    CASE_COVER_UP = 1 << 10
    CASH_DRAWER_OPEN = 1 << 11
    JOURNAL_COVER_UP = 1 << 12


class _ModeFields:
    """Accessors for the mode byte shared by the two status answers."""

    mode: int

    @property
    def mode_number(self) -> int:
        """The mode, low nibble of ``mode`` (see ``KktMode``)."""
        return split_mode_byte(self.mode)[0]

    @property
    def mode_status(self) -> int:
        """The status of the mode, high nibble of ``mode`` (the document type in mode 8)."""
        return split_mode_byte(self.mode)[1]


@dataclasses.dataclass(frozen=True)
class ShortStatusRequest(PasswordRequest):
    """10h short status request. ``password``: operator, administrator or system administrator."""

    CODE: ClassVar[int] = 0x10


_SHORT_STATUS_PLAIN_FIELDS = ("operator", "flags", "mode", "submode", "battery_voltage", "power_voltage",
                              "fm_error", "ej_error", "reserved")


@dataclasses.dataclass(frozen=True)
class ShortStatusAnswer(_ModeFields, Message):
    """10h answer.

    ``operator`` is the operator number 1..30, ``flags`` the ``KktFlags`` bits,
    ``mode`` the whole mode byte, and ``receipt_operations`` the count of
    operations in the open receipt (two bytes on the wire, at offsets 6 and 11).
    Voltages and the ФП/ЭКЛЗ error bytes are raw. Real devices put non-zero bytes
    in ``reserved``, which is kept so that a decoded answer re-encodes unchanged.
    ``last_print_result`` is the optional 17th byte (0 printed, 1 paper break,
    2 printer error, 5 printing), None when absent.
    """

    CODE: ClassVar[int] = 0x10
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "operator" / construct.Int8ul,
        "flags" / construct.Int16ul,
        "mode" / construct.Int8ul,
        "submode" / enum_byte(KktSubmode),
        "operations_low" / construct.Int8ul,
        "battery_voltage" / construct.Int8ul,
        "power_voltage" / construct.Int8ul,
        "fm_error" / construct.Int8ul,
        "ej_error" / construct.Int8ul,
        "operations_high" / construct.Int8ul,
        "reserved" / construct.Bytes(3),
    )

    operator: int
    flags: int
    mode: int
    submode: KktSubmode
    receipt_operations: int = 0
    battery_voltage: int = 0
    power_voltage: int = 0
    fm_error: int = 0
    ej_error: int = 0
    reserved: bytes = b"\0\0\0"
    last_print_result: int | None = None

    def _layout_values(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in _SHORT_STATUS_PLAIN_FIELDS}
        operations = self.receipt_operations
        if not isinstance(operations, int) or not 0 <= operations <= 0xFFFF:
            raise construct.ValidationError(f"receipt_operations {operations!r} is outside 0..65535")
        values["operations_low"] = operations & 0xFF
        values["operations_high"] = operations >> 8
        return values

    @classmethod
    def _from_layout(cls, parsed: construct.Container) -> dict[str, Any]:
        values = {name: parsed[name] for name in _SHORT_STATUS_PLAIN_FIELDS}
        values["receipt_operations"] = parsed.operations_high << 8 | parsed.operations_low
        return values

    def _encode_tail(self) -> bytes:
        if self.last_print_result is None:
            return b""
        return construct.Int8ul.build(self.last_print_result)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) > 1:
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the reserved field, expected 0 or 1", offset)
        return {"last_print_result": tail[0] if tail else None}


@dataclasses.dataclass(frozen=True)
class LongStatusRequest(PasswordRequest):
    """11h long status request. ``password``: operator, administrator or system administrator."""

    CODE: ClassVar[int] = 0x11


@dataclasses.dataclass(frozen=True)
class LongStatusAnswer(_ModeFields, Message):
    """11h answer, 46 bytes of fields after ``11 00`` (LEN 48), or 48 (LEN 50).

    Versions are two cp1251 characters ("C2" reads as version C.2). ``serial_number``
    is the low 32 bits of the register serial (0xFFFFFFFF: not entered), and
    ``serial_number_high`` the optional high word, None when absent. ``inn`` is the
    6-byte binary ИНН (0xFFFFFFFFFFFF: not entered). The ``fm_`` fields describe the
    fiscal memory of registers made before the ФН and are still sent.
    """

    CODE: ClassVar[int] = 0x11
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "operator" / construct.Int8ul,
        "firmware_version" / fixed_string(2, "cp1251"),
        "firmware_build" / construct.Int16ul,
        "firmware_date" / DATE_DMY,
        "hall_number" / construct.Int8ul,
        "document_number" / construct.Int16ul,
        "flags" / construct.Int16ul,
        "mode" / construct.Int8ul,
        "submode" / enum_byte(KktSubmode),
        "port" / construct.Int8ul,
        "fm_firmware_version" / fixed_string(2, "cp1251"),
        "fm_firmware_build" / construct.Int16ul,
        "fm_firmware_date" / DATE_DMY,
        "date" / DATE_DMY,
        "time" / TIME_HMS,
        "fm_flags" / construct.Int8ul,
        "serial_number" / construct.Int32ul,
        "last_closed_shift" / construct.Int16ul,
        "fm_free_records" / construct.Int16ul,
        "registrations" / construct.Int8ul,
        "registrations_left" / construct.Int8ul,
        "inn" / UINT48,
    )

    operator: int
    firmware_version: str
    firmware_build: int
    firmware_date: datetime.date
    hall_number: int
    document_number: int
    flags: int
    mode: int
    submode: KktSubmode
    port: int
    fm_firmware_version: str
    fm_firmware_build: int
    fm_firmware_date: datetime.date
    date: datetime.date
    time: datetime.time
    fm_flags: int
    serial_number: int
    last_closed_shift: int
    fm_free_records: int
    registrations: int
    registrations_left: int
    inn: int
    serial_number_high: int | None = None

    def _encode_tail(self) -> bytes:
        if self.serial_number_high is None:
            return b""
        return construct.Int16ul.build(self.serial_number_high)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        # NOTE: the spec also lists a 52-byte form for some models without saying
        # what the two further bytes hold, so it is rejected here.
        if len(tail) not in (0, 2):
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the ИНН, expected 0 or 2", offset)
        return {"serial_number_high": int.from_bytes(tail, "little") if tail else None}


@dataclasses.dataclass(frozen=True)
class DeviceTypeRequest(Message):
    """FCh device type request: the command byte alone, no password."""

    CODE: ClassVar[int] = 0xFC


@dataclasses.dataclass(frozen=True)
class DeviceTypeAnswer(Message):
    """FCh answer: device identity and ``name`` (cp1251, to the end of the body, no padding).

    ШТРИХ-М-01Ф reports type 0 (ККТ), subtype 0, protocol 1.14, model 250, language 0
    (Russian). pyshtrih 2.0.6 picks its device class by a substring of ``name``.
    """

    CODE: ClassVar[int] = 0xFC
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "device_type" / construct.Int8ul,
        "device_subtype" / construct.Int8ul,
        "protocol_version" / construct.Int8ul,
        "protocol_subversion" / construct.Int8ul,
        "model" / construct.Int8ul,
        "language" / construct.Int8ul,
    )

    device_type: int
    device_subtype: int
    protocol_version: int
    protocol_subversion: int
    model: int
    language: int
    name: str

    def _encode_tail(self) -> bytes:
        return encode_text(self.name, name="device name")

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        return {"name": decode_text(tail, offset, name="device name")}


PAIRS: tuple[Pair, ...] = (
    (ShortStatusRequest, ShortStatusAnswer),
    (LongStatusRequest, LongStatusAnswer),
    (DeviceTypeRequest, DeviceTypeAnswer),
)


__all__ = [
    "DeviceTypeAnswer", "DeviceTypeRequest", "KktFlags", "LongStatusAnswer", "LongStatusRequest",
    "ShortStatusAnswer", "ShortStatusRequest",
]
