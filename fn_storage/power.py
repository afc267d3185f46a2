"""Power-cut hook for crash tests: stop the ФН at a named point of an archive write.

A test arms a cut with ``FiscalStorage.power.cut_at(point, after=n)``. The
(n + 1)-th archive write from then on stops at ``point``. A write is a record
append, or the truncation of the debug reset 60h. The archive writer
leaves the file as a real power loss at that point can leave it, closes the
file (which releases its lock, as a dead process does) and raises ``PowerCut``.
The model is dead from then on, and every later ``execute`` raises
``PowerCut`` again. The test opens the archive again with
``FiscalStorage.open``, as the ФН does at the next power-on, and checks what
the replay recovered.

Cut points of one append, in order:

* ``BEFORE_WRITE``: nothing of the record reached the file.
* ``PARTIAL_WRITE``: the first ``written`` bytes of the record reached the disk,
  the rest did not (a torn record).
* ``AFTER_WRITE_BEFORE_FSYNC``: the whole record was written to the page cache
  and not synced. What the disk keeps is not known without a real power loss,
  so the test chooses the outcome (``Unsynced``): nothing, all of it, or a file
  that grew by the record's length but reads as zeros there.
* ``AFTER_FSYNC_BEFORE_ANSWER``: the record is durable, and the answer never
  left the ФН.

A truncation has two outcomes only, the old size or the new one (see
``ArchiveWriter.truncate``).

``PowerCut`` derives from ``BaseException``, not from ``KktemuError``, so the
handlers that turn any ``Exception`` into a device answer (the Штрих-М
dialect answers 39h) let it through to the test.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from .errors import InvalidArgumentError

logger = logging.getLogger(__name__)


class CutPoint(enum.Enum):
    """Point in one archive append at which the power goes off."""

    BEFORE_WRITE = "before the record is written"
    PARTIAL_WRITE = "after part of the record is written"
    AFTER_WRITE_BEFORE_FSYNC = "after the record is written, before fsync"
    AFTER_FSYNC_BEFORE_ANSWER = "after fsync, before the answer"


class Unsynced(enum.Enum):
    """Outcome on disk of a written but not synced record after the power cut."""

    LOST = "nothing: the file is as it was before the write"
    KEPT = "the whole record"
    ZEROED = "the file size grew by the record's length, the data did not reach the disk and reads as zeros"


class PowerCut(BaseException):
    """The power of the emulated ФН went off; the model that raised it is dead.

    ``point`` is where the cut happened (None for ``PowerSwitch.cut_now``).
    ``offset`` is the file offset where the interrupted record starts and
    ``size`` its length in bytes. For a truncation they are the new file size
    and the number of bytes it drops. Both are None for ``cut_now``.

    Derives from BaseException on purpose: code that turns unexpected
    exceptions into device answers must not answer a dead ФН.
    """

    def __init__(self, message: str, point: CutPoint | None = None, offset: int | None = None,
                 size: int | None = None):
        super().__init__(message)
        self.point = point
        self.offset = offset
        self.size = size


@dataclass(frozen=True)
class Cut:
    """One armed power cut: the point, how many archive writes to let through first, and the point's outcome.

    ``written`` (PARTIAL_WRITE only) is how many bytes of the record reach the
    disk, at most the record's length minus one. ``unsynced``
    (AFTER_WRITE_BEFORE_FSYNC only) is what the disk keeps of the unsynced record.
    """

    point: CutPoint
    after: int = 0
    written: int | None = None
    unsynced: Unsynced | None = None

    def kept_bytes(self, size: int) -> int:
        """Return how many bytes of a ``size``-byte record a PARTIAL_WRITE cut keeps."""
        assert self.written is not None
        return min(self.written, size - 1)


class PowerSwitch:
    """The power supply of one ФН model, driven by tests.

    ``on_cut`` is called once when the power goes off; the ФН passes its
    archive writer's ``close``. Not thread-safe, like the model itself.
    """

    def __init__(self, on_cut: Callable[[], None]):
        self._on_cut = on_cut
        self._armed: Cut | None = None
        self._off = False

    @property
    def is_off(self) -> bool:
        """True once a cut has happened."""
        return self._off

    @property
    def armed(self) -> Cut | None:
        """The cut waiting for its archive write, or None."""
        return self._armed

    def cut_at(self, point: CutPoint, *, after: int = 0, written: int | None = None,
               unsynced: Unsynced | None = None) -> Cut:
        """Arm a cut at ``point`` of the (``after`` + 1)-th archive write from now, replacing any armed cut.

        ``written`` (at least 1) goes with PARTIAL_WRITE and ``unsynced`` with
        AFTER_WRITE_BEFORE_FSYNC, and neither with another point. Raises
        InvalidArgumentError for other combinations, a negative ``after`` or
        a switch that is already off. Returns the armed cut.
        """
        if self._off:
            raise InvalidArgumentError("the power is already off; open the archive again to power the ФН on")
        if after < 0:
            raise InvalidArgumentError(f"after={after} must not be negative")
        if (point is CutPoint.PARTIAL_WRITE) != (written is not None):
            raise InvalidArgumentError("written= goes with PARTIAL_WRITE and with no other cut point")
        if written is not None and written < 1:
            raise InvalidArgumentError(f"written={written} must be at least 1; use BEFORE_WRITE for nothing written")
        if (point is CutPoint.AFTER_WRITE_BEFORE_FSYNC) != (unsynced is not None):
            raise InvalidArgumentError("unsynced= goes with AFTER_WRITE_BEFORE_FSYNC and with no other cut point")
        self._armed = Cut(point, after, written, unsynced)
        return self._armed

    def disarm(self) -> None:
        """Drop the armed cut, if any."""
        self._armed = None

    def cut_now(self) -> None:
        """Turn the power off between two commands: the open document and every other RAM state are lost.

        Every append is synced before its command answers, so the file keeps
        all it holds. Later ``execute`` calls raise PowerCut.
        """
        if not self._off:
            logger.debug("power cut between commands")
            self._switch_off()

    def take_cut(self) -> Cut | None:
        """Count one archive write and return the armed cut when it falls on this write.

        Called by the archive writer at the start of every append and truncation.
        """
        cut = self._armed
        if cut is None:
            return None
        if cut.after > 0:
            self._armed = Cut(cut.point, cut.after - 1, cut.written, cut.unsynced)
            return None
        self._armed = None
        return cut

    def fire(self, cut: Cut, offset: int, size: int, write: str = "record") -> PowerCut:
        """Turn the power off after the writer applied ``cut`` to the file; return the PowerCut to raise.

        ``write`` names what was cut in the message: a "record" appended at
        ``offset``, or a "truncation" to ``offset`` that drops ``size`` bytes.
        """
        logger.debug("power cut %s of the %d-byte %s at byte %d", cut.point.value, size, write, offset)
        self._switch_off()
        return PowerCut(f"power cut {cut.point.value} of the {size}-byte {write} at byte {offset}",
                        cut.point, offset, size)

    def dead(self) -> PowerCut:
        """Return the PowerCut that a command sent to a ФН without power raises."""
        return PowerCut("the ФН has no power since the cut; open the archive again to power it on")

    def _switch_off(self) -> None:
        self._off = True
        self._armed = None
        self._on_cut()
