"""Fault modes of the mock ОФД: what it does instead of answering a valid message at once.

A ``Fault`` names one behaviour:

* ``reject=CODE``: the ОФД refuses the document. The ККТ↔ОФД protocol defines
  no negative квитанция: a server whose check of a message fails goes to its
  «Сброс обработки» state, drops the context and sends nothing (table 6 of the
  FNS protocol v1.1.006). So the mock stores the document with result
  ``rejected`` and CODE, sends no квитанция and closes the connection. The ФН
  keeps the document queued, and the register sends it again on a later
  connection. CODE (1..255) is recorded in the store and the log only.
* ``drop``: the mock reads the message, stores it with result ``dropped`` and
  closes the connection without an answer (a network failure after the send).
* ``no_answer``: the mock reads the message, stores it with result ``held`` and
  keeps the connection open without answering until the client closes it or
  the server stops. The register's 300-second wait for the квитанция expires.
* ``delay=S``: the mock waits S seconds before it acts. Alone it delays the
  квитанция; with one of the behaviours above it delays that behaviour.
* ``answer_code=CODE``: the mock sends a квитанция whose 1068 carries 1022 =
  CODE. This is not a rejection: the ФН accepts the квитанция and marks the
  document delivered, because the protocol's ФН side marks a message
  «передано» whenever the квитанция passes its checks (section 4.4).

A fault applies to every message, or only to one ФН serial, and either stays
until cleared or applies to the next ``count`` messages only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kktemu.protocol.errors import KktemuError

MAX_CODE = 0xFF


class FaultError(KktemuError, ValueError):
    """A fault's settings contradict each other or are out of range."""


@dataclass(frozen=True)
class Fault:
    """One fault rule: the behaviour, the ФН it is limited to and how many messages it covers.

    ``delay`` is in seconds. ``fn_serial`` None applies to every ФН; ``count``
    None applies until the rule is cleared. At most one of ``reject``,
    ``drop``, ``no_answer`` and ``answer_code`` may be set. Raises FaultError
    when the fields break these rules.
    """

    reject: int | None = None
    delay: float = 0.0
    drop: bool = False
    no_answer: bool = False
    answer_code: int | None = None
    fn_serial: str | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        actions = [name for name, active in (
            ("reject", self.reject is not None), ("drop", self.drop),
            ("no_answer", self.no_answer), ("answer_code", self.answer_code is not None)) if active]
        if len(actions) > 1:
            raise FaultError(f"a fault takes one action, got {' and '.join(actions)}")
        if self.reject is not None and not 1 <= self.reject <= MAX_CODE:
            raise FaultError(f"reject code {self.reject} is outside 1..{MAX_CODE} (0 means accepted)")
        if self.answer_code is not None and not 0 <= self.answer_code <= MAX_CODE:
            raise FaultError(f"answer code {self.answer_code} is outside 0..{MAX_CODE}")
        if not math.isfinite(self.delay) or self.delay < 0:
            raise FaultError(f"delay {self.delay} is not a finite number of seconds >= 0")
        if self.count is not None and self.count < 1:
            raise FaultError(f"count {self.count} must be at least 1 (None applies until cleared)")
        if self.fn_serial is not None and not self.fn_serial:
            raise FaultError("fn_serial must be a ФН serial or None for every ФН")

    @property
    def action(self) -> str:
        """The behaviour after the delay: "reject", "drop", "no_answer" or "answer"."""
        if self.reject is not None:
            return "reject"
        if self.drop:
            return "drop"
        if self.no_answer:
            return "no_answer"
        return "answer"

    def describe(self) -> str:
        """Return a short English description for logs ("reject 14 after 0.5 s, ФН ..., next 2")."""
        if self.reject is not None:
            text = f"reject {self.reject}"
        elif self.answer_code is not None:
            text = f"answer code {self.answer_code}"
        else:
            text = {"drop": "drop", "no_answer": "no answer", "answer": "answer"}[self.action]
        if self.delay:
            text += f" after {self.delay:g} s"
        if self.fn_serial is not None:
            text += f", ФН {self.fn_serial}"
        if self.count is not None:
            text += f", next {self.count}"
        return text


class Faults:
    """The fault rules of one server, changeable while it runs.

    There is at most one rule for every ФН and one per ФН serial; a rule for a
    serial takes precedence over the rule for every ФН. The server calls
    ``take`` once per message it has read. All methods are meant for the
    server's event loop thread (asyncio code and tests that share the loop).
    """

    def __init__(self, *rules: Fault) -> None:
        self._rules: dict[str | None, Fault] = {}
        self._remaining: dict[str | None, int] = {}
        for rule in rules:
            self.add(rule)

    def set(self, *, reject: int | None = None, delay: float = 0.0, drop: bool = False, no_answer: bool = False,
            answer_code: int | None = None, fn_serial: str | None = None, count: int | None = None) -> Fault:
        """Install a rule built from the arguments (see ``Fault``) and return it.

        It replaces the rule for the same ``fn_serial``. Raises FaultError for
        contradicting or out-of-range settings.
        """
        return self.add(Fault(reject=reject, delay=delay, drop=drop, no_answer=no_answer, answer_code=answer_code,
                              fn_serial=fn_serial, count=count))

    def add(self, rule: Fault) -> Fault:
        """Install ``rule``, replacing the rule for the same ФН serial, and return it."""
        self._rules[rule.fn_serial] = rule
        if rule.count is None:
            self._remaining.pop(rule.fn_serial, None)
        else:
            self._remaining[rule.fn_serial] = rule.count
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()
        self._remaining.clear()

    def remove(self, fn_serial: str | None) -> None:
        """Remove the rule for ``fn_serial`` (None: the rule for every ФН), if there is one."""
        self._rules.pop(fn_serial, None)
        self._remaining.pop(fn_serial, None)

    def rules(self) -> list[Fault]:
        """Return the installed rules, the one for every ФН first."""
        return sorted(self._rules.values(), key=lambda rule: (rule.fn_serial is not None, rule.fn_serial or ""))

    def remaining(self, fn_serial: str | None = None) -> int | None:
        """Return how many messages the rule for ``fn_serial`` still covers (None: no limit or no rule)."""
        return self._remaining.get(fn_serial)

    def take(self, fn_serial: str) -> Fault | None:
        """Return the rule for a message of ФН ``fn_serial`` and count the message against its limit.

        Returns None when no rule applies. A rule whose count runs out is removed.
        """
        key: str | None = fn_serial if fn_serial in self._rules else None
        rule = self._rules.get(key)
        if rule is None:
            return None
        if key in self._remaining:
            self._remaining[key] -= 1
            if self._remaining[key] == 0:
                del self._remaining[key]
                del self._rules[key]
        return rule
