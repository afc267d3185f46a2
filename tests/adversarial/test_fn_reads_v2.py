"""ФН reading commands (FF01h–FF04h, FF0Ah, FF39h, FF3Ah/FF3Bh, FF40h) and the split shift commands
(FF41h–FF43h, FF0Bh, FF08h) driven out of order.

Reads must never change the archive or the register state, and what FF3Ah and
FF3Bh hand out must be the archived document byte for byte. A begun report
must block other documents and vanish with FF08h or a restart, never leaving
the ФН or the archive in between.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

START = dt.datetime(2024, 3, 1, 9, 0, 0)
ADMIN = 30
FN_INVALID_STATE = 0x02  # ФН result: the command does not fit the ФН state
FN_NO_DATA = 0x08  # ФН result: no requested data
SALE = c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар")
CLOSE = c.CloseReceiptV2Request(ADMIN, (2800,) + (0,) * 15, 0, (0,) * 6, 1, "")
OPEN_SHIFT_FORM = 2
CLOSE_SHIFT_FORM = 5
MAX_V1_PART = 252  # TLV bytes one FF3Bh answer carries in a protocol v1 frame


class Register:
    """An emulator of one ФФД profile on a ФН file with a frozen clock, which ``restart`` reopens."""

    def __init__(self, directory: Path, ffd: str) -> None:
        self.fn_path = directory / "fn.bin"
        self.ffd = ffd
        self.clock = Clock(START, frozen=True)
        self.emulator = self._start()

    def _start(self) -> Emulator:
        return Emulator(self.fn_path, clock=self.clock, profile=SHTRIH_M_01F.with_ffd(self.ffd))

    def restart(self) -> None:
        self.emulator.close()
        self.emulator = self._start()

    def close(self) -> None:
        self.emulator.close()

    def error(self, request) -> int:
        body = request.encode()
        return self.emulator.execute(body)[len(c.code_bytes(c.command_code(body)))]

    def send(self, request):
        answer = c.decode_answer(self.emulator.execute(request.encode()))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def state(self) -> dict:
        journal = memory_path(self.fn_path)
        return {
            "10h": self.emulator.execute(c.ShortStatusRequest(ADMIN).encode()),
            "FF01h": self.emulator.execute(c.FnStatusRequest(ADMIN).encode()),
            "FF40h": self.emulator.execute(c.ShiftParametersRequest(ADMIN).encode()),
            "journal": journal.read_bytes() if journal.exists() else b"",
            "archive": self.fn_path.read_bytes(),
        }

    def refused(self, request, error: int) -> None:
        before = self.state()
        assert self.error(request) == error, request
        after = self.state()
        assert [name for name in before if before[name] != after[name]] == [], request

    def documents(self) -> list:
        return read_archive(self.fn_path).documents

    def read_document(self, fd_number: int) -> tuple[int, int, bytes]:
        """Send FF3Ah, then FF3Bh until 08h, and return (type, announced length, the joined TLV bytes)."""
        info = self.send(c.DocumentTlvRequest(ADMIN, fd_number))
        data = b""
        while True:
            answer = c.decode_answer(self.emulator.execute(c.ReadTlvRequest(ADMIN).encode()))
            if isinstance(answer, c.ErrorAnswer):
                assert answer.error == FN_NO_DATA
                return info.document_type, info.length, data
            assert 0 < len(answer.data) <= MAX_V1_PART
            data += answer.data


@pytest.fixture(params=["1.05", "1.2"])
def kkt(request, tmp_path):
    register = Register(tmp_path, request.param)
    yield register
    register.close()


def fill_archive(kkt: Register) -> None:
    """Registration, open shift, a receipt, a cash in, a settlement report and a close shift report."""
    kkt.send(SALE)
    kkt.send(CLOSE)
    kkt.send(c.CashInRequest(ADMIN, 5000))
    kkt.send(c.SettlementReportRequest(ADMIN))
    kkt.send(c.ZReportRequest(ADMIN))


def test_read_tlv_without_request(kkt):
    kkt.refused(c.ReadTlvRequest(ADMIN), FN_INVALID_STATE)


def test_every_document_reads_back(kkt):
    fill_archive(kkt)
    documents = kkt.documents()
    key = derive_fn_key(DEFAULT_MASTER_KEY, read_archive(kkt.fn_path).header.serial)
    before = kkt.state()

    for document in documents:
        document_type, length, data = kkt.read_document(document.fd_number)
        found = kkt.send(c.FindDocumentRequest(ADMIN, document.fd_number))

        assert document_type == document.form
        assert found.document_type & 0x3F == document.form
        assert length == len(document.tlv)
        assert data == document.tlv
        assert split_tlv(data)  # whole TLVs, even when a long one came in parts
        assert verify_document(key, document.stlv)
    assert kkt.state() == before
    assert documents[-1].form == CLOSE_SHIFT_FORM
    assert len(documents[-1].tlv) > MAX_V1_PART  # the 1194 counters need several answers


@pytest.mark.parametrize("offset", [1, 2, 1000])
def test_documents_beyond_last(kkt, offset):
    fill_archive(kkt)
    last = len(kkt.documents())

    kkt.refused(c.DocumentTlvRequest(ADMIN, last + offset), FN_NO_DATA)
    kkt.refused(c.FindDocumentRequest(ADMIN, last + offset), FN_NO_DATA)
    kkt.refused(c.TicketRequest(ADMIN, last + offset), FN_NO_DATA)


@pytest.mark.parametrize("fd_number", [0, 2**32 - 1])
def test_document_numbers_at_limits(kkt, fd_number):
    kkt.refused(c.FindDocumentRequest(ADMIN, fd_number), FN_NO_DATA)
    kkt.refused(c.DocumentTlvRequest(ADMIN, fd_number), FN_NO_DATA)


def test_refused_request_ends_reading(kkt):
    fill_archive(kkt)
    kkt.send(c.DocumentTlvRequest(ADMIN, 1))
    kkt.send(c.ReadTlvRequest(ADMIN))

    kkt.refused(c.DocumentTlvRequest(ADMIN, 0), FN_NO_DATA)
    kkt.refused(c.ReadTlvRequest(ADMIN), FN_INVALID_STATE)


def test_reading_interleaved_with_sale(kkt):
    kkt.send(SALE)
    kkt.send(CLOSE)
    receipt = kkt.documents()[-1]
    kkt.send(c.DocumentTlvRequest(ADMIN, receipt.fd_number))
    first = kkt.send(c.ReadTlvRequest(ADMIN)).data

    kkt.send(SALE)
    second = kkt.send(c.ReadTlvRequest(ADMIN)).data
    kkt.send(CLOSE)
    rest = b""
    while (answer := c.decode_answer(kkt.emulator.execute(c.ReadTlvRequest(ADMIN).encode()))) and \
            not isinstance(answer, c.ErrorAnswer):
        rest += answer.data

    assert first + second + rest == receipt.tlv
    assert kkt.documents()[-1].fd_number == receipt.fd_number + 1


def test_read_twice_gives_same_bytes(kkt):
    fill_archive(kkt)

    assert kkt.read_document(3) == kkt.read_document(3)


def test_reads_need_system_administrator(kkt):
    for request in (c.FnStatusRequest(1), c.FnNumberRequest(1), c.FnExpiryRequest(1), c.FnVersionRequest(1),
                    c.FindDocumentRequest(1, 1), c.DocumentTlvRequest(1, 1), c.ReadTlvRequest(1),
                    c.ExchangeStatusRequest(1), c.ShiftParametersRequest(1)):
        kkt.refused(request, ErrorCode.WRONG_PASSWORD)


def test_identity_reads_agree(kkt):
    status = kkt.send(c.FnStatusRequest(ADMIN))

    assert kkt.send(c.FnNumberRequest(ADMIN)).fn_number == status.fn_number
    assert kkt.send(c.FnVersionRequest(ADMIN))
    assert kkt.send(c.FnExpiryRequest(ADMIN)).expiry > START.date()
    assert status.last_document_number == len(kkt.documents())


def test_exchange_queue_counts_every_document(kkt):
    fill_archive(kkt)

    status = kkt.send(c.ExchangeStatusRequest(ADMIN))

    assert status.queue_size == len(kkt.documents())
    assert status.first_fd_number == 1
    assert kkt.send(c.UnconfirmedCountRequest(ADMIN)).count == len(kkt.documents())


# Split shift commands out of order.

def test_begun_open_shift_dropped_by_restart(kkt):
    kkt.send(c.BeginOpenShiftRequest(ADMIN))
    assert kkt.send(c.FnStatusRequest(ADMIN)).current_document != 0

    kkt.restart()

    assert kkt.send(c.FnStatusRequest(ADMIN)).current_document == 0
    answer = kkt.send(c.FnOpenShiftRequest(ADMIN))
    documents = kkt.documents()
    assert (answer.shift_number, answer.fd_number) == (1, len(documents))
    assert documents[-1].form == OPEN_SHIFT_FORM


def test_begun_open_shift_blocks_other_documents(kkt):
    kkt.send(c.BeginOpenShiftRequest(ADMIN))

    for request in (SALE, c.BeginOpenShiftRequest(ADMIN), c.BeginCloseShiftRequest(ADMIN),
                    c.BeginSettlementReportRequest(ADMIN), c.ZReportRequest(ADMIN), c.FnCloseShiftRequest(ADMIN),
                    c.CashInRequest(ADMIN, 100), c.BeginCorrectionRequest(ADMIN)):
        assert kkt.error(request) != 0, request
    assert len(kkt.documents()) == 1
    kkt.send(c.OpenShiftRequest(ADMIN))
    assert kkt.documents()[-1].form == OPEN_SHIFT_FORM


def test_begun_close_shift_cancelled_then_z_report(kkt):
    kkt.send(c.OpenShiftRequest(ADMIN))
    kkt.send(c.BeginCloseShiftRequest(ADMIN))
    documents = len(kkt.documents())

    kkt.send(c.CancelFnDocumentRequest(ADMIN))
    assert kkt.send(c.FnStatusRequest(ADMIN)).current_document == 0
    assert len(kkt.documents()) == documents
    kkt.send(c.ZReportRequest(ADMIN))

    assert kkt.documents()[-1].form == CLOSE_SHIFT_FORM
    assert not kkt.send(c.ShiftParametersRequest(ADMIN)).shift_open


def test_close_shift_commands_without_shift(kkt):
    kkt.refused(c.BeginCloseShiftRequest(ADMIN), ErrorCode.SHIFT_NOT_OPEN)
    kkt.refused(c.FnCloseShiftRequest(ADMIN), ErrorCode.SHIFT_NOT_OPEN)
    kkt.refused(c.ZReportRequest(ADMIN), ErrorCode.SHIFT_NOT_OPEN)


def test_cancel_with_nothing_open(kkt):
    before = kkt.state()

    kkt.send(c.CancelFnDocumentRequest(ADMIN))

    assert kkt.state() == before


def test_cancel_fn_document_cancels_receipt(kkt):
    kkt.send(SALE)

    kkt.send(c.CancelFnDocumentRequest(ADMIN))

    assert kkt.error(c.SubtotalRequest(ADMIN)) == ErrorCode.RECEIPT_CLOSED
    assert kkt.send(c.FnStatusRequest(ADMIN)).current_document == 0
    kkt.send(SALE)
    kkt.send(CLOSE)


def test_begun_settlement_report_with_host_tlv(kkt):
    kkt.send(c.BeginSettlementReportRequest(ADMIN))
    # The ФФД table of the settlement report has no cashier, but has the user name 1048.
    kkt.send(c.SendTlvRequest(ADMIN, encode_tlv(1048, encode_string("ИП Петров"))))

    kkt.send(c.SettlementReportRequest(ADMIN))

    documents = kkt.documents()
    assert documents[-1].form == 21
    assert (1048, "ИП Петров".encode("cp866")) in split_tlv(documents[-1].tlv)
