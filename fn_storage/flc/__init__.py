"""Format-logical control (ФЛК) of fiscal documents inside the ФН model.

When a «Сформировать ...» command forms a document, the ФН checks the TLVs the
register sent against the ФФД tables of the registered ФФД version. A document
that breaks a rule gets the rule's result code before anything is signed or
written. docs/fn-flc.md lists the rules with their codes and sources.

* ``control`` — ``check_document``, ``control_document`` and ``DocumentContext``.
* ``violation`` — ``Rule`` (name, result code), ``Violation``, ``ControlViolation``.
* ``presence`` — mandatory, allowed and repeatable tags per form and ФФД version.
* ``structure`` — allowed, mandatory and repeatable children of each STLV.
* ``values`` — lengths, types, ИНН requisites, bitmasks and code lists.
* ``items``, ``vat``, ``dates`` — receipt arithmetic, VAT sums, the correction basis.
"""

from .control import DocumentContext, check_document, control_document
from .violation import ControlViolation, Rule, Violation

__all__ = ["ControlViolation", "DocumentContext", "Rule", "Violation", "check_document", "control_document"]
