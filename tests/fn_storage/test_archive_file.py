"""Archive file layout: header, records, torn tails and damage."""

from __future__ import annotations

import datetime as dt
import logging
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.fn_storage.archive_file import (
    HEADER_SIZE,
    RECORD_DOCUMENT,
    ArchivedDocument,
    ArchiveHeader,
    ArchiveWriter,
    encode_record,
    parse_archive,
    read_archive,
)
from kktemu.fn_storage.errors import ArchiveError
from kktemu.protocol.ffd.tlv import encode_tlv

# A torn tail is shorter than the longest record these tests write.
RECORD_OVERHEAD_MAX = 9 + 25 + 40 + 204

HEADER = ArchiveHeader(serial="9999078900000001", created=dt.datetime(2024, 3, 1, 9, 0, 5), key_check=b"\x01\x02\x03\x04")


def _document(number: int) -> ArchivedDocument:
    return ArchivedDocument(
        fd_number=number,
        form=3,
        moment=dt.datetime(2024, 3, 1, 10, number),
        fn_time=dt.datetime(2024, 3, 1, 10, number, 30),
        fiscal_sign=1000 + number,
        details=bytes((1,)) + (100 * number).to_bytes(5, "little"),
        stlv=encode_tlv(3, encode_tlv(1040, number.to_bytes(4, "little"))),
    )


def _image(count: int) -> bytes:
    return HEADER.encode() + b"".join(
        encode_record(RECORD_DOCUMENT, _document(number).encode_payload()) for number in range(1, count + 1)
    )


def test_header_round_trip():
    raw = HEADER.encode()
    assert len(raw) == HEADER_SIZE
    assert ArchiveHeader.decode(raw) == HEADER


def test_document_payload_round_trip():
    document = _document(3)
    assert ArchivedDocument.decode_payload(document.encode_payload()) == document


def test_document_record_is_40h_layout():
    document = _document(3)
    assert document.record == bytes((24, 3, 1, 10, 3)) + (3).to_bytes(4, "little") + (1003).to_bytes(4, "little") \
        + document.details


def test_parse_whole_archive():
    contents = parse_archive(_image(3))
    assert contents.header == HEADER
    assert [document.fd_number for document in contents.documents] == [1, 2, 3]
    assert contents.torn_tail_bytes == 0


def test_every_cut_inside_last_record_is_torn_tail():
    image = _image(3)
    whole_two = len(_image(2))
    for size in range(whole_two + 1, len(image)):
        contents = parse_archive(image[:size])
        assert len(contents.documents) == 2, size
        assert contents.valid_size == whole_two
        assert contents.torn_tail_bytes == size - whole_two


def test_garbled_last_record_is_damage():
    # A lost disk sector reads as zeros, so a changed byte is damage and not an interrupted write.
    image = bytearray(_image(3))
    image[-6] ^= 0xFF
    with pytest.raises(ArchiveError, match="not an interrupted write"):
        parse_archive(bytes(image))


def test_crc_error_in_middle_is_damage():
    image = bytearray(_image(3))
    image[HEADER_SIZE + 12] ^= 0xFF
    with pytest.raises(ArchiveError, match="CRC-32 does not match") as info:
        parse_archive(bytes(image))
    assert info.value.offset == HEADER_SIZE


def test_impossible_length_is_damage():
    image = bytearray(_image(2))
    image[HEADER_SIZE:HEADER_SIZE + 4] = (1 << 30).to_bytes(4, "little")
    with pytest.raises(ArchiveError, match="impossible"):
        parse_archive(bytes(image))


@pytest.mark.parametrize(
    ("offset", "message"),
    [(0, "magic"), (20, "header CRC-32"), (47, "header CRC-32")],
)
def test_damaged_header_is_refused(offset, message):
    image = bytearray(_image(1))
    image[offset] ^= 0x01
    with pytest.raises(ArchiveError, match=message):
        parse_archive(bytes(image))


def test_short_file_is_refused():
    with pytest.raises(ArchiveError, match="shorter than"):
        parse_archive(b"KKTEMU")


