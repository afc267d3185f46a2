"""The device side of the Штрих-М protocol v2 link layer (``DeviceLinkV2``) and protocol detection."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import EncodeError
from kktemu.protocol.shtrih.frame_v2 import decode_packet, encode_packet
from kktemu.protocol.shtrih.link import (
    ChecksumError,
    CommandReceived,
    GarbageSkipped,
    LinkConfigError,
    LinkUsageError,
    SkipReason,
)
from kktemu.protocol.shtrih.link_v2 import (
    DeviceLinkV2,
    LinkProtocol,
    OutOfSequence,
    PacketHistory,
    RepeatedPacket,
    SyncRequested,
    detect_protocol,
)

# fr_drv_ng_examples issue 23: the driver's sync request to a device that has
# executed nothing yet, and the device's answer (LEN16 2, NUM16 1).
SYNC = bytes.fromhex("8F 00 00 0F 1D")
FRESH_SYNC_ANSWER = bytes.fromhex("8F 02 00 01 00 99 5A")
# fr_drv_ng issue 141: a 10h request numbered 26h and the device's answer.
STATUS_REQUEST = bytes.fromhex("8F 07 00 26 00 10 01 00 00 00 E4 14")
STATUS_ANSWER = bytes.fromhex("8F 13 00 26 00 10 00 01 90 00 02 00 00 33 48 00 00 00 FF FF FF 00 78 C2")


class Device:
    """A ``DeviceLinkV2`` driven like a transport does, with a counting handler."""

    def __init__(self, answers: dict[bytes, bytes] | None = None, history: PacketHistory | None = None) -> None:
        self.link = DeviceLinkV2(history)
        self.answers = answers or {}
        self.calls: list[bytes] = []
        self.events: list = []

    def handle(self, body: bytes) -> bytes:
        self.calls.append(body)
        return self.answers.get(body, body[:1] + b"\x00")

    def send(self, data: bytes) -> bytes:
        """Feed ``data``, execute every command, return every byte written back."""
        output = bytearray()
        events = self.link.receive_data(data)
        while events:
            self.events += events
            for event in events:
                output += event.reply
            if not isinstance(events[-1], CommandReceived):
                break
            output += self.link.answer(self.handle(events[-1].body))
            events = self.link.receive_data(b"")
        return bytes(output)


def request(num: int, body: bytes) -> bytes:
    return encode_packet(num, body)


# Replays: a host packet in, the exact device packet out.


def test_replay_sync_on_fresh_device():
    device = Device()
    assert device.send(SYNC) == FRESH_SYNC_ANSWER
    assert device.calls == []


def test_replay_open_receipt_refused():
    # fr_drv_ng issue 99: 8Dh with password 1 refused with 30h (ФН not answering).
    device = Device({bytes.fromhex("8D 01 00 00 00 00"): bytes.fromhex("8D 30")})
    answer = device.send(bytes.fromhex("8F 08 00 15 00 8D 01 00 00 00 00 4A EE"))
    assert answer == bytes.fromhex("8F 04 00 15 00 8D 30 C4 F4")


def test_replay_short_status():
    device = Device({bytes.fromhex("10 01 00 00 00"): STATUS_ANSWER[5:-2]})
    assert device.send(STATUS_REQUEST) == STATUS_ANSWER


def test_replay_numbered_session():
    # fr_drv_ng_examples issue 23: 11h numbered 6, then 26h numbered 7.
    status_11 = bytes.fromhex(
        "11 00 1E 43 32 49 8E 1C 02 14 01 2C 00 90 00 08 00 80 4E 41 00 00 01 01 10 0C 07 14 13"
        " 0D 0D 00 BF 00 00 00 19 00 00 00 00 00 0C FC 6E D2 01 00 00 00"
    )
    device = Device({
        bytes.fromhex("11 1E 00 00 00"): status_11,
        bytes.fromhex("26 1E 00 00 00 01"): bytes.fromhex("26 00 80 01 0C 19 06"),
    })
    first = device.send(bytes.fromhex("8F 07 00 06 00 11 1E 00 00 00 0A 1F"))
    assert first == bytes.fromhex("8F 34 00 06 00") + status_11 + bytes.fromhex("EA B2")
    second = device.send(bytes.fromhex("8F 08 00 07 00 26 1E 00 00 00 01 50 0F"))
    assert second == bytes.fromhex("8F 09 00 07 00 26 00 80 01 0C 19 06 98 28")


def test_replay_tlv_refused():
    # fr_drv_ng issue 98: the device's FF0Ch answer with error 33h, numbered 19h.
    device = Device({bytes.fromhex("FF 0C 1E 00 00 00"): bytes.fromhex("FF 0C 33")})
    answer = device.send(request(0x19, bytes.fromhex("FF 0C 1E 00 00 00")))
    assert answer == bytes.fromhex("8F 05 00 19 00 FF 0C 33 71 A8")


@pytest.mark.parametrize(
    ("source", "packet", "num"),
    [
        ("fr_drv_ng_examples issue 15", "8F 07 00 4F 00 10 01 00 00 00 32 8C", 0x4F),
        ("javapos_shtrih issue 90", "8F 07 00 72 01 10 01 00 00 00 15 7A", 0x172),
    ],
)
def test_replay_answer_echoes_number(source, packet, num):
    device = Device()
    answer = decode_packet(device.send(bytes.fromhex(packet)))
    assert answer.num == num
    assert answer.data == b"\x10\x00"
    assert device.calls == [bytes.fromhex("10 01 00 00 00")]


def test_replay_repeated_number_gets_cached_answer():
    # fr_drv_ng issue 50: a 11h request numbered like the preceding 1Eh request
    # got the cached 1Eh answer, and 11h was not executed.
    table_write = bytes.fromhex("1E 1E 00 00 00 01 01 01 00")
    device = Device({table_write: bytes.fromhex("1E 00")})
    assert device.send(request(0x18, table_write)) == bytes.fromhex("8F 04 00 18 00 1E 00 A9 B6")
    assert device.send(bytes.fromhex("8F 07 00 18 00 11 1E 00 00 00 F9 1A")) == bytes.fromhex(
        "8F 04 00 18 00 1E 00 A9 B6"
    )
    assert device.calls == [table_write]
    assert isinstance(device.events[-1], RepeatedPacket)


# Numbering.


def test_sync_after_command_returns_last_answer():
    device = Device()
    answer = device.send(request(2, b"\xfc"))
    assert device.send(SYNC) == answer
    assert device.calls == [b"\xfc"]


def test_next_number_executed():
    device = Device()
    device.send(request(2, b"\xfc"))
    answer = device.send(request(3, b"\x10\x01\x00\x00\x00"))
    assert decode_packet(answer).num == 3
    assert device.calls == [b"\xfc", b"\x10\x01\x00\x00\x00"]


def test_repeated_number_not_executed_again():
    device = Device()
    first = device.send(request(2, b"\x13\x01\x00\x00\x00"))
    for _ in range(3):
        assert device.send(request(2, b"\x13\x01\x00\x00\x00")) == first
    assert device.calls == [b"\x13\x01\x00\x00\x00"]


def test_out_of_sequence_gets_last_answer():
    device = Device()
    first = device.send(request(2, b"\xfc"))
    assert device.send(request(9, b"\x13\x01\x00\x00\x00")) == first
    assert device.events[-1] == OutOfSequence(9, 3, b"\x13\x01\x00\x00\x00", first)
    assert device.calls == [b"\xfc"]


def test_number_wraps_to_zero():
    device = Device()
    device.send(request(0xFFFF, b"\xfc"))
    assert decode_packet(device.send(request(0, b"\x11"))).num == 0
    assert device.calls == [b"\xfc", b"\x11"]


def test_fresh_device_accepts_any_number():
    device = Device()
    assert decode_packet(device.send(request(0x4F, b"\xfc"))).num == 0x4F
    assert device.calls == [b"\xfc"]


def test_history_shared_between_links():
    history = PacketHistory()
    first = Device(history=history)
    answer = first.send(request(5, b"\x13\x01\x00\x00\x00"))
    # The host reconnects and repeats the packet whose answer it never read.
    second = Device(history=history)
    assert second.send(request(5, b"\x13\x01\x00\x00\x00")) == answer
    assert second.calls == []
    assert second.send(SYNC) == answer


def test_cancelled_command_can_be_resent():
    link = DeviceLinkV2()
    assert link.receive_data(request(2, b"\xfc")) == [CommandReceived(b"\xfc", b"")]
    link.cancel_command()
    assert link.history.last_answer is None
    assert link.receive_data(request(2, b"\xfc")) == [CommandReceived(b"\xfc", b"")]


# Damaged and unexpected packets.


def test_bad_crc_not_executed_and_no_reply():
    device = Device()
    damaged = STATUS_REQUEST[:-1] + b"\x00"
    assert device.send(damaged) == b""
    assert device.events == [ChecksumError(damaged, b"")]
    assert device.send(STATUS_REQUEST) != b""
    assert device.calls == [bytes.fromhex("10 01 00 00 00")]


def test_broken_stuffing_skipped_without_reply():
    device = Device()
    assert device.send(bytes.fromhex("8F 07 00 9F 00 00")) == b""
    assert device.events[0].reason is SkipReason.DAMAGED_PACKET
    assert device.calls == []


def test_numbered_empty_request_skipped():
    device = Device()
    assert device.send(FRESH_SYNC_ANSWER) == b""
    assert device.events == [GarbageSkipped(FRESH_SYNC_ANSWER, SkipReason.NUMBERED_EMPTY_PACKET)]


def test_v1_bytes_are_noise():
    device = Device()
    assert device.send(bytes.fromhex("05 06 15")) == b""
    assert device.events == [GarbageSkipped(bytes.fromhex("05 06 15"), SkipReason.OUTSIDE_FRAME)]


def test_partial_packet_expires_silently():
    link = DeviceLinkV2()
    assert link.receive_data(STATUS_REQUEST[:6]) == []
    assert link.has_partial_frame
    assert link.expire_partial_frame() == GarbageSkipped(STATUS_REQUEST[:6], SkipReason.FRAME_TIMEOUT)
    assert not link.has_partial_frame
    assert link.expire_partial_frame() is None


# Executing state.


def test_input_held_while_executing():
    link = DeviceLinkV2()
    assert link.receive_data(request(2, b"\xfc") + SYNC) == [CommandReceived(b"\xfc", b"")]
    assert link.executing
    assert not link.has_partial_frame
    assert link.receive_data(request(3, b"\x11")) == []
    answer = link.answer(b"\xfc\x00")
    assert link.receive_data(b"") == [SyncRequested(answer), CommandReceived(b"\x11", b"")]


def test_held_input_capped():
    link = DeviceLinkV2(max_buffer=64)
    link.receive_data(request(2, b"\xfc"))
    assert link.receive_data(bytes(60)) == []
    assert link.receive_data(bytes(10)) == [GarbageSkipped(bytes(6), SkipReason.BUFFER_FULL)]


def test_answer_needs_executing_command():
    with pytest.raises(LinkUsageError):
        DeviceLinkV2().answer(b"\xfc\x00")
    with pytest.raises(LinkUsageError):
        DeviceLinkV2().cancel_command()


def test_empty_answer_rejected_state_kept():
    link = DeviceLinkV2()
    link.receive_data(request(2, b"\xfc"))
    with pytest.raises(EncodeError):
        link.answer(b"")
    assert link.executing
    assert link.history.last_answer is None


def test_small_buffer_rejected():
    with pytest.raises(LinkConfigError):
        DeviceLinkV2(max_buffer=10)


def test_pending_answer_always_none():
    device = Device()
    device.send(request(2, b"\xfc"))
    assert device.link.pending_answer is None


# Protocol detection.


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x05", (LinkProtocol.V1, 0)),
        (b"\x00\x00\x00\x00\x02\x01\xfc\xfd", (LinkProtocol.V1, 4)),
        (b"\x8f\x00\x00\x0f\x1d", (LinkProtocol.V2, 0)),
        (b"\xff\x00\x8f", (LinkProtocol.V2, 2)),
        (b"\x00\x06\x15", (None, 3)),
        (b"", (None, 0)),
    ],
)
def test_detect_protocol(data, expected):
    assert detect_protocol(data) == expected


# Properties.


@given(nums=st.lists(st.integers(0, 6), min_size=1, max_size=30))
def test_numbering_matches_spec_rule(nums):
    device = Device()
    executed: list[int] = []
    for index, num in enumerate(nums):
        body = b"\x13" + index.to_bytes(2, "little")
        answer = decode_packet(device.send(request(num, body)))
        if not executed or num == (executed[-1] + 1) & 0xFFFF:
            executed.append(num)
            assert device.calls[-1] == body
        assert answer.num == executed[-1]
    assert len(device.calls) == len(executed)
    # A number is never executed twice in a row.
    assert all(a != b for a, b in itertools.pairwise(executed))


@given(body=st.binary(min_size=1, max_size=200), data=st.data())
def test_any_split_executes_once(body, data):
    packet = request(2, body)
    cuts = sorted(data.draw(st.lists(st.integers(1, len(packet) - 1), max_size=5, unique=True)))
    device = Device()
    output = b""
    start = 0
    for cut in [*cuts, len(packet)]:
        output += device.send(packet[start:cut])
        start = cut
    assert device.calls == [body]
    assert decode_packet(output).data == body[:1] + b"\x00"
