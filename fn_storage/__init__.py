"""The fiscal storage module (ФН) as a state machine driven only by ФН interface commands.

* ``storage`` — ``FiscalStorage``: create or open a ФН, ``execute(command, data)``.
* ``archive_file`` — the archive file (the "fiscal storage dump"): ``read_archive``.
* ``signing`` — the fiscal sign imitation and ``verify_document``.
* ``counters`` — shift and lifetime totals (tags 1194 and 1157).
* ``identifiers`` — РНМ check value, ИНН check digits, test ФН serials.
* ``exchange`` — the ОФД exchange 20h..26h, the message for the ОФД, the 30-day rule.
* ``ticket_check`` and ``tickets`` — the checks of a квитанция and its archive record.
* ``ofd_operator`` — the ОФД side: ``confirm_message`` answers a ФН message with a квитанция.
"""

from .archive_file import ArchiveContents, ArchivedDocument, ArchiveHeader, read_archive
from .errors import ArchiveError, ArchiveLockedError, InvalidArgumentError
from .signing import DEFAULT_MASTER_KEY, derive_fn_key, verify_document
from .storage import FiscalStorage

__all__ = [
    "DEFAULT_MASTER_KEY",
    "ArchiveContents",
    "ArchiveError",
    "ArchiveLockedError",
    "ArchiveHeader",
    "ArchivedDocument",
    "FiscalStorage",
    "InvalidArgumentError",
    "derive_fn_key",
    "read_archive",
    "verify_document",
]
