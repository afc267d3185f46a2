"""Registration and the end of the ФН's fiscal life, driven by the host.

FF05h begins a registration report in the ФН (02h) and FF06h forms it (07h,
03h): the registration of a ФН in phase 1 (report type 0), or the
re-registration with a new ФН (type 1). FF34h forms a re-registration without
a new ФН (type 2) with its reason code, beginning it first unless FF05h did.
FF3Dh and FF3Eh close the fiscal mode (04h, 05h); the ФН then refuses every
fiscal document with 02h. FF0Eh and FF60h read the TLVs of a registration
(44h, 47h). FF07h resets a debug ФН (60h) back to phase 1.

The report data come from the request and from table 18: user (field 7), the
person registering (8, реквизит 1021), address (9), ОФД name (10) and ИНН
(12), tax service site (13), place of settlement (14) and sender e-mail (15).
A re-registration adds its reason: реквизит 1101, the FF34h reason code, under
ФФД 1.05, or 1205, table 18 field 22, under ФФД 1.2. Afterwards the register
reads its identity back from the ФН, as it does at start.
"""

from __future__ import annotations

import dataclasses
import logging

from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_string, encode_uint32
from kktemu.protocol.fn.archive import FiscalizationParameterRequest
from kktemu.protocol.fn.documents import FiscalDocumentAnswer
from kktemu.protocol.fn.documents import RegistrationReportType as ReportType

from .profiles import profile_version
from .refusals import Reason, Refusal
from .register_fn import ReportKind
from .register_types import ShiftState
from .registration import Identity, default_identity, load_identity, registration_tlv
from .requisite_text import cp866_text

logger = logging.getLogger(__name__)

FISCAL_TABLE = 18
IDENTITY_FIELDS = {
    "user_name": 7, "address": 9, "ofd_name": 10, "ofd_inn": 12, "fns_site": 13, "place": 14, "sender_email": 15,
}
REGISTERING_PERSON_FIELD = 8
# The ФФД length limits of the text requisites the table 18 texts become: 1048, 1009, 1046,
# 1060, 1187, 1117 and the registering person's 1021. The ОФД ИНН (1017) is digits.
REQUISITE_MAX_BYTES = {
    "user_name": 256, "address": 256, "ofd_name": 256, "fns_site": 256, "place": 256, "sender_email": 64,
    "person": 64,
}
REASON_CODES_FIELD = 22  # реквизит 1205 «коды причин изменения сведений о ККТ», ФФД 1.1 and later
REREGISTRATION_REASONS = range(1, 5)  # 1 замена ФН, 2 замена ОФД, 3 изменение реквизитов, 4 настроек ККТ
REPLACED_FN_REASON = 1
WORK_MODE_BITS = 0x3F
# Services, БСО and Internet, which ФФД 1.2 writes into реквизит 1290.
# NOTE: the bit layout of 1290 is not in the sources kktemu uses, so a ФФД 1.2 register
# refuses these modes with 33h instead of writing a guessed 1290.
WORK_MODE_1290_BITS = 0x38
FFD_1_2 = 4


