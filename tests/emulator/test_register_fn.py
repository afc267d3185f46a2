"""The register's FF3Ah/FF3Bh cursor and the ФН client calls behind it, with stand-in ФН ports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.refusals import Reason, Refusal
from kktemu.emulator.register_fn import FnDocumentOperations
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.fn.archive import DocumentTlvInfoAnswer
from kktemu.protocol.fn.codes import FnCommand, FnResult


class ScriptedPort:
    """A ФН port that answers 45h with ``info`` and then each 46h with the next of ``answers``."""

    def __init__(self, info: DocumentTlvInfoAnswer, answers: list[tuple[int, bytes]]):
        self.info = info
        self.answers = list(answers)
        self.commands: list[int] = []

    def execute(self, command: int, data: bytes) -> tuple[int, bytes]:
        self.commands.append(command)
        if command == FnCommand.REQUEST_DOCUMENT_TLV:
            return FnResult.OK, self.info.encode()
        if command == FnCommand.READ_DOCUMENT_TLV:
            return self.answers.pop(0) if self.answers else (FnResult.NO_DATA, b"")
        raise AssertionError(f"unexpected command {command:02X}h")


class Reader(FnDocumentOperations):
    """The reading part of a register, over a scripted ФН."""

    def __init__(self, port):
        self.fn = FnClient(port)


def reader_for(items: list[bytes]) -> Reader:
    info = DocumentTlvInfoAnswer(3, sum(map(len, items)))
    return Reader(ScriptedPort(info, [(FnResult.OK, item) for item in items]))


def read_all(reader: Reader) -> list[bytes]:
    parts = []
    while True:
        try:
            parts.append(reader.next_document_tlv())
        except Refusal as refusal:
            assert refusal.fn_code == FnResult.NO_DATA
            return parts


tlv_items = st.lists(
    st.builds(encode_tlv, st.integers(1000, 1300), st.binary(max_size=600)), min_size=1, max_size=8)


@given(items=tlv_items, max_part=st.integers(1, 300))
def test_parts_join_to_document(items, max_part):
    reader = reader_for(items)
    info = reader.start_document_reading(3, max_part)
    parts = read_all(reader)
    assert b"".join(parts) == b"".join(items)
    assert info.length == len(b"".join(items))
    assert all(1 <= len(part) <= max_part for part in parts)
    # Each TLV starts a new answer: no answer mixes the end of one TLV with the next.
    expected = [item[start:start + max_part] for item in items for start in range(0, len(item), max_part)]
    assert parts == expected


@given(items=tlv_items)
def test_short_items_are_not_split(items):
    reader = reader_for(items)
    reader.start_document_reading(3, 0xFFFF)
    assert read_all(reader) == items


def test_read_without_request():
    reader = reader_for([encode_tlv(1008, b"a")])
    with pytest.raises(Refusal) as raised:
        reader.next_document_tlv()
    assert (raised.value.reason, raised.value.fn_code) == (Reason.FN_ERROR, FnResult.INVALID_STATE)


def test_fn_failure_during_reading():
    port = ScriptedPort(DocumentTlvInfoAnswer(3, 5), [(FnResult.FN_FAILURE, b"")])
    reader = Reader(port)
    with pytest.raises(Refusal) as raised:
        reader.start_document_reading(3, 252)
    assert raised.value.fn_code == FnResult.FN_FAILURE
    with pytest.raises(Refusal) as raised:
        reader.next_document_tlv()
    assert raised.value.fn_code == FnResult.INVALID_STATE


def test_warning_bit_is_not_an_error():
    item = encode_tlv(1008, b"abc")
    port = ScriptedPort(DocumentTlvInfoAnswer(3, len(item)), [(FnResult.OK | 0x80, item)])
    info, chunks = FnClient(port).document_tlv(3)
    assert (info.length, chunks) == (len(item), [item])
