"""FF05h/FF06h registration, FF34h re-registration, FF4Ch totals, FF0Eh/FF60h registration TLVs.

Flows from public clients:
- javapos_shtrih (fsStartFiscalization, FSReFiscalization) sends FF05h with a
  report type, and FF34h on its own; fsReadFiscalizationTag sends FF0Eh and,
  for tag FFFFh, reads the whole report with FF3Bh.
- fr_drv_ng issue 177 re-registers a ФФД 1.2 register by writing table 18
  field 22 (реквизит 1205), then FF05h type 2 and FF34h with reason 4.
- fr_drv_ng issue 10: the РНМ must match the registration data, or the
  register answers an error.

The ФН of these tests starts in phase 1 unless a test needs it registered, by
``Emulator(register_fresh_fn=False)``. Every refusal leaves the register and
the ФН as they were.
"""

from __future__ import annotations

import pytest

from kktemu.fn_storage.identifiers import make_rnm
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_string, decode_uint, encode_string
from kktemu.protocol.fn.service import FnPhase
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
CASHIER = 1
SYSADMIN = 30
FN_SERIAL = "9999078900000042"
KKT_SERIAL = "0000" + FN_SERIAL[-8:]
INN = "7707083893"
RNM = make_rnm(1, INN, KKT_SERIAL)
OTHER_INN = "500100732259"
OTHER_RNM = make_rnm(2, OTHER_INN, KKT_SERIAL)
OSN = 0x01
USN_INCOME = 0x02


def registration(inn=INN, rnm=RNM, taxation=OSN, work_mode=0, password=SYSADMIN):
    return c.RegistrationRequest(password, inn.ljust(12), rnm.ljust(20), taxation, work_mode)


def reregistration(reason=4, inn=INN, rnm=RNM, taxation=OSN, work_mode=0):
    return c.ReregistrationRequest(SYSADMIN, inn.ljust(12), rnm.ljust(20), taxation, work_mode, reason)


def write(kkt, table, field, raw: bytes) -> None:
    assert kkt.raw(c.WriteTableRequest(SYSADMIN, table, 1, field, raw)) == H("1E 00")


@pytest.fixture
def fresh(make_kkt):
    """A register whose ФН waits in phase 1."""
    return make_kkt(fn_serial=FN_SERIAL, register_fresh_fn=False)


@pytest.fixture
def fresh12(make_kkt):
    return make_kkt(fn_serial=FN_SERIAL, register_fresh_fn=False, ffd="1.2")


@pytest.fixture
def registered(fresh):
    fresh.send(registration())
    return fresh


def fn_phase(kkt) -> int:
    return kkt.send(c.FnStatusRequest(SYSADMIN)).phase


def test_registration_texts_without_cp866_form(fresh):
    # Table 18 takes cp1251; the registration report gets CP866 substitutes, not 39h.
    write(fresh, 18, 7, 'ООО «Ромашка» €'.encode("cp1251"))
    write(fresh, 18, 8, "Ђ. Иванов".encode("cp1251"))

    fresh.send(registration())

    values = fresh.tlv()
    assert decode_string(values[1048]) == 'ООО "Ромашка" EUR'
    assert decode_string(values[1021]) == "?. Иванов"


# A ФН in phase 1.

def test_fresh_fn_waits_unregistered(fresh):
    assert fn_phase(fresh) == FnPhase.READY_FOR_FISCALIZATION
    assert fresh.documents() == []
    assert fresh.mode() == 0x04
    assert fresh.table(18, 1) == KKT_SERIAL.encode().ljust(21, b"\0")


def test_fresh_fn_refuses_documents(fresh):
    fresh.refused(c.SaleRequest(CASHIER, 1000, 2800, 1, (0, 0, 0, 0), "Сахар"), 0x02)
    fresh.refused(c.OpenShiftRequest(CASHIER), 0x02)
    fresh.refused(c.ShiftParametersRequest(SYSADMIN), 0x02)
    fresh.refused(c.FiscalizationTotalsRequest(SYSADMIN), 0x02)


# FF05h, FF06h.