def test_unknown_version_is_refused():
    body = bytearray(HEADER.encode()[:44])
    body[8:10] = (2).to_bytes(2, "little")
    with pytest.raises(ArchiveError, match="version 2"):
        parse_archive(bytes(body) + zlib.crc32(bytes(body)).to_bytes(4, "little"))


def test_unknown_record_type_is_refused():
    image = HEADER.encode() + encode_record(9, b"future")
    with pytest.raises(ArchiveError, match="record type 9"):
        parse_archive(image)


def test_out_of_sequence_numbers_are_refused():
    image = HEADER.encode() + encode_record(RECORD_DOCUMENT, _document(2).encode_payload())
    with pytest.raises(ArchiveError, match="ФД number 2 where 1"):
        parse_archive(image)


def test_read_archive_leaves_file_unchanged(tmp_path):
    path = tmp_path / "archive.bin"
    image = _image(2) + b"\x10\x00"
    path.write_bytes(image)
    contents = read_archive(path)
    assert contents.torn_tail_bytes == 2
    assert path.read_bytes() == image


def test_writer_cuts_torn_tail_with_warning(tmp_path, caplog):
    path = tmp_path / "archive.bin"
    path.write_bytes(_image(3)[:len(_image(2)) + 7])
    writer = ArchiveWriter.open(path)
    contents = parse_archive(writer.read_all())
    with caplog.at_level(logging.WARNING, logger="kktemu.fn_storage.archive_writer"):
        writer.cut_torn_tail(contents.valid_size)
    writer.close()
    assert path.read_bytes() == _image(2)
    assert "7-byte torn tail" in caplog.text


def test_writer_refuses_existing_file(tmp_path):
    path = tmp_path / "archive.bin"
    path.write_bytes(b"old")
    with pytest.raises(ArchiveError, match="already exists"):
        ArchiveWriter.create(path, HEADER)
    assert path.read_bytes() == b"old"


def test_writer_lock_refuses_second_writer(tmp_path):
    path = tmp_path / "archive.bin"
    first = ArchiveWriter.create(path, HEADER)
    try:
        with pytest.raises(ArchiveError, match="locked"):
            ArchiveWriter.open(path)
    finally:
        first.close()


def test_writer_appends_records(tmp_path):
    path = tmp_path / "archive.bin"
    writer = ArchiveWriter.create(path, HEADER)
    for number in (1, 2):
        writer.append(encode_record(RECORD_DOCUMENT, _document(number).encode_payload()))
    writer.close()
    assert path.read_bytes() == _image(2)


@st.composite
def archived_documents(draw):
    count = draw(st.integers(0, 6))
    result = []
    for number in range(1, count + 1):
        form = draw(st.sampled_from([1, 2, 3, 5, 11, 21]))
        moment = draw(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2200, 1, 1))).replace(second=0, microsecond=0)
        result.append(ArchivedDocument(
            fd_number=number,
            form=form,
            moment=moment,
            fn_time=draw(st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2200, 1, 1))).replace(microsecond=0),
            fiscal_sign=draw(st.integers(0, 0xFFFFFFFF)),
            details=draw(st.binary(max_size=40)),
            stlv=encode_tlv(form, draw(st.binary(max_size=200))),
        ))
    return result


@given(archived_documents(), st.data())
def test_archive_round_trip_and_any_cut(documents, data):
    image = HEADER.encode() + b"".join(
        encode_record(RECORD_DOCUMENT, document.encode_payload()) for document in documents
    )
    contents = parse_archive(image)
    assert contents.documents == documents
    assert contents.torn_tail_bytes == 0
    cut = data.draw(st.integers(HEADER_SIZE, len(image)))
    prefix = parse_archive(image[:cut])
    assert prefix.documents == documents[:len(prefix.documents)]
    assert prefix.valid_size + prefix.torn_tail_bytes == cut
    assert prefix.torn_tail_bytes < RECORD_OVERHEAD_MAX
