"""The mock ОФД over TCP: a kktemu ФН's messages stored and confirmed, bad input refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from kktemu.fn_storage import read_archive
from kktemu.fn_storage.signing import ofd_key_for, verify_operator_sign, DEFAULT_MASTER_KEY
from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.fn.exchange import OfdTicketAnswer
from kktemu.protocol.ofd.confirmation import OperatorConfirmation
from kktemu.protocol.ofd.message import OfdMessage, decode_message
from kktemu.protocol.ofd.session import SERVICE_CLIENT_FLAGS, SERVICE_CLIENT_FLAGS_WITH_CRC
from kktemu.tools.ofd import MockOfd, Result

RECEIVED = dt.datetime(2024, 3, 1, 6, 31, 5)


def fixed_clock():
    return RECEIVED


def test_fn_message_confirmed_and_stored(kit, fn_emulator):
    storage = fn_emulator.storage
    message = kit.read_fn_message(storage)

    async def scenario():
        server = MockOfd(ofd_inn="7704358518", clock=fixed_clock)
        address = await server.start()
        try:
            answer = await kit.exchange(address, message)
        finally:
            await server.stop()
        return answer, server.documents()

    answer, documents = kit.run(scenario)
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
    first = read_archive(fn_emulator.fn_path).documents[0]
    assert record.fiscal_sign == first.fiscal_sign
    assert record.document_time == first.moment

    result, data = storage.execute(FnCommand.SEND_OFD_TICKET, answer)
    assert result == FnResult.OK
    assert OfdTicketAnswer.decode(data).ofd_code == 0
    assert [document.fd_number for document in storage.ofd_queue()] == [2]