class RegistrationOperations:
    """Mixin of ``Register``: registration reports, closing the fiscal mode, registration TLVs."""

    def begin_registration_report(self, report_type: int) -> None:
        """Begin a registration report of ``report_type`` 0..2 in the ФН (FF05h).

        Refused with 33h for another type, 4Ah with a receipt open, 5Eh while a
        report is begun, 3Ch for type 2 with the shift open, and with the ФН's
        result (02h) when its phase does not allow the report.
        """
        self._require_no_receipt()
        self._require_no_report()
        if report_type not in tuple(ReportType):
            raise Refusal(Reason.INVALID_PARAMETER, f"registration report type {report_type} is not 0..2")
        if report_type == ReportType.REREGISTRATION and self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        self._begin_report(ReportKind.REGISTRATION, lambda _moment: self.fn.begin_registration(report_type),
                           report_type)

    def registration_report(self, inn: str, rnm: str, taxation: int, work_mode: int) -> FiscalDocumentAnswer:
        """Form the registration report (FF06h) FF05h began, or begin a registration (type 0) and form it.

        ``inn`` and ``rnm`` may carry their space padding. Returns the ФН answer.
        Refusals: 5Eh when FF05h began a type 2 report or another report is
        begun, 33h for work mode bits the register cannot write, and the ФН's
        results (02h wrong phase, 09h a wrong ИНН, РНМ or taxation).
        """
        return self._form_registration(inn, rnm, taxation, work_mode, None,
                                       (ReportType.REGISTRATION, ReportType.REREGISTRATION_NEW_FN))

    def reregistration_report(self, inn: str, rnm: str, taxation: int, work_mode: int,
                              reason: int) -> FiscalDocumentAnswer:
        """Form a re-registration without a new ФН (FF34h), beginning it first unless FF05h did.

        ``reason`` is 1..4 (33h otherwise). Refused with 3Ch while the shift is
        open, 5Eh when another report is begun, and 33h under ФФД 1.2 while table
        18 field 22 (реквизит 1205) is 0; otherwise as ``registration_report``.
        """
        if reason not in REREGISTRATION_REASONS:
            raise Refusal(Reason.INVALID_PARAMETER, f"re-registration reason {reason} is not 1..4")
        return self._form_registration(inn, rnm, taxation, work_mode, reason, (ReportType.REREGISTRATION,))

    def begin_close_fiscal_mode(self) -> None:
        """Begin the report on closing the fiscal mode in the ФН (FF3Dh, ФН 04h).

        Refused with 4Ah with a receipt open, 5Eh while a report is begun, 3Ch
        with the shift open and 02h outside the fiscal mode.
        """
        self._require_no_receipt()
        self._require_no_report()
        if self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        self._begin_report(ReportKind.CLOSE_FISCAL_MODE, lambda _moment: self.fn.begin_close_fiscal_mode())

    def close_fiscal_mode(self, operator: int) -> FiscalDocumentAnswer:
        """Close the fiscal mode (FF3Eh, ФН 05h) with the host TLVs, beginning the report first unless FF3Dh did.

        The ФН goes to the post-fiscal mode, where it refuses every fiscal
        document with 02h. Refusals as ``begin_close_fiscal_mode``.
        """
        self._require_no_receipt()
        begun = self._take_report(ReportKind.CLOSE_FISCAL_MODE)
        if begun is None:
            if self.shift.is_open:
                raise Refusal(Reason.SHIFT_OPEN)
            self.fn.begin_close_fiscal_mode()
        moment = self.now()
        rnm = self.identity.rnm
        answer = self._form_with_host_tlv(lambda data: self.fn.close_fiscal_mode(data, moment, rnm),
                                          self._close_fiscal_mode_tlv(operator))
        self._count_fn_document(answer.fd_number, "REPORT ON CLOSING THE FISCAL MODE")
        logger.warning("fiscal mode of ФН %s closed, ФД %d", self.fn_serial, answer.fd_number)
        return answer

    def reset_fn(self, request_code: int) -> None:
        """Reset a debug ФН with 60h and ``request_code`` (FF07h), then forget its documents.

        Refused with 4Ah with a receipt open, 5Eh while a report is begun and
        3Ch with the shift open, so the shift registers were zeroed by its Z
        report. The ФН's refusal passes through: 01h from a serial ФН, or from
        a debug one for a code other than 16h. After a reset the ФН is in
        phase 1, so the register takes the identity of an unregistered ФН, a
        closed shift 0 and no accounted ФН documents. The drawer, the document
        counter and the tables stay as they were.

        NOTE: the Штрих-М text gives FF07h no conditions; the three refusals are
        kktemu's, so the register never keeps a receipt or shift the ФН forgot.
        """
        self._require_no_receipt()
        self._require_no_report()
        if self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        self.fn.reset_state(request_code)
        self.identity = default_identity(self.fn_serial, self.profile.ffd_code)
        self.shift = ShiftState(False, 0)
        self._pending_tlv.clear()
        self.device.last_receipt_fd = None
        self.last_fd = 0
        try:
            self._save(durable=True)
        except OSError as exc:
            # The ФН is already reset; the next start notices the memory is ahead of it.
            logger.error("cannot save the register memory to %s after the ФН reset: %s", self.memory.path, exc)
        self.journal.append(f"ФН {self.fn_serial} RESET")
        logger.warning("debug ФН %s reset with code %02Xh: archive wiped, phase 1", self.fn_serial, request_code)

    def registration_parameter(self, report_number: int | None, tag: int, max_part: int) -> bytes:
        """Return one TLV of registration report ``report_number`` (the last one when None), ФН 44h.

        Tag FFFFh with a report number returns nothing and reads every TLV of the
        report (47h), which ``next_document_tlv`` then hands out as for FF3Ah, in
        parts of at most ``max_part`` bytes. The ФН refuses with 02h before
        registration and 08h for a report or tag it does not have.
        """
        if tag != FiscalizationParameterRequest.ALL_TAGS or report_number is None:
            return self.fn.fiscalization_parameter(tag, report_number)
        self._tlv_reading = None
        self.fn.fiscalization_parameter(tag, report_number)
        self._start_tlv_reading(self.fn.fiscalization_tlv(), max_part)
        return b""

    # Forming.

    def _form_registration(self, inn: str, rnm: str, taxation: int, work_mode: int, reason: int | None,
                           allowed_types: tuple[int, ...]) -> FiscalDocumentAnswer:
        self._require_no_receipt()
        begun = self._begun_report
        if begun is not None and (begun.kind is not ReportKind.REGISTRATION or begun.report_type not in allowed_types):
            raise Refusal(Reason.FN_DOCUMENT_OPEN, f"{begun.kind.value} (type {begun.report_type}) is begun")
        report_type = begun.report_type if begun is not None else allowed_types[0]
        if report_type == ReportType.REREGISTRATION and self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        identity = self._registration_identity(inn, rnm, taxation, work_mode)
        person = cp866_text(str(self.table_value(FISCAL_TABLE, 1, REGISTERING_PERSON_FIELD)).strip(),
                            REQUISITE_MAX_BYTES["person"])
        tlv = registration_tlv(identity, self.profile, person) + self._reason_tlv(report_type, reason)
        if begun is None:
            self.fn.begin_registration(report_type)
        self._begun_report = None
        moment = self.now()
        fn_reason = reason if report_type == ReportType.REREGISTRATION else None
        answer = self._form_with_host_tlv(
            lambda data: self.fn.form_registration(data, moment, identity.inn, identity.rnm, taxation, work_mode,
                                                   fn_reason),
            tlv)
        self.identity = load_identity(self.fn, answer.fd_number)
        version = profile_version(self.identity.ffd_code)
        if version != self.profile.ffd_version:
            self.profile = self.profile.with_ffd(version)
        title = "REGISTRATION REPORT" if report_type == ReportType.REGISTRATION else "RE-REGISTRATION REPORT"
        self._count_fn_document(answer.fd_number, title)
        logger.info("%s formed: ИНН %s, РНМ %s, ФД %d", title.lower(), identity.inn, identity.rnm, answer.fd_number)
        return answer

    def _registration_identity(self, inn: str, rnm: str, taxation: int, work_mode: int) -> Identity:
        """Return the identity a registration with these parameters and the table 18 values gives."""
        if work_mode & ~WORK_MODE_BITS:
            raise Refusal(Reason.INVALID_PARAMETER, f"work mode {work_mode:#04x} has bits beyond 0..5")
        if self.profile.ffd_code >= FFD_1_2 and work_mode & WORK_MODE_1290_BITS:
            raise Refusal(Reason.INVALID_PARAMETER, f"work mode {work_mode:#04x}: services, БСО and Internet "
                                                    "are not emulated under ФФД 1.2")
        values = {name: str(self.table_value(FISCAL_TABLE, 1, field)).strip() for name, field in IDENTITY_FIELDS.items()}
        values.update({name: cp866_text(values[name], limit) for name, limit in REQUISITE_MAX_BYTES.items()
                       if name in values})
        return dataclasses.replace(self.identity, inn=inn.strip(), rnm=rnm.strip(), taxation_systems=taxation,
                                   taxation=taxation & -taxation, work_mode=work_mode, **values)

    def _reason_tlv(self, report_type: int, reason: int | None) -> bytes:
        """Return реквизит 1101 (ФФД 1.05) or 1205 (ФФД 1.2) of a re-registration; nothing for a registration."""
        if report_type == ReportType.REGISTRATION:
            return b""
        if self.profile.ffd_code < FFD_1_2:
            return encode_tlv(1101, encode_byte(reason if reason is not None else REPLACED_FN_REASON))
        codes = self.table_value(FISCAL_TABLE, 1, REASON_CODES_FIELD)
        if not codes:
            raise Refusal(Reason.INVALID_PARAMETER,
                          "a ФФД 1.2 re-registration needs the change reasons (1205) in table 18 field 22")
        return encode_tlv(1205, encode_uint32(codes))

    def _close_fiscal_mode_tlv(self, operator: int) -> bytes:
        identity = self.identity
        parts = [encode_tlv(1048, encode_string(identity.user_name, max_len=256))]
        if identity.address:
            parts.append(encode_tlv(1009, encode_string(identity.address, max_len=256)))
        if identity.place:
            parts.append(encode_tlv(1187, encode_string(identity.place, max_len=256)))
        parts += [
            encode_tlv(1021, encode_string(self.cashier_requisite(operator), max_len=64)),
            encode_tlv(1038, encode_uint32(self.shift.number)),
            encode_tlv(1209, encode_byte(self.profile.ffd_code)),
        ]
        return b"".join(parts)

    def _count_fn_document(self, fd_number: int, title: str) -> None:
        """Count a printed ФН report in the register memory and print its title."""
        self.document_number += 1
        self.last_fd = fd_number
        self._save(durable=False)
        self.journal.append(f"{title}, ФД {fd_number}")
