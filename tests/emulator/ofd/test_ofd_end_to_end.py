"""End to end: pyshtrih sells over TCP, the register's ОФД link delivers, the квитанция returns to the ФН.

Each test runs the register's TCP server, its ОФД link and the mock ОФД
(``kktemu.tools.ofd.MockOfd``) in one event loop, as ``kktemu serve --ofd
builtin`` does. The unmodified pyshtrih 2.0.6
driver runs in a worker thread (``asyncio.to_thread``) and talks to the
register over TCP through pyserial's socket:// handler. The link sleeps
through ``ManualSleep`` and the register and ФН read a frozen ``Clock``, so the
30-day rule is reached by advancing the clock, without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

import pyshtrih
import pytest
import serial

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.ofd_link import OfdLinkSettings, Outcome, link_emulator
from kktemu.emulator.transports.tcp import TcpServer
from kktemu.fn_storage.exchange import OFD_WAIT_LIMIT
from kktemu.tools.ofd import MockOfd, Result

START = dt.datetime(2024, 3, 1, 9, 0, 0)
SETTINGS = OfdLinkSettings(poll_interval=60, first_retry=1, max_retry=4, connect_timeout=30, answer_timeout=300)
UNSENT = "Количество неподтверждённых ФД"
TICKET_RECEIVED = "Получена ли квитанция из ОФД"
OFD_WAIT_EXHAUSTED = 0x15  # ФН result «исчерпан ресурс ожидания квитанции», passed through by the register
RECEIVED_AT = dt.datetime(2024, 3, 1, 6, 0, 0)  # UTC time the mock ОФД writes into 1012 of its квитанции


def confirmed(fd_number: int):
    return lambda attempt: attempt.outcome is Outcome.CONFIRMED and attempt.fd_number == fd_number


class Register:
    """One register served on TCP in the test's loop, with its ОФД link and a pyshtrih client."""

    def __init__(self, emulator: Emulator, ofd_port: int, sleep) -> None:
        self.emulator = emulator
        self.server = TcpServer(emulator.execute, "127.0.0.1", 0, ff_after_ack=False)
        self.link = link_emulator(emulator, "127.0.0.1", ofd_port, settings=SETTINGS, sleep=sleep)
        self.device: pyshtrih.ShtrihM01F | None = None

    async def start(self) -> Register:
        await self.server.start()
        return self

    async def close(self) -> None:
        await self.link.close()
        if self.device is not None:
            await asyncio.to_thread(self.device.disconnect)
        await self.server.close()

    async def host(self, operation):
        """Run ``operation(device)`` in a worker thread with a connected pyshtrih client."""
        if self.device is None:
            url = f"socket://127.0.0.1:{self.server.port}"
            device = pyshtrih.ShtrihM01F(port=url, timeout=3)
            device.protocol.serial = serial.serial_for_url(url, do_not_open=True, timeout=3, write_timeout=3)
            await asyncio.to_thread(device.connect)
            self.device = device
        return await asyncio.to_thread(operation, self.device)


def sell(device: pyshtrih.ShtrihM01F, price: int = 4500) -> None:
    device.open_check(0)
    device.sale(("Хлеб", 1000, price), tax1=1)
    device.close_check(price)


def unsent(device: pyshtrih.ShtrihM01F) -> int:
    return device.fs_unconfirmed_document_count()[UNSENT]


def arrivals(ofd: MockOfd, fn_serial: str | None = None) -> list[tuple[int, str]]:
    """Return (ФД number, result) of every message the ОФД stored, of one ФН or of all."""
    return [(document.fd_number, document.result) for document in ofd.documents()
            if fn_serial in (None, document.fn_serial)]


@pytest.fixture
def run_registers(manual_sleep, tmp_path):
    """Return ``run(scenario, count=1)``: start a mock ОФД and ``count`` registers sharing one clock,
    then await ``scenario(registers, ofd, clock)``."""

    def run(scenario, count: int = 1):
        clock = Clock(START, frozen=True)

        async def main():
            ofd = MockOfd(clock=lambda: RECEIVED_AT)
            _host, ofd_port = await ofd.start()
            with contextlib.ExitStack() as files:
                registers = []
                for number in range(count):
                    emulator = files.enter_context(Emulator(tmp_path / f"fn{number}.bin", clock=clock,
                                                            fn_serial=f"99990789000001{number:02d}"))
                    registers.append(await Register(emulator, ofd_port, manual_sleep).start())
                try:
                    await scenario(registers, ofd, clock)
                finally:
                    for register in registers:
                        await register.close()
                    await ofd.stop()

        asyncio.run(main())

    return run


