"""Mandatory, allowed and repeated tags of each form, per ФФД version (0Dh, 0Bh, 0Ch)."""

from __future__ import annotations

import pytest

from kktemu.fn_storage.flc import Rule
from kktemu.fn_storage.flc.presence import mandatory_tags
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.fn.codes import FnResult

FORMS = (1, 11, 2, 5, 21, 6, 3, 4, 31, 41)
CASES = [(form, version, tag) for form in FORMS for version in (2, 4) for tag in sorted(mandatory_tags(form, version))]


@pytest.mark.parametrize("form, version, tag", CASES)
def test_missing_mandatory_tag(docs, form, version, tag):
    violation = docs.check(docs.valid_document(form, version).without(tag), form, version)
    assert violation.rule is Rule.TAG_MISSING
    assert violation.result == FnResult.MISSING_DATA
    assert violation.tag == tag


def test_mandatory_tags_of_a_receipt():
    # ФФД 1.05 table 20: obligation 1 in the electronic form, without the ФН's own block.
    assert mandatory_tags(3, 2) == {1209, 1042, 1038, 1054, 1055, 1059, 1020, 1031, 1081, 1215, 1216, 1217}


def test_mandatory_tags_of_registration():
    assert {1221, 1110, 1108} <= mandatory_tags(1, 2)
    assert not {1221, 1110, 1108} & mandatory_tags(1, 4)
    assert not {1018, 1037, 1012, 1040, 1041, 1077} & mandatory_tags(1, 2)


def test_correction_needs_type_under_1_2(docs):
    assert docs.check(docs.valid_document(31, 2).without(1173), 31, 2) is None
    violation = docs.check(docs.valid_document(31, 4).without(1173), 31, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_MISSING, 1173)


def test_ffd_105_correction_without_basis(docs):
    assert docs.check(docs.valid_document(31, 2).without(1174), 31, 2) is None
    violation = docs.check(docs.valid_document(31, 4).without(1174), 31, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_MISSING, 1174)


@pytest.mark.parametrize("form, tag", [
    (2, 1008),   # a buyer's phone in an open shift report
    (5, 1188),   # the ККТ version is in the open shift report only
    (5, 1189),
    (21, 1021),  # the settlement report names no cashier
    (3, 1101),   # a re-registration reason in a receipt
    (3, 1162),   # a product code belongs inside 1059
    (3, 1178),   # a correction date belongs inside 1174
    (3, 1173),   # a correction type in a plain receipt
    (1, 1059),   # an item in a registration report
    (6, 1054),
])
def test_tag_not_allowed_in_form(docs, version, form, tag):
    value = encode_tlv(1043, b"\x01") if tag == 1059 else b"\x01"
    violation = docs.check(docs.valid_document(form, version).plus(tag, value), form, version)
    assert violation.rule is Rule.TAG_ALLOWED
    assert violation.result == FnResult.FORBIDDEN_TAGS
    assert violation.tag == tag


@pytest.mark.parametrize("form, tag, value", [
    (3, 1256, b"\x27\x04\x01\x00X"),           # buyer data, 1227 inside
    (3, 1125, b"\x01"),                        # settlement on the Internet
    (11, 1205, b"\x08\x00\x00\x00"),           # reasons of re-registration as a bitmask
    (2, 1276, b"x"),                           # additional requisite of the open shift report
])
def test_ffd_12_tags(docs, form, tag, value):
    valid_12 = docs.valid_document(form, 4).without(tag)
    assert docs.check(valid_12.plus(tag, value), form, 4) is None
    violation = docs.check(docs.valid_document(form, 2).plus(tag, value), form, 2)
    assert (violation.rule, violation.tag) == (Rule.TAG_ALLOWED, tag)


def test_reregistration_reason_1101_is_ffd_105(docs):
    assert docs.check(docs.valid_document(11, 2), 11, 2) is None
    violation = docs.check(docs.valid_document(11, 4).plus(1101, b"\x01"), 11, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_ALLOWED, 1101)


def test_several_reregistration_reasons(docs):
    tlvs = docs.valid_document(11, 2).plus(1101, b"\x02")
    assert docs.check(tlvs, 11, 2) is None


@pytest.mark.parametrize("form, tag", [(3, 1021), (3, 1054), (3, 1020), (2, 1038), (1, 1013), (21, 1209)])
def test_tag_repeated(docs, version, form, tag):
    valid = docs.valid_document(form, version)
    violation = docs.check(valid.plus(tag, valid.value(tag)), form, version)
    assert violation.rule is Rule.TAG_REPEATED
    assert violation.result == FnResult.DUPLICATE_DATA
    assert violation.tag == tag


def test_repeatable_phones(docs):
    tlvs = docs.valid_document(3, 2).plus(1057, b"\x04").plus(1073, b"+79990000001").plus(1073, b"+79990000002")
    assert docs.check(tlvs, 3, 2) is None


def test_print_only_tags_allowed(docs):
    # 1009 and 1187 are print-only in the settlement report; registers send them anyway.
    tlvs = docs.valid_document(21, 2).plus(1009, b"addr").plus(1187, b"place")
    assert docs.check(tlvs, 21, 2) is None


def test_ffd_11_uses_105_tables(docs):
    tlvs = docs.valid_document(3, 2).replaced(1209, b"\x03")
    assert docs.check(tlvs, 3, 3) is None
    assert docs.check(tlvs.plus(1256, b"\x27\x04\x01\x00X"), 3, 3).rule is Rule.TAG_ALLOWED


def test_forms_without_tables_get_structure_only(docs):
    assert docs.check(docs.valid_document(3, 4).encode(), 7, 4) is None
