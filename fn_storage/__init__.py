"""The fiscal storage module (ФН) as a state machine driven only by ФН interface commands.

* ``storage`` — ``FiscalStorage``: create or open a ФН, ``execute(command, data)``.
* ``archive_file`` — the archive file (the "fiscal storage dump"): ``read_archive``.
* ``signing`` — the fiscal sign imitation and ``verify_document``.
* ``counters`` — shift and lifetime totals (tags 1194 and 1157).
* ``identifiers`` — РНМ check value, ИНН check digits, test ФН serials.
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
