"""Conformance: pyshtrih 2.0.6 drives the device commands of kktemu over a virtual serial port.

The ``ShtrihM01F`` class of pyshtrih lists 14h-16h, 19h-1Bh, 1Eh/1Fh, 21h-23h, 28h/29h,
2Bh, 2Dh/2Eh, 8Ch and B0h among its commands. Its ``wait_printing`` loop, run
before every printing command, polls 10h until the submode is 0 and sends B0h
when it reads submode 3, so a printout interrupted by a paper break resumes.
"""

from __future__ import annotations

import datetime as dt

import pyshtrih
import pytest
from pyshtrih import excepts

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.transports.background import TransportThread

START = dt.datetime(2024, 3, 1, 9, 0, 0)


@pytest.fixture
def connected(tmp_path):
    with Emulator(tmp_path / "fn.bin", clock=Clock(START, frozen=True)) as emulator, \
            TransportThread(emulator.execute) as thread:
        path = str(tmp_path / "ttyKKT")
        thread.serve_pty(path)
        device = pyshtrih.ShtrihM01F(port=path, baudrate=115200, timeout=3)
        device.connect()
        yield device, emulator
        device.disconnect()


def test_wait_printing_continues_interrupted_printout(connected):
    device, emulator = connected
    emulator.register.interrupt_printing()
    device.open_check(0)  # wait_printing sees submode 3, sends B0h, then opens the receipt
    assert "PRINTING CONTINUED" in emulator.register.journal
    assert device.state()["Режим ФР"].num == 8


def test_paper_out_refuses_close(connected):
    # close_check runs no wait_printing (that loop would spin forever on submode 1),
    # so its 85h reaches the register and gets 6Bh "Нет чековой ленты".
    device, emulator = connected
    device.open_check(0)
    device.sale(("Сахар", 1000, 2800), tax1=1)
    emulator.register.paper_out()
    assert device.state()["Подрежим ФР"].state == 1
    with pytest.raises(excepts.Error) as error:
        device.close_check(2800)
    assert error.value.code == 0x6B
    emulator.register.paper_loaded()
    device.close_check(2800)


def test_set_datetime(connected):
    device, emulator = connected
    device.set_datetime(dt.datetime(2024, 3, 2, 10, 15, 30))
    assert emulator.register.now() == dt.datetime(2024, 3, 2, 10, 15, 30)


def test_tables(connected):
    device, emulator = connected
    device.write_table(17, 1, 7, 1, int)
    assert device.read_table(17, 1, 7, int)["Значение"] == 1
    assert device.read_table(18, 1, 4, str)["Значение"] == emulator.fn_serial
    assert device.request_table_structure(17)["Название таблицы"] == "РЕГИОНАЛЬНЫЕ НАСТРОЙКИ"
    assert device.request_field_structure(2, 1)["Максимальное значение поля"] == 99999999


def test_registers_after_cash_in(connected):
    device, _emulator = connected
    device.income(12345)
    assert device.request_monetary_register(241)["Содержимое регистра"] == 12345
    assert device.request_monetary_register(242)["Содержимое регистра"] == 12345
    assert device.request_operational_register(153)["Содержимое регистра"] == 1


def test_exchange_parameters(connected):
    device, _emulator = connected
    device.set_exchange_params(0, 19200, 0.1)
    answer = device.read_exchange_params(0)
    assert answer["Код скорости обмена"] == 19200


def test_test_run_and_technological_reset(connected):
    device, emulator = connected
    device.test_start(1)
    assert device.state()["Режим ФР"].num == 10
    device.test_stop()
    emulator.register.require_technological_reset()
    device.reset_settings()
    assert device.state()["Режим ФР"].num == 4


def test_drawer_feed_and_repeat(connected):
    device, _emulator = connected
    device.open_drawer(0)
    device.feed(2, cash_tape=True)
    with pytest.raises(excepts.Error) as error:
        device.repeat()
    assert error.value.code == 0x56
