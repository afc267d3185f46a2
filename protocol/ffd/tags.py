"""Look-ups in the ФФД tag dictionary.

The dictionary itself is the generated ``tag_table`` module; this module is the
stable way to read it.
"""

from __future__ import annotations

from .schema import TagInfo, TlvType
from .tag_table import TAGS

# VLN tags that hold sums of money in kopecks. The other VLN tags, 1293 and
# 1294, are the numerator and denominator of a fractional quantity.
MONEY_TAGS: frozenset[int] = frozenset({
    1020, 1031, 1043, 1079, 1081,
    1102, 1103, 1104, 1105, 1106, 1107,
    1136, 1138, 1139, 1140, 1141, 1142, 1143,
    1183, 1198, 1200, 1201,
    1215, 1216, 1217, 1218, 1219, 1220,
    1229,
})

# Tag of the 6-byte fiscal sign of a document (ФПД).
FISCAL_SIGN_TAG = 1077


def tag_info(tag: int) -> TagInfo | None:
    """Return the dictionary entry of ``tag``, or None for a tag the dictionary lacks."""
    return TAGS.get(tag)


def known_tags() -> frozenset[int]:
    """Return every tag the dictionary defines."""
    return frozenset(TAGS)


def is_money(tag: int) -> bool:
    """Tell whether ``tag`` is a VLN sum of money in kopecks."""
    return tag in MONEY_TAGS


def is_stlv(tag: int) -> bool:
    """Tell whether ``tag`` is a known STLV (its value is a list of TLVs)."""
    info = TAGS.get(tag)
    return info is not None and info.type is TlvType.STLV
