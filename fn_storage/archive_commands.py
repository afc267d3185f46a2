"""Status and archive commands of the ФН model (30h..35h, 3Dh, 40h..47h).

These commands only read. 45h and 46h stream a document one top-level TLV per
call and 44h (tag FFFFh) with 47h stream the registration data the ККТ sent.
Each stream ends with 08h. The ОФД exchange (20h..26h) is in ``exchange``.
"""

from __future__ import annotations

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
from ..protocol.fn.message import RawData
from ..protocol.fn.service import ExpiryAnswer, FnPhase, FreeMemoryAnswer, SerialAnswer, StatusAnswer, VersionAnswer
from .resources import add_months, recent_bytes
from .state import register_items

FN_VERSION = "kktemu-fn 1"


class ArchiveCommands:
    """Handlers of the status and archive commands; mixed into ``FiscalStorage``."""

    def archive_handlers(self) -> dict:
        """Map each status and archive command code to its handler."""
        return {
            FnCommand.GET_STATUS: self._status,
            FnCommand.GET_SERIAL: lambda request: (FnResult.OK, SerialAnswer(self.serial).encode()),
            FnCommand.GET_EXPIRY: self._expiry,
            FnCommand.GET_VERSION: self._version,
            FnCommand.GET_LAST_ERRORS: lambda request: (FnResult.OK, RawData(self._errors.encode()).encode()),
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
            warnings=int(self.warning_flags()),
            last_document_time=last.moment if last else None,
            serial=self.serial,
            last_fd_number=state.last_fd_number,
        )
        return FnResult.OK, answer.encode()

    def _version(self, request):
        # Software type 0 (debug) is what test ФН report; only they accept 60h.
        return FnResult.OK, VersionAnswer(FN_VERSION, not self._profile.is_debug(self.serial)).encode()

    def _expiry(self, request):
        # Validity runs the profile's months from the first registration. Before it the
        # date is counted from the archive's creation, as if the ФН were registered now.
        registrations = self._state.registrations
        validity = self.validity()
        valid_until = validity.expiry if validity else add_months(self._header.created, self._profile.validity_months)
        answer = ExpiryAnswer(
            valid_until=valid_until.date(),
            registrations_left=max(self._profile.max_registrations - len(registrations), 0),
            registrations_done=len(registrations),
        )
        return FnResult.OK, answer.encode()

    def _free_memory(self, request):
        # The 30-day area keeps every document formed in the last 30 days of the ФН timer,
        # so its free space stops falling after 30 days of steady work. A ФН registered
        # without marking omits the byte about the notification area, and kktemu's ФН
        # never registers for marking.
        documents = self._state.documents
        used = recent_bytes(documents, self.timer())
        answer = FreeMemoryAnswer(
            documents_left=max(self._profile.archive_capacity - len(documents), 0),
            ofd_area_free_kb=max(self._profile.thirty_day_area_kb - math.ceil(used / 1024), 0),
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
        ticket = self._state.tickets.get(request.fd_number)
        if ticket is None:
            return self.refuse(FnResult.NO_DATA, f"ФД {request.fd_number} has no ОФД квитанция")
        return FnResult.OK, ticket.answer().encode()

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
