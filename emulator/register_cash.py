"""Cash drawer and printing operations of the register: cash in, cash out, text lines."""

from __future__ import annotations

import copy

from .receipt import MAX_MONEY
from .refusals import Reason, Refusal


class CashOperations:
    """Mixin of ``Register``: cash in and out of the drawer, printed text."""

    def cash_in(self, operator: int, amount: int) -> int:
        """Put cash in the drawer (внесение); return the document number."""
        return self._move_cash(operator, amount)

    def cash_out(self, operator: int, amount: int) -> int:
        """Take cash from the drawer (выплата); return the document number."""
        return self._move_cash(operator, -amount)

    def _move_cash(self, operator: int, delta: int) -> int:
        self._require_no_receipt()
        if delta == 0:
            raise Refusal(Reason.INVALID_PARAMETER, "amount 0")
        if self.shift_expired():
            raise Refusal(Reason.SHIFT_EXPIRED)
        if self.cash_in_drawer + delta < 0:
            raise Refusal(Reason.NOT_ENOUGH_CASH, f"{-delta} > {self.cash_in_drawer} kopecks")
        if abs(delta) > MAX_MONEY:
            raise Refusal(Reason.INVALID_PARAMETER, f"amount {abs(delta)} kopecks is above {MAX_MONEY}")
        if self.cash_in_drawer + delta > MAX_MONEY:
            raise Refusal(Reason.CASH_OVERFLOW, f"drawer would hold {self.cash_in_drawer + delta} kopecks")
        self._ensure_shift_for_sales(operator)
        previous = copy.deepcopy(self.memory.state)
        self.cash_in_drawer += delta
        self.document_number += 1
        self._count_cash_move(delta)
        self._save_or_restore(previous)
        return self.document_number

    def print_text(self, text: str) -> None:
        """Print a line of text on the receipt tape (kept in ``journal``)."""
        self.journal.append(text)
