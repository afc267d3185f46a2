"""Correction receipt commands: FF35h begin, FF36h form from the total, FF4Ah form V2."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c

from ...receipt_v2 import Payments
from .answers import document_time


def begin_correction(dialect, request):
    dialect.register.begin_correction(request.password)
    return c.BeginCorrectionAnswer()


def correction(dialect, request):
    answer, moment = dialect.register.form_correction(request.password, request.operation, request.total)
    return c.CorrectionAnswer(answer.receipt_number, answer.fd_number, answer.fiscal_sign,
                              document_time(dialect, moment))


def correction_v2(dialect, request):
    answer, moment = dialect.register.form_correction(
        request.password, request.operation, request.total, payments=Payments(*request.payments),
        correction_type=request.correction_type, tax_sums=request.taxes, taxation=request.tax_system)
    return c.CorrectionV2Answer(answer.receipt_number, answer.fd_number, answer.fiscal_sign,
                                document_time(dialect, moment))


HANDLERS = {
    c.BeginCorrectionRequest: begin_correction,
    c.CorrectionRequest: correction,
    c.CorrectionV2Request: correction_v2,
}
