"""Which children each STLV may and must contain, per ФФД version.

The ФФД 1.05 children of 1059, 1223, 1224, 1174 and 1084 come from the
official tables (the dictionary's ``STLV_CONTENT``). A child that is not
marked repeatable may occur once per parent, so one 1059 contains at most one
1079, one 1023 and so on.

NOTE: the ФФД 1.2 tables are not available as text. The 1.2 children below
follow the ФФД 1.2 changes as registers and ОФД apply them: 1162 and 1197 left
1059 for 1163 and 2108, which came with 1291, 1260, 2102, 2106 and 2115; and
1256, 1163, 1291, 1260, 1261 and 1270 are new STLVs.
"""

from __future__ import annotations

from ...protocol.ffd.forms import stlv_content
from .presence import FFD_1_05, FFD_1_2, table_version

_PRODUCT_CODES = frozenset(range(1300, 1310)) | frozenset(range(1320, 1326))
_INDUSTRY = frozenset({1262, 1263, 1264, 1265})


def _table(tag: int) -> frozenset[int]:
    return frozenset(use.tag for use in stlv_content(tag, FFD_1_05))


def _repeatable(tag: int) -> frozenset[int]:
    return frozenset(use.tag for use in stlv_content(tag, FFD_1_05) if use.repeatable)


def _mandatory(tag: int) -> frozenset[int]:
    return frozenset(use.tag for use in stlv_content(tag, FFD_1_05) if use.obligation == 1)


_ITEM_1_05 = _table(1059)
_ITEM_1_2 = (_ITEM_1_05 - {1162, 1197}) | {2108, 1163, 1291, 1260, 2102, 2106, 2115}

# NOTE: the 1.05 table of 1174 lists 1178 and 1179 only. 1177 (the name of the
# basis) is allowed as well, because ФФД 1.05 registers send it (javapos_shtrih
# FFD105Documents does); ФФД 1.2 dropped it.
CHILDREN = {
    (FFD_1_05, 1059): _ITEM_1_05,
    (FFD_1_2, 1059): _ITEM_1_2,
    (FFD_1_05, 1174): _table(1174) | {1177},
    (FFD_1_2, 1174): _table(1174),
    **{(version, tag): _table(tag) for tag in (1223, 1224, 1084, 1068) for version in (FFD_1_05, FFD_1_2)},
    (FFD_1_2, 1163): _PRODUCT_CODES,
    (FFD_1_2, 1256): frozenset({1227, 1228, 1243, 1244, 1245, 1246, 1254}),
    (FFD_1_2, 1291): frozenset({1292, 1293, 1294}),
    (FFD_1_2, 1260): _INDUSTRY,
    (FFD_1_2, 1261): _INDUSTRY,
    (FFD_1_2, 1270): frozenset({1271, 1272, 1273}),
}

REPEATABLE = {
    **{(version, tag): _repeatable(tag) for tag in (1223, 1224) for version in (FFD_1_05, FFD_1_2)},
    (FFD_1_2, 1059): frozenset({1260}),
}

# Children the register must send. 1043 is the one obligation-1 child of 1059.
# ФФД 1.2 needs the date 1178 in 1174, and the order number 1179 for a
# correction by order (see ``dates``). 1291 is a fraction, meaningless without
# its numerator and denominator.
# NOTE: the 1.05 table gives 1179 obligation 1 inside 1174. ФФД 1.05 registers
# send a basis of 1177 and 1178 alone for a correction made on the user's own
# initiative, so the ФН model demands no child of a 1.05 1174.
MANDATORY = {
    (FFD_1_05, 1059): _mandatory(1059),
    (FFD_1_2, 1059): _mandatory(1059),
    (FFD_1_2, 1174): frozenset({1178}),
    (FFD_1_2, 1291): frozenset({1293, 1294}),
}

# STLVs that contain exactly one child: 1163 carries one product code.
SINGLE_CHILD = {(FFD_1_2, 1163)}


def allowed_children(parent: int, ffd_version: int) -> frozenset[int] | None:
    """Return the children ``parent`` may contain, or None when no table limits them."""
    return CHILDREN.get((table_version(ffd_version), parent))


def repeatable_children(parent: int, ffd_version: int) -> frozenset[int]:
    """Return the children that may occur more than once inside one ``parent``."""
    return REPEATABLE.get((table_version(ffd_version), parent), frozenset())


def mandatory_children(parent: int, ffd_version: int) -> frozenset[int]:
    """Return the children every ``parent`` must contain."""
    return MANDATORY.get((table_version(ffd_version), parent), frozenset())


def single_child(parent: int, ffd_version: int) -> bool:
    """Tell whether ``parent`` must contain exactly one child."""
    return (table_version(ffd_version), parent) in SINGLE_CHILD
