"""The mock ОФД's checks of one message from a register, before it answers.

``parse_message`` checks the structure: the session header, its check code, the
container and its CRC, and that the ФН number and the ФД number agree between
the session header, the container header and the document (1041, 1040).
``check_signs`` then checks the ФПД (1077) of the document and the message
sign ФПС in the container trailer against the keys kktemu's ФН derive from the
master key and the ФН serial (``fn_storage.signing``).

Real ФН sign with certified cryptography that is not public, so the signs of a
real ФН's message (the yandex/ofd samples, say) never verify here. A server
made with ``verify_signs=False`` skips ``check_signs`` for such traffic.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from kktemu.fn_storage.signing import (
    MESSAGE_SIGN_SIZE,
    TAG_FISCAL_SIGN,
    compute_message_sign,
    derive_fn_key,
    printed_fiscal_sign,
    verify_document,
)
from kktemu.protocol.errors import DecodeError, KktemuError
from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.ffd.values import decode_string, decode_uint, decode_unixtime
from kktemu.protocol.ofd.confirmation import FORM_OPERATOR_CONFIRMATION
from kktemu.protocol.ofd.message import OfdMessage, decode_message

TAG_FN_SERIAL = 1041
TAG_FD_NUMBER = 1040
TAG_DATE_TIME = 1012


class InvalidMessage(KktemuError):
    """A message the mock ОФД cannot accept. The text names the check that failed."""


@dataclass(frozen=True)
class ReceivedDocument:
    """A structurally valid message with a document, and the facts the store lists.

    ``document_time`` is the document's 1012 (naive local time of the
    register) or None when it has none; ``fiscal_sign`` is the printed ФПД of
    its 1077 or None when it has none.
    """

    raw: bytes
    message: OfdMessage
    fn_serial: str
    fd_number: int
    form: int
    document_time: _dt.datetime | None
    fiscal_sign: int | None

    @property
    def document(self) -> bytes:
        """The document STLV as the container carries it."""
        assert self.message.container is not None
        return self.message.container.document


def parse_message(raw: bytes) -> ReceivedDocument | OfdMessage:
    """Check one whole message (session header and body) from a register.

    Returns a ReceivedDocument for a message with a container, or the
    OfdMessage itself for a service-mode message (no container, flags 0010h or
    0011h, protocol section 4.8). Raises InvalidMessage, naming the failed
    check, for anything else.
    """
    try:
        message = decode_message(raw)
    except DecodeError as exc:
        raise InvalidMessage(str(exc)) from None
    container = message.container
    if container is None:
        if message.flags not in (0x0010, 0x0011):
            raise InvalidMessage(f"a message without a container must be a service message (flags 0010h or "
                                 f"0011h), got flags {message.flags:04X}h")
        return message
    if not message.fn_serial:
        raise InvalidMessage("the session header has an empty ФН serial")
    if container.fn_serial != message.fn_serial:
        raise InvalidMessage(f"the session header names ФН {message.fn_serial}, the container ФН "
                             f"{container.fn_serial}")
    if container.data_type == FORM_OPERATOR_CONFIRMATION:
        raise InvalidMessage("the container carries an operator confirmation (form 7), which only an ОФД sends")
    values = _top_level_values(container.document)
    document_serial = _text(values, TAG_FN_SERIAL)
    if document_serial is None:
        raise InvalidMessage("the document has no ФН number (1041)")
    if document_serial.rstrip(" ") != message.fn_serial:
        raise InvalidMessage(f"the document's 1041 is {document_serial!r}, the session header names ФН "
                             f"{message.fn_serial}")
    fd_number = _number(values, TAG_FD_NUMBER)
    if fd_number is None:
        raise InvalidMessage("the document has no ФД number (1040)")
    if fd_number != container.fd_number:
        raise InvalidMessage(f"the document's 1040 is {fd_number}, the container header carries ФД "
                             f"{container.fd_number}")
    return ReceivedDocument(
        raw=bytes(raw),
        message=message,
        fn_serial=message.fn_serial,
        fd_number=fd_number,
        form=container.data_type,
        document_time=_time(values),
        fiscal_sign=_fiscal_sign(values),
    )


def check_signs(received: ReceivedDocument, master_key: bytes) -> str | None:
    """Check the ФПД and the ФПС of ``received`` with the ФН key derived from ``master_key``.

    Returns None when both verify, else a sentence naming the sign that does not.
    """
    key = derive_fn_key(master_key, received.fn_serial)
    try:
        if not verify_document(key, received.document):
            return f"the ФПД (1077) of ФД {received.fd_number} does not verify with the key of ФН {received.fn_serial}"
    except DecodeError as exc:
        return f"the document of ФД {received.fd_number} is not a valid STLV: {exc}"
    assert received.message.container is not None
    trailer = received.message.container.trailer
    if trailer[:MESSAGE_SIGN_SIZE] != compute_message_sign(key, received.document):
        return (f"the message sign (ФПС, {trailer[:MESSAGE_SIGN_SIZE].hex(' ')}) of ФД {received.fd_number} "
                f"does not verify with the key of ФН {received.fn_serial}")
    return None


def _top_level_values(document: bytes) -> dict[int, bytes]:
    try:
        (_form, body), = split_tlv(document)
        items = split_tlv(body)
    except (DecodeError, ValueError) as exc:
        raise InvalidMessage(f"the document is not a well-formed STLV: {exc}") from None
    values: dict[int, bytes] = {}
    for tag, value in items:
        values.setdefault(tag, value)
    return values


def _text(values: dict[int, bytes], tag: int) -> str | None:
    value = values.get(tag)
    return None if value is None else decode_string(value)


def _number(values: dict[int, bytes], tag: int) -> int | None:
    value = values.get(tag)
    if value is None:
        return None
    try:
        return decode_uint(value, 4)
    except DecodeError as exc:
        raise InvalidMessage(f"tag {tag}: {exc}") from None


def _time(values: dict[int, bytes]) -> _dt.datetime | None:
    value = values.get(TAG_DATE_TIME)
    if value is None:
        return None
    try:
        return decode_unixtime(value)
    except DecodeError as exc:
        raise InvalidMessage(f"tag {TAG_DATE_TIME}: {exc}") from None


def _fiscal_sign(values: dict[int, bytes]) -> int | None:
    value = values.get(TAG_FISCAL_SIGN)
    if value is None:
        return None
    try:
        return printed_fiscal_sign(value)
    except KktemuError as exc:
        raise InvalidMessage(f"tag {TAG_FISCAL_SIGN}: {exc}") from None
