"""Life phases 1 → 3 → 7 → 15, table 6 of the interface description, and the service commands 33h, 35h, 3Ah, 60h."""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage import FiscalStorage, read_archive
from kktemu.fn_storage.identifiers import make_test_fn_serial
from kktemu.fn_storage.archive_file import HEADER_SIZE
from kktemu.fn_storage.last_errors import CAPACITY, decode_last_errors
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.fn import archive, documents, service
from kktemu.protocol.fn.codes import WARNING_BIT
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R

SERIAL = make_test_fn_serial(1)
PRODUCTION_SERIAL = "9287440300012345"


def _valid_data(kkt, command: int) -> bytes:
    """Well-formed request data for ``command``, so that only the phase can refuse it."""
    moment, INN, RNM = kkt.clock(), kkt.INN, kkt.RNM  # noqa: N806
    dated = documents.DateTimeRequest(moment).encode()
    return {
        C.BEGIN_REGISTRATION_REPORT: b"\x00",
        C.FORM_REGISTRATION_REPORT: documents.FormRegistrationRequest(moment, INN, RNM, 1, 0).encode(),
        C.BEGIN_CLOSE_FISCAL_MODE: b"",
        C.CLOSE_FISCAL_MODE: documents.CloseFiscalModeRequest(moment, RNM).encode(),
        C.GET_SHIFT_PARAMETERS: b"",
        C.BEGIN_OPEN_SHIFT: dated,
        C.OPEN_SHIFT: b"",
        C.BEGIN_CLOSE_SHIFT: dated,
        C.CLOSE_SHIFT: b"",
        C.BEGIN_RECEIPT: dated,
        C.FORM_RECEIPT: documents.FormReceiptRequest(moment, 1, 100).encode(),
        C.BEGIN_CORRECTION_RECEIPT: dated,
        C.BEGIN_SETTLEMENT_REPORT: dated,
        C.FORM_SETTLEMENT_REPORT: b"",
        C.GET_EXCHANGE_STATUS: b"",
        C.SET_TRANSPORT_STATUS: b"\x01",
        C.BEGIN_OFD_MESSAGE_READ: b"",
        C.READ_OFD_MESSAGE_BLOCK: b"\x00\x00\x10\x00",
        C.CANCEL_OFD_MESSAGE_READ: b"",
        C.FINISH_OFD_MESSAGE_READ: b"",
        C.SEND_OFD_TICKET: b"\x00",
    }[command]


# Table 6, written out by group: the commands each phase refuses with 02h.
FISCALIZATION = [C.BEGIN_REGISTRATION_REPORT, C.FORM_REGISTRATION_REPORT]
CLOSE_FN = [C.BEGIN_CLOSE_FISCAL_MODE, C.CLOSE_FISCAL_MODE]
SHIFT_AND_RECEIPTS = [C.GET_SHIFT_PARAMETERS, C.BEGIN_OPEN_SHIFT, C.OPEN_SHIFT, C.BEGIN_CLOSE_SHIFT, C.CLOSE_SHIFT,
                      C.BEGIN_RECEIPT, C.FORM_RECEIPT, C.BEGIN_CORRECTION_RECEIPT]
SETTLEMENT = [C.BEGIN_SETTLEMENT_REPORT, C.FORM_SETTLEMENT_REPORT]
EXCHANGE = [C.GET_EXCHANGE_STATUS, C.SET_TRANSPORT_STATUS, C.BEGIN_OFD_MESSAGE_READ, C.READ_OFD_MESSAGE_BLOCK,
            C.CANCEL_OFD_MESSAGE_READ, C.FINISH_OFD_MESSAGE_READ, C.SEND_OFD_TICKET]
REFUSED_IN = {
    service.FnPhase.READY_FOR_FISCALIZATION: CLOSE_FN + SHIFT_AND_RECEIPTS + SETTLEMENT,
    service.FnPhase.POST_FISCAL_MODE: FISCALIZATION + CLOSE_FN + SHIFT_AND_RECEIPTS,
    service.FnPhase.ARCHIVE_READ_ONLY: FISCALIZATION + CLOSE_FN + SHIFT_AND_RECEIPTS + SETTLEMENT + EXCHANGE,
}


