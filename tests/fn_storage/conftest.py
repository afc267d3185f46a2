"""Fixtures for the ФН model tests: a controllable clock and a ККТ-side driver.

The driver talks to ``FiscalStorage`` only through ``execute``, the way a cash
register does, and fails the test on any unexpected result code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.identifiers import make_rnm, make_test_fn_serial
from kktemu.fn_storage.profile import DEFAULT_PROFILE, FnProfile
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_string, encode_vln
from kktemu.protocol.fn import documents, service
from kktemu.protocol.fn.codes import FnCommand, FnResult, split_answer_code

START = dt.datetime(2024, 3, 1, 9, 0)
SERIAL = make_test_fn_serial(1)
INN = "7702203276"
KKT_SERIAL = "0000000000001234"
RNM = make_rnm(5, INN, KKT_SERIAL)


# The tests of the lifecycle, deadlines and archive send minimal documents (a
# receipt of 1054, 1020 and 1031, say), which the format-logical control rejects,
# so their ФН runs with the strict control off. tests/fn_storage/flc tests the control.
MINIMAL_DOCUMENTS = FnProfile(strict_control=False)


class Clock:
    """The ФН timer, moved by hand."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


def tlv_text(tag: int, text: str) -> bytes:
    return encode_tlv(tag, encode_string(text))


def tlv_money(tag: int, kopecks: int) -> bytes:
    return encode_tlv(tag, encode_vln(kopecks))


def item(name: str, price: int, quantity_tlv: bytes, total: int, vat_rate: int) -> bytes:
    body = (
        encode_tlv(1214, b"\x04")
        + encode_tlv(1212, b"\x01")
        + tlv_text(1030, name)
        + tlv_money(1079, price)
        + quantity_tlv
        + encode_tlv(1199, bytes((vat_rate,)))
        + tlv_money(1043, total)
    )
    return encode_tlv(1059, body)


class KktDriver:
    """Sends ФН interface commands like a register and checks the result codes."""

    INN = INN
    RNM = RNM
    KKT_SERIAL = KKT_SERIAL
    text = staticmethod(tlv_text)
    money = staticmethod(tlv_money)
    item = staticmethod(item)

    def __init__(self, fn: FiscalStorage, clock: Clock):
        self.fn = fn
        self.clock = clock
        self.warning = False

    def call(self, command: int, data: bytes = b"", expect: int = FnResult.OK) -> bytes:
        """Send one command; the warning bit of the answer is ignored (``warning`` reads it)."""
        code, answer = self.fn.execute(command, data)
        result, self.warning = split_answer_code(code)
        assert result == expect, f"{FnCommand(command).name}: got {result:02X}h, expected {expect:02X}h"
        return answer

    def registration_tlv(self, ffd_version: int = 4, work_mode_tlv: bytes = b"") -> bytes:
        return (
            encode_tlv(1209, bytes((ffd_version,)))
            + tlv_text(1048, 'ООО "Ромашка"')
            + tlv_text(1009, "г. Москва, ул. Тестовая, д. 1")
            + tlv_text(1013, KKT_SERIAL)
            + tlv_text(1021, "Иванова А.")
            + work_mode_tlv
        )

    def register(self, ffd_version: int = 4, work_mode: int = 0, taxation: int = 1) -> documents.FormRegistrationRequest:
        self.call(FnCommand.BEGIN_REGISTRATION_REPORT, b"\x00")
        self.call(FnCommand.SEND_DOCUMENT_DATA, self.registration_tlv(ffd_version))
        request = documents.FormRegistrationRequest(self.clock(), INN, RNM, taxation, work_mode)
        self.call(FnCommand.FORM_REGISTRATION_REPORT, request.encode())
        return request

    def open_shift(self) -> documents.ShiftDocumentAnswer:
        self.call(FnCommand.BEGIN_OPEN_SHIFT, documents.BeginOpenShiftRequest(self.clock()).encode())
        self.call(FnCommand.SEND_DOCUMENT_DATA, encode_tlv(1209, b"\x04") + tlv_text(1021, "Иванова А."))
        return documents.ShiftDocumentAnswer.decode(self.call(FnCommand.OPEN_SHIFT))

    def receipt(self, tlv: bytes, operation: int = 1, total: int = 0, correction: bool = False):
        begin = FnCommand.BEGIN_CORRECTION_RECEIPT if correction else FnCommand.BEGIN_RECEIPT
        self.call(begin, documents.BeginReceiptRequest(self.clock()).encode())
        self.call(FnCommand.SEND_DOCUMENT_DATA, tlv)
        request = documents.FormReceiptRequest(self.clock(), operation, total)
        return documents.ReceiptAnswer.decode(self.call(FnCommand.FORM_RECEIPT, request.encode()))

    def close_shift(self) -> documents.ShiftDocumentAnswer:
        self.call(FnCommand.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(self.clock()).encode())
        self.call(FnCommand.SEND_DOCUMENT_DATA, tlv_text(1021, "Иванова А."))
        return documents.ShiftDocumentAnswer.decode(self.call(FnCommand.CLOSE_SHIFT))


    def close_fiscal_mode(self) -> documents.FiscalDocumentAnswer:
        self.call(FnCommand.BEGIN_CLOSE_FISCAL_MODE)
        self.call(FnCommand.SEND_DOCUMENT_DATA, tlv_text(1021, "Иванова А."))
        request = documents.CloseFiscalModeRequest(self.clock(), RNM)
        return documents.FiscalDocumentAnswer.decode(self.call(FnCommand.CLOSE_FISCAL_MODE, request.encode()))

    def status(self):
        return service.StatusAnswer.decode(self.call(FnCommand.GET_STATUS))


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def archive_path(tmp_path):
    return tmp_path / "fn-archive.bin"


@pytest.fixture
def fn(archive_path, clock):
    storage = FiscalStorage.create(archive_path, SERIAL, clock, profile=MINIMAL_DOCUMENTS)
    yield storage
    storage.close()


@pytest.fixture
def make_kkt(tmp_path, clock):
    """Return a factory of drivers for ФН with a chosen profile and serial, each with its own archive."""
    made = []

    def make(profile=DEFAULT_PROFILE, serial=SERIAL) -> KktDriver:
        profile = dataclasses.replace(profile, strict_control=False)
        storage = FiscalStorage.create(tmp_path / f"fn-{len(made)}.bin", serial, clock, profile=profile)
        made.append(storage)
        return KktDriver(storage, clock)

    yield make
    for storage in made:
        storage.close()


@pytest.fixture
def kkt(fn, clock) -> KktDriver:
    return KktDriver(fn, clock)


@pytest.fixture
def registered(kkt) -> KktDriver:
    kkt.register()
    return kkt


@pytest.fixture
def in_shift(registered) -> KktDriver:
    registered.open_shift()
    return registered
