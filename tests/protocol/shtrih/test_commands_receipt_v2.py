"""Receipt commands of the ФН era and corrections: FF46h, FF45h, FF4Dh, 8Eh, FF0Dh, FF4Bh, FF35h, FF36h, FF4Ah."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex


def item(**changes) -> c.OperationV2Request:
    fields = dict(password=30, operation=c.OperationType.SALE, quantity=1_000_000, price=2800, amount=None,
                  tax_amount=None, tax_rate=c.TaxRate.VAT_20, department=1, payment_method=4, payment_subject=1,
                  text="Сахар")
    fields.update(changes)
    return c.OperationV2Request(**fields)


def close_v2(**changes) -> c.CloseReceiptV2Request:
    fields = dict(password=30, payments=(3000,) + (0,) * 15, rounding=0, taxes=(0,) * 6,
                  tax_system=c.TaxSystem.OSN)
    fields.update(changes)
    return c.CloseReceiptV2Request(**fields)


def test_operation_v2_offsets():
    body = item(quantity=1_500_000, price=12345, amount=18518, tax_amount=3086).encode()
    assert body[:2] == H("FF 46")
    assert body[6] == 1
    assert body[7:13] == H("60 E3 16 00 00 00")
    assert body[13:18] == H("39 30 00 00 00")
    assert body[18:23] == H("56 48 00 00 00")
    assert body[23:28] == H("0E 0C 00 00 00")
    assert body[28:32] == H("01 01 04 01")
    assert body[32:] == "Сахар".encode("cp1251")


def test_operation_v2_not_given_sums():
    body = item(amount=None, tax_amount=None).encode()
    assert body[18:28] == b"\xff" * 10
    decoded = c.OperationV2Request.decode(body)
    assert decoded.amount is None
    assert decoded.tax_amount is None


@pytest.mark.parametrize("field", ["amount", "tax_amount"])
def test_operation_v2_marker_as_int_rejected(field):
    # FF FF FF FF FF would decode back as None, so an int cannot carry it.
    with pytest.raises(EncodeError, match="not given"):
        item(**{field: c.NOT_GIVEN}).encode()


def test_operation_v2_largest_explicit_sum():
    request = item(amount=c.NOT_GIVEN - 1)
    assert c.OperationV2Request.decode(request.encode()).amount == c.NOT_GIVEN - 1


def test_operation_v2_lengths():
    # The spec's length for FF46h with a 128-byte name is 160.
    assert len(item(text="Я" * 128).encode()) == 160
    assert len(item(text="").encode()) == 32
    assert c.OperationV2Request.decode(item(text="").encode()).text == ""


def test_operation_v2_name_longer_than_128_rejected():
    with pytest.raises(EncodeError, match="128"):
        item(text="Я" * 129).encode()
    body = item(text="Я" * 128).encode() + b"\x20"
    with pytest.raises(DecodeError, match="maximum is 128"):
        c.OperationV2Request.decode(body)


def test_operation_v2_padded_name():
    # alex-eri/pyshtrih pads the name with NULs to the model's line width.
    body = item().encode() + bytes(43)
    decoded = c.OperationV2Request.decode(body)
    assert decoded.text == "Сахар"
    assert decoded.text_size == 48
    assert decoded.encode() == body


def test_operation_v2_name_padded_to_128():
    # re-star-ru/shtrih-m-driver pads every name to 128 bytes, the spec's LEN 160.
    body = item().encode() + bytes(123)
    assert len(body) == 160
    decoded = c.OperationV2Request.decode(body)
    assert decoded.text == "Сахар"
    assert decoded.text_size == 128


def test_operation_v2_unprinted_name_kept():
    assert c.OperationV2Request.decode(item(text="//Доставка").encode()).text == "//Доставка"


def test_operation_v2_quantity_is_six_bytes():
    request = item(quantity=2**48 - 1)
    assert c.OperationV2Request.decode(request.encode()).quantity == 2**48 - 1
    with pytest.raises(EncodeError, match="quantity"):
        item(quantity=2**48).encode()


def test_tax_rate_bits():
    assert [int(rate) for rate in c.TaxRate] == [1, 2, 4, 8, 16, 32]
    # re-star-ru/shtrih-m-driver sends 3 for 0%; the codec keeps the byte as sent.
    assert c.OperationV2Request.decode(item(tax_rate=3).encode()).tax_rate == 3


def test_close_v2_full_length():
    # re-star-ru/shtrih-m-driver pads the text to 64 bytes: the spec's 182.
    assert len(close_v2(text_size=64).encode()) == 182
    assert len(close_v2().encode()) == 118


def test_close_v2_offsets():
    payments = tuple(range(1, 17))
    body = close_v2(payments=payments, rounding=37, taxes=(10, 20, 30, 40, 50, 60),
                    tax_system=c.TaxSystem.PSN, text="Спасибо").encode()
    assert body[6:11] == H("01 00 00 00 00")
    assert body[81:86] == H("10 00 00 00 00")
    assert body[86] == 37
    assert body[87:92] == H("0A 00 00 00 00")
    assert body[112:117] == H("3C 00 00 00 00")
    assert body[117] == 0x20
    assert body[118:] == "Спасибо".encode("cp1251")


def test_close_v2_text_limit():
    assert len(close_v2(text="Я" * 64).encode()) == 182
    with pytest.raises(EncodeError, match="64"):
        close_v2(text="Я" * 65).encode()
    with pytest.raises(DecodeError, match="maximum is 64"):
        c.CloseReceiptV2Request.decode(close_v2(text_size=64).encode() + b"\x00")


@pytest.mark.parametrize(("field", "value"), [
    ("payments", (0,) * 15), ("payments", (0,) * 17), ("payments", (2**40,) + (0,) * 15), ("rounding", 256),
    ("taxes", (0,) * 5), ("tax_system", -1),
])
def test_close_v2_out_of_range_rejected(field, value):
    with pytest.raises(EncodeError, match=field):
        close_v2(**{field: value}).encode()


def test_close_v2_answer_with_datetime():
    answer = c.CloseReceiptV2Answer(200, 425, 0x2E4BEAEB, datetime.datetime(2024, 3, 1, 9, 30))
    body = answer.encode()
    assert len(body) == 21
    assert body[16:] == H("18 03 01 09 1E")
    assert c.CloseReceiptV2Answer.decode(body) == answer


def test_close_v2_answer_bad_tails_rejected():
    body = c.CloseReceiptV2Answer(200, 425, 1).encode()
    with pytest.raises(DecodeError, match="expected 0 or 5"):
        c.CloseReceiptV2Answer.decode(body + H("18 03 01"))
    with pytest.raises(DecodeError, match="five zero bytes"):
        c.CloseReceiptV2Answer.decode(body + bytes(5))
    with pytest.raises(DecodeError, match="invalid date"):
        c.CloseReceiptV2Answer.decode(body + H("18 0D 01 09 1E"))


def test_close_v2_answer_datetime_with_seconds_rejected():
    answer = c.CloseReceiptV2Answer(0, 1, 1, datetime.datetime(2024, 3, 1, 9, 30, 15))
    with pytest.raises(EncodeError, match="seconds"):
        answer.encode()


def test_operation_tlv_shares_ff0c_layout():
    tlv = H("0D 05 01 00 01")
    assert c.SendOperationTlvRequest(30, tlv).encode() == H("FF 4D 1E 00 00 00") + tlv
    assert c.SendOperationTlvRequest(30, tlv).items() == [(1293, H("01"))]
    with pytest.raises(EncodeError, match="SendOperationTlvRequest: TLV block is 251 bytes"):
        c.SendOperationTlvRequest(30, bytes(251)).encode()


def test_close_extended_length():
    request = c.CloseReceiptExtendedRequest(1, (10000,) + (0,) * 15, 0, (0, 0, 0, 0), "")
    body = request.encode()
    # The spec's length for 8Eh: 131, a 40-byte text included.
    assert len(body) == 131
    assert body[:10] == H("8E 01 00 00 00 10 27 00 00 00")
    assert c.CloseReceiptExtendedRequest.decode(body) == request


def test_close_extended_text_shorter_than_40_rejected():
    body = c.CloseReceiptExtendedRequest(1, (0,) * 16, 0, (0, 0, 0, 0), "").encode()
    with pytest.raises(DecodeError, match="at least 40"):
        c.CloseReceiptExtendedRequest.decode(body[:-1])


def test_close_extended_answer():
    assert c.CloseReceiptExtendedAnswer(1, 200).encode() == H("8E 00 01 C8 00 00 00 00")


def discount_operation(**changes) -> c.DiscountOperationRequest:
    fields = dict(password=30, operation=1, quantity=1000, price=10000, discount=500, markup=0, department=1,
                  taxes=0b0010, barcode=460123456789, item_name="Сахар", discount_name="Скидка")
    fields.update(changes)
    return c.DiscountOperationRequest(**fields)


def test_discount_operation_spec_length():
    body = discount_operation().encode()
    assert len(body) == 254
    assert body[34:46] == "Сахар\0Скидка".encode("cp1251")
    assert body[46:] == bytes(208)


def test_discount_operation_names_split():
    decoded = c.DiscountOperationRequest.decode(discount_operation().encode())
    assert decoded.item_name == "Сахар"
    assert decoded.discount_name == "Скидка"
    assert decoded == discount_operation()


def test_discount_operation_unpadded_text():
    # javapos_shtrih (FSSale) sends the text without padding.
    body = discount_operation(text_size=0).encode()
    assert body[34:] == "Сахар\0Скидка".encode("cp1251")
    assert c.DiscountOperationRequest.decode(body).encode() == body
    only_item = discount_operation(discount_name="", text_size=0).encode()
    assert only_item[34:] == "Сахар".encode("cp1251")
    assert c.DiscountOperationRequest.decode(only_item).discount_name == ""


def test_discount_operation_text_limit():
    with pytest.raises(EncodeError, match="220"):
        discount_operation(item_name="Я" * 221, discount_name="").encode()
    with pytest.raises(DecodeError, match="220"):
        c.DiscountOperationRequest.decode(discount_operation().encode() + b"\0")


def test_receipt_discount_spec_length():
    request = c.ReceiptDiscountRequest(30, 500, 0, 1, "Скидка по карте")
    body = request.encode()
    assert len(body) == 145
    assert c.ReceiptDiscountRequest.decode(body) == request


def test_correction_layout():
    body = c.CorrectionRequest(30, 2800, 1).encode()
    assert body == H("FF 36 1E 00 00 00 F0 0A 00 00 00 01")
    assert len(body) == 12


def test_correction_answers():
    answer = c.CorrectionAnswer(7, 427, 121606715)
    assert len(answer.encode()) == 13
    extended = dataclasses.replace(answer, document_datetime=datetime.datetime(2024, 3, 1, 9, 30))
    assert len(extended.encode()) == 18
    assert c.CorrectionAnswer.decode(extended.encode()) == extended
    assert len(c.CorrectionV2Answer(7, 427, 121606715).encode()) == 13


def test_correction_v2_spec_length_and_offsets():
    request = c.CorrectionV2Request(30, c.CorrectionType.BY_ORDER, 1, 10000, (10000, 0, 0, 0, 0),
                                    (1667, 0, 0, 0, 0, 0), c.TaxSystem.OSN)
    body = request.encode()
    # The spec's length for FF4Ah is 69: FF 4A, password and 63 bytes.
    assert len(body) == 69
    assert body[6:8] == H("01 01")
    assert body[8:13] == H("10 27 00 00 00")
    assert body[38:43] == H("83 06 00 00 00")
    assert body[68] == 1
    assert c.CorrectionV2Request.decode(body) == request


def test_begin_correction():
    assert c.BeginCorrectionRequest(30).encode() == H("FF 35 1E 00 00 00")
    assert c.decode_answer(H("FF 35 00")) == c.BeginCorrectionAnswer()
