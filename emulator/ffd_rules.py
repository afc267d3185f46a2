"""Which TLVs a host may add to a receipt, per ФФД version, and when the register rejects them.

The host adds receipt-level TLVs with FF0Ch and TLVs of the last item (inside
its реквизит 1059) with FF4Dh. The ФФД 1.05 tables come from the ФФД dictionary
(``kktemu.protocol.ffd.forms``). The ФФД 1.2 tables are derived from them by
the changes of ФФД 1.2, listed below, because the dictionary has no 1.2 tables.

Штрих-М firmware checks a TLV in two places, and so does the register:

* When the TLV arrives (FF0Ch, FF4Dh): framing, tags the ФН writes itself,
  whether the open document may contain the tag under its ФФД version, repeats
  inside one 1059 and lengths. With the format check (table 17 field 35
  «RUS СТРОГИЙ ФЛК») on, the value itself is checked too: ИНН check digits, fixed lengths, code lists
  and dates.
* When the receipt closes: rules that involve several tags, such as the
  supplier data of an item needing the agent flag 1222, or a correction's
  1173 and 1174.

Every rejection raises ``Refusal(Reason.INVALID_PARAMETER)``, which the Штрих-М
dialect sends as error 33h.
"""

from __future__ import annotations

import datetime as dt

from kktemu.fn_storage.identifiers import inn_is_valid
from kktemu.protocol.errors import DecodeError
from kktemu.protocol.ffd.forms import FfdVersion, stlv_content
from kktemu.protocol.ffd.schema import TagInfo, TlvType
from kktemu.protocol.ffd.tags import tag_info
from kktemu.protocol.ffd.tlv import join_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_fvln, decode_uint, decode_unixtime, decode_vln

from .refusals import Reason, Refusal
from .register_types import FN_OWN_TAGS

FFD_1_05 = int(FfdVersion.V1_05)
FFD_1_2 = int(FfdVersion.V1_2)
VERSION_NAMES = {FFD_1_05: "1.05", FFD_1_2: "1.2"}

Tlv = tuple[int, bytes]

# Children of 1059 that the register writes from the item command (80h..83h, FF46h).
# 2108 is also written by the register (ФФД 1.2, 0 = штуки), but FF4Dh may replace it once.
REGISTER_ITEM_TAGS = frozenset({1214, 1212, 1030, 1079, 1023, 1199, 1200, 1043})
MEASURE_TAG = 2108

# Receipt-level tags the register writes from its registration, the receipt and the payments.
REGISTER_RECEIPT_TAGS = frozenset({
    1209, 1048, 1042, 1038, 1054, 1055, 1059, 1020, 1031, 1081, 1215, 1216, 1217,
    1102, 1103, 1104, 1105, 1106, 1107,
})


def _host_item_tags_1_05() -> frozenset[int]:
    return frozenset(use.tag for use in stlv_content(1059, FFD_1_05) if use.electronic) - REGISTER_ITEM_TAGS


# ФФД 1.2 replaced 1162 (код товара, bytes) by the STLV 1163 and 1197 (единица измерения,
# text) by 2108 (мера количества, a code), and added the fractional quantity 1291 and the
# industry requisite 1260 to 1059.
ITEM_TAGS = {
    FFD_1_05: _host_item_tags_1_05(),
    FFD_1_2: (_host_item_tags_1_05() - {1162, 1197}) | {MEASURE_TAG, 1163, 1291, 1260},
}

# Tags that exist under one ФФД version only. ФФД 1.2 added receipt-level 1125 (Internet
# settlement), 1256 (buyer data, which contains 1227 and 1228), 1261 (industry requisite)
# and 1270 (operational requisite). It dropped 1177 from 1174.
VERSION_ONLY_TAGS = {
    FFD_1_05: frozenset({1162, 1197, 1177}),
    FFD_1_2: frozenset({MEASURE_TAG, 1163, 1291, 1260, 1125, 1256, 1261, 1270}),
}

# A correction receipt also takes 1173 (тип коррекции) and 1174 (основание для коррекции).
# ФФД 1.05 registers take the children of 1174 one by one as well, and the register
# wraps them into 1174 (javapos_shtrih FFD105Documents sends 1177, 1178 and 1179 so).
# ФФД 1.2 registers return error 33h for a loose 1178.
CORRECTION_ONLY_TAGS = frozenset({1173, 1174, 1177, 1178, 1179})
CORRECTION_BASIS_TAGS = (1177, 1178, 1179)

