"""The mock ОФД over TCP: a kktemu ФН's messages stored and confirmed, bad input closed, never a crash."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

import pytest

from kktemu.fn_storage import read_archive
from kktemu.fn_storage.signing import DEFAULT_MASTER_KEY, ofd_key_for, verify_operator_sign
from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.fn.exchange import OfdTicketAnswer
from kktemu.protocol.ofd.confirmation import OperatorConfirmation
from kktemu.protocol.ofd.container import Container
from kktemu.protocol.ofd.message import OfdMessage, decode_message
from kktemu.protocol.ofd.session import (
    CRC_HEADER_AND_BODY,
    SERVICE_CLIENT_FLAGS,
    SERVICE_CLIENT_FLAGS_WITH_CRC,
    SERVICE_SERVER_FLAGS,
    SERVICE_SERVER_FLAGS_WITH_CRC,
)
from kktemu.tools.ofd import DirectoryStore, MockOfd, Result

RECEIVED = dt.datetime(2024, 3, 1, 6, 31, 5)
SERVER_LOGGER = "kktemu.tools.ofd.server"


def fixed_clock() -> dt.datetime:
    return RECEIVED


def serve(kit, scenario, **options):
    """Run ``scenario(server)`` against a started MockOfd; stop it afterwards; return the scenario's result."""

    async def main():
        server = MockOfd(clock=fixed_clock, **options)
        await server.start()
        try:
            return await scenario(server)
        finally:
            await server.stop()

    return kit.run(main)


def with_document(message: bytes, document: bytes | None = None, trailer: bytes | None = None,
                  flags: int | None = None) -> bytes:
    """Re-encode ``message`` with another document, trailer or flags (so the CRCs stay valid)."""
    parsed = decode_message(message)
    container = parsed.container
    if document is not None:
        container = dataclasses.replace(container, document=document)
    if trailer is not None:
        container = dataclasses.replace(container, trailer=trailer)
    return dataclasses.replace(parsed, container=container, flags=parsed.flags if flags is None else flags).encode()


def test_fn_message_confirmed_and_stored(kit, fn_emulator):
    storage = fn_emulator.storage
    message = kit.read_fn_message(storage)

    async def scenario(server):
        return await kit.exchange(server.address, message), server.documents()

    answer, documents = serve(kit, scenario, ofd_inn="7704358518")
    ticket = decode_message(answer)
    confirmation = OperatorConfirmation.decode(ticket.container.document)
    assert confirmation.fn_serial == storage.serial
    assert confirmation.fd_number == 1
    assert confirmation.ofd_inn == "7704358518"
    assert confirmation.received_at == RECEIVED
    assert confirmation.answer_code == 0
    key = ofd_key_for(DEFAULT_MASTER_KEY, storage.serial)
    assert verify_operator_sign(key, ticket.container.document) is True

    assert len(documents) == 1
    record = documents[0]
    assert (record.fn_serial, record.fd_number, record.form) == (storage.serial, 1, 1)
    assert record.result == Result.ACCEPTED
    assert record.code == 0
    assert record.received_at == RECEIVED
    assert record.peer.startswith("127.0.0.1:")
    first = read_archive(fn_emulator.fn_path).documents[0]
    assert record.fiscal_sign == first.fiscal_sign
    assert record.document_time == first.moment

    result, data = storage.execute(FnCommand.SEND_OFD_TICKET, answer)
    assert result == FnResult.OK
    assert OfdTicketAnswer.decode(data).ofd_code == 0
    assert [document.fd_number for document in storage.ofd_queue()] == [2]


def test_unsigned_ticket_option(kit, fn_emulator):
    message = kit.read_fn_message(fn_emulator.storage)

    async def scenario(server):
        return await kit.exchange(server.address, message)

    answer = serve(kit, scenario, operator_sign=False)
    confirmation = OperatorConfirmation.decode(decode_message(answer).container.document)
    assert confirmation.ofd_sign is None
    assert confirmation.fd_number == 1


def test_message_whole_bytewise_and_pipelined(kit, fn_emulator):
    """The same message sent at once, one byte per write, and twice back to back on one connection."""
    message = kit.read_fn_message(fn_emulator.storage)

    async def scenario(server):
        whole = await kit.exchange(server.address, message)

        reader, writer = await asyncio.open_connection(*server.address)
        for index in range(len(message)):
            writer.write(message[index:index + 1])
            await writer.drain()
        bytewise = await kit.read_answer(reader)
        writer.close()

        reader, writer = await asyncio.open_connection(*server.address)
        writer.write(message + message)
        await writer.drain()
        pipelined = [await kit.read_answer(reader), await kit.read_answer(reader)]
        writer.close()
        return whole, bytewise, pipelined, server.documents()

    whole, bytewise, pipelined, documents = serve(kit, scenario)
    assert decode_message(whole).container.fd_number == 1
    assert bytewise == whole
    assert pipelined == [whole, whole]
    assert [record.result for record in documents] == [Result.ACCEPTED] * 4


