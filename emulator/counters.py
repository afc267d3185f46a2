"""Cash registers (1Ah, 6 bytes, kopecks) and operation registers (1Bh, 2 bytes) of a Штрих-М register.

Numbering follows the register names that javapos_shtrih lists (CashRegister,
OperationRegister) and reads in its X report (TextDocumentFilter): each block
holds one register per receipt type (0 sale, 1 purchase, 2 sale return,
3 purchase return), so register = block start + 4 × index + receipt type.
Examples: 193 + 4 × payment + type are the shift payments by payment type
(197–200 are the payment type 2 totals), 241 the cash in the
drawer, 242/243 the cash in and out of the shift, 144 + type the receipts of the
shift, 148 + type the receipt numbers, 158/159 the X and Z report numbers.

The values live in ``memory.state["counters"]`` (``"cash"`` and ``"operation"``,
register number as a string key). Reads never add keys, so a refused command
leaves the memory as it was. The Z report zeroes the shift registers.
NOTE: the tax registers (209–240), discounts and surcharges (185–192) and the
ЭКЛЗ sums (245–248) stay 0: the register does not account for them. Documents
that ``Register.start`` replays from the ФН after a lost unsynced save move the
drawer and the document counter but not these registers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

RECEIPT_TYPES = 4
DEPARTMENTS = 16

# Cash registers.
RECEIPT_DEPARTMENT_SUMS = 0  # 0..63, the last (or open) receipt by department
RECEIPT_PAYMENT_SUMS = 72  # 72..87, the last receipt by payment type 1..4
CASH_AT_RECEIPT_CLOSE = 120
SHIFT_DEPARTMENT_SUMS = 121  # 121..184
SHIFT_PAYMENT_SUMS = 193  # 193..208, payment types 1..4
CASH_IN_DRAWER = 241
SHIFT_CASH_IN = 242
SHIFT_CASH_OUT = 243
SALES_GRAND_TOTAL = 244
SHIFT_CANCELLED_SUMS = 249  # 249..252
SHIFT_EXTRA_PAYMENT_SUMS = 4144  # 4144..4191, payment types 5..16 (FF45h), two-byte numbers
CASH_REGISTERS = range(0, 253)
EXTRA_CASH_REGISTERS = range(SHIFT_EXTRA_PAYMENT_SUMS, SHIFT_EXTRA_PAYMENT_SUMS + 4 * 12)

# Operation registers.
RECEIPT_DEPARTMENT_COUNTS = 0  # 0..63
SHIFT_DEPARTMENT_COUNTS = 72  # 72..135
SHIFT_RECEIPT_COUNTS = 144  # 144..147
RECEIPT_NUMBERS = 148  # 148..151
DOCUMENT_NUMBERS = (152, 185)
SHIFT_CASH_IN_COUNT = 153
SHIFT_CASH_OUT_COUNT = 154
CASH_IN_NUMBER = 155
CASH_OUT_NUMBER = 156
SHIFT_CANCELLED_DOCUMENTS = 157
X_REPORT_NUMBER = 158
Z_REPORT_NUMBER = 159
TEST_RUN_NUMBER = 163
CANCELLATIONS = 166
SHIFT_CANCELLED_RECEIPT_COUNTS = 179  # 179..182
OPERATION_REGISTERS = range(0, 186)

RECEIPT_CASH_REGISTERS = range(0, 120)
RECEIPT_OPERATION_REGISTERS = range(0, 72)
SHIFT_CASH_REGISTERS = frozenset((*range(121, 241), SHIFT_CASH_IN, SHIFT_CASH_OUT, *range(245, 253),
                                  *EXTRA_CASH_REGISTERS))
SHIFT_OPERATION_REGISTERS = frozenset((*range(72, 148), SHIFT_CASH_IN_COUNT, SHIFT_CASH_OUT_COUNT,
                                       SHIFT_CANCELLED_DOCUMENTS, *range(179, 184)))
NUMBER_REGISTERS = frozenset((*range(RECEIPT_NUMBERS, RECEIPT_NUMBERS + RECEIPT_TYPES), CASH_IN_NUMBER,
                              CASH_OUT_NUMBER))
MAX_DOCUMENT_NUMBER = 9999
CASH_MODULUS = 1 << 48
OPERATION_MODULUS = 1 << 16


def department_index(department: int) -> int:
    """Return the 0-based department block of an item: department 0 (free sale) counts as 1."""
    return max(department, 1) - 1


def payment_cash_register(payment: int, receipt_type: int) -> int:
    """Return the shift cash register of payment type ``payment`` (0-based, 0 = cash, up to 15)."""
    if payment < 4:
        return SHIFT_PAYMENT_SUMS + 4 * payment + receipt_type
    return SHIFT_EXTRA_PAYMENT_SUMS + 4 * (payment - 4) + receipt_type


def next_number(number: int) -> int:
    """Return the document number after ``number``: 1..9999, then 1 again (javapos_shtrih counts so)."""
    return 1 if number >= MAX_DOCUMENT_NUMBER else number + 1


class Counters:
    """The stored registers of one register memory, with the updates each operation makes.

    ``state`` is the register's ``memory.state``; only updates write into it.
    """

    def __init__(self, state: dict):
        self._state = state

    def cash(self, number: int) -> int:
        """Return the stored value of cash register ``number`` (0 when never written)."""
        return self._state.get("counters", {}).get("cash", {}).get(str(number), 0)

    def operation(self, number: int) -> int:
        """Return the stored value of operation register ``number`` (0 when never written)."""
        return self._state.get("counters", {}).get("operation", {}).get(str(number), 0)

    def count_receipt(self, receipt_type: int, department_sums: Mapping[int, int],
                      department_counts: Mapping[int, int], payments: Iterable[int], cash_in_drawer: int) -> None:
        """Account for a closed receipt.

        ``department_sums`` and ``department_counts`` map a 0-based department
        to its amount in kopecks and its number of operations; ``payments``
        lists the sums of payment types 1.. (cash after change first).
        """
        cash = self._section("cash")
        operation = self._section("operation")
        for number in RECEIPT_CASH_REGISTERS:
            cash.pop(str(number), None)
        for number in RECEIPT_OPERATION_REGISTERS:
            operation.pop(str(number), None)
        total = 0
        for index, amount in department_sums.items():
            self._add(cash, RECEIPT_DEPARTMENT_SUMS + 4 * index + receipt_type, amount, CASH_MODULUS)
            self._add(cash, SHIFT_DEPARTMENT_SUMS + 4 * index + receipt_type, amount, CASH_MODULUS)
            total += amount
        for index, count in department_counts.items():
            self._add(operation, RECEIPT_DEPARTMENT_COUNTS + 4 * index + receipt_type, count, OPERATION_MODULUS)
            self._add(operation, SHIFT_DEPARTMENT_COUNTS + 4 * index + receipt_type, count, OPERATION_MODULUS)
        for payment, amount in enumerate(payments):
            if amount:
                if payment < 4:
                    self._add(cash, RECEIPT_PAYMENT_SUMS + 4 * payment + receipt_type, amount, CASH_MODULUS)
                self._add(cash, payment_cash_register(payment, receipt_type), amount, CASH_MODULUS)
        cash[str(CASH_AT_RECEIPT_CLOSE)] = cash_in_drawer
        if receipt_type == 0:
            self._add(cash, SALES_GRAND_TOTAL, total, CASH_MODULUS)
        self._add(operation, SHIFT_RECEIPT_COUNTS + receipt_type, 1, OPERATION_MODULUS)
        self._advance_number(operation, RECEIPT_NUMBERS + receipt_type)

    def count_cancelled_receipt(self, receipt_type: int, total: int) -> None:
        """Account for a cancelled (annulled) receipt of ``total`` kopecks."""
        cash = self._section("cash")
        operation = self._section("operation")
        self._add(cash, SHIFT_CANCELLED_SUMS + receipt_type, total, CASH_MODULUS)
        self._add(operation, SHIFT_CANCELLED_RECEIPT_COUNTS + receipt_type, 1, OPERATION_MODULUS)
        self._add(operation, SHIFT_CANCELLED_DOCUMENTS, 1, OPERATION_MODULUS)
        self._add(operation, CANCELLATIONS, 1, OPERATION_MODULUS)

    def count_cash_move(self, delta: int) -> None:
        """Account for a cash in (positive ``delta``) or cash out (negative), in kopecks."""
        cash = self._section("cash")
        operation = self._section("operation")
        if delta > 0:
            self._add(cash, SHIFT_CASH_IN, delta, CASH_MODULUS)
            self._add(operation, SHIFT_CASH_IN_COUNT, 1, OPERATION_MODULUS)
            self._advance_number(operation, CASH_IN_NUMBER)
        else:
            self._add(cash, SHIFT_CASH_OUT, -delta, CASH_MODULUS)
            self._add(operation, SHIFT_CASH_OUT_COUNT, 1, OPERATION_MODULUS)
            self._advance_number(operation, CASH_OUT_NUMBER)

    def count_x_report(self) -> None:
        """Account for an X report."""
        self._add(self._section("operation"), X_REPORT_NUMBER, 1, OPERATION_MODULUS)

    def count_test_run(self) -> None:
        """Account for a test run started with 19h."""
        self._add(self._section("operation"), TEST_RUN_NUMBER, 1, OPERATION_MODULUS)

    def count_z_report(self, reset_receipt_numbers: bool) -> None:
        """Account for a Z report: count it and zero the shift registers.

        ``reset_receipt_numbers`` also zeroes the receipt, cash in and cash out
        numbers (table 1 field 26 "ОБНУЛЕНИЕ СЧЕТЧИКА ЧЕКОВ").
        """
        cash = self._section("cash")
        operation = self._section("operation")
        for number in SHIFT_CASH_REGISTERS:
            cash.pop(str(number), None)
        zeroed = SHIFT_OPERATION_REGISTERS | NUMBER_REGISTERS if reset_receipt_numbers else SHIFT_OPERATION_REGISTERS
        for number in zeroed:
            operation.pop(str(number), None)
        self._add(operation, Z_REPORT_NUMBER, 1, OPERATION_MODULUS)

    def clear(self) -> None:
        """Zero every register (technological reset)."""
        self._state.pop("counters", None)

    def _section(self, name: str) -> dict[str, int]:
        return self._state.setdefault("counters", {}).setdefault(name, {})

    @staticmethod
    def _add(section: dict[str, int], number: int, delta: int, modulus: int) -> None:
        section[str(number)] = (section.get(str(number), 0) + delta) % modulus

    @staticmethod
    def _advance_number(section: dict[str, int], number: int) -> None:
        section[str(number)] = next_number(section.get(str(number), 0))
