"""The ФН's side of the ОФД exchange (20h..26h) and the 30-day rule.

The queue for the ОФД contains every document without a квитанция, oldest
first, except in the autonomous mode, which sends nothing. The register reads
the message for the head of the queue with 22h (length), 23h (blocks) and 25h
(done), sends it to the ОФД and passes the answer to the ФН with 26h. The
message is a whole session-level message: the 30-byte session header and the
container (``message_for_ofd``), as register drivers that relay it unchanged
expect.

The transport flag (21h), the reading position and the квитанция wait are
kept in memory only, as the session state of a real ФН is; a reopened ФН
starts disconnected. An accepted квитанция is appended to the archive as a
record of type 2 (``tickets``) before the answer leaves, and
``FnState.mark_ticket`` applies it.

30-day rule: in the data transmission mode, the commands that begin or form
a shift report or a receipt (11h..15h, 17h) are refused with 15h while the
oldest document in the queue was formed more than 30 days ago by the ФН timer.
"""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import dataclass

from ..protocol.fn.codes import FnCommand, FnResult
from ..protocol.fn.exchange import ExchangeFlags, ExchangeStatusAnswer, OfdMessageLengthAnswer, OfdTicketAnswer
from ..protocol.fn.frame import MAX_DATA_SIZE
from ..protocol.fn.service import FnPhase
from ..protocol.ofd.confirmation import ANSWER_ACCEPTED, TAG_OFD_ANSWER_CODE, TAG_OPERATOR_MESSAGE
from ..protocol.ofd.container import Container
from ..protocol.ofd.message import OfdMessage
from ..protocol.ofd.session import CLIENT_MESSAGE_FLAGS, P_VERSION_OBSERVED
from ..protocol.ffd.tlv import encode_tlv
from .archive_file import encode_record
from .signing import derive_ofd_key, message_trailer
from .ticket_check import TicketRejection, check_ticket
from .tickets import RECORD_TICKET, ArchivedTicket

logger = logging.getLogger(__name__)

OFD_WAIT_LIMIT = _dt.timedelta(days=30)
# The session protocol's timer for the квитанция after a message was sent (its table 4).
TICKET_WAIT = _dt.timedelta(seconds=300)
EXCHANGE_PHASES = (FnPhase.FISCAL_MODE, FnPhase.POST_FISCAL_MODE)
# NOTE: both real ФН containers seen carry 10 09 in service data 1 and undocumented
# cryptographic bytes in service data 2; kktemu's ФН writes 10 09 and twelve zero bytes.
SERVICE_DATA_1 = b"\x10\x09"
SERVICE_DATA_2 = bytes(12)


@dataclass
class ExchangeSession:
    """The exchange state a power cut loses: transport, reading and the квитанция wait.

    ``reading`` is the message 22h started to hand out (None when no reading is
    under way) and ``reading_fd`` its ФД; ``sent_fd`` and ``sent_at`` name the
    message whose reading 25h finished, while its квитанция is awaited.
    """

    connected: bool = False
    reading: bytes | None = None
    reading_fd: int = 0
    sent_fd: int | None = None
    sent_at: _dt.datetime | None = None


