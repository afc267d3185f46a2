"""Which tags a document of each form may and must contain, per ФФД version.

The ФФД 1.05 tables come from the official format tables (the dictionary's
``FORM_CONTENT``). A tag of a form's table is allowed whether the table marks
it for the electronic or the printed form, because registers send print-only
tags such as 1009 and 1187 in some reports. A tag is mandatory when the table
gives it obligation 1 in the electronic form, except for the tags the ФН
writes itself: its own block (1041, 1037, 1018, 1040, 1012, 1077) and what it
appends to close shift and settlement reports.

NOTE: the ФФД 1.2 form tables are not available as text. The 1.2 sets below
are the 1.05 sets changed by what the ФФД 1.2 changes are known to be (see
``_ADDED_1_2`` and ``_REMOVED_1_2``); ФФД 1.1 uses the 1.05 sets.
"""

from __future__ import annotations

from ...protocol.ffd.forms import form_content
from ...protocol.ffd.tags import tag_info

FFD_1_05 = 2
FFD_1_1 = 3
FFD_1_2 = 4

FORM_REGISTRATION = 1
FORM_REREGISTRATION = 11
FORM_OPEN_SHIFT = 2
FORM_SETTLEMENT_REPORT = 21
FORM_RECEIPT = 3
FORM_BSO = 4
FORM_CORRECTION = 31
FORM_CORRECTION_BSO = 41
FORM_CLOSE_SHIFT = 5
FORM_CLOSE_FISCAL_MODE = 6
RECEIPT_FORMS = frozenset({FORM_RECEIPT, FORM_BSO, FORM_CORRECTION, FORM_CORRECTION_BSO})
CORRECTION_FORMS = frozenset({FORM_CORRECTION, FORM_CORRECTION_BSO})
REGISTRATION_FORMS = frozenset({FORM_REGISTRATION, FORM_REREGISTRATION})
CONTROLLED_FORMS = frozenset({
    FORM_REGISTRATION, FORM_REREGISTRATION, FORM_OPEN_SHIFT, FORM_SETTLEMENT_REPORT,
    FORM_CLOSE_SHIFT, FORM_CLOSE_FISCAL_MODE,
}) | RECEIPT_FORMS

FN_BLOCK_TAGS = frozenset({1041, 1037, 1018, 1040, 1012, 1077})
FN_APPENDED_TAGS = {
    FORM_CLOSE_SHIFT: frozenset({1111, 1118, 1097, 1098, 1194, 1157, 1158}),
    FORM_SETTLEMENT_REPORT: frozenset({1116, 1097, 1098}),
}

# ФФД 1.2 changes to the top level of each form. Every report gained its pair of
# additional requisites (1274/1275 ОР, 1276/1277 ООС, 1278/1279 ОЗС, 1280/1281
# ОТР, 1282/1283 ОЗФН). The registration reports gained 1290 (conditions of use)
# and a re-registration gives its reasons as the bitmask 1205 instead of 1101.
# Receipts gained 1125 (Internet settlement), 1256 (buyer data), 1261 (industry
# requisite), 1270 (operational requisite) and 2107 (check results of marked goods).
_RECEIPT_ADDED_1_2 = frozenset({1125, 1256, 1261, 1270, 2107})
_ADDED_1_2 = {
    FORM_REGISTRATION: frozenset({1290, 1274, 1275}),
    FORM_REREGISTRATION: frozenset({1290, 1274, 1275, 1205}),
    FORM_OPEN_SHIFT: frozenset({1276, 1277}),
    FORM_CLOSE_SHIFT: frozenset({1278, 1279}),
    FORM_SETTLEMENT_REPORT: frozenset({1280, 1281}),
    FORM_CLOSE_FISCAL_MODE: frozenset({1282, 1283}),
    **{form: _RECEIPT_ADDED_1_2 for form in RECEIPT_FORMS},
}
_REMOVED_1_2 = {FORM_REREGISTRATION: frozenset({1101})}
# NOTE: the 1.05 table makes the correction basis 1174 mandatory, but the
# Штрих-М correction commands of the ФФД 1.05 era (8Eh, FF36h) carry no basis, and
# the register model forms 1.05 corrections without one. The ФН model accepts them.
_NOT_MANDATORY_1_05 = {form: frozenset({1174}) for form in CORRECTION_FORMS}
# The flags 1221, 1110 and 1108 of a 1.05 registration are bits of 1290 under
# ФФД 1.2, so they are no longer mandatory there. A ФФД 1.2 correction receipt
# must give its type 1173.
_NOT_MANDATORY_1_2 = {form: frozenset({1221, 1110, 1108}) for form in REGISTRATION_FORMS}
_MANDATORY_1_2 = {form: frozenset({1173}) for form in CORRECTION_FORMS}


def table_version(ffd_version: int) -> int:
    """Return the ФФД version whose tables control documents of ``ffd_version``."""
    return FFD_1_2 if ffd_version >= FFD_1_2 else FFD_1_05


def allowed_tags(form: int, ffd_version: int) -> frozenset[int]:
    """Return the top-level tags a document of ``form`` may contain under ``ffd_version``.

    Raises KeyError for a form without a table (7, 81..84 are not formed from register data).
    """
    return _ALLOWED[table_version(ffd_version), form]


def mandatory_tags(form: int, ffd_version: int) -> frozenset[int]:
    """Return the top-level tags the register must send in a document of ``form``."""
    return _MANDATORY[table_version(ffd_version), form]


def repeatable_tags(form: int, ffd_version: int) -> frozenset[int]:
    """Return the top-level tags that may occur more than once in a document of ``form``."""
    return _REPEATABLE[table_version(ffd_version), form]


def is_known(tag: int) -> bool:
    """Tell whether the dictionary defines ``tag``.

    NOTE: the control lets tags the dictionary lacks pass wherever they are,
    because the dictionary has no entry for tags that later ФФД amendments added.
    """
    return tag_info(tag) is not None


def _build() -> tuple[dict, dict, dict]:
    allowed, mandatory, repeatable = {}, {}, {}
    fn_written = {form: FN_BLOCK_TAGS | FN_APPENDED_TAGS.get(form, frozenset()) for form in CONTROLLED_FORMS}
    for form in CONTROLLED_FORMS:
        uses = form_content(form, FFD_1_05)
        tags = frozenset(use.tag for use in uses)
        required = frozenset(use.tag for use in uses if use.obligation == 1 and use.electronic) - fn_written[form]
        repeats = frozenset(use.tag for use in uses if use.repeatable)
        allowed[FFD_1_05, form] = tags
        mandatory[FFD_1_05, form] = required - _NOT_MANDATORY_1_05.get(form, frozenset())
        repeatable[FFD_1_05, form] = repeats
        added = _ADDED_1_2.get(form, frozenset())
        removed = _REMOVED_1_2.get(form, frozenset())
        allowed[FFD_1_2, form] = (tags | added) - removed
        mandatory[FFD_1_2, form] = (
            (required - removed - _NOT_MANDATORY_1_2.get(form, frozenset())) | _MANDATORY_1_2.get(form, frozenset())
        )
        repeatable[FFD_1_2, form] = repeats - removed
    return allowed, mandatory, repeatable


_ALLOWED, _MANDATORY, _REPEATABLE = _build()
