"""The data buffer: FF30h status, FF31h read, FF32h start writing, FF33h write, FF64h pass its TLV to the ФН.

Block sizes are what one protocol v1 frame carries: an FF33h request has 9
bytes before its data (LEN 9 + N), an FF31h answer 3 (LEN 3 + N).
"""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c

WRITE_BLOCK = c.MAX_BODY_SIZE - 9
READ_BLOCK = c.MAX_BODY_SIZE - 3


def buffer_status(dialect, _request):
    return c.BufferStatusAnswer(len(dialect.register.buffer_data()), READ_BLOCK)


def read_buffer(dialect, request):
    return c.ReadBufferAnswer(dialect.register.read_buffer(request.offset, request.count, READ_BLOCK))


def start_buffer_write(dialect, request):
    dialect.register.start_buffer_write(request.size)
    return c.StartBufferWriteAnswer(WRITE_BLOCK)


def write_buffer(dialect, request):
    dialect.register.write_buffer(request.offset, request.data, WRITE_BLOCK)
    return c.WriteBufferAnswer()


def send_buffer_tlv(dialect, _request):
    dialect.register.send_buffer_tlv()
    return c.SendBufferTlvAnswer()


HANDLERS = {
    c.BufferStatusRequest: buffer_status,
    c.ReadBufferRequest: read_buffer,
    c.StartBufferWriteRequest: start_buffer_write,
    c.WriteBufferRequest: write_buffer,
    c.SendBufferTlvRequest: send_buffer_tlv,
}