REPEATABLE_ITEM_TAGS = frozenset({1260})

# Children allowed inside each STLV a host may send, per version. Tables the
# dictionary has for ФФД 1.05 are read from it.
_PRODUCT_CODES = frozenset(range(1300, 1310)) | frozenset(range(1320, 1326))


def _children_1_05(tag: int) -> frozenset[int]:
    return frozenset(use.tag for use in stlv_content(tag, FFD_1_05))


STLV_CHILDREN: dict[tuple[int, int], frozenset[int]] = {
    (1174, FFD_1_05): frozenset({1177, 1178, 1179}),
    (1174, FFD_1_2): frozenset({1178, 1179}),
    (1163, FFD_1_2): _PRODUCT_CODES,
    (1256, FFD_1_2): frozenset({1227, 1228, 1243, 1244, 1245, 1246, 1254}),
    (1291, FFD_1_2): frozenset({1292, 1293, 1294}),
    (1260, FFD_1_2): frozenset({1262, 1263, 1264, 1265}),
    (1261, FFD_1_2): frozenset({1262, 1263, 1264, 1265}),
    (1270, FFD_1_2): frozenset({1271, 1272, 1273}),
    **{(tag, version): _children_1_05(tag) for tag in (1084, 1223, 1224) for version in (FFD_1_05, FFD_1_2)},
}
REPEATABLE_CHILDREN = frozenset(
    (tag, use.tag) for tag in (1223, 1224) for use in stlv_content(tag, FFD_1_05) if use.repeatable
)

# ИНН requisites a host may send: 12 characters, a 10-digit ИНН right-padded with two spaces.
INN_TAGS = frozenset({1016, 1203, 1226, 1228})
# A supplier without a Russian ИНН gets 1226 = "000000000000" (ФФД note to 1226), whose
# check digits are valid too.

# Реквизит 2108 мера количества, the ФФД 1.2 code list. The codes are 0 штука, 10 г,
# 11 кг, 12 т, 20 см, 21 дм, 22 м, 30 см², 31 дм², 32 м², 40 мл, 41 л, 42 м³, 50 кВт·ч,
# 51 Гкал, 70 сутки, 71 час, 72 минута, 73 секунда, 80 Кбайт, 81 Мбайт, 82 Гбайт,
# 83 Тбайт and 255 иные.
MEASURE_CODES = frozenset({0, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51,
                           70, 71, 72, 73, 80, 81, 82, 83, 255})
CODE_LISTS = {
    MEASURE_TAG: MEASURE_CODES,
    1173: frozenset({0, 1}),  # 0 самостоятельно, 1 по предписанию
    1125: frozenset({1}),
}


def reject(detail: str) -> Refusal:
    """Return the refusal for TLV data the register does not take (error 33h)."""
    return Refusal(Reason.INVALID_PARAMETER, detail)


def info_of(tag: int) -> TagInfo | None:
    """Return the dictionary entry of ``tag``, or None for a tag the dictionary lacks."""
    return tag_info(tag)


def parse_block(block: bytes) -> list[Tlv]:
    """Split a TLV block from FF0Ch or FF4Dh. Raises Refusal for a broken or empty block."""
    try:
        items = split_tlv(block)
    except DecodeError as exc:
        raise reject(f"TLV block: {exc}") from None
    if not items:
        raise reject("empty TLV block")
    own = sorted({tag for tag, _ in items} & FN_OWN_TAGS)
    if own:
        raise reject(f"tags {own} are written by the ФН itself")
    return items


def _version_error(tag: int, version: int, where: str) -> Refusal | None:
    """Return the refusal for a tag that only another ФФД version has, or None."""
    for other, tags in VERSION_ONLY_TAGS.items():
        if other != version and tag in tags:
            return reject(f"tag {tag} is not allowed in {where} under ФФД {VERSION_NAMES[version]}, "
                          f"only under ФФД {VERSION_NAMES[other]}")
    return None


def check_item_tlv(version: int, present: set[int], items: list[Tlv], *, format_check: bool,
                   now: dt.datetime) -> None:
    """Check TLVs that FF4Dh adds to an item's 1059 whose children are ``present``.

    Raises Refusal for a tag 1059 may not contain under ``version`` (a ФФД code),
    a tag already in the item or repeated in ``items``, or an invalid value.
    """
    seen = set(present)
    for tag, value in items:
        if tag in seen and tag not in REPEATABLE_ITEM_TAGS:
            raise reject(f"tag {tag} repeats in one 1059")
        if info_of(tag) is not None and tag not in ITEM_TAGS[version]:
            raise _version_error(tag, version, "1059") or reject(f"tag {tag} is not allowed in 1059")
        seen.add(tag)
        check_value(version, tag, value, format_check=format_check, now=now)


