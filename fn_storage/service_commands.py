"""Resource rules of the ФН model and the service commands built on them (3Ah, 3Bh, 60h).

``FiscalStorage`` mixes ``ServiceCommands`` in. It computes the warning flags
of 30h (which also set bit 7 of every answer), checks each document about to
be formed against the validity, the archive places and the 30-day area (see
``resources``), and answers:

* 3Ah «Запрос версии ФФД»: the ФФД version of the latest registration and the
  highest version the profile supports, as 1209 codes (2 = 1.05, 3 = 1.1,
  4 = 1.2). Before registration the current version reads 1.05.
* 3Bh «Запрос оставшегося срока действия»: whole days from the ККТ's date in
  the request to the expiry date, in the fiscal and post-fiscal modes only
  (02h otherwise, as before registration no validity runs).
* 60h «Сброс состояния ФН» with code 16h: a debug ФН (``FnProfile.is_debug``)
  empties its archive file down to the header and returns to phase 1, FD
  numbers starting at 1 again. A serial ФН does not know the command and
  answers 01h, as does a debug ФН for any other code.
"""

from __future__ import annotations

import logging

from ..protocol.fn.codes import FnCommand, FnResult
from ..protocol.fn.service import (
    DaysLeftAnswer,
    FfdVersionAnswer,
    FnPhase,
    FnWarning,
    ResetStateRequest,
)
from .archive_file import HEADER_SIZE
from .last_errors import LastErrors
from .resources import (
    DocumentRefused,
    Validity,
    archive_nearly_full,
    archive_over_99_percent,
    ofd_timed_out,
    places_kept,
    recent_bytes,
)
from .state import (
    FORM_CLOSE_FISCAL_MODE,
    FORM_CLOSE_SHIFT,
    FORM_OPEN_SHIFT,
    FORM_REGISTRATION,
    FORM_REREGISTRATION,
    FORM_SETTLEMENT_REPORT,
    RECEIPT_FORMS,
    FnState,
)

logger = logging.getLogger(__name__)

# Documents the 30-day area must have room for: the interface description lists 14h for 12h, 14h and 16h.
AREA_CHECKED_FORMS = frozenset({FORM_OPEN_SHIFT, FORM_CLOSE_SHIFT, *RECEIPT_FORMS})
VALIDITY_PHASES = (FnPhase.FISCAL_MODE, FnPhase.POST_FISCAL_MODE)
OFD_WAITING_PHASES = (FnPhase.FISCAL_MODE, FnPhase.POST_FISCAL_MODE)


class ServiceCommands:
    """Resource rules and the handlers of 3Ah, 3Bh and 60h; mixed into ``FiscalStorage``."""

    def service_handlers(self) -> dict:
        """Map 3Ah, 3Bh and 60h to their handlers."""
        return {
            FnCommand.GET_FFD_VERSION: self._ffd_version,
            FnCommand.GET_DAYS_LEFT: self._days_left,
            FnCommand.RESET_STATE: self._reset_state,
        }

    def validity(self) -> Validity | None:
        """Validity of the fiscal sign keys, or None before the first registration."""
        start = self._state.validity_start
        return None if start is None else Validity.from_start(start, self._profile)

    def warning_flags(self) -> FnWarning:
        """Return the warning flags of 30h for the ФН timer now.

        b0 and b1 (validity) only in the fiscal mode, b2 (archive 90 % full) in
        every phase, b3 (ОФД timeout) while documents may still go to the ОФД.
        """
        state = self._state
        now = self.timer()
        flags = FnWarning(0)
        if state.phase == FnPhase.FISCAL_MODE:
            flags |= self.validity().warnings(now)
        if archive_nearly_full(len(state.documents), self._profile):
            flags |= FnWarning.MEMORY_90_PERCENT
        if state.phase in OFD_WAITING_PHASES:
            oldest = state.oldest_waiting()
            if ofd_timed_out(oldest.fn_time if oldest else None, now, self._profile):
                flags |= FnWarning.OFD_TIMEOUT
        return flags

    def memory_full(self) -> bool:
        """Tell whether the archive is filled more than 99 % (реквизит 1052)."""
        return archive_over_99_percent(len(self._state.documents), self._profile)

    def check_resources(self, form: int, size: int) -> None:
        """Raise DocumentRefused when the rules of ``resources`` forbid forming a ``size``-byte document of ``form``.

        Called right before the document is written, so nothing changes on refusal.
        """
        state = self._state
        now = self.timer()
        validity = self.validity()
        if validity is not None and validity.expired(now):
            if form in (FORM_OPEN_SHIFT, FORM_REREGISTRATION):
                raise DocumentRefused(FnResult.LIFETIME_ENDED, f"the ФН validity ended at {validity.expiry}")
            if form in RECEIPT_FORMS:
                raise DocumentRefused(FnResult.CRYPTO_RESOURCE_EXHAUSTED,
                                      f"the fiscal sign keys expired at {validity.expiry}")
        fiscal_after, shift_after = self._phase_after(form)
        kept = places_kept(fiscal_after, shift_after)
        documents = len(state.documents)
        if documents + 1 + kept > self._profile.archive_capacity:
            raise DocumentRefused(
                FnResult.ARCHIVE_FULL,
                f"{documents} of {self._profile.archive_capacity} places used, {kept} kept for closing documents")
        if form in AREA_CHECKED_FORMS and not state.autonomous:
            area = self._profile.thirty_day_area_kb * 1024
            used = recent_bytes(state.documents, now)
            if used + size > area:
                raise DocumentRefused(
                    FnResult.STORAGE_EXHAUSTED,
                    f"the 30-day area holds {used} of {area} bytes, no room for {size} more")

    def _phase_after(self, form: int) -> tuple[bool, bool]:
        """Return (fiscal mode after, shift open after) for a document of ``form`` formed now."""
        shift_open = self._state.shift.is_open
        if form == FORM_CLOSE_FISCAL_MODE:
            return False, False
        if form == FORM_CLOSE_SHIFT:
            return True, False
        if form in (FORM_REGISTRATION, FORM_REREGISTRATION):
            return True, False
        if form == FORM_SETTLEMENT_REPORT:
            return self._state.phase == FnPhase.FISCAL_MODE, shift_open
        return True, True

    def _ffd_version(self, request):
        answer = FfdVersionAnswer(self._state.ffd_version, self._profile.max_ffd_version)
        return FnResult.OK, answer.encode()

    def _days_left(self, request):
        if self._state.phase not in VALIDITY_PHASES:
            return self.refuse(FnResult.INVALID_STATE, "no validity runs outside the fiscal and post-fiscal modes")
        return FnResult.OK, DaysLeftAnswer(min(self.validity().days_left(request.moment), 0xFFFF)).encode()

    def _reset_state(self, request: ResetStateRequest):
        if not self._profile.is_debug(self.serial):
            return self.refuse(FnResult.UNKNOWN_COMMAND, "60h is a command of debug ФН firmware only")
        if request.code != ResetStateRequest.WIPE_ARCHIVE:
            return self.refuse(FnResult.UNKNOWN_COMMAND, f"reset code {request.code:02X}h is unknown")
        self._writer.truncate(HEADER_SIZE)
        self._state = FnState()
        self._open = None
        self._document_cursor = None
        self._registration_cursor = None
        self._errors = LastErrors()
        self.reset_exchange()
        logger.info("ФН %s: debug reset, archive emptied, phase 1", self.serial)
        return FnResult.OK, b""
