"""Registry of the Штрих-М command codecs: dispatch a body to its request or answer class.

This is the module the dialect imports. It re-exports the message classes of the
``commands_*`` modules and adds the dispatch functions. A body is the frame
content between LEN and LRC. See ``commands_base`` for its layout and for the
trailing-bytes policy, and docs/shtrih-commands.md for which commands of the
spec have a codec.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..errors import DecodeError
from . import (
    commands_correction,
    commands_datetime,
    commands_device,
    commands_extended,
    commands_fn,
    commands_fn_buffer,
    commands_fn_exchange,
    commands_fn_read,
    commands_fn_registration,
    commands_fn_shift,
    commands_print,
    commands_receipt,
    commands_receipt_v2,
    commands_shift,
    commands_status,
    commands_tables,
)
from .commands_base import (
    MAX_BODY_SIZE,
    TEXT_MIN_SIZE,
    ErrorAnswer,
    Message,
    UnknownCommand,
    code_bytes,
    command_code,
    error_answer,
)
from .commands_correction import *
from .commands_datetime import *
from .commands_device import *
from .commands_extended import *
from .commands_fields import MAX_MONEY, NOT_GIVEN
from .commands_fn import *
from .commands_fn_buffer import *
from .commands_fn_exchange import *
from .commands_fn_read import *
from .commands_fn_registration import *
from .commands_fn_shift import *
from .commands_print import *
from .commands_receipt import *
from .commands_receipt_v2 import *
from .commands_shift import *
from .commands_status import *
from .commands_tables import *

_MODULES = (
    commands_status, commands_print, commands_shift, commands_receipt, commands_receipt_v2, commands_correction,
    commands_fn, commands_fn_read, commands_fn_exchange, commands_fn_shift, commands_fn_registration,
    commands_fn_buffer,
    commands_device, commands_tables, commands_datetime, commands_extended,
)
_PAIRS: tuple[tuple[type[Message], type[Message]], ...] = tuple(pair for module in _MODULES for pair in module.PAIRS)

REQUEST_TYPES: Mapping[int, type[Message]] = MappingProxyType({request.CODE: request for request, _ in _PAIRS})
"""Request class by command code (0xFFxx for two-byte codes)."""

ANSWER_TYPES: Mapping[int, type[Message]] = MappingProxyType({answer.CODE: answer for _, answer in _PAIRS})
"""Answer class by command code (0xFFxx for two-byte codes)."""

if len(REQUEST_TYPES) != len(_PAIRS):
    raise RuntimeError("two Штрих-М request classes share a command code")


def decode_request(body: bytes) -> Message:
    """Decode a request body into its request object.

    Raises UnknownCommand when no codec handles the code (the dialect replies 37h),
    and DecodeError when the body is empty or does not fit the command's layout.
    """
    code = command_code(body)
    request_type = REQUEST_TYPES.get(code)
    if request_type is None:
        raise UnknownCommand(code)
    return request_type.decode(body)


def decode_answer(body: bytes) -> Message | ErrorAnswer:
    """Decode an answer body: ErrorAnswer when it carries a non-zero error, else the answer object.

    Raises UnknownCommand for a code without a codec, and DecodeError for an
    empty body, a body that ends before the error byte, or a layout mismatch.
    """
    code = command_code(body)
    error_offset = len(code_bytes(code))
    if len(body) <= error_offset:
        raise DecodeError(f"answer to 0x{code:02X} ends before the error byte", error_offset)
    if body[error_offset] != 0:
        return ErrorAnswer.decode(body)
    answer_type = ANSWER_TYPES.get(code)
    if answer_type is None:
        raise UnknownCommand(code)
    return answer_type.decode(body)


__all__ = [
    "ANSWER_TYPES", "MAX_BODY_SIZE", "MAX_MONEY", "NOT_GIVEN", "REQUEST_TYPES", "TEXT_MIN_SIZE",
    "ErrorAnswer", "Message", "UnknownCommand",
    "code_bytes", "command_code", "decode_answer", "decode_request", "error_answer",
]
for _module in _MODULES:
    __all__ += _module.__all__
