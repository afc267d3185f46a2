"""The control inside ``FiscalStorage``: the answer codes, an untouched archive, the log line and the profile switch."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.identifiers import make_rnm
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.fn import documents, service
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.codes import split_answer_code

START = dt.datetime(2024, 3, 1, 9, 0)
SERIAL = "9999078900000077"
INN = "7702203276"
KKT_SERIAL = "0000000000001234"  # 1013 of the valid registration
RNM = make_rnm(5, INN, KKT_SERIAL)


class Clock:
    def __init__(self):
        self.moment = START

    def __call__(self) -> dt.datetime:
        return self.moment


class Fn:
    """A ФН with its archive path, fed with the valid documents of ``docs``."""

    def __init__(self, path, docs, profile=FnProfile()):
        self.path = path
        self.docs = docs
        self.clock = Clock()
        self.storage = FiscalStorage.create(path, SERIAL, self.clock, profile=profile)

    def call(self, command, data=b"", expect=R.OK) -> bytes:
        code, answer = self.storage.execute(command, data)
        result, _ = split_answer_code(code)
        assert result == expect, f"{C(command).name}: got {result:02X}h, expected {expect:02X}h"
        return answer

    def register(self, tlvs=None, expect=R.OK) -> None:
        self.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
        self.call(C.SEND_DOCUMENT_DATA, (tlvs or self.docs.valid_document(1, 4)).encode())
        request = documents.FormRegistrationRequest(self.clock(), INN, RNM, 0x03, 0)
        self.call(C.FORM_REGISTRATION_REPORT, request.encode(), expect=expect)

    def open_shift(self) -> None:
        self.call(C.BEGIN_OPEN_SHIFT, documents.BeginOpenShiftRequest(self.clock()).encode())
        self.call(C.SEND_DOCUMENT_DATA, self.docs.valid_document(2, 4).encode())
        self.call(C.OPEN_SHIFT)

    def receipt(self, tlvs, expect=R.OK, total=49990) -> bytes:
        self.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(self.clock()).encode())
        self.call(C.SEND_DOCUMENT_DATA, tlvs.encode())
        request = documents.FormReceiptRequest(self.clock(), 1, total)
        return self.call(C.FORM_RECEIPT, request.encode(), expect=expect)

    def snapshot(self) -> tuple:
        """What a rejected document must leave as it was: the archive bytes and the 30h, 10h answers."""
        status = service.StatusAnswer.decode(self.call(C.GET_STATUS))
        return (self.path.read_bytes(), status.last_fd_number, status.phase,
                self.call(C.GET_SHIFT_PARAMETERS))


@pytest.fixture
def in_shift(tmp_path, docs) -> Fn:
    fn = Fn(tmp_path / "fn.bin", docs)
    fn.register()
    fn.open_shift()
    yield fn
    fn.storage.close()


def test_valid_receipt_formed(in_shift, docs):
    answer = documents.ReceiptAnswer.decode(in_shift.receipt(docs.valid_document(3, 4)))
    assert answer.fd_number == 3
    assert answer.receipt_number == 1


def _broken_item(docs):
    valid = docs.valid_document(3, 4)
    item = docs.item(4, "Хлеб", 4999, "2.000", 9996, 1)  # 49.99 × 2 = 99.98, not 99.96
    return docs.Tlvs([(1059, docs.stlv(item)) if (t, v) == (1059, valid.value(1059)) else (t, v) for t, v in valid])


MUTATIONS = {
    "missing": (lambda docs: docs.valid_document(3, 4).without(1054), R.MISSING_DATA),
    "forbidden": (lambda docs: docs.valid_document(3, 4).plus(1101, b"\x01"), R.FORBIDDEN_TAGS),
    "repeated": (lambda docs: docs.valid_document(3, 4).plus(1021, b"x"), R.DUPLICATE_DATA),
    "item-sum": (_broken_item, R.INVALID_TAG),
    "vat": (lambda docs: docs.valid_document(3, 4).replaced(1102, docs.money(1700)), R.INVALID_TAG),
    "version": (lambda docs: docs.valid_document(3, 4).replaced(1209, b"\x02"), R.TAG_MISMATCH),
    "broken-stlv": (lambda docs: docs.valid_document(3, 4).plus(1084, b"\x85\x04\x09\x00"), R.UNKNOWN_COMMAND),
    "too-long": (lambda docs: docs.valid_document(3, 4).plus(1192, b"x" * 17), R.TLV_TOO_LARGE),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_rejected_receipt_changes_nothing(in_shift, docs, name):
    mutate, code = MUTATIONS[name]
    before = in_shift.snapshot()
    in_shift.receipt(mutate(docs), expect=code)
    assert in_shift.snapshot() == before


def test_rejected_receipt_stays_open(in_shift, docs):
    in_shift.receipt(_broken_item(docs), expect=R.INVALID_TAG)
    request = documents.FormReceiptRequest(in_shift.clock(), 1, 49990).encode()
    in_shift.call(C.FORM_RECEIPT, request, expect=R.INVALID_TAG)
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(in_shift.clock()).encode(), expect=R.INVALID_STATE)
    in_shift.call(C.CANCEL_DOCUMENT)
    answer = documents.ReceiptAnswer.decode(in_shift.receipt(docs.valid_document(3, 4)))
    assert answer.fd_number == 3


def test_rejection_logs_rule_and_tag(in_shift, docs, caplog):
    with caplog.at_level(logging.DEBUG, logger="kktemu.fn_storage"):
        in_shift.receipt(_broken_item(docs), expect=R.INVALID_TAG)
    lines = [record.getMessage() for record in caplog.records if "item-sum" in record.getMessage()]
    assert len(lines) == 1
    assert "tag 1043" in lines[0]
    assert "18h" in lines[0]


def test_rejection_logged_at_info(in_shift, docs, caplog):
    with caplog.at_level(logging.INFO, logger="kktemu.fn_storage"):
        in_shift.receipt(_broken_item(docs), expect=R.INVALID_TAG)
    records = [record for record in caplog.records if "item-sum" in record.getMessage()]
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    assert "format-logical control rule item-sum failed on tag 1043" in records[0].getMessage()


def test_missing_tag_logged_at_info(tmp_path, docs, caplog):
    fn = Fn(tmp_path / "fn.bin", docs)
    with caplog.at_level(logging.INFO, logger="kktemu.fn_storage"):
        fn.register(docs.valid_document(1, 4).without(1188), expect=R.MISSING_DATA)
    lines = [record.getMessage() for record in caplog.records if "tag-missing" in record.getMessage()]
    assert len(lines) == 1
    assert "tag 1188" in lines[0]
    assert f"with {R.MISSING_DATA:02X}h" in lines[0]


def test_rejected_registration_keeps_phase(tmp_path, docs):
    fn = Fn(tmp_path / "fn.bin", docs)
    before = fn.path.read_bytes()
    fn.register(docs.valid_document(1, 4).without(1188), expect=R.MISSING_DATA)
    assert fn.path.read_bytes() == before
    status = service.StatusAnswer.decode(fn.call(C.GET_STATUS))
    assert status.phase == 1
    fn.call(C.CANCEL_DOCUMENT)
    fn.register()
    fn.storage.close()


def test_lenient_profile_forms_odd_documents(tmp_path, docs):
    fn = Fn(tmp_path / "fn.bin", docs, profile=FnProfile(strict_control=False))
    fn.register()
    fn.open_shift()
    odd = _broken_item(docs).plus(1101, b"\x01")
    answer = documents.ReceiptAnswer.decode(fn.receipt(odd))
    assert answer.fd_number == 3
    fn.receipt(docs.valid_document(3, 4).plus(1192, b"x" * 17), expect=R.TLV_TOO_LARGE)
    fn.call(C.CANCEL_DOCUMENT)
    fn.receipt(docs.valid_document(3, 4).plus(1084, encode_tlv(1085, b"x")[:-1]), expect=R.UNKNOWN_COMMAND)
    fn.storage.close()


def test_shift_reports_checked(in_shift, docs):
    in_shift.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(in_shift.clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, docs.valid_document(5, 4).plus(1188, docs.text("1.0")).encode())
    in_shift.call(C.CLOSE_SHIFT, expect=R.FORBIDDEN_TAGS)
    in_shift.call(C.CANCEL_DOCUMENT)
    in_shift.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(in_shift.clock()).encode())
    in_shift.call(C.SEND_DOCUMENT_DATA, docs.valid_document(5, 4).encode())
    in_shift.call(C.CLOSE_SHIFT)
