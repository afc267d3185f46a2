"""Status and archive commands of the ФН model (20h, 30h..35h, 3Dh, 40h..47h).

These commands only read. 45h and 46h stream a document one top-level TLV per
call and 44h (tag FFFFh) with 47h stream the registration data the ККТ sent.
Each stream ends with 08h. 20h reports the queue for the ОФД, which contains
every document without a квитанция. The transport and message-reading parts of
the exchange (21h..26h) are not modelled yet.
"""

from __future__ import annotations

import datetime as _dt
import math

from ..protocol.ffd.tlv import split_tlv
from ..protocol.fn.archive import (
    CountAnswer,
    DocumentTlvInfoAnswer,
    FiscalizationParameterRequest,
    FiscalizationResultAnswer,
)
from ..protocol.fn.records import record_class_for
from ..protocol.fn.codes import FnCommand, FnResult
from ..protocol.fn.exchange import ExchangeFlags, ExchangeStatusAnswer
from ..protocol.fn.message import RawData
from ..protocol.fn.service import ExpiryAnswer, FnPhase, FreeMemoryAnswer, SerialAnswer, StatusAnswer, VersionAnswer
from .document_commands import WORK_MODE_AUTONOMOUS
from .state import MAX_REGISTRATIONS, register_items

FN_VERSION = "kktemu-fn 1"
LIFETIME_MONTHS = 36
# NOTE: no public source gives the memory of a real ФН. 3Dh of the model counts down from an
# archive of 250 000 documents and a 30-day area of 1024 KB; these sizes are estimates.
ARCHIVE_CAPACITY_DOCUMENTS = 250_000
THIRTY_DAY_AREA_KB = 1024
THIRTY_DAYS = _dt.timedelta(days=30)


def _add_months(day: _dt.date, months: int) -> _dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return _dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


