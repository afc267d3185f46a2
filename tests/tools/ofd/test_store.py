"""The mock ОФД's stores: records, the index codec, restarts, torn tails, the lock."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.tools.ofd import (
    DirectoryStore,
    MemoryStore,
    Result,
    StoredDocument,
    StoreError,
    StoreLockedError,
    parse_message,
    read_store,
)
from kktemu.tools.ofd.store import INDEX_NAME, MESSAGES_DIR

RECEIVED = dt.datetime(2024, 3, 1, 6, 31, 5)

records = st.builds(
    StoredDocument,
    sequence=st.integers(1, 10**9),
    fn_serial=st.text(alphabet="0123456789", min_size=1, max_size=16),
    fd_number=st.integers(0, 0xFFFFFFFF),
    form=st.integers(0, 255),
    document_time=st.none() | st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)),
    fiscal_sign=st.none() | st.integers(0, 0xFFFFFFFF),
    result=st.sampled_from(Result.ALL),
    code=st.none() | st.integers(0, 255),
    received_at=st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)),
    peer=st.text(max_size=40),
    file=st.none() | st.text(min_size=1, max_size=40),
    detail=st.text(max_size=80),
)


@given(records)
def test_index_record_round_trip(record):
    line = json.dumps(record.to_json(), ensure_ascii=False)
    assert StoredDocument.from_json(json.loads(line)) == record


@pytest.mark.parametrize(("field", "value", "text"), [
    ("sequence", "1", "field 'sequence': '1' is not an integer"),
    ("fd_number", None, "field 'fd_number': None is not an integer"),
    ("fd_number", True, "field 'fd_number': True is not an integer"),
    ("received_at", "yesterday", "field 'received_at': 'yesterday' is not an ISO 8601 date and time"),
    ("received_at", 5, "field 'received_at': 5 is not a string"),
    ("document_time", [], "field 'document_time': [] is not a string"),
    ("result", "lost", "unknown result 'lost' in field 'result'"),
    ("fn_serial", 5, "field 'fn_serial': 5 is not a string"),
    ("file", 7, "field 'file': 7 is not a string"),
])
def test_index_record_invalid_field(field, value, text):
    data = StoredDocument(1, "9999078900000001", 1, 1, None, None, Result.ACCEPTED, 0, RECEIVED, "p").to_json()
    data[field] = value
    with pytest.raises(StoreError) as caught:
        StoredDocument.from_json(data)
    assert str(caught.value) == text


def test_index_record_missing_field():
    data = StoredDocument(1, "9999078900000001", 1, 1, None, None, Result.ACCEPTED, 0, RECEIVED, "p").to_json()
    del data["peer"]
    with pytest.raises(StoreError, match="^missing field 'peer'$"):
        StoredDocument.from_json(data)


def test_index_record_missing_fields_listed():
    with pytest.raises(StoreError) as caught:
        StoredDocument.from_json({"a": 1})
    text = str(caught.value)
    assert text.startswith("missing fields 'sequence', 'fn_serial', ")
    assert text.endswith("'received_at', 'peer'")
    assert "Error" not in text


def test_index_record_optional_fields_absent():
    data = StoredDocument(1, "9999078900000001", 1, 1, None, None, Result.ACCEPTED, 0, RECEIVED, "p").to_json()
    del data["file"]
    del data["detail"]
    record = StoredDocument.from_json(data)
    assert record.file is None
    assert record.detail == ""


@pytest.fixture
def received(kit, fn_emulator):
    """The ФН's message for ФД 1, parsed as the server parses it."""
    return parse_message(kit.read_fn_message(fn_emulator.storage))


def test_memory_store(received):
    store = MemoryStore()
    first = store.add(received, result=Result.REJECTED, code=14, received_at=RECEIVED, peer="127.0.0.1:5")
    second = store.add(received, result=Result.ACCEPTED, code=0, received_at=RECEIVED, peer="127.0.0.1:6")
    assert (first.sequence, second.sequence) == (1, 2)
    assert store.documents() == [first, second]
    assert store.message(2) == received.raw
    assert first.file is None
    with pytest.raises(ValueError):
        store.add(received, result="lost", code=None, received_at=RECEIVED, peer="p")