def check_receipt_tlv(version: int, correction: bool, items: list[Tlv], *, format_check: bool,
                      now: dt.datetime) -> None:
    """Check receipt-level TLVs (FF0Ch) of an open receipt, or a correction receipt.

    Raises Refusal for a tag the register writes itself, a tag of another ФФД
    version, a correction tag in a receipt (and under ФФД 1.2 a loose 1178 or
    1179), or an invalid value. Other tags, unknown ones included, pass.
    """
    for tag, value in items:
        _check_receipt_placement(version, correction, tag)
        check_value(version, tag, value, format_check=format_check, now=now)


def _check_receipt_placement(version: int, correction: bool, tag: int) -> None:
    where = "a correction receipt" if correction else "a receipt"
    if tag in REGISTER_RECEIPT_TAGS:
        raise reject(f"tag {tag} is written by the register from the receipt and its payments")
    refusal = _version_error(tag, version, where)
    if refusal is not None:
        raise refusal
    if not correction and tag in CORRECTION_ONLY_TAGS:
        raise reject(f"tag {tag} is allowed in correction receipts only")
    if version >= FFD_1_2 and tag in CORRECTION_BASIS_TAGS:
        raise reject(f"tag {tag} is allowed inside 1174 only under ФФД 1.2")


def check_pending_tlv(items: list[Tlv], *, format_check: bool, now: dt.datetime) -> None:
    """Check TLVs kept for the next document (FF0Ch with no receipt open).

    Only ИНН requisites and the date 1178 are checked here, because their format
    is the same in every document. The receipt they join checks the rest when it
    closes, and the ФН checks the data of other documents.
    """
    if not format_check:
        return
    for tag, value in items:
        if tag in INN_TAGS and not inn_field_is_valid(value):
            raise reject(f"tag {tag} {value!r} is not a 12-character ИНН with valid check digits")
        if tag == 1178:
            if len(value) != 4:
                raise reject(f"tag 1178 {value.hex(' ')} is not a 4-byte UnixTime")
            check_basis_date(value, now)


def check_value(version: int, tag: int, value: bytes, *, format_check: bool, now: dt.datetime) -> None:
    """Check one TLV value against the dictionary and, with ``format_check``, its format rules.

    Tags the dictionary lacks pass unchecked. Raises Refusal otherwise.
    """
    info = info_of(tag)
    if info is None:
        return
    if info.max_len is not None and len(value) > info.max_len:
        raise reject(f"tag {tag} is {len(value)} bytes, the maximum is {info.max_len}")
    if info.type is TlvType.STLV:
        _check_stlv(version, tag, value, format_check=format_check, now=now)
        return
    if not format_check:
        return
    if info.fixed_len and len(value) != info.max_len:
        raise reject(f"tag {tag} is {len(value)} bytes, it must be exactly {info.max_len}")
    if tag in INN_TAGS and not inn_field_is_valid(value):
        raise reject(f"tag {tag} {value!r} is not a 12-character ИНН with valid check digits")
    if tag in CODE_LISTS and decode_uint(value, len(value)) not in CODE_LISTS[tag]:
        raise reject(f"tag {tag} value {decode_uint(value, len(value))} is not in its code list")
    if tag == 1178:
        check_basis_date(value, now)


def check_basis_date(value: bytes, moment: dt.datetime) -> None:
    """Check the date of the corrected settlement (1178) against the document time ``moment``.

    The ФФД gives 1178 as a date whose time is always 00:00:00 and forbids a
    date later than the date of the correction receipt, so the day is compared
    and the time of day ignored. FF0Ch compares it with the register clock and
    the close with the document time, by this one rule, so a 1178 that FF0Ch
    takes stays valid at the close unless the clock is set back to an earlier
    day. Raises Refusal.
    """
    date = decode_unixtime(value)
    if date.date() > moment.date():
        raise reject(f"tag 1178 date {date:%d.%m.%Y} is later than the document date {moment:%d.%m.%Y}")


