"""Штрих-М register protocol v1, sans-IO.

A frame is ``STX LEN body LRC``. ``link`` finds frames in the byte stream and
handles ENQ/ACK/NAK. The body is ``CMD data`` for a request, and ``CMD error
data`` for an answer. ``commands`` decodes request bodies into typed objects and
encodes answers, one request and one answer class per command. ``errors`` contains
the error codes and the mode and submode values, and ``passwords`` records which
operators may run each command.
"""
