"""FF3Ah/FF3Bh: reading an archived document as TLV, one top-level TLV per FF3Bh answer.

The ФН interface description (45h, 46h) returns the document's STLV type and
length, then one top-level TLV or STLV per call until result 08h. Captures in
shtrih-m/fr_drv_ng issues 109 and 141 show FF3Bh answers of one whole TLV each,
such as ``FF 3B 00 BF 04 01 00 00`` (1215 = 0). A TLV longer than one protocol v1
answer carries comes in consecutive parts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import encode_tlv, read_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000001"
CASHIER = 1
SYSADMIN = 30
H = bytes.fromhex
PHONE_TLV = encode_tlv(1008, encode_string("+79990001122"))
INN_TLV = encode_tlv(1203, b"500100732259")
MAX_PART = 252  # 255 bytes of a v1 frame body less FF 3B and the error byte


class Kkt:
    """An Emulator on a file, driven by request objects."""

    def __init__(self, path, clock):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, fn_serial=FN_SERIAL)

    def raw(self, request) -> bytes:
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)

    def send(self, request):
        answer = c.decode_answer(self.raw(request))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def read_document(self, fd_number: int) -> tuple[c.DocumentTlvAnswer, list[bytes], bytes]:
        """FF3Ah, then FF3Bh until an error; return the FF3Ah answer, the TLVs and the final error answer."""
        info = self.send(c.DocumentTlvRequest(SYSADMIN, fd_number))
        chunks = []
        while True:
            answer = self.raw(c.ReadTlvRequest(SYSADMIN))
            if answer[2] != 0:
                return info, chunks, answer
            chunks.append(answer[3:])

    def state(self) -> dict:
        return {
            "mode": self.send(c.ShortStatusRequest(CASHIER)).mode,
            "fn_status": self.send(c.FnStatusRequest(SYSADMIN)),
            "memory": dict(self.emulator.register.memory.state),
            "archive": self.path.read_bytes(),
        }


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def kkt(tmp_path, clock):
    emulated = Kkt(tmp_path / "fn.bin", clock)
    yield emulated
    emulated.emulator.close()


def fill_archive(kkt) -> None:
    """Form one document of each kind the dialect can make: registration (made at start), open
    shift with host TLVs, a receipt with two items and a host TLV, a settlement report and a close
    shift report with counters."""
    kkt.send(c.BeginOpenShiftRequest(SYSADMIN))
    kkt.send(c.SendTlvRequest(SYSADMIN, INN_TLV))
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    kkt.send(c.SaleRequest(CASHIER, 1000, 2800, 1, (1, 0, 0, 0), "Сахар"))
    kkt.send(c.SaleRequest(CASHIER, 2500, 1000, 1, (2, 0, 0, 0), "Хлеб"))
    kkt.send(c.SendTlvRequest(SYSADMIN, PHONE_TLV))
    kkt.send(c.CloseReceiptRequest(CASHIER, (10000, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    kkt.send(c.SettlementReportRequest(SYSADMIN))
    kkt.send(c.BeginCloseShiftRequest(SYSADMIN))
    kkt.send(c.FnCloseShiftRequest(SYSADMIN))


def expected_answers(tlv: bytes) -> list[bytes]:
    """One answer per top-level TLV, in archive order; a TLV over 252 bytes in 252-byte parts."""
    whole = [encode_tlv(tag, value) for tag, value in split_tlv(tlv)]
    return [item[start:start + MAX_PART] for item in whole for start in range(0, len(item), MAX_PART)]


def test_round_trip_every_form(kkt):
    fill_archive(kkt)
    documents = read_archive(kkt.path).documents
    assert [document.form for document in documents] == [1, 2, 3, 21, 5]
    for document in documents:
        info, chunks, end = kkt.read_document(document.fd_number)
        assert info == c.DocumentTlvAnswer(document.form, len(document.tlv)), f"ФД {document.fd_number}"
        assert b"".join(chunks) == document.tlv, f"ФД {document.fd_number}"
        assert chunks == expected_answers(document.tlv), f"ФД {document.fd_number}"
        assert end == H("FF 3B 08")


def test_short_documents_one_tlv_per_answer(kkt):
    fill_archive(kkt)
    for fd_number in (1, 2, 3, 4):
        _info, chunks, _end = kkt.read_document(fd_number)
        assert [read_tlv(chunk)[2] for chunk in chunks] == [len(chunk) for chunk in chunks], f"ФД {fd_number}"


def test_item_stlv_comes_whole(kkt):
    fill_archive(kkt)
    _info, chunks, _end = kkt.read_document(3)
    items = [chunk for chunk in chunks if chunk[:2] == (1059).to_bytes(2, "little")]
    assert len(items) == 2
    names = [dict(split_tlv(read_tlv(item)[1]))[1030] for item in items]
    assert names == ["Сахар".encode("cp866"), "Хлеб".encode("cp866")]
    assert PHONE_TLV in chunks


def test_counters_split_across_answers(kkt):
    # The close shift report's 1194 counters exceed the 252 TLV bytes a v1 answer carries.
    fill_archive(kkt)
    counters = encode_tlv(1194, dict(split_tlv(read_archive(kkt.path).documents[4].tlv))[1194])
    assert len(counters) > MAX_PART
    _info, chunks, _end = kkt.read_document(5)
    start = chunks.index(counters[:MAX_PART])
    assert b"".join(chunks[start:start + 2]) == counters
    assert all(len(chunk) <= MAX_PART for chunk in chunks)


def test_document_tlv_answer_frame(kkt):
    answer = kkt.raw(c.DocumentTlvRequest(SYSADMIN, 1))
    registration = read_archive(kkt.path).documents[0]
    assert answer == H("FF 3A 00 01 00") + len(registration.tlv).to_bytes(2, "little")


def test_read_after_end_stays_08h(kkt):
    _info, _chunks, end = kkt.read_document(1)
    assert end == H("FF 3B 08")
    before = kkt.state()
    assert kkt.raw(c.ReadTlvRequest(SYSADMIN)) == H("FF 3B 08")
    assert kkt.state() == before


def test_read_without_request_is_02h(kkt):
    # The ФН answers 46h before any 45h with 02h, and the register does the same for FF3Bh.
    before = kkt.state()
    assert kkt.raw(c.ReadTlvRequest(SYSADMIN)) == H("FF 3B 02")
    assert kkt.state() == before


@pytest.mark.parametrize("fd_number", [0, 2, 9999], ids=["zero", "next", "far"])
def test_request_missing_document(kkt, fd_number):
    before = kkt.state()
    assert kkt.raw(c.DocumentTlvRequest(SYSADMIN, fd_number)) == H("FF 3A 08")
    assert kkt.state() == before


def test_failed_request_ends_earlier_reading(kkt):
    kkt.send(c.DocumentTlvRequest(SYSADMIN, 1))
    kkt.send(c.ReadTlvRequest(SYSADMIN))
    assert kkt.raw(c.DocumentTlvRequest(SYSADMIN, 9999)) == H("FF 3A 08")
    assert kkt.raw(c.ReadTlvRequest(SYSADMIN)) == H("FF 3B 02")


def test_new_request_restarts_reading(kkt):
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.DocumentTlvRequest(SYSADMIN, 1))
    kkt.send(c.ReadTlvRequest(SYSADMIN))
    _info, chunks, _end = kkt.read_document(2)
    assert b"".join(chunks) == read_archive(kkt.path).documents[1].tlv


def test_reading_during_receipt(kkt):
    kkt.send(c.SaleRequest(CASHIER, 1000, 2800, 1, (1, 0, 0, 0), "Сахар"))
    _info, chunks, _end = kkt.read_document(2)
    assert b"".join(chunks) == read_archive(kkt.path).documents[1].tlv
    kkt.send(c.CloseReceiptRequest(CASHIER, (2800, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    assert read_archive(kkt.path).documents[-1].form == 3


def test_restart_forgets_reading(tmp_path, clock):
    path = tmp_path / "fn.bin"
    first = Kkt(path, clock)
    first.send(c.DocumentTlvRequest(SYSADMIN, 1))
    first.emulator.close()
    second = Kkt(path, clock)
    assert second.raw(c.ReadTlvRequest(SYSADMIN)) == H("FF 3B 02")
    second.emulator.close()
