"""F7h extended request (request type 1: model parameters) and FEh service commands.

Neither carries a password in the usual place. F7h sends a request type and
type-specific data. The answer's layout depends on that type, so the codec
keeps the answer data raw and ``ModelParameters`` encodes and decodes the
type 1 data. FEh sends a sub-function byte and its data, and the answer is
``FE 00 data`` and does not repeat the sub-function (javapos_shtrih
ServiceCommand, afilippov1985/kkt-shtrih Reboot).
"""

from __future__ import annotations

import dataclasses
import enum
from typing import ClassVar

import construct

from ..errors import DecodeError, EncodeError
from .commands_base import BytesTailMessage, Pair, construct_error_reason

MODEL_PARAMETERS = 1
"""The F7h request type that returns ``ModelParameters``."""


class ModelCapability(enum.IntFlag):
    """Bits of the 8-byte "Параметры модели" field of F7h type 1.

    Bits 0–42 are the spec's list. Bits 43 and 50 are named after their use:
    43 (ФН support) as javapos_shtrih reads it, and 50 (extended answers to the
    commands that form fiscal documents) as the spec's FF06h/FF45h notes cite it.
    """

    JOURNAL_WEIGHT_SENSOR = 1 << 0
    RECEIPT_WEIGHT_SENSOR = 1 << 1
    JOURNAL_OPTICAL_SENSOR = 1 << 2
    RECEIPT_OPTICAL_SENSOR = 1 << 3
    COVER_SENSOR = 1 << 4
    JOURNAL_LEVER_SENSOR = 1 << 5
    RECEIPT_LEVER_SENSOR = 1 << 6
    SLIP_TOP_SENSOR = 1 << 7
    SLIP_BOTTOM_SENSOR = 1 << 8
    PRESENTER = 1 << 9
    PRESENTER_COMMANDS = 1 << 10
    CUTTER = 1 << 13
    DRAWER_AS_PRESENTER_PAPER_SENSOR = 1 << 14
    DRAWER_SENSOR = 1 << 15
    PRESENTER_IN_SENSOR = 1 << 16
    PRESENTER_OUT_SENSOR = 1 << 17
    BILL_ACCEPTOR = 1 << 18
    TAX_KEYBOARD = 1 << 19
    JOURNAL = 1 << 20
    SLIP = 1 << 21
    NON_FISCAL_DOCUMENT_COMMANDS = 1 << 22
    CASH_CORE_PROTOCOL = 1 << 23
    INN_LEADING_ZEROS = 1 << 24
    RNM_LEADING_ZEROS = 1 << 25
    SWAP_GRAPHICS_LINE_BYTES = 1 << 26
    TAX_PASSWORD_LOCK = 1 << 27
    PROTOCOL_V2 = 1 << 28
    PRINT_LINE_FEED = 1 << 29
    PRINT_FONT_SWITCH = 1 << 30
    FISCAL_LINE_FEED = 1 << 31
    FISCAL_FONT_SWITCH = 1 << 32
    SENIOR_CASHIER_REPORTS = 1 << 33
    SLIP_RECEIPT_AND_LAST_PRINT_RESULT = 1 << 34
    BLOCK_GRAPHICS_LOAD = 1 << 35
    ERROR_NAME_COMMAND = 1 << 36
    GRAPHICS_PRINT_FLAGS = 1 << 37
    MFP = 1 << 39
    SCALED_GRAPHICS = 1 << 41
    GRAPHICS_512 = 1 << 42
    FISCAL_STORAGE = 1 << 43
    EXTENDED_DOCUMENT_ANSWERS = 1 << 50


_MODEL_PARAMETERS = construct.Struct(
    "capabilities" / construct.Int64ul,
    "font1_width" / construct.Int8ul,
    "font2_width" / construct.Int8ul,
    "first_graphics_line" / construct.Int8ul,
    "inn_digits" / construct.Int8ul,
    "rnm_digits" / construct.Int8ul,
    "long_rnm_digits" / construct.Int8ul,
    "long_serial_digits" / construct.Int8ul,
    "default_tax_password" / construct.Int32ul,
    "default_sysadmin_password" / construct.Int32ul,
    "bluetooth_table" / construct.Int8ul,
    "tax_field" / construct.Int8ul,
    "max_command_length" / construct.Int16ul,
    "graphics_line_width" / construct.Int8ul,
    "graphics512_width" / construct.Int8ul,
    "graphics512_lines" / construct.Int16ul,
)

MODEL_PARAMETERS_SIZE = _MODEL_PARAMETERS.sizeof()
"""Size of the F7h type 1 data the spec lists (31 bytes). Newer firmware appends more."""


