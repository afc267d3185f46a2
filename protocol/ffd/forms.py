"""ФФД document forms: codes, names, content per FFD version and size limits."""

from __future__ import annotations

import enum

from .schema import FormInfo, TagUse
from .tag_table import FORM_CONTENT, FORMS, STLV_CONTENT


class FfdVersion(enum.IntEnum):
    """FFD version codes, the values of tags 1209, 1189 and 1190."""

    V1_0 = 1
    V1_05 = 2
    V1_1 = 3
    V1_2 = 4


class FormCode(enum.IntEnum):
    """Document form codes: the tag of the document STLV (ФФД table 11)."""

    REGISTRATION = 1
    REGISTRATION_CHANGE = 11
    OPEN_SHIFT = 2
    SETTLEMENT_STATE = 21
    RECEIPT = 3
    CORRECTION_RECEIPT = 31
    BSO = 4
    CORRECTION_BSO = 41
    CLOSE_SHIFT = 5
    CLOSE_FN = 6
    OPERATOR_CONFIRMATION = 7
    MARKING_REQUEST = 81
    MARKING_NOTIFICATION = 82
    MARKING_ANSWER = 83
    NOTIFICATION_RECEIPT = 84


_RECEIPT_FORMS = frozenset({3, 31, 4, 41})


def form_info(code: int) -> FormInfo | None:
    """Return the names of form ``code``, or None for a code the ФФД does not define."""
    return FORMS.get(code)


def form_name(code: int, lang: str = "en") -> str | None:
    """Return the full name of form ``code`` in ``lang`` ("en" or "ru"), or None if unknown."""
    info = FORMS.get(code)
    if info is None:
        return None
    return info.name_ru if lang == "ru" else info.name_en


def form_content(code: int, ffd_version: int) -> tuple[TagUse, ...] | None:
    """Return the tags form ``code`` may contain under ``ffd_version``, in table order.

    Returns None when the dictionary has no table for that form and version:
    only FFD 1.05 tables are available (see ``tag_table``).
    """
    return FORM_CONTENT.get(ffd_version, {}).get(code)


def stlv_content(tag: int, ffd_version: int) -> tuple[TagUse, ...] | None:
    """Return the child tags of STLV ``tag`` under ``ffd_version``, or None without a table.

    FFD 1.05 tables exist for 1059, 1223, 1224, 1174, 1068 and 1084.
    """
    return STLV_CONTENT.get(ffd_version, {}).get(tag)


def max_document_size(code: int, ffd_version: int) -> int:
    """Return the maximum length in bytes of the document data of form ``code``.

    The limits are the notes to ФФД table 11. FFD 1.0-1.1: receipts, БСО and
    their corrections 32768, the operator confirmation 512, every other form
    4096. FFD 1.2 raises registration reports to 6144. It also puts the marked
    goods notification (82) in the 32768 group, and the marking code request
    response (83) and the notification receipt (84) in the 512 group.
    """
    if code == FormCode.OPERATOR_CONFIRMATION:
        return 512
    if code in _RECEIPT_FORMS:
        return 32768
    if ffd_version >= FfdVersion.V1_2:
        if code in (FormCode.REGISTRATION, FormCode.REGISTRATION_CHANGE):
            return 6144
        if code == FormCode.MARKING_NOTIFICATION:
            return 32768
        if code in (FormCode.MARKING_ANSWER, FormCode.NOTIFICATION_RECEIPT):
            return 512
    return 4096
