"""How the ФН checks a квитанция from the ОФД before it accepts it (26h).

The checks run in this order, and the first failure decides the reason byte of
the 20h refusal (``TicketRejectReason``):

1. The bytes are a session message whose body is one container, or a bare
   container (a register may strip the session header). A wrong check code of
   either is reason 5 (wrong CRC); any other layout error is reason 2.
2. The container carries an operator confirmation (data type 7, form 7 with
   the tags of its table) whose 1012 falls in the years 2000..2255 that 41h
   can return, else reason 2.
3. The ФН number of the session header, of the container and of 1041 is this
   ФН's, else reason 4.
4. 1040 is the ФД at the head of the queue for the ОФД, the one 22h sends,
   else reason 3. In the strict mode the ФД number field of the container
   header must agree with 1040. The lenient mode logs a WARNING instead,
   because yandex/ofd's mock writes the ASCII digits of the number there.
5. ФПО (1078) verifies with the ОФД key of this ФН, else reason 1. A
   confirmation without 1078 is accepted with a WARNING in the lenient mode
   (mock ОФД servers such as yandex/ofd example/mock_ofd.py send none) and
   refused with reason 1 in the strict mode.

The numbers come before the sign, so a квитанция meant for another ФН or
another document reports that mistake rather than a sign that cannot match.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..protocol.errors import DecodeError, EncodeError
from ..protocol.fn.exchange import TicketRejectReason
from ..protocol.fn.fields import encode_date_time
from ..protocol.ofd.confirmation import FORM_OPERATOR_CONFIRMATION, OperatorConfirmation
from ..protocol.ofd.container import Container, ContainerChecksumError, decode_container
from ..protocol.ofd.message import SessionChecksumError, decode_message
from ..protocol.ofd.session import SIGNATURE
from .signing import verify_operator_sign

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketRejection:
    """Why a квитанция was refused: the reason byte of the 20h answer and a text for the log."""

    reason: TicketRejectReason
    detail: str


@dataclass(frozen=True)
class AcceptedTicket:
    """A квитанция that passed every check: the decoded confirmation and its form 7 STLV as received."""

    confirmation: OperatorConfirmation
    stlv: bytes


def check_ticket(
    data: bytes, *, serial: str, expected_fd: int | None, ofd_key: bytes, strict: bool,
) -> AcceptedTicket | TicketRejection:
    """Check the 26h data against this ФН (``serial``, ``ofd_key``) and the awaited ФД.

    ``expected_fd`` is the number of the ФД at the head of the queue, None when
    nothing waits for a квитанция. ``strict`` turns the two lenient cases of the
    module description into refusals. Malformed input gives a TicketRejection, never an exception.
    """
    session_serial = None
    try:
        if data.startswith(SIGNATURE):
            message = decode_message(data)
            session_serial, container = message.fn_serial, message.container
            if container is None:
                return TicketRejection(TicketRejectReason.WRONG_FORMAT, "the message carries no container")
        else:
            container = decode_container(data)
    except (SessionChecksumError, ContainerChecksumError) as exc:
        return TicketRejection(TicketRejectReason.WRONG_CRC, str(exc))
    except DecodeError as exc:
        return TicketRejection(TicketRejectReason.WRONG_FORMAT, str(exc))

    if container.data_type != FORM_OPERATOR_CONFIRMATION:
        return TicketRejection(TicketRejectReason.WRONG_FORMAT, f"container data type {container.data_type} is not 7")
    try:
        confirmation = OperatorConfirmation.decode(container.document)
        # 41h returns the time of 1012 as a DATE_TIME, whose years are 2000..2255.
        encode_date_time(confirmation.received_at)
    except (DecodeError, EncodeError) as exc:
        return TicketRejection(TicketRejectReason.WRONG_FORMAT, str(exc))

    rejection = _check_numbers(container, confirmation, session_serial, serial, expected_fd, strict)
    if rejection is not None:
        return rejection

    signed = verify_operator_sign(ofd_key, container.document)
    if signed is False:
        return TicketRejection(TicketRejectReason.WRONG_FISCAL_SIGN, "ФПО (1078) does not match")
    if signed is None:
        if strict:
            return TicketRejection(TicketRejectReason.WRONG_FISCAL_SIGN, "the confirmation has no ФПО (1078)")
        logger.warning("ФН %s accepts a квитанция for ФД %d without ФПО (1078): the ОФД did not sign it",
                       serial, confirmation.fd_number)
    return AcceptedTicket(confirmation, container.document)


def _check_numbers(
    container: Container,
    confirmation: OperatorConfirmation,
    session_serial: str | None,
    serial: str,
    expected_fd: int | None,
    strict: bool,
) -> TicketRejection | None:
    for where, value in (("session header", session_serial), ("container", container.fn_serial),
                         ("1041", confirmation.fn_serial)):
        if value is not None and value != serial:
            return TicketRejection(TicketRejectReason.WRONG_FN_NUMBER, f"ФН number {value!r} in the {where}")

    fd_number = confirmation.fd_number
    if fd_number != expected_fd:
        awaited = "no ФД" if expected_fd is None else f"ФД {expected_fd}"
        return TicketRejection(TicketRejectReason.WRONG_FD_NUMBER, f"квитанция for ФД {fd_number}, {awaited} awaits one")
    if container.fd_number != fd_number:
        if strict:
            return TicketRejection(TicketRejectReason.WRONG_FD_NUMBER,
                                   f"container header names ФД {container.fd_number}, 1040 names {fd_number}")
        logger.warning("ФН %s: the квитанция container names ФД %d (%s) but 1040 is %d; 1040 is used",
                       serial, container.fd_number, container.fd_number.to_bytes(3, "big").hex(" "), fd_number)
    return None
