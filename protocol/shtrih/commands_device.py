"""Device commands: exchange parameters, technological reset, test run, registers, drawer,
paper feed, repeat document, font parameters, error names.

14h/15h set/read exchange parameters, 16h technological reset, 19h/2Bh start and
stop a test run, 1Ah cash register, 1Bh operation register, 28h open the cash
drawer, 29h feed paper, 8Ch repeat the last document, 26h font parameters, 6Bh
error name. Answer lengths (LEN):

- 14h, 16h: 2 (``CMD 00``). 15h: 4. 1Ah: 9. 1Bh: 5. 26h: 7.
- 19h, 2Bh, 28h, 29h, 8Ch: 3 (operator).
- 6Bh: 2 + the name.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import construct

from ..errors import DecodeError
from .commands_base import (
    PASSWORD,
    EmptyAnswer,
    Message,
    OperatorAnswer,
    Pair,
    PasswordRequest,
)
from .commands_fields import UINT48, decode_text, encode_text

TCP_PORT_NUMBER = 128
"""The port number of 14h/15h that selects the TCP socket instead of a COM port."""


def tcp_port_from_code(code: int) -> int:
    """Return the TCP port that the 14h/15h port byte ``code`` stands for when the port number is 128.

    The high nibble of ``code`` becomes bits 15..12 of the port, the low nibble
    bits 3..0, and bits 7..4 are fixed at 3: code 57 gives 12345.
    """
    return (code >> 4) << 12 | 3 << 4 | (code & 0x0F)


@dataclasses.dataclass(frozen=True)
class SetExchangeParametersRequest(Message):
    """14h set exchange parameters of ``port`` (0–127 COM ports, 128 TCP), LEN 8.

    ``speed`` is the baud rate code (0–9: 2400, 4800, 9600, 19200, 38400, 57600,
    115200, 230400, 460800, 921600), or for port 128 the TCP port code of
    ``tcp_port_from_code``. ``byte_timeout`` is the non-linear timeout code:
    0–150 in ms, 151–249 in steps of 150 ms, 250–255 in steps of 15 s.
    """

    CODE: ClassVar[int] = 0x14
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "port" / construct.Int8ul,
        "speed" / construct.Int8ul,
        "byte_timeout" / construct.Int8ul,
    )

    password: int
    port: int
    speed: int
    byte_timeout: int


@dataclasses.dataclass(frozen=True)
class SetExchangeParametersAnswer(EmptyAnswer):
    """14h answer: ``14 00``, no fields."""

    CODE: ClassVar[int] = 0x14


@dataclasses.dataclass(frozen=True)
class ReadExchangeParametersRequest(Message):
    """15h read the exchange parameters of ``port``, LEN 6."""

    CODE: ClassVar[int] = 0x15
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "port" / construct.Int8ul)

    password: int
    port: int


@dataclasses.dataclass(frozen=True)
class ReadExchangeParametersAnswer(Message):
    """15h answer: ``speed`` code and ``byte_timeout`` code as in 14h (LEN 4)."""

    CODE: ClassVar[int] = 0x15
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "speed" / construct.Int8ul,
        "byte_timeout" / construct.Int8ul,
    )

    speed: int
    byte_timeout: int


@dataclasses.dataclass(frozen=True)
class TechnologicalResetRequest(Message):
    """16h technological reset: the command byte alone, no password (LEN 1)."""

    CODE: ClassVar[int] = 0x16


@dataclasses.dataclass(frozen=True)
class TechnologicalResetAnswer(EmptyAnswer):
    """16h answer: ``16 00``, no fields."""

    CODE: ClassVar[int] = 0x16


@dataclasses.dataclass(frozen=True)
class StartTestRunRequest(Message):
    """19h start a test run printing every ``period`` minutes (1–99), LEN 6."""

    CODE: ClassVar[int] = 0x19
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "period" / construct.Int8ul)

    password: int
    period: int


@dataclasses.dataclass(frozen=True)
class StartTestRunAnswer(OperatorAnswer):
    """19h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x19


@dataclasses.dataclass(frozen=True)
class StopTestRunRequest(PasswordRequest):
    """2Bh stop the test run."""

    CODE: ClassVar[int] = 0x2B


@dataclasses.dataclass(frozen=True)
class StopTestRunAnswer(OperatorAnswer):
    """2Bh answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x2B


@dataclasses.dataclass(frozen=True)
class CashRegisterRequest(Message):
    """1Ah read cash register ``register``, LEN 6, or 7 with a 2-byte number.

    Registers 0–255 are sent in one byte. ``wide`` sends the number in two bytes,
    as models with cashier registers (К-регистры) take it. Numbers above 255
    need it. javapos_shtrih (ReadCashRegister) picks the width the same way.
    """

    CODE: ClassVar[int] = 0x1A
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD)

    password: int
    register: int
    wide: bool = False

    def _encode_tail(self) -> bytes:
        if self.wide:
            return construct.Int16ul.build(self.register)
        return construct.Int8ul.build(self.register)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) not in (1, 2):
            raise DecodeError(f"{cls.__name__}: register number is {len(tail)} bytes, expected 1 or 2", offset)
        return {"register": int.from_bytes(tail, "little"), "wide": len(tail) == 2}


@dataclasses.dataclass(frozen=True)
class CashRegisterAnswer(Message):
    """1Ah answer: ``operator`` number and the register's ``value``, 6 bytes (LEN 9), in kopecks for money registers."""

    CODE: ClassVar[int] = 0x1A
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("operator" / construct.Int8ul, "value" / UINT48)

    operator: int
    value: int


