"""The document data as a tree of TLVs, with every STLV of the dictionary split into its children."""

from __future__ import annotations

from dataclasses import dataclass

from ...protocol.errors import DecodeError
from ...protocol.ffd.tags import is_stlv
from ...protocol.ffd.tlv import split_tlv
from .violation import Rule, Violation

# Real documents nest STLVs three levels deep (1059 > 1223 > 1075 is the deepest
# the register sends), so anything past this depth is malformed.
MAX_DEPTH = 4


@dataclass(frozen=True)
class Node:
    """One TLV. ``children`` is the split value of an STLV, None for any other tag."""

    tag: int
    value: bytes
    children: tuple[Node, ...] | None = None

    def child_values(self, tag: int) -> list[bytes]:
        """Return the values of the children with ``tag``, in order."""
        return [child.value for child in self.children or () if child.tag == tag]

    def child(self, tag: int) -> bytes | None:
        """Return the value of the first child with ``tag``, or None."""
        values = self.child_values(tag)
        return values[0] if values else None


def parse_tree(data: bytes) -> tuple[list[Node], Violation | None]:
    """Split document data into nodes, splitting every STLV the dictionary defines.

    Returns the nodes and None, or an empty list and a ``tlv-structure``
    violation when an STLV value is not a whole TLV sequence or nests deeper
    than MAX_DEPTH. The top level must already be whole TLVs (07h checks it).
    """
    try:
        return _parse(data, depth=0), None
    except _Broken as broken:
        return [], Violation(Rule.TLV_STRUCTURE, broken.tag, broken.detail)


class _Broken(Exception):
    def __init__(self, tag: int, detail: str):
        super().__init__(detail)
        self.tag = tag
        self.detail = detail


def _parse(data: bytes, depth: int, parent: int | None = None) -> list[Node]:
    try:
        items = split_tlv(data)
    except DecodeError as exc:
        where = "the document data" if parent is None else f"the value of STLV {parent}"
        raise _Broken(parent, f"{where} is not a whole TLV sequence: {exc}") from None
    nodes = []
    for tag, value in items:
        if not is_stlv(tag):
            nodes.append(Node(tag, value))
            continue
        if depth + 1 >= MAX_DEPTH:
            raise _Broken(tag, f"STLV {tag} nests deeper than {MAX_DEPTH} levels")
        nodes.append(Node(tag, value, tuple(_parse(value, depth + 1, tag))))
    return nodes
