"""Receipt commands 8Dh, 80h–83h, 85h, 88h, 89h: money and quantity fields, cp1251 text, lengths."""

from __future__ import annotations

import pytest

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
SUGAR = H("D1 E0 F5 E0 F0")  # «Сахар» in cp1251

ITEM_TYPES = [(c.SaleRequest, 0x80), (c.PurchaseRequest, 0x81), (c.SaleReturnRequest, 0x82),
              (c.PurchaseReturnRequest, 0x83)]


def sale(**changes) -> c.SaleRequest:
    fields = dict(password=1, quantity=1000, price=2800, department=1, taxes=(1, 0, 0, 0), text="Сахар")
    fields.update(changes)
    return c.SaleRequest(**fields)


def close(**changes) -> c.CloseReceiptRequest:
    fields = dict(password=1, payments=(3000, 0, 0, 0), discount=0, taxes=(0, 0, 0, 0), text="")
    fields.update(changes)
    return c.CloseReceiptRequest(**fields)


def test_sale_layout():
    body = sale().encode()
    assert body[:20] == H("80 01 00 00 00 E8 03 00 00 00 F0 0A 00 00 00 01 01 00 00 00")
    assert body[20:25] == SUGAR
    assert body[25:] == bytes(35)
    # The spec's length for 80h with a 40-byte text is 60, CMD included.
    assert len(body) == 60


def test_sale_wider_text_field():
    # pyshtrih 2.0.6 pads names to 48 bytes for ШТРИХ-М-01Ф, LEN 68.
    body = sale(text_size=48).encode()
    assert len(body) == 68
    decoded = c.SaleRequest.decode(body)
    assert decoded.text == "Сахар"
    assert decoded.text_size == 48
    assert decoded == sale()


@pytest.mark.parametrize(("request_type", "code"), ITEM_TYPES)
def test_item_operations_dispatch(request_type, code):
    request = request_type(1, 2500, 100, 3, (0, 2, 0, 0), "Сахар")
    body = request.encode()
    assert body[0] == code
    assert c.decode_request(body) == request
    assert type(c.decode_request(body)) is request_type


def test_item_text_shorter_than_40_rejected():
    body = sale().encode()
    with pytest.raises(DecodeError, match="at least 40"):
        c.SaleRequest.decode(body[:59])


def test_item_text_ends_at_nul():
    body = sale().encode()[:20] + SUGAR + b"\x00XYZ" + bytes(32)
    assert c.SaleRequest.decode(body).text == "Сахар"


def test_item_text_unpadded_full_width():
    text = "Сахарный песок, мешок 50 кг, ГОСТ 33222"
    body = sale(text=text + "!").encode()
    assert len(body) == 20 + 40
    assert c.SaleRequest.decode(body).text == text + "!"


def test_item_text_longest_fits_frame():
    request = sale(text="Я" * 235)
    assert len(request.encode()) == 255
    assert c.SaleRequest.decode(request.encode()) == request
    with pytest.raises(EncodeError, match="255"):
        sale(text="Я" * 236).encode()


@pytest.mark.parametrize("text", ["Са\0хар", "Сахар ✓", "日本"])
def test_item_text_unencodable_rejected(text):
    with pytest.raises(EncodeError, match="text"):
        sale(text=text).encode()


@pytest.mark.parametrize(("field", "value"), [
    ("quantity", 2**40), ("quantity", -1), ("price", 2**40), ("price", 28.0), ("department", 256),
    ("taxes", (1, 0, 0)), ("taxes", (1, 0, 0, 256)), ("password", 2**32),
])
def test_item_out_of_range_rejected(field, value):
    with pytest.raises(EncodeError, match=field):
        sale(**{field: value}).encode()


def test_item_max_values():
    request = sale(quantity=2**40 - 1, price=c.MAX_MONEY, department=255)
    assert c.SaleRequest.decode(request.encode()) == request


def test_close_layout():
    body = close(payments=(10000, 2, 3, 4), discount=-500, taxes=(1, 2, 3, 4), text="Спасибо").encode()
    assert body[:5] == H("85 01 00 00 00")
    assert body[5:25] == H("10 27 00 00 00 02 00 00 00 00 03 00 00 00 00 04 00 00 00 00")
    assert body[25:27] == H("0C FE")
    assert body[27:31] == H("01 02 03 04")
    assert body[31:38] == "Спасибо".encode("cp1251")
    # The spec's length for 85h with a 40-byte text is 71.
    assert len(body) == 71


def test_close_pyshtrih_width():
    assert len(close(text_size=48).encode()) == 79


def test_close_text_shorter_than_40_rejected():
    with pytest.raises(DecodeError, match="at least 40"):
        c.CloseReceiptRequest.decode(close().encode()[:70])


@pytest.mark.parametrize(("field", "value"), [
    ("payments", (1, 2, 3)), ("payments", (2**40, 0, 0, 0)), ("discount", 2**15), ("discount", -2**15 - 1),
])
def test_close_out_of_range_rejected(field, value):
    with pytest.raises(EncodeError, match=field):
        close(**{field: value}).encode()


def test_close_answer_change():
    answer = c.CloseReceiptAnswer(operator=1, change=200)
    assert answer.encode() == H("85 00 01 C8 00 00 00 00")


def test_close_answer_web_link():
    link = "https://check.ofd.example/?t=20240301T0930"
    body = H("85 00 01 C8 00 00 00 00") + link.encode("cp1251")
    answer = c.CloseReceiptAnswer.decode(body)
    assert answer.web_link == link
    assert answer.change == 200
    assert answer.encode() == body


def test_open_receipt_types():
    for receipt_type in c.ReceiptType:
        body = c.OpenReceiptRequest(1, receipt_type).encode()
        assert body == H("8D 01 00 00 00") + bytes((receipt_type,))


def test_open_receipt_unknown_type_decodes():
    # The codec keeps the byte, and the dialect replies 33h for a type outside 0..3.
    assert c.OpenReceiptRequest.decode(H("8D 01 00 00 00 07")).receipt_type == 7


def test_subtotal_answer():
    answer = c.SubtotalAnswer.decode(H("89 00 01 F0 0A 00 00 00"))
    assert answer.subtotal == 2800
    assert answer.operator == 1


def test_cancel_receipt_answer_refused():
    error = c.decode_answer(H("88 55"))
    assert error == c.ErrorAnswer(0x88, 0x55)


def test_item_text_size_below_minimum_rejected():
    with pytest.raises(EncodeError, match="text_size 39"):
        sale(text_size=39).encode()
