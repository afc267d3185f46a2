"""The correction basis of correction receipts: the date 1178 and, under ФФД 1.2, the order number.

The ФФД gives 1178 «дата совершения корректируемого расчёта» as a date (time
00:00) that may not be later than the date of the correction receipt, so the
days are compared and the time of day is ignored. Under ФФД 1.2 a correction by
order (1173 = 1) names the order in 1179.
"""

from __future__ import annotations

import datetime as _dt

from ...protocol.ffd.values import decode_unixtime
from .presence import FFD_1_2
from .tree import Node
from .violation import Rule, Violation

TAG_CORRECTION_TYPE = 1173
TAG_BASIS = 1174
TAG_BASIS_DATE = 1178
TAG_ORDER_NUMBER = 1179
BY_ORDER = b"\x01"


def check_basis(nodes: list[Node], moment: _dt.datetime, ffd_version: int) -> Violation | None:
    """Check the 1174 of a correction receipt dated ``moment`` (the document's date and time)."""
    for node in nodes:
        if node.tag != TAG_BASIS:
            continue
        date = node.child(TAG_BASIS_DATE)
        if date is not None and len(date) == 4 and decode_unixtime(date).date() > moment.date():
            return Violation(Rule.CORRECTION_DATE, TAG_BASIS_DATE,
                             f"{decode_unixtime(date):%d.%m.%Y} is later than the document date {moment:%d.%m.%Y}")
        by_order = any(other.tag == TAG_CORRECTION_TYPE and other.value == BY_ORDER for other in nodes)
        if ffd_version >= FFD_1_2 and by_order and node.child(TAG_ORDER_NUMBER) is None:
            return Violation(Rule.TAG_MISSING, TAG_ORDER_NUMBER, "a correction by order (1173 = 1) needs 1179 in 1174")
    return None
