"""The register's ОФД link against a small ОФД server: delivery, refusals, back-off, locking, waking.

Every wait of the link goes through ``ManualSleep``, so a timeout or a back-off
ends only when the test releases it; the tests wait on the link's attempts and
on the ОФД's received messages, never on real time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.local_addresses import matching_listener
from kktemu.emulator.ofd_link import Attempt, OfdLink, OfdLinkSettings, Outcome, link_emulator
from kktemu.fn_storage import DEFAULT_MASTER_KEY
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.fn.codes import FnCommand
from kktemu.protocol.fn.exchange import ExchangeFlags, ReadOfdBlockRequest
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
CASHIER = 1
FN_SERIAL = "9999078900000017"
SETTINGS = OfdLinkSettings(poll_interval=60, first_retry=1, max_retry=4, connect_timeout=30, answer_timeout=300)


def send(emulator: Emulator, request) -> None:
    answer = c.decode_answer(emulator.execute(request.encode()))
    assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"


def sell(emulator: Emulator, name: str = "Товар", price: int = 1000) -> None:
    """One receipt with one item paid in cash (the shift opens by itself first)."""
    send(emulator, c.SaleRequest(CASHIER, 1000, price, 1, (1, 0, 0, 0), name))
    send(emulator, c.CloseReceiptRequest(CASHIER, (price, 0, 0, 0), 0, (0, 0, 0, 0), ""))


def unconfirmed(emulator: Emulator) -> int:
    with emulator.lock:
        return FnClient(emulator.storage).unconfirmed_count()


def exchange_flags(emulator: Emulator) -> int:
    with emulator.lock:
        return FnClient(emulator.storage).exchange_status().flags


def confirmed(fd_number: int):
    return lambda attempt: attempt.outcome is Outcome.CONFIRMED and attempt.fd_number == fd_number


@pytest.fixture
def emulator(tmp_path):
    """A registered register (ФД 1 is its registration report) on a frozen clock."""
    with Emulator(tmp_path / "fn.bin", clock=Clock(START, frozen=True), fn_serial=FN_SERIAL) as emulated:
        yield emulated


@pytest.fixture
def run_with_ofd(simple_ofd, manual_sleep):
    """Return ``run(scenario, emulator)``: start an ОФД and a link, await ``scenario(link, ofd)``, stop both."""

    def run(scenario, emulator, settings=SETTINGS):
        async def main():
            ofd = await simple_ofd().start()
            link = link_emulator(emulator, "127.0.0.1", ofd.port, settings=settings, sleep=manual_sleep)
            try:
                await scenario(link, ofd)
            finally:
                await link.close()
                await ofd.close()

        asyncio.run(main())

    return run


# --- delivery -----------------------------------------------------------------------------


def test_documents_reach_ofd_and_tickets_return(emulator, run_with_ofd, guarded):
    async def scenario(link, ofd):
        first = link.wait_attempt(confirmed(1))
        link.start()
        attempt = await guarded(first)
        assert attempt.ofd_code == 0
        assert attempt.failures == 0
        assert attempt.retry_in is None

        receipt = link.wait_attempt(confirmed(3))
        sell(emulator)
        await guarded(receipt)

        assert ofd.fd_numbers() == [1, 2, 3]
        assert unconfirmed(emulator) == 0
        with emulator.lock:
            assert FnClient(emulator.storage).find_document(3).ticket_received

    run_with_ofd(scenario, emulator)


def test_new_document_wakes_link(emulator, run_with_ofd, manual_sleep, guarded):
    async def scenario(link, ofd):
        first = link.wait_attempt(confirmed(1))
        link.start()
        await guarded(first)
        # The link now waits for a document or the 60 s poll; the poll is never released here.
        await manual_sleep.wait_for(SETTINGS.poll_interval)

        receipt = link.wait_attempt(confirmed(3))
        sell(emulator)
        await guarded(receipt)
        assert manual_sleep.history.count(SETTINGS.poll_interval) >= 1
        assert link.attempts == 3

    run_with_ofd(scenario, emulator)


def test_sale_from_another_thread_wakes_link(emulator, run_with_ofd, manual_sleep, guarded):
    async def scenario(link, ofd):
        first = link.wait_attempt(confirmed(1))
        link.start()
        await guarded(first)
        await manual_sleep.wait_for(SETTINGS.poll_interval)

        receipt = link.wait_attempt(confirmed(3))
        await asyncio.to_thread(sell, emulator)
        await guarded(receipt)
        assert ofd.fd_numbers() == [1, 2, 3]

    run_with_ofd(scenario, emulator)


def test_poll_finds_document_without_wake(emulator, run_with_ofd, manual_sleep, guarded):
    async def scenario(link, ofd):
        first = link.wait_attempt(confirmed(1))
        link.start()
        await guarded(first)
        await manual_sleep.wait_for(SETTINGS.poll_interval)
        # A document formed behind the watch's back (straight through the ФН) waits for the poll.
        emulator.fn_watch.unsubscribe(link.wake)
        sell(emulator)
        receipt = link.wait_attempt(confirmed(3))
        await manual_sleep.release(SETTINGS.poll_interval)
        await guarded(receipt)

    run_with_ofd(scenario, emulator)


def test_unregistered_fn_has_nothing_to_send(tmp_path, simple_ofd, manual_sleep):
    async def main():
        ofd = await simple_ofd().start()
        with Emulator(tmp_path / "fn.bin", clock=Clock(START, frozen=True), register_fresh_fn=False) as emulator:
            link = link_emulator(emulator, "127.0.0.1", ofd.port, settings=SETTINGS, sleep=manual_sleep)
            assert await link.deliver_once() is None
        await ofd.close()
        assert ofd.received == []
        assert link.attempts == 0

    asyncio.run(main())


def test_message_read_in_blocks(emulator, simple_ofd, manual_sleep):
    # 25 items with 128-character names make a receipt message of several 1024-byte blocks.
    send(emulator, c.OpenReceiptRequest(CASHIER, c.ReceiptType.SALE))
    for number in range(25):
        send(emulator, c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), f"{number:03d}".ljust(128, "ж")))
    send(emulator, c.CloseReceiptRequest(CASHIER, (2500, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    reads = []

    class RecordingPort:
        def execute(self, command, data):
            if command == FnCommand.READ_OFD_MESSAGE_BLOCK:
                reads.append(ReadOfdBlockRequest.decode(data))
            return emulator.storage.execute(command, data)

    async def main():
        ofd = await simple_ofd().start()
        link = OfdLink(RecordingPort(), "127.0.0.1", ofd.port, settings=SETTINGS, sleep=manual_sleep)
        outcomes = [await link.deliver_once() for _ in range(3)]
        await ofd.close()
        return ofd, outcomes

    ofd, outcomes = asyncio.run(main())
    assert [attempt.outcome for attempt in outcomes] == [Outcome.CONFIRMED] * 3
    receipt = ofd.received[2]
    assert receipt.fd_number == 3
    assert len(receipt.message) > 2 * 1024
    assert receipt.message == emulator.storage.message_for_ofd(3)
    receipt_reads = reads[-((len(receipt.message) + 1023) // 1024):]
    assert [read.offset for read in receipt_reads] == list(range(0, len(receipt.message), 1024))
    assert all(read.length <= 1024 for read in receipt_reads)


# --- refusals and retries -----------------------------------------------------------------


def test_dropped_message_stays_queued_and_is_resent(emulator, run_with_ofd, manual_sleep, guarded):
    async def scenario(link, ofd):
        ofd.mode = "drop"
        dropped = link.wait_attempt()
        link.start()
        attempt = await guarded(dropped)
        assert (attempt.fd_number, attempt.outcome) == (1, Outcome.DROPPED)
        assert (attempt.failures, attempt.retry_in) == (1, SETTINGS.first_retry)
        assert unconfirmed(emulator) == 1

        again = link.wait_attempt()
        await manual_sleep.release(1)
        attempt = await guarded(again)
        assert (attempt.outcome, attempt.failures, attempt.retry_in) == (Outcome.DROPPED, 2, 2)

        ofd.mode = "accept"
        delivered = link.wait_attempt(confirmed(1))
        await manual_sleep.release(2)
        await guarded(delivered)
        assert ofd.fd_numbers() == [1, 1, 1]
        assert unconfirmed(emulator) == 0

    run_with_ofd(scenario, emulator)


def test_silent_ofd_times_out(emulator, run_with_ofd, manual_sleep, guarded):
    async def scenario(link, ofd):
        ofd.mode = "silent"
        timed_out = link.wait_attempt()
        link.start()
        await ofd.wait_received(1)
        assert exchange_flags(emulator) & ExchangeFlags.AWAITING_TICKET
        await manual_sleep.release(SETTINGS.answer_timeout)
        attempt = await guarded(timed_out)
        assert attempt.outcome is Outcome.NO_ANSWER
        flags = exchange_flags(emulator)
        assert not flags & ExchangeFlags.TRANSPORT_CONNECTED
        assert not flags & ExchangeFlags.AWAITING_TICKET
        assert flags & ExchangeFlags.MESSAGE_FOR_OFD
        assert unconfirmed(emulator) == 1

    run_with_ofd(scenario, emulator)


def test_garbage_answer_is_bad_answer(emulator, run_with_ofd, guarded):
    async def scenario(link, ofd):
        ofd.mode = "garbage"
        refused = link.wait_attempt()
        link.start()
        attempt = await guarded(refused)
        assert attempt.outcome is Outcome.BAD_ANSWER
        assert unconfirmed(emulator) == 1

    run_with_ofd(scenario, emulator)


def test_wrong_operator_sign_is_rejected_then_resent(emulator, run_with_ofd, manual_sleep, guarded):
    async def scenario(link, ofd):
        ofd.master_key = b"the key of some other operator"
        rejected = link.wait_attempt()
        link.start()
        attempt = await guarded(rejected)
        assert attempt.outcome is Outcome.TICKET_REJECTED
        assert attempt.reject_reason == 1
        assert unconfirmed(emulator) == 1

        ofd.master_key = DEFAULT_MASTER_KEY
        delivered = link.wait_attempt(confirmed(1))
        await manual_sleep.release(SETTINGS.first_retry)
        await guarded(delivered)
        assert unconfirmed(emulator) == 0

    run_with_ofd(scenario, emulator)


def test_unsigned_ticket_accepted_by_default(emulator, run_with_ofd, guarded):
    async def scenario(link, ofd):
        ofd.sign = False
        delivered = link.wait_attempt()
        link.start()
        assert (await guarded(delivered)).outcome is Outcome.CONFIRMED

    run_with_ofd(scenario, emulator)


def test_unsigned_ticket_rejected_when_strict(tmp_path, run_with_ofd, guarded):
    async def scenario(link, ofd):
        ofd.sign = False
        rejected = link.wait_attempt()
        link.start()
        attempt = await guarded(rejected)
        assert attempt.outcome is Outcome.TICKET_REJECTED
        assert attempt.reject_reason == 1

    with Emulator(tmp_path / "fn.bin", clock=Clock(START, frozen=True),
                  fn_profile=FnProfile(strict_ofd=True)) as emulator:
        run_with_ofd(scenario, emulator)


def test_answer_code_confirms_with_warning(emulator, run_with_ofd, guarded, caplog):
    async def scenario(link, ofd):
        ofd.answer_code = 14
        delivered = link.wait_attempt()
        link.start()
        attempt = await guarded(delivered)
        assert attempt.outcome is Outcome.CONFIRMED
        assert attempt.ofd_code == 14
        assert unconfirmed(emulator) == 0

    with caplog.at_level(logging.INFO, logger="kktemu.emulator.ofd_link"):
        run_with_ofd(scenario, emulator)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING
                and record.name == "kktemu.emulator.ofd_link"]
    assert warnings == [f"ФН {FN_SERIAL}: the ОФД answered ФД 1 with code 14; the ФН counts the document "
                        "as delivered"]


def test_back_off_doubles_up_to_cap(emulator, manual_sleep, guarded, caplog):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now, so connecting is refused

    async def main():
        link = link_emulator(emulator, "127.0.0.1", port, settings=SETTINGS, sleep=manual_sleep)
        failures = []
        try:
            for delay in (None, 1, 2, 4, 4):
                attempt = link.wait_attempt()
                if delay is None:
                    link.start()
                else:
                    await manual_sleep.release(delay)
                failures.append(await guarded(attempt))
        finally:
            await link.close()
        return failures

    with caplog.at_level(logging.INFO, logger="kktemu.emulator.ofd_link"):
        attempts = asyncio.run(main())
    assert {attempt.outcome for attempt in attempts} == {Outcome.CONNECT_FAILED}
    assert [attempt.retry_in for attempt in attempts] == [1, 2, 4, 4, 4]
    assert [attempt.failures for attempt in attempts] == [1, 2, 3, 4, 5]
    levels = [record.levelno for record in caplog.records if "not delivered" in record.getMessage()]
    assert levels == [logging.WARNING] + [logging.INFO] * 4
    assert unconfirmed(emulator) == 1
    assert not exchange_flags(emulator) & ExchangeFlags.TRANSPORT_CONNECTED


def test_close_mid_exchange_disconnects_fn(emulator, run_with_ofd, guarded):
    async def scenario(link, ofd):
        ofd.mode = "silent"
        link.start()
        await ofd.wait_received(1)
        assert exchange_flags(emulator) & ExchangeFlags.TRANSPORT_CONNECTED
        await guarded(link.close())
        assert not exchange_flags(emulator) & ExchangeFlags.TRANSPORT_CONNECTED
        assert unconfirmed(emulator) == 1

    run_with_ofd(scenario, emulator)


# --- locking and logging --------------------------------------------------------------------


def test_fn_commands_run_under_lock(emulator, simple_ofd, manual_sleep):
    class DepthLock:
        depth = 0

        def __enter__(self):
            self.depth += 1

        def __exit__(self, *exc_info):
            self.depth -= 1

    lock = DepthLock()
    commands = []

    class CheckedPort:
        def execute(self, command, data):
            assert lock.depth > 0, f"ФН command {command:02X}h ran without the lock"
            commands.append(command)
            return emulator.storage.execute(command, data)

    async def main():
        ofd = await simple_ofd().start()
        link = OfdLink(CheckedPort(), "127.0.0.1", ofd.port, lock=lock, settings=SETTINGS, sleep=manual_sleep)
        attempt = await link.deliver_once()
        empty = await link.deliver_once()
        await ofd.close()
        return attempt, empty

    attempt, empty = asyncio.run(main())
    assert attempt.outcome is Outcome.CONFIRMED
    assert empty is None
    assert commands == [0x31, 0x20, 0x21, 0x22, 0x23, 0x25, 0x26, 0x21, 0x20]


def test_send_and_ticket_logged_with_numbers(emulator, run_with_ofd, guarded, caplog):
    async def scenario(link, ofd):
        delivered = link.wait_attempt()
        link.start()
        await guarded(delivered)

    with caplog.at_level(logging.INFO, logger="kktemu.emulator.ofd_link"):
        run_with_ofd(scenario, emulator)
    lines = [record.getMessage() for record in caplog.records if record.levelno == logging.INFO]
    assert any(line.startswith(f"ФН {FN_SERIAL}: sending ФД 1 to the ОФД at 127.0.0.1:") for line in lines)
    assert f"ФН {FN_SERIAL}: квитанция for ФД 1 accepted, ОФД answer code 0" in lines


# --- settings -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["poll_interval", "first_retry", "max_retry", "connect_timeout",
                                   "answer_timeout"])
@pytest.mark.parametrize("value", [0, -1])
def test_settings_reject_non_positive(field, value):
    with pytest.raises(ValueError, match=field):
        OfdLinkSettings(**{field: value})


def test_settings_reject_cap_below_first():
    with pytest.raises(ValueError, match="max_retry"):
        OfdLinkSettings(first_retry=10, max_retry=5)


def test_retry_delay_sequence():
    settings = OfdLinkSettings(first_retry=5, max_retry=300)
    assert [settings.retry_delay(failures) for failures in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert settings.retry_delay(10_000) == 300
    with pytest.raises(ValueError, match="failures"):
        settings.retry_delay(0)


def test_attempt_defaults():
    attempt = Attempt(7, Outcome.CONFIRMED)
    assert (attempt.failures, attempt.retry_in, attempt.reject_reason) == (0, None, None)


# --- failures inside the link ----------------------------------------------------------------


def test_malformed_fn_answer_logged_and_retried(manual_sleep, guarded, caplog):
    class GarbledPort:
        """A ФН whose 20h answer is too short to decode, until ``repaired``."""

        repaired = False
        polls = 0

        def execute(self, command, data):
            if command == FnCommand.GET_EXCHANGE_STATUS:
                self.polls += 1
                if not self.repaired:
                    return 0, b"\x02"
                return 0, bytes(13)  # an empty queue
            return 0, b"9999078900000017"

    port = GarbledPort()

    async def main():
        link = OfdLink(port, "127.0.0.1", 9, settings=SETTINGS, sleep=manual_sleep)
        link.start()
        try:
            await manual_sleep.wait_for(SETTINGS.first_retry)
            port.repaired = True
            await manual_sleep.release(SETTINGS.first_retry)
            await manual_sleep.wait_for(SETTINGS.poll_interval)
        finally:
            await guarded(link.close())

    with caplog.at_level(logging.ERROR, logger="kktemu.emulator.ofd_link"):
        asyncio.run(main())
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage() == "ОФД link to 127.0.0.1:9 failed; retrying in 1 s"
    assert errors[0].exc_info is not None
    assert port.polls == 2


def test_start_twice_raises(emulator, manual_sleep):
    async def main():
        link = link_emulator(emulator, "127.0.0.1", 9, settings=SETTINGS, sleep=manual_sleep)
        link.start()
        try:
            with pytest.raises(RuntimeError, match="already started"):
                link.start()
        finally:
            await link.close()

    asyncio.run(main())


def test_wake_before_start_is_ignored(emulator):
    link = link_emulator(emulator, "127.0.0.1", 9, settings=SETTINGS)
    link.wake()
    sell(emulator)  # the watch has no listener yet, so the sale only queues the documents
    assert link.attempts == 0
    assert unconfirmed(emulator) == 3


def test_address_brackets_ipv6(emulator):
    assert link_emulator(emulator, "::1", 7779).address == "[::1]:7779"
    assert link_emulator(emulator, "127.0.0.1", 7779).address == "127.0.0.1:7779"


def test_settings_come_from_profile(emulator):
    assert link_emulator(emulator, "127.0.0.1", 7779).settings == emulator.register.profile.ofd_link
    assert emulator.register.profile.ofd_link == OfdLinkSettings()


def test_link_never_sends_to_own_register(emulator, simple_ofd, manual_sleep):
    async def main():
        ofd = await simple_ofd().start()
        # The small ОФД stands in for the register's own listener: the link must not send to it.
        link = link_emulator(emulator, "127.0.0.1", ofd.port, settings=SETTINGS, sleep=manual_sleep,
                             own_addresses=lambda: [("127.0.0.1", ofd.port)])
        try:
            attempt = await link.deliver_once()
        finally:
            await link.close()
            await ofd.close()
        assert attempt is not None
        assert attempt.outcome is Outcome.CONNECT_FAILED
        assert "is this register's own TCP address" in attempt.detail
        assert ofd.fd_numbers() == []
        assert unconfirmed(emulator) == 1

    asyncio.run(main())


@pytest.mark.parametrize(("targets", "port", "listening", "expected"), [
    (["127.0.0.1"], 7778, [("127.0.0.1", 7778)], ("127.0.0.1", 7778)),
    (["127.0.0.1"], 7778, [("0.0.0.0", 7778)], ("0.0.0.0", 7778)),
    (["::1"], 7778, [("::", 7778)], ("::", 7778)),
    (["127.0.0.1"], 7777, [("127.0.0.1", 7778)], None),
    # 192.0.2.1 (TEST-NET-1) is no address of this machine; the check binds nothing there and sends nothing.
    (["192.0.2.1"], 7778, [("0.0.0.0", 7778)], None),
    (["fe80::1%lo"], 7778, [("127.0.0.1", 7778)], None),
])
def test_matching_listener(targets, port, listening, expected):
    assert matching_listener(targets, port, listening) == expected