def _check_stlv(version: int, tag: int, value: bytes, *, format_check: bool, now: dt.datetime) -> None:
    try:
        children = split_tlv(value)
    except DecodeError as exc:
        raise reject(f"STLV {tag}: {exc}") from None
    if not children:
        raise reject(f"STLV {tag} is empty")
    allowed = STLV_CHILDREN.get((tag, version))
    seen: set[int] = set()
    for child, child_value in children:
        if allowed is not None and child not in allowed:
            raise reject(f"tag {child} is not allowed inside {tag} under ФФД {VERSION_NAMES[version]}")
        if child in seen and (tag, child) not in REPEATABLE_CHILDREN:
            raise reject(f"tag {child} repeats inside {tag}")
        seen.add(child)
        check_value(version, child, child_value, format_check=format_check, now=now)
    if tag == 1163 and len(children) != 1:
        raise reject(f"1163 contains {len(children)} product codes, expected exactly one")
    if tag == 1291:
        _check_fraction(dict(children))


def _check_fraction(children: dict[int, bytes]) -> None:
    if 1293 not in children or 1294 not in children:
        raise reject("1291 needs the numerator 1293 and the denominator 1294")
    numerator, denominator = decode_vln(children[1293]), decode_vln(children[1294])
    if not 0 < numerator < denominator:
        raise reject(f"1291 fraction {numerator}/{denominator} is not a proper fraction")


def inn_field_is_valid(value: bytes) -> bool:
    """Tell whether an ИНН requisite is 12 characters, 12 digits or 10 digits and two
    spaces, with valid check digits."""
    if len(value) != 12 or not value.isascii():
        return False
    digits = value.decode("ascii").rstrip(" ")
    return len(digits) in (10, 12) and digits.isdigit() and inn_is_valid(digits)


def check_item_at_close(children: list[Tlv]) -> None:
    """Check the rules between the children of one 1059 when the receipt closes. Raises Refusal."""
    tags = dict(children)
    # NOTE: javapos_shtrih users report 33h at the close after sending 1224 and 1226
    # without 1222 with FF4Dh. The agent flag is the most likely missing piece.
    if (1224 in tags or 1226 in tags) and 1222 not in tags:
        raise reject("an item with supplier data (1224, 1226) needs the agent flag 1222")
    if 1291 in tags and decode_fvln(tags[1023]) != 1:
        raise reject("an item with the fractional quantity 1291 must have quantity 1023 = 1")


def check_receipt_at_close(version: int, correction: bool, items: list[Tlv], *, registered_tags: set[int],
                           moment: dt.datetime) -> None:
    """Check the host's receipt-level TLVs of a receipt being closed. Raises Refusal.

    ``registered_tags`` are tags the register writes from its registration (1009
    and 1187 when the registration has them). ``moment`` is the document time.
    """
    for tag, _value in items:
        _check_receipt_placement(version, correction, tag)
    # A host may send 1009 and 1187 only when the registration left them out.
    overlap = sorted({tag for tag, _ in items} & registered_tags)
    if overlap:
        raise reject(f"tags {overlap} come from the registration and cannot be sent with the receipt")
    if correction:
        _check_correction(version, items, moment)


def _check_correction(version: int, items: list[Tlv], moment: dt.datetime) -> None:
    tags = dict(items)
    basis = dict(split_tlv(tags[1174])) if 1174 in tags else {}
    if 1178 in basis:
        check_basis_date(basis[1178], moment)
    if version < FFD_1_2:
        return
    if 1173 not in tags or 1174 not in tags:
        raise reject("a ФФД 1.2 correction receipt needs 1173 and 1174")
    if 1178 not in basis:
        raise reject("1174 needs the date 1178 of the corrected settlement")
    if tags[1173] == b"\x01" and 1179 not in basis:
        raise reject("a correction by order (1173 = 1) needs the order number 1179 in 1174")


def wrap_correction_basis(items: list[Tlv]) -> list[Tlv]:
    """Return ``items`` with loose 1177, 1178 and 1179 (ФФД 1.05) wrapped into one 1174.

    The 1174 takes the place of the first loose child, its children in ФФД order.
    Raises Refusal when the host sent a 1174 as well.
    """
    loose = {tag: value for tag, value in items if tag in CORRECTION_BASIS_TAGS}
    if not loose:
        return list(items)
    if any(tag == 1174 for tag, _ in items):
        raise reject(f"tags {sorted(loose)} are sent both loose and inside 1174")
    basis = join_tlv([(tag, loose[tag]) for tag in CORRECTION_BASIS_TAGS if tag in loose])
    result: list[Tlv] = []
    for tag, value in items:
        if tag not in CORRECTION_BASIS_TAGS:
            result.append((tag, value))
        elif all(existing != 1174 for existing, _ in result):
            result.append((1174, basis))
    return result
