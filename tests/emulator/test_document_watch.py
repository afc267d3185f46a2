"""DocumentWatch: listeners hear of every formed document and of nothing else."""

from __future__ import annotations

import logging

import pytest

from kktemu.emulator.document_watch import FORMING_COMMANDS, DocumentWatch
from kktemu.protocol.fn.codes import WARNING_BIT, FnCommand, FnResult


class ScriptedPort:
    """An FnPort that returns ``result`` to every command and records the calls."""

    def __init__(self, result: int = FnResult.OK):
        self.result = result
        self.calls: list[tuple[int, bytes]] = []

    def execute(self, command, data):
        self.calls.append((command, data))
        return self.result, b"answer"


def test_forming_commands_are_the_form_commands():
    assert FORMING_COMMANDS == {0x03, 0x05, 0x12, 0x14, 0x16, 0x19}


@pytest.mark.parametrize("command", sorted(FORMING_COMMANDS))
def test_formed_document_calls_listener(command):
    port, heard = ScriptedPort(), []
    watch = DocumentWatch(port)
    watch.subscribe(lambda: heard.append(True))
    assert watch.execute(command, b"\x01") == (FnResult.OK, b"answer")
    assert port.calls == [(command, b"\x01")]
    assert heard == [True]


def test_warning_bit_still_counts_as_success():
    port, heard = ScriptedPort(FnResult.OK | WARNING_BIT), []
    watch = DocumentWatch(port)
    watch.subscribe(lambda: heard.append(True))
    watch.execute(FnCommand.FORM_RECEIPT, b"")
    assert heard == [True]


@pytest.mark.parametrize("command", [FnCommand.BEGIN_RECEIPT, FnCommand.SEND_DOCUMENT_DATA,
                                     FnCommand.GET_STATUS, FnCommand.SEND_OFD_TICKET])
def test_other_commands_are_silent(command):
    heard = []
    watch = DocumentWatch(ScriptedPort())
    watch.subscribe(lambda: heard.append(True))
    watch.execute(command, b"")
    assert heard == []


def test_refused_form_is_silent():
    heard = []
    watch = DocumentWatch(ScriptedPort(FnResult.OFD_WAIT_EXHAUSTED))
    watch.subscribe(lambda: heard.append(True))
    assert watch.execute(FnCommand.FORM_RECEIPT, b"") == (FnResult.OFD_WAIT_EXHAUSTED, b"answer")
    assert heard == []


def test_unsubscribed_listener_is_not_called():
    heard = []

    def listener():
        heard.append(True)

    watch = DocumentWatch(ScriptedPort())
    watch.subscribe(listener)
    watch.unsubscribe(listener)
    watch.unsubscribe(listener)  # a second time is harmless
    watch.execute(FnCommand.FORM_RECEIPT, b"")
    assert heard == []


def test_failing_listener_is_logged_and_others_run(caplog):
    heard = []

    def broken():
        raise RuntimeError("listener bug")

    watch = DocumentWatch(ScriptedPort())
    watch.subscribe(broken)
    watch.subscribe(lambda: heard.append(True))
    with caplog.at_level(logging.ERROR, logger="kktemu.emulator.document_watch"):
        assert watch.execute(FnCommand.CLOSE_SHIFT, b"") == (FnResult.OK, b"answer")
    assert heard == [True]
    assert [record.getMessage() for record in caplog.records] == [
        "a listener for formed documents failed after command 14h"]
