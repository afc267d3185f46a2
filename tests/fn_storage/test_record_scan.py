"""The torn-tail scan for whole records gives the same verdicts as trying every byte in turn."""

from __future__ import annotations

import datetime as dt
import zlib
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kktemu.fn_storage import archive_file
from kktemu.fn_storage.archive_file import (
    HEADER_SIZE,
    MAX_PAYLOAD_SIZE,
    MAX_RECORD_SIZE,
    RECORD_OVERHEAD,
    ArchiveHeader,
    encode_record,
    parse_archive,
)
from kktemu.fn_storage.errors import ArchiveError
from kktemu.fn_storage.record_scan import first_whole_record

HEADER = ArchiveHeader(serial="9999078900000002", created=dt.datetime(2024, 5, 2, 8, 0), key_check=b"\x05\x06\x07\x08")
PATTERN = b"\x00\x00\x08\x00"  # length 512 KiB, 2 KiB or 8 at three of every four bytes


def _reference(data: bytes, start: int, stop: int) -> int | None:
    """The reader's former scan: check each start on its own, CRC-32 included."""
    for c in range(start, min(stop, len(data) - RECORD_OVERHEAD + 1)):
        length = int.from_bytes(data[c:c + 4], "little")
        end = c + RECORD_OVERHEAD + length
        if length <= MAX_PAYLOAD_SIZE and end <= len(data) and (
                zlib.crc32(data[c:end - 4]) == int.from_bytes(data[end - 4:end], "little")):
            return c
    return None


def _reference_scan(data: bytes, start: int, stop: int, overhead: int, max_payload: int) -> int | None:
    assert (overhead, max_payload) == (RECORD_OVERHEAD, MAX_PAYLOAD_SIZE)
    return _reference(data, start, stop)


def _verdict(image: bytes) -> tuple:
    """Return what parse_archive decides: the torn tail size, or the refusal's kind and details."""
    try:
        contents = parse_archive(image)
    except ArchiveError as exc:
        return ("refused", exc.kind, exc.offset, sorted(exc.details.items()), str(exc))
    return ("read", len(contents.documents), contents.valid_size, contents.torn_tail_bytes)


def _chunk() -> st.SearchStrategy[bytes]:
    payload_sizes = st.sampled_from([0, 1, 7, 300, 2040, 2100, 5000])
    return st.one_of(
        st.builds(lambda t, n, seed: encode_record(t, bytes((seed + i) % 256 for i in range(n))),
                  st.integers(0, 3), payload_sizes, st.integers(0, 255)),
        st.builds(bytes, st.integers(0, 600)),
        st.binary(max_size=40),
        st.builds(lambda k: PATTERN * k, st.integers(0, 40)),
        st.builds(lambda n: n.to_bytes(4, "little"), st.integers(0, 6000)),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(_chunk(), max_size=6), st.integers(0, 200))
def test_scan_matches_reference(chunks, start):
    data = b"".join(chunks)
    start = min(start, len(data))
    assert first_whole_record(data, start, len(data), RECORD_OVERHEAD, MAX_PAYLOAD_SIZE) == _reference(
        data, start, len(data))


@settings(max_examples=60, deadline=None)
@given(st.lists(_chunk(), max_size=5), st.integers(0, 3))
def test_reader_verdict_matches_reference(chunks, cut):
    first = encode_record(1, b"\x00" * 3)
    tail = b"".join(chunks)
    image = HEADER.encode() + first[:len(first) - cut] + tail
    with mock.patch.object(archive_file, "first_whole_record", _reference_scan):
        expected = _verdict(image)
    assert _verdict(image) == expected


@pytest.mark.parametrize("skew", [0, 1, 2, 3])
def test_record_among_same_size_fakes(skew):
    # Many earlier starts announce the same 4 KiB record, so the scan shifts their CRC-32 by table.
    fake = (4096).to_bytes(4, "little")
    real = encode_record(1, bytes(range(256)) * 16)
    data = b"\x07" * skew + fake * 40 + real + bytes(5000)
    found = first_whole_record(data, 0, len(data), RECORD_OVERHEAD, MAX_PAYLOAD_SIZE)
    assert found == skew + 160 == _reference(data, 0, len(data))


def test_stop_bounds_the_starts():
    real = encode_record(1, b"abc")
    data = bytes(10) + real
    assert first_whole_record(data, 0, 10, RECORD_OVERHEAD, MAX_PAYLOAD_SIZE) is None
    assert first_whole_record(data, 0, 11, RECORD_OVERHEAD, MAX_PAYLOAD_SIZE) == 10


def _crafted(tail: bytes) -> bytes:
    assert len(tail) <= MAX_RECORD_SIZE
    return HEADER.encode() + tail


def test_crafted_pattern_refused_as_trailing():
    tail = PATTERN * (MAX_RECORD_SIZE // 4)
    with pytest.raises(ArchiveError) as info:
        parse_archive(_crafted(tail))
    assert info.value.kind == "crc_with_trailing"
    assert info.value.offset == HEADER_SIZE


@pytest.mark.parametrize("zeros", [4, 1 << 19, MAX_RECORD_SIZE])
def test_crafted_zeros_pattern_torn_tail(zeros):
    # A zero length field limits nothing, so without a whole record in it the tail is torn.
    tail = bytes(zeros) + PATTERN * ((MAX_RECORD_SIZE - zeros) // 4)
    contents = parse_archive(_crafted(tail))
    assert contents.torn_tail_bytes == len(tail)
    assert contents.valid_size == HEADER_SIZE


def test_crafted_hidden_record_refused():
    real = encode_record(1, b"\x11" * 3000)
    filler = PATTERN * ((MAX_RECORD_SIZE - len(real) - 1) // 4)
    tail = filler + b"\x01" + real
    with pytest.raises(ArchiveError) as info:
        parse_archive(_crafted(tail))
    assert info.value.kind == "record_after_broken"
    assert info.value.details["position"] == HEADER_SIZE + len(filler) + 1