@dataclasses.dataclass(frozen=True)
class ModelParameters:
    """The data of the F7h type 1 answer ("ПАРАМЕТРЫ МОДЕЛИ").

    ``capabilities`` contains ``ModelCapability`` bits. Widths are in characters
    (0: ask 26h), ``graphics_line_width`` and ``graphics512_width`` in bytes.
    ``max_command_length`` is the longest command the device takes (0: the
    default 255). ``bluetooth_table`` and ``tax_field`` are a table number and a
    table 1 field number, 0 when absent. ``extra`` keeps the bytes after the 31
    the spec lists. javapos_shtrih reads them as the table numbers of the ФН,
    the ОФД, embedded/internet use and the ФФД version, then the ФФД field number.
    """

    capabilities: int
    font1_width: int
    font2_width: int
    first_graphics_line: int
    inn_digits: int
    rnm_digits: int
    long_rnm_digits: int
    long_serial_digits: int
    default_tax_password: int
    default_sysadmin_password: int
    bluetooth_table: int
    tax_field: int
    max_command_length: int
    graphics_line_width: int
    graphics512_width: int
    graphics512_lines: int
    extra: bytes = b""

    def encode(self) -> bytes:
        """Return the answer data. Raises EncodeError when a field is outside its wire range."""
        values = {sub.name: getattr(self, sub.name) for sub in _MODEL_PARAMETERS.subcons}
        try:
            fixed = _MODEL_PARAMETERS.build(values)
        except construct.ConstructError as exc:
            raise EncodeError(f"ModelParameters: {construct_error_reason(exc)}") from exc
        if not isinstance(self.extra, (bytes, bytearray)):
            raise EncodeError(f"ModelParameters: extra is {type(self.extra).__name__}, expected bytes")
        return fixed + bytes(self.extra)

    @classmethod
    def decode(cls, data: bytes) -> ModelParameters:
        """Parse the answer data. Raises DecodeError when it is shorter than 31 bytes."""
        data = bytes(data)
        if len(data) < MODEL_PARAMETERS_SIZE:
            raise DecodeError(f"ModelParameters: data is {len(data)} bytes, expected at least {MODEL_PARAMETERS_SIZE}")
        parsed = _MODEL_PARAMETERS.parse(data[:MODEL_PARAMETERS_SIZE])
        values = {sub.name: parsed[sub.name] for sub in _MODEL_PARAMETERS.subcons}
        return cls(**values, extra=data[MODEL_PARAMETERS_SIZE:])


@dataclasses.dataclass(frozen=True)
class ExtendedRequest(BytesTailMessage):
    """F7h extended request: ``request_type`` (0–255) and type-specific ``data``, no password (LEN 2 + data)."""

    CODE: ClassVar[int] = 0xF7
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("request_type" / construct.Int8ul)

    request_type: int
    data: bytes = b""


@dataclasses.dataclass(frozen=True)
class ExtendedAnswer(BytesTailMessage):
    """F7h answer: ``data`` for the request type (LEN 2 + data, 33 for ``ModelParameters``)."""

    CODE: ClassVar[int] = 0xF7
    IS_ANSWER: ClassVar[bool] = True

    data: bytes

    @classmethod
    def of_model(cls, parameters: ModelParameters) -> ExtendedAnswer:
        """Return the answer to request type 1 carrying ``parameters``."""
        return cls(parameters.encode())

    def model_parameters(self) -> ModelParameters:
        """Parse ``data`` as the answer to request type 1. Raises DecodeError when it is too short."""
        return ModelParameters.decode(self.data)


class ServiceFunction(enum.IntEnum):
    """Sub-function bytes of FEh that javapos_shtrih (ServiceCommand) names, the common ones."""

    PRINTER_VERSION = 0xEB
    LOADER_VERSION = 0xEC
    DFU_REBOOT = 0xED
    WRITE_LICENSE = 0xEE
    READ_LICENSE = 0xEF
    PING = 0xF2
    REBOOT = 0xF3
    NON_ZEROABLE_SUMS = 0xF4


@dataclasses.dataclass(frozen=True)
class ServiceRequest(BytesTailMessage):
    """FEh service command: ``function`` (a ``ServiceFunction`` value or another byte) and its ``data``.

    Clients send a 4-byte parameter as ``data``: zeros for F3h reboot
    (afilippov1985/kkt-shtrih sends ``FE F3 00 00 00 00``), the receipt type for
    F4h. The spec of protocol v1.17 does not describe FEh.
    """

    CODE: ClassVar[int] = 0xFE
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("function" / construct.Int8ul)

    function: int
    data: bytes = b""


@dataclasses.dataclass(frozen=True)
class ServiceAnswer(BytesTailMessage):
    """FEh answer: ``FE 00`` and the sub-function's ``data``, without the sub-function byte."""

    CODE: ClassVar[int] = 0xFE
    IS_ANSWER: ClassVar[bool] = True

    data: bytes = b""


PAIRS: tuple[Pair, ...] = (
    (ExtendedRequest, ExtendedAnswer),
    (ServiceRequest, ServiceAnswer),
)

__all__ = [
    "MODEL_PARAMETERS", "MODEL_PARAMETERS_SIZE",
    "ExtendedAnswer", "ExtendedRequest", "ModelCapability", "ModelParameters", "ServiceAnswer", "ServiceFunction",
    "ServiceRequest",
]