def test_two_registers_at_once(kit, tmp_path):
    """Register A stops halfway through its message while register B is served; then A finishes."""
    first = kit.make_fn(tmp_path / "a.bin", 11)
    second = kit.make_fn(tmp_path / "b.bin", 12)
    message_a = kit.read_fn_message(first.storage)
    message_b = kit.read_fn_message(second.storage)

    async def scenario(server):
        reader_a, writer_a = await asyncio.open_connection(*server.address)
        writer_a.write(message_a[:40])
        await writer_a.drain()
        answer_b = await kit.exchange(server.address, message_b)
        writer_a.write(message_a[40:])
        await writer_a.drain()
        answer_a = await kit.read_answer(reader_a)
        writer_a.close()
        return answer_a, answer_b, server.documents()

    try:
        answer_a, answer_b, documents = serve(kit, scenario)
        assert first.storage.execute(FnCommand.SEND_OFD_TICKET, answer_a)[0] == FnResult.OK
        assert second.storage.execute(FnCommand.SEND_OFD_TICKET, answer_b)[0] == FnResult.OK
    finally:
        first.close()
        second.close()
    assert [record.fn_serial for record in documents] == [second.storage.serial, first.storage.serial]


@pytest.mark.parametrize(("client_flags", "server_flags"), [
    (SERVICE_CLIENT_FLAGS, SERVICE_SERVER_FLAGS),
    (SERVICE_CLIENT_FLAGS_WITH_CRC, SERVICE_SERVER_FLAGS_WITH_CRC),
])
def test_service_message_answered(kit, client_flags, server_flags):
    request = OfdMessage("9999078900000001", None, client_flags).encode()

    async def scenario(server):
        return await kit.exchange(server.address, request), server.documents()

    answer, documents = serve(kit, scenario)
    parsed = decode_message(answer)
    assert parsed.container is None
    assert parsed.flags == server_flags
    assert parsed.fn_serial == "9999078900000001"
    assert documents == []


def test_session_crc_mode_accepted(kit, fn_emulator):
    message = kit.read_fn_message(fn_emulator.storage)
    with_crc = with_document(message, flags=decode_message(message).flags | CRC_HEADER_AND_BODY)

    async def scenario(server):
        return await kit.exchange(server.address, with_crc)

    answer = serve(kit, scenario)
    assert decode_message(answer).container.fd_number == 1


def _bad_inputs(message: bytes) -> dict[str, bytes]:
    container_crc_broken = bytearray(message)
    container_crc_broken[32] ^= 0xFF  # byte 2 of the container: its CRC
    document_broken = bytearray(message)
    document_broken[-20] ^= 0x01  # a document byte, so the container CRC no longer matches
    session_crc_broken = bytearray(with_document(message, flags=decode_message(message).flags | CRC_HEADER_AND_BODY))
    session_crc_broken[28] ^= 0xFF
    other_serial = bytearray(message)
    other_serial[8:24] = b"9999078900999999"  # session header names another ФН than the container
    return {
        "container CRC": bytes(container_crc_broken),
        "document byte": bytes(document_broken),
        "session check code": bytes(session_crc_broken),
        "serial mismatch": bytes(other_serial),
        "garbage": b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "truncated header": message[:17],
        "truncated body": message[:-5],
    }


@pytest.mark.parametrize("case", ["container CRC", "document byte", "session check code", "serial mismatch",
                                  "garbage", "truncated header", "truncated body"])
def test_bad_input_closed_with_warning(kit, fn_emulator, caplog, case):
    message = kit.read_fn_message(fn_emulator.storage)
    bad = _bad_inputs(message)[case]

    async def scenario(server):
        reader, writer = await asyncio.open_connection(*server.address)
        writer.write(bad)
        await writer.drain()
        if case.startswith("truncated"):
            writer.write_eof()
        closed = await kit.closed_without_answer(reader)
        writer.close()
        # The server goes on serving after the bad input.
        answer = await kit.exchange(server.address, message)
        return closed, answer, server.documents()

    with caplog.at_level(logging.WARNING, logger=SERVER_LOGGER):
        closed, answer, documents = serve(kit, scenario)
    assert closed
    assert decode_message(answer).container.fd_number == 1
    assert [record.result for record in documents] == [Result.ACCEPTED]
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "127.0.0.1:" in warnings[0]
    assert bad[:8].hex(" ") in warnings[0]


def test_idle_connection_closed(kit):
    async def scenario(server):
        reader, _writer = await asyncio.open_connection(*server.address)
        return await kit.closed_without_answer(reader)

    assert serve(kit, scenario, idle_timeout=0.01)


