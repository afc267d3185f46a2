"""The optional DATE_TIME at the end of answers of commands that form a ФД.

With table 17 field 36 «RUS РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД» set (the
register's ``receipt_settings.extended_document_answers``), the vendor spec
v1.17 appends the document's date and time to the answers of FF06h, FF09h,
FF34h, FF36h, FF38h, FF3Eh, FF43h, FF45h and FF4Ah. Every handler takes the
tail from here, so one setting decides all of them.
"""

from __future__ import annotations

import datetime as dt


def document_time(dialect, moment: dt.datetime | None = None) -> dt.datetime | None:
    """Return the DATE_TIME tail of an answer, or None while the extended answers are off.

    ``moment`` is the document's DATE_TIME (реквизит 1012). When it is None the
    tail is the time of the last document in the ФН (30h), which is the
    document the command has just formed.
    """
    if not dialect.register.receipt_settings.extended_document_answers:
        return None
    if moment is not None:
        return moment
    return dialect.register.fn.status().last_document_time
