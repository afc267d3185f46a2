"""The device side of the Штрих-М protocol v1 link layer (``DeviceLink``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import EncodeError
from kktemu.protocol.shtrih.frame import encode_frame
from kktemu.protocol.shtrih.link import (
    AnswerAbandoned,
    AnswerAcknowledged,
    AnswerRejected,
    ChecksumError,
    CommandReceived,
    DeviceLink,
    Enquiry,
    GarbageSkipped,
    LinkConfigError,
    LinkUsageError,
    RepeatedCommand,
    SkipReason,
)

ENQ, ACK, NAK = b"\x05", b"\x06", b"\x15"
# Vendor spec "Протокол ККТ" v1.17: 0xFC "get device type" with LRC FD.
FC_REQUEST = bytes.fromhex("02 01 FC FD")
# pyshtrih 2.0.6 README flow: short status 0x10 with operator password 1.
STATUS_REQUEST = bytes.fromhex("02 05 10 01 00 00 00 14")
FC_ANSWER_BODY = b"\xfc\x00"


def feed_bytewise(link: DeviceLink, data: bytes) -> list:
    events = []
    for index in range(len(data)):
        events += link.receive_data(data[index:index + 1])
    return events


def pending_link(ff_after_ack: bool = False) -> tuple[DeviceLink, bytes]:
    """A link that executed 0xFC and whose answer the host has not acknowledged yet."""
    link = DeviceLink(ff_after_ack=ff_after_ack)
    link.receive_data(FC_REQUEST)
    return link, link.answer(FC_ANSWER_BODY)


def test_enquiry_when_idle_gets_nak():
    assert DeviceLink().receive_data(ENQ) == [Enquiry(NAK)]


def test_spec_example_frame_accepted_whole():
    link = DeviceLink()
    assert link.receive_data(FC_REQUEST) == [CommandReceived(b"\xfc", ACK)]
    assert link.executing


def test_spec_example_frame_accepted_byte_by_byte():
    link = DeviceLink()
    events = feed_bytewise(link, FC_REQUEST)
    assert events == [CommandReceived(b"\xfc")]
    assert not link.has_partial_frame


def test_frame_with_trailing_bytes_keeps_them_until_answer():
    link = DeviceLink()
    assert link.receive_data(FC_REQUEST + ENQ) == [CommandReceived(b"\xfc")]
    assert link.receive_data(ENQ) == []
    frame = link.answer(FC_ANSWER_BODY)
    assert link.receive_data(b"") == [Enquiry(ACK + frame), Enquiry(ACK + frame)]


def test_answer_returns_encoded_frame():
    link = DeviceLink()
    link.receive_data(FC_REQUEST)
    assert link.answer(FC_ANSWER_BODY) == encode_frame(FC_ANSWER_BODY)
    assert link.pending_answer == encode_frame(FC_ANSWER_BODY)


def test_enquiry_with_pending_answer_resends_identical_bytes():
    link, frame = pending_link()
    assert link.receive_data(ENQ) == [Enquiry(ACK + frame)]
    assert link.receive_data(ENQ) == [Enquiry(ACK + frame)]


def test_host_ack_clears_pending_answer():
    link, _ = pending_link()
    assert link.receive_data(ACK) == [AnswerAcknowledged(b"")]
    assert link.pending_answer is None
    assert link.receive_data(ENQ) == [Enquiry(NAK)]


def test_host_ack_gets_ff_when_quirk_enabled():
    link, _ = pending_link(ff_after_ack=True)
    assert link.receive_data(ACK) == [AnswerAcknowledged(b"\xff")]


def test_second_enquiry_after_ff_then_resent_frame():
    # re-star-ru/shtrih-m-driver reads the 0xFF as the reply to its ENQ and sends
    # ENQ again, then takes the second NAK as the reply to its frame and resends it.
    link, _ = pending_link(ff_after_ack=True)
    assert link.receive_data(ACK) == [AnswerAcknowledged(b"\xff")]
    assert link.receive_data(ENQ + ENQ) == [Enquiry(NAK), Enquiry(NAK)]
    assert link.receive_data(STATUS_REQUEST) == [CommandReceived(STATUS_REQUEST[2:-1], ACK)]
    frame = link.answer(b"\x10\x00")
    assert link.receive_data(STATUS_REQUEST) == [RepeatedCommand(STATUS_REQUEST[2:-1], ACK + frame)]
    assert link.receive_data(ACK) == [AnswerAcknowledged(b"\xff")]


def test_host_nak_then_enquiry_resends_without_execution():
    link, frame = pending_link()
    assert link.receive_data(NAK) == [AnswerRejected()]
    assert link.pending_answer == frame
    events = link.receive_data(ENQ)
    assert events == [Enquiry(ACK + frame)]
    assert not any(isinstance(event, CommandReceived) for event in events)
    assert link.receive_data(ACK) == [AnswerAcknowledged()]


def test_bad_lrc_gets_nak():
    bad = FC_REQUEST[:-1] + b"\xfc"
    link = DeviceLink()
    assert link.receive_data(bad) == [ChecksumError(bad, NAK)]
    assert not link.executing
    assert link.receive_data(ENQ) == [Enquiry(NAK)]


def test_bad_lrc_keeps_pending_answer():
    link, frame = pending_link()
    bad = STATUS_REQUEST[:-1] + b"\x00"
    assert link.receive_data(bad) == [ChecksumError(bad)]
    assert link.pending_answer == frame


def test_leading_nuls_skipped():
    # re-star-ru/shtrih-m-driver transport.go writes 4 NULs before every STX.
    link = DeviceLink()
    events = link.receive_data(b"\x00\x00\x00\x00" + FC_REQUEST)
    assert events == [GarbageSkipped(b"\x00" * 4, SkipReason.OUTSIDE_FRAME, b""), CommandReceived(b"\xfc")]


def test_leading_nuls_skipped_byte_by_byte():
    link = DeviceLink()
    events = feed_bytewise(link, b"\x00\x00\x00\x00" + FC_REQUEST)
    assert events == [GarbageSkipped(b"\x00", SkipReason.OUTSIDE_FRAME)] * 4 + [CommandReceived(b"\xfc")]


def test_stray_ff_before_enquiry_skipped():
    link = DeviceLink()
    assert link.receive_data(b"\xff\x05") == [GarbageSkipped(b"\xff", SkipReason.OUTSIDE_FRAME), Enquiry(NAK)]


def test_ack_and_nak_without_pending_answer_skipped():
    link = DeviceLink()
    assert link.receive_data(ACK + NAK + ENQ) == [GarbageSkipped(ACK + NAK, SkipReason.OUTSIDE_FRAME), Enquiry(NAK)]


def test_zero_length_byte_gets_nak():
    link = DeviceLink()
    events = link.receive_data(b"\x02\x00\x00" + ENQ)
    assert events == [
        GarbageSkipped(b"\x02\x00", SkipReason.ZERO_LENGTH, NAK),
        GarbageSkipped(b"\x00", SkipReason.OUTSIDE_FRAME),
        Enquiry(NAK),
    ]


def test_frame_split_across_reads():
    link = DeviceLink()
    assert link.receive_data(STATUS_REQUEST[:1]) == []
    assert link.has_partial_frame
    assert link.receive_data(STATUS_REQUEST[1:4]) == []
    assert link.receive_data(STATUS_REQUEST[4:]) == [CommandReceived(STATUS_REQUEST[2:-1])]
    assert not link.has_partial_frame


def test_merged_frames_processed_one_command_at_a_time():
    link = DeviceLink()
    assert link.receive_data(FC_REQUEST + STATUS_REQUEST) == [CommandReceived(b"\xfc")]
    link.answer(FC_ANSWER_BODY)
    # A new command without ACK abandons the first answer.
    events = link.receive_data(b"")
    assert events == [AnswerAbandoned(encode_frame(FC_ANSWER_BODY)), CommandReceived(STATUS_REQUEST[2:-1])]


def test_full_exchange_in_one_read():
    link = DeviceLink()
    events = link.receive_data(ENQ + FC_REQUEST)
    assert events == [Enquiry(NAK), CommandReceived(b"\xfc")]
    link.answer(FC_ANSWER_BODY)
    assert link.receive_data(ACK + ENQ) == [AnswerAcknowledged(), Enquiry(NAK)]


def test_partial_frame_expiry_reports_garbage_with_nak():
    link = DeviceLink()
    link.receive_data(STATUS_REQUEST[:5])
    assert link.has_partial_frame
    assert link.expire_partial_frame() == GarbageSkipped(STATUS_REQUEST[:5], SkipReason.FRAME_TIMEOUT, NAK)
    assert not link.has_partial_frame
    assert link.receive_data(FC_REQUEST) == [CommandReceived(b"\xfc")]


def test_partial_frame_expiry_without_partial_frame():
    link = DeviceLink()
    assert link.expire_partial_frame() is None
    link.receive_data(FC_REQUEST)
    assert link.expire_partial_frame() is None


def test_lone_stx_is_partial_frame():
    link = DeviceLink()
    assert link.receive_data(b"\x02") == []
    assert link.has_partial_frame


def test_new_frame_while_pending_abandons_answer():
    link, frame = pending_link()
    events = link.receive_data(STATUS_REQUEST)
    assert events == [AnswerAbandoned(frame), CommandReceived(STATUS_REQUEST[2:-1])]
    assert link.executing


def test_identical_frame_while_pending_resends_answer():
    link, frame = pending_link()
    events = link.receive_data(FC_REQUEST)
    assert events == [RepeatedCommand(b"\xfc", ACK + frame)]
    assert not link.executing
    assert link.pending_answer == frame


def test_identical_frame_after_ack_executes_again():
    link, _ = pending_link()
    link.receive_data(ACK)
    assert link.receive_data(FC_REQUEST) == [CommandReceived(b"\xfc")]


def test_buffer_cap_reports_excess_while_executing():
    link = DeviceLink(max_buffer=300)
    link.receive_data(FC_REQUEST)
    assert link.receive_data(b"\x05" * 200) == []
    events = link.receive_data(b"\x05" * 150)
    assert events == [GarbageSkipped(b"\x05" * 50, SkipReason.BUFFER_FULL)]
    frame = link.answer(FC_ANSWER_BODY)
    assert link.receive_data(b"") == [Enquiry(ACK + frame)] * 300


def test_buffer_cap_below_one_frame_rejected():
    with pytest.raises(LinkConfigError):
        DeviceLink(max_buffer=257)


def test_answer_without_command_raises():
    with pytest.raises(LinkUsageError):
        DeviceLink().answer(FC_ANSWER_BODY)


def test_invalid_answer_body_keeps_executing():
    link = DeviceLink()
    link.receive_data(FC_REQUEST)
    with pytest.raises(EncodeError):
        link.answer(b"")
    assert link.executing


def test_cancel_command_returns_to_idle():
    link = DeviceLink()
    link.receive_data(FC_REQUEST + ENQ)
    link.cancel_command()
    assert link.receive_data(b"") == [Enquiry(NAK)]
    with pytest.raises(LinkUsageError):
        link.cancel_command()


@given(body=st.binary(min_size=1, max_size=255), data=st.data())
def test_round_trip_in_random_chunks(body, data):
    stream = encode_frame(body)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    link = DeviceLink()
    events = []
    start = 0
    for cut in cuts + [len(stream)]:
        events += link.receive_data(stream[start:cut])
        start = cut
    assert events == [CommandReceived(body)]


@given(
    garbage=st.binary(max_size=16).filter(lambda data: 0x02 not in data and 0x05 not in data),
    body=st.binary(min_size=1, max_size=255),
)
def test_garbage_before_frame_never_hides_command(garbage, body):
    events = DeviceLink().receive_data(garbage + encode_frame(body))
    assert events[-1] == CommandReceived(body)
    assert all(isinstance(event, GarbageSkipped) for event in events[:-1])