class ArchiveCommands:
    """Handlers of the status and archive commands; mixed into ``FiscalStorage``."""

    def archive_handlers(self) -> dict:
        """Map each status and archive command code to its handler."""
        return {
            FnCommand.GET_EXCHANGE_STATUS: self._exchange_status,
            FnCommand.GET_STATUS: self._status,
            FnCommand.GET_SERIAL: lambda request: (FnResult.OK, SerialAnswer(self.serial).encode()),
            FnCommand.GET_EXPIRY: self._expiry,
            FnCommand.GET_VERSION: lambda request: (FnResult.OK, VersionAnswer(FN_VERSION, False).encode()),
            FnCommand.GET_LAST_ERRORS: lambda request: (FnResult.OK, RawData(b"").encode()),
            FnCommand.GET_FREE_MEMORY: self._free_memory,
            FnCommand.FIND_DOCUMENT: self._find_document,
            FnCommand.GET_OFD_TICKET: self._ofd_ticket,
            FnCommand.GET_UNCONFIRMED_COUNT: self._unconfirmed_count,
            FnCommand.GET_FISCALIZATION_RESULT: self._fiscalization_result,
            FnCommand.GET_FISCALIZATION_PARAMETER: self._fiscalization_parameter,
            FnCommand.REQUEST_DOCUMENT_TLV: self._request_document_tlv,
            FnCommand.READ_DOCUMENT_TLV: self._read_document_tlv,
            FnCommand.READ_FISCALIZATION_TLV: self._read_fiscalization_tlv,
        }

    def _status(self, request):
        state = self._state
        document = self._open
        last = state.last_document
        answer = StatusAnswer(
            phase=state.phase,
            current_document=document.kind if document else 0,
            has_document_data=bool(document and document.has_data),
            shift_open=state.shift.is_open,
            warnings=0,
            last_document_time=last.moment if last else None,
            serial=self.serial,
            last_fd_number=state.last_fd_number,
        )
        return FnResult.OK, answer.encode()

    def _exchange_status(self, request):
        # In the autonomous mode the ФН forms no messages for the ОФД, so the queue is empty.
        # Otherwise it contains every document without a квитанция, oldest first. The
        # transport bit stays 0 because 21h is not modelled.
        registration = self._state.registration
        if registration is None:
            return self.refuse(FnResult.INVALID_STATE, "the exchange status needs a registered ФН")
        queue = [] if registration.work_mode & WORK_MODE_AUTONOMOUS else self._state.unconfirmed()
        first = queue[0] if queue else None
        answer = ExchangeStatusAnswer(
            flags=ExchangeFlags.MESSAGE_FOR_OFD if queue else 0,
            read_started=False,
            message_count=min(len(queue), 0xFFFF),
            first_fd_number=first.fd_number if first else 0,
            first_document_time=first.moment if first else None,
        )
        return FnResult.OK, answer.encode()

    def _expiry(self, request):
        # NOTE: the validity period is a fixed 36 months from the first
        # registration (from the archive's creation before it); real ФН models
        # have 13, 15 or 36 months depending on the model and its use.
        registrations = self._state.registrations
        start = registrations[0].document.moment if registrations else self._header.created
        answer = ExpiryAnswer(
            valid_until=_add_months(start.date(), LIFETIME_MONTHS),
            registrations_left=MAX_REGISTRATIONS - len(registrations),
            registrations_done=len(registrations),
        )
        return FnResult.OK, answer.encode()

    def _free_memory(self, request):
        # The 30-day area keeps every document formed in the last 30 days of the ФН timer,
        # so its free space stops falling after 30 days of steady work. A ФН registered
        # without marking omits the byte about the notification area, and kktemu's ФН
        # never registers for marking.
        documents = self._state.documents
        since = self.timer() - THIRTY_DAYS
        recent_bytes = sum(len(document.stlv) for document in documents if document.fn_time > since)
        answer = FreeMemoryAnswer(
            documents_left=max(ARCHIVE_CAPACITY_DOCUMENTS - len(documents), 0),
            ofd_area_free_kb=max(THIRTY_DAY_AREA_KB - math.ceil(recent_bytes / 1024), 0),
        )
        return FnResult.OK, answer.encode()

    def _archived(self, fd_number: int):
        """Return ``(document, None)`` or ``(None, refusal answer)``."""
        if self._state.phase == FnPhase.READY_FOR_FISCALIZATION:
            return None, self.refuse(FnResult.INVALID_STATE, "the archive is empty before registration")
        documents = self._state.documents
        if not 1 <= fd_number <= len(documents):
            return None, self.refuse(FnResult.NO_DATA, f"ФД {fd_number} is not in the archive (last is {len(documents)})")
        return documents[fd_number - 1], None

    def _find_document(self, request):
        document, refusal = self._archived(request.fd_number)
        if refusal:
            return refusal
        return FnResult.OK, bytes((document.form, int(document.ticket))) + document.record

    def _ofd_ticket(self, request):
        document, refusal = self._archived(request.fd_number)
        if refusal:
            return refusal
        return self.refuse(FnResult.NO_DATA, f"ФД {request.fd_number} has no ОФД квитанция")

    def _unconfirmed_count(self, request):
        count = min(len(self._state.unconfirmed()), 0xFFFF)
        return FnResult.OK, CountAnswer(count).encode()

    def _registration(self, report_number: int | None):
        """Return ``(registration, None)`` or ``(None, refusal answer)`` for 43h and 44h."""
        registrations = self._state.registrations
        if not registrations:
            return None, self.refuse(FnResult.INVALID_STATE, "the ФН is not registered")
        if report_number is None:
            return registrations[-1], None
        if not 1 <= report_number <= len(registrations):
            return None, self.refuse(FnResult.NO_DATA, f"registration {report_number} does not exist")
        return registrations[report_number - 1], None

    def _fiscalization_result(self, request):
        registration, refusal = self._registration(request.report_number)
        if refusal:
            return refusal
        record = record_class_for(registration.document.form).decode(registration.document.record)
        reason = None if request.report_number is None else (registration.reason or 0)
        answer = FiscalizationResultAnswer(
            moment=record.moment,
            inn=registration.inn,
            rnm=registration.rnm,
            taxation=registration.taxation,
            work_mode=registration.work_mode,
            reason=reason,
            fd_number=record.fd_number,
            fiscal_sign=record.fiscal_sign,
        )
        return FnResult.OK, answer.encode()

    def _fiscalization_parameter(self, request):
        registration, refusal = self._registration(request.report_number)
        if refusal:
            return refusal
        if request.report_number is not None and request.tag == FiscalizationParameterRequest.ALL_TAGS:
            self._registration_cursor = register_items(registration.document)
            return FnResult.OK, b""
        for item in split_tlv(registration.document.tlv):
            if item[0] == request.tag:
                return self.tlv_answer(item)
        return self.refuse(FnResult.NO_DATA, f"registration has no tag {request.tag}")

    def _request_document_tlv(self, request):
        document, refusal = self._archived(request.fd_number)
        if refusal:
            return refusal
        self._document_cursor = split_tlv(document.tlv)
        return FnResult.OK, DocumentTlvInfoAnswer(document.form, len(document.tlv)).encode()

    def _read_document_tlv(self, request):
        if self._document_cursor is None:
            return self.refuse(FnResult.INVALID_STATE, "45h must come before 46h")
        if not self._document_cursor:
            return self.refuse(FnResult.NO_DATA, "the whole document has been read")
        return self.tlv_answer(self._document_cursor.pop(0))

    def _read_fiscalization_tlv(self, request):
        if not self._registration_cursor:
            return self.refuse(FnResult.NO_DATA, "no registration data left; send 44h with tag FFFFh first")
        return self.tlv_answer(self._registration_cursor.pop(0))
