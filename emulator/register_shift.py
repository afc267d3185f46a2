"""Shift operations of the register: open shift, close shift (Z report), X report.

A shift report is formed in one step (E0h, 41h, or FF0Bh and FF43h alone) or in
two, when the host began it first with FF41h or FF42h (see ``register_fn``).
Either way the register's shift, document counter and memory change only when
the ФН has formed the report.
"""

from __future__ import annotations

import copy
import functools
import logging

from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_string, encode_uint32
from kktemu.protocol.fn.documents import ShiftDocumentAnswer

from .fn_client import fn_moment
from .refusals import Reason, Refusal
from .register_fn import FnDocumentOperations, ReportKind
from .register_types import HOST_DATA_REJECTIONS, ShiftState

logger = logging.getLogger(__name__)


class ShiftOperations(FnDocumentOperations):
    """Mixin of ``Register``: the shift reports formed in the ФН."""

    def begin_open_shift(self) -> None:
        """Begin the open shift report in the ФН (FF41h); ``open_shift`` forms it."""
        self._require_no_receipt()
        self._require_no_report()
        if self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        self._begin_report(ReportKind.OPEN_SHIFT, self.fn.begin_open_shift)

    def open_shift(self, operator: int, *, with_host_tlv: bool = True) -> ShiftDocumentAnswer:
        """Form the open shift report, beginning it first unless FF41h did; return the ФН answer.

        ``with_host_tlv`` attaches the TLVs the host sent (FF0C) since the last
        document. The automatic opening before a sale leaves them for the receipt.
        See ``_form_with_host_tlv`` for host TLVs the ФН rejects.
        """
        self._require_no_receipt()
        begun = self._take_report(ReportKind.OPEN_SHIFT)
        if begun is not None:
            form, opened_at = self.fn.form_open_shift, begun.moment
        elif self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        else:
            moment = self.now()
            form, opened_at = functools.partial(self.fn.open_shift, moment), fn_moment(moment)
        number = self.shift.number + 1
        answer = self._form_with_host_tlv(form, self._shift_tlv(operator, number), with_host_tlv)
        self.shift = ShiftState(True, answer.shift_number, opened_at)
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._save(durable=False)
        logger.info("shift %d opened, ФД %d", answer.shift_number, answer.fd_number)
        return answer

    def begin_close_shift(self) -> None:
        """Begin the close shift report in the ФН (FF42h); ``close_shift`` forms it."""
        self._require_no_receipt()
        self._require_no_report()
        if not self.shift.is_open:
            raise Refusal(Reason.SHIFT_CLOSED)
        self._begin_report(ReportKind.CLOSE_SHIFT, self.fn.begin_close_shift)

    def close_shift(self, operator: int, *, printed: bool = True) -> ShiftDocumentAnswer:
        """Form the close shift report (Z report) with the host TLVs, beginning it first unless FF42h did.

        Returns the ФН answer with the number of the closed shift. ``printed``
        False keeps the report off the receipt tape, as C6h does.
        """
        self._require_no_receipt()
        begun = self._take_report(ReportKind.CLOSE_SHIFT)
        if begun is not None:
            form = self.fn.form_close_shift
        elif not self.shift.is_open:
            raise Refusal(Reason.SHIFT_CLOSED)
        else:
            form = functools.partial(self.fn.close_shift, self.now())
        answer = self._form_with_host_tlv(form, self._shift_tlv(operator, self.shift.number, opening=False))
        self.shift = ShiftState(False, answer.shift_number)
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._count_z_report()
        self._save(durable=False)
        if printed:
            self.journal.append(f"Z REPORT, SHIFT {answer.shift_number}, ФД {answer.fd_number}")
        logger.info("shift %d closed, ФД %d", answer.shift_number, answer.fd_number)
        return answer

    def x_report(self, operator: int) -> None:
        """Print the X report (non-fiscal shift totals)."""
        self._require_no_receipt()
        previous = copy.deepcopy(self.memory.state)
        self.document_number += 1
        self._count_x_report()
        self._save_or_restore(previous)
        self.journal.append(f"X REPORT by {self.operator_name(operator)}")

    def _form_with_host_tlv(self, form, register_tlv: bytes, with_host_tlv: bool = True):
        """Form a report with ``form(tlv)``, adding the host TLVs when asked.

        When the ФН rejects the document data, the host TLVs are dropped with the
        refused report, so that they do not block every later report. The
        refusal still reaches the host.
        """
        host_tlv = b"".join(self._pending_tlv) if with_host_tlv else b""
        try:
            answer = form(register_tlv + host_tlv)
        except Refusal as refusal:
            if host_tlv and refusal.fn_code in HOST_DATA_REJECTIONS:
                logger.warning("the ФН rejected the report data with result %02Xh: dropping host TLVs %s",
                               refusal.fn_code, host_tlv.hex(" "))
                self._pending_tlv.clear()
            raise
        if with_host_tlv:
            self._pending_tlv.clear()
        return answer

    def _shift_tlv(self, operator: int, number: int, *, opening: bool = True) -> bytes:
        # The ККТ version 1188 and its ФФД version 1189 belong to the open shift
        # report only: the ФФД table of the close shift report has neither.
        versions = (
            encode_tlv(1188, encode_string(self.profile.kkt_version, max_len=8)),
            encode_tlv(1189, encode_byte(self.profile.ffd_code)),
        )
        return b"".join((
            encode_tlv(1021, encode_string(self.cashier_requisite(operator), max_len=64)),
            encode_tlv(1038, encode_uint32(number)),
            *(versions if opening else ()),
            encode_tlv(1209, encode_byte(self.profile.ffd_code)),
        ))

    def _ensure_shift_for_sales(self, operator: int) -> None:
        """Refuse sales and cash operations while a report is begun; open the shift when needed."""
        self._require_no_report()
        if not self.shift.is_open:
            if not self.profile.auto_open_shift:
                raise Refusal(Reason.SHIFT_CLOSED)
            self.open_shift(operator, with_host_tlv=False)
