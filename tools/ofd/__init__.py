"""The mock ОФД: a server of the ККТ↔ОФД protocol for tests and demonstrations.

* ``server`` — ``MockOfd``, the asyncio TCP server.
* ``intake`` — the checks of an incoming message.
* ``faults`` — rejection, delay, dropped connection and no answer, for tests.
* ``store`` — arrivals kept in memory or in a store directory.

The click commands (``kktemu ofd serve``, ``kktemu ofd documents``) are in
``tools/ofd_cli.py``; docs/ofd-mock.md describes the behaviour.
"""

from .faults import Fault, FaultError, Faults
from .intake import InvalidMessage, ReceivedDocument, check_signs, parse_message
from .server import DEFAULT_OFD_INN, MockOfd, utc_now
from .store import (
    DirectoryStore,
    MemoryStore,
    Result,
    StoredDocument,
    StoreError,
    StoreLockedError,
    read_store,
)

__all__ = [
    "DEFAULT_OFD_INN",
    "DirectoryStore",
    "Fault",
    "FaultError",
    "Faults",
    "InvalidMessage",
    "MemoryStore",
    "MockOfd",
    "ReceivedDocument",
    "Result",
    "StoreError",
    "StoreLockedError",
    "StoredDocument",
    "check_signs",
    "parse_message",
    "read_store",
    "utc_now",
]
