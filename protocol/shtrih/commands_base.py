"""Common machinery of the Штрих-М command codecs: command codes, bodies, error answers.

A body is what a frame carries between LEN and LRC: the command code, then the
data. Codes 00h–FEh take one byte. Codes FF00h–FFFFh take two bytes, sent
big-endian (``FF 01``). A request body is ``CMD password data`` (a few commands
carry no password). A successful answer is ``CMD 00 data``, and a refused command
is answered with ``CMD error`` and nothing else.

Each command has a request and an answer class, both frozen dataclasses built on
``Message``: ``encode()`` returns the body, and ``decode(body)`` parses one.
Fixed fields are construct ``Struct`` layouts. Variable tails, such as the text at
the end of 80h, are written by hand in the subclasses.

Trailing bytes: a body longer than its fixed layout is rejected with DecodeError,
because the spec gives an exact length for every fixed layout. Variable fields
at the end run to the end of the body: printable text (12h, 17h, 2Fh, 80h–85h,
8Eh, FF0Dh, FF45h, FF46h), names (FCh, 6Bh), table values (1Eh, 1Fh), TLV blocks
(FF0Ch, FF4Dh, FF3Bh) and other raw data. The only other longer forms accepted
are the optional fields the spec or a public client lists, each documented on
its class: the last-print byte of 10h, the serial high word of 11h, the web link
of 85h, and the DATE_TIME that FF answers append when table 1 asks for extended
answers to document commands.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self

import construct

from ..errors import DecodeError, EncodeError, KktemuError
from .commands_fields import FN_DATETIME_REQUIRED, decode_text, encode_text
from .frame import MAX_BODY_LEN

MAX_BODY_SIZE = MAX_BODY_LEN
"""Largest body a protocol v1 frame carries (255), because LEN is one byte.