def test_sale_reaches_ofd_and_ticket_returns(run_registers, guarded):
    async def scenario(registers, ofd, _clock):
        (register,) = registers
        registration = register.link.wait_attempt(confirmed(1))
        register.link.start()
        await guarded(registration)

        receipt = register.link.wait_attempt(confirmed(3))
        await register.host(lambda device: device.open_shift())
        await register.host(sell)
        attempt = await guarded(receipt)
        assert attempt.ofd_code == 0

        assert arrivals(ofd) == [(1, Result.ACCEPTED), (2, Result.ACCEPTED), (3, Result.ACCEPTED)]
        assert await register.host(unsent) == 0
        exchange = await register.host(lambda device: device.fs_info_exchange())
        assert exchange["Количество сообщений для ОФД"] == 0
        found = await register.host(lambda device: device.fs_find_document_by_num(3))
        assert found[TICKET_RECEIVED] == 1

    run_registers(scenario)


def test_rejected_message_stays_queued_and_is_resent(run_registers, manual_sleep, guarded):
    async def scenario(registers, ofd, _clock):
        (register,) = registers
        registration = register.link.wait_attempt(confirmed(1))
        register.link.start()
        await guarded(registration)

        ofd.faults.set(reject=14)
        rejected = register.link.wait_attempt(lambda attempt: attempt.fd_number == 2)
        await register.host(lambda device: device.open_shift())
        attempt = await guarded(rejected)
        assert attempt.outcome is Outcome.DROPPED
        # The register saw a closed connection, not the mock's own "dropped" fault.
        assert attempt.outcome.value == "connection closed"
        assert attempt.detail == "the ОФД closed the connection without a квитанция"
        assert await register.host(unsent) == 1
        found = await register.host(lambda device: device.fs_find_document_by_num(2))
        assert found[TICKET_RECEIVED] == 0

        ofd.faults.clear()
        resent = register.link.wait_attempt(confirmed(2))
        await manual_sleep.release(SETTINGS.first_retry)
        await guarded(resent)
        assert arrivals(ofd) == [(1, Result.ACCEPTED), (2, Result.REJECTED), (2, Result.ACCEPTED)]
        assert await register.host(unsent) == 0

    run_registers(scenario)


def test_offline_30_days_blocks_then_drains(run_registers, manual_sleep, guarded):
    async def scenario(registers, ofd, clock):
        (register,) = registers
        ofd.faults.set(no_answer=True)
        no_answer = register.link.wait_attempt()
        register.link.start()
        await guarded(ofd.wait_for_documents(1))
        await manual_sleep.release(SETTINGS.answer_timeout)
        assert (await guarded(no_answer)).outcome is Outcome.NO_ANSWER

        # The ОФД stays silent; the link sits in its back-off while the shift goes on.
        await register.host(lambda device: device.open_shift())
        await register.host(sell)
        await register.host(lambda device: device.z_report())
        assert await register.host(unsent) == 4
        assert arrivals(ofd) == [(1, Result.HELD)]

        clock.advance(OFD_WAIT_LIMIT)
        await register.host(lambda device: device.open_shift())
        await register.host(sell)  # exactly 30 days: still allowed
        await register.host(lambda device: device.z_report())
        clock.advance(dt.timedelta(seconds=1))

        with pytest.raises(pyshtrih.excepts.Error) as refused:
            await register.host(sell)
        assert refused.value.code == OFD_WAIT_EXHAUSTED
        with pytest.raises(pyshtrih.excepts.Error) as refused:
            await register.host(lambda device: device.open_shift())
        assert refused.value.code == OFD_WAIT_EXHAUSTED
        assert await register.host(unsent) == 7

        ofd.faults.clear()
        drained = register.link.wait_attempt(confirmed(7))
        await manual_sleep.release(SETTINGS.first_retry)
        await guarded(drained)
        assert arrivals(ofd) == [(1, Result.HELD)] + [(number, Result.ACCEPTED) for number in range(1, 8)]
        assert await register.host(unsent) == 0

        receipt = register.link.wait_attempt(confirmed(9))
        await register.host(lambda device: device.open_shift())
        await register.host(sell)
        await guarded(receipt)
        assert await register.host(unsent) == 0

    run_registers(scenario)


def test_two_registers_share_one_ofd(run_registers, guarded):
    async def scenario(registers, ofd, _clock):
        receipts = [register.link.wait_attempt(confirmed(3)) for register in registers]
        for register in registers:
            register.link.start()

        async def shift_and_sale(register):
            await register.host(lambda device: device.open_shift())
            await register.host(sell)

        await asyncio.gather(*(shift_and_sale(register) for register in registers))
        await guarded(asyncio.gather(*receipts))

        serials = [register.emulator.fn_serial for register in registers]
        assert len(set(serials)) == 2
        for register, serial_number in zip(registers, serials):
            assert arrivals(ofd, serial_number) == [(1, Result.ACCEPTED), (2, Result.ACCEPTED), (3, Result.ACCEPTED)]
            assert await register.host(unsent) == 0

    run_registers(scenario, count=2)