@dataclasses.dataclass(frozen=True)
class OperationRegisterRequest(Message):
    """1Bh read operation register ``register`` (0–255), LEN 6."""

    CODE: ClassVar[int] = 0x1B
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "register" / construct.Int8ul)

    password: int
    register: int


@dataclasses.dataclass(frozen=True)
class OperationRegisterAnswer(Message):
    """1Bh answer: ``operator`` number and the register's ``value``, 2 bytes (LEN 5)."""

    CODE: ClassVar[int] = 0x1B
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("operator" / construct.Int8ul, "value" / construct.Int16ul)

    operator: int
    value: int


@dataclasses.dataclass(frozen=True)
class OpenDrawerRequest(Message):
    """28h open cash drawer ``drawer`` (0 or 1), LEN 6."""

    CODE: ClassVar[int] = 0x28
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "drawer" / construct.Int8ul)

    password: int
    drawer: int


@dataclasses.dataclass(frozen=True)
class OpenDrawerAnswer(OperatorAnswer):
    """28h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x28


@dataclasses.dataclass(frozen=True)
class FeedRequest(Message):
    """29h feed ``lines`` lines (1–255), LEN 7. ``flags``: bit 0 control tape, 1 receipt tape, 2 slip document."""

    CODE: ClassVar[int] = 0x29
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "flags" / construct.Int8ul,
        "lines" / construct.Int8ul,
    )

    password: int
    flags: int
    lines: int


@dataclasses.dataclass(frozen=True)
class FeedAnswer(OperatorAnswer):
    """29h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x29


@dataclasses.dataclass(frozen=True)
class RepeatDocumentRequest(PasswordRequest):
    """8Ch print a copy of the last closed sale, purchase or return receipt."""

    CODE: ClassVar[int] = 0x8C


@dataclasses.dataclass(frozen=True)
class RepeatDocumentAnswer(OperatorAnswer):
    """8Ch answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x8C


@dataclasses.dataclass(frozen=True)
class FontParametersRequest(Message):
    """26h parameters of font ``font``, LEN 6."""

    CODE: ClassVar[int] = 0x26
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "font" / construct.Int8ul)

    password: int
    font: int


@dataclasses.dataclass(frozen=True)
class FontParametersAnswer(Message):
    """26h answer, LEN 7: ``print_width`` in dots, ``char_width`` and ``line_height`` in dots
    (spacing included), and ``font_count``, the number of fonts of the device."""

    CODE: ClassVar[int] = 0x26
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "print_width" / construct.Int16ul,
        "char_width" / construct.Int8ul,
        "line_height" / construct.Int8ul,
        "font_count" / construct.Int8ul,
    )

    print_width: int
    char_width: int
    line_height: int
    font_count: int


@dataclasses.dataclass(frozen=True)
class ErrorNameRequest(Message):
    """6Bh name of error ``error``: the command byte and the error code, no password (LEN 2).

    Models with F7h model parameter bit 49 also take the command byte alone for
    the last error, and ``error`` is None then (LEN 1).
    """

    CODE: ClassVar[int] = 0x6B

    error: int | None

    def _encode_tail(self) -> bytes:
        return b"" if self.error is None else construct.Int8ul.build(self.error)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) > 1:
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the command, expected 0 or 1", offset)
        return {"error": tail[0] if tail else None}


@dataclasses.dataclass(frozen=True)
class ErrorNameAnswer(Message):
    """6Bh answer: ``name``, cp1251 text to the end of the body (LEN 2 + name)."""

    CODE: ClassVar[int] = 0x6B
    IS_ANSWER: ClassVar[bool] = True

    name: str

    def _encode_tail(self) -> bytes:
        return encode_text(self.name, name="error name")

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        return {"name": decode_text(tail, offset, name="error name")}


PAIRS: tuple[Pair, ...] = (
    (SetExchangeParametersRequest, SetExchangeParametersAnswer),
    (ReadExchangeParametersRequest, ReadExchangeParametersAnswer),
    (TechnologicalResetRequest, TechnologicalResetAnswer),
    (StartTestRunRequest, StartTestRunAnswer),
    (StopTestRunRequest, StopTestRunAnswer),
    (CashRegisterRequest, CashRegisterAnswer),
    (OperationRegisterRequest, OperationRegisterAnswer),
    (OpenDrawerRequest, OpenDrawerAnswer),
    (FeedRequest, FeedAnswer),
    (RepeatDocumentRequest, RepeatDocumentAnswer),
    (FontParametersRequest, FontParametersAnswer),
    (ErrorNameRequest, ErrorNameAnswer),
)

__all__ = [
    "TCP_PORT_NUMBER",
    "CashRegisterAnswer",
    "CashRegisterRequest",
    "ErrorNameAnswer",
    "ErrorNameRequest",
    "FeedAnswer",
    "FeedRequest",
    "FontParametersAnswer",
    "FontParametersRequest",
    "OpenDrawerAnswer",
    "OpenDrawerRequest",
    "OperationRegisterAnswer",
    "OperationRegisterRequest",
    "ReadExchangeParametersAnswer",
    "ReadExchangeParametersRequest",
    "RepeatDocumentAnswer",
    "RepeatDocumentRequest",
    "SetExchangeParametersAnswer",
    "SetExchangeParametersRequest",
    "StartTestRunAnswer",
    "StartTestRunRequest",
    "StopTestRunAnswer",
    "StopTestRunRequest",
    "TechnologicalResetAnswer",
    "TechnologicalResetRequest",
    "tcp_port_from_code",
]
