"""Reading a ФН with 139 documents: the exchange status (FF39h) and an archived receipt (FF3Ah/FF3Bh).

The archive is generated on the injected clock: registration and a shift with
132 sales on 2024-04-09, then on 2024-04-10 a new shift and the receipts ФД
137, 138 and 139 at 09:30.

Field reports behind the two cases:

- The ОФД backlog: shtrih-m/fr_drv_ng issue 107 reads it with FF39h, and
  issue 236 shows the answer's 13-byte body, ``02 10 FF 39 00`` and zeros for an
  empty queue. The layout is status, read state, message count UInt16, first ФД
  number UInt32 and its DATE_TIME (vendor protocol v1.17, FF39h).
- Reading ФД N: shtrih-m/fr_drv_ng issues 25 and 109 read documents by number
  with FF3Ah/FF3Bh, and FF3Ah for a number beyond the last answers 08h.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import read_tlv
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import decode_frame, encode_frame

FN_SERIAL = "9999078900000001"
CASHIER = 1
SYSADMIN = 30
H = bytes.fromhex
FIRST_DAY = dt.datetime(2024, 4, 9, 8, 0)
RECEIPTS_AT = dt.datetime(2024, 4, 10, 9, 30)


def send(emulator, request):
    answer = c.decode_answer(emulator.execute(request.encode()))
    assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
    return answer


def exchange(emulator, frame: bytes) -> bytes:
    """Execute a protocol v1 frame and return the answer frame."""
    return encode_frame(emulator.execute(decode_frame(frame)))


def sell(emulator, count: int) -> None:
    for _ in range(count):
        send(emulator, c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "Товар"))
        send(emulator, c.CloseReceiptRequest(CASHIER, (100, 0, 0, 0), 0, (0, 0, 0, 0), ""))


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    """A ФН archive whose ФД 137..139 are receipts of 2024-04-10 09:30."""
    directory = tmp_path_factory.mktemp("fn139")
    clock = Clock(FIRST_DAY, frozen=True)
    with Emulator(directory / "fn.bin", clock=clock, fn_serial=FN_SERIAL) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
        sell(emulator, 132)
        clock.set(FIRST_DAY.replace(hour=20))
        send(emulator, c.ZReportRequest(SYSADMIN))
        clock.set(RECEIPTS_AT.replace(minute=0))
        send(emulator, c.OpenShiftRequest(CASHIER))
        clock.set(RECEIPTS_AT)
        sell(emulator, 3)
    return directory


@pytest.fixture
def emulator(archive_dir, tmp_path):
    """A copy of the generated archive and its register memory, opened at 2024-04-10 09:30."""
    path = tmp_path / "fn.bin"
    shutil.copyfile(archive_dir / "fn.bin", path)
    shutil.copyfile(memory_path(archive_dir / "fn.bin"), memory_path(path))
    with Emulator(path, clock=Clock(RECEIPTS_AT, frozen=True)) as opened:
        yield opened


def test_generated_archive(emulator):
    documents = read_archive(emulator.fn_path).documents
    assert len(documents) == 139
    assert [document.form for document in documents[-4:]] == [2, 3, 3, 3]
    assert all(document.moment == RECEIPTS_AT for document in documents[-3:])


def test_find_receipts_137_to_139(emulator):
    for fd_number in (137, 138, 139):
        answer = send(emulator, c.FindDocumentRequest(SYSADMIN, fd_number))
        assert answer.document_type == 3
        assert answer.ticket_received is False
        assert answer.header().moment == RECEIPTS_AT
        assert answer.header().fd_number == fd_number


def test_exchange_status_backlog(emulator):
    answer = exchange(emulator, H("02 06 FF 39 1E 00 00 00 DE"))
    # Status 02h (a message for the ОФД, no transport), not reading, 139 messages: no
    # document has a квитанция yet, so the oldest is the registration, ФД 1 of 2024-04-09 08:00.
    assert answer == encode_frame(H("FF 39 00 02 00 8B 00 01 00 00 00 18 04 09 08 00"))
    # The same layout as the expected backlog answer for ФД 137..139 with earlier ones confirmed.
    backlog = c.decode_answer(decode_frame(H("02 10 FF 39 00 01 00 03 00 89 00 00 00 18 04 0A 09 1E 5C")))
    ours = c.decode_answer(decode_frame(answer))
    assert len(answer) == 19
    assert type(ours) is type(backlog)
    assert backlog.first_datetime == RECEIPTS_AT


def test_exchange_status_agrees_with_count(emulator):
    status = send(emulator, c.ExchangeStatusRequest(SYSADMIN))
    assert status.queue_size == send(emulator, c.UnconfirmedCountRequest(SYSADMIN)).count == 139


def test_reads_after_30_days(emulator):
    emulator.clock.set(dt.datetime(2024, 5, 11, 10, 0))
    status = send(emulator, c.ExchangeStatusRequest(SYSADMIN))
    assert (status.queue_size, status.first_fd_number) == (139, 1)
    assert send(emulator, c.FindDocumentRequest(SYSADMIN, 137)).header().moment == RECEIPTS_AT
    assert send(emulator, c.DocumentTlvRequest(SYSADMIN, 137)).document_type == 3


def test_read_receipt_137(emulator):
    receipt = read_archive(emulator.fn_path).documents[136]
    answer = exchange(emulator, H("02 0A FF 3A 1E 00 00 00 89 00 00 00 58"))
    assert answer == encode_frame(H("FF 3A 00 03 00") + len(receipt.tlv).to_bytes(2, "little"))
    parts = []
    while True:
        frame = exchange(emulator, H("02 06 FF 3B 1E 00 00 00 DC"))
        body = decode_frame(frame)
        if body[2] != 0:
            break
        parts.append(body[3:])
    assert frame == H("02 03 FF 3B 08 CF")
    assert b"".join(parts) == receipt.tlv
    # A receipt's TLVs all fit one answer each, so every answer is one whole TLV.
    assert all(read_tlv(part)[2] == len(part) for part in parts)


def test_read_beyond_last(emulator):
    answer = exchange(emulator, H("02 0A FF 3A 1E 00 00 00 0F 27 00 00 F9"))
    assert answer == H("02 03 FF 3A 08 CE")