class ExchangeCommands:
    """Handlers of 20h..26h and the 30-day check; mixed into ``FiscalStorage``."""

    def exchange_handlers(self) -> dict:
        """Map each exchange command code to its handler."""
        return {
            FnCommand.GET_EXCHANGE_STATUS: self._exchange_status,
            FnCommand.SET_TRANSPORT_STATUS: self._transport_status,
            FnCommand.BEGIN_OFD_MESSAGE_READ: self._begin_message_read,
            FnCommand.READ_OFD_MESSAGE_BLOCK: self._read_message_block,
            FnCommand.CANCEL_OFD_MESSAGE_READ: self._cancel_message_read,
            FnCommand.FINISH_OFD_MESSAGE_READ: self._finish_message_read,
            FnCommand.SEND_OFD_TICKET: self._accept_ticket,
        }

    # The queue and the message.

    def ofd_queue(self) -> list:
        """Return the archived documents waiting for a квитанция, oldest first; empty in the autonomous mode."""
        state = self._state
        if state.registration is None or state.autonomous:
            return []
        return state.unconfirmed()

    def reset_exchange(self) -> None:
        """Forget the transport, the reading and the квитанция wait (after the debug reset 60h)."""
        self._exchange = ExchangeSession()

    def message_for_ofd(self, fd_number: int) -> bytes:
        """Return the session message carrying archived ФД ``fd_number`` for the ОФД.

        The container holds the document STLV and the 10-byte trailer with the
        message sign (``signing.message_trailer``). Raises IndexError when the
        archive has no such ФД.
        """
        if fd_number < 1:
            raise IndexError(f"ФД {fd_number} does not exist")
        document = self._state.documents[fd_number - 1]
        container = Container(
            data_type=document.form,
            fn_serial=self.serial,
            fd_number=fd_number,
            document=document.stlv,
            trailer=message_trailer(self._key, document.stlv),
            service_data_1=SERVICE_DATA_1,
            service_data_2=SERVICE_DATA_2,
        )
        return OfdMessage(self.serial, container, CLIENT_MESSAGE_FLAGS, P_VERSION_OBSERVED).encode()

    def ofd_wait_refusal(self):
        """Return the 15h refusal when the oldest queued document is over 30 days old, else None."""
        oldest = self._state.oldest_waiting()
        if oldest is not None and self.timer() - oldest.fn_time > OFD_WAIT_LIMIT:
            return self.refuse(
                FnResult.OFD_WAIT_EXHAUSTED,
                f"ФД {oldest.fd_number} has waited for the ОФД since {oldest.fn_time}, over 30 days")
        return None

    def _session(self) -> ExchangeSession:
        return self._exchange

    def _awaiting(self, session: ExchangeSession, head) -> bool:
        """Tell whether the head of the queue was sent and its квитанция is still within the wait."""
        if session.sent_fd is None or head is None or session.sent_fd != head.fd_number:
            return False
        return self.timer() - session.sent_at <= TICKET_WAIT

    def _exchange_refusal(self):
        if self._state.phase not in EXCHANGE_PHASES:
            return self.refuse(FnResult.INVALID_STATE, "the ОФД exchange needs the fiscal or post-fiscal mode")
        return None

    # 20h, 21h.

    def _exchange_status(self, request):
        if self._state.registration is None:
            return self.refuse(FnResult.INVALID_STATE, "the exchange status needs a registered ФН")
        session = self._session()
        queue = self.ofd_queue()
        head = queue[0] if queue else None
        flags = ExchangeFlags.TRANSPORT_CONNECTED if session.connected else 0
        if self._awaiting(session, head):
            flags |= ExchangeFlags.AWAITING_TICKET
        elif head is not None:
            flags |= ExchangeFlags.MESSAGE_FOR_OFD
        answer = ExchangeStatusAnswer(
            flags=flags,
            read_started=session.reading is not None,
            message_count=min(len(queue), 0xFFFF),
            first_fd_number=head.fd_number if head else 0,
            first_document_time=head.moment if head else None,
        )
        return FnResult.OK, answer.encode()

    def _transport_status(self, request):
        refusal = self._exchange_refusal()
        if refusal:
            return refusal
        session = self._session()
        session.connected = request.connected
        if not request.connected:
            # A lost connection ends the reading and the wait (the «Соед.-» transitions of the protocol).
            session.reading = None
            session.sent_fd = session.sent_at = None
        return FnResult.OK, b""

    # 22h..25h: reading the message.

    def _begin_message_read(self, request):
        refusal = self._exchange_refusal()
        if refusal:
            return refusal
        session = self._session()
        if not session.connected:
            return self.refuse(FnResult.NO_TRANSPORT, "no transport connection; send 21h with 1 first")
        queue = self.ofd_queue()
        if not queue:
            return self.refuse(FnResult.NO_DATA, "no message for the ОФД")
        session.reading = self.message_for_ofd(queue[0].fd_number)
        session.reading_fd = queue[0].fd_number
        return FnResult.OK, OfdMessageLengthAnswer(len(session.reading)).encode()

    def _read_message_block(self, request):
        refusal = self._exchange_refusal()
        if refusal:
            return refusal
        session = self._session()
        if not session.connected:
            return self.refuse(FnResult.NO_TRANSPORT, "no transport connection; send 21h with 1 first")
        message = session.reading
        if message is None:
            return self.refuse(FnResult.INVALID_STATE, "no message reading under way; send 22h first")
        if request.offset > len(message):
            return self.refuse(FnResult.UNKNOWN_COMMAND, f"offset {request.offset} is past the {len(message)}-byte message")
        length = min(request.length, MAX_DATA_SIZE)
        return FnResult.OK, message[request.offset:request.offset + length]

    def _cancel_message_read(self, request):
        refusal = self._exchange_refusal()
        if refusal:
            return refusal
        self._session().reading = None
        return FnResult.OK, b""

    def _finish_message_read(self, request):
        refusal = self._exchange_refusal()
        if refusal:
            return refusal
        session = self._session()
        if session.reading is None:
            return self.refuse(FnResult.INVALID_STATE, "no message reading under way; send 22h first")
        session.sent_fd, session.sent_at = session.reading_fd, self.timer()
        session.reading = None
        return FnResult.OK, b""

    # 26h: the квитанция.

    def _accept_ticket(self, request):
        refusal = self._exchange_refusal()
        if refusal:
            return refusal
        queue = self.ofd_queue()
        verdict = check_ticket(
            request.data,
            serial=self.serial,
            expected_fd=queue[0].fd_number if queue else None,
            ofd_key=derive_ofd_key(self._key),
            strict=self._profile.strict_ofd,
        )
        if isinstance(verdict, TicketRejection):
            logger.info("ФН %s rejected the квитанция, reason %d (%s): %s",
                        self.serial, verdict.reason, verdict.reason.name, verdict.detail)
            return FnResult.OFD_MESSAGE_REJECTED, bytes((verdict.reason,))

        confirmation = verdict.confirmation
        ticket = ArchivedTicket(confirmation.fd_number, self.timer(), verdict.stlv)
        self._writer.append(encode_record(RECORD_TICKET, ticket.encode_payload()))
        self._state.mark_ticket(ticket.fd_number, ticket)
        session = self._session()
        if session.sent_fd == ticket.fd_number:
            session.sent_fd = session.sent_at = None

        code = ANSWER_ACCEPTED if confirmation.answer_code is None else confirmation.answer_code
        if code != ANSWER_ACCEPTED:
            logger.warning("ФН %s: the ОФД answered ФД %d with code %d", self.serial, ticket.fd_number, code)
        operator_message = b""
        if confirmation.operator_text:
            operator_message = encode_tlv(
                TAG_OPERATOR_MESSAGE, encode_tlv(TAG_OFD_ANSWER_CODE, bytes((code,))) + confirmation.operator_text)
        logger.debug("ФН %s accepted the квитанция for ФД %d", self.serial, ticket.fd_number)
        return FnResult.OK, OfdTicketAnswer(code, operator_message).encode()
