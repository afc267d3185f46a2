"""Persistent state of the ФН, derived only from the records in its archive.

``FnState.apply`` is the single place where a formed document changes the
state, and ``FnState.mark_ticket`` the place where an ОФД квитанция does. The
ФН calls them after a record reaches the disk, and ``FiscalStorage.open``
calls them for every archived record in order, so a reopened ФН is in exactly
the state it had before.

A debug reset (60h) empties the archive file down to its header, so the state
after it is a new ``FnState()``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field

from ..protocol.ffd.tlv import split_tlv
from ..protocol.ffd.values import decode_string
from ..protocol.fn.records import (
    CloseFiscalModeRecord,
    RegistrationRecord,
    ReregistrationRecord,
    ShiftRecord,
    record_class_for,
)
from ..protocol.fn.service import FnPhase
from .archive_file import ArchivedDocument
from .counters import Counters, ReceiptFigures
from .forming import FN_BLOCK_TAGS
from .lifecycle import phase_after_close

FORM_REGISTRATION = 1
FORM_OPEN_SHIFT = 2
FORM_RECEIPT = 3
FORM_BSO = 4
FORM_CLOSE_SHIFT = 5
FORM_CLOSE_FISCAL_MODE = 6
FORM_REREGISTRATION = 11
FORM_SETTLEMENT_REPORT = 21
FORM_CORRECTION = 31
FORM_CORRECTION_BSO = 41
RECEIPT_FORMS = (FORM_RECEIPT, FORM_BSO, FORM_CORRECTION, FORM_CORRECTION_BSO)
CORRECTION_FORMS = (FORM_CORRECTION, FORM_CORRECTION_BSO)

TAG_KKT_SERIAL = 1013
TAG_FFD_VERSION = 1209
FFD_1_05 = 2
WORK_MODE_AUTONOMOUS = 0x02


def register_items(document: ArchivedDocument) -> list[tuple[int, bytes]]:
    """Return the TLVs the ККТ sent for a registration document (everything after the ФН block)."""
    return split_tlv(document.tlv)[len(FN_BLOCK_TAGS):]


@dataclass(frozen=True)
class RegistrationData:
    """Parameters of one registration or re-registration report."""

    document: ArchivedDocument
    inn: str
    rnm: str
    taxation: int
    work_mode: int
    reason: int | None
    kkt_serial: str | None
    ffd_version: int

    @classmethod
    def from_document(cls, document: ArchivedDocument) -> RegistrationData:
        """Read the parameters from an archived form 1 or form 11 document."""
        record = record_class_for(document.form).decode(document.record)
        assert isinstance(record, (RegistrationRecord, ReregistrationRecord))
        items = dict(register_items(document))
        serial = items.get(TAG_KKT_SERIAL)
        version = items.get(TAG_FFD_VERSION)
        return cls(
            document=document,
            inn=record.inn,
            rnm=record.rnm,
            taxation=record.taxation,
            work_mode=record.work_mode,
            reason=getattr(record, "reason", None),
            kkt_serial=None if serial is None else decode_string(serial).strip(),
            ffd_version=version[0] if version and len(version) == 1 else FFD_1_05,
        )


@dataclass
class ShiftState:
    """The current shift, or the last closed one while ``is_open`` is False."""

    number: int = 0
    is_open: bool = False
    opened_at: _dt.datetime | None = None
    receipt_number: int = 0
    documents: int = 0
    receipts: int = 0


@dataclass
class FnState:
    """Everything the ФН remembers between commands, rebuilt from the archive on open.

    ``tickets`` keeps what the ОФД exchange stored with each квитанция, by ФД number.
    """

    phase: int = FnPhase.READY_FOR_FISCALIZATION
    documents: list[ArchivedDocument] = field(default_factory=list)
    registrations: list[RegistrationData] = field(default_factory=list)
    shift: ShiftState = field(default_factory=ShiftState)
    shift_counters: Counters = field(default_factory=Counters)
    fn_counters: Counters = field(default_factory=Counters)
    tickets: dict[int, object] = field(default_factory=dict)
    _first_unconfirmed: int = field(default=0, repr=False)

    @property
    def last_document(self) -> ArchivedDocument | None:
        """The most recent document, or None before registration."""
        return self.documents[-1] if self.documents else None

    @property
    def last_fd_number(self) -> int:
        """Number of the last document (0 before the first)."""
        return len(self.documents)

    @property
    def registration(self) -> RegistrationData | None:
        """Parameters of the latest registration or re-registration."""
        return self.registrations[-1] if self.registrations else None

    @property
    def ffd_version(self) -> int:
        """ФФД version code (1209) of the latest registration; 1.05 before registration."""
        return self.registration.ffd_version if self.registration else FFD_1_05

    @property
    def autonomous(self) -> bool:
        """True when the latest registration chose the autonomous mode (no ОФД exchange)."""
        registration = self.registration
        return registration is not None and bool(registration.work_mode & WORK_MODE_AUTONOMOUS)

    @property
    def validity_start(self) -> _dt.datetime | None:
        """ФН timer of the first registration report, where validity starts; None before it."""
        return self.registrations[0].document.fn_time if self.registrations else None

    def unconfirmed(self) -> list[ArchivedDocument]:
        """Documents the ОФД has not confirmed yet, oldest first."""
        return [document for document in self.documents if not document.ticket]

    def first_unconfirmed(self) -> ArchivedDocument | None:
        """Return the oldest document without a квитанция, or None when every document has one."""
        documents = self.documents
        index = self._first_unconfirmed
        while index < len(documents) and documents[index].ticket:
            index += 1
        self._first_unconfirmed = index
        return documents[index] if index < len(documents) else None

    def oldest_waiting(self) -> ArchivedDocument | None:
        """Return the oldest document waiting for the ОФД, or None in the autonomous mode, which sends nothing."""
        return None if self.autonomous else self.first_unconfirmed()

    def unsent_counters(self) -> Counters:
        """Counters of the receipts and corrections without a квитанция (the content of реквизит 1158)."""
        counters = Counters()
        for document in self.unconfirmed():
            if document.form in RECEIPT_FORMS:
                record = record_class_for(document.form).decode(document.record)
                figures = ReceiptFigures.from_tlv(document.tlv, record.operation, record.total)
                counters = counters.added(figures, correction=document.form in CORRECTION_FORMS)
        return counters

    def receipt_update(self, figures: ReceiptFigures, correction: bool) -> tuple[Counters, Counters]:
        """Return the shift and ФН counters as they would be after one more receipt."""
        return self.shift_counters.added(figures, correction), self.fn_counters.added(figures, correction)

    def mark_ticket(self, fd_number: int, ticket: object = None) -> None:
        """Record that the ОФД confirmed document ``fd_number`` (the квитанция was accepted).

        This is the hook of the ОФД exchange: call it after the квитанция record
        reaches the disk and again for each such record while replaying the
        archive. ``ticket`` is whatever the exchange needs to answer 41h; it is
        kept in ``tickets``. Marking a document twice is harmless. The last
        квитанция of a closed ФН moves it from phase 7 to phase 15. Raises
        ValueError when no such document exists.
        """
        if not 1 <= fd_number <= len(self.documents):
            raise ValueError(f"квитанция for ФД {fd_number}, but the archive holds {len(self.documents)} documents")
        document = self.documents[fd_number - 1]
        if not document.ticket:
            self.documents[fd_number - 1] = dataclasses.replace(document, ticket=True)
        self.tickets[fd_number] = ticket
        if self.phase == FnPhase.POST_FISCAL_MODE and self.oldest_waiting() is None:
            self.phase = FnPhase.ARCHIVE_READ_ONLY

    def apply(self, document: ArchivedDocument) -> None:
        """Change the state as forming ``document`` does. The document must be the next in number."""
        if document.fd_number != self.last_fd_number + 1:
            raise ValueError(f"ФД {document.fd_number} applied after ФД {self.last_fd_number}")
        self.documents.append(document)
        form = document.form
        shift = self.shift
        if form in (FORM_REGISTRATION, FORM_REREGISTRATION):
            self.registrations.append(RegistrationData.from_document(document))
            self.phase = FnPhase.FISCAL_MODE
        elif form == FORM_OPEN_SHIFT:
            record = ShiftRecord.decode(document.record)
            self.shift = ShiftState(number=record.shift_number, is_open=True, opened_at=document.moment, documents=1)
            self.shift_counters = Counters()
        elif form in RECEIPT_FORMS:
            record = record_class_for(form).decode(document.record)
            correction = form in CORRECTION_FORMS
            figures = ReceiptFigures.from_tlv(document.tlv, record.operation, record.total)
            self.shift_counters, self.fn_counters = self.receipt_update(figures, correction)
            shift.receipt_number += 1
            shift.documents += 1
            if not correction or record.operation in (1, 3):
                shift.receipts += 1
        elif form == FORM_CLOSE_SHIFT:
            shift.is_open = False
            shift.documents += 1
        elif form == FORM_CLOSE_FISCAL_MODE:
            CloseFiscalModeRecord.decode(document.record)
            self.phase = phase_after_close(documents_waiting=self.oldest_waiting() is not None)
        elif shift.is_open:
            shift.documents += 1
