"""A ФН driven only through execute(): registration, shift, receipt, close shift, reopen."""

from __future__ import annotations

import logging

import pytest

from kktemu.fn_storage import ArchiveError, FiscalStorage, read_archive, verify_document
from kktemu.fn_storage.forming import FN_BLOCK_TAGS
from kktemu.fn_storage.profile import FnProfile
from kktemu.fn_storage.signing import printed_fiscal_sign
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_uint, decode_unixtime, decode_vln, encode_fvln
from kktemu.protocol.fn import archive, documents, service
from kktemu.protocol.fn.codes import FnCommand, FnResult
from decimal import Decimal

# The documents here are minimal (a registration without its flags, say), so the ФН
# runs with the strict format-logical control off; tests/fn_storage/flc tests the control.
MINIMAL_DOCUMENTS = FnProfile(strict_control=False)
CASH = 30000
CASHLESS = 19990
TOTAL = CASH + CASHLESS


def _receipt_tlv(kkt) -> bytes:
    return (
        encode_tlv(1209, b"\x04")
        + kkt.text(1021, "Иванова А.")
        + encode_tlv(1054, b"\x01")
        + encode_tlv(1055, b"\x01")
        + kkt.item("Хлеб", 4999, encode_tlv(1023, encode_fvln(Decimal("2.000"))), 9998, 1)
        + kkt.item("Молоко", 39992, encode_tlv(1023, encode_fvln(Decimal("1"))), 39992, 2)
        + kkt.money(1020, TOTAL)
        + kkt.money(1031, CASH)
        + kkt.money(1081, CASHLESS)
        + kkt.money(1215, 0)
        + kkt.money(1216, 0)
        + kkt.money(1217, 0)
        + kkt.money(1102, 1666)
        + kkt.money(1103, 3636)
    )


def _items(stlv: bytes) -> list[tuple[int, bytes]]:
    (_, value), = split_tlv(stlv)
    return split_tlv(value)


def _children(tag: int, value: bytes) -> dict[int, bytes]:
    return dict(_items(encode_tlv(tag, value)))


def _stream_document(kkt, fd_number: int) -> bytes:
    info = archive.DocumentTlvInfoAnswer.decode(
        kkt.call(FnCommand.REQUEST_DOCUMENT_TLV, archive.DocumentTlvRequest(fd_number).encode())
    )
    value = b""
    while True:
        result, answer = kkt.fn.execute(FnCommand.READ_DOCUMENT_TLV, b"")
        if result == FnResult.NO_DATA:
            break
        assert result == FnResult.OK
        value += answer
    assert len(value) == info.length
    return encode_tlv(info.document_type, value)


@pytest.fixture
def day(kkt):
    """One working day: registration, open shift, one receipt, close shift."""
    registration = kkt.register()
    kkt.clock.advance(minutes=5)
    opened = kkt.open_shift()
    kkt.clock.advance(minutes=5)
    receipt_tlv = _receipt_tlv(kkt)
    receipt = kkt.receipt(receipt_tlv, operation=1, total=TOTAL)
    kkt.clock.advance(hours=8)
    closed = kkt.close_shift()
    return registration, opened, receipt, receipt_tlv, closed


def test_lifecycle_numbers(day):
    _, opened, receipt, _, closed = day
    assert (opened.shift_number, opened.fd_number) == (1, 2)
    assert (receipt.receipt_number, receipt.fd_number) == (1, 3)
    assert (closed.shift_number, closed.fd_number) == (1, 4)


def test_lifecycle_archive_signs_verify(day, kkt, archive_path):
    _, opened, receipt, _, closed = day
    contents = read_archive(archive_path)
    assert [document.fd_number for document in contents.documents] == [1, 2, 3, 4]
    assert [document.form for document in contents.documents] == [1, 2, 3, 5]
    for document in contents.documents:
        assert verify_document(kkt.fn.key, document.stlv), document.fd_number
        assert printed_fiscal_sign(document.sign_bytes) == document.fiscal_sign
    assert contents.documents[1].fiscal_sign == opened.fiscal_sign
    assert contents.documents[2].fiscal_sign == receipt.fiscal_sign
    assert contents.documents[3].fiscal_sign == closed.fiscal_sign