def test_directory_store_files(received, tmp_path):
    store = DirectoryStore(tmp_path / "store")
    record = store.add(received, result=Result.ACCEPTED, code=0, received_at=RECEIVED, peer="127.0.0.1:5")
    store.close()
    assert record.file == f"00000001-{received.fn_serial}-1.bin"
    assert (tmp_path / "store" / MESSAGES_DIR / record.file).read_bytes() == received.raw
    lines = (tmp_path / "store" / INDEX_NAME).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [record.to_json()]
    assert sorted(path.name for path in (tmp_path / "store" / MESSAGES_DIR).iterdir()) == [record.file]


def test_directory_store_reopened(received, tmp_path):
    store = DirectoryStore(tmp_path / "store")
    first = store.add(received, result=Result.HELD, code=None, received_at=RECEIVED, peer="a")
    store.close()
    store = DirectoryStore(tmp_path / "store")
    second = store.add(received, result=Result.ACCEPTED, code=0, received_at=RECEIVED, peer="b")
    assert store.documents() == [first, second]
    store.close()
    assert read_store(tmp_path / "store") == [first, second]


def test_directory_store_locked(received, tmp_path):
    store = DirectoryStore(tmp_path / "store")
    try:
        with pytest.raises(StoreLockedError):
            DirectoryStore(tmp_path / "store")
        # Readers take no lock.
        assert read_store(tmp_path / "store") == []
    finally:
        store.close()
    DirectoryStore(tmp_path / "store").close()


def test_index_every_prefix(received, tmp_path):
    """An index cut at any byte reads as its complete lines (the whole file, byte by byte, torn tails)."""
    store = DirectoryStore(tmp_path / "full", sync=False)
    written = [store.add(received, result=result, code=None, received_at=RECEIVED, peer="p")
               for result in (Result.ACCEPTED, Result.DROPPED, Result.REJECTED)]
    store.close()
    index = (tmp_path / "full" / INDEX_NAME).read_bytes()
    (tmp_path / "cut").mkdir()
    for length in range(len(index) + 1):
        (tmp_path / "cut" / INDEX_NAME).write_bytes(index[:length])
        complete_lines = index[:length].count(b"\n")
        assert read_store(tmp_path / "cut") == written[:complete_lines], f"index cut at byte {length}"


def test_torn_tail_cut_on_open(received, tmp_path):
    store = DirectoryStore(tmp_path / "store")
    first = store.add(received, result=Result.ACCEPTED, code=0, received_at=RECEIVED, peer="p")
    store.close()
    index = tmp_path / "store" / INDEX_NAME
    with open(index, "ab") as file:
        file.write(b'{"sequence": 2, "fn_ser')
    store = DirectoryStore(tmp_path / "store")
    second = store.add(received, result=Result.ACCEPTED, code=0, received_at=RECEIVED, peer="p")
    store.close()
    assert second.sequence == 2
    assert read_store(tmp_path / "store") == [first, second]
    assert index.read_bytes().count(b"\n") == 2


@pytest.mark.parametrize("content", [b"not json\n", b"[1, 2]\n", b'{"sequence": 1}\n'])
def test_damaged_index(tmp_path, content):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / INDEX_NAME).write_bytes(content)
    with pytest.raises(StoreError):
        read_store(tmp_path / "store")
    with pytest.raises(StoreError):
        DirectoryStore(tmp_path / "store")
    # A failed open releases the lock.
    (tmp_path / "store" / INDEX_NAME).write_bytes(b"")
    DirectoryStore(tmp_path / "store").close()


def test_store_path_is_file(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StoreError):
        DirectoryStore(tmp_path / "file")
    with pytest.raises(NotADirectoryError):
        read_store(tmp_path / "file")