Protocol v2 allows longer bodies, up to the "max command length" of F7h, and
kktemu does not implement it.
"""

TEXT_MIN_SIZE = 40
"""Minimum width of the text field of 80h–83h and 85h, and the default width of 17h."""

PASSWORD = construct.Int32ul
"""4-byte little-endian password. Operator N has password N by default, and the system administrator has 30."""

PASSWORD_ONLY = construct.Struct("password" / PASSWORD)
"""Layout of the many requests that carry the password and nothing else."""

OPERATOR_ONLY = construct.Struct("operator" / construct.Int8ul)
"""Layout of the many answers that carry the operator number 1..30 and nothing else."""


Pair = tuple[type["Message"], type["Message"]]
"""A request class and the answer class of the same command, as the registry lists them."""


class UnknownCommand(KktemuError):
    """The body carries a command code that kktemu does not decode.

    The dialect replies with error 37h, "command not supported". ``code`` is
    the command code, 0xFFxx for two-byte codes.
    """

    def __init__(self, code: int):
        super().__init__(f"command 0x{code:02X} is not supported")
        self.code = code


def code_bytes(code: int) -> bytes:
    """Return the wire form of a command code: one byte, or ``FF xx`` for 0xFF00..0xFFFF.

    Raises EncodeError for 0xFF alone (the prefix of two-byte codes) and for codes
    that fit neither form.
    """
    if 0 <= code < 0xFF:
        return bytes((code,))
    if 0xFF00 <= code <= 0xFFFF:
        return code.to_bytes(2, "big")
    raise EncodeError(f"command code 0x{code:X} is neither 00..FE nor FF00..FFFF")


def command_code(body: bytes) -> int:
    """Return the command code at the start of ``body``: one byte, or two when the first is 0xFF.

    Raises DecodeError for an empty body or a lone 0xFF.
    """
    if not body:
        raise DecodeError("body is empty, expected a command code", 0)
    if body[0] != 0xFF:
        return body[0]
    if len(body) < 2:
        raise DecodeError("body ends after the FF prefix of a two-byte command code", 1)
    return 0xFF00 | body[1]


def error_answer(code: int, error: int) -> bytes:
    """Return the body of a refusal: the command code and the error byte, nothing else.

    That is 2 bytes, or 3 for FFxx commands. Raises EncodeError when ``error`` is
    outside 1..255. A success answer comes from the command's answer class instead.
    """
    if not 1 <= error <= 0xFF:
        raise EncodeError(f"error code {error} is outside 1..255")
    return code_bytes(code) + bytes((error,))


@dataclasses.dataclass(frozen=True)
class ErrorAnswer:
    """A refused command: ``code`` is the command code, ``error`` the Штрих-М error byte (1..255)."""

    code: int
    error: int

    def encode(self) -> bytes:
        """Return ``CMD error``. Raises EncodeError for an invalid code or error."""
        return error_answer(self.code, self.error)

    @classmethod
    def decode(cls, body: bytes) -> Self:
        """Parse ``CMD error``. Raises DecodeError on any other length or on error 0."""
        code = command_code(body)
        size = len(code_bytes(code))
        if len(body) != size + 1:
            raise DecodeError(f"error answer to 0x{code:02X} is {len(body)} bytes, expected {size + 1}")
        if body[size] == 0:
            raise DecodeError(f"answer to 0x{code:02X} carries error 0, so it is a success answer", size)
        return cls(code, body[size])


class Message:
    """Base of the request and answer dataclasses of one command.

    Subclasses set ``CODE``, ``IS_ANSWER`` and ``LAYOUT``, the construct Struct of
    the fixed fields after the code (and after the error byte of an answer).
    Named subcons map to dataclass fields of the same name. Subclasses with other
    field shapes override ``_layout_values``/``_from_layout``, and those with a
    variable tail override ``_encode_tail``/``_decode_tail``.
    """

    CODE: ClassVar[int]
    IS_ANSWER: ClassVar[bool] = False
    LAYOUT: ClassVar[construct.Struct] = construct.Struct()

    def encode(self) -> bytes:
        """Return the body: code, error byte 0 for answers, fields, tail.

        Raises EncodeError when a field is out of its wire range or of the wrong
        type, or when the body would exceed MAX_BODY_SIZE.
        """
        try:
            fixed = self.LAYOUT.build(self._layout_values())
            tail = self._encode_tail()
        except construct.ConstructError as exc:
            raise EncodeError(f"{type(self).__name__}: {construct_error_reason(exc)}") from exc
        body = code_bytes(self.CODE) + (b"\0" if self.IS_ANSWER else b"") + fixed + tail
        if len(body) > MAX_BODY_SIZE:
            raise EncodeError(f"{type(self).__name__}: body is {len(body)} bytes, "
                              f"the maximum for a v1 frame is {MAX_BODY_SIZE}")
        return body

    @classmethod
    def decode(cls, body: bytes) -> Self:
        """Parse a body of this command.

        Raises DecodeError on another command code, an answer that carries an
        error (decode that with ErrorAnswer), a wrong length, or a field value
        outside its type (an invalid date, a non-cp1251 byte, a flag byte not 0 or 1).
        """
        body = bytes(body)
        start = cls._payload_start(body)
        size = cls.LAYOUT.sizeof()
        if len(body) < start + size:
            raise DecodeError(f"{cls.__name__}: body is {len(body)} bytes, expected at least {start + size}")
        try:
            parsed = cls.LAYOUT.parse(body[start:start + size])
        except construct.ConstructError as exc:
            raise DecodeError(f"{cls.__name__}: {construct_error_reason(exc)}") from exc
        values = cls._from_layout(parsed)
        values.update(cls._decode_tail(body[start + size:], start + size))
        return cls(**values)

    @classmethod
    def _payload_start(cls, body: bytes) -> int:
        code = command_code(body)
        if code != cls.CODE:
            raise DecodeError(f"{cls.__name__}: body carries command 0x{code:02X}, expected 0x{cls.CODE:02X}", 0)
        start = len(code_bytes(code))
        if not cls.IS_ANSWER:
            return start
        if len(body) <= start:
            raise DecodeError(f"{cls.__name__}: answer ends before the error byte", start)
        if body[start] != 0:
            raise DecodeError(f"{cls.__name__}: answer carries error 0x{body[start]:02X}; decode it with ErrorAnswer",
                              start)
        return start + 1

    def _layout_values(self) -> dict[str, Any]:
        return {sub.name: getattr(self, sub.name) for sub in self.LAYOUT.subcons if sub.name}

    @classmethod
    def _from_layout(cls, parsed: construct.Container) -> dict[str, Any]:
        return {sub.name: parsed[sub.name] for sub in cls.LAYOUT.subcons if sub.name}

    def _encode_tail(self) -> bytes:
        return b""

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if tail:
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the end of the layout", offset)
        return {}


@dataclasses.dataclass(frozen=True)
class PasswordRequest(Message):
    """Base of the requests that carry only ``password`` (LEN 5, or 6 for FFxx)."""

    LAYOUT: ClassVar[construct.Struct] = PASSWORD_ONLY

    password: int


@dataclasses.dataclass(frozen=True)
class OperatorAnswer(Message):
    """Base of the answers that carry only ``operator``, the operator number 1..30 (LEN 3)."""

    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = OPERATOR_ONLY

    operator: int


class TextTailMessage(Message):
    """A message whose last field is cp1251 text running to the end of the body.

    Subclasses declare the dataclass fields ``text: str`` and ``text_size: int``.
    ``text_size`` is the width the text occupies on the wire, NUL-padded. Longer
    text widens the field. ``decode`` records the received width there, so that
    re-encoding a NUL-padded body gives the same bytes. ``text_size`` takes no part
    in equality. ``TEXT_MIN_DECODE`` is the shortest text field ``decode`` accepts
    and ``TEXT_MAX_SIZE`` the longest field either direction accepts (None: up to
    the frame limit).
    """

    TEXT_MIN_DECODE: ClassVar[int] = TEXT_MIN_SIZE
    TEXT_MAX_SIZE: ClassVar[int | None] = None

    def _encode_tail(self) -> bytes:
        size = self.text_size  # type: ignore[attr-defined]
        if not isinstance(size, int) or size < self.TEXT_MIN_DECODE:
            raise EncodeError(f"{type(self).__name__}: text_size {size!r} is below the minimum {self.TEXT_MIN_DECODE}")
        raw = encode_text(self.text, size)  # type: ignore[attr-defined]
        if self.TEXT_MAX_SIZE is not None and len(raw) > self.TEXT_MAX_SIZE:
            raise EncodeError(f"{type(self).__name__}: text field is {len(raw)} bytes, the maximum is "
                              f"{self.TEXT_MAX_SIZE}")
        return raw

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) < cls.TEXT_MIN_DECODE:
            raise DecodeError(f"{cls.__name__}: text field is {len(tail)} bytes, expected at least "
                              f"{cls.TEXT_MIN_DECODE}", offset)
        if cls.TEXT_MAX_SIZE is not None and len(tail) > cls.TEXT_MAX_SIZE:
            raise DecodeError(f"{cls.__name__}: text field is {len(tail)} bytes, the maximum is "
                              f"{cls.TEXT_MAX_SIZE}", offset)
        return {"text": decode_text(tail, offset), "text_size": len(tail)}


class EmptyAnswer(Message):
    """Base of the answers that carry nothing after the error byte: ``CMD 00`` (LEN 2, or 3 for FFxx)."""

    IS_ANSWER: ClassVar[bool] = True


class BytesTailMessage(Message):
    """A message whose last field is raw bytes running to the end of the body.

    Subclasses declare that dataclass field (``bytes``) and name it in
    ``TAIL_FIELD``, ``data`` by default. ``DATA_MAX_SIZE`` bounds it in both
    directions (None: up to the frame limit). The bytes are kept as sent. Their
    meaning, such as a TLV block, a table value or a квитанция, is documented
    on the subclass and left to the caller.
    """

    TAIL_FIELD: ClassVar[str] = "data"
    DATA_MAX_SIZE: ClassVar[int | None] = None

    def _encode_tail(self) -> bytes:
        name = self.TAIL_FIELD
        data = getattr(self, name)
        if not isinstance(data, (bytes, bytearray)):
            raise EncodeError(f"{type(self).__name__}: {name} is {type(data).__name__}, expected bytes")
        if self.DATA_MAX_SIZE is not None and len(data) > self.DATA_MAX_SIZE:
            raise EncodeError(f"{type(self).__name__}: {name} is {len(data)} bytes, the maximum is "
                              f"{self.DATA_MAX_SIZE}")
        return bytes(data)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if cls.DATA_MAX_SIZE is not None and len(tail) > cls.DATA_MAX_SIZE:
            raise DecodeError(f"{cls.__name__}: {cls.TAIL_FIELD} is {len(tail)} bytes, the maximum is "
                              f"{cls.DATA_MAX_SIZE}", offset)
        return {cls.TAIL_FIELD: tail}


class DateTimeTailMessage(Message):
    """An answer that may end with the DATE_TIME of the document just formed (5 bytes, YY MM DD hh mm).

    Registers append it when table 1 enables "РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД"
    (F7h model parameter bit 50). Subclasses declare the dataclass field
    ``document_datetime: datetime.datetime | None = None``; None means the field
    is absent. Five zero bytes are rejected, because a formed document always has
    a date.
    """

    IS_ANSWER: ClassVar[bool] = True

    def _encode_tail(self) -> bytes:
        moment = self.document_datetime  # type: ignore[attr-defined]
        return b"" if moment is None else FN_DATETIME_REQUIRED.build(moment)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if not tail:
            return {"document_datetime": None}
        if len(tail) != FN_DATETIME_REQUIRED.sizeof():
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the layout, expected 0 or 5", offset)
        try:
            return {"document_datetime": FN_DATETIME_REQUIRED.parse(tail)}
        except construct.ConstructError as exc:
            raise DecodeError(f"{cls.__name__}: field document_datetime: {construct_error_reason(exc)}", offset) from exc


def text_size_field(default: int = TEXT_MIN_SIZE) -> Any:
    """Return the dataclass field declaration for ``text_size``, excluded from equality."""
    return dataclasses.field(default=default, compare=False)


def construct_error_reason(exc: construct.ConstructError) -> str:
    """Return a one-line description of a construct error, with the field name when construct reports one."""
    # construct puts "Error in path (building) -> field" on the first line. Keep the
    # field name and the last line, which describes the failure.
    reason = str(exc).strip().splitlines()[-1]
    field = (exc.path or "").rpartition("-> ")[2]
    return f"field {field}: {reason}" if field else reason