def test_receipt_tlv_order(day, archive_path):
    _, _, _, receipt_tlv, _ = day
    document = read_archive(archive_path).documents[2]
    items = _items(document.stlv)
    assert [tag for tag, _ in items[:6]] == list(FN_BLOCK_TAGS)
    assert b"".join(encode_tlv(tag, value) for tag, value in items[6:]) == receipt_tlv
    values = dict(items)
    assert values[1040] == (3).to_bytes(4, "little")
    assert decode_unixtime(values[1012]) == document.moment


def test_close_shift_appended_tags(day, archive_path):
    contents = read_archive(archive_path)
    items = _items(contents.documents[3].stlv)
    tags = [tag for tag, _ in items]
    assert tags[6:] == [1021, 1111, 1118, 1097, 1098, 1194, 1157]
    values = dict(items)
    assert decode_uint(values[1111], 4) == 3
    assert decode_uint(values[1118], 4) == 1
    assert decode_uint(values[1097], 4) == 3
    assert decode_unixtime(values[1098]) == contents.documents[0].moment


@pytest.mark.parametrize("tag", [1194, 1157])
def test_close_shift_counters(day, archive_path, tag):
    values = dict(_items(read_archive(archive_path).documents[3].stlv))
    counters = _children(tag, values[tag])
    assert decode_uint(counters[1134], 4) == 1
    income = _children(1129, counters[1129])
    assert decode_uint(income[1135], 4) == 1
    assert decode_vln(income[1136]) == CASH
    assert decode_vln(income[1138]) == CASHLESS
    assert decode_vln(income[1139]) == 1666
    assert decode_vln(income[1140]) == 3636
    assert decode_vln(income[1201]) == TOTAL
    refund = _children(1130, counters[1130])
    assert decode_uint(refund[1135], 4) == 0
    assert decode_vln(refund[1201]) == 0
    corrections = _children(1133, counters[1133])
    assert [child for child in corrections] == [1144, 1145, 1232, 1146, 1233]


def test_find_document_record(day, kkt):
    _, _, receipt, _, _ = day
    answer = archive.FindDocumentAnswer.decode(
        kkt.call(FnCommand.FIND_DOCUMENT, archive.FindDocumentRequest(3).encode())
    )
    assert answer.document_type == 3
    assert answer.ticket_received is False
    assert answer.record.fd_number == 3
    assert answer.record.fiscal_sign == receipt.fiscal_sign
    assert answer.record.operation == 1
    assert answer.record.total == TOTAL


@pytest.mark.parametrize("fd_number", [1, 2, 3, 4])
def test_tlv_stream_reproduces_archive(day, kkt, archive_path, fd_number):
    streamed = _stream_document(kkt, fd_number)
    assert streamed == read_archive(archive_path).documents[fd_number - 1].stlv
    kkt.call(FnCommand.READ_DOCUMENT_TLV, expect=FnResult.NO_DATA)


def test_status_after_day(day, kkt):
    status = service.StatusAnswer.decode(kkt.call(FnCommand.GET_STATUS))
    assert status.phase == service.FnPhase.FISCAL_MODE
    assert status.current_document == 0
    assert status.shift_open is False
    assert status.last_fd_number == 4
    assert status.last_document_time == kkt.clock().replace(second=0)
    assert status.serial == kkt.fn.serial


def test_reopen_continues_numbering(day, kkt, archive_path, clock):
    kkt.fn.close()
    with FiscalStorage.open(archive_path, clock, profile=MINIMAL_DOCUMENTS) as reopened:
        kkt.fn = reopened
        status = service.StatusAnswer.decode(kkt.call(FnCommand.GET_STATUS))
        assert status.last_fd_number == 4
        parameters = documents.ShiftParametersAnswer.decode(kkt.call(FnCommand.GET_SHIFT_PARAMETERS))
        assert parameters == documents.ShiftParametersAnswer(False, 1, 1)
        clock.advance(hours=12)
        opened = kkt.open_shift()
        assert (opened.shift_number, opened.fd_number) == (2, 5)
        clock.advance(minutes=1)
        receipt = kkt.receipt(_receipt_tlv(kkt), total=TOTAL)
        assert (receipt.receipt_number, receipt.fd_number) == (1, 6)
        closed = kkt.close_shift()
        assert closed.fd_number == 7
    values = dict(_items(read_archive(archive_path).documents[6].stlv))
    assert decode_vln(_children(1129, _children(1194, values[1194])[1129])[1201]) == TOTAL
    assert decode_vln(_children(1129, _children(1157, values[1157])[1129])[1201]) == 2 * TOTAL


