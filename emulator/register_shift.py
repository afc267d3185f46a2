"""Shift operations of the register: open shift, close shift (Z report), X report."""

from __future__ import annotations

import copy
import datetime as dt
import logging

from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_string, encode_uint32

from .fn_client import fn_moment
from .refusals import Reason, Refusal
from .register_types import HOST_DATA_REJECTIONS, ShiftState, cashier_name

logger = logging.getLogger(__name__)


class ShiftOperations:
    """Mixin of ``Register``: the shift reports formed in the ФН."""

    def open_shift(self, operator: int, *, with_host_tlv: bool = True) -> int:
        """Form the open shift report; return the new shift number.

        ``with_host_tlv`` attaches the TLVs the host sent (FF0C) since the last
        document. The automatic opening before a sale leaves them for the receipt.
        See ``_form_shift_report`` for host TLVs the ФН rejects.
        """
        self._require_no_receipt()
        if self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        moment = self.now()
        number = self.shift.number + 1
        answer = self._form_shift_report(self.fn.open_shift, moment, self._shift_tlv(operator, number),
                                         with_host_tlv)
        self.shift = ShiftState(True, answer.shift_number, fn_moment(moment))
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._save(durable=False)
        logger.info("shift %d opened, ФД %d", answer.shift_number, answer.fd_number)
        return answer.shift_number

    def close_shift(self, operator: int) -> int:
        """Form the close shift report (Z report) with the host TLVs; return the closed shift number."""
        self._require_no_receipt()
        if not self.shift.is_open:
            raise Refusal(Reason.SHIFT_CLOSED)
        answer = self._form_shift_report(self.fn.close_shift, self.now(),
                                         self._shift_tlv(operator, self.shift.number), True)
        self.shift = ShiftState(False, answer.shift_number)
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._save(durable=False)
        logger.info("shift %d closed, ФД %d", answer.shift_number, answer.fd_number)
        return answer.shift_number

    def x_report(self, operator: int) -> None:
        """Print the X report (non-fiscal shift totals)."""
        self._require_no_receipt()
        previous = copy.deepcopy(self.memory.state)
        self.document_number += 1
        self._save_or_restore(previous)
        self.journal.append(f"X REPORT by {cashier_name(operator)}")

    def _form_shift_report(self, form, moment: dt.datetime, register_tlv: bytes, with_host_tlv: bool):
        """Form a shift report with ``form(moment, tlv)``, adding the host TLVs when asked.

        When the ФН rejects the document data, the host TLVs are dropped with the
        refused report, so that they do not block every later shift report. The
        refusal still reaches the host.
        """
        host_tlv = b"".join(self._pending_tlv) if with_host_tlv else b""
        try:
            answer = form(moment, register_tlv + host_tlv)
        except Refusal as refusal:
            if host_tlv and refusal.fn_code in HOST_DATA_REJECTIONS:
                logger.warning("the ФН rejected the report data with result %02Xh: dropping host TLVs %s",
                               refusal.fn_code, host_tlv.hex(" "))
                self._pending_tlv.clear()
            raise
        if with_host_tlv:
            self._pending_tlv.clear()
        return answer

    def _shift_tlv(self, operator: int, number: int) -> bytes:
        return b"".join((
            encode_tlv(1021, encode_string(cashier_name(operator), max_len=64)),
            encode_tlv(1038, encode_uint32(number)),
            encode_tlv(1188, encode_string(self.profile.kkt_version, max_len=8)),
            encode_tlv(1189, encode_byte(self.profile.ffd_code)),
            encode_tlv(1209, encode_byte(self.profile.ffd_code)),
        ))

    def _ensure_shift_for_sales(self, operator: int) -> None:
        if not self.shift.is_open:
            if not self.profile.auto_open_shift:
                raise Refusal(Reason.SHIFT_CLOSED)
            self.open_shift(operator, with_host_tlv=False)