def test_registration_flow(fresh):
    write(fresh, 18, 7, 'ООО "Лютик"'.encode("cp1251"))
    write(fresh, 18, 14, "Касса 3".encode("cp1251"))
    before = fresh.send(c.LongStatusRequest(CASHIER)).document_number
    assert fresh.raw(c.BeginRegistrationRequest(SYSADMIN, 0)) == H("FF 05 00")
    assert fresh.send(c.FnStatusRequest(SYSADMIN)).current_document == 0x01

    answer = fresh.raw(registration(taxation=OSN | USN_INCOME))
    assert len(answer) == 11
    decoded = c.decode_answer(answer)
    document = fresh.last_document()
    assert (decoded.fd_number, decoded.fiscal_sign) == (1, document.fiscal_sign)
    assert document.form == 1
    assert fn_phase(fresh) == FnPhase.FISCAL_MODE

    tlv = fresh.tlv(document)
    assert decode_string(tlv[1048]) == 'ООО "Лютик"'
    assert decode_string(tlv[1187]) == "Касса 3"
    assert decode_string(tlv[1013]) == KKT_SERIAL
    assert decode_string(tlv[1021]) == "СИС. АДМИНИСТРАТОР"
    assert tlv[1062] == bytes((OSN | USN_INCOME,))
    assert tlv[1209] == b"\x02"

    assert fresh.register.identity.inn == INN
    assert fresh.register.identity.taxation_systems == OSN | USN_INCOME
    assert fresh.table(18, 2) == INN.ljust(12).encode().ljust(17, b"\0")
    assert fresh.table(18, 3) == RNM.encode().ljust(21, b"\0")
    assert fresh.send(c.LongStatusRequest(CASHIER)).document_number == before + 1
    assert fresh.register.journal[-1] == "REGISTRATION REPORT, ФД 1"


