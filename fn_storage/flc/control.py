"""The format-logical control of one document, run when the ФН forms it.

``check_document`` applies the rules to the TLVs the register sent for a
document (not to the ФН's own block and appended counters) and returns the
first violation. The TLV structure and the maximum lengths come first. Then
each tag is checked in document order: allowed in the form, not repeated, a
valid value, and the same for the children of each STLV. The mandatory tags
and the registration parameters follow, and the arithmetic of receipts and the
correction basis come last.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..state import FnState
from .dates import check_basis
from .items import TAG_ITEM, check_item, check_totals
from .presence import (
    CONTROLLED_FORMS,
    CORRECTION_FORMS,
    RECEIPT_FORMS,
    REGISTRATION_FORMS,
    allowed_tags,
    is_known,
    mandatory_tags,
    repeatable_tags,
)
from .structure import allowed_children, mandatory_children, repeatable_children, single_child
from .tree import Node, parse_tree
from .values import check_length, check_value
from .vat import check_vat
from .violation import ControlViolation, Rule, Violation

TAG_FFD_VERSION = 1209
TAG_TAXATION = 1055
SUPPORTED_VERSIONS = (2, 3, 4)


@dataclass(frozen=True)
class DocumentContext:
    """Facts about a document that the control needs besides its data.

    ``form`` is the form code (1 registration, 3 receipt, ...), ``moment`` the
    document's date and time, ``ffd_version`` the ФФД version code of the
    current registration (2 = 1.05 before the first one). Registration reports
    are checked under the version their own 1209 gives. ``taxation`` is the
    registered taxation bitmask, None before registration.
    """

    form: int
    moment: _dt.datetime
    ffd_version: int
    taxation: int | None = None

    @classmethod
    def of(cls, form: int, moment: _dt.datetime, state: FnState) -> DocumentContext:
        """Return the context of a form ``form`` document dated ``moment`` in a ФН in ``state``."""
        registration = state.registration
        return cls(form, moment, state.ffd_version, None if registration is None else registration.taxation)


def check_document(data: bytes, context: DocumentContext, strict: bool = True) -> Violation | None:
    """Return the first rule the register's document data break, or None.

    ``data`` are whole top-level TLVs (what 07h accepted). With ``strict``
    False only the structural rules run: a broken STLV and a value over its
    maximum length, which the ФН cannot store. Forms without register data
    rules (7, 81..84) get the structural rules only.
    """
    nodes, violation = parse_tree(data)
    if violation is None:
        violation = _first(_check_length(node) for node in nodes)
    if violation is not None or not strict or context.form not in CONTROLLED_FORMS:
        return violation
    version = _document_version(nodes, context)
    return _first((
        lambda: _check_tags(nodes, context.form, version),
        lambda: _check_mandatory(nodes, context.form, version),
        lambda: _check_registration(nodes, context, version),
        lambda: _check_receipt(nodes, context, version),
    ))


def control_document(data: bytes, context: DocumentContext, strict: bool = True) -> None:
    """Run ``check_document`` and raise ControlViolation on a violation.

    ``FiscalStorage.form_document`` calls this before it signs a document.
    ``FiscalStorage.execute`` returns the violation's result code for the
    command and logs the rejection with the rule and the tag. Nothing is written.
    """
    violation = check_document(data, context, strict)
    if violation is not None:
        raise ControlViolation(violation)


def _first(checks: Iterable) -> Violation | None:
    for check in checks:
        violation = check() if callable(check) else check
        if violation is not None:
            return violation
    return None


def _check_length(node: Node) -> Violation | None:
    return check_length(node.tag, node.value) or _first(_check_length(child) for child in node.children or ())


def _document_version(nodes: list[Node], context: DocumentContext) -> int:
    if context.form in REGISTRATION_FORMS:
        for node in nodes:
            if node.tag == TAG_FFD_VERSION and len(node.value) == 1 and node.value[0] in SUPPORTED_VERSIONS:
                return node.value[0]
    return context.ffd_version


def _check_tags(nodes: list[Node], form: int, version: int) -> Violation | None:
    allowed = allowed_tags(form, version)
    return _check_siblings(nodes, allowed, repeatable_tags(form, version), version, f"a form {form} document")


def _check_siblings(nodes: Iterable[Node], allowed: frozenset[int] | None, repeatable: frozenset[int],
                    version: int, where: str) -> Violation | None:
    seen: set[int] = set()
    for node in nodes:
        if allowed is not None and node.tag not in allowed and is_known(node.tag):
            return Violation(Rule.TAG_ALLOWED, node.tag, f"the tag is not allowed in {where} under ФФД code {version}")
        if node.tag in seen and node.tag not in repeatable:
            return Violation(Rule.TAG_REPEATED, node.tag, f"the tag occurs more than once in {where}")
        seen.add(node.tag)
        violation = check_value(node.tag, node.value, version)
        if violation is None and node.children is not None:
            violation = _check_stlv(node, version)
        if violation is not None:
            return violation
    return None


def _check_stlv(node: Node, version: int) -> Violation | None:
    children = node.children or ()
    where = f"STLV {node.tag}"
    violation = _check_siblings(children, allowed_children(node.tag, version),
                                repeatable_children(node.tag, version), version, where)
    if violation is not None:
        return violation
    present = {child.tag for child in children}
    missing = sorted(mandatory_children(node.tag, version) - present)
    if missing:
        return Violation(Rule.TAG_MISSING, missing[0], f"{where} lacks its mandatory child {missing[0]}")
    if single_child(node.tag, version) and len(children) != 1:
        return Violation(Rule.VALUE_FORMAT, node.tag, f"{where} holds {len(children)} children, it must hold one")
    return None


def _check_mandatory(nodes: list[Node], form: int, version: int) -> Violation | None:
    missing = sorted(mandatory_tags(form, version) - {node.tag for node in nodes})
    if missing:
        return Violation(Rule.TAG_MISSING, missing[0], f"a form {form} document must contain tag {missing[0]}")
    return None


def _check_registration(nodes: list[Node], context: DocumentContext, version: int) -> Violation | None:
    """Check the tags that must agree with the current registration (19h)."""
    if context.form in REGISTRATION_FORMS:
        return None
    for node in nodes:
        if node.tag == TAG_FFD_VERSION and node.value != bytes((version,)):
            return Violation(Rule.REGISTRATION_MATCH, node.tag,
                             f"ФФД code {node.value.hex()} differs from the registered code {version}")
        if node.tag == TAG_TAXATION and context.taxation is not None and node.value[0] & ~context.taxation:
            return Violation(Rule.REGISTRATION_MATCH, node.tag,
                             f"taxation {node.value[0]:#04x} is not among the registered {context.taxation:#04x}")
    return None


def _check_receipt(nodes: list[Node], context: DocumentContext, version: int) -> Violation | None:
    if context.form not in RECEIPT_FORMS:
        return None
    items = (lambda item=item: check_item(item) for item in nodes if item.tag == TAG_ITEM)
    checks = [*items, lambda: check_totals(nodes), lambda: check_vat(nodes)]
    if context.form in CORRECTION_FORMS:
        checks.append(lambda: check_basis(nodes, context.moment, version))
    return _first(checks)
