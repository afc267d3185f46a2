"""ФН archive files with damaged tails or foreign bytes, opened by the ФН and read by ``fn inspect``.

Only an interrupted append may be cut off when the ФН opens its file: a prefix
of the last record, or sectors that read as zeros because they never reached
the disk. A changed byte in the last record, a length field made larger, or
foreign bytes after the last record are damage. Then the file must stay byte
for byte as it was and the ФН must refuse to open it, because cutting it would
lose a fiscal document.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from click.testing import CliRunner

from kktemu.fn_storage import FiscalStorage, read_archive
from kktemu.fn_storage.archive_file import HEADER_SIZE, SECTOR_SIZE, parse_archive
from kktemu.fn_storage.errors import ArchiveError
from kktemu.protocol.fn.service import StatusAnswer
from kktemu.protocol.shtrih import commands as c
from kktemu.tools.cli import main

ADMIN = 30
CASHIER = 1
LENGTH_SIZE = 4


def _clock() -> dt.datetime:
    return dt.datetime(2024, 3, 1, 10, 0)


def _sale(number: int) -> bytes:
    # Long names make the receipt record cross a disk sector boundary.
    return c.SaleRequest(CASHIER, 1000, 100 + number, 1, (1, 0, 0, 0), f"Товар {number} " + "x" * 100).encode()


def _record_offsets(image: bytes) -> list[int]:
    offsets = []
    offset = HEADER_SIZE
    while offset < len(image):
        offsets.append(offset)
        offset += 9 + int.from_bytes(image[offset:offset + LENGTH_SIZE], "little")
    assert offset == len(image)
    return offsets


@pytest.fixture
def archive(kkt):
    """A closed archive of ФД 1 (registration), 2 (open shift) and 3 (a receipt over two sectors)."""
    for body in (c.OpenShiftRequest(ADMIN).encode(), _sale(1), _sale(2), _sale(3),
                 c.CloseReceiptRequest(CASHIER, (1_000_000, 0, 0, 0), 0, (0, 0, 0, 0), "").encode()):
        answer = kkt.execute(body)
        assert answer[1] == 0, f"{body[0]:02X}h refused with {answer[1]:02X}h"
    kkt.emulator.close()
    image = kkt.fn_path.read_bytes()
    assert len(read_archive(kkt.fn_path).documents) == 3
    return kkt.fn_path, image


def _assert_open_refused(path, image: bytes, match: str) -> None:
    path.write_bytes(image)
    with pytest.raises(ArchiveError, match=match):
        FiscalStorage.open(path, _clock)
    assert path.read_bytes() == image


def test_changed_byte_in_last_record_refused(archive):
    path, image = archive
    last = _record_offsets(image)[-1]
    for position in range(last, len(image)):
        for flip in (0x01, 0xFF):
            damaged = bytearray(image)
            damaged[position] ^= flip
            with pytest.raises(ArchiveError):
                parse_archive(bytes(damaged))
    damaged = bytearray(image)
    damaged[-20] ^= 0x01
    _assert_open_refused(path, bytes(damaged), "not an interrupted write")


@pytest.mark.parametrize("added", [1, 200, 0x10000])
def test_larger_length_field_refused(archive, added):
    path, image = archive
    last = _record_offsets(image)[-1]
    length = int.from_bytes(image[last:last + LENGTH_SIZE], "little")
    damaged = bytearray(image)
    damaged[last:last + LENGTH_SIZE] = (length + added).to_bytes(LENGTH_SIZE, "little")
    _assert_open_refused(path, bytes(damaged), "length field is damaged")


FOREIGN_TAILS = {
    "text": b"hello, this is not a record\n",
    "PNG": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "short record then bytes": b"\x05\x00\x00\x00" + b"\x01" * 20,
    "counting bytes": bytes(range(256)) * 8,
}


@pytest.mark.parametrize("tail", FOREIGN_TAILS.values(), ids=FOREIGN_TAILS.keys())
def test_foreign_bytes_after_archive_refused(archive, tail):
    path, image = archive
    _assert_open_refused(path, image + tail, "damaged")


def test_inspect_refuses_damaged_last_record(archive):
    path, image = archive
    damaged = bytearray(image)
    damaged[-20] ^= 0x01
    path.write_bytes(bytes(damaged))
    result = CliRunner().invoke(main, ["fn", "inspect", str(path)], env={"LC_ALL": None, "LANG": None})
    assert result.exit_code == 1, result.output
    assert "damaged" in result.output
    assert "interrupted write" in result.output
    assert path.read_bytes() == bytes(damaged)


def test_zeroed_sector_of_last_record_is_cut(archive, caplog):
    # A power cut before fsync can leave the file grown by the record with a sector
    # that never reached the disk. The record was never answered, so it goes.
    path, image = archive
    last = _record_offsets(image)[-1]
    boundary = (last + LENGTH_SIZE) // SECTOR_SIZE * SECTOR_SIZE + SECTOR_SIZE
    assert boundary < len(image), "the receipt record must cross a sector boundary"
    torn = bytearray(image)
    torn[boundary:min(boundary + SECTOR_SIZE, len(image))] = bytes(min(SECTOR_SIZE, len(image) - boundary))
    path.write_bytes(bytes(torn))
    with caplog.at_level(logging.WARNING, logger="kktemu.fn_storage"):
        with FiscalStorage.open(path, _clock) as storage:
            assert StatusAnswer.decode(storage.execute(0x30, b"")[1]).last_fd_number == 2
    assert "torn tail" in caplog.text
    assert path.read_bytes() == image[:last]


def test_prefix_of_last_record_is_cut(archive):
    path, image = archive
    last = _record_offsets(image)[-1]
    for kept in (1, LENGTH_SIZE, 100, len(image) - last - 1):
        path.write_bytes(image[:last + kept])
        with FiscalStorage.open(path, _clock):
            pass
        assert path.read_bytes() == image[:last]