def test_registration_then_sale(registered):
    registered.send(c.SaleRequest(CASHIER, 1000, 2800, 1, (0, 0, 0, 0), "Сахар"))
    registered.send(c.CloseReceiptRequest(CASHIER, (2800, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    assert [document.form for document in registered.documents()] == [1, 2, 3]
    assert registered.tlv()[1018] == INN.ljust(12).encode()


def test_registration_without_begin(fresh):
    assert len(fresh.raw(registration())) == 11
    assert fresh.last_document().form == 1


def test_registration_totals_after(registered):
    totals = registered.send(c.FiscalizationTotalsRequest(SYSADMIN))
    assert totals.inn == INN.ljust(12)
    assert totals.rnm == RNM.ljust(20)
    assert totals.fd_number == 1


def test_registration_host_tlv(fresh):
    supplier_tlv = encode_tlv(1057, b"\x01")
    fresh.send(c.BeginRegistrationRequest(SYSADMIN, 0))
    assert fresh.raw(c.SendTlvRequest(SYSADMIN, supplier_tlv)) == H("FF 0C 00")
    fresh.send(registration())
    assert split_tlv(fresh.last_document().tlv)[-1] == (1057, b"\x01")
    assert fresh.register._pending_tlv == []


def test_registration_work_mode_flags(fresh):
    fresh.send(registration(work_mode=0x02 | 0x20))
    tlv = fresh.tlv()
    assert tlv[1002] == b"\x01"
    assert tlv[1108] == b"\x01"
    assert tlv[1056] == b"\x00"
    assert fresh.register.identity.work_mode == 0x22


def test_registration_ffd12(fresh12):
    fresh12.send(registration())
    tlv = fresh12.tlv()
    assert tlv[1209] == b"\x04"
    assert fresh12.register.profile.ffd_version == "1.2"


def test_registration_ffd12_refuses_1290_modes(fresh12):
    fresh12.refused(registration(work_mode=0x08), 0x33)


def test_registration_with_new_fn(fresh):
    fresh.send(c.BeginRegistrationRequest(SYSADMIN, 1))
    fresh.send(registration())
    document = fresh.last_document()
    assert document.form == 11
    assert fresh.tlv(document)[1101] == b"\x01"
    assert fresh.register.journal[-1] == "RE-REGISTRATION REPORT, ФД 1"


def test_registration_extended_answer(fresh):
    write(fresh, 17, 36, b"\x01")
    answer = fresh.raw(registration())
    assert len(answer) == 16
    assert c.decode_answer(answer).document_datetime == fresh.last_document().moment


@pytest.mark.parametrize("report_type", [3, 0xFF])
def test_begin_registration_invalid_type(fresh, report_type):
    fresh.refused(c.BeginRegistrationRequest(SYSADMIN, report_type), 0x33)


def test_begin_registration_twice(fresh):
    fresh.send(c.BeginRegistrationRequest(SYSADMIN, 0))
    fresh.refused(c.BeginRegistrationRequest(SYSADMIN, 0), 0x5E)


def test_begin_reregistration_in_phase_1(fresh):
    fresh.refused(c.BeginRegistrationRequest(SYSADMIN, 2), 0x02)


def test_begin_registration_when_registered(registered):
    registered.refused(c.BeginRegistrationRequest(SYSADMIN, 0), 0x02)
    registered.refused(registration(), 0x02)


def test_registration_wrong_rnm(fresh):
    fresh.refused(registration(rnm=make_rnm(1, OTHER_INN, KKT_SERIAL)), 0x09)


def test_registration_wrong_inn(fresh):
    fresh.refused(registration(inn="123"), 0x09)


def test_registration_no_taxation(fresh):
    fresh.refused(registration(taxation=0), 0x09)


def test_registration_refused_after_begin_cancels(fresh):
    fresh.send(c.BeginRegistrationRequest(SYSADMIN, 0))
    archive = fresh.path.read_bytes()
    assert fresh.error(registration(rnm=make_rnm(1, OTHER_INN, KKT_SERIAL))) == 0x09
    assert fresh.register.begun_report is None
    assert fresh.send(c.FnStatusRequest(SYSADMIN)).current_document == 0
    assert fresh.path.read_bytes() == archive


def test_registration_invalid_work_mode(fresh):
    fresh.refused(registration(work_mode=0x40), 0x33)
    fresh.send(c.BeginRegistrationRequest(SYSADMIN, 0))
    fresh.refused(registration(work_mode=0x80), 0x33)


def test_registration_after_reregistration_begin(registered):
    registered.send(c.BeginRegistrationRequest(SYSADMIN, 2))
    registered.refused(registration(), 0x5E)


def test_registration_needs_sysadmin(fresh):
    fresh.refused(registration(password=CASHIER), 0x4F)


def test_registration_without_paper(fresh):
    fresh.register.paper_out()
    fresh.refused(registration(), 0x6B)


def test_begin_registration_in_receipt(registered):
    registered.send(c.SaleRequest(CASHIER, 1000, 2800, 1, (0, 0, 0, 0), "Сахар"))
    registered.refused(c.BeginRegistrationRequest(SYSADMIN, 2), 0x4A)
    registered.refused(reregistration(), 0x4A)


def test_cancel_begun_registration(fresh):
    fresh.send(c.BeginRegistrationRequest(SYSADMIN, 0))
    assert fresh.raw(c.CancelFnDocumentRequest(SYSADMIN)) == H("FF 08 00")
    assert fresh.register.begun_report is None
    assert fresh.send(c.FnStatusRequest(SYSADMIN)).current_document == 0


def test_registration_survives_restart(registered, make_kkt):
    registered.close()
    again = make_kkt(register_fresh_fn=False)
    assert again.register.identity.inn == INN
    assert fn_phase(again) == FnPhase.FISCAL_MODE


# FF34h.

def test_reregistration(registered):
    answer = registered.raw(reregistration(reason=4, inn=OTHER_INN, rnm=OTHER_RNM, taxation=USN_INCOME))
    assert len(answer) == 11
    document = registered.last_document()
    assert c.decode_answer(answer).fd_number == document.fd_number == 2
    assert document.form == 11
    tlv = registered.tlv(document)
    assert tlv[1101] == b"\x04"
    assert tlv[1018] == OTHER_INN.encode()
    assert registered.register.identity.inn == OTHER_INN
    assert registered.register.identity.taxation_systems == USN_INCOME
    assert registered.table(18, 5) == bytes((USN_INCOME,))
    assert registered.register.journal[-1] == "RE-REGISTRATION REPORT, ФД 2"


def test_reregistration_after_begin(registered):
    assert registered.raw(c.BeginRegistrationRequest(SYSADMIN, 2)) == H("FF 05 00")
    registered.send(reregistration(reason=2))
    assert registered.tlv()[1101] == b"\x02"


@pytest.mark.parametrize("reason", [0, 5])
def test_reregistration_invalid_reason(registered, reason):
    registered.refused(reregistration(reason=reason), 0x33)


def test_reregistration_shift_open(registered):
    registered.send(c.OpenShiftRequest(CASHIER))
    registered.refused(reregistration(), 0x3C)
    registered.refused(c.BeginRegistrationRequest(SYSADMIN, 2), 0x3C)


def test_reregistration_after_registration_begin(fresh):
    fresh.send(c.BeginRegistrationRequest(SYSADMIN, 0))
    fresh.refused(reregistration(), 0x5E)


def test_reregistration_other_report_begun(registered):
    registered.send(c.BeginSettlementReportRequest(SYSADMIN))
    registered.refused(reregistration(), 0x5E)


def test_reregistration_in_phase_1(fresh):
    fresh.refused(reregistration(), 0x02)


def test_reregistration_ffd12_reason_codes(fresh12):
    fresh12.send(registration())
    fresh12.refused(reregistration(), 0x33)
    write(fresh12, 18, 22, (64).to_bytes(4, "little"))
    fresh12.send(c.BeginRegistrationRequest(SYSADMIN, 2))
    fresh12.send(reregistration(reason=4))
    tlv = fresh12.tlv()
    assert decode_uint(tlv[1205], 4) == 64
    assert 1101 not in tlv


def test_reregistration_extended_answer(registered):
    write(registered, 17, 36, b"\x01")
    assert len(registered.raw(reregistration())) == 16


# FF4Ch.

def test_registration_totals_v2(registered):
    registered.send(reregistration(reason=3))
    first = registered.raw(c.RegistrationTotalsRequest(SYSADMIN, 1))
    assert len(first) == 50
    assert c.decode_answer(first).fd_number == 1
    assert c.decode_answer(first).reason_code is None
    second = registered.raw(c.RegistrationTotalsRequest(SYSADMIN, 2))
    assert len(second) == 51
    decoded = c.decode_answer(second)
    assert (decoded.fd_number, decoded.reason_code, decoded.inn) == (2, 3, INN.ljust(12))


def test_registration_totals_v2_missing(registered):
    registered.refused(c.RegistrationTotalsRequest(SYSADMIN, 2), 0x08)
    registered.refused(c.RegistrationTotalsRequest(SYSADMIN, 0), 0x08)


def test_registration_totals_v2_phase_1(fresh):
    fresh.refused(c.RegistrationTotalsRequest(SYSADMIN, 1), 0x02)


# FF0Eh, FF60h.

def test_registration_tag(registered):
    expected = encode_tlv(1048, encode_string('ООО "Тестовый магазин"'))
    assert registered.raw(c.RegistrationTagRequest(SYSADMIN, 1, 1048)) == H("FF 0E 00") + expected
    assert registered.raw(c.FiscalizationTagRequest(SYSADMIN, 0, 1048)) == H("FF 60 00") + expected
    assert registered.raw(c.FiscalizationTagRequest(SYSADMIN, 1, 1048)) == H("FF 60 00") + expected


def test_registration_tag_last_registration(registered):
    registered.send(reregistration(reason=4, inn=OTHER_INN, rnm=OTHER_RNM))
    answer = registered.raw(c.FiscalizationTagRequest(SYSADMIN, 0, 1101))
    assert answer == H("FF 60 00") + encode_tlv(1101, b"\x04")


def test_registration_tag_all(registered):
    assert registered.raw(c.RegistrationTagRequest(SYSADMIN, 1, 0xFFFF)) == H("FF 0E 00")
    read = []
    while True:
        answer = registered.raw(c.ReadTlvRequest(SYSADMIN))
        if answer == H("FF 3B 08"):
            break
        read.append(c.decode_answer(answer).data)
    sent = [encode_tlv(tag, value) for tag, value in split_tlv(registered.documents()[0].tlv)[6:]]
    assert read == sent


@pytest.mark.parametrize("request_, error", [
    (c.RegistrationTagRequest(SYSADMIN, 1, 9999), 0x08),
    (c.RegistrationTagRequest(SYSADMIN, 2, 1048), 0x08),
    (c.RegistrationTagRequest(SYSADMIN, 0, 1048), 0x08),
    (c.FiscalizationTagRequest(SYSADMIN, 0, 9999), 0x08),
    (c.RegistrationTagRequest(CASHIER, 1, 1048), 0x4F),
])
def test_registration_tag_refused(registered, request_, error):
    registered.refused(request_, error)


def test_registration_tag_phase_1(fresh):
    fresh.refused(c.RegistrationTagRequest(SYSADMIN, 1, 1048), 0x02)
    fresh.refused(c.FiscalizationTagRequest(SYSADMIN, 0, 1048), 0x02)
