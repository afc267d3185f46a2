"""The ОФД's side of one exchange: answer a ФН message with a signed квитанция.

A mock ОФД server and tests use ``confirm_message``; it builds what kktemu's
ФН accepts with 26h. The ОФД key is derived from the master key and the ФН
serial (``signing.ofd_key_for``), so an ОФД holding the master key can sign for
every ФН made with it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt

from ..protocol.errors import DecodeError
from ..protocol.ffd.tlv import read_tlv, split_tlv
from ..protocol.ffd.values import decode_uint
from ..protocol.ofd.confirmation import ANSWER_ACCEPTED, TAG_FD_NUMBER, OperatorConfirmation
from ..protocol.ofd.message import OfdMessage, decode_message
from ..protocol.ofd.session import SERVER_RECEIPT_FLAGS
from .signing import DEFAULT_MASTER_KEY, compute_operator_sign, ofd_key_for


def document_number(document: bytes) -> int:
    """Return the 1040 of a document STLV. Raises DecodeError when it has none or it is malformed."""
    item = read_tlv(document)
    if item is None:
        raise DecodeError("the document is not a whole STLV")
    for tag, value in split_tlv(item[1]):
        if tag == TAG_FD_NUMBER:
            return decode_uint(value, 4)
    raise DecodeError(f"document form {item[0]} has no ФД number (1040)")


def confirm_message(
    message: bytes,
    *,
    ofd_inn: str,
    received_at: _dt.datetime,
    master_key: bytes = DEFAULT_MASTER_KEY,
    answer_code: int | None = ANSWER_ACCEPTED,
    operator_text: bytes = b"",
    sign: bool = True,
) -> bytes:
    """Return the квитанция (session header and container) for one ФН message.

    ``received_at`` is the UTC time of receipt for 1012; ``answer_code`` goes
    into 1068/1022 (None leaves 1068 out); ``sign`` False leaves out 1078, as
    mock ОФД servers without the operator's cryptography do. The ФН number and
    the ФД number come from the message. Raises DecodeError when ``message`` is
    not a ФН message with a container, and EncodeError when a value does not fit.
    """
    parsed = decode_message(message)
    container = parsed.container
    if container is None:
        raise DecodeError("the message carries no container to confirm")
    confirmation = OperatorConfirmation(
        ofd_inn=ofd_inn,
        fn_serial=parsed.fn_serial,
        fd_number=document_number(container.document),
        received_at=received_at,
        answer_code=answer_code,
        operator_text=operator_text,
    )
    if sign:
        key = ofd_key_for(master_key, parsed.fn_serial)
        confirmation = dataclasses.replace(confirmation, ofd_sign=compute_operator_sign(key, confirmation.unsigned_tlv()))
    answer = OfdMessage(parsed.fn_serial, confirmation.to_container(container), SERVER_RECEIPT_FLAGS,
                        parsed.protocol_version)
    return answer.encode()
