"""One emulated register assembled: ФН archive file, register model and Штрих-М dialect.

``Emulator`` is what ``kktemu serve`` runs and what tests start in-process. It
opens the ФН archive at ``fn_path`` (continuing its numbering) or creates a
fresh test ФН there, which the register then registers by itself unless the
host is to register it.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path

from kktemu.fn_storage import DEFAULT_MASTER_KEY, FiscalStorage
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.fn_storage.profile import DEFAULT_PROFILE, FnProfile

from .clock import Clock
from .dialects.shtrih import ShtrihDialect
from .document_watch import DocumentWatch
from .fn_client import FnClient
from .memory import RegisterMemory, memory_path
from .profiles import SHTRIH_M_01F, DeviceProfile
from .register import Register

logger = logging.getLogger(__name__)


class Emulator:
    """A register with its ФН, ready to execute Штрих-М command bodies.

    ``fn_serial`` names a new ФН (``9999078900`` and six digits); when omitted a
    random test serial is chosen. It is ignored for an existing archive.
    ``clock`` is shared by the register and the ФН timer; ``fn_profile`` gives
    the ФН model's figures (validity, archive capacity, ...). A new
    ФН is registered at once unless ``register_fresh_fn`` is False; the host
    then registers it with FF05h and FF06h. Raises
    ``ArchiveError`` when ``fn_path`` exists but is not a valid kktemu ФН archive,
    and ``MemoryJournalError`` when the register memory journal beside it exists
    but cannot be read. A failed start leaves no file open or locked.

    ``lock`` is held while a command executes; the ОФД link (``ofd_link``) holds
    it around its own ФН commands. ``fn_watch`` is the ФН port the register
    calls, which tells its listeners when a fiscal document has been formed.
    """

    def __init__(self, fn_path: str | Path, *, profile: DeviceProfile = SHTRIH_M_01F,
                 clock: Clock | None = None, master_key: bytes = DEFAULT_MASTER_KEY,
                 fn_serial: str | None = None, register_fresh_fn: bool = True,
                 fn_profile: FnProfile = DEFAULT_PROFILE):
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.fn_path = Path(fn_path)
        if self.fn_path.exists():
            self.storage = FiscalStorage.open(self.fn_path, self.clock, master_key=master_key, profile=fn_profile)
            logger.info("opened ФН %s from %s", self.storage.serial, self.fn_path)
        else:
            serial = fn_serial or make_test_fn_serial(secrets.randbelow(1_000_000))
            self.storage = FiscalStorage.create(self.fn_path, serial, self.clock, master_key=master_key,
                                                profile=fn_profile)
            logger.info("created test ФН %s in %s", serial, self.fn_path)
        try:
            self.memory = RegisterMemory.load(memory_path(self.fn_path), self.storage.serial)
        except BaseException:
            self.storage.close()  # releases the archive lock, so the next start can open it
            raise
        self.fn_watch = DocumentWatch(self.storage)
        try:
            self.register = Register.start(FnClient(self.fn_watch), self.clock, profile, self.memory,
                                           register_fresh_fn=register_fresh_fn)
        except BaseException:
            self.memory.close()
            self.storage.close()
            raise
        self.dialect = ShtrihDialect(self.register)

    @property
    def fn_serial(self) -> str:
        """The 16-digit ФН number."""
        return self.storage.serial

    def execute(self, body: bytes) -> bytes:
        """Execute one Штрих-М command body and return the answer body. Safe to call from any thread."""
        with self.lock:
            return self.dialect.execute(body)

    def close(self) -> None:
        """Close the register memory and the ФН archive file."""
        self.memory.close()
        self.storage.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
