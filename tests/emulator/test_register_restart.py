"""Restarting the emulator on the same ФН archive, and the ФФД version of the profile.

A restart closes the Emulator and opens a new one on the same file, as a power
cycle of the register would.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F, get_profile
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_string
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
CASHIER = 1
SYSADMIN = 30
PHONE_TLV = encode_tlv(1008, encode_string("+79990001122"))
SENDER_EMAIL_TLV = encode_tlv(1117, encode_string("shop@example.com"))


def sale(price=2800):
    return c.SaleRequest(CASHIER, 1000, price, 1, (1, 0, 0, 0), "Сахар")


def close(cash=0):
    return c.CloseReceiptRequest(CASHIER, (cash, 0, 0, 0), 0, (0, 0, 0, 0), "")


def send(emulator, request):
    answer = c.decode_answer(emulator.execute(request.encode()))
    assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
    return answer


def mode(emulator) -> int:
    return send(emulator, c.ShortStatusRequest(CASHIER)).mode


def tlv_of(document) -> dict[int, bytes]:
    return dict(split_tlv(document.tlv))


def archive_serial(fn_path) -> str:
    return read_archive(fn_path).header.serial


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def fn_path(tmp_path):
    return tmp_path / "fn.bin"


def test_restart_continues_numbering(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, sale())
        send(emulator, close(cash=2800))
    with Emulator(fn_path, clock=clock) as emulator:
        assert send(emulator, c.LongStatusRequest(CASHIER)).document_number == 3
        assert send(emulator, c.FnStatusRequest(SYSADMIN)).last_document_number == 3
        send(emulator, sale())
        send(emulator, close(cash=2800))
        assert send(emulator, c.LongStatusRequest(CASHIER)).document_number == 4
    documents = read_archive(fn_path).documents
    assert [document.fd_number for document in documents] == [1, 2, 3, 4]
    assert [document.form for document in documents] == [1, 2, 3, 3]
    assert [tlv_of(document)[1042] for document in documents[2:]] == [b"\x01\x00\x00\x00", b"\x02\x00\x00\x00"]
    key = derive_fn_key(DEFAULT_MASTER_KEY, archive_serial(fn_path))
    assert all(verify_document(key, document.stlv) for document in documents)


def test_restart_keeps_open_shift(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
        last_closed = send(emulator, c.LongStatusRequest(CASHIER)).last_closed_shift
    clock.advance(dt.timedelta(hours=23))
    with Emulator(fn_path, clock=clock) as emulator:
        assert mode(emulator) == 0x02
        assert send(emulator, c.LongStatusRequest(CASHIER)).last_closed_shift == last_closed
        assert emulator.execute(c.OpenShiftRequest(CASHIER).encode()) == bytes.fromhex("E0 3C")


def test_restart_keeps_24_hour_deadline(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
    clock.advance(dt.timedelta(hours=23))
    with Emulator(fn_path, clock=clock) as emulator:
        clock.advance(dt.timedelta(hours=1))
        assert mode(emulator) == 0x02
        clock.advance(dt.timedelta(minutes=1))
        assert mode(emulator) == 0x03
        assert emulator.execute(sale().encode()) == bytes.fromhex("80 16")


def test_restart_after_deadline(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
    clock.advance(dt.timedelta(hours=30))
    with Emulator(fn_path, clock=clock) as emulator:
        assert mode(emulator) == 0x03
        send(emulator, c.ZReportRequest(SYSADMIN))
        assert mode(emulator) == 0x04


def test_restart_keeps_identity(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        before = send(emulator, c.LongStatusRequest(CASHIER))
        identity = emulator.register.identity
    with Emulator(fn_path, clock=clock, fn_serial="9999078900999999") as emulator:
        after = send(emulator, c.LongStatusRequest(CASHIER))
        assert emulator.register.identity == identity
        assert emulator.fn_serial == archive_serial(fn_path)
    assert after.inn == before.inn
    assert after.serial_number == before.serial_number
    assert after.serial_number_high == before.serial_number_high
    assert after.registrations == before.registrations


def test_restart_rnm_matches_registration(fn_path, clock):
    with Emulator(fn_path, clock=clock):
        pass
    with Emulator(fn_path, clock=clock) as emulator:
        rnm = emulator.register.identity.rnm
        inn = emulator.register.identity.inn
    registration = tlv_of(read_archive(fn_path).documents[0])
    assert registration[1037].decode("cp866").strip() == rnm
    assert registration[1018].decode("cp866").strip() == inn


def test_restart_cancels_open_receipt(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, sale())
        assert send(emulator, c.FnStatusRequest(SYSADMIN)).current_document == c.FnDocument.RECEIPT
    with Emulator(fn_path, clock=clock) as emulator:
        assert send(emulator, c.FnStatusRequest(SYSADMIN)).current_document == c.FnDocument.NONE
        assert mode(emulator) == 0x02
        assert emulator.execute(c.SubtotalRequest(CASHIER).encode()) == bytes.fromhex("89 55")
        send(emulator, sale(price=5500))
        send(emulator, close(cash=5500))
    documents = read_archive(fn_path).documents
    assert [document.fd_number for document in documents] == [1, 2, 3]
    assert tlv_of(documents[2])[1020] == (5500).to_bytes(2, "little")


def test_restart_keeps_document_counter(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.CashInRequest(CASHIER, 10000))
        before = send(emulator, c.LongStatusRequest(CASHIER)).document_number
    with Emulator(fn_path, clock=clock) as emulator:
        assert send(emulator, c.LongStatusRequest(CASHIER)).document_number == before


def test_restart_keeps_cash_in_drawer(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.CashInRequest(CASHIER, 10000))
    with Emulator(fn_path, clock=clock) as emulator:
        assert emulator.execute(c.CashOutRequest(CASHIER, 10000).encode())[1] == 0


# Host TLVs (FF0C) reach the next document formed in the same run.


def test_host_tlv_during_receipt(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, sale())
        send(emulator, c.SendTlvRequest(SYSADMIN, PHONE_TLV))
        send(emulator, c.SendTlvRequest(SYSADMIN, SENDER_EMAIL_TLV))
        send(emulator, close(cash=2800))
    receipt = read_archive(fn_path).documents[-1]
    host_items = [(tag, value) for tag, value in split_tlv(receipt.tlv) if tag in (1008, 1117)]
    assert host_items == [(1008, PHONE_TLV[4:]), (1117, SENDER_EMAIL_TLV[4:])]


def test_host_tlv_before_z_report(fn_path, clock):
    cashier_tlv = encode_tlv(1203, encode_string("500123456750"))
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
        send(emulator, c.SendTlvRequest(SYSADMIN, cashier_tlv))
        send(emulator, c.XReportRequest(SYSADMIN))
        send(emulator, c.CashInRequest(CASHIER, 100))
        send(emulator, c.ZReportRequest(SYSADMIN))
    close_shift = read_archive(fn_path).documents[-1]
    assert close_shift.form == 5
    assert tlv_of(close_shift)[1203] == b"500123456750"


def test_host_tlv_dropped_with_cancelled_receipt(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, sale())
        send(emulator, c.SendTlvRequest(SYSADMIN, PHONE_TLV))
        send(emulator, c.CancelReceiptRequest(CASHIER))
        send(emulator, sale())
        send(emulator, close(cash=2800))
    assert 1008 not in tlv_of(read_archive(fn_path).documents[-1])


@pytest.mark.parametrize("tag", [1041, 1037, 1018, 1040, 1012, 1077])
def test_fn_own_tag_refused_by_ff0c(fn_path, clock, tag):
    # The ФН writes these tags into every document itself; FF0C refuses them at once with 33h.
    with Emulator(fn_path, clock=clock) as emulator:
        before = fn_path.read_bytes()
        answer = emulator.execute(c.SendTlvRequest(SYSADMIN, encode_tlv(tag, bytes(4))).encode())
        assert answer == bytes.fromhex("FF 0C 33")
        assert fn_path.read_bytes() == before
        send(emulator, c.OpenShiftRequest(CASHIER))
        assert mode(emulator) == 0x02
    assert [document.form for document in read_archive(fn_path).documents] == [1, 2]


def test_oversize_host_tlv_dropped_from_open_shift(fn_path, clock):
    # The open shift report takes at most 1 KB of data, so the ФН rejects it (10h) once.
    block = encode_tlv(1008, encode_string("x" * 240))
    with Emulator(fn_path, clock=clock) as emulator:
        for _ in range(5):
            send(emulator, c.SendTlvRequest(SYSADMIN, block))
        assert emulator.execute(c.OpenShiftRequest(CASHIER).encode()) == bytes.fromhex("E0 10")
        assert mode(emulator) == 0x04
        send(emulator, c.OpenShiftRequest(CASHIER))
        assert mode(emulator) == 0x02
    assert [document.form for document in read_archive(fn_path).documents] == [1, 2]


def test_oversize_host_tlv_dropped_from_z_report(fn_path, clock):
    block = encode_tlv(1008, encode_string("x" * 240))
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
        for _ in range(5):
            send(emulator, c.SendTlvRequest(SYSADMIN, block))
        assert emulator.execute(c.ZReportRequest(SYSADMIN).encode()) == bytes.fromhex("41 10")
        assert mode(emulator) == 0x02
        send(emulator, c.ZReportRequest(SYSADMIN))
        assert mode(emulator) == 0x04
    close_shift = read_archive(fn_path).documents[-1]
    assert close_shift.form == 5
    assert 1008 not in tlv_of(close_shift)


def test_host_tlv_kept_after_other_refusal(fn_path, clock):
    cashier_tlv = encode_tlv(1203, encode_string("500123456750"))
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
        send(emulator, c.SendTlvRequest(SYSADMIN, cashier_tlv))
        assert emulator.execute(c.OpenShiftRequest(CASHIER).encode()) == bytes.fromhex("E0 3C")
        send(emulator, c.ZReportRequest(SYSADMIN))
    assert tlv_of(read_archive(fn_path).documents[-1])[1203] == b"500123456750"


# ФФД 1.2 profile.


def item_tlv(document) -> dict[int, bytes]:
    return dict(split_tlv(tlv_of(document)[1059]))


def test_ffd_12_receipt(fn_path, clock):
    with Emulator(fn_path, clock=clock, profile=get_profile("shtrih-m-01f", "1.2")) as emulator:
        send(emulator, sale())
        send(emulator, close(cash=2800))
    registration, open_shift, receipt = read_archive(fn_path).documents
    assert tlv_of(registration)[1209] == b"\x04"
    assert tlv_of(open_shift)[1209] == b"\x04"
    assert tlv_of(receipt)[1209] == b"\x04"
    assert item_tlv(receipt)[2108] == b"\x00"
    assert item_tlv(receipt)[1043] == (2800).to_bytes(2, "little")


def test_ffd_105_receipt(fn_path, clock):
    with Emulator(fn_path, clock=clock, profile=SHTRIH_M_01F) as emulator:
        send(emulator, sale())
        send(emulator, close(cash=2800))
    receipt = read_archive(fn_path).documents[-1]
    assert tlv_of(receipt)[1209] == b"\x02"
    assert 2108 not in item_tlv(receipt)


def test_ffd_12_profile_on_105_fn(fn_path, clock, caplog):
    with Emulator(fn_path, clock=clock, profile=SHTRIH_M_01F):
        pass
    with caplog.at_level(logging.WARNING, logger="kktemu.emulator.register"):
        with Emulator(fn_path, clock=clock, profile=get_profile("shtrih-m-01f", "1.2")) as emulator:
            assert emulator.register.profile.ffd_version == "1.05"
            send(emulator, sale())
            send(emulator, close(cash=2800))
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "1.05" in warnings[0].getMessage()
    receipt = read_archive(fn_path).documents[-1]
    assert tlv_of(receipt)[1209] == b"\x02"
    assert 2108 not in item_tlv(receipt)


def test_restart_keeps_mode_9_until_reset(fn_path, clock):
    emulator = Emulator(fn_path, clock=clock)
    emulator.register.require_technological_reset()
    emulator.close()

    for _ in range(2):
        emulator = Emulator(fn_path, clock=clock)
        assert mode(emulator) == 9
        emulator.close()

    emulator = Emulator(fn_path, clock=clock)
    send(emulator, c.TechnologicalResetRequest())
    emulator.close()
    emulator = Emulator(fn_path, clock=clock)
    assert mode(emulator) != 9
    emulator.close()


def test_lost_journal_stays_mode_9_after_replay(fn_path, clock):
    emulator = Emulator(fn_path, clock=clock)
    send(emulator, sale())
    send(emulator, close(2800))
    emulator.close()
    journal = fn_path.with_name(fn_path.name + ".kkt")
    journal.write_bytes(b"garbage\n")

    for _ in range(3):
        emulator = Emulator(fn_path, clock=clock)  # the start replays the sale and writes a snapshot
        assert mode(emulator) == 9
        emulator.close()
