"""Valid register data of every controlled form under ФФД 1.05 and 1.2, and a way to change them.

The ``docs`` fixture is this module: ``docs.valid_document(form, version)``
returns a ``Tlvs`` list that passes the control, a test breaks one thing in it,
and ``docs.check`` returns the violation.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pytest

from kktemu.fn_storage.flc import DocumentContext, check_document
from kktemu.protocol.ffd.tlv import join_tlv
from kktemu.protocol.ffd.values import (
    encode_byte,
    encode_fvln,
    encode_string,
    encode_uint32,
    encode_unixtime,
    encode_vln,
)

FFD_1_05 = 2
FFD_1_2 = 4
VERSIONS = (FFD_1_05, FFD_1_2)
MOMENT = dt.datetime(2024, 3, 1, 10, 0)
TAXATION = 0x03  # ОСН and УСН доход registered
BASIS_DATE = dt.datetime(2024, 2, 20)  # 1178 of the valid corrections
FORMS = (1, 11, 2, 5, 21, 6, 3, 4, 31, 41)
RECEIPT_FORMS = (3, 4, 31, 41)
CORRECTION_FORMS = (31, 41)


class Tlvs(list):
    """A list of ``(tag, value)`` pairs with helpers to change it."""

    def __add__(self, other) -> Tlvs:
        return Tlvs([*self, *other])

    def encode(self) -> bytes:
        return join_tlv(list(self))

    def without(self, tag: int) -> Tlvs:
        return Tlvs((t, v) for t, v in self if t != tag)

    def replaced(self, tag: int, value: bytes) -> Tlvs:
        assert any(t == tag for t, _ in self), f"tag {tag} is not in the document"
        return Tlvs((t, value if t == tag else v) for t, v in self)

    def plus(self, tag: int, value: bytes) -> Tlvs:
        return Tlvs([*self, (tag, value)])

    def value(self, tag: int) -> bytes:
        return next(v for t, v in self if t == tag)


def text(value: str) -> bytes:
    return encode_string(value)


def money(kopecks: int) -> bytes:
    return encode_vln(kopecks)


def quantity(value: str) -> bytes:
    return encode_fvln(Decimal(value))


def item(version: int, name: str, price: int, count: str, total: int, rate: int, *extra) -> Tlvs:
    """Children of one 1059: full payment (1214 = 4) of goods (1212 = 1)."""
    children = Tlvs([(1214, b"\x04"), (1212, b"\x01"), (1030, text(name)), (1079, money(price)),
                     (1023, quantity(count))])
    if version == FFD_1_2:
        children.append((2108, b"\x00"))
    children += [(1199, encode_byte(rate)), (1043, money(total)), *extra]
    return children


def stlv(children) -> bytes:
    return join_tlv(list(children))


def _registration(version: int, form: int) -> Tlvs:
    tlvs = Tlvs([
        (1209, encode_byte(version)),
        (1048, text('ООО "Ромашка"')),
        (1009, text("г. Москва, ул. Тестовая, д. 1")),
        (1187, text("Магазин")),
        (1013, text("0000000000001234")),
        (1021, text("Иванова А.")),
        (1062, encode_byte(TAXATION)),
        (1002, b"\x00"), (1056, b"\x00"), (1001, b"\x00"),
        (1188, text("1.0")),
        (1189, encode_byte(version)),
        (1017, text("7704211201  ")),
    ])
    if version == FFD_1_05:
        tlvs += [(1221, b"\x00"), (1110, b"\x00"), (1108, b"\x00")]
        if form == 11:
            tlvs.append((1101, b"\x04"))
    else:
        tlvs.append((1290, encode_uint32(0)))
        if form == 11:
            tlvs.append((1205, encode_uint32(1 << 3)))
    return tlvs


def _receipt(version: int, form: int) -> Tlvs:
    tlvs = Tlvs([
        (1209, encode_byte(version)),
        (1048, text('ООО "Ромашка"')),
        (1042, encode_uint32(1)),
        (1038, encode_uint32(1)),
        (1054, b"\x01"),
        (1055, b"\x01"),
        (1021, text("Иванова А.")),
    ])
    if form in CORRECTION_FORMS:
        basis = [(1178, encode_unixtime(BASIS_DATE))]
        if version == FFD_1_05:
            basis.insert(0, (1177, text("Ошибка кассира")))
        tlvs += [(1173, b"\x00"), (1174, stlv(basis))]
    if form in CORRECTION_FORMS and version == FFD_1_05:
        # A ФФД 1.05 correction names only its sums.
        return tlvs + [(1020, money(49990)), (1031, money(30000)), (1081, money(19990)),
                       (1215, money(0)), (1216, money(0)), (1217, money(0)), (1102, money(8331))]
    tlvs += [
        (1059, stlv(item(version, "Хлеб", 4999, "2.000", 9998, 1))),
        (1059, stlv(item(version, "Молоко", 39992, "1", 39992, 2))),
        (1020, money(49990)), (1031, money(30000)), (1081, money(19990)),
        (1215, money(0)), (1216, money(0)), (1217, money(0)),
        (1102, money(1666)),  # 99.98 × 20/120 = 16.663
        (1103, money(3636)),  # 399.92 × 10/110 = 36.356
    ]
    return tlvs


def valid_document(form: int, version: int) -> Tlvs:
    """Return register data of ``form`` under ``version`` that pass the control."""
    if form in (1, 11):
        return _registration(version, form)
    if form in RECEIPT_FORMS:
        return _receipt(version, form)
    tlvs = Tlvs([(1209, encode_byte(version))])
    if form in (2, 5, 6):
        tlvs += [(1021, text("Иванова А.")), (1038, encode_uint32(1))]
    if form == 2:
        tlvs += [(1188, text("1.0")), (1189, encode_byte(version))]
    if form == 6:
        tlvs.append((1048, text('ООО "Ромашка"')))
    return tlvs


def check(tlvs, form: int, version: int, *, strict: bool = True, moment: dt.datetime = MOMENT,
          taxation: int | None = TAXATION):
    """Run the control on ``tlvs`` (a Tlvs list or raw bytes) as a form ``form`` document of a ФН on ``version``."""
    data = tlvs if isinstance(tlvs, bytes) else Tlvs(tlvs).encode()
    return check_document(data, DocumentContext(form, moment, version, taxation), strict)


@pytest.fixture(params=VERSIONS, ids=["1.05", "1.2"])
def version(request) -> int:
    return request.param


@pytest.fixture
def docs():
    """This module: the document builders and ``check``."""
    return sys.modules[__name__]
