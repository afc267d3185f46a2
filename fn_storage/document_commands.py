"""Document commands of the ФН model: registration, shifts, receipts, reports (02h..19h).

Every document goes through one cycle: a «Начать ...» command opens it, 07h
adds whole TLVs within the document's size budget, and the «Сформировать ...»
command signs and archives it. Only formed documents reach the archive, so a
document left open when the process stops is lost, as on a real ФН after a
power cut.

Time rules (DATE_TIME of the commands, minute resolution):

* a document may not be dated earlier than the previous one (07h), except that
  an open shift report may be up to one hour earlier;
* a receipt may not start more than 24 hours after the shift opened (16h), and
  16h may not date it outside [begin of the receipt, shift open + 24 h] (07h);
* at 15h and 17h the time since the previous document by the ККТ's clock may
  differ from the ФН timer's by at most 5 minutes (17h).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from ..protocol.ffd.tlv import encode_tlv, split_tlv
from ..protocol.ffd.values import decode_string, decode_vln, encode_uint32, encode_unixtime
from ..protocol.fn.records import (
    CloseFiscalModeRecord,
    ReceiptRecord,
    RegistrationRecord,
    ReregistrationRecord,
    SettlementReportRecord,
    ShiftRecord,
)
from ..protocol.fn.codes import FnCommand, FnResult
from ..protocol.fn.documents import (
    FiscalDocumentAnswer,
    FormReceiptRequest,
    FormRegistrationRequest,
    ReceiptAnswer,
    RegistrationReportType,
    SettlementReportAnswer,
    ShiftDocumentAnswer,
    ShiftParametersAnswer,
)
from ..protocol.fn.service import CurrentDocument as Doc
from ..protocol.fn.service import FnPhase, FnWarning
from .counters import TAG_FN_COUNTERS, TAG_SHIFT_COUNTERS, ReceiptFigures
from .forming import FN_BLOCK_TAGS
from .identifiers import inn_is_valid, rnm_is_valid
from .state import (
    FORM_BSO,
    FORM_CLOSE_FISCAL_MODE,
    FORM_CLOSE_SHIFT,
    FORM_CORRECTION,
    FORM_CORRECTION_BSO,
    FORM_OPEN_SHIFT,
    FORM_RECEIPT,
    FORM_REGISTRATION,
    FORM_REREGISTRATION,
    FORM_SETTLEMENT_REPORT,
    TAG_FFD_VERSION,
    TAG_KKT_SERIAL,
)

SHIFT_LIMIT = _dt.timedelta(hours=24)
OPEN_SHIFT_TOLERANCE = _dt.timedelta(hours=1)
TIMER_TOLERANCE = _dt.timedelta(minutes=5)
SUPPORTED_FFD_VERSIONS = (2, 3, 4)  # 1.05, 1.1, 1.2
FFD_1_1 = 3
FFD_1_2 = 4
WORK_MODE_AUTONOMOUS = 0x02
WORK_MODE_BSO = 0x10
TAXATION_BITS = 0x3F
# «Код причины перерегистрации» of 03h: 1 замена ФН, 2 смена ОФД, 3 смена реквизитов пользователя, 4 смена настроек ККТ.
REREGISTRATION_REASONS = (1, 2, 3, 4)

# Size budget of the 07h data of each document, from the interface description.
# NOTE: the description gives the settlement report both 1 KB and 2 KB; 2 KB is used.
BUDGETS = {
    Doc.REGISTRATION: 2048,
    Doc.REREGISTRATION_NEW_FN: 2048,
    Doc.REREGISTRATION: 2048,
    Doc.CLOSE_FISCAL_MODE: 2048,
    Doc.OPEN_SHIFT: 1024,
    Doc.CLOSE_SHIFT: 1024,
    Doc.RECEIPT: 30 * 1024,
    Doc.BSO: 30 * 1024,
    Doc.CORRECTION_RECEIPT: 30 * 1024,
    Doc.CORRECTION_BSO: 30 * 1024,
    Doc.SETTLEMENT_REPORT: 2048,
}
REGISTRATION_KINDS = (Doc.REGISTRATION, Doc.REREGISTRATION_NEW_FN, Doc.REREGISTRATION)
RECEIPT_KINDS = {
    (False, False): (Doc.RECEIPT, FORM_RECEIPT),
    (False, True): (Doc.BSO, FORM_BSO),
    (True, False): (Doc.CORRECTION_RECEIPT, FORM_CORRECTION),
    (True, True): (Doc.CORRECTION_BSO, FORM_CORRECTION_BSO),
}
CORRECTION_KINDS = (Doc.CORRECTION_RECEIPT, Doc.CORRECTION_BSO)
RECEIPT_DOCUMENTS = frozenset(kind for kind, _ in RECEIPT_KINDS.values())
TAG_ITEM = 1059

TAG_OPERATION = 1054
TAG_TOTAL = 1020
TAG_DOCUMENTS_IN_SHIFT = 1111
TAG_RECEIPTS_IN_SHIFT = 1118
TAG_UNSENT_COUNT = 1097
TAG_UNSENT_SINCE = 1098
TAG_FIRST_UNSENT = 1116
TAG_UNSENT_COUNTERS = 1158
TAG_RESOURCE_ENDING = 1050
TAG_REPLACE_URGENT = 1051
TAG_MEMORY_FULL = 1052
TAG_OFD_TIMEOUT = 1053

# Tags the ФН writes itself; 07h data carrying them get result 0Ch (дублирование данных).
FN_WRITTEN_TAGS = {kind: set(FN_BLOCK_TAGS) for kind in BUDGETS}
FN_WRITTEN_TAGS[Doc.CLOSE_SHIFT] |= {
    TAG_DOCUMENTS_IN_SHIFT, TAG_RECEIPTS_IN_SHIFT, TAG_UNSENT_COUNT, TAG_UNSENT_SINCE,
    TAG_SHIFT_COUNTERS, TAG_FN_COUNTERS,
}
FN_WRITTEN_TAGS[Doc.SETTLEMENT_REPORT] |= {
    TAG_FIRST_UNSENT, TAG_UNSENT_COUNT, TAG_UNSENT_SINCE, TAG_FN_COUNTERS, TAG_UNSENT_COUNTERS,
}


@dataclass
class OpenDocument:
    """The document begun and not formed yet; it lives only in memory."""

    kind: Doc
    form: int
    moment: _dt.datetime | None = None
    report_type: int | None = None
    data: bytearray = field(default_factory=bytearray)
    has_data: bool = False

    @property
    def budget(self) -> int:
        """Maximum total size in bytes of this document's 07h data."""
        return BUDGETS[self.kind]


