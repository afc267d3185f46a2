"""The register's cash and operation registers: reads for 1Ah/1Bh and the hooks operations call."""

from __future__ import annotations

import collections

from . import counters as n
from .counters import Counters, department_index
from .receipt import Receipt, Settlement
from .refusals import Reason, Refusal


class CounterOperations:
    """Mixin of ``Register``: the registers that 1Ah and 1Bh read, kept in the register memory."""

    @property
    def counters(self) -> Counters:
        """The stored registers (a view of ``memory.state``)."""
        return Counters(self.memory.state)

    def cash_register(self, number: int) -> int:
        """Return cash register ``number`` in kopecks. Raises Refusal 33h for a number the model lacks.

        241 is the drawer; 0..119 describe the open receipt while one is open,
        else the last closed receipt.
        """
        if number not in n.CASH_REGISTERS and number not in n.EXTRA_CASH_REGISTERS:
            raise Refusal(Reason.INVALID_PARAMETER, f"no cash register {number}")
        if number == n.CASH_IN_DRAWER:
            return self.cash_in_drawer
        if number in n.RECEIPT_CASH_REGISTERS and self.receipt is not None:
            sums, _counts = _department_totals(self.receipt.receipt)
            index, receipt_type = divmod(number - n.RECEIPT_DEPARTMENT_SUMS, 4)
            if receipt_type != self.receipt.receipt_type:
                return 0
            return sums.get(index, 0)
        return self.counters.cash(number)

    def operation_register(self, number: int) -> int:
        """Return operation register ``number`` (0..65535). Raises Refusal 33h for a number the model lacks."""
        if number not in n.OPERATION_REGISTERS:
            raise Refusal(Reason.INVALID_PARAMETER, f"no operation register {number}")
        if number in n.DOCUMENT_NUMBERS:
            return self.document_number % (n.MAX_DOCUMENT_NUMBER + 1)
        if number in n.RECEIPT_OPERATION_REGISTERS and self.receipt is not None:
            _sums, counts = _department_totals(self.receipt.receipt)
            index, receipt_type = divmod(number - n.RECEIPT_DEPARTMENT_COUNTS, 4)
            if receipt_type != self.receipt.receipt_type:
                return 0
            return counts.get(index, 0)
        return self.counters.operation(number)

    # Hooks: one call in each operation that moves a register, before it saves the memory.
    # ``_count_receipt`` runs after the receipt's ФД number is in ``last_fd``, for 8Ch.

    def _count_receipt(self, receipt_type: int, receipt: Receipt, settlement: Settlement,
                       cashless: list[int]) -> None:
        sums, counts = _department_totals(receipt)
        payments = [settlement.cash, *cashless]
        self.counters.count_receipt(receipt_type, sums, counts, payments, self.cash_in_drawer)
        self.device.last_receipt_fd = self.last_fd

    def _count_cancelled_receipt(self, receipt_type: int, receipt: Receipt) -> None:
        self.counters.count_cancelled_receipt(receipt_type, receipt.total)

    def _count_cash_move(self, delta: int) -> None:
        self.counters.count_cash_move(delta)

    def _count_x_report(self) -> None:
        self.counters.count_x_report()

    def _count_z_report(self) -> None:
        self.counters.count_z_report(self.receipt_numbers_reset_by_z())


def _department_totals(receipt: Receipt) -> tuple[dict[int, int], dict[int, int]]:
    """Return (amount, operation count) by 0-based department of a receipt's items."""
    sums: dict[int, int] = collections.defaultdict(int)
    counts: dict[int, int] = collections.defaultdict(int)
    for item in receipt.items:
        index = department_index(item.department)
        sums[index] += item.amount
        counts[index] += 1
    return dict(sums), dict(counts)
