"""ФН lifecycle commands: FF05h/FF06h registration, FF34h re-registration, FF3Dh/FF3Eh closing the
fiscal mode, FF07h debug ФН reset, FF4Ch registration totals, FF0Eh and FF60h registration TLVs.

The register drives the ФН (02h, 03h, 04h, 05h, 43h, 44h, 47h), so a ФН
refusal reaches the host as its result code, as for the other ФН commands.
"""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.commands_fn_registration import INN_SIZE, RNM_SIZE

from .answers import document_time
from .fn_read import MAX_TLV_PART

# FF4Ch report number of the registration itself, whose answer has no reason code.
REGISTRATION_REPORT_NUMBER = 1


def begin_registration(dialect, request):
    dialect.register.begin_registration_report(request.report_type)
    return c.BeginRegistrationAnswer()


def registration(dialect, request):
    answer = dialect.register.registration_report(request.inn, request.rnm, request.tax_systems, request.work_mode)
    return c.RegistrationAnswer(answer.fd_number, answer.fiscal_sign, document_time(dialect))


def reregistration(dialect, request):
    answer = dialect.register.reregistration_report(request.inn, request.rnm, request.tax_systems,
                                                    request.work_mode, request.reason)
    return c.ReregistrationAnswer(answer.fd_number, answer.fiscal_sign, document_time(dialect))


def begin_close_fiscal_mode(dialect, _request):
    dialect.register.begin_close_fiscal_mode()
    return c.BeginCloseFiscalModeAnswer()


def close_fiscal_mode(dialect, request):
    answer = dialect.register.close_fiscal_mode(request.password)
    return c.CloseFiscalModeAnswer(answer.fd_number, answer.fiscal_sign, document_time(dialect))


def reset_fn(dialect, request):
    dialect.register.reset_fn(request.request_code)
    return c.ResetFnAnswer()


def registration_totals(dialect, request):
    # The ФФД 1.0/1.05 form, as FF09h answers: LEN 50 for the registration, 51 with the reason
    # code of a re-registration.
    result = dialect.register.fn.fiscalization_result(request.report_number)
    reason = None if request.report_number == REGISTRATION_REPORT_NUMBER else result.reason
    return c.RegistrationTotalsAnswer(
        moment=result.moment,
        inn=result.inn.ljust(INN_SIZE),
        rnm=result.rnm.ljust(RNM_SIZE),
        tax_systems=result.taxation,
        work_mode=result.work_mode,
        fd_number=result.fd_number,
        fiscal_sign=result.fiscal_sign,
        reason_code=reason,
    )


def registration_tag(dialect, request):
    data = dialect.register.registration_parameter(request.report_number, request.tag, MAX_TLV_PART)
    return c.RegistrationTagAnswer(data)


def fiscalization_tag(dialect, request):
    # Report number 0 is the last registration or re-registration: ФН 44h without a number.
    report_number = request.report_number or None
    data = dialect.register.registration_parameter(report_number, request.tag, MAX_TLV_PART)
    return c.FiscalizationTagAnswer(data)


HANDLERS = {
    c.BeginRegistrationRequest: begin_registration,
    c.RegistrationRequest: registration,
    c.ReregistrationRequest: reregistration,
    c.BeginCloseFiscalModeRequest: begin_close_fiscal_mode,
    c.CloseFiscalModeRequest: close_fiscal_mode,
    c.ResetFnRequest: reset_fn,
    c.RegistrationTotalsRequest: registration_totals,
    c.RegistrationTagRequest: registration_tag,
    c.FiscalizationTagRequest: fiscalization_tag,
}