def test_reopen_drops_torn_tail(day, kkt, archive_path, clock, caplog):
    kkt.fn.close()
    whole = archive_path.read_bytes()
    with archive_path.open("ab") as file:
        file.write(b"\x40\x00\x00\x00\x01\x04\x00")
    with caplog.at_level(logging.WARNING, logger="kktemu.fn_storage"):
        reopened = FiscalStorage.open(archive_path, clock, profile=MINIMAL_DOCUMENTS)
    assert "7-byte torn tail" in caplog.text
    assert archive_path.read_bytes() == whole
    kkt.fn = reopened
    clock.advance(hours=12)
    assert kkt.open_shift().fd_number == 5
    reopened.close()
    assert [document.fd_number for document in read_archive(archive_path).documents] == [1, 2, 3, 4, 5]


def test_open_refuses_corrupt_header(day, kkt, archive_path, clock):
    kkt.fn.close()
    image = bytearray(archive_path.read_bytes())
    image[15] ^= 0x20
    archive_path.write_bytes(bytes(image))
    with pytest.raises(ArchiveError, match="header CRC-32"):
        FiscalStorage.open(archive_path, clock)
    assert archive_path.read_bytes() == bytes(image)


def test_open_refuses_crc_error_in_middle(day, kkt, archive_path, clock):
    kkt.fn.close()
    image = bytearray(archive_path.read_bytes())
    image[100] ^= 0x01
    archive_path.write_bytes(bytes(image))
    with pytest.raises(ArchiveError, match="CRC-32 does not match"):
        FiscalStorage.open(archive_path, clock)
    assert archive_path.read_bytes() == bytes(image)


def test_open_refuses_other_master_key(day, kkt, archive_path, clock):
    kkt.fn.close()
    with pytest.raises(ArchiveError, match="another master key"):
        FiscalStorage.open(archive_path, clock, master_key=b"other")


def test_open_refuses_missing_file(tmp_path, clock):
    with pytest.raises(ArchiveError, match="does not exist"):
        FiscalStorage.open(tmp_path / "missing.bin", clock)


def test_create_refuses_existing_file(archive_path, clock, fn):
    before = archive_path.read_bytes()
    with pytest.raises(ArchiveError, match="already exists"):
        FiscalStorage.create(archive_path, "9999078900000002", clock)
    assert archive_path.read_bytes() == before


def test_unfinished_document_not_persisted(registered, archive_path, clock):
    registered.call(FnCommand.BEGIN_OPEN_SHIFT, documents.BeginOpenShiftRequest(clock()).encode())
    registered.call(FnCommand.SEND_DOCUMENT_DATA, registered.text(1021, "Иванова А."))
    registered.fn.close()
    with FiscalStorage.open(archive_path, clock, profile=MINIMAL_DOCUMENTS) as reopened:
        status = service.StatusAnswer.decode(reopened.execute(FnCommand.GET_STATUS, b"")[1])
    assert status.current_document == 0
    assert status.last_fd_number == 1
    assert len(read_archive(archive_path).documents) == 1


def test_reopen_logs_document_count(fn, archive_path, clock, caplog):
    fn.close()
    with caplog.at_level(logging.INFO, logger="kktemu.fn_storage.storage"):
        reopened = FiscalStorage.open(archive_path, clock, profile=MINIMAL_DOCUMENTS)
    reopened.close()
    opened = [record.getMessage() for record in caplog.records if record.getMessage().startswith("opened ФН")]
    assert len(opened) == 1
    assert f"archive {archive_path}: document count 0, phase " in opened[0]