def _to_phase(kkt, phase: int) -> None:
    if phase == service.FnPhase.READY_FOR_FISCALIZATION:
        return
    kkt.register(work_mode=0x02 if phase == service.FnPhase.ARCHIVE_READ_ONLY else 0)
    if phase != service.FnPhase.FISCAL_MODE:
        kkt.close_fiscal_mode()
    assert kkt.status().phase == phase


@pytest.mark.parametrize(("phase", "command"), [(phase, command) for phase, commands in REFUSED_IN.items()
                                                for command in commands])
def test_table_6_refuses_with_02h_before_the_handler(kkt, archive_path, phase, command):
    _to_phase(kkt, phase)
    before = archive_path.read_bytes()
    code, answer = kkt.fn.execute(command, _valid_data(kkt, command))
    assert (code & ~WARNING_BIT, answer) == (R.INVALID_STATE, b"")
    assert archive_path.read_bytes() == before
    entry = decode_last_errors(kkt.call(C.GET_LAST_ERRORS))[0]
    assert (entry.command, entry.result) == (command, R.INVALID_STATE)


def test_phase_ladder_with_the_ofd(kkt):
    """Data transmission mode: 1 → 3 → 7, and 7 stays until every document has its квитанция."""
    assert kkt.status().phase == 1
    kkt.register()
    assert kkt.status().phase == 3
    kkt.close_fiscal_mode()
    assert kkt.status().phase == 7
    # The settlement report is the one document of the post-fiscal mode.
    kkt.call(C.BEGIN_SETTLEMENT_REPORT, documents.BeginSettlementReportRequest(kkt.clock()).encode())
    answer = documents.SettlementReportAnswer.decode(kkt.call(C.FORM_SETTLEMENT_REPORT))
    assert (answer.fd_number, answer.unconfirmed_count) == (3, 2)
    kkt.call(C.GET_EXCHANGE_STATUS)
    # The last квитанция moves the ФН to phase 15 (the hook the ОФД exchange calls).
    for number in (1, 2, 3):
        kkt.fn._state.mark_ticket(number)
    assert kkt.status().phase == 15


def test_autonomous_close_goes_straight_to_phase_15(kkt, archive_path, clock):
    kkt.register(work_mode=0x02)
    kkt.close_fiscal_mode()
    assert kkt.status().phase == service.FnPhase.ARCHIVE_READ_ONLY
    assert archive.FindDocumentAnswer.decode(kkt.call(C.FIND_DOCUMENT, archive.FdNumberRequest(2).encode()))
    kkt.fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        assert reopened.phase == service.FnPhase.ARCHIVE_READ_ONLY


@pytest.mark.parametrize("phase", [1, 3, 7, 15])
@pytest.mark.parametrize("command", [C.GET_STATUS, C.GET_SERIAL, C.GET_EXPIRY, C.GET_VERSION, C.GET_LAST_ERRORS,
                                     C.GET_FFD_VERSION, C.GET_FREE_MEMORY, C.GET_UNCONFIRMED_COUNT])
def test_status_commands_answer_in_every_phase(kkt, phase, command):
    _to_phase(kkt, phase)
    kkt.call(command)


# 33h and 60h: debug firmware.

@pytest.mark.parametrize(
    ("serial", "debug", "is_release"),
    [(SERIAL, None, False), (PRODUCTION_SERIAL, None, True), (PRODUCTION_SERIAL, True, False), (SERIAL, False, True)],
)
def test_version_reports_debug_firmware_for_test_serials(make_kkt, serial, debug, is_release):
    kkt = make_kkt(FnProfile(debug=debug), serial)
    answer = service.VersionAnswer.decode(kkt.call(C.GET_VERSION))
    assert answer.is_release is is_release


def test_debug_reset_empties_the_archive(in_shift, archive_path, clock):
    in_shift.call(C.BEGIN_RECEIPT, documents.BeginReceiptRequest(clock()).encode())
    in_shift.call(C.GET_SERIAL, b"\x00", expect=R.UNKNOWN_COMMAND)
    in_shift.call(C.RESET_STATE, b"\x16")
    status = in_shift.status()
    assert (status.phase, status.last_fd_number, status.current_document, status.shift_open) == (1, 0, 0, False)
    assert in_shift.call(C.GET_LAST_ERRORS) == b""
    assert archive_path.stat().st_size == HEADER_SIZE
    assert read_archive(archive_path).documents == []
    in_shift.call(C.FIND_DOCUMENT, archive.FdNumberRequest(1).encode(), expect=R.INVALID_STATE)
    clock.advance(minutes=1)
    in_shift.register()
    assert in_shift.status().last_fd_number == 1
    in_shift.fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        assert reopened.phase == service.FnPhase.FISCAL_MODE
        assert len(read_archive(archive_path).documents) == 1


