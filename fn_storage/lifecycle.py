"""Life phases of the ФН and the commands each phase accepts.

The phase byte of 30h is a ladder of bits: 0 «настройка», 1 «готовность к
фискализации», 3 «фискальный режим», 7 «постфискальный режим» (the archive is
closed and documents still go to the ОФД) and 15 «доступ к архиву» (every
document has its квитанция). The phases follow one another one way; only the
debug reset 60h returns a ФН to phase 1.

``command_allowed`` applies table 6 of the interface description (command
groups per phase). A command outside its phases is answered 02h before its
handler runs; handlers still check the finer conditions (an open shift, an
open document, the report type of 02h).
"""

from __future__ import annotations

from ..protocol.fn.codes import FnCommand as C
from ..protocol.fn.service import FnPhase

SETUP = FnPhase.SETUP
READY = FnPhase.READY_FOR_FISCALIZATION
FISCAL = FnPhase.FISCAL_MODE
POST_FISCAL = FnPhase.POST_FISCAL_MODE
ARCHIVE_ONLY = FnPhase.ARCHIVE_READ_ONLY
ALL_PHASES = frozenset(FnPhase)

# Status commands and the reads of the archive run in every phase (table 6);
# the archive handlers answer 02h themselves while nothing is registered.
# NOTE: phase 0 («настройка») is listed for completeness only: FiscalStorage.create
# makes a ФН whose factory setup is done, and no interface command leaves phase 0.
_STATUS = (C.GET_STATUS, C.GET_SERIAL, C.GET_EXPIRY, C.GET_VERSION, C.GET_LAST_ERRORS,
           C.GET_FFD_VERSION, C.GET_DAYS_LEFT, C.GET_FREE_MEMORY)
_ARCHIVE = (C.FIND_DOCUMENT, C.GET_OFD_TICKET, C.GET_UNCONFIRMED_COUNT, C.GET_FISCALIZATION_RESULT,
            C.GET_FISCALIZATION_PARAMETER, C.REQUEST_DOCUMENT_TLV, C.READ_DOCUMENT_TLV,
            C.READ_FISCALIZATION_TLV)
# 02h type 0 and 1 need phase 1 and type 2 phase 3; the handler tells them apart.
_FISCALIZATION = (C.BEGIN_REGISTRATION_REPORT, C.FORM_REGISTRATION_REPORT)
_CLOSE_FISCAL_MODE = (C.BEGIN_CLOSE_FISCAL_MODE, C.CLOSE_FISCAL_MODE)
_DOCUMENTS = (C.GET_SHIFT_PARAMETERS, C.BEGIN_OPEN_SHIFT, C.OPEN_SHIFT, C.BEGIN_CLOSE_SHIFT, C.CLOSE_SHIFT,
              C.BEGIN_RECEIPT, C.FORM_RECEIPT, C.BEGIN_CORRECTION_RECEIPT)
# The settlement report is the one document of the post-fiscal mode (18h, 19h).
_SETTLEMENT = (C.BEGIN_SETTLEMENT_REPORT, C.FORM_SETTLEMENT_REPORT)
_EXCHANGE = (C.GET_EXCHANGE_STATUS, C.SET_TRANSPORT_STATUS, C.BEGIN_OFD_MESSAGE_READ, C.READ_OFD_MESSAGE_BLOCK,
             C.CANCEL_OFD_MESSAGE_READ, C.FINISH_OFD_MESSAGE_READ, C.SEND_OFD_TICKET)
# 06h and 07h act on the open document, whatever the phase; 60h is gated by the firmware type.
_ANY_PHASE = (C.CANCEL_DOCUMENT, C.SEND_DOCUMENT_DATA, C.RESET_STATE)

PHASES_OF_COMMAND: dict[int, frozenset[int]] = {
    **{command: ALL_PHASES for command in _STATUS + _ARCHIVE + _ANY_PHASE},
    **{command: frozenset({READY, FISCAL}) for command in _FISCALIZATION},
    **{command: frozenset({FISCAL}) for command in _CLOSE_FISCAL_MODE + _DOCUMENTS},
    **{command: frozenset({FISCAL, POST_FISCAL}) for command in _SETTLEMENT},
    **{command: frozenset({READY, FISCAL, POST_FISCAL}) for command in _EXCHANGE},
}


def command_allowed(command: int, phase: int) -> bool:
    """Tell whether table 6 lets ``command`` run in ``phase``; unknown commands are allowed (01h comes later)."""
    phases = PHASES_OF_COMMAND.get(command)
    return phases is None or phase in phases


def phase_after_close(documents_waiting: bool) -> FnPhase:
    """Return the phase after the report on closing the fiscal mode.

    A ФН in the data transmission mode stays in phase 7 until every document
    has its квитанция; one with nothing to send (the autonomous mode, or all
    confirmed) is closed at once, phase 15, as the ФФД tables say of a ФН in
    the autonomous mode.
    """
    return POST_FISCAL if documents_waiting else ARCHIVE_ONLY