def _item_count(tlv: bytes) -> int:
    return sum(1 for tag, _ in split_tlv(tlv) if tag == TAG_ITEM)


def _details(record_class, **values) -> bytes:
    # The type-specific tail of a 40h record does not depend on the common prefix.
    return record_class(moment=_dt.datetime(2000, 1, 1), fd_number=0, fiscal_sign=0, **values).encode_details()


class DocumentCommands:
    """Handlers of 02h..19h; mixed into ``FiscalStorage``, which provides the state and helpers."""

    def document_handlers(self) -> dict:
        """Map each document command code to its handler."""
        return {
            FnCommand.BEGIN_REGISTRATION_REPORT: self._begin_registration,
            FnCommand.FORM_REGISTRATION_REPORT: self._form_registration,
            FnCommand.BEGIN_CLOSE_FISCAL_MODE: self._begin_close_fiscal_mode,
            FnCommand.CLOSE_FISCAL_MODE: self._close_fiscal_mode,
            FnCommand.CANCEL_DOCUMENT: self._cancel_document,
            FnCommand.SEND_DOCUMENT_DATA: self._document_data,
            FnCommand.GET_SHIFT_PARAMETERS: self._shift_parameters,
            FnCommand.BEGIN_OPEN_SHIFT: self._begin_open_shift,
            FnCommand.OPEN_SHIFT: self._open_shift,
            FnCommand.BEGIN_CLOSE_SHIFT: self._begin_close_shift,
            FnCommand.CLOSE_SHIFT: self._close_shift,
            FnCommand.BEGIN_RECEIPT: lambda request: self._begin_receipt(request, correction=False),
            FnCommand.FORM_RECEIPT: self._form_receipt,
            FnCommand.BEGIN_CORRECTION_RECEIPT: lambda request: self._begin_receipt(request, correction=True),
            FnCommand.BEGIN_SETTLEMENT_REPORT: self._begin_settlement_report,
            FnCommand.FORM_SETTLEMENT_REPORT: self._form_settlement_report,
        }

    # Shared checks.

    def _open_kind(self, *kinds: Doc, need_data: bool = True) -> OpenDocument | None:
        document = self._open
        if document is None or document.kind not in kinds:
            return None
        if need_data and not document.has_data:
            return None
        return document

    def _earlier_than_last(self, moment: _dt.datetime, tolerance: _dt.timedelta = _dt.timedelta(0)) -> bool:
        last = self._state.last_document
        return last is not None and moment < last.moment - tolerance

    def _timer_disagrees(self, moment: _dt.datetime) -> bool:
        last = self._state.last_document
        if last is None:
            return False
        by_kkt = moment - last.moment
        by_timer = self.timer() - last.fn_time
        return abs(by_kkt - by_timer) > TIMER_TOLERANCE

    def _begin(self, kind: Doc, form: int, moment: _dt.datetime | None = None, report_type: int | None = None):
        self._open = OpenDocument(kind=kind, form=form, moment=moment, report_type=report_type)
        return FnResult.OK, b""

    # 02h, 03h: registration.

    def _begin_registration(self, request):
        if self._open is not None:
            return self.refuse(FnResult.INVALID_STATE, f"document {self._open.kind.name} is open")
        report_type = request.report_type
        phase = self._state.phase
        if report_type == RegistrationReportType.REGISTRATION:
            kind, form, allowed = Doc.REGISTRATION, FORM_REGISTRATION, phase == FnPhase.READY_FOR_FISCALIZATION
        elif report_type == RegistrationReportType.REREGISTRATION_NEW_FN:
            kind, form = Doc.REREGISTRATION_NEW_FN, FORM_REREGISTRATION
            allowed = phase == FnPhase.READY_FOR_FISCALIZATION
        elif report_type == RegistrationReportType.REREGISTRATION:
            kind, form = Doc.REREGISTRATION, FORM_REREGISTRATION
            allowed = phase == FnPhase.FISCAL_MODE and not self._state.shift.is_open
        else:
            return self.refuse(FnResult.UNKNOWN_COMMAND, f"registration report type {report_type} is unknown")
        if not allowed:
            return self.refuse(FnResult.INVALID_STATE, f"report type {report_type} is not allowed in phase {phase}")
        limit = self._profile.max_registrations
        if len(self._state.registrations) >= limit:
            return self.refuse(FnResult.INVALID_STATE, f"all {limit} registrations are used")
        return self._begin(kind, form, report_type=report_type)

    def _form_registration(self, request: FormRegistrationRequest):
        document = self._open_kind(*REGISTRATION_KINDS)
        if document is None:
            return self.refuse(FnResult.INVALID_STATE, "no registration report with data is open")
        refusal = self._check_registration(document, request)
        if refusal is not None:
            return refusal

        inn = request.inn.strip()
        values = {"inn": inn, "rnm": request.rnm, "taxation": request.taxation, "work_mode": request.work_mode}
        if document.form == FORM_REGISTRATION:
            details = _details(RegistrationRecord, **values)
        else:
            # Reason 1 (замена ФН) is what the ФН itself writes for a re-registration with a new ФН.
            reason = request.reason if request.reason is not None else 1
            details = _details(ReregistrationRecord, **values, reason=reason)
        fd_number, fp32 = self.form_document(document.form, request.moment, details, inn=inn, rnm=request.rnm)
        return FnResult.OK, FiscalDocumentAnswer(fd_number, fp32).encode()

    def _check_registration(self, document: OpenDocument, request: FormRegistrationRequest):
        """Return the refusal for an invalid 03h request, or None when it may be formed."""
        with_reason = document.report_type == RegistrationReportType.REREGISTRATION
        if with_reason != (request.reason is not None):
            return self.refuse(FnResult.UNKNOWN_COMMAND, "the reason byte must come with report type 2 only")
        if with_reason and request.reason not in REREGISTRATION_REASONS:
            return self.refuse(FnResult.INVALID_PARAMETER, f"re-registration reason {request.reason} is not 1..4")
        if self._earlier_than_last(request.moment):
            return self.refuse(FnResult.INVALID_DATE_TIME, f"{request.moment} is earlier than the last document")
        inn = request.inn.strip()
        if not inn_is_valid(inn):
            return self.refuse(FnResult.INVALID_PARAMETER, f"ИНН {request.inn!r} is not 10 or 12 digits with valid check digits")
        if not request.taxation or request.taxation & ~TAXATION_BITS:
            return self.refuse(FnResult.INVALID_PARAMETER, f"taxation bits {request.taxation:#04x} are invalid")

        items = dict(split_tlv(bytes(document.data)))
        version = items.get(TAG_FFD_VERSION)
        supported = [code for code in SUPPORTED_FFD_VERSIONS if code <= self._profile.max_ffd_version]
        if version is not None and (len(version) != 1 or version[0] not in supported):
            return self.refuse(FnResult.INVALID_TAG, f"ФФД version tag 1209 = {version.hex()} is not one of {supported}")
        kkt_serial = items.get(TAG_KKT_SERIAL)
        if kkt_serial is None:
            return self.refuse(FnResult.INVALID_PARAMETER, "no ККТ serial (1013) to check the РНМ against")
        if not rnm_is_valid(request.rnm, inn, decode_string(kkt_serial)):
            return self.refuse(FnResult.INVALID_PARAMETER, f"РНМ {request.rnm!r} has a wrong check value")
        return None

    # 04h, 05h: closing the fiscal mode.

    def _begin_close_fiscal_mode(self, request):
        if self.not_fiscal() or self._open is not None or self._state.shift.is_open:
            return self.refuse(FnResult.INVALID_STATE, "closing the fiscal mode needs the fiscal mode, no open shift")
        waiting = self._state.oldest_waiting()
        if self._profile.close_requires_confirmed and waiting is not None:
            return self.refuse(FnResult.INVALID_STATE, f"ФД {waiting.fd_number} still waits for its квитанция")
        return self._begin(Doc.CLOSE_FISCAL_MODE, FORM_CLOSE_FISCAL_MODE)

    def _close_fiscal_mode(self, request):
        document = self._open_kind(Doc.CLOSE_FISCAL_MODE)
        if document is None:
            return self.refuse(FnResult.INVALID_STATE, "no close fiscal mode report with data is open")
        if self._earlier_than_last(request.moment):
            return self.refuse(FnResult.INVALID_DATE_TIME, f"{request.moment} is earlier than the last document")
        registration = self._state.registration
        if request.rnm != registration.rnm:
            return self.refuse(FnResult.INVALID_PARAMETER, f"РНМ {request.rnm!r} is not the registered one")
        details = _details(CloseFiscalModeRecord, inn=registration.inn, rnm=registration.rnm)
        fd_number, fp32 = self.form_document(FORM_CLOSE_FISCAL_MODE, request.moment, details)
        return FnResult.OK, FiscalDocumentAnswer(fd_number, fp32).encode()

    # 06h, 07h: common to every document.

    def _cancel_document(self, request):
        self._open = None
        return FnResult.OK, b""

    def _document_data(self, request):
        document = self._open
        if document is None:
            return self.refuse(FnResult.INVALID_STATE, "no document is open")
        duplicated = {tag for tag, _ in split_tlv(request.tlv)} & FN_WRITTEN_TAGS[document.kind]
        if duplicated:
            return self.refuse(FnResult.DUPLICATE_DATA, f"tags {sorted(duplicated)} are written by the ФН")
        if len(document.data) + len(request.tlv) > document.budget:
            return self.refuse(
                FnResult.TLV_TOO_LARGE,
                f"{len(document.data)} + {len(request.tlv)} bytes exceed the {document.budget}-byte budget",
            )
        limit = self._profile.max_items
        if limit is not None and document.kind in RECEIPT_DOCUMENTS:
            items = _item_count(bytes(document.data)) + _item_count(request.tlv)
            if items > limit:
                return self.refuse(FnResult.TOO_MANY_ITEMS, f"{items} items exceed the limit of {limit} per receipt")
        document.data += request.tlv
        document.has_data = document.has_data or bool(request.tlv)
        return FnResult.OK, b""

    # 10h..14h: shifts.

    def _shift_parameters(self, request):
        if self.not_fiscal():
            return self.refuse(FnResult.INVALID_STATE, "shift parameters need the fiscal mode")
        shift = self._state.shift
        return FnResult.OK, ShiftParametersAnswer(shift.is_open, shift.number, shift.receipt_number).encode()

    def _begin_open_shift(self, request):
        shift = self._state.shift
        if self.not_fiscal() or self._open is not None or shift.is_open:
            return self.refuse(FnResult.INVALID_STATE, "opening a shift needs the fiscal mode and a closed shift")
        if shift.number >= 0xFFFF:
            return self.refuse(FnResult.INVALID_STATE, "shift numbers are exhausted")
        if self._earlier_than_last(request.moment, OPEN_SHIFT_TOLERANCE):
            return self.refuse(FnResult.INVALID_DATE_TIME, f"{request.moment} is over an hour before the last document")
        refusal = self.ofd_wait_refusal()  # the 30-day rule of the ОФД exchange (15h)
        if refusal:
            return refusal
        return self._begin(Doc.OPEN_SHIFT, FORM_OPEN_SHIFT, request.moment)

    def _open_shift(self, request):
        document = self._open_kind(Doc.OPEN_SHIFT)
        if document is None:
            return self.refuse(FnResult.INVALID_STATE, "no open shift report with data is open")
        refusal = self.ofd_wait_refusal()  # the 30-day rule of the ОФД exchange (15h)
        if refusal:
            return refusal
        number = self._state.shift.number + 1
        fd_number, fp32 = self.form_document(FORM_OPEN_SHIFT, document.moment, _details(ShiftRecord, shift_number=number))
        return FnResult.OK, ShiftDocumentAnswer(number, fd_number, fp32).encode()

    def _begin_close_shift(self, request):
        if self.not_fiscal() or self._open is not None or not self._state.shift.is_open:
            return self.refuse(FnResult.INVALID_STATE, "closing a shift needs the fiscal mode and an open shift")
        if self._earlier_than_last(request.moment):
            return self.refuse(FnResult.INVALID_DATE_TIME, f"{request.moment} is earlier than the last document")
        refusal = self.ofd_wait_refusal()  # the 30-day rule of the ОФД exchange (15h)
        if refusal:
            return refusal
        return self._begin(Doc.CLOSE_SHIFT, FORM_CLOSE_SHIFT, request.moment)

    def _close_shift(self, request):
        document = self._open_kind(Doc.CLOSE_SHIFT)
        if document is None:
            return self.refuse(FnResult.INVALID_STATE, "no close shift report with data is open")
        refusal = self.ofd_wait_refusal()  # the 30-day rule of the ОФД exchange (15h)
        if refusal:
            return refusal
        state = self._state
        shift = state.shift
        # NOTE: 1111 counts the open and the close shift reports too; no public
        # close shift report was found to confirm that choice.
        fn_tlv = (
            encode_tlv(TAG_DOCUMENTS_IN_SHIFT, encode_uint32(shift.documents + 1))
            + encode_tlv(TAG_RECEIPTS_IN_SHIFT, encode_uint32(shift.receipts))
            + self._unsent_tlv(with_first_number=False)
            + self._warning_tlv(document)
            + state.shift_counters.encode(TAG_SHIFT_COUNTERS, state.ffd_version)
            + state.fn_counters.encode(TAG_FN_COUNTERS, state.ffd_version)
        )
        details = _details(ShiftRecord, shift_number=shift.number)
        fd_number, fp32 = self.form_document(FORM_CLOSE_SHIFT, document.moment, details, fn_tlv)
        return FnResult.OK, ShiftDocumentAnswer(shift.number, fd_number, fp32).encode()

    def _warning_tlv(self, document: OpenDocument) -> bytes:
        """Return реквизиты 1050..1053 with value 1 for each raised condition the ККТ did not write itself.

        The ФФД tables include these flags in a close shift report only when
        they are 1. 1050 means under 30 days of validity left (flag b1), 1051
        under 3 days (b0), 1052 the archive over 99 % full, and 1053 no
        квитанция for longer than the ОФД timeout (b3).
        """
        flags = self.warning_flags()
        raised = {
            TAG_RESOURCE_ENDING: bool(flags & FnWarning.CRYPTO_RESOURCE_ENDING),
            TAG_REPLACE_URGENT: bool(flags & FnWarning.CRYPTO_REPLACE_URGENT),
            TAG_MEMORY_FULL: self.memory_full(),
            TAG_OFD_TIMEOUT: bool(flags & FnWarning.OFD_TIMEOUT),
        }
        sent = {tag for tag, _ in split_tlv(bytes(document.data))}
        return b"".join(encode_tlv(tag, b"\x01") for tag, on in raised.items() if on and tag not in sent)

    def _unsent_tlv(self, with_first_number: bool) -> bytes:
        """Return 1116, 1097 and 1098 about unconfirmed documents; nothing in the autonomous mode.

        1116 and 1098 are written only when some document is unconfirmed.
        """
        if self._state.registration.work_mode & WORK_MODE_AUTONOMOUS:
            return b""
        unconfirmed = self._state.unconfirmed()
        result = b""
        if with_first_number and unconfirmed:
            result += encode_tlv(TAG_FIRST_UNSENT, encode_uint32(unconfirmed[0].fd_number))
        result += encode_tlv(TAG_UNSENT_COUNT, encode_uint32(len(unconfirmed)))
        if unconfirmed:
            result += encode_tlv(TAG_UNSENT_SINCE, encode_unixtime(unconfirmed[0].moment))
        return result

    # 15h..17h: receipts, БСО and corrections.

    def _begin_receipt(self, request, correction: bool):
        shift = self._state.shift
        if self.not_fiscal() or self._open is not None or not shift.is_open:
            return self.refuse(FnResult.INVALID_STATE, "a receipt needs the fiscal mode, an open shift, no open document")
        if self._earlier_than_last(request.moment):
            return self.refuse(FnResult.INVALID_DATE_TIME, f"{request.moment} is earlier than the last document")
        if request.moment - shift.opened_at > SHIFT_LIMIT:
            return self.refuse(FnResult.SHIFT_OVER_24_HOURS, f"shift {shift.number} opened at {shift.opened_at}")
        if self._timer_disagrees(request.moment):
            return self.refuse(FnResult.TIME_DIFFERENCE, f"{request.moment} disagrees with the ФН timer {self.timer()}")
        refusal = self.ofd_wait_refusal()  # the 30-day rule of the ОФД exchange (15h)
        if refusal:
            return refusal
        bso = bool(self._state.registration.work_mode & WORK_MODE_BSO)
        kind, form = RECEIPT_KINDS[correction, bso]
        return self._begin(kind, form, request.moment)

    def _form_receipt(self, request: FormReceiptRequest):
        document = self._open_kind(*(kind for kind, _ in RECEIPT_KINDS.values()))
        if document is None:
            return self.refuse(FnResult.INVALID_STATE, "no receipt with data is open")
        state = self._state
        shift = state.shift
        correction = document.kind in CORRECTION_KINDS
        operation, total = request.operation, request.total
        if operation not in (1, 2, 3, 4):
            return self.refuse(FnResult.INVALID_PARAMETER, f"operation type {operation} is not 1..4")
        if correction and state.ffd_version < FFD_1_2 and operation in (2, 4):
            return self.refuse(FnResult.INVALID_PARAMETER, f"ФФД 1.05 corrections allow operations 1 and 3, not {operation}")
        if request.moment < document.moment or request.moment - shift.opened_at > SHIFT_LIMIT:
            return self.refuse(FnResult.INVALID_DATE_TIME, f"{request.moment} is outside the receipt's time window")
        items = split_tlv(bytes(document.data))
        for tag, value in items:
            if tag == TAG_OPERATION and value != bytes((operation,)):
                return self.refuse(FnResult.INVALID_PARAMETER, f"1054 = {value.hex()} but 16h operation is {operation}")
            if tag == TAG_TOTAL and decode_vln(value) != total:
                return self.refuse(FnResult.INVALID_PARAMETER, f"1020 = {decode_vln(value)} but 16h total is {total}")
        figures = ReceiptFigures.from_tlv(bytes(document.data), operation, total)
        shift_counters, fn_counters = state.receipt_update(figures, correction)
        if not (shift_counters.fits() and fn_counters.fits()) or shift.receipt_number >= 0xFFFF:
            return self.refuse(FnResult.INVALID_PARAMETER, "shift totals would overflow")
        receipt_number = shift.receipt_number + 1
        details = _details(ReceiptRecord, operation=operation, total=total)
        fd_number, fp32 = self.form_document(document.form, request.moment, details)
        return FnResult.OK, ReceiptAnswer(receipt_number, fd_number, fp32).encode()

    # 18h, 19h: report on the state of settlements.

    def _begin_settlement_report(self, request):
        # NOTE: the 2016 interface description wants the shift closed here; the
        # later ФФД tables allow the report during a shift, so the model does too.
        if self._state.phase not in (FnPhase.FISCAL_MODE, FnPhase.POST_FISCAL_MODE) or self._open is not None:
            return self.refuse(FnResult.INVALID_STATE, "the report needs the fiscal or post-fiscal mode")
        if self._earlier_than_last(request.moment):
            return self.refuse(FnResult.INVALID_DATE_TIME, f"{request.moment} is earlier than the last document")
        return self._begin(Doc.SETTLEMENT_REPORT, FORM_SETTLEMENT_REPORT, request.moment)

    def _form_settlement_report(self, request):
        document = self._open_kind(Doc.SETTLEMENT_REPORT, need_data=False)
        if document is None:
            return self.refuse(FnResult.INVALID_STATE, "no settlement report is open")
        unconfirmed = self._state.unconfirmed()
        first = unconfirmed[0].moment if unconfirmed else None
        details = _details(SettlementReportRecord, unconfirmed_count=len(unconfirmed), first_unconfirmed=first)
        fn_tlv = self._unsent_tlv(with_first_number=True)
        state = self._state
        if state.ffd_version >= FFD_1_1:
            # ФФД 1.1 and 1.2 add the ФН counters and, when documents go to the ОФД, those of the unsent ones.
            fn_tlv += state.fn_counters.encode(TAG_FN_COUNTERS, state.ffd_version)
            if not state.autonomous:
                fn_tlv += state.unsent_counters().encode(TAG_UNSENT_COUNTERS, state.ffd_version)
        fd_number, fp32 = self.form_document(FORM_SETTLEMENT_REPORT, document.moment, details, fn_tlv)
        first_date = first.date() if first else None
        return FnResult.OK, SettlementReportAnswer(fd_number, fp32, len(unconfirmed), first_date).encode()
