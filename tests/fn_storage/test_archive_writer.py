"""Archive writer: what each power cut point leaves in the file, and how the reader takes it."""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage.archive_file import (
    HEADER_SIZE,
    RECORD_DOCUMENT,
    ArchivedDocument,
    ArchiveHeader,
    ArchiveWriter,
    encode_record,
    parse_archive,
)
from kktemu.fn_storage.errors import ArchiveError, InvalidArgumentError
from kktemu.fn_storage.power import CutPoint, PowerCut, PowerSwitch, Unsynced
from kktemu.protocol.ffd.tlv import encode_tlv

HEADER = ArchiveHeader(serial="9999078900000001", created=dt.datetime(2024, 3, 1, 9, 0, 5), key_check=b"\x01\x02\x03\x04")


def _record(number: int) -> bytes:
    document = ArchivedDocument(
        fd_number=number,
        form=3,
        moment=dt.datetime(2024, 3, 1, 10, number),
        fn_time=dt.datetime(2024, 3, 1, 10, number, 30),
        fiscal_sign=1000 + number,
        details=bytes((1,)) + (100 * number).to_bytes(5, "little"),
        stlv=encode_tlv(3, encode_tlv(1040, number.to_bytes(4, "little")) + encode_tlv(1030, b"x" * 40)),
    )
    return encode_record(RECORD_DOCUMENT, document.encode_payload())


class _Writer:
    """An archive with one record and a power switch whose cut closes the writer."""

    def __init__(self, path):
        self.path = path
        self.writer = ArchiveWriter.create(path, HEADER)
        self.writer.append(_record(1))
        self.closed = 0
        self.power = PowerSwitch(on_cut=self._on_cut)
        self.writer.power = self.power
        self.before = path.read_bytes()

    def _on_cut(self):
        self.closed += 1
        self.writer.close()


@pytest.fixture
def archive(tmp_path):
    archive = _Writer(tmp_path / "archive.bin")
    yield archive
    archive.writer.close()


def _cut(archive, point, **outcome) -> PowerCut:
    archive.power.cut_at(point, **outcome)
    with pytest.raises(PowerCut) as info:
        archive.writer.append(_record(2))
    return info.value


def test_before_write_leaves_file_unchanged(archive):
    cut = _cut(archive, CutPoint.BEFORE_WRITE)
    assert archive.path.read_bytes() == archive.before
    assert cut.point is CutPoint.BEFORE_WRITE
    assert cut.offset == len(archive.before)
    assert cut.size == len(_record(2))


@pytest.mark.parametrize("written", [1, 4, 5, 9, 30, 10_000])
def test_partial_write_leaves_record_prefix(archive, written):
    _cut(archive, CutPoint.PARTIAL_WRITE, written=written)
    record = _record(2)
    kept = min(written, len(record) - 1)
    assert archive.path.read_bytes() == archive.before + record[:kept]
    contents = parse_archive(archive.path.read_bytes())
    assert len(contents.documents) == 1
    assert contents.torn_tail_bytes == kept


@pytest.mark.parametrize(
    ("unsynced", "tail"),
    [(Unsynced.LOST, b""), (Unsynced.KEPT, _record(2)), (Unsynced.ZEROED, bytes(len(_record(2))))],
)
def test_unsynced_outcomes(archive, unsynced, tail):
    _cut(archive, CutPoint.AFTER_WRITE_BEFORE_FSYNC, unsynced=unsynced)
    assert archive.path.read_bytes() == archive.before + tail


def test_zeroed_record_reads_as_torn_tail(archive):
    _cut(archive, CutPoint.AFTER_WRITE_BEFORE_FSYNC, unsynced=Unsynced.ZEROED)
    contents = parse_archive(archive.path.read_bytes())
    assert len(contents.documents) == 1
    assert contents.valid_size == len(archive.before)
    assert contents.torn_tail_bytes == len(_record(2))


def test_after_fsync_keeps_whole_record(archive):
    _cut(archive, CutPoint.AFTER_FSYNC_BEFORE_ANSWER)
    assert archive.path.read_bytes() == archive.before + _record(2)
    assert len(parse_archive(archive.path.read_bytes()).documents) == 2


