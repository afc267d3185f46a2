"""The квитанция record of the archive: an operator confirmation the ФН accepted.

Payload of a record of type 2 (docs/fn-archive-format.md):

======  ====  ==========================================================
offset  size  field
======  ====  ==========================================================
0       4     number of the confirmed ФД, UInt32 LE
4       8     ФН timer when the квитанция was accepted, signed seconds
12      rest  the operator confirmation (form 7 STLV) as the ОФД sent it
======  ====  ==========================================================
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cached_property

from ..protocol.errors import DecodeError
from ..protocol.fn.archive import TICKET_SIGN_SIZE, TicketAnswer
from ..protocol.fn.fields import FieldReader
from ..protocol.ofd.confirmation import OperatorConfirmation

RECORD_TICKET = 2
_EPOCH = _dt.datetime(1970, 1, 1)


@dataclass(frozen=True)
class ArchivedTicket:
    """One accepted квитанция: the ФД it confirms, when the ФН took it, and the operator confirmation.

    ``fn_time`` is the ФН timer when the ФН accepted it; ``stlv`` is the form 7
    document exactly as received. Its 1040 must equal ``fd_number``.
    """

    fd_number: int
    fn_time: _dt.datetime
    stlv: bytes

    @cached_property
    def confirmation(self) -> OperatorConfirmation:
        """The decoded operator confirmation."""
        return OperatorConfirmation.decode(self.stlv)

    @property
    def moment(self) -> _dt.datetime:
        """The time the ОФД received the document (tag 1012, UTC), to the minute as 41h returns it."""
        return self.confirmation.received_at.replace(second=0, microsecond=0)

    @property
    def ofd_sign(self) -> bytes:
        """The 18 bytes of the ОФД sign in 41h: the 1078 value padded with zeros, all zeros without a 1078."""
        sign = self.confirmation.ofd_sign or b""
        return sign.ljust(TICKET_SIGN_SIZE, b"\x00")[:TICKET_SIGN_SIZE]

    def answer(self) -> TicketAnswer:
        """Return the 41h answer for this квитанция."""
        return TicketAnswer(self.moment, self.ofd_sign, self.fd_number)

    def encode_payload(self) -> bytes:
        """Encode the payload of a квитанция record."""
        seconds = (self.fn_time - _EPOCH) // _dt.timedelta(seconds=1)
        return self.fd_number.to_bytes(4, "little") + seconds.to_bytes(8, "little", signed=True) + self.stlv

    @classmethod
    def decode_payload(cls, payload: bytes) -> ArchivedTicket:
        """Decode a квитанция record payload.

        Raises DecodeError when it is malformed, when the STLV is not an
        operator confirmation, or when its 1040 names another ФД.
        """
        reader = FieldReader(payload, "квитанция record")
        fd_number = reader.uint(4, "ФД number")
        seconds = int.from_bytes(reader.take(8, "ФН timer"), "little", signed=True)
        ticket = cls(fd_number, _EPOCH + _dt.timedelta(seconds=seconds), reader.rest())
        if ticket.confirmation.fd_number != fd_number:
            raise DecodeError(
                f"квитанция record of ФД {fd_number} carries an operator confirmation of ФД"
                f" {ticket.confirmation.fd_number}")
        return ticket
