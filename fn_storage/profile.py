"""Model parameters of one ФН: validity, archive capacity, ФФД support and firmware type.

Real ФН models differ in these figures, and the interface description fixes
none of them, so ``FiscalStorage.create`` and ``FiscalStorage.open`` take an
``FnProfile``. The archive file does not store the profile: open an archive
with the profile it was created with, or the validity and capacity rules change.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .errors import InvalidArgumentError
from .identifiers import TEST_FN_PREFIX

VALIDITY_MONTHS = (13, 15, 36)
FFD_1_05 = 2
FFD_1_1 = 3
FFD_1_2 = 4
FFD_VERSIONS = (FFD_1_05, FFD_1_1, FFD_1_2)


@dataclass(frozen=True)
class FnProfile:
    """Figures of one ФН model.

    * ``validity_months``: validity of the fiscal sign keys, 13, 15 or 36
      months, counted from the first registration report of the archive.
    * ``archive_capacity``: number of fiscal documents the archive holds. The
      last two places are kept for a close shift report and the report on
      closing the fiscal mode.
    * ``thirty_day_area_kb``: size of the area that keeps the documents of the
      last 30 days (3Dh).
    * ``max_ffd_version``: the highest ФФД version (1209 code: 2 = 1.05,
      3 = 1.1, 4 = 1.2) a registration may choose; 3Ah reports it.
    * ``debug``: firmware type of 33h. A debug ФН accepts the reset 60h. None
      means "debug when the serial starts with the test prefix 9999078900".
    * ``strict_control``: format-logical control of document data on (True)
      or off, for clients that must send unusual documents.
    * ``ofd_timeout``: age of the oldest document without a квитанция that
      raises warning flag b3 and реквизит 1053. The ФФД tables give two days.
    * ``close_requires_confirmed``: refuse to begin closing the fiscal mode
      (04h, result 02h) while a document waits for its квитанция, as the ФФД
      tables require of a register in the data transmission mode.
    * ``max_registrations``: registration and re-registration reports one ФН
      accepts (32h reports the rest).
    * ``max_items``: the most items (1059) one receipt may carry; one more
      in 07h is refused with 0Eh «превышено количество позиций». None leaves
      only the 30 KB data budget of a receipt as the limit. NOTE: the
      interface description gives no figure for real ФН models.
    * ``strict_ofd``: refuse a квитанция without ФПО (1078) or with a container
      header ФД number that differs from its 1040 (26h, result 20h). Off by
      default, so mock ОФД servers without the operator's signing key work.

    Raises InvalidArgumentError for values no ФН model has.
    """

    validity_months: int = 36
    archive_capacity: int = 250_000
    thirty_day_area_kb: int = 1024
    max_ffd_version: int = FFD_1_2
    debug: bool | None = None
    strict_control: bool = True
    ofd_timeout: _dt.timedelta = _dt.timedelta(days=2)
    close_requires_confirmed: bool = False
    max_registrations: int = 30
    strict_ofd: bool = False
    max_items: int | None = None

    def __post_init__(self) -> None:
        if self.validity_months not in VALIDITY_MONTHS:
            raise InvalidArgumentError(
                f"ФН validity of {self.validity_months} months is not one of {VALIDITY_MONTHS}")
        if self.archive_capacity < 3:
            raise InvalidArgumentError(
                f"archive capacity {self.archive_capacity} is below 3 documents"
                " (two places are kept for the close shift and close fiscal mode reports)")
        if self.thirty_day_area_kb < 1:
            raise InvalidArgumentError(f"30-day area of {self.thirty_day_area_kb} KB is below 1 KB")
        if self.max_ffd_version not in FFD_VERSIONS:
            raise InvalidArgumentError(
                f"ФФД version code {self.max_ffd_version} is not one of {FFD_VERSIONS} (1.05, 1.1, 1.2)")
        if self.ofd_timeout <= _dt.timedelta(0):
            raise InvalidArgumentError(f"ОФД timeout {self.ofd_timeout} is not positive")
        if self.max_items is not None and self.max_items < 1:
            raise InvalidArgumentError(f"a limit of {self.max_items} items per receipt is below 1")
        if not 1 <= self.max_registrations <= 0xFF:
            raise InvalidArgumentError(f"{self.max_registrations} registrations do not fit 1..255")

    def is_debug(self, serial: str) -> bool:
        """Tell whether the ФН with ``serial`` runs debug firmware (33h type 0, 60h allowed)."""
        if self.debug is not None:
            return self.debug
        return serial.startswith(TEST_FN_PREFIX)


DEFAULT_PROFILE = FnProfile()
