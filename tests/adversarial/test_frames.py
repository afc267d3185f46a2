"""Bad frames against the whole emulator: checksums, lengths, garbage, splits, retries.

Most tests run on the in-memory port, where the byte timeout is simulated by a
read that finds nothing (deterministic). The ones named ``*_over_tcp`` use the
real 50 ms timer on a loopback socket. They only wait for an outcome and never
assert how long it took.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kktemu.emulator.transports import MemoryPort
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import ACK, ENQ, NAK, STX, AnswerFrame, ControlByte, HostLink, encode_frame

ADMIN = 30
CASHIER = 1
STATUS = c.ShortStatusRequest(ADMIN).encode()
FN_STATUS = c.FnStatusRequest(ADMIN).encode()
SALE = c.SaleRequest(CASHIER, 1000, 2800, 1, (1, 0, 0, 0), "Сахар").encode()
SALE_OTHER = c.SaleRequest(CASHIER, 2000, 5500, 1, (2, 0, 0, 0), "Чай").encode()
CLOSE = c.CloseReceiptRequest(CASHIER, (20000, 0, 0, 0), 0, (0, 0, 0, 0), "").encode()
GO_DRIVER_PREFIX = bytes(4)  # re-star-ru/shtrih-m-driver app/kkt/transport/transport.go puts 4 NULs before STX


def _bad_lrc(frame: bytes) -> bytes:
    return frame[:-1] + bytes((frame[-1] ^ 0x01,))


def _open_receipt(kkt, host) -> None:
    assert host.command(SALE)[1] == 0
    assert kkt.mode() & 0x0F == 8


def _operations(kkt) -> int:
    """Return the operation count of the open receipt from 10h."""
    return c.ShortStatusAnswer.decode(kkt.execute(STATUS)).receipt_operations


# Checksums and length bytes.


def test_bad_lrc_gets_nak_and_runs_nothing(kkt, host):
    _open_receipt(kkt, host)
    before = kkt.snapshot()

    assert host.send(_bad_lrc(encode_frame(CLOSE))) == bytes((NAK,))

    assert kkt.snapshot() == before
    assert host.command(CLOSE)[1] == 0
    assert len(kkt.receipts()) == 1


def test_zero_length_gets_nak(kkt, host):
    before = kkt.snapshot()

    assert host.send(bytes((STX, 0))) == bytes((NAK,))
    assert kkt.snapshot() == before
    assert host.command(STATUS)[:2] == b"\x10\x00"


def test_zero_length_then_frame_in_one_write(host):
    events = HostLink().receive_data(host.send(bytes((STX, 0)) + encode_frame(STATUS)))

    assert events[:2] == [ControlByte(NAK), ControlByte(ACK)]
    assert isinstance(events[2], AnswerFrame)
    assert events[2].body[:2] == b"\x10\x00"


def test_len_255_short_then_silence_gets_nak(kkt, host):
    _open_receipt(kkt, host)
    before = kkt.snapshot()

    assert host.send(bytes((STX, 0xFF)) + CLOSE[:10]) == b""
    assert host.wait_past_byte_timeout() == bytes((NAK,))

    assert kkt.snapshot() == before
    assert host.command(CLOSE)[1] == 0
    assert len(kkt.receipts()) == 1


def test_long_len_swallows_next_frame(kkt, host):
    # LEN 255 covers the whole close frame sent right after it: the device
    # cannot know that a new frame started, so that frame is never executed.
    _open_receipt(kkt, host)
    before = kkt.snapshot()

    assert host.send(bytes((STX, 0xFF, 0x85))) == b""
    assert host.send(encode_frame(CLOSE)) == b""
    assert host.wait_past_byte_timeout() == bytes((NAK,))

    assert kkt.snapshot() == before
    assert host.command(CLOSE)[1] == 0
    assert len(kkt.receipts()) == 1


def test_short_len_cuts_next_frame_without_executing(kkt, host):
    # LEN 10 ends inside the close frame that follows: the cut frame fails its
    # LRC and the rest of the close frame is never executed.
    _open_receipt(kkt, host)
    before = kkt.snapshot()

    reply = host.send(bytes((STX, 10, 0x85)) + encode_frame(CLOSE))
    reply += host.wait_past_byte_timeout()

    assert reply
    assert set(reply) == {NAK}
    assert kkt.snapshot() == before
    assert host.command(CLOSE)[1] == 0
    assert len(kkt.receipts()) == 1


def test_len_255_short_then_silence_over_tcp(served, tcp_host_factory):
    kkt, _thread = served
    client = tcp_host_factory()
    before = kkt.snapshot()

    client.send(bytes((STX, 0xFF)) + STATUS)

    assert client.expect(1) == [ControlByte(NAK)]
    assert kkt.snapshot() == before
    assert client.command(STATUS)[:2] == b"\x10\x00"


# Bytes outside frames.


def test_go_driver_nuls_before_every_frame(kkt, host):
    # The driver's exchange: ENQ, then on NAK the frame after four NULs, then
    # the answer, then ACK. Stray NULs before ENQ and ACK are skipped as well.
    for prefix in (b"", GO_DRIVER_PREFIX):
        for body in (SALE, SALE_OTHER, CLOSE):
            assert host.send(prefix + bytes((ENQ,))) == bytes((NAK,))
            events = HostLink().receive_data(host.send(GO_DRIVER_PREFIX + encode_frame(body)))
            assert events[0] == ControlByte(ACK)
            assert events[1].body[:2] == body[:1] + b"\x00"
            assert host.send(prefix + bytes((ACK,))) == b""

    assert len(kkt.receipts()) == 2
    kkt.assert_archive_valid()


def test_ff_bytes_outside_frames_ignored(kkt, host):
    assert host.send(b"\xff" * 300) == b""
    assert host.send(b"\xff\xff" + bytes((ENQ,))) == bytes((NAK,))

    host.port.write(b"\xff" + encode_frame(SALE) + b"\xff")
    events = HostLink().receive_data(host.port.read_all())
    assert events[0] == ControlByte(ACK)
    assert events[1].body[:2] == b"\x80\x00"
    assert host.send(b"\xff" + bytes((ACK,)) + b"\xff") == b""
    assert host.send(bytes((ENQ,))) == bytes((NAK,))
    assert _operations(kkt) == 1


_QUIET_GARBAGE = st.binary(max_size=40).map(
    lambda data: bytes(byte for byte in data if byte not in (STX, ENQ, ACK, NAK))
)
# Before the first command, 0x8F selects protocol v2 (auto-detection), so it is not quiet there.
# Once a v1 command has run the connection keeps v1 and 0x8F is garbage like any other byte.
_QUIET_LEADING_GARBAGE = _QUIET_GARBAGE.map(lambda data: data.replace(b"\x8f", b""))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_QUIET_LEADING_GARBAGE, between=_QUIET_GARBAGE, after=_QUIET_GARBAGE)
def test_garbage_around_frames_skipped(kkt, host, before, between, after):
    # Garbage without control bytes never hides a frame or adds a reply.
    operations = _operations(kkt)

    output = host.send(before + encode_frame(SALE) + between)
    output += host.send(bytes((ACK,)) + after + encode_frame(STATUS) + after)
    events = HostLink().receive_data(output)

    assert [type(event) for event in events] == [ControlByte, AnswerFrame, ControlByte, AnswerFrame]
    assert events[1].body[:2] == b"\x80\x00"
    assert events[3].body[:2] == b"\x10\x00"
    assert host.send(bytes((ACK,))) == b""
    assert _operations(kkt) == operations + 1


_FLOOD_TOKEN = st.one_of(
    st.binary(min_size=1, max_size=16),
    st.sampled_from([bytes((STX,)), bytes((ENQ,)), bytes((ACK,)), bytes((NAK,)), b"\x00" * 4, b"\xff", b"\x02\x00"]),
    st.sampled_from([STATUS, SALE, CLOSE, b"\xfc", b"\xff\x01" + bytes(4)]).map(encode_frame),
    st.sampled_from([STATUS, SALE]).map(lambda body: _bad_lrc(encode_frame(body))),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(_FLOOD_TOKEN, max_size=40))
def test_flood_executes_only_whole_frames(kkt, tokens):
    flood = b"".join(tokens)
    executed: list[bytes] = []

    def recording_handler(body: bytes) -> bytes:
        executed.append(body)
        return kkt.execute(body)

    port = MemoryPort(recording_handler)
    port.write(flood)
    events = HostLink().receive_data(port.read_all())
    port.read(1)  # the host waits past the byte timeout: a partial frame is dropped

    for body in executed:
        assert encode_frame(body) in flood
    answers = [event.body for event in events if isinstance(event, AnswerFrame)]
    assert len(answers) >= len(executed)
    # Recovery as a host does it: ACK any pending answer, then a normal command.
    port.write(bytes((ACK,)) + encode_frame(STATUS))
    recovery = HostLink().receive_data(port.read_all())
    assert recovery[0] == ControlByte(ACK)
    assert recovery[1].body[:2] == b"\x10\x00"
    kkt.assert_archive_valid()


# Frames split across reads.


def test_frame_split_at_every_byte_boundary(kkt, host):
    _open_receipt(kkt, host)
    frame = encode_frame(SALE_OTHER)

    for split in range(1, len(frame)):
        assert host.send(frame[:split]) == b"", split
        events = HostLink().receive_data(host.send(frame[split:]))
        assert events[0] == ControlByte(ACK), split
        assert events[1].body[:2] == b"\x80\x00", split
        assert host.send(bytes((ACK,))) == b""

    assert _operations(kkt) == len(frame)


def test_split_frame_past_byte_timeout_never_executes(kkt, host):
    _open_receipt(kkt, host)
    frame = encode_frame(CLOSE)
    before = kkt.snapshot()

    for split in range(1, len(frame)):
        assert host.send(frame[:split]) == b"", split
        assert host.wait_past_byte_timeout() == bytes((NAK,)), split
        reply = host.send(frame[split:]) + host.wait_past_byte_timeout()
        # The tail is garbage, an ENQ (NAK) or the start of a frame that times out.
        assert set(reply) <= {NAK}, (split, reply.hex())
        assert kkt.snapshot() == before, split

    assert host.command(CLOSE)[1] == 0
    assert len(kkt.receipts()) == 1


def test_split_with_pause_past_timeout_over_tcp(served, tcp_host_factory):
    # FF01h: its LEN byte (06) is not ENQ, so no tail below contains a control byte.
    kkt, _thread = served
    client = tcp_host_factory()
    frame = encode_frame(FN_STATUS)
    before = kkt.snapshot()

    for split in (1, 2, len(frame) // 2, len(frame) - 1):
        client.send(frame[:split])
        time.sleep(0.3)  # six times the 50 ms byte timeout
        assert client.expect(1) == [ControlByte(NAK)], split
        client.send(frame[split:])

    # Had a tail been executed, its ACK and answer would come before this NAK.
    client.send(bytes((ENQ,)))
    assert client.expect(1) == [ControlByte(NAK)]
    assert kkt.snapshot() == before


def test_split_with_short_pauses_over_tcp(served, tcp_host_factory):
    # A byte timeout of 2 s leaves a wide margin over the 10 ms pauses.
    _kkt, _thread = served
    client = tcp_host_factory(byte_timeout=2.0)
    frame = encode_frame(STATUS)

    for byte in frame:
        client.send(bytes((byte,)))
        time.sleep(0.01)

    ack, answer = client.expect(2)
    assert ack == ControlByte(ACK)
    assert answer.body[:2] == b"\x10\x00"


# Several commands, repeated ENQ, NAK and missing ACK from the host.


def test_two_commands_in_one_write(kkt, host):
    events = HostLink().receive_data(host.send(encode_frame(SALE) + encode_frame(SALE_OTHER)))

    assert [type(event) for event in events] == [ControlByte, AnswerFrame, ControlByte, AnswerFrame]
    assert events[0] == events[2] == ControlByte(ACK)
    assert events[1].body[:2] == b"\x80\x00"
    assert events[3].body[:2] == b"\x80\x00"
    assert _operations(kkt) == 2


def test_close_and_status_in_one_write(kkt, host):
    _open_receipt(kkt, host)

    events = HostLink().receive_data(host.send(encode_frame(CLOSE) + encode_frame(STATUS)))

    assert events[1].body[:2] == b"\x85\x00"
    assert events[3].body[:2] == b"\x10\x00"
    assert len(kkt.receipts()) == 1


def test_enquiries_while_answer_pending_repeat_it(kkt, host):
    _open_receipt(kkt, host)
    first = host.send(encode_frame(CLOSE))
    assert first[0] == ACK

    for _ in range(5):
        assert host.send(bytes((ENQ,))) == first

    assert host.send(bytes((ACK,))) == b""
    assert host.send(bytes((ENQ,))) == bytes((NAK,))
    assert len(kkt.receipts()) == 1


def test_nak_then_enquiry_resends_same_answer(kkt, host):
    _open_receipt(kkt, host)
    first = host.send(encode_frame(CLOSE))

    assert host.send(bytes((NAK,))) == b""
    assert host.send(bytes((ENQ,))) == first
    assert host.send(bytes((NAK,))) == b""
    assert host.send(bytes((ENQ,))) == first
    assert host.send(bytes((ACK,))) == b""

    assert len(kkt.receipts()) == 1
    kkt.assert_archive_valid()


def test_resent_close_frame_not_executed_twice(kkt, host):
    _open_receipt(kkt, host)
    documents = len(kkt.documents())
    first = host.send(encode_frame(CLOSE))

    # A host that lost the answer sends the same frame again instead of ENQ.
    assert host.send(encode_frame(CLOSE)) == first
    assert host.send(bytes((ACK,))) == b""

    assert len(kkt.documents()) == documents + 1


def test_resent_sale_frame_counts_once(kkt, host):
    first = host.send(encode_frame(SALE))

    assert host.send(encode_frame(SALE)) == first
    assert _operations(kkt) == 1
    assert host.send(bytes((ACK,))) == b""
    # After the ACK the same frame is a new command.
    assert host.command(SALE)[1] == 0
    assert _operations(kkt) == 2


def test_host_never_acks(kkt, host):
    answers = []
    for body in (SALE, SALE_OTHER, CLOSE, STATUS):
        events = HostLink().receive_data(host.send(encode_frame(body)))
        assert events[0] == ControlByte(ACK)
        answers.append(events[1].body)

    assert [answer[:2] for answer in answers] == [b"\x80\x00", b"\x80\x00", b"\x85\x00", b"\x10\x00"]
    assert len(kkt.receipts()) == 1
    # The last answer is still pending for an ENQ.
    assert host.send(bytes((ENQ,))) == bytes((ACK,)) + encode_frame(answers[-1])