@pytest.mark.parametrize("part", ["document", "trailer"])
def test_invalid_sign_stored_unanswered(kit, fn_emulator, caplog, part):
    message = kit.read_fn_message(fn_emulator.storage)
    container = decode_message(message).container
    if part == "document":
        # The last TLV of a kktemu document is 1077; change the last byte of its value.
        forged = with_document(message, document=container.document[:-1] + bytes([container.document[-1] ^ 1]))
    else:
        forged = with_document(message, trailer=bytes(len(container.trailer)))

    async def scenario(server):
        reader, writer = await asyncio.open_connection(*server.address)
        writer.write(forged)
        await writer.drain()
        closed = await kit.closed_without_answer(reader)
        writer.close()
        return closed, server.documents()

    with caplog.at_level(logging.WARNING, logger=SERVER_LOGGER):
        closed, documents = serve(kit, scenario)
    assert closed
    assert [record.result for record in documents] == [Result.INVALID_SIGN]
    expected = "ФПД (1077)" if part == "document" else "message sign (ФПС"
    assert expected in documents[0].detail
    assert any(expected in record.getMessage() for record in caplog.records)


def test_invalid_sign_accepted_without_verification(kit, fn_emulator):
    message = kit.read_fn_message(fn_emulator.storage)
    container = decode_message(message).container
    forged = with_document(message, trailer=bytes(len(container.trailer)))

    async def scenario(server):
        return await kit.exchange(server.address, forged), server.documents()

    answer, documents = serve(kit, scenario, verify_signs=False)
    assert decode_message(answer).container.fd_number == 1
    assert [record.result for record in documents] == [Result.ACCEPTED]


def test_other_master_key_rejects_sign(kit, fn_emulator):
    message = kit.read_fn_message(fn_emulator.storage)

    async def scenario(server):
        return await kit.exchange(server.address, message), server.documents()

    answer, documents = serve(kit, scenario, master_key=b"another master key")
    assert answer == b""
    assert documents[0].result == Result.INVALID_SIGN


def test_store_directory_survives_restart(kit, fn_emulator, tmp_path):
    storage = fn_emulator.storage
    first_message = kit.read_fn_message(storage)
    directory = tmp_path / "store"

    async def first_run(server):
        return await kit.exchange(server.address, first_message)

    first_answer = serve(kit, first_run, store=DirectoryStore(directory))
    assert storage.execute(FnCommand.SEND_OFD_TICKET, first_answer)[0] == FnResult.OK
    second_message = kit.read_fn_message(storage)

    async def second_run(server):
        assert [record.fd_number for record in server.documents()] == [1]
        await kit.exchange(server.address, second_message)
        return server.documents()

    store = DirectoryStore(directory)
    documents = serve(kit, second_run, store=store)
    assert [(record.sequence, record.fd_number) for record in documents] == [(1, 1), (2, 2)]
    reopened = DirectoryStore(directory)
    try:
        assert reopened.documents() == documents
        assert reopened.message(1) == first_message
        assert reopened.message(2) == second_message
    finally:
        reopened.close()


def test_store_failure_sends_no_ticket(kit, fn_emulator, tmp_path, caplog):
    """When the store cannot write, the document is not confirmed: the register keeps it queued."""
    message = kit.read_fn_message(fn_emulator.storage)
    store = DirectoryStore(tmp_path / "store")
    (tmp_path / "store" / "messages").rmdir()

    async def scenario(server):
        return await kit.exchange(server.address, message), server.documents()

    with caplog.at_level(logging.ERROR, logger=SERVER_LOGGER):
        answer, documents = serve(kit, scenario, store=store)
    assert answer == b""
    assert documents == []
    assert any("cannot store ФД 1" in record.getMessage() for record in caplog.records)


def test_trailing_garbage_after_message(kit, fn_emulator, caplog):
    """A valid message followed by garbage on one connection: the message is confirmed, then the connection closes."""
    message = kit.read_fn_message(fn_emulator.storage)

    async def scenario(server):
        reader, writer = await asyncio.open_connection(*server.address)
        writer.write(message + b"\x00" * 30)
        await writer.drain()
        answer = await kit.read_answer(reader)
        closed = await kit.closed_without_answer(reader)
        writer.close()
        return answer, closed

    with caplog.at_level(logging.WARNING, logger=SERVER_LOGGER):
        answer, closed = serve(kit, scenario)
    assert decode_message(answer).container.fd_number == 1
    assert closed
    assert any("invalid session header" in record.getMessage() for record in caplog.records)


def test_start_twice_rejected(kit):
    async def scenario(server):
        try:
            await server.start()
        except RuntimeError as exc:
            return str(exc)
        return None

    assert "already started" in serve(kit, scenario)
