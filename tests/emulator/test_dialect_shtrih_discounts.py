"""FF0Dh operation with a discount and surcharge, FF4Bh discount on the receipt.

Layouts: the vendor spec v1.17 and javapos_shtrih (FSSale sends FF0Dh with the
text unpadded; FSReceiptDiscount sends FF4Bh with tax 0 to round the receipt
total down, and «//» as the text when the driver prints the line itself). ФФД
has no discount реквизит, so the discount ends up in the items' 1043 and 1079.
Every refusal leaves the register as it was.
"""

from __future__ import annotations

import pytest

from kktemu.emulator.receipt import MAX_MONEY
from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.ffd.values import decode_fvln, decode_vln
from kktemu.protocol.shtrih import commands as c

H = bytes.fromhex
CASHIER = 1
SYSADMIN = 30
NO_VAT = c.TaxRate.NO_VAT


def discount_operation(quantity=2000, price=10000, discount=1500, markup=0, *, operation=1, department=1,
                       taxes=0x01, name="Кофе", discount_name="СКИДКА 15", password=SYSADMIN):
    """Return an FF0Dh request: quantity in thousandths, money in kopecks."""
    return c.DiscountOperationRequest(password, operation, quantity, price, discount, markup, department, taxes,
                                      0, name, discount_name)


def receipt_discount(discount=0, markup=0, tax=0, text=""):
    return c.ReceiptDiscountRequest(SYSADMIN, discount, markup, tax, text)


def operation_v2(price, name="Сахар"):
    return c.OperationV2Request(SYSADMIN, 1, 1_000_000, price, None, None, NO_VAT, 1, 4, 1, name)


def close_v2(cash):
    return c.CloseReceiptV2Request(SYSADMIN, (cash,) + (0,) * 15, 0, (0,) * 6, 1, "")


def items(kkt) -> list[dict[int, bytes]]:
    return [dict(split_tlv(value)) for tag, value in split_tlv(kkt.last_document().tlv) if tag == 1059]


def open_items(kkt):
    return [(item.amount, item.price) for item in kkt.register.receipt.receipt.items]


@pytest.fixture
def kkt(make_kkt):
    return make_kkt()


# FF0Dh.

def test_discount_operation(kkt):
    assert kkt.raw(discount_operation()) == H("FF 0D 00")
    assert kkt.mode() == 0x08
    assert kkt.send(c.SubtotalRequest(CASHIER)).subtotal == 18500
    kkt.send(close_v2(18500))
    item = items(kkt)[0]
    assert decode_vln(item[1043]) == 18500  # 2 × 100.00 less 15.00
    assert decode_vln(item[1079]) == 9250
    assert decode_fvln(item[1023]) == 2
    assert item[1199] == b"\x01"  # tax group 1: 20 % in the profile
    assert decode_vln(item[1200]) == 3083  # 18500 × 20/120, rounded half up
    assert item[1030] == "Кофе".encode("cp866")
    assert decode_vln(kkt.tlv()[1020]) == 18500


def test_discount_operation_surcharge(kkt):
    kkt.send(discount_operation(quantity=3000, price=1000, discount=0, markup=10))
    assert open_items(kkt) == [(3010, 1003)]


def test_discount_operation_discount_and_surcharge(kkt):
    kkt.send(discount_operation(quantity=1000, price=1000, discount=300, markup=100))
    assert open_items(kkt) == [(800, 800)]


def test_discount_operation_split_in_two_lines(kkt):
    # 1000 × 0.01 ₽ less 0.99 ₽: no unit price gives 9.01 ₽ for 1000 units within a kopeck,
    # so the register writes 99 units at 0.00 ₽ and 901 units at 0.01 ₽.
    kkt.send(discount_operation(quantity=1_000_000, price=1, discount=99))
    assert kkt.send(c.SubtotalRequest(CASHIER)).subtotal == 901
    kkt.send(close_v2(901))
    lines = items(kkt)
    assert [decode_fvln(line[1023]) for line in lines] == [99, 901]
    assert [decode_vln(line[1079]) for line in lines] == [0, 1]
    assert [decode_vln(line[1043]) for line in lines] == [0, 901]
    assert decode_vln(kkt.tlv()[1020]) == 901


def test_receipt_discount_split_in_two_lines(kkt):
    kkt.send(c.OperationV2Request(SYSADMIN, 1, 1000 * 1_000_000, 1, None, None, NO_VAT, 1, 4, 1, "Скрепка"))
    kkt.send(receipt_discount(discount=99))
    kkt.send(close_v2(901))
    for line in items(kkt):
        quantity, price, amount = decode_fvln(line[1023]), decode_vln(line[1079]), decode_vln(line[1043])
        assert abs(quantity * price - amount) <= 1
    assert sum(decode_vln(line[1043]) for line in items(kkt)) == 901


@pytest.mark.parametrize("taxes, rate", [(0x00, 6), (0x01, 1), (0x02, 2), (0x04, 5), (0x08, 6)])
def test_discount_operation_tax_groups(kkt, taxes, rate):
    kkt.send(discount_operation(taxes=taxes))
    assert kkt.register.receipt.receipt.items[0].vat_rate == rate