@pytest.mark.parametrize("point", list(CutPoint))
def test_cut_closes_writer_once(archive, point):
    outcome = {CutPoint.PARTIAL_WRITE: {"written": 3},
               CutPoint.AFTER_WRITE_BEFORE_FSYNC: {"unsynced": Unsynced.KEPT}}.get(point, {})
    _cut(archive, point, **outcome)
    assert archive.closed == 1
    assert archive.power.is_off
    with pytest.raises(ArchiveError, match="closed"):
        archive.writer.append(_record(2))


def test_cut_releases_lock(archive):
    _cut(archive, CutPoint.BEFORE_WRITE)
    reopened = ArchiveWriter.open(archive.path)
    reopened.close()


def test_cut_after_counts_appends(archive):
    archive.power.cut_at(CutPoint.BEFORE_WRITE, after=1)
    archive.writer.append(_record(2))
    assert archive.power.armed is not None
    with pytest.raises(PowerCut):
        archive.writer.append(_record(3))
    assert len(parse_archive(archive.path.read_bytes()).documents) == 2


def test_disarm_lets_appends_through(archive):
    archive.power.cut_at(CutPoint.BEFORE_WRITE)
    archive.power.disarm()
    archive.writer.append(_record(2))
    assert not archive.power.is_off


@pytest.mark.parametrize(
    ("point", "outcome"),
    [
        (CutPoint.PARTIAL_WRITE, {}),
        (CutPoint.PARTIAL_WRITE, {"written": 0}),
        (CutPoint.BEFORE_WRITE, {"written": 3}),
        (CutPoint.AFTER_WRITE_BEFORE_FSYNC, {}),
        (CutPoint.AFTER_FSYNC_BEFORE_ANSWER, {"unsynced": Unsynced.LOST}),
        (CutPoint.BEFORE_WRITE, {"after": -1}),
    ],
)
def test_cut_at_rejects_bad_combinations(archive, point, outcome):
    with pytest.raises(InvalidArgumentError):
        archive.power.cut_at(point, **outcome)


def test_cut_at_rejects_dead_switch(archive):
    archive.power.cut_now()
    with pytest.raises(InvalidArgumentError, match="already off"):
        archive.power.cut_at(CutPoint.BEFORE_WRITE)


def test_whole_record_after_torn_one_is_damage():
    image = HEADER.encode() + _record(1)[:-3] + _record(2)
    with pytest.raises(ArchiveError, match="whole record follows") as info:
        parse_archive(image)
    assert info.value.offset == HEADER_SIZE


def test_zeros_then_whole_record_is_damage():
    image = HEADER.encode() + bytes(40) + _record(1)
    with pytest.raises(ArchiveError, match="whole record follows"):
        parse_archive(image)


def test_tail_longer_than_record_is_damage():
    image = HEADER.encode() + _record(1) + bytes(9 + (1 << 20) + 1)
    with pytest.raises(ArchiveError, match="more than one record"):
        parse_archive(image)


def test_zeroed_block_then_prefix_is_torn_tail():
    record = _record(2)
    tail = bytes(16) + record[16:40]
    contents = parse_archive(HEADER.encode() + _record(1) + tail)
    assert len(contents.documents) == 1
    assert contents.torn_tail_bytes == len(tail)


@pytest.mark.parametrize(
    ("outcome", "truncated"),
    [
        ({"point": CutPoint.BEFORE_WRITE}, False),
        ({"point": CutPoint.PARTIAL_WRITE, "written": 5}, False),
        ({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.LOST}, False),
        ({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.ZEROED}, False),
        ({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.KEPT}, True),
        ({"point": CutPoint.AFTER_FSYNC_BEFORE_ANSWER}, True),
    ],
)
def test_truncation_cut_keeps_old_or_new_size(archive, outcome, truncated):
    archive.power.cut_at(**outcome)
    with pytest.raises(PowerCut, match="truncation") as info:
        archive.writer.truncate(HEADER_SIZE)
    expected = archive.before[:HEADER_SIZE] if truncated else archive.before
    assert archive.path.read_bytes() == expected
    assert info.value.offset == HEADER_SIZE
    assert info.value.size == len(archive.before) - HEADER_SIZE
    assert archive.closed == 1


def test_truncation_counts_as_write(archive):
    archive.power.cut_at(CutPoint.BEFORE_WRITE, after=1)
    archive.writer.truncate(HEADER_SIZE)
    with pytest.raises(PowerCut, match="record"):
        archive.writer.append(_record(1))
    assert archive.path.read_bytes() == archive.before[:HEADER_SIZE]
