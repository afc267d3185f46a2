"""Fault modes of the mock ОФД: the rules themselves, then each mode over TCP with a kktemu ФН."""

from __future__ import annotations

import asyncio
import logging

import pytest

from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.ofd.message import decode_message
from kktemu.tools.ofd import Fault, FaultError, Faults, MockOfd, Result

# Rules.


@pytest.mark.parametrize("settings", [
    {"reject": 14, "drop": True},
    {"drop": True, "no_answer": True},
    {"reject": 1, "answer_code": 11},
    {"reject": 0},
    {"reject": 256},
    {"answer_code": -1},
    {"delay": -0.5},
    {"delay": float("nan")},
    {"delay": float("inf")},
    {"count": 0},
    {"fn_serial": ""},
])
def test_fault_settings_rejected(settings):
    with pytest.raises(FaultError):
        Fault(**settings)


def test_fault_actions():
    assert Fault().action == "answer"
    assert Fault(answer_code=11).action == "answer"
    assert Fault(reject=14, delay=0.5).action == "reject"
    assert Fault(drop=True).action == "drop"
    assert Fault(no_answer=True).action == "no_answer"
    assert Fault(reject=14, delay=0.5, fn_serial="9999078900000001", count=2).describe() == \
        "reject 14 after 0.5 s, ФН 9999078900000001, next 2"


def test_serial_rule_before_general_rule():
    faults = Faults()
    faults.set(drop=True)
    faults.set(reject=3, fn_serial="A")
    assert faults.take("A").reject == 3
    assert faults.take("B").drop
    faults.remove("A")
    assert faults.take("A").drop
    faults.remove(None)
    assert faults.take("A") is None


def test_count_limits_rule():
    faults = Faults(Fault(no_answer=True, count=2))
    assert faults.remaining() == 2
    assert faults.take("A").no_answer
    assert faults.remaining() == 1
    assert faults.take("B").no_answer
    assert faults.take("A") is None
    assert faults.rules() == []


def test_serial_count_falls_back_to_general():
    faults = Faults(Fault(delay=0.25), Fault(reject=9, fn_serial="A", count=1))
    assert faults.take("A").reject == 9
    assert faults.take("A") == Fault(delay=0.25)
    assert faults.remaining("A") is None


def test_set_replaces_and_clear_empties():
    faults = Faults()
    faults.set(reject=1, count=3)
    replacement = faults.set(drop=True)
    assert faults.rules() == [replacement]
    assert faults.remaining() is None
    faults.set(no_answer=True, fn_serial="A")
    faults.clear()
    assert faults.rules() == []
    assert faults.take("A") is None


# Over TCP.


def serve(kit, scenario, **options):
    async def main():
        server = MockOfd(**options)
        await server.start()
        try:
            return await scenario(server)
        finally:
            await server.stop()

    return kit.run(main)


async def send_only(kit, address, message: bytes):
    reader, writer = await asyncio.open_connection(*address)
    writer.write(message)
    await writer.drain()
    return reader, writer


def test_reject_leaves_document_queued_and_resent(kit, fn_emulator, caplog):
    """A rejection sends no квитанция; after the register's 21h(0) the ФН offers the same ФД again."""
    storage = fn_emulator.storage
    message = kit.read_fn_message(storage)
    faults = Faults(Fault(reject=14, count=1))

    async def first(server):
        return await kit.exchange(server.address, message)

    with caplog.at_level(logging.WARNING, logger="kktemu.tools.ofd.server"):
        rejected_answer = serve(kit, first, faults=faults)
    assert rejected_answer == b""
    assert any("rejected ФД 1" in record.getMessage() and "code 14" in record.getMessage()
               for record in caplog.records)

    kit.call(storage, FnCommand.SET_TRANSPORT_STATUS, b"\x00")
    resent = kit.read_fn_message(storage)
    assert resent == message

    async def second(server):
        answer = await kit.exchange(server.address, message)
        assert server.documents()[-1].result == Result.REJECTED
        answer_again = await kit.exchange(server.address, resent)
        return answer, answer_again, server.documents()

    faults.set(reject=14, count=1)
    answer, answer_again, documents = serve(kit, second, faults=faults)
    assert answer == b""
    assert [(record.result, record.code) for record in documents] == [(Result.REJECTED, 14), (Result.ACCEPTED, 0)]
    assert storage.execute(FnCommand.SEND_OFD_TICKET, answer_again)[0] == FnResult.OK
    assert [document.fd_number for document in storage.ofd_queue()] == [2]