def test_discount_operation_return(kkt):
    kkt.send(discount_operation(operation=2))
    assert kkt.mode() == 0x28


def test_discount_operation_ffd12(make_kkt):
    kkt = make_kkt(ffd="1.2")
    kkt.send(discount_operation())
    kkt.send(close_v2(18500))
    assert items(kkt)[0][2108] == b"\x00"


def test_discount_operation_joins_receipt(kkt):
    kkt.send(operation_v2(2800))
    kkt.send(discount_operation())
    assert kkt.send(c.SubtotalRequest(CASHIER)).subtotal == 2800 + 18500


@pytest.mark.parametrize("request_, error", [
    (discount_operation(operation=5), 0x33),
    (discount_operation(taxes=0x03), 0x33),
    (discount_operation(taxes=0x10), 0x33),
    (discount_operation(department=17), 0x63),
    (discount_operation(department=255), 0x36),
    (discount_operation(discount=20001), 0x40),
    (discount_operation(markup=MAX_MONEY), 0x5B),
    (discount_operation(quantity=0), 0x62),
    (discount_operation(price=MAX_MONEY + 1), 0x61),
    (discount_operation(password=CASHIER), 0x4F),
], ids=["operation", "two tax groups", "tax bit 4", "department", "item code", "discount", "surcharge",
        "quantity", "price", "password"])
def test_discount_operation_refused(kkt, request_, error):
    kkt.refused(request_, error)


def test_discount_operation_refused_in_receipt(kkt):
    kkt.send(operation_v2(2800))
    kkt.refused(discount_operation(discount=20001), 0x40)
    kkt.refused(discount_operation(operation=3), 0x5E)


# FF4Bh.

def test_receipt_discount(kkt):
    kkt.send(operation_v2(2800))
    kkt.send(operation_v2(1200, name="Соль"))
    assert kkt.raw(receipt_discount(discount=100, text="СКИДКА ПО КАРТЕ")) == H("FF 4B 00")
    assert open_items(kkt) == [(2730, 2730), (1170, 1170)]
    assert kkt.register.journal[-1] == "СКИДКА ПО КАРТЕ"
    kkt.send(close_v2(3900))
    assert [decode_vln(item[1043]) for item in items(kkt)] == [2730, 1170]
    assert [decode_vln(item[1079]) for item in items(kkt)] == [2730, 1170]
    assert decode_vln(kkt.tlv()[1020]) == 3900


def test_receipt_surcharge(kkt):
    kkt.send(operation_v2(2800))
    kkt.send(operation_v2(1200))
    kkt.send(receipt_discount(markup=40))
    assert open_items(kkt) == [(2828, 2828), (1212, 1212)]


def test_receipt_discount_rounding_not_printed(kkt):
    # javapos_shtrih rounds 28.05 down to 28.00 with the text «//» and prints «ОКРУГЛЕНИЕ» itself.
    kkt.send(operation_v2(2805))
    journal = list(kkt.register.journal)
    kkt.send(receipt_discount(discount=5, text="//"))
    assert list(kkt.register.journal) == journal
    assert kkt.send(c.SubtotalRequest(CASHIER)).subtotal == 2800


def test_receipt_discount_remainders(kkt):
    kkt.send(operation_v2(100))
    kkt.send(operation_v2(100))
    kkt.send(operation_v2(100))
    kkt.send(receipt_discount(discount=2))
    assert sorted(amount for amount, _price in open_items(kkt)) == [99, 99, 100]


def test_receipt_discount_whole_total(kkt):
    kkt.send(operation_v2(2800))
    kkt.send(receipt_discount(discount=2800))
    assert open_items(kkt) == [(0, 0)]
    kkt.refused(close_v2(0), 0x8E)


def test_receipt_discount_net_zero(kkt):
    kkt.send(operation_v2(2800))
    kkt.send(receipt_discount(discount=50, markup=50))
    assert open_items(kkt) == [(2800, 2800)]


@pytest.mark.parametrize("request_, error", [
    (receipt_discount(discount=2801), 0x40),
    (receipt_discount(discount=3000, markup=100), 0x40),
    (receipt_discount(markup=MAX_MONEY), 0x5B),
    (receipt_discount(discount=1, tax=5), 0x33),
    (c.ReceiptDiscountRequest(CASHIER, 1, 0, 0, ""), 0x4F),
], ids=["discount", "net discount", "surcharge", "tax group", "password"])
def test_receipt_discount_refused(kkt, request_, error):
    kkt.send(operation_v2(2800))
    kkt.refused(request_, error)


def test_receipt_discount_without_receipt(kkt):
    kkt.refused(receipt_discount(discount=1), 0x55)


def test_receipt_discount_without_items(kkt):
    kkt.send(c.OpenReceiptRequest(CASHIER, 0))
    kkt.refused(receipt_discount(discount=1), 0x5E)


def test_receipt_surcharge_on_zero_total(kkt):
    kkt.send(c.OperationV2Request(SYSADMIN, 1, 1_000_000, 0, None, None, NO_VAT, 1, 4, 1, "Пакет"))
    kkt.refused(receipt_discount(markup=10), 0x5B)
