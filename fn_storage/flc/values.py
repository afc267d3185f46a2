"""Checks of one TLV value: its length, its wire type and, where the ФФД lists them, its codes.

Lengths and types come from the tag dictionary (ФФД table 5). A value longer
than the tag's maximum is a ``max-length`` violation (10h), which the ФН
rejects even with the strict control off. The rest are ``fixed-length`` and
``value-format`` violations (18h).
"""

from __future__ import annotations

from ...protocol.ffd.schema import TagInfo, TlvType
from ...protocol.ffd.tags import tag_info
from ..identifiers import inn_is_valid
from .presence import FFD_1_2
from .violation import Rule, Violation

# ИНН requisites: 12 characters, a 10-digit ИНН followed by two spaces (the form
# real registers send, see shtrih-m/fr_drv_ng issue 229), with valid check digits.
INN_TAGS = frozenset({1016, 1017, 1018, 1203, 1226, 1228})
INN_LENGTH = 12

# Bitmasks of which a document may set only one bit: the taxation system of a
# receipt (ФФД table 6, note 3) and the agent flag of an item (table 7, note 2).
SINGLE_BIT_TAGS = frozenset({1055, 1222})
# Highest bit each bitmask may use: bits 6 and 7 of 1055 and 1062 are always 0
# (table 6, note 5), bit 7 of 1057 and 1222 is always 0 (table 7, note 3).
BITMASK_LIMITS = {1055: 0x3F, 1062: 0x3F, 1057: 0x7F, 1222: 0x7F}

# Code lists of the ФФД tables: 1054 признак расчёта (table 9), 1199 ставка НДС
# (table 8), 1214 признак способа расчёта (table 24), 1212 признак предмета
# расчёта (table 25, 1..26 in 1.05), 1101 reason of re-registration (table 17),
# 1173 тип коррекции (0 самостоятельно, 1 по предписанию), 1209 ФФД version
# (2 = 1.05, 3 = 1.1, 4 = 1.2).
# NOTE: later amendments add VAT rates (5 % and 7 %) that the dictionary lacks,
# together with their receipt tags, so the model rejects 1199 codes above 6.
# NOTE: the ФФД 1.2 code tables are not available as text. Under 1.2, 1212 is
# taken as 1..33 (33 marks goods with a marking code) and 2108 as the list that
# the register model accepts (kktemu.emulator.ffd_rules).
_CODES = {
    1054: frozenset(range(1, 5)),
    1199: frozenset(range(1, 7)),
    1214: frozenset(range(1, 8)),
    1212: frozenset(range(1, 27)),
    1101: frozenset(range(1, 5)),
    1173: frozenset({0, 1}),
    1209: frozenset({2, 3, 4}),
}
_CODES_1_2 = {
    **_CODES,
    1212: frozenset(range(1, 34)),
    2108: frozenset({0, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51,
                     70, 71, 72, 73, 80, 81, 82, 83, 255}),
}


def check_length(tag: int, value: bytes) -> Violation | None:
    """Return a ``max-length`` violation when ``value`` is longer than the dictionary allows."""
    info = tag_info(tag)
    if info is None or info.max_len is None or len(value) <= info.max_len:
        return None
    return Violation(Rule.MAX_LENGTH, tag, f"value is {len(value)} bytes, the maximum is {info.max_len}")


def check_value(tag: int, value: bytes, ffd_version: int) -> Violation | None:
    """Return the first format violation of one value, or None.

    Checks the fixed length, the wire type, ИНН requisites, bitmasks and code
    lists. Tags the dictionary lacks and STLVs (checked child by child) pass.
    """
    info = tag_info(tag)
    if info is None or info.type is TlvType.STLV:
        return None
    if info.fixed_len and len(value) != info.max_len:
        return Violation(Rule.FIXED_LENGTH, tag, f"value is {len(value)} bytes, it must be exactly {info.max_len}")
    return _check_format(info, value, ffd_version)


def _check_format(info: TagInfo, value: bytes, ffd_version: int) -> Violation | None:
    tag = info.tag
    if info.type is TlvType.FVLN and not value:
        return Violation(Rule.VALUE_FORMAT, tag, "FVLN value is empty, it needs at least the decimal point byte")
    if tag in INN_TAGS and not inn_field_is_valid(value):
        return Violation(Rule.VALUE_FORMAT, tag, f"{value!r} is not a 12-character ИНН with valid check digits")
    if info.type is TlvType.BYTE and len(value) == 1:
        return _check_byte(tag, value[0], ffd_version)
    return None


def _check_byte(tag: int, number: int, ffd_version: int) -> Violation | None:
    codes = (_CODES_1_2 if ffd_version >= FFD_1_2 else _CODES).get(tag)
    if codes is not None and number not in codes:
        return Violation(Rule.VALUE_FORMAT, tag, f"value {number} is not in the ФФД code list of the tag")
    limit = BITMASK_LIMITS.get(tag)
    if limit is not None and number & ~limit:
        return Violation(Rule.VALUE_FORMAT, tag, f"bits {number:#04x} go past the mask {limit:#04x}")
    if tag in SINGLE_BIT_TAGS and bin(number).count("1") != 1:
        return Violation(Rule.VALUE_FORMAT, tag, f"value {number:#04x} must set exactly one bit")
    return None


def inn_field_is_valid(value: bytes) -> bool:
    """Tell whether an ИНН requisite is 12 digits, or 10 digits and two spaces, with valid check digits."""
    if len(value) != INN_LENGTH or not value.isascii():
        return False
    digits = value.decode("ascii").rstrip(" ")
    return len(digits) in (10, 12) and digits.isdigit() and inn_is_valid(digits)
