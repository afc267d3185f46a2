"""Tell listeners when the ФН has formed a fiscal document.

The register's ОФД link sleeps until there is something to send. A
``DocumentWatch`` sits between the register and its ФН as the ФН port the
register calls: it passes every command through unchanged and, when a
document-forming command succeeds, calls each listener. The link listens and
wakes at once instead of polling the ФН in a busy loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kktemu.protocol.fn.codes import FnCommand, FnResult, split_answer_code

from .fn_client import FnPort

logger = logging.getLogger(__name__)

FORMING_COMMANDS = frozenset((
    FnCommand.FORM_REGISTRATION_REPORT,
    FnCommand.CLOSE_FISCAL_MODE,
    FnCommand.OPEN_SHIFT,
    FnCommand.CLOSE_SHIFT,
    FnCommand.FORM_RECEIPT,
    FnCommand.FORM_SETTLEMENT_REPORT,
))
"""ФН commands that form a fiscal document, and so put a message in the queue for the ОФД, when they succeed."""

Listener = Callable[[], None]


class DocumentWatch:
    """An ``FnPort`` that forwards to ``port`` and calls listeners after each formed document.

    Listeners run in the thread of the command, right after the ФН answered and
    before the register sees the answer. They must return quickly and not call
    the ФН. A listener that raises is logged at ERROR and does not affect the
    command or the other listeners.
    """

    def __init__(self, port: FnPort):
        self._port = port
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener()`` after every document the ФН forms from now on."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``; nothing happens when it is not subscribed."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def execute(self, command: int, data: bytes) -> tuple[int, bytes]:
        """Run the command on the ФН and return its answer unchanged."""
        code, answer = self._port.execute(command, data)
        if command in FORMING_COMMANDS and split_answer_code(code)[0] == FnResult.OK:
            for listener in list(self._listeners):
                try:
                    listener()
                except Exception:
                    logger.exception("a listener for formed documents failed after command %02Xh", command)
        return code, answer
