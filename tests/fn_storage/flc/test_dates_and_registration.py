"""The correction basis date (1178), a correction by order, and tags tied to the registration (19h)."""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage.flc import Rule
from kktemu.protocol.ffd.tlv import join_tlv
from kktemu.protocol.ffd.values import encode_unixtime
from kktemu.protocol.fn.codes import FnResult

MOMENT = dt.datetime(2024, 3, 1, 10, 0)


def _dated(docs, version, date: dt.datetime):
    basis = [(1178, encode_unixtime(date))]
    return docs.valid_document(31, version).replaced(1174, join_tlv(basis))


# Note 1 to ФФД table 29: 1178 may not be later than the date of the correction receipt.
# The days are compared, so the whole document day passes and the next day fails.
@pytest.mark.parametrize("date, ok", [
    (dt.datetime(2024, 2, 29), True),
    (dt.datetime(2024, 3, 1), True),
    (dt.datetime(2024, 3, 1, 23, 59, 59), True),
    (dt.datetime(2024, 3, 2), False),
    (dt.datetime(2061, 2, 19, 22, 32, 41), False),  # the value seen in shtrih-m/fr_drv_ng issue 98
])
@pytest.mark.parametrize("form", [31, 41])
def test_basis_date_not_after_document(docs, version, form, date, ok):
    violation = docs.check(_dated(docs, version, date), form, version, moment=MOMENT)
    if ok:
        assert violation is None
    else:
        assert violation.rule is Rule.CORRECTION_DATE
        assert violation.result == FnResult.INVALID_TAG
        assert violation.tag == 1178


def test_basis_date_against_late_document(docs):
    tlvs = _dated(docs, 4, dt.datetime(2024, 3, 2))
    assert docs.check(tlvs, 31, 4, moment=dt.datetime(2024, 3, 2, 0, 0)) is None
    assert docs.check(tlvs, 31, 4, moment=dt.datetime(2024, 3, 1, 23, 59)).rule is Rule.CORRECTION_DATE


def test_correction_by_order_needs_order_number(docs):
    by_order = docs.valid_document(31, 4).replaced(1173, b"\x01")
    violation = docs.check(by_order, 31, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_MISSING, 1179)
    numbered = by_order.replaced(1174, join_tlv([(1178, encode_unixtime(docs.BASIS_DATE)), (1179, docs.text("12-П"))]))
    assert docs.check(numbered, 31, 4) is None


def test_ffd_105_order_number_optional(docs):
    assert docs.check(docs.valid_document(31, 2).replaced(1173, b"\x01"), 31, 2) is None


@pytest.mark.parametrize("form", [2, 5, 21, 6, 3, 31])
def test_document_version_matches_registration(docs, form):
    violation = docs.check(docs.valid_document(form, 2).replaced(1209, b"\x04"), form, 2)
    assert violation.rule is Rule.REGISTRATION_MATCH
    assert violation.result == FnResult.TAG_MISMATCH
    assert violation.tag == 1209


def test_registration_chooses_its_version(docs):
    # A registration report is checked under the version it registers.
    assert docs.check(docs.valid_document(1, 4), 1, 2) is None
    assert docs.check(docs.valid_document(11, 2), 11, 4) is None


@pytest.mark.parametrize("taxation, ok", [(0x01, True), (0x02, True), (0x04, False), (0x20, False)])
def test_taxation_among_registered(docs, version, taxation, ok):
    tlvs = docs.valid_document(3, version).replaced(1055, bytes((taxation,)))
    violation = docs.check(tlvs, 3, version, taxation=0x03)
    if ok:
        assert violation is None
    else:
        assert (violation.rule, violation.tag) == (Rule.REGISTRATION_MATCH, 1055)


def test_taxation_unchecked_before_registration(docs):
    tlvs = docs.valid_document(3, 2).replaced(1055, b"\x20")
    assert docs.check(tlvs, 3, 2, taxation=None) is None
