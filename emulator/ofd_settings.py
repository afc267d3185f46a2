"""Settings and results of the register's ОФД link (``ofd_link``).

``OfdLinkSettings`` are the link's timers, part of a register's device profile;
``Attempt`` and ``Outcome`` describe one try to deliver a document.
"""

from __future__ import annotations

import dataclasses
import enum


@dataclasses.dataclass(frozen=True)
class OfdLinkSettings:
    """Timers of the ОФД link, in seconds.

    ``poll_interval`` is the longest wait between two 20h polls when no new
    document wakes the link (the protocol allows up to 60 s). A failed attempt
    is retried after ``first_retry``, doubled after each further failure up to
    ``max_retry`` (the protocol allows up to 3600 s). ``connect_timeout`` bounds
    opening the TCP connection and ``answer_timeout`` the wait for the квитанция
    (300 s in the protocol). Raises ValueError for a value that is not positive,
    or ``max_retry`` below ``first_retry``.
    """

    poll_interval: float = 60.0
    first_retry: float = 5.0
    max_retry: float = 300.0
    connect_timeout: float = 30.0
    answer_timeout: float = 300.0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not value > 0:
                raise ValueError(f"OfdLinkSettings.{field.name} must be more than 0 seconds, got {value!r}")
        if self.max_retry < self.first_retry:
            raise ValueError(f"OfdLinkSettings.max_retry ({self.max_retry}) is below first_retry ({self.first_retry})")

    def retry_delay(self, failures: int) -> float:
        """Return the back-off in seconds after ``failures`` (1 or more) failed attempts in a row."""
        if failures < 1:
            raise ValueError(f"failures must be 1 or more, got {failures}")
        # Capping the exponent keeps the power small when the ОФД stays down for days.
        exponent = min(failures - 1, 64)
        return min(self.first_retry * 2 ** exponent, self.max_retry)


DEFAULT_SETTINGS = OfdLinkSettings()


class Outcome(enum.Enum):
    """How one attempt to deliver a document ended."""

    CONFIRMED = "confirmed"
    """The ФН accepted the квитанция (26h answered 00h); the document left the queue."""
    TICKET_REJECTED = "ticket rejected"
    """The ФН rejected the квитанция (26h answered 20h with a reason byte)."""
    NO_ANSWER = "no answer"
    """The ОФД sent no whole квитанция within the answer timeout."""
    DROPPED = "connection closed"
    """The ОФД closed or reset the connection before a whole квитанция arrived.

    This is also how an ОФД rejects a message: the protocol has no negative квитанция.
    """
    BAD_ANSWER = "bad answer"
    """The ОФД's answer does not start with a session header."""
    CONNECT_FAILED = "connect failed"
    """The TCP connection to the ОФД could not be opened (refused, unreachable, timed out)."""
    FN_REJECTED = "ФН rejected"
    """The ФН rejected one of the commands reading the message (21h..25h)."""


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One delivery attempt: the ФД sent, how it ended and what the ФН or the ОФД returned.

    ``ofd_code`` is the 1022 answer code the ФН reported after a confirmed
    attempt, ``reject_reason`` the reason byte of a rejected квитанция (1 sign,
    2 format, 3 ФД number, 4 ФН number, 5 CRC) and ``detail`` a readable text
    for logs. ``failures`` counts the failed attempts in a row up to and
    including this one (0 when it was confirmed), and ``retry_in`` is the
    back-off in seconds before the next attempt (None when it was confirmed).
    """

    fd_number: int
    outcome: Outcome
    detail: str = ""
    ofd_code: int | None = None
    reject_reason: int | None = None
    failures: int = 0
    retry_in: float | None = None
