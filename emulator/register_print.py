"""Printed documents of the register that the ФН never sees: cliché, advertising text, document end
and the operation registers report.

The cliché (header) and the advertising text (trailer) are rows of table 4
«ТЕКСТ В ЧЕКЕ». Which rows, follows the javapos_shtrih model description of
the ШТРИХ-М-ФР-К (Source/FiscalPrinterService/src/res/models.xml, model 250):
four header lines from row 11 and three trailer lines from row 1. Printing
means appending lines to ``Register.journal``, the receipt tape.
"""

from __future__ import annotations

import copy

from . import counters as n
from .refusals import Reason, Refusal

TEXT_TABLE = 4
TEXT_FIELD = 1
CLICHE_ROWS = range(11, 15)
ADVERTISING_ROWS = range(1, 4)
# Table 1 field 39 «ПЕЧАТЬ КЛИШЕ ПОСЛЕ ЗАВЕРШЕНИЯ ДОКУМЕНТА»: 1 prints the next cliché at 53h.
CLICHE_AFTER_DOCUMENT = (1, 1, 39)
DOCUMENT_END_FLAGS = (0, 1)


class PrintOperations:
    """Mixin of ``Register``: 52h cliché, 54h advertising text, 53h document end, 2Ch registers report."""

    def print_cliche(self) -> None:
        """Print the cliché, table 4 rows 11..14. Refused with 4Ah while a receipt is open."""
        self._require_no_receipt()
        self._print_rows(CLICHE_ROWS)

    def print_advertising(self) -> None:
        """Print the advertising text, table 4 rows 1..3. Refused with 4Ah while a receipt is open."""
        self._require_no_receipt()
        self._print_rows(ADVERTISING_ROWS)

    def end_document(self, print_advertising: int) -> None:
        """End a printed document (53h): the advertising text when ``print_advertising`` is 1, then the cliché.

        The cliché of the next document follows when table 1 field 39 is 1 (the
        factory value). Refused with 33h for a flag other than 0 and 1 and with
        4Ah while a receipt is open.
        NOTE: the vendor text gives 53h the fields of 50h. The flag byte and its
        meaning follow javapos_shtrih (PrintDocEnd), which sends 0.
        """
        self._require_no_receipt()
        if print_advertising not in DOCUMENT_END_FLAGS:
            raise Refusal(Reason.INVALID_PARAMETER, f"document end flag {print_advertising} is not 0 or 1")
        if print_advertising:
            self._print_rows(ADVERTISING_ROWS)
        if self.table_value(*CLICHE_AFTER_DOCUMENT) == 1:
            self._print_rows(CLICHE_ROWS)

    def operation_registers_report(self, operator: int) -> None:
        """Print the operation registers that are not zero (2Ch) and count a document.

        Refused with 4Ah while a receipt is open and with 74h when the memory
        cannot be saved.
        NOTE: the vendor text gives no layout of the report. Counting it as a
        document, as the X report counts, is kktemu's reading.
        """
        self._require_no_receipt()
        lines = [f"ОПЕРАЦИОННЫЕ РЕГИСТРЫ, {self.operator_name(operator)}"]
        for number in n.OPERATION_REGISTERS:
            value = self.operation_register(number)
            if value:
                lines.append(f"{number:03d}: {value}")
        previous = copy.deepcopy(self.memory.state)
        self.document_number += 1
        self._save_or_restore(previous)
        self.journal.extend(lines)

    def _print_rows(self, rows: range) -> None:
        self.journal.extend(str(self.table_value(TEXT_TABLE, row, TEXT_FIELD)).rstrip() for row in rows)
