"""Correction receipts (ФН form 31): FF35h begins one, FF36h and FF4Ah form one from sums.

A ФФД 1.2 correction receipt is a receipt with items: FF35h, then FF46h and
FF0Ch (1173, 1174) as for a sale, closed by FF45h. ФФД 1.0/1.05 registers
also form a correction receipt from its sums alone with FF36h or FF4Ah, after
FF35h or without it (javapos_shtrih sends FF36h and FF4Ah both ways).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.ffd.values import encode_byte
from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.fn.documents import BeginCorrectionReceiptRequest

from . import ffd_rules
from .fn_client import fn_moment
from .receipt import MAX_MONEY, Receipt
from .receipt_v2 import OpenReceiptV2, Payments, exact_settlement, given_vat_totals
from .refusals import Reason, Refusal

logger = logging.getLogger(__name__)

# Receipt type (8Dh numbering) shown in the mode byte while a correction opened by
# FF35h has no item yet. NOTE: the mode a real register shows then is not public.
UNTYPED_CORRECTION_RECEIPT_TYPE = 0
CORRECTION_TYPES = (0, 1)  # реквизит 1173: 0 самостоятельно, 1 по предписанию
FFD_1_05_CORRECTION_OPERATIONS = (1, 3)  # реквизит 1054 of a ФФД 1.05 correction: приход, расход


class CorrectionOperations:
    """Mixin of ``Register``: correction receipts."""

    def begin_correction(self, operator: int) -> None:
        """Open a correction receipt (FF35h): the ФН begins form 31 with 17h.

        Host TLVs sent before it join the correction. The first FF46h item chooses
        its operation. Opens the shift first like a sale does.
        """
        self._require_no_receipt()
        self._ensure_shift_for_sales(operator)
        self._begin_correction_in_fn(self.now())
        receipt = Receipt(1, extra_tlv=list(self._pending_tlv))
        self._pending_tlv.clear()
        self._receipt = OpenReceiptV2(UNTYPED_CORRECTION_RECEIPT_TYPE, operator, receipt, begun_in_fn=True,
                                      correction=True, type_fixed=False)

    def form_correction(self, operator: int, operation: int, total: int, *, payments: Payments | None = None,
                        correction_type: int | None = None, tax_sums: Sequence[int] | None = None,
                        taxation: int | None = None):
        """Form a correction receipt from sums (FF36h, FF4Ah); return ``(ФН answer, document time)``.

        ``operation`` is реквизит 1054; the ФН takes 1 and 3 under ФФД 1.05.
        FF36h gives only ``total``, written as cash. FF4Ah adds ``payments``, which
        must add up to ``total``, ``correction_type`` (1173), the six ``tax_sums``
        (1102..1107) and ``taxation`` (one registered 1055 bit). The correction
        begun by FF35h is used when it has no items; otherwise the ФН begins one
        with 17h. Refused under ФФД 1.2, whose corrections carry items.
        """
        version = self.profile.ffd_code
        if version >= ffd_rules.FFD_1_2:
            raise Refusal(Reason.INVALID_PARAMETER,
                          "a ФФД 1.2 correction receipt has items: send FF35h, FF46h, FF0Ch 1173 and 1174, FF45h")
        open_receipt = self._receipt
        if open_receipt is not None and not open_receipt.correction:
            raise Refusal(Reason.RECEIPT_OPEN)
        if open_receipt is not None and open_receipt.receipt.items:
            raise Refusal(Reason.WRONG_OPERATION, "the correction receipt has items: close it with FF45h")
        if correction_type is not None and correction_type not in CORRECTION_TYPES:
            raise Refusal(Reason.INVALID_PARAMETER, f"correction type {correction_type} is not 0 or 1")
        taxation_bit = self._receipt_taxation(taxation)
        sums = [total, *(tax_sums or ())]
        payments = payments if payments is not None else Payments(cash=total)
        sums += [payments.cash, payments.electronic, payments.prepaid, payments.credit, payments.provision]
        if any(value > MAX_MONEY for value in sums):
            raise Refusal(Reason.INVALID_PARAMETER, f"a sum of {sums} exceeds {MAX_MONEY} kopecks")
        if total == 0 and not self.receipt_settings.allow_zero_receipts:
            raise Refusal(Reason.ZERO_TOTAL)
        settlement = exact_settlement(total, payments)
        self._check_drawer(operation, settlement.cash)
        blocks = open_receipt.receipt.extra_tlv if open_receipt is not None else self._pending_tlv
        host_items = self._correction_host_items(blocks, correction_type, self.now())
        if operation not in FFD_1_05_CORRECTION_OPERATIONS:
            # The ФН refuses these at 16h. Checking first keeps a closed shift from being opened
            # for a correction that cannot be formed; the host sees the ФН's 09h either way.
            raise Refusal(Reason.FN_ERROR, f"a ФФД 1.05 correction has operation 1 or 3, not {operation}",
                          fn_code=FnResult.INVALID_PARAMETER)
        if open_receipt is None:
            self._ensure_shift_for_sales(operator)
        moment = self.now()
        register_tlv = [] if correction_type is None else [(1173, encode_byte(correction_type))]
        vat_totals = given_vat_totals([], tax_sums) if tax_sums is not None else {}
        receipt = Receipt(operation)
        correction = open_receipt or OpenReceiptV2(UNTYPED_CORRECTION_RECEIPT_TYPE, operator, receipt,
                                                   begun_in_fn=False, correction=True, type_fixed=False)
        answer = self._form_in_fn(correction, receipt, settlement, moment, operator=operator, taxation=taxation_bit,
                                  vat_totals=vat_totals, host_items=host_items, register_tlv=register_tlv)
        if open_receipt is None:
            self._pending_tlv.clear()
        logger.info("correction receipt %d formed: ФД %d, operation %d, total %d kopecks", answer.receipt_number,
                    answer.fd_number, operation, total)
        return answer, fn_moment(moment)

    def _correction_host_items(self, blocks: Sequence[bytes], correction_type: int | None,
                               moment: dt.datetime) -> list[tuple[int, bytes]]:
        items = [item for block in blocks for item in split_tlv(block)]
        if correction_type is not None and any(tag == 1173 for tag, _ in items):
            raise Refusal(Reason.INVALID_PARAMETER, "1173 comes with FF4Ah and was also sent with FF0Ch")
        items = ffd_rules.wrap_correction_basis(items)
        ffd_rules.check_receipt_at_close(self.profile.ffd_code, True, items, registered_tags=self._registered_tags(),
                                         moment=fn_moment(moment))
        return items

    def _begin_correction_in_fn(self, moment: dt.datetime) -> None:
        """17h: begin a correction receipt; the ФН checks the shift and the time as for 15h."""
        self.fn.call(FnCommand.BEGIN_CORRECTION_RECEIPT, BeginCorrectionReceiptRequest(fn_moment(moment)).encode())
