"""ФН documents the host drives step by step, FF08h cancel, and reading archived documents as TLV.

The split commands of the Штрих-М protocol begin a report in the ФН first (FF41h
open shift, FF42h close shift, FF37h settlement report). The host then sends
TLVs (FF0Ch), and a later command forms the report: E0h or FF0Bh, 41h or FF43h,
FF38h. While a report is begun the register refuses other documents with
``Reason.FN_DOCUMENT_OPEN``. FF08h and a restart drop the begun report, because
the ФН keeps an unformed document only in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging

from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_string
from kktemu.protocol.fn import archive, documents
from kktemu.protocol.fn.codes import FnResult

from .fn_client import fn_moment
from .refusals import Reason, Refusal

logger = logging.getLogger(__name__)

# Bit 1 of the registered work mode (реквизит 1002 is its flag in reports).
WORK_MODE_AUTONOMOUS = 0x02


class ReportKind(enum.Enum):
    """A report the host can begin in the ФН and form with a later command."""

    OPEN_SHIFT = "open shift report"
    CLOSE_SHIFT = "close shift report"
    SETTLEMENT = "settlement report"
    REGISTRATION = "registration report"
    CLOSE_FISCAL_MODE = "report on closing the fiscal mode"


@dataclasses.dataclass(frozen=True)
class BegunReport:
    """A report begun in the ФН and not formed yet; ``moment`` is its DATE_TIME (minute precision).

    ``report_type`` is the 02h report type of a registration report, None for other kinds.
    """

    kind: ReportKind
    moment: dt.datetime
    report_type: int | None = None


class FnDocumentOperations:
    """Mixin of ``Register``: begun reports, FF08h, the settlement report and FF3Ah/FF3Bh reading.

    The two attributes below are class-level defaults that each operation
    replaces on the instance, so a new register starts with neither.
    """

    _begun_report: BegunReport | None = None
    _tlv_reading: list[bytes] | None = None

    @property
    def begun_report(self) -> BegunReport | None:
        """The report begun in the ФН by a split command, or None."""
        return self._begun_report

    # Begun reports.

    def _begin_report(self, kind: ReportKind, begin, report_type: int | None = None) -> None:
        """Begin ``kind`` in the ФН with ``begin(moment)`` at the register's clock."""
        self._require_no_report()
        moment = self.now()
        begin(moment)
        self._begun_report = BegunReport(kind, fn_moment(moment), report_type)
        logger.info("%s begun in the ФН at %s", kind.value, self._begun_report.moment)

    def _require_no_report(self) -> None:
        if self._begun_report is not None:
            raise Refusal(Reason.FN_DOCUMENT_OPEN, f"{self._begun_report.kind.value} is begun")

    def _take_report(self, kind: ReportKind) -> BegunReport | None:
        """Return and forget the begun report of ``kind``, or None when no report is begun.

        Raises Refusal(FN_DOCUMENT_OPEN) when a report of another kind is begun.
        The caller forms the report at once, and a refused forming cancels the
        ФН document, so the report is gone either way.
        """
        begun = self._begun_report
        if begun is None:
            return None
        if begun.kind is not kind:
            raise Refusal(Reason.FN_DOCUMENT_OPEN, f"{begun.kind.value} is begun, not the {kind.value}")
        self._begun_report = None
        return begun

    # FF08h.

    def cancel_fn_document(self) -> None:
        """Cancel the document open in the ФН (06h) with the host TLVs sent for it.

        An open receipt is cancelled as 88h cancels it, because the register's
        receipt and its ФН document exist only together.
        """
        if self.receipt is not None:
            # NOTE: the vendor text does not say what FF08h does to an open receipt.
            # Drivers cancel receipts with 88h, so FF08h does what 88h does.
            self.cancel_receipt()
            return
        self.fn.cancel_document()
        if self._begun_report is not None:
            logger.info("%s cancelled in the ФН", self._begun_report.kind.value)
        self._begun_report = None
        self._pending_tlv.clear()

    # FF37h, FF38h: the report on the state of settlements (form 21).

    def begin_settlement_report(self) -> None:
        """Begin the settlement report in the ФН (18h); form it with ``settlement_report``."""
        self._require_no_receipt()
        self._begin_report(ReportKind.SETTLEMENT, self.fn.begin_settlement_report)

    def settlement_report(self, operator: int) -> documents.SettlementReportAnswer:
        """Form the settlement report with the host TLVs, beginning it first unless FF37h did.

        Returns the ФН answer: ФД number, fiscal sign, unconfirmed documents and
        the date of the oldest. A refused report drops the host TLVs only when the
        ФН rejected their data, as for shift reports.
        """
        self._require_no_receipt()
        begun = self._take_report(ReportKind.SETTLEMENT)
        if begun is None:
            self.fn.begin_settlement_report(self.now())
        answer = self._form_with_host_tlv(self.fn.form_settlement_report, self._settlement_tlv())
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._save(durable=False)
        logger.info("settlement report formed by operator %d: ФД %d, %d unconfirmed", operator,
                    answer.fd_number, answer.unconfirmed_count)
        return answer

    def _settlement_tlv(self) -> bytes:
        autonomous = int(bool(self.identity.work_mode & WORK_MODE_AUTONOMOUS))
        return b"".join((
            encode_tlv(1009, encode_string(self.identity.address, max_len=256)),
            encode_tlv(1187, encode_string(self.identity.place, max_len=256)),
            encode_tlv(1002, encode_byte(autonomous)),
            encode_tlv(1209, encode_byte(self.profile.ffd_code)),
        ))

    # FF3Ah, FF3Bh: an archived document, one top-level TLV per answer.

    def start_document_reading(self, fd_number: int, max_part: int) -> archive.DocumentTlvInfoAnswer:
        """Read document ``fd_number`` from the ФН (45h, 46h) for ``next_document_tlv``.

        Returns the STLV type (the form code) and the length of the document's
        TLV data. A top-level TLV longer than ``max_part`` bytes (what one answer
        of the wire protocol carries) is returned in consecutive parts. A refusal
        (02h before registration, 08h for a number not in the archive) also ends
        any earlier reading.
        """
        self._tlv_reading = None
        info, items = self.fn.document_tlv(fd_number)
        self._start_tlv_reading(items, max_part)
        return info

    def _start_tlv_reading(self, items: list[bytes], max_part: int) -> None:
        """Keep ``items`` (whole TLVs) for ``next_document_tlv``, a TLV over ``max_part`` bytes in parts."""
        # NOTE: how a real register splits a TLV that does not fit one answer (a close shift
        # report's 1194 counters, for one) is not published. Clients that join the parts, as
        # javapos_shtrih does until it has the length FF3Ah gave, get the document unchanged.
        self._tlv_reading = [item[start:start + max_part] for item in items for start in range(0, len(item), max_part)]

    def next_document_tlv(self) -> bytes:
        """Return the next top-level TLV (or STLV), or part of one, of the document ``start_document_reading`` chose.

        Refuses with the ФН's own results for 46h: 02h before any reading was
        started, 08h once every TLV has been returned.
        """
        if self._tlv_reading is None:
            raise Refusal(Reason.FN_ERROR, "no document requested for reading", fn_code=FnResult.INVALID_STATE)
        if not self._tlv_reading:
            raise Refusal(Reason.FN_ERROR, "the whole document has been read", fn_code=FnResult.NO_DATA)
        return self._tlv_reading.pop(0)