def test_answer_code_confirms_document(kit, fn_emulator):
    storage = fn_emulator.storage
    message = kit.read_fn_message(storage)

    async def scenario(server):
        server.faults.set(answer_code=14)
        return await kit.exchange(server.address, message), server.documents()

    answer, documents = serve(kit, scenario)
    assert (documents[0].result, documents[0].code) == (Result.ACCEPTED, 14)
    result, data = storage.execute(FnCommand.SEND_OFD_TICKET, answer)
    assert result == FnResult.OK
    assert data[0] == 14
    assert [document.fd_number for document in storage.ofd_queue()] == [2]


def test_drop_closes_after_reading(kit, fn_emulator):
    message = kit.read_fn_message(fn_emulator.storage)

    async def scenario(server):
        reader, writer = await send_only(kit, server.address, message)
        closed = await kit.closed_without_answer(reader)
        writer.close()
        answer = await kit.exchange(server.address, message)
        return closed, answer, server.documents()

    closed, answer, documents = serve(kit, scenario, faults=Faults(Fault(drop=True, count=1)))
    assert closed
    assert decode_message(answer).container.fd_number == 1
    assert [record.result for record in documents] == [Result.DROPPED, Result.ACCEPTED]


def test_no_answer_holds_until_stop(kit, fn_emulator):
    message = kit.read_fn_message(fn_emulator.storage)
    received = {}

    async def main():
        server = MockOfd(faults=Faults(Fault(no_answer=True)))
        await server.start()
        try:
            reader, writer = await send_only(kit, server.address, message)
            documents = await asyncio.wait_for(server.wait_for_documents(1), kit.IO_TIMEOUT)
            received["result"] = documents[0].result
            received["open"] = server.open_connections
        finally:
            await server.stop()
        # Stopping closes the held connection; nothing was ever sent on it.
        received["closed"] = await kit.closed_without_answer(reader)
        writer.close()

    kit.run(main)
    assert received == {"result": Result.HELD, "open": 1, "closed": True}


def test_no_answer_ends_when_client_closes(kit, fn_emulator):
    message = kit.read_fn_message(fn_emulator.storage)

    async def scenario(server):
        reader, writer = await send_only(kit, server.address, message)
        await asyncio.wait_for(server.wait_for_documents(1), kit.IO_TIMEOUT)
        writer.close()
        await writer.wait_closed()
        # The held connection ends; the next message (no rule left) is answered.
        return await kit.exchange(server.address, message)

    answer = serve(kit, scenario, faults=Faults(Fault(no_answer=True, count=1)))
    assert decode_message(answer).container.fd_number == 1


def test_delay_then_answer(kit, fn_emulator, caplog):
    message = kit.read_fn_message(fn_emulator.storage)

    async def scenario(server):
        return await kit.exchange(server.address, message)

    with caplog.at_level(logging.INFO, logger="kktemu.tools.ofd.server"):
        answer = serve(kit, scenario, faults=Faults(Fault(delay=0.01)))
    assert decode_message(answer).container.fd_number == 1
    assert any("answer after 0.01 s" in record.getMessage() for record in caplog.records)


def test_stop_during_delay(kit, fn_emulator):
    """A long delay is cut short by stop: the client gets no квитанция and nothing is stored."""
    message = kit.read_fn_message(fn_emulator.storage)
    received = {}

    async def main():
        server = MockOfd(faults=Faults(Fault(delay=3600)))
        await server.start()
        try:
            reader, writer = await send_only(kit, server.address, message)
            await asyncio.wait_for(server.wait_for_messages(1), kit.IO_TIMEOUT)
        finally:
            await server.stop()
        received["closed"] = await kit.closed_without_answer(reader)
        received["documents"] = server.documents()
        writer.close()

    kit.run(main)
    assert received == {"closed": True, "documents": []}


def test_fault_per_serial_and_runtime_change(kit, tmp_path):
    first = kit.make_fn(tmp_path / "a.bin", 21)
    second = kit.make_fn(tmp_path / "b.bin", 22)
    message_a = kit.read_fn_message(first.storage)
    message_b = kit.read_fn_message(second.storage)

    async def scenario(server):
        server.faults.set(reject=3, fn_serial=first.storage.serial)
        answers = [await kit.exchange(server.address, message_a), await kit.exchange(server.address, message_b)]
        server.faults.clear()
        answers.append(await kit.exchange(server.address, message_a))
        return answers, server.documents()

    try:
        answers, documents = serve(kit, scenario)
    finally:
        first.close()
        second.close()
    assert answers[0] == b""
    assert decode_message(answers[1]).fn_serial == second.storage.serial
    assert decode_message(answers[2]).fn_serial == first.storage.serial
    assert [(record.fn_serial, record.result) for record in documents] == [
        (first.storage.serial, Result.REJECTED),
        (second.storage.serial, Result.ACCEPTED),
        (first.storage.serial, Result.ACCEPTED),
    ]
