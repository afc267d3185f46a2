"""The receipt QR code string: public vectors, parsing leniency, round trip, archived receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.fn_storage import ArchivedDocument, FiscalStorage, InvalidArgumentError, read_archive
from kktemu.fn_storage.qr import RECEIPT_FORMS, ReceiptQr, receipt_qr
from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_fvln, encode_string
from kktemu.protocol.fn.records import ReceiptRecord

# Vasfed/orangedata spec/lib/receipt_result_spec.rb: a cloud ККТ receipt and its QR string.
ORANGEDATA_QR = "t=20181022T1936&s=0.01&fn=9999078900001341&i=5548&fp=787980846&n=1"
ORANGEDATA_FIELDS = ReceiptQr(dt.datetime(2018, 10, 22, 19, 36), 1, "9999078900001341", 5548, 787980846, 1)
# Usage example of the nechestniy_znak Python package (README, infoFromReceipt): minutes form.
MINUTES_QR = "t=20231203T2319&s=261.80&fn=7281440701309134&i=10027&fp=3516337491&n=1"
# README of the qr-fns project: a register that prints seconds in t.
SECONDS_QR = "t=20190418T211655&s=3943.26&fn=9282000100072197&i=64318&fp=2918241905&n=1"


def test_orangedata_vector_encodes():
    assert ORANGEDATA_FIELDS.encode() == ORANGEDATA_QR


def test_orangedata_vector_decodes():
    assert ReceiptQr.decode(ORANGEDATA_QR) == ORANGEDATA_FIELDS


def test_minutes_form_parses():
    code = ReceiptQr.decode(MINUTES_QR)
    assert code.moment == dt.datetime(2023, 12, 3, 23, 19)
    assert code.total == 26180
    assert code.fn_serial == "7281440701309134"
    assert code.fd_number == 10027
    assert code.fiscal_sign == 3516337491
    assert code.settlement_type == 1
    assert code.encode() == MINUTES_QR


def test_seconds_form_parses():
    code = ReceiptQr.decode(SECONDS_QR)
    assert code.moment == dt.datetime(2019, 4, 18, 21, 16, 55)
    assert code.total == 394326
    assert code.fd_number == 64318
    assert code.fiscal_sign == 2918241905


def test_seconds_dropped_on_encode():
    assert ReceiptQr.decode(SECONDS_QR).encode() == SECONDS_QR.replace("T211655", "T2116")


def test_one_decimal_sum_accepted_never_emitted():
    # Vasfed/orangedata README: a Ruby float produced s=50.0.
    code = ReceiptQr.decode(ORANGEDATA_QR.replace("s=0.01", "s=50.0"))
    assert code.total == 5000
    assert "&s=50.00&" in code.encode()


def test_fields_in_any_order():
    shuffled = "n=1&fp=787980846&i=5548&fn=9999078900001341&s=0.01&t=20181022T1936"
    assert ReceiptQr.decode(shuffled) == ORANGEDATA_FIELDS


def test_leading_zeros_accepted():
    code = ReceiptQr.decode(ORANGEDATA_QR.replace("i=5548", "i=0005548").replace("fp=787980846", "fp=0787980846"))
    assert code.fd_number == 5548
    assert code.fiscal_sign == 787980846


def test_sums_at_kopeck_edges():
    assert ReceiptQr.decode(ORANGEDATA_QR.replace("s=0.01", "s=0.00")).total == 0
    assert ReceiptQr.decode(ORANGEDATA_QR.replace("s=0.01", "s=0.1")).total == 10
    assert ReceiptQr.decode(ORANGEDATA_QR.replace("s=0.01", "s=0.99")).total == 99
    assert ReceiptQr.decode(ORANGEDATA_QR.replace("s=0.01", "s=1.00")).total == 100


@pytest.mark.parametrize(("old", "new"), [
    ("s=0.01", "s=0.001"),  # three decimals
    ("s=0.01", "s=1"),  # no decimals
    ("s=0.01", "s=1,50"),  # comma
    ("s=0.01", "s=-0.01"),
    ("t=20181022T1936", "t=20181022T19"),
    ("t=20181022T1936", "t=20181022T193600Z"),
    ("t=20181022T1936", "t=20181022 1936"),
    ("t=20181022T1936", "t=20181322T1936"),  # month 13
    ("t=20181022T1936", "t=20181022T2460"),
    ("fn=9999078900001341", "fn=999907890000134"),  # 15 digits
    ("fn=9999078900001341", "fn=99990789000013410"),
    ("i=5548", "i=0"),
    ("i=5548", "i=4294967296"),
    ("i=5548", "i=55a8"),
    ("fp=787980846", "fp=4294967296"),
    ("fp=787980846", "fp="),
    ("n=1", "n=0"),
    ("n=1", "n=5"),
], ids=lambda value: value)
def test_invalid_field_rejected(old, new):
    with pytest.raises(DecodeError):
        ReceiptQr.decode(ORANGEDATA_QR.replace(old, new))


@pytest.mark.parametrize("text", [
    "",
    ORANGEDATA_QR + "&n=1",  # repeated field
    ORANGEDATA_QR.replace("&n=1", ""),  # missing field
    ORANGEDATA_QR + "&x=1",  # unknown field
    ORANGEDATA_QR.replace("&n=1", "&n"),  # no '='
    "https://check.ofd.ru/?" + ORANGEDATA_QR,  # URL prefix
    ORANGEDATA_QR.replace("T", "Т"),  # Cyrillic Т
], ids=["empty", "repeated", "missing", "unknown", "no-equals", "url", "cyrillic"])
def test_malformed_string_rejected(text):
    with pytest.raises(DecodeError):
        ReceiptQr.decode(text)


def test_fiscal_sign_bounds():
    assert ReceiptQr.decode(ORANGEDATA_QR.replace("fp=787980846", "fp=0")).fiscal_sign == 0
    top = ReceiptQr.decode(ORANGEDATA_QR.replace("fp=787980846", "fp=4294967295"))
    assert top.fiscal_sign == 0xFFFFFFFF


@pytest.mark.parametrize("change", [
    {"total": -1},
    {"fn_serial": "123"},
    {"fd_number": 0},
    {"fd_number": 1 << 32},
    {"fiscal_sign": -1},
    {"fiscal_sign": 1 << 32},
    {"settlement_type": 0},
    {"settlement_type": 5},
    {"moment": dt.datetime(1999, 12, 31, 23, 59)},
], ids=lambda change: next(iter(change)) + "=" + str(next(iter(change.values()))))
def test_encode_rejects_out_of_range(change):
    fields = {**ORANGEDATA_FIELDS.__dict__, **change}
    with pytest.raises(EncodeError):
        ReceiptQr(**fields).encode()


qr_fields = st.builds(
    ReceiptQr,
    moment=st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(9999, 12, 31, 23, 59)).map(
        lambda moment: moment.replace(second=0, microsecond=0)),
    total=st.integers(0, 10**15),
    fn_serial=st.text("0123456789", min_size=16, max_size=16),
    fd_number=st.integers(1, 0xFFFFFFFF),
    fiscal_sign=st.integers(0, 0xFFFFFFFF),
    settlement_type=st.integers(1, 4),
)


@given(qr_fields)
def test_round_trip(code):
    text = code.encode()
    assert text.isascii()
    assert ReceiptQr.decode(text) == code
    assert ReceiptQr.decode(text).encode() == text


@given(qr_fields, st.integers(0, 59))
def test_seconds_form_round_trip(code, second):
    with_seconds = code.encode().replace(f"t={code.moment:%Y%m%dT%H%M}", f"t={code.moment:%Y%m%dT%H%M}{second:02d}")
    parsed = ReceiptQr.decode(with_seconds)
    assert parsed.moment == code.moment.replace(second=second)
    assert parsed.encode() == code.encode()


# --- receipts in the archive ------------------------------------------------------------


def test_archived_receipt_qr(in_shift, fn):
    in_shift.clock.advance(minutes=7)
    tlv = in_shift.item("Чай", 5500, encode_tlv(1023, encode_fvln(Decimal("2"))), 11000, 1) + in_shift.money(1031, 11000)
    answer = in_shift.receipt(tlv, operation=2, total=11000)
    number = answer.fd_number
    moment = in_shift.clock()
    expected = (f"t={moment:%Y%m%dT%H%M}&s=110.00&fn={fn.serial}&i={number}"
                f"&fp={answer.fiscal_sign}&n=2")
    assert fn.qr(number) == expected


def test_archived_receipt_qr_fields(in_shift, fn, archive_path):
    tlv = in_shift.item("Хлеб", 4599, encode_tlv(1023, encode_fvln(Decimal("1"))), 4599, 1) + in_shift.money(1031, 4599)
    answer = in_shift.receipt(tlv, total=4599)
    serial = fn.serial
    fn.close()
    document = read_archive(archive_path).documents[answer.fd_number - 1]
    code = receipt_qr(document)
    assert code == ReceiptQr(in_shift.clock(), 4599, serial, answer.fd_number, answer.fiscal_sign, 1)


def test_non_receipts_have_no_qr(in_shift, fn):
    assert fn.qr(1) is None  # registration report
    assert fn.qr(2) is None  # shift opening


def test_qr_of_absent_document(registered, fn):
    with pytest.raises(InvalidArgumentError):
        fn.qr(2)
    with pytest.raises(InvalidArgumentError):
        fn.qr(0)


def test_receipt_forms():
    assert RECEIPT_FORMS == {3, 31, 4, 41}


def test_storage_qr_matches_reopened(in_shift, fn, archive_path, clock):
    tlv = in_shift.item("Сок", 12345, encode_tlv(1023, encode_fvln(Decimal("1"))), 12345, 2) + in_shift.money(1031, 12345)
    number = in_shift.receipt(tlv, total=12345).fd_number
    before = fn.qr(number)
    fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        assert reopened.qr(number) == before


def _archived(form: int, details: bytes, tlv: bytes) -> ArchivedDocument:
    moment = dt.datetime(2024, 3, 1, 12, 5)
    return ArchivedDocument(fd_number=17, form=form, moment=moment, fn_time=moment, fiscal_sign=3516337491,
                            details=details, stlv=encode_tlv(form, tlv))


@pytest.mark.parametrize("form", sorted(RECEIPT_FORMS))
def test_every_receipt_form_has_qr(form):
    details = ReceiptRecord(dt.datetime(2000, 1, 1), 0, 0, operation=3, total=100001).encode_details()
    document = _archived(form, details, encode_tlv(1041, encode_string("9999078900004321")))
    assert receipt_qr(document) == ReceiptQr(document.moment, 100001, "9999078900004321", 17, 3516337491, 3)
    assert receipt_qr(document).encode() == (
        "t=20240301T1205&s=1000.01&fn=9999078900004321&i=17&fp=3516337491&n=3")


@pytest.mark.parametrize("form", [1, 2, 5, 6, 7, 11, 21])
def test_other_forms_have_no_qr(form):
    assert receipt_qr(_archived(form, b"", encode_tlv(1041, encode_string("9999078900004321")))) is None


def test_receipt_without_fn_number_rejected():
    details = ReceiptRecord(dt.datetime(2000, 1, 1), 0, 0, operation=1, total=5).encode_details()
    with pytest.raises(DecodeError):
        receipt_qr(_archived(3, details, encode_tlv(1040, b"\x11\x00\x00\x00")))