def test_debug_reset_from_post_fiscal_mode(kkt):
    kkt.register()
    kkt.close_fiscal_mode()
    kkt.call(C.RESET_STATE, b"\x16")
    assert kkt.status().phase == service.FnPhase.READY_FOR_FISCALIZATION


@pytest.mark.parametrize(("serial", "debug", "data"), [
    (PRODUCTION_SERIAL, None, b"\x16"),
    (SERIAL, False, b"\x16"),
    (SERIAL, None, b"\x15"),
    (SERIAL, None, b""),
])
def test_reset_refused_by_serial_firmware_or_unknown_code(make_kkt, tmp_path, serial, debug, data):
    kkt = make_kkt(FnProfile(debug=debug), serial)
    kkt.register()
    path = kkt.fn.path
    before = path.read_bytes()
    kkt.call(C.RESET_STATE, data, expect=R.UNKNOWN_COMMAND)
    assert path.read_bytes() == before
    assert kkt.status().phase == service.FnPhase.FISCAL_MODE


# 3Ah: ФФД versions.

def test_ffd_version_before_and_after_registration(kkt):
    assert service.FfdVersionAnswer.decode(kkt.call(C.GET_FFD_VERSION)) == service.FfdVersionAnswer(2, 4)
    kkt.register(ffd_version=4)
    assert service.FfdVersionAnswer.decode(kkt.call(C.GET_FFD_VERSION)) == service.FfdVersionAnswer(4, 4)


def test_ffd_version_of_a_105_registration(kkt):
    kkt.register(ffd_version=2)
    assert service.FfdVersionAnswer.decode(kkt.call(C.GET_FFD_VERSION)) == service.FfdVersionAnswer(2, 4)


def test_registration_above_the_profile_ffd_version_is_18h(make_kkt):
    kkt = make_kkt(FnProfile(max_ffd_version=2))
    assert service.FfdVersionAnswer.decode(kkt.call(C.GET_FFD_VERSION)) == service.FfdVersionAnswer(2, 2)
    kkt.call(C.BEGIN_REGISTRATION_REPORT, b"\x00")
    kkt.call(C.SEND_DOCUMENT_DATA, kkt.registration_tlv(ffd_version=3))
    before = kkt.fn.path.read_bytes()
    request = documents.FormRegistrationRequest(kkt.clock(), kkt.INN, kkt.RNM, 1, 0)
    kkt.call(C.FORM_REGISTRATION_REPORT, request.encode(), expect=R.INVALID_TAG)
    assert kkt.fn.path.read_bytes() == before


# 35h: the last refusals.

def test_last_errors_newest_first(registered, clock):
    assert registered.call(C.GET_LAST_ERRORS) == b""
    registered.call(C.OPEN_SHIFT, expect=R.INVALID_STATE)
    clock.advance(minutes=3)
    registered.call(0x99, expect=R.UNKNOWN_COMMAND)
    entries = decode_last_errors(registered.call(C.GET_LAST_ERRORS))
    assert [(entry.command, entry.result, entry.moment) for entry in entries] == [
        (0x99, R.UNKNOWN_COMMAND, dt.datetime(2024, 3, 1, 9, 3)),
        (C.OPEN_SHIFT, R.INVALID_STATE, dt.datetime(2024, 3, 1, 9, 0)),
    ]


def test_last_errors_keep_the_newest_capacity_entries(registered):
    for _ in range(CAPACITY):
        registered.call(C.OPEN_SHIFT, expect=R.INVALID_STATE)
    registered.call(C.CLOSE_SHIFT, expect=R.INVALID_STATE)
    data = registered.call(C.GET_LAST_ERRORS)
    assert len(data) <= 256
    entries = decode_last_errors(data)
    assert len(entries) == CAPACITY
    assert entries[0].command == C.CLOSE_SHIFT
    assert all(entry.command == C.OPEN_SHIFT for entry in entries[1:])


def test_successful_commands_leave_no_error_entry(in_shift):
    in_shift.call(C.GET_STATUS)
    in_shift.close_shift()
    assert in_shift.call(C.GET_LAST_ERRORS) == b""

