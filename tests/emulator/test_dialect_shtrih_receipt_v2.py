"""FF46h operation V2, FF4Dh item TLVs, FF45h close V2 and 8Eh through ``Emulator.execute``.

Every refusal is checked for its error byte and for leaving the register as it
was: mode (10h), items and subtotal, host TLVs, drawer, document number, the ФН
status and the archive file bytes.

Public sources of the byte-exact cases:
- shtrih-m/fr_drv_ng issue 103: the 1C driver's FF46h «Сахарный песок» 28.00 and
  its FF45h paying 2800.00 cashless, refused with 4Dh.
- shtrih-m/fr_drv_ng issue 247: FF46h «Комплексный обед» with a cp1251 name,
  answered 00h.
- shtrih-m/fr_drv_ng_examples issue 21 and shtrih-m/javapos_shtrih issue 90:
  ИНН requisites must be 12 characters (33h otherwise).
- shtrih-m/fr_drv_ng issue 249: a repeated tag in one 1059 gets 33h.
- shtrih-m/fr_drv_ng issues 228 and 211: 5Eh for an operation of another
  receipt type and for closing a receipt without operations.
- shtrih-m/javapos_shtrih issues 158 and 59: item supplier data and the place of
  settlement are taken by FF4Dh and FF0Ch and refused with 33h at the close.
- shtrih-m/fr_drv_ng issue 171: with 1291 in an item, 1023 must be 1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F, DeviceProfile
from kktemu.emulator.receipt_settings import TAX_MODE_HOST, ReceiptSettings
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.protocol.ffd.documents import decode_document
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import decode_frame, encode_frame

H = bytes.fromhex
START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000007"
CASHIER = 1
SYSADMIN = 30
NO_VAT = c.TaxRate.NO_VAT
FF46_1C_FRAME = ("02 2E FF 46 1E 00 00 00 01 40 42 0F 00 00 00 F0 0A 00 00 00 F0 0A 00 00 00 FF FF FF FF FF"
                 "08 01 04 01 D1 E0 F5 E0 F0 ED FB E9 20 EF E5 F1 EE EA")
FF45_1C_BODY = H("FF 45 1E 00 00 00 00 00 00 00 00 C0 45 04 00 00") + bytes(94) + H("00 00 98 3A 00 00 E8 08")
FF46_247_FRAME = ("02 30 FF 46 1E 00 00 00 01 40 42 0F 00 00 00 10 27 00 00 00 10 27 00 00 00 FF FF FF FF FF"
                  "08 00 00 00 CA EE EC EF EB E5 EA F1 ED FB E9 20 EE E1 E5 E4 8F")
PHONE_TLV = encode_tlv(1008, encode_string("+79990001122"))


def frame_bytes(text: str) -> bytes:
    """Return the full v1 frame with its LRC computed, for a frame given without its last byte."""
    body = H(text)[2:]
    return encode_frame(body)


def operation(quantity=1_000_000, price=2800, *, kind=1, amount=None, tax=None, rate=NO_VAT, department=1,
              method=4, subject=1, name="Сахар", password=SYSADMIN):
    """Return an FF46h request: quantity in millionths, money in kopecks."""
    return c.OperationV2Request(password, kind, quantity, price, amount, tax, rate, department, method, subject,
                                name)


def close_v2(cash=0, *, payments=None, rounding=0, taxes=(0,) * 6, tax_system=1, text=""):
    sums = list(payments) if payments is not None else [cash] + [0] * 15
    return c.CloseReceiptV2Request(SYSADMIN, tuple(sums), rounding, tuple(taxes), tax_system, text)


def close_extended(cash=0, *, payments=None, discount=0, taxes=(0, 0, 0, 0)):
    sums = list(payments) if payments is not None else [cash] + [0] * 15
    return c.CloseReceiptExtendedRequest(CASHIER, tuple(sums), discount, taxes, "")


class Kkt:
    """An Emulator on a file, driven by request objects and inspected through its own commands."""

    def __init__(self, path, clock, ffd="1.05"):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, profile=SHTRIH_M_01F.with_ffd(ffd), fn_serial=FN_SERIAL)
        self.register = self.emulator.register

    def raw(self, request) -> bytes:
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)

    def send(self, request):
        """Execute ``request`` and return the decoded success answer; fail the test on an error."""
        answer = c.decode_answer(self.raw(request))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def error(self, request) -> int:
        """Execute ``request``, which must be refused, and return its error byte."""
        answer = c.decode_answer(self.raw(request))
        assert isinstance(answer, c.ErrorAnswer), f"{request}: no error, answered {answer}"
        return answer.error

    def refused(self, request, error: int) -> None:
        """Check that ``request`` gets ``error`` and changes nothing."""
        before = self.state()
        assert self.error(request) == error
        assert self.state() == before

    def mode(self) -> int:
        return self.send(c.ShortStatusRequest(CASHIER)).mode

    def state(self) -> dict:
        """Everything a refusal must leave unchanged."""
        receipt = self.register.receipt
        return {
            "mode": self.mode(),
            "subtotal": self.raw(c.SubtotalRequest(CASHIER)),
            "items": list(receipt.receipt.items) if receipt else None,
            "receipt_tlv": list(receipt.receipt.extra_tlv) if receipt else None,
            "drawer": self.register.cash_in_drawer,
            "document_number": self.send(c.LongStatusRequest(CASHIER)).document_number,
            "fn_status": self.send(c.FnStatusRequest(SYSADMIN)),
            "archive": self.path.read_bytes(),
        }

    def settings(self, **changes) -> None:
        self.register.receipt_settings = dataclasses.replace(self.register.receipt_settings, **changes)

    def last_document(self):
        return read_archive(self.path).documents[-1]

    def fields(self) -> dict:
        return {field.tag: field.value for field in decode_document(self.last_document().stlv).fields}

    def items(self) -> list[dict]:
        document = decode_document(self.last_document().stlv)
        return [{child.tag: child.value for child in field.value} for field in document.fields if field.tag == 1059]

    def raw_items(self) -> list[list[tuple[int, bytes]]]:
        return [split_tlv(value) for tag, value in split_tlv(self.last_document().tlv) if tag == 1059]


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def kkt(tmp_path, clock):
    emulated = Kkt(tmp_path / "fn.bin", clock)
    yield emulated
    emulated.emulator.close()


@pytest.fixture
def kkt12(tmp_path, clock):
    emulated = Kkt(tmp_path / "fn12.bin", clock, ffd="1.2")
    yield emulated
    emulated.emulator.close()


# FF46h: items.


def test_cp1251_name_stored_as_cp866(kkt):
    frame = H(FF46_247_FRAME)
    assert kkt.raw(decode_frame(frame)) == H("FF 46 00")
    assert encode_frame(H("FF 46 00")) == H("02 03 FF 46 00 BA")
    kkt.send(close_v2(10000))
    item = dict(kkt.raw_items()[0])
    assert item[1030] == H("8A AE AC AF AB A5 AA E1 AD EB A9 20 AE A1 A5 A4")


def test_zero_method_and_subject_default(kkt):
    kkt.raw(decode_frame(H(FF46_247_FRAME)))
    kkt.send(close_v2(10000))
    item = kkt.items()[0]
    assert (item[1214], item[1212]) == (4, 1)


@pytest.mark.parametrize(("kind", "mode"), [(1, 0x08), (2, 0x28), (3, 0x18), (4, 0x38)])
def test_operation_opens_receipt(kkt, kind, mode):
    kkt.send(c.CashInRequest(CASHIER, 100000))
    kkt.send(operation(kind=kind))
    assert kkt.mode() == mode
    kkt.send(close_v2(2800))
    assert kkt.fields()[1054] == kind


def test_other_operation_type_rejected(kkt):
    kkt.send(operation(kind=1))
    kkt.refused(operation(kind=2), 0x5E)
    kkt.refused(operation(kind=3), 0x5E)
    kkt.refused(c.SaleReturnRequest(CASHIER, 1000, 100, 1, (0, 0, 0, 0), "x"), 0x49)


@pytest.mark.parametrize(("bit", "rate"), [(0, 1), (1, 2), (2, 5), (3, 6), (4, 3), (5, 4)])
def test_tax_bits_map_to_1199(kkt, bit, rate):
    kkt.send(operation(rate=1 << bit))
    kkt.send(close_v2(2800))
    assert kkt.items()[0][1199] == rate


@pytest.mark.parametrize("rate", [0, 3, 0x40, 0x80, 0xFF])
def test_tax_byte_needs_one_bit(kkt, rate):
    kkt.send(operation())
    kkt.refused(operation(rate=rate), 0x33)


def test_tax_byte_rejected_without_receipt(kkt):
    kkt.refused(operation(rate=3), 0x33)


@pytest.mark.parametrize(("request_", "error"), [
    (operation(kind=0), 0x33),
    (operation(kind=5), 0x33),
    (operation(department=17), 0x63),
    (operation(department=255), 0x36),
    (operation(method=8), 0x33),
    (operation(subject=34), 0x33),
    (operation(quantity=0), 0x62),
    (operation(price=c.MAX_MONEY + 1), 0x61),
    (operation(price=2800, amount=2802), 0x33),
    (operation(price=9999, tax=10000, rate=c.TaxRate.VAT_20), 0x33),
])
def test_operation_rejections(kkt, request_, error):
    kkt.send(operation())
    kkt.refused(request_, error)


def test_rejected_first_operation_opens_nothing(kkt):
    kkt.refused(operation(kind=0), 0x33)
    assert kkt.register.receipt is None


@pytest.mark.parametrize(("amount", "stored"), [(2799, 2799), (2800, 2800), (2801, 2801), (None, 2800)])
def test_sum_within_one_kopeck(kkt, amount, stored):
    kkt.send(operation(amount=amount))
    kkt.send(close_v2(3000))
    assert kkt.items()[0][1043] == stored
    assert kkt.fields()[1020] == stored


def test_sum_error_follows_setting(kkt):
    kkt.settings(item_sum_error=0x36)
    kkt.send(operation())
    kkt.refused(operation(amount=2900), 0x36)


def test_device_computes_sum(kkt):
    # Built from the spec: 2.000000 × 28.00 with the sum left to the register.
    frame = H("02 25 FF 46 1E 00 00 00 01 80 84 1E 00 00 00 F0 0A 00 00 00 FF FF FF FF FF FF FF FF FF FF"
              "08 01 04 01 D1 E0 F5 E0 F0 BB")
    assert kkt.raw(decode_frame(frame)) == H("FF 46 00")
    assert kkt.send(c.SubtotalRequest(CASHIER)).subtotal == 5600


def test_fractional_quantity_rounds_half_up(kkt):
    kkt.send(operation(quantity=333_333, price=1000))  # 0.333333 × 10.00 = 3.33333
    kkt.send(close_v2(1000))
    assert kkt.items()[0][1023] == Decimal("0.333333")
    assert kkt.items()[0][1043] == 333


# VAT of an item. In tax mode 0 the register computes it (99.99 at 20 % is 16.67) and
# ignores a sum the host gives; in tax mode 1 a given sum is sent and a missing sum
# leaves 1200 out. A sum given for 0 % or без НДС is never sent.


def test_vat_computed_in_mode_0(kkt):
    kkt.send(operation(price=9999, rate=c.TaxRate.VAT_20))
    kkt.send(close_v2(9999))
    assert kkt.items()[0][1200] == 1667
    assert kkt.fields()[1102] == 1667


def test_given_vat_ignored_in_mode_0(kkt):
    # Vendor spec v1.17, note to FF45h: in tax mode 0 the register computes the taxes
    # and ignores those the command carries.
    kkt.send(operation(price=9999, tax=1600, rate=c.TaxRate.VAT_20))
    kkt.send(close_v2(9999))
    assert kkt.items()[0][1200] == 1667
    assert kkt.fields()[1102] == 1667


def test_given_vat_used_in_mode_1(kkt):
    # The register would write 16.67 (99.99 × 20/120 rounded half up); the host
    # rounds down, within the kopeck the ФН allows.
    kkt.settings(tax_mode=TAX_MODE_HOST)
    kkt.send(operation(price=9999, tax=1666, rate=c.TaxRate.VAT_20))
    kkt.send(close_v2(9999, taxes=(1666, 0, 0, 0, 0, 0)))
    assert kkt.items()[0][1200] == 1666
    assert kkt.fields()[1102] == 1666


def test_vat_given_for_no_vat_ignored(kkt):
    kkt.send(operation(price=5000, tax=100, rate=NO_VAT))
    kkt.send(close_v2(5000))
    assert 1200 not in kkt.items()[0]
    assert kkt.fields()[1105] == 5000


def test_vat_missing_in_mode_1(kkt):
    kkt.settings(tax_mode=TAX_MODE_HOST)
    kkt.send(operation(price=9999, rate=c.TaxRate.VAT_20))
    kkt.send(operation(price=5500, tax=500, rate=c.TaxRate.VAT_10))
    kkt.send(close_v2(15499, taxes=(1667, 500, 0, 0, 0, 0)))
    first, second = kkt.items()
    assert 1200 not in first
    assert second[1200] == 500
    assert (kkt.fields()[1102], kkt.fields()[1103]) == (1667, 500)


def test_host_tax_sums_checked_in_mode_1(kkt):
    kkt.settings(tax_mode=TAX_MODE_HOST)
    kkt.send(operation())
    kkt.refused(close_v2(2800, taxes=(0, 0, 0, 0, 0, c.MAX_MONEY + 1)), 0x33)


def test_item_limit(kkt):
    for _ in range(100):
        kkt.send(operation(price=1))
    kkt.refused(operation(price=1), 0x94)


def test_shift_over_24_hours(kkt, clock):
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    clock.advance(dt.timedelta(hours=24, minutes=1))
    kkt.refused(operation(), 0x16)
    assert kkt.register.receipt is None


def test_ffd12_item_children(kkt12):
    kkt12.send(operation(method=1, subject=2))
    kkt12.send(close_v2(2800))
    children = [tag for tag, _ in kkt12.raw_items()[0]]
    assert children == [1214, 1212, 1030, 1079, 1023, 2108, 1199, 1043]
    assert kkt12.items()[0][2108] == 0
    assert (kkt12.items()[0][1214], kkt12.items()[0][1212]) == (1, 2)
    assert kkt12.fields()[1209] == 4


# FF4Dh: TLVs of the last item.


# Tag 1226 with made-up ИНН 7712345671: unpadded, padded, padded with a wrong check digit,
# and 11 digits with a space.
INN_FRAMES = [
    ("02 14 FF 4D 1E 00 00 00 CA 04 0A 00 37 37 31 32 33 34 35 36 37 31 7D", 0x33),
    ("02 16 FF 4D 1E 00 00 00 CA 04 0C 00 37 37 31 32 33 34 35 36 37 31 20 20 79", 0x00),
    ("02 16 FF 4D 1E 00 00 00 CA 04 0C 00 37 37 31 32 33 34 35 36 37 32 20 20 7A", 0x33),
    ("02 16 FF 4D 1E 00 00 00 CA 04 0C 00 35 36 35 36 35 36 35 36 35 36 36 20 6D", 0x33),
]


@pytest.mark.parametrize(("frame", "error"), INN_FRAMES)
def test_inn_checked_at_ff4d(kkt, frame, error):
    kkt.send(operation())
    before = kkt.state()
    answer = kkt.raw(decode_frame(H(frame)))
    assert encode_frame(answer) == (H("02 03 FF 4D 00 B1") if error == 0 else H("02 03 FF 4D 33 82"))
    if error:
        assert kkt.state() == before


def test_ff4d_needs_receipt(kkt):
    kkt.refused(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1191, b"x")), 0x55)


def test_ff4d_needs_operation(kkt):
    kkt.send(c.OpenReceiptRequest(CASHIER, c.ReceiptType.SALE))
    kkt.refused(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1191, b"x")), 0x5E)


def test_ff4d_goes_to_last_item(kkt):
    kkt.send(operation(name="Первый"))
    kkt.send(operation(name="Второй"))
    kkt.send(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1191, encode_string("партия 7"))))
    kkt.send(close_v2(5600))
    first, second = kkt.raw_items()
    assert 1191 not in dict(first)
    assert second[-1] == (1191, encode_string("партия 7"))


def test_ff4d_after_80h_item(kkt):
    kkt.send(c.SaleRequest(CASHIER, 1000, 2800, 1, (1, 0, 0, 0), "Сахар"))
    kkt.send(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1191, b"x")))
    kkt.send(close_v2(2800))
    assert kkt.raw_items()[0][-1] == (1191, b"x")


@pytest.mark.parametrize("tlv", [
    encode_tlv(1023, H("06 40 42 0F")),  # the register's own quantity
    encode_tlv(1191, b"a") + encode_tlv(1191, b"b"),
    b"",
    H("91 04 05 00 01"),  # ends inside the value
    encode_tlv(1077, bytes(6)),
])
def test_ff4d_rejections(kkt12, tlv):
    kkt12.send(operation())
    kkt12.refused(c.SendOperationTlvRequest(SYSADMIN, tlv), 0x33)


def test_repeated_tag_across_commands(kkt):
    kkt.send(operation())
    kkt.send(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1191, b"a")))
    kkt.refused(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1191, b"b")), 0x33)


def test_item_size_limit(kkt12):
    kkt12.send(operation())
    product = encode_tlv(1163, encode_tlv(1300, b"x" * 32))
    kkt12.send(c.SendOperationTlvRequest(SYSADMIN, product))
    for _ in range(3):
        kkt12.send(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1260, encode_tlv(1265, b"v" * 240))))
    kkt12.refused(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1260, encode_tlv(1265, b"v" * 240))), 0x33)


def test_measure_replaced_once(kkt12):
    kkt12.send(operation(quantity=250_000, price=80000))
    kkt12.send(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(2108, b"\x0b")))
    kkt12.refused(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(2108, b"\x0b")), 0x33)
    kkt12.send(close_v2(20000))
    assert kkt12.items()[0][2108] == 11
    assert [tag for tag, _ in kkt12.raw_items()[0]].count(2108) == 1


@pytest.mark.parametrize(("tlv", "v105", "v12"), [
    (encode_tlv(2108, b"\x0b"), 0x33, 0x00),
    (encode_tlv(1163, encode_tlv(1302, b"4601234567893")), 0x33, 0x00),
    (encode_tlv(1162, H("444D042F4EF3B2D541623378593951313132303030")), 0x00, 0x33),
    (encode_tlv(1197, encode_string("кг")), 0x00, 0x33),
])
def test_item_tags_per_version(kkt, kkt12, tlv, v105, v12):
    for register, error in ((kkt, v105), (kkt12, v12)):
        register.send(operation())
        request = c.SendOperationTlvRequest(SYSADMIN, tlv)
        if error:
            register.refused(request, error)
        else:
            register.send(request)
            register.send(close_v2(2800))
            tag, value = split_tlv(tlv)[0]
            assert dict(register.raw_items()[0])[tag] == value


# Rules checked when the receipt closes.


def test_supplier_without_agent_flag_fails_at_close(kkt):
    kkt.send(operation())
    kkt.send(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1226, b"7712345671  ")))
    kkt.refused(close_v2(2800), 0x33)
    kkt.send(c.CancelReceiptRequest(CASHIER))
    assert kkt.mode() == 0x02


def test_supplier_with_agent_flag_closes(kkt):
    kkt.send(operation())
    kkt.send(c.SendOperationTlvRequest(SYSADMIN, encode_tlv(1222, b"\x40") + encode_tlv(1226, b"7712345671  ")))
    kkt.send(close_v2(2800))
    assert kkt.items()[0][1226] == "7712345671  "


def test_fraction_needs_quantity_one(kkt12):
    fraction = encode_tlv(1291, encode_tlv(1293, b"\x01") + encode_tlv(1294, b"\x04"))
    kkt12.send(operation(quantity=250_000))
    kkt12.send(c.SendOperationTlvRequest(SYSADMIN, fraction))
    kkt12.refused(close_v2(700), 0x33)
    kkt12.send(c.CancelReceiptRequest(CASHIER))
    kkt12.send(operation(quantity=1_000_000, price=700))
    kkt12.send(c.SendOperationTlvRequest(SYSADMIN, fraction))
    kkt12.send(close_v2(700))
    assert kkt12.items()[0][1023] == Decimal("1.000000")
    assert dict(kkt12.raw_items()[0])[1291] == fraction[4:]


def test_registered_place_fails_at_close(kkt):
    kkt.send(operation())
    kkt.send(c.SendTlvRequest(SYSADMIN, encode_tlv(1187, encode_string("Зал 2"))))
    kkt.refused(close_v2(2800), 0x33)


# FF0Ch under ФФД 1.2: buyer data 1256 and the Internet flag 1125.


def test_buyer_data_only_in_ffd12(kkt, kkt12):
    buyer = encode_tlv(1256, encode_tlv(1227, encode_string("Иванов И.И.")) + encode_tlv(1228, b"500123456750"))
    kkt.send(operation())
    kkt.refused(c.SendTlvRequest(SYSADMIN, buyer), 0x33)
    kkt12.send(operation())
    kkt12.send(c.SendTlvRequest(SYSADMIN, buyer + encode_tlv(1125, b"\x01")))
    kkt12.send(close_v2(2800))
    fields = dict(split_tlv(kkt12.last_document().tlv))
    assert fields[1256] == buyer[4:]
    assert fields[1125] == b"\x01"


def test_host_cashier_replaces_table_name(kkt):
    kkt.send(operation())
    cashier = encode_tlv(1021, H("8F A5 E2 E0 AE A2 20 8F 2E"))  # «Петров П.» in CP866
    kkt.send(c.SendTlvRequest(SYSADMIN, cashier))
    kkt.send(close_v2(2800))
    values = [value for tag, value in split_tlv(kkt.last_document().tlv) if tag == 1021]
    assert values == [cashier[4:]]


def test_register_tags_rejected_by_ff0c(kkt):
    kkt.send(operation())
    kkt.refused(c.SendTlvRequest(SYSADMIN, encode_tlv(1055, b"\x01")), 0x33)


# FF45h: closing. The 1C driver's exchange from shtrih-m/fr_drv_ng issue 103, replayed.


def test_1c_trace_replay(kkt):
    assert kkt.raw(decode_frame(frame_bytes(FF46_1C_FRAME))) == H("FF 46 00")
    frame = H("02 76") + FF45_1C_BODY + H("11")
    assert decode_frame(frame) == FF45_1C_BODY
    before = kkt.state()
    answer = kkt.raw(FF45_1C_BODY)
    assert encode_frame(answer) == H("02 03 FF 45 4D F4")
    assert kkt.state() == before
    answer = kkt.raw(close_v2(3000))
    assert len(answer) == 16  # LEN 16: FF 45, error, change, ФД, ФП
    decoded = c.decode_answer(answer)
    assert decoded.change == 200
    document = kkt.last_document()
    assert decoded.fd_number == document.fd_number
    assert decoded.fiscal_sign == document.fiscal_sign
    assert decoded.document_datetime is None
    fields = kkt.fields()
    assert (fields[1020], fields[1031], fields[1081]) == (2800, 2800, 0)
    assert kkt.items()[0][1030] == "Сахарный песок"


def test_payments_below_total_frame(kkt):
    kkt.raw(decode_frame(frame_bytes(FF46_1C_FRAME)))
    before = kkt.state()
    assert encode_frame(kkt.raw(close_v2(2000))) == H("02 03 FF 45 45 FC")
    assert kkt.state() == before


def test_zero_total_frame(kkt):
    kkt.send(operation(price=0))
    before = kkt.state()
    assert encode_frame(kkt.raw(close_v2(0))) == H("02 03 FF 45 8E 37")
    assert kkt.state() == before


def test_zero_total_allowed_by_setting(kkt):
    kkt.settings(allow_zero_receipts=True)
    kkt.send(operation(price=0))
    assert kkt.send(close_v2(0)).change == 0
    assert kkt.fields()[1020] == 0


def test_close_needs_receipt(kkt):
    kkt.refused(close_v2(100), 0x55)


def test_close_without_operations(kkt):
    kkt.send(c.OpenReceiptRequest(CASHIER, c.ReceiptType.SALE))
    kkt.refused(close_v2(100), 0x5E)


@pytest.mark.parametrize("tax_system", [0, 3, 0x40, 0x81])
def test_tax_system_one_bit(kkt, tax_system):
    kkt.send(operation())
    kkt.refused(close_v2(2800, tax_system=tax_system), 0x33)


def test_tax_system_must_be_registered(kkt):
    kkt.register.identity = dataclasses.replace(kkt.register.identity, taxation_systems=0x01)
    kkt.send(operation())
    kkt.refused(close_v2(2800, tax_system=c.TaxSystem.ENVD), 0x33)
    kkt.send(close_v2(2800, tax_system=c.TaxSystem.OSN))


@pytest.mark.parametrize("tax_system", list(c.TaxSystem))
def test_tax_system_written(kkt12, tax_system):
    kkt12.send(operation())
    kkt12.send(close_v2(2800, tax_system=tax_system))
    assert kkt12.fields()[1055] == tax_system


def test_payment_kinds(kkt):
    kkt.send(operation(price=100000))
    sums = [20000, 10000, 5000] + [0] * 10 + [30000, 20000, 15000]
    answer = kkt.send(close_v2(payments=sums))
    assert answer.change == 0
    fields = kkt.fields()
    assert [fields[tag] for tag in (1020, 1031, 1081, 1215, 1216, 1217)] == [100000, 20000, 15000, 30000, 20000,
                                                                             15000]


def test_change_from_cash_only(kkt):
    kkt.send(operation(price=100000))
    answer = kkt.send(close_v2(payments=[50000, 60000] + [0] * 14))
    assert answer.change == 10000
    assert (kkt.fields()[1031], kkt.fields()[1081]) == (40000, 60000)


@pytest.mark.parametrize(("index", "error"), [(0, 0x41), (1, 0x42), (3, 0x44), (4, 0x33), (15, 0x33)])
def test_payment_out_of_range(kkt, index, error):
    kkt.send(operation())
    sums = [0] * 16
    sums[index] = c.MAX_MONEY + 1
    kkt.refused(close_v2(payments=sums), error)


def test_rounding_comes_off(kkt):
    kkt.send(operation(price=2850))
    answer = kkt.send(close_v2(2800, rounding=50))
    assert answer.change == 0
    assert kkt.fields()[1020] == 2800
    assert (kkt.items()[0][1043], kkt.items()[0][1079]) == (2800, 2800)


def test_rounding_limit(kkt):
    kkt.send(operation(price=2850))
    kkt.refused(close_v2(2800, rounding=100), 0x33)


def test_return_needs_cash_in_drawer(kkt):
    kkt.send(operation(kind=2, price=5000))
    kkt.refused(close_v2(5000), 0x46)
    kkt.send(close_v2(payments=[0, 5000] + [0] * 14))
    assert kkt.register.cash_in_drawer == 0


def test_drawer_takes_cash_after_change(kkt):
    kkt.send(operation(price=2800))
    kkt.send(close_v2(5000))
    assert kkt.register.cash_in_drawer == 2800


def test_extended_answer_has_date(kkt, clock):
    kkt.settings(extended_document_answers=True)
    clock.advance(dt.timedelta(seconds=75))
    kkt.send(operation())
    answer = kkt.raw(close_v2(2800))
    assert len(answer) == 21
    assert c.decode_answer(answer).document_datetime == dt.datetime(2024, 3, 1, 9, 1)
    assert kkt.fields()[1012] == dt.datetime(2024, 3, 1, 9, 1)


def test_fn_refusal_then_retry(kkt, clock):
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    clock.advance(dt.timedelta(hours=23, minutes=59))
    kkt.send(operation())
    clock.advance(dt.timedelta(minutes=2))
    archive = kkt.path.read_bytes()
    assert kkt.error(close_v2(2800)) == 0x07
    assert kkt.mode() == 0x08
    assert kkt.error(close_v2(2800)) == 0x16
    assert kkt.path.read_bytes() == archive
    kkt.send(c.CancelReceiptRequest(CASHIER))


@dataclasses.dataclass(frozen=True)
class ProfileWithSettings(DeviceProfile):
    receipt_settings: ReceiptSettings = ReceiptSettings(item_sum_error=0x36)


def test_settings_from_profile(tmp_path, clock):
    profile = ProfileWithSettings(name="test", device_name="ШТРИХ-М-01Ф", model_id=250)
    with Emulator(tmp_path / "fn.bin", clock=clock, profile=profile) as emulator:
        assert emulator.register.receipt_settings.item_sum_error == 0x36
        assert emulator.execute(operation(amount=2900).encode()) == H("FF 46 36")


@pytest.mark.parametrize("changes", [{"tax_mode": 2}, {"item_sum_error": 0}, {"item_sum_error": 0x100}])
def test_settings_validated(changes):
    with pytest.raises(ValueError):
        ReceiptSettings(**changes)


def test_close_text_printed(kkt):
    kkt.send(operation())
    kkt.send(close_v2(2800, text="Спасибо за покупку"))
    assert kkt.register.journal[-1] == "Спасибо за покупку"


def test_cashier_from_password(kkt):
    kkt.send(operation())
    kkt.send(close_v2(2800))
    assert kkt.fields()[1021] == "СИС. АДМИНИСТРАТОР"


def test_every_fiscal_sign_verifies(kkt):
    kkt.send(operation(price=9999, rate=c.TaxRate.VAT_20))
    kkt.send(close_v2(10000))
    key = derive_fn_key(DEFAULT_MASTER_KEY, FN_SERIAL)
    assert all(verify_document(key, document.stlv) for document in read_archive(kkt.path).documents)


# 8Eh: the extended close of the first generation, with 85h's discount and answer.


def test_close_extended(kkt):
    kkt.send(operation(price=10000))
    sums = [5000, 3000] + [0] * 11 + [4000, 0, 0]
    answer = kkt.raw(close_extended(payments=sums))
    assert len(answer) == 8  # LEN 8: 8E, error, operator, change
    decoded = c.decode_answer(answer)
    assert (decoded.operator, decoded.change) == (CASHIER, 2000)
    fields = kkt.fields()
    assert [fields[tag] for tag in (1020, 1031, 1081, 1215)] == [10000, 3000, 3000, 4000]
    assert fields[1021] == "КАССИР 1"


def test_close_extended_discount(kkt):
    kkt.send(operation(price=10000))
    kkt.send(close_extended(10000, discount=1000))
    assert kkt.fields()[1020] == 9000


@pytest.mark.parametrize(("request_", "error"), [
    (close_extended(5000), 0x45),
    (close_extended(payments=[0, 20000] + [0] * 14), 0x4D),
    (close_extended(10000, taxes=(5, 0, 0, 0)), 0x33),
    (close_extended(payments=[c.MAX_MONEY + 1] + [0] * 15), 0x41),
    (close_extended(10000, discount=10000), 0x33),
])
def test_close_extended_rejections(kkt, request_, error):
    kkt.send(operation(price=10000))
    kkt.refused(request_, error)


def test_close_extended_zero_total(kkt):
    kkt.send(c.OpenReceiptRequest(CASHIER, c.ReceiptType.SALE))
    kkt.refused(close_extended(100), 0x8E)


def test_85h_pays_like_8e(kkt):
    kkt.send(operation(price=10000))
    kkt.send(c.CloseReceiptRequest(CASHIER, (5000, 3000, 2000, 0), 0, (0, 0, 0, 0), ""))
    fields = kkt.fields()
    assert [fields[tag] for tag in (1020, 1031, 1081, 1215, 1216, 1217)] == [10000, 5000, 5000, 0, 0, 0]
