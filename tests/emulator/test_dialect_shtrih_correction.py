"""Correction receipts through ``Emulator.execute``: FF35h, FF36h, FF4Ah, and FF45h under ФФД 1.2.

Public sources:
- shtrih-m/javapos_shtrih, FFD105Documents.processCorrectionCheck: FF35h, then
  1203, 1177, 1178 and 1179 one by one with FF0Ch, then FF4Ah.
- shtrih-m/fr_drv_ng issue 216 (vendor's answer): a ФФД 1.2 correction is opened,
  gets items, 1173 and 1174, and is closed like a receipt.
- shtrih-m/fr_drv_ng issue 98: FF35h as a driver sent it, and a 1178 dated 2061
  refused with 33h.
- shtrih-m/javapos_shtrih issues 132 and 149: ФФД 1.2 registers refuse 1177 and a
  loose 1178 with 33h.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.protocol.ffd.documents import decode_document
from kktemu.protocol.ffd.tlv import encode_tlv, join_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_vln, encode_string, encode_unixtime
from kktemu.protocol.fn.service import CurrentDocument
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000008"
CASHIER = 1
SYSADMIN = 30
# 1173 = 1 (by order); 1174 = {1178 = 2020-02-17 00:00 local, 1179 = «12-П»}.
CORRECTION_GOOD = H("95 04 01 00 01 96 04 10 00 9A 04 04 00 80 D7 49 5E 9B 04 04 00 31 32 2D 8F")
BASIS_WITH_1177 = H("96 04 1A 00 99 04 06 00 8E E8 A8 A1 AA A0 9A 04 04 00 80 D7 49 5E 9B 04 04 00 31 32 2D 8F")
FUTURE_1178 = H("9A 04 04 00 89 77 6D AB")  # 2061-02-19 22:32:41
BASIS_DATE = encode_unixtime(dt.datetime(2024, 2, 20))


def correction_v2(total=1000, *, kind=1, operation=1, payments=None, taxes=(0,) * 6, tax_system=1):
    payments = payments if payments is not None else (total, 0, 0, 0, 0)
    return c.CorrectionV2Request(SYSADMIN, kind, operation, total, tuple(payments), tuple(taxes), tax_system)


def item(price=1000, kind=1):
    return c.OperationV2Request(SYSADMIN, kind, 1_000_000, price, None, None, c.TaxRate.VAT_20, 1, 4, 1, "Товар")


def close_v2(cash):
    return c.CloseReceiptV2Request(SYSADMIN, (cash,) + (0,) * 15, 0, (0,) * 6, 1, "")


class Kkt:
    """An Emulator on a file, driven by request objects and inspected through its own commands."""

    def __init__(self, path, clock, ffd):
        self.path = path
        self.emulator = Emulator(path, clock=clock, profile=SHTRIH_M_01F.with_ffd(ffd), fn_serial=FN_SERIAL)
        self.register = self.emulator.register

    def raw(self, request) -> bytes:
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)

    def send(self, request):
        answer = c.decode_answer(self.raw(request))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def refused(self, request, error: int) -> None:
        """Check that ``request`` gets ``error`` and changes nothing."""
        before = self.state()
        answer = c.decode_answer(self.raw(request))
        assert isinstance(answer, c.ErrorAnswer), f"{request}: no error, answered {answer}"
        assert answer.error == error
        assert self.state() == before

    def state(self) -> dict:
        receipt = self.register.receipt
        return {
            "mode": self.send(c.ShortStatusRequest(CASHIER)).mode,
            "items": list(receipt.receipt.items) if receipt else None,
            "receipt_tlv": list(receipt.receipt.extra_tlv) if receipt else None,
            "drawer": self.register.cash_in_drawer,
            "document_number": self.send(c.LongStatusRequest(CASHIER)).document_number,
            "fn_status": self.send(c.FnStatusRequest(SYSADMIN)),
            "archive": self.path.read_bytes(),
        }

    def tlv(self, tlv: bytes) -> None:
        self.send(c.SendTlvRequest(SYSADMIN, tlv))

    def last_document(self):
        return read_archive(self.path).documents[-1]

    def fields(self) -> dict[int, bytes]:
        return dict(split_tlv(self.last_document().tlv))


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def kkt(tmp_path, clock):
    emulated = Kkt(tmp_path / "fn.bin", clock, "1.05")
    yield emulated
    emulated.emulator.close()


@pytest.fixture
def kkt12(tmp_path, clock):
    emulated = Kkt(tmp_path / "fn12.bin", clock, "1.2")
    yield emulated
    emulated.emulator.close()


# FF35h.


def test_begin_correction(kkt):
    assert kkt.raw(H("FF 35 1E 00 00 00")) == H("FF 35 00")  # the body of the driver's FF35h frame
    status = kkt.send(c.FnStatusRequest(SYSADMIN))
    assert status.current_document == CurrentDocument.CORRECTION_RECEIPT
    assert kkt.send(c.ShortStatusRequest(CASHIER)).mode == 0x08
    kkt.send(c.CancelReceiptRequest(CASHIER))
    assert kkt.send(c.FnStatusRequest(SYSADMIN)).current_document == CurrentDocument.NONE


def test_begin_correction_twice(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.refused(c.BeginCorrectionRequest(SYSADMIN), 0x4A)


def test_begin_correction_in_receipt(kkt):
    kkt.send(item())
    kkt.refused(c.BeginCorrectionRequest(SYSADMIN), 0x4A)


def test_begin_correction_password(kkt):
    kkt.refused(c.BeginCorrectionRequest(CASHIER), 0x4F)


# FF4Ah under ФФД 1.05, as javapos_shtrih sends it.


def test_correction_v2_flow(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.tlv(encode_tlv(1203, b"500123456750"))
    kkt.tlv(encode_tlv(1177, encode_string("Описание коррекции")))
    kkt.tlv(encode_tlv(1178, BASIS_DATE))
    kkt.tlv(encode_tlv(1179, encode_string("12-П")))
    answer = kkt.send(correction_v2(1000, payments=(600, 400, 0, 0, 0), taxes=(167, 0, 0, 0, 0, 0)))
    document = kkt.last_document()
    assert document.form == 31
    assert (answer.receipt_number, answer.fd_number, answer.fiscal_sign) == (1, document.fd_number,
                                                                           document.fiscal_sign)
    assert answer.document_datetime is None
    fields = kkt.fields()
    assert fields[1173] == b"\x01"
    assert fields[1174] == join_tlv([(1177, encode_string("Описание коррекции")), (1178, BASIS_DATE),
                                     (1179, encode_string("12-П"))])
    assert fields[1054] == b"\x01"
    assert [decode_vln(fields[tag]) for tag in (1020, 1031, 1081, 1215, 1216, 1217, 1102)] == [1000, 600, 400, 0,
                                                                                              0, 0, 167]
    assert fields[1203] == b"500123456750"
    assert 1059 not in fields
    assert kkt.register.cash_in_drawer == 600
    assert kkt.register.receipt is None
    key = derive_fn_key(DEFAULT_MASTER_KEY, FN_SERIAL)
    assert verify_document(key, document.stlv)


def test_correction_v2_without_begin(kkt):
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    kkt.send(correction_v2(500, kind=0))
    fields = kkt.fields()
    assert kkt.last_document().form == 31
    assert fields[1173] == b"\x00"
    assert 1174 not in fields


def test_correction_v2_opens_shift(kkt):
    kkt.send(correction_v2(500))
    assert [document.form for document in read_archive(kkt.path).documents] == [1, 2, 31]


def test_correction_expense_needs_cash(kkt):
    kkt.refused(correction_v2(500, operation=3), 0x46)
    kkt.send(c.CashInRequest(CASHIER, 1000))
    kkt.send(correction_v2(500, operation=3))
    assert kkt.register.cash_in_drawer == 500


@pytest.mark.parametrize(("request_", "error"), [
    (correction_v2(1000, payments=(500, 0, 0, 0, 0)), 0x33),
    (correction_v2(1000, kind=2), 0x33),
    (correction_v2(1000, tax_system=0), 0x33),
    (correction_v2(1000, tax_system=3), 0x33),
    (correction_v2(0), 0x8E),
    (correction_v2(1000, taxes=(c.MAX_MONEY + 1, 0, 0, 0, 0, 0)), 0x33),
    (correction_v2(1000, operation=2), 0x09),  # the ФН takes 1 and 3 under ФФД 1.05
])
def test_correction_v2_rejections(kkt, request_, error):
    kkt.send(c.CashInRequest(CASHIER, 100000))
    kkt.refused(request_, error)


def test_rejected_correction_keeps_begun_one(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.tlv(encode_tlv(1179, encode_string("12-П")))
    kkt.refused(correction_v2(1000, payments=(1, 0, 0, 0, 0)), 0x33)
    kkt.send(correction_v2(1000))
    assert kkt.fields()[1174] == encode_tlv(1179, encode_string("12-П"))


def test_operation_refusal_keeps_begun_correction(kkt):
    # The ФН takes operations 1 and 3 under ФФД 1.05; the register answers its 09h
    # before sending anything, so the correction FF35h began stays begun.
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.refused(correction_v2(1000, operation=4), 0x09)
    assert kkt.send(c.FnStatusRequest(SYSADMIN)).current_document == CurrentDocument.CORRECTION_RECEIPT
    kkt.send(correction_v2(1000))
    assert kkt.last_document().form == 31


def test_operation_refusal_keeps_shift_closed(kkt):
    kkt.send(c.CashInRequest(CASHIER, 1000))
    kkt.send(c.ZReportRequest(SYSADMIN))
    kkt.refused(c.CorrectionRequest(SYSADMIN, 500, 2), 0x09)
    assert kkt.send(c.ShiftParametersRequest(SYSADMIN)).shift_open is False


def test_correction_type_also_sent_by_ff0c(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.tlv(H("95 04 01 00 01"))
    kkt.refused(correction_v2(1000), 0x33)


def test_loose_and_wrapped_basis(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.tlv(encode_tlv(1174, encode_tlv(1179, b"1")))
    kkt.tlv(encode_tlv(1178, BASIS_DATE))
    kkt.refused(correction_v2(1000), 0x33)


def test_future_basis_date_at_ff0c(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.refused(c.SendTlvRequest(SYSADMIN, FUTURE_1178), 0x33)


def test_1177_accepted_in_ffd105(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.tlv(BASIS_WITH_1177)
    kkt.send(correction_v2(1000))
    assert kkt.fields()[1174] == BASIS_WITH_1177[4:]


def test_correction_tags_in_receipt(kkt):
    kkt.send(item())
    kkt.refused(c.SendTlvRequest(SYSADMIN, CORRECTION_GOOD[:5]), 0x33)


def test_correction_v2_in_receipt(kkt):
    kkt.send(item())
    kkt.refused(correction_v2(1000), 0x4A)


def test_correction_v2_after_items(kkt):
    kkt.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt.send(item())
    kkt.refused(correction_v2(1000), 0x5E)


def test_extended_answer(kkt):
    kkt.register.receipt_settings = dataclasses.replace(kkt.register.receipt_settings,
                                                        extended_document_answers=True)
    answer = kkt.raw(correction_v2(1000))
    assert len(answer) == 18
    assert c.decode_answer(answer).document_datetime == START


# FF36h: the ФФД 1.0 correction from the total alone.


def test_correction_from_total(kkt):
    answer = kkt.raw(c.CorrectionRequest(SYSADMIN, 500, 1))
    assert len(answer) == 13
    fields = kkt.fields()
    assert kkt.last_document().form == 31
    assert [decode_vln(fields[tag]) for tag in (1020, 1031, 1081)] == [500, 500, 0]
    assert 1173 not in fields
    assert kkt.register.cash_in_drawer == 500


@pytest.mark.parametrize(("total", "operation", "error"), [(0, 1, 0x8E), (500, 2, 0x09), (500, 0, 0x09),
                                                            (c.MAX_MONEY + 1, 1, 0x33)])
def test_correction_from_total_rejections(kkt, total, operation, error):
    kkt.send(c.CashInRequest(CASHIER, 100000))
    kkt.refused(c.CorrectionRequest(SYSADMIN, total, operation), error)


# ФФД 1.2: a correction receipt with items, closed by FF45h.


def test_ffd12_correction_with_items(kkt12):
    kkt12.send(c.CashInRequest(CASHIER, 2000))
    kkt12.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt12.send(item(1500, kind=3))
    assert kkt12.send(c.ShortStatusRequest(CASHIER)).mode == 0x18
    kkt12.tlv(CORRECTION_GOOD)
    answer = kkt12.send(close_v2(1500))
    document = kkt12.last_document()
    assert document.form == 31
    assert answer.fd_number == document.fd_number
    fields = kkt12.fields()
    assert fields[1054] == b"\x03"
    assert document.tlv.endswith(CORRECTION_GOOD)
    decoded = {field.tag: field.value for field in decode_document(document.stlv).fields}
    assert decoded[1209] == 4
    assert [child.tag for child in decoded[1059]][:6] == [1214, 1212, 1030, 1079, 1023, 2108]
    assert kkt12.register.cash_in_drawer == 500


def test_ffd12_correction_type_fixed_by_first_item(kkt12):
    kkt12.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt12.send(item(kind=2))
    kkt12.refused(item(kind=1), 0x5E)


def test_ffd12_correction_needs_type_and_basis(kkt12):
    kkt12.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt12.send(item())
    kkt12.refused(close_v2(1000), 0x33)
    kkt12.tlv(CORRECTION_GOOD)
    kkt12.send(close_v2(1000))
    assert kkt12.last_document().form == 31


@pytest.mark.parametrize("tlv", [
    BASIS_WITH_1177,
    encode_tlv(1177, encode_string("Описание")),
    H("9A 04 04 00 80 D7 49 5E"),  # a loose 1178
    encode_tlv(1174, FUTURE_1178),
])
def test_ffd12_basis_rejections(kkt12, tlv):
    kkt12.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt12.refused(c.SendTlvRequest(SYSADMIN, tlv), 0x33)


@pytest.mark.parametrize("request_", [c.CorrectionRequest(SYSADMIN, 500, 1), correction_v2(500)])
def test_ffd12_refuses_sum_corrections(kkt12, request_):
    kkt12.send(c.OpenShiftRequest(SYSADMIN))
    kkt12.refused(request_, 0x33)


def test_ffd12_correction_without_items(kkt12):
    kkt12.send(c.BeginCorrectionRequest(SYSADMIN))
    kkt12.tlv(CORRECTION_GOOD)
    kkt12.refused(close_v2(1000), 0x5E)
