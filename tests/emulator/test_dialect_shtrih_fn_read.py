"""ФН reading commands through the Штрих-М dialect, replayed against answers captured from real devices.

Where a captured answer's values can be reproduced (dates, numbers, ИНН, РНМ),
the emulator builds an archive that leads to them and must give the same
bytes, except the fiscal sign, which no emulator can reproduce. Where they
cannot (a ФН with 45 817 documents), the answer's layout is compared.

Sources of the captured answers:

- re-star-ru/shtrih-m-driver docs/out.txt: FF01h and 10h from a real register.
- afilippov1985/kkt-shtrih tests/test.php: canned FF01h, FF0Ah, FF0Bh and FF40h answers.
- shtrih-m/javapos_shtrih FSFindDocumentTests: FF0Ah answers for a registration,
  a re-registration, an open and a close shift report (one ФН) and a receipt.
- shtrih-m/fr_drv_ng issue 235: the FF03h trace ``02 08 FF 03 00 18 02 01 1D 01 F3``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.emulator.registration import default_identity, register_fn, registration_tlv
from kktemu.fn_storage import FiscalStorage, read_archive
from kktemu.protocol.fn import documents
from kktemu.protocol.fn.codes import FnCommand
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import encode_frame

START = dt.datetime(2024, 3, 1, 9, 0, 0)
FN_SERIAL = "9999078900000001"
CASHIER = 1
SYSADMIN = 30
H = bytes.fromhex


class Kkt:
    """An Emulator on a file, driven by request objects."""

    def __init__(self, path, clock, fn_serial=FN_SERIAL):
        self.path = path
        self.clock = clock
        self.emulator = Emulator(path, clock=clock, fn_serial=fn_serial)

    def raw(self, request) -> bytes:
        body = request if isinstance(request, bytes) else request.encode()
        return self.emulator.execute(body)

    def send(self, request):
        answer = c.decode_answer(self.raw(request))
        assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
        return answer

    def sell(self, price: int, count: int = 1) -> None:
        for _ in range(count):
            self.send(c.SaleRequest(CASHIER, 1000, price, 1, (1, 0, 0, 0), "Товар"))
            self.send(c.CloseReceiptRequest(CASHIER, (price, 0, 0, 0), 0, (0, 0, 0, 0), ""))

    def documents(self):
        return read_archive(self.path).documents

    def state(self) -> dict:
        return {
            "mode": self.send(c.ShortStatusRequest(CASHIER)).mode,
            "fn_status": self.send(c.FnStatusRequest(SYSADMIN)),
            "memory": dict(self.emulator.register.memory.state),
            "archive": self.path.read_bytes(),
        }


def without_sign(answer: bytes) -> bytes:
    """Cut the fiscal sign out of an FF0Ah answer: FF 0A 00, type, flag, DATE_TIME, ФД number, then the sign."""
    return answer[:14] + answer[18:]


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def kkt(tmp_path, clock):
    emulated = Kkt(tmp_path / "fn.bin", clock)
    emulated.send(c.OpenShiftRequest(CASHIER))
    yield emulated
    emulated.emulator.close()


# Identity: FF02h, FF03h, FF04h.

def test_fn_number_answer(kkt):
    assert kkt.raw(c.FnNumberRequest(SYSADMIN)) == H("FF 02 00") + FN_SERIAL.encode("ascii")


def test_fn_expiry_fr_drv_ng_trace(tmp_path):
    # A ФН registered on 2021-02-01 is valid for 36 months in kktemu: 2024-02-01,
    # 29 re-registrations left and 1 done, the values of the fr_drv_ng issue 235 trace.
    emulated = Kkt(tmp_path / "fn.bin", Clock(dt.datetime(2021, 2, 1, 10, 0), frozen=True))
    answer = emulated.raw(H("FF 03 1E 00 00 00"))
    assert encode_frame(answer) == H("02 08 FF 03 00 18 02 01 1D 01 F3")
    assert c.decode_answer(answer) == c.FnExpiryAnswer(dt.date(2024, 2, 1), 29, 1)
    emulated.emulator.close()


def test_fn_version_answer(kkt):
    answer = kkt.raw(c.FnVersionRequest(SYSADMIN))
    assert len(answer) == 20
    # The test ФН runs a debug build (type 0), like the МГМ debug ФН that kktemu replaces.
    assert c.decode_answer(answer) == c.FnVersionAnswer("kktemu-fn 1".ljust(16), 0)


# FF09h: totals of the registration.

def test_fiscalization_totals_answer(kkt):
    answer = kkt.raw(c.FiscalizationTotalsRequest(SYSADMIN))
    assert len(answer) == 50
    registration = kkt.documents()[0]
    identity = kkt.emulator.register.identity
    expected = c.FiscalizationTotalsAnswer(
        moment=START, inn=identity.inn.ljust(12), rnm=identity.rnm.ljust(20), tax_systems=identity.taxation_systems,
        work_mode=identity.work_mode, fd_number=1, fiscal_sign=registration.fiscal_sign,
    )
    assert c.decode_answer(answer) == expected


# FF0Ah: find a document by number.

def test_find_document_receipt(kkt):
    kkt.sell(15000)
    receipt = kkt.documents()[-1]
    answer = kkt.raw(c.FindDocumentRequest(SYSADMIN, receipt.fd_number))
    assert answer == H("FF 0A 00 03 00") + receipt.record
    decoded = c.decode_answer(answer)
    assert decoded.header().fd_number == receipt.fd_number
    assert decoded.header().details == H("01 98 3A 00 00 00")


@pytest.mark.parametrize("fd_number", [0, 3, 0xFFFFFFFF], ids=["zero", "next", "max"])
def test_find_document_missing(kkt, fd_number):
    before = kkt.state()
    assert kkt.raw(c.FindDocumentRequest(SYSADMIN, fd_number)) == H("FF 0A 08")
    assert kkt.state() == before


def make_javapos_fn(path, clock) -> None:
    """Build the ФН of javapos FSFindDocumentTests: registration ФД 1 at 2017-07-06 02:52 and
    re-registration ФД 2 (reason 4) at 02:53 for ИНН 5024054445, РНМ 0000001358026131.

    The ККТ serial 0000000000001358 is the one whose РНМ check value is 026131.
    """
    identity = dataclasses.replace(
        default_identity("9999078900000001", SHTRIH_M_01F.ffd_code),
        kkt_serial="0000000000001358", inn="5024054445", rnm="0000001358026131", taxation_systems=0x3F,
        work_mode=0x01,
    )
    with FiscalStorage.create(path, "9999078900000001", clock.now) as storage:
        fn = FnClient(storage)
        register_fn(fn, identity, SHTRIH_M_01F, "КАССИР 1", clock.now())
        clock.advance(dt.timedelta(minutes=1))
        fn.call(FnCommand.BEGIN_REGISTRATION_REPORT, documents.BeginRegistrationRequest(2).encode())
        fn.send_data(registration_tlv(identity, SHTRIH_M_01F, "КАССИР 1"))
        request = documents.FormRegistrationRequest(clock.now(), identity.inn, identity.rnm, 0x3F, 0x01, 4)
        fn.call(FnCommand.FORM_REGISTRATION_REPORT, request.encode())


def test_find_document_javapos_fn(tmp_path):
    clock = Clock(dt.datetime(2017, 7, 6, 2, 52), frozen=True)
    path = tmp_path / "fn.bin"
    make_javapos_fn(path, clock)
    emulated = Kkt(path, clock)
    emulated.send(c.FnOpenShiftRequest(SYSADMIN))
    emulated.sell(1000, count=2)
    clock.advance(dt.timedelta(minutes=1))
    emulated.send(c.FnCloseShiftRequest(SYSADMIN))

    # FSFindDocumentTests answers, each starting FF 0A 00.
    registration = H("FF 0A 00 01 00 11 07 06 02 34 01 00 00 00 B7 9F D1 4D 35 30 32 34 30 35 34 34 34 35 20 20"
                     "30 30 30 30 30 30 31 33 35 38 30 32 36 31 33 31 20 20 20 20 3F 01")
    reregistration = H("FF 0A 00 0B 00 11 07 06 02 35 02 00 00 00 22 E8 9A 18 35 30 32 34 30 35 34 34 34 35 20 20"
                       "30 30 30 30 30 30 31 33 35 38 30 32 36 31 33 31 20 20 20 20 3F 01 04")
    shift_open = H("FF 0A 00 02 00 11 07 06 02 35 03 00 00 00 5B E1 AE D0 01 00")
    shift_close = H("FF 0A 00 05 00 11 07 06 02 36 06 00 00 00 FD 00 61 D9 01 00")
    archived = emulated.documents()
    for fd_number, captured in ((1, registration), (2, reregistration), (3, shift_open), (6, shift_close)):
        answer = emulated.raw(c.FindDocumentRequest(SYSADMIN, fd_number))
        assert without_sign(answer) == without_sign(captured), f"ФД {fd_number}"
        assert answer[14:18] == archived[fd_number - 1].fiscal_sign.to_bytes(4, "little")
    emulated.emulator.close()


def test_find_document_javapos_receipt(tmp_path):
    # FSFindDocumentTests, the receipt: ФД 163 on 2017-03-24 20:53, a sale of 200.00.
    clock = Clock(dt.datetime(2017, 3, 24, 20, 53), frozen=True)
    emulated = Kkt(tmp_path / "fn.bin", clock)
    emulated.send(c.OpenShiftRequest(CASHIER))
    emulated.sell(100, count=160)
    emulated.sell(20000)
    answer = emulated.raw(c.FindDocumentRequest(SYSADMIN, 163))
    captured = H("FF 0A 00 03 00 11 03 18 14 35 A3 00 00 00 EB EA 4B 2E 01 20 4E 00 00 00")
    assert without_sign(answer) == without_sign(captured)
    emulated.emulator.close()


def php_kkt(tmp_path) -> Kkt:
    """A register like the one behind the kkt-shtrih canned answers: ФН 9289000100055632,
    a shift open and a sale of 1500.00 at 2018-06-21 06:37 as the last document."""
    emulated = Kkt(tmp_path / "fn.bin", Clock(dt.datetime(2018, 6, 21, 6, 37), frozen=True),
                   fn_serial="9289000100055632")
    emulated.send(c.OpenShiftRequest(CASHIER))
    emulated.sell(150000)
    return emulated


def test_find_document_php_layout(tmp_path):
    emulated = php_kkt(tmp_path)
    answer = emulated.raw(c.FindDocumentRequest(SYSADMIN, 3))
    captured = H("FF 0A 00 03 00 12 06 15 06 25 F9 B2 00 00 79 58 50 F5 01 F0 49 02 00 00")
    # Everything but the ФД number (45817 there, 3 here) and the fiscal sign.
    assert len(answer) == len(captured)
    assert answer[:10] == captured[:10]
    assert answer[18:] == captured[18:]
    assert answer[10:14] == (3).to_bytes(4, "little")
    emulated.emulator.close()


def test_fn_status_php_layout(tmp_path):
    emulated = php_kkt(tmp_path)
    answer = emulated.raw(c.FnStatusRequest(SYSADMIN))
    captured = H("FF 01 00 03 00 00 01 00 12 06 15 06 25 39 32 38 39 30 30 30 31 30 30 30 35 35 36 33 32"
                 "F9 B2 00 00")
    # Everything but the last ФД number (45817 there, 3 here).
    assert answer[:-4] == captured[:-4]
    assert answer[-4:] == (3).to_bytes(4, "little")
    emulated.emulator.close()


def test_fn_status_re_star_trace(tmp_path):
    # docs/out.txt: phase 3, no document open, shift open, last ФД 425 at 2021-07-29 11:29.
    clock = Clock(dt.datetime(2021, 7, 29, 8, 0), frozen=True)
    emulated = Kkt(tmp_path / "fn.bin", clock, fn_serial="9287440301120991")
    emulated.send(c.OpenShiftRequest(CASHIER))
    emulated.sell(100, count=422)
    clock.set(dt.datetime(2021, 7, 29, 11, 29))
    emulated.sell(100)
    answer = emulated.raw(H("FF 01 1E 00 00 00"))
    assert encode_frame(answer) == H("02 21 FF 01 00 03 00 00 01 00 15 07 1D 0B 1D 39 32 38 37 34 34 30 33 30 31 31"
                                     "32 30 39 39 31 A9 01 00 00 68")
    emulated.emulator.close()


def test_short_status_re_star_trace_layout(kkt):
    # docs/out.txt, 10h with password 30 while a sale receipt with one operation is open:
    # operator 30, mode 08h, submode 0, one operation. Flags and voltages are the device's own.
    captured = H("10 00 1E 92 02 08 00 01 9F E5 18 01 00 8B 02 00")
    kkt.send(c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "Товар"))
    answer = kkt.raw(H("10 1E 00 00 00"))
    assert len(answer) == len(captured)
    assert answer[:3] == captured[:3]
    assert answer[5:8] == captured[5:8]


# FF0Bh and FF40h against the kkt-shtrih canned answers.

def test_fn_open_shift_php_layout(tmp_path):
    captured = c.decode_answer(H("FF 0B 00 01 34 00 00 00 01 00 00 00 01"))
    emulated = Kkt(tmp_path / "fn.bin", Clock(START, frozen=True))
    answer = emulated.raw(c.FnOpenShiftRequest(SYSADMIN))
    assert len(answer) == 13
    assert type(c.decode_answer(answer)) is type(captured)
    emulated.emulator.close()


def test_shift_parameters_php_answer(tmp_path):
    # FF 40 00 01 34 01 05 00: shift 308 open, 5 receipts in it.
    clock = Clock(START, frozen=True)
    emulated = Kkt(tmp_path / "fn.bin", clock)
    for _ in range(307):
        emulated.send(c.OpenShiftRequest(CASHIER))
        emulated.send(c.ZReportRequest(SYSADMIN))
    emulated.send(c.OpenShiftRequest(CASHIER))
    emulated.sell(100, count=5)
    assert emulated.raw(c.ShiftParametersRequest(SYSADMIN)) == H("FF 40 00 01 34 01 05 00")
    emulated.emulator.close()


def test_shift_parameters_closed(kkt):
    kkt.send(c.ZReportRequest(SYSADMIN))
    assert kkt.raw(c.ShiftParametersRequest(SYSADMIN)) == H("FF 40 00 00 01 00 00 00")


# FF3Ch, FF3Fh: квитанции.

@pytest.mark.parametrize("fd_number", [1, 2, 99], ids=["registration", "shift", "missing"])
def test_ticket_not_received(kkt, fd_number):
    # No ОФД exchange yet: no document has a квитанция, so the ФН answers 08h.
    before = kkt.state()
    assert kkt.raw(c.TicketRequest(SYSADMIN, fd_number)) == H("FF 3C 08")
    assert kkt.state() == before


def test_unconfirmed_count(kkt):
    assert kkt.raw(c.UnconfirmedCountRequest(SYSADMIN)) == H("FF 3F 00 02 00")
    kkt.sell(100, count=3)
    assert kkt.send(c.UnconfirmedCountRequest(SYSADMIN)).count == 5


# Passwords: the ФН commands take the system administrator's.

@pytest.mark.parametrize("request_", [
    c.FnNumberRequest(CASHIER), c.FnExpiryRequest(CASHIER), c.FnVersionRequest(CASHIER),
    c.FiscalizationTotalsRequest(CASHIER), c.FindDocumentRequest(CASHIER, 1), c.DocumentTlvRequest(CASHIER, 1),
    c.ReadTlvRequest(CASHIER), c.TicketRequest(CASHIER, 1), c.ExchangeStatusRequest(CASHIER),
    c.UnconfirmedCountRequest(CASHIER), c.ShiftParametersRequest(CASHIER),
], ids=lambda request: f"{request.CODE:04X}h")
def test_cashier_password_rejected(kkt, request_):
    before = kkt.state()
    assert kkt.raw(request_) == request_.CODE.to_bytes(2, "big") + b"\x4F"
    assert kkt.state() == before


@pytest.mark.parametrize("body", [H("FF 0A 1E 00 00 00 01 00 00"), H("FF 02 1E 00 00 00 00"),
                                  H("FF 3A 1E 00 00 00 01 00 00 00 00")], ids=["FF0Ah", "FF02h", "FF3Ah"])
def test_wrong_length_rejected(kkt, body):
    before = kkt.state()
    assert kkt.raw(body) == body[:2] + b"\x7E"
    assert kkt.state() == before
