"""Framing, byte stuffing and the stream decoder of Штрих-М protocol v2."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih.frame_v2 import (
    BytesOutsidePacket,
    DamagedPacket,
    Packet,
    PacketDecoder,
    crc16,
    decode_packet,
    encode_packet,
    stuff,
    unstuff,
)

# Packets captured from real devices in public driver logs, as (source, packet hex,
# NUM16 or None, DATA hex). Every CRC was recomputed independently.
CAPTURED = [
    ("fr_drv_ng_examples issue 23, sync request", "8F 00 00 0F 1D", None, ""),
    ("fr_drv_ng_examples issue 23, sync answer", "8F 02 00 01 00 99 5A", 1, ""),
    ("fr_drv_ng issue 99, 8Dh request", "8F 08 00 15 00 8D 01 00 00 00 00 4A EE", 0x15, "8D 01 00 00 00 00"),
    ("fr_drv_ng issue 99, 8Dh answer 30h", "8F 04 00 15 00 8D 30 C4 F4", 0x15, "8D 30"),
    ("fr_drv_ng_examples issue 15, 10h request", "8F 07 00 4F 00 10 01 00 00 00 32 8C", 0x4F, "10 01 00 00 00"),
    ("javapos_shtrih issue 90, 10h request", "8F 07 00 72 01 10 01 00 00 00 15 7A", 0x172, "10 01 00 00 00"),
    ("fr_drv_ng issue 98, FF0Ch answer 33h", "8F 05 00 19 00 FF 0C 33 71 A8", 0x19, "FF 0C 33"),
    ("fr_drv_ng_examples issue 23, 26h request", "8F 08 00 07 00 26 1E 00 00 00 01 50 0F", 7, "26 1E 00 00 00 01"),
    ("fr_drv_ng_examples issue 23, 26h answer", "8F 09 00 07 00 26 00 80 01 0C 19 06 98 28", 7,
     "26 00 80 01 0C 19 06"),
    ("javapos_shtrih issue 108, 1Fh request", "8F 0B 00 9B 00 1F 1E 00 00 00 13 01 00 02 16 15", 0x9B,
     "1F 1E 00 00 00 13 01 00 02"),
    ("javapos_shtrih issue 108, 1Fh answer", "8F 06 00 9B 00 1F 00 61 1E 5E B8", 0x9B, "1F 00 61 1E"),
    ("fr_drv_ng issue 50, cached 1Eh answer", "8F 04 00 18 00 1E 00 A9 B6", 0x18, "1E 00"),
]

# fr_drv_ng issue 141: a 10h request and the device's answer.
STATUS_REQUEST = bytes.fromhex("8F 07 00 26 00 10 01 00 00 00 E4 14")
STATUS_ANSWER = bytes.fromhex(
    "8F 13 00 26 00 10 00 01 90 00 02 00 00 33 48 00 00 00 FF FF FF 00 78 C2"
)


def _ids(cases):
    return [case[0] for case in cases]


def test_crc16_of_empty_input():
    assert crc16(b"") == 0xFFFF


def test_crc16_check_value():
    # The standard check value of CRC-16/CCITT-FALSE.
    assert crc16(b"123456789") == 0x29B1


@pytest.mark.parametrize(("source", "packet", "num", "data"), CAPTURED, ids=_ids(CAPTURED))
def test_encode_matches_captured(source, packet, num, data):
    assert encode_packet(num, bytes.fromhex(data)) == bytes.fromhex(packet)


@pytest.mark.parametrize(("source", "packet", "num", "data"), CAPTURED, ids=_ids(CAPTURED))
def test_decode_matches_captured(source, packet, num, data):
    frame = bytes.fromhex(packet)
    assert decode_packet(frame) == Packet(num, bytes.fromhex(data), frame)


@pytest.mark.parametrize(("source", "packet", "num", "data"), CAPTURED, ids=_ids(CAPTURED))
def test_decoder_whole_captured(source, packet, num, data):
    frame = bytes.fromhex(packet)
    assert PacketDecoder().decode_all(frame) == [Packet(num, bytes.fromhex(data), frame)]


@pytest.mark.parametrize(("source", "packet", "num", "data"), CAPTURED, ids=_ids(CAPTURED))
def test_decoder_byte_by_byte_captured(source, packet, num, data):
    frame = bytes.fromhex(packet)
    decoder = PacketDecoder()
    events = []
    for index in range(len(frame)):
        events += decoder.decode_all(frame[index:index + 1])
        if index < len(frame) - 1:
            assert events == []
            assert decoder.in_packet
    assert events == [Packet(num, bytes.fromhex(data), frame)]
    assert not decoder.in_packet


@pytest.mark.parametrize(("source", "packet", "num", "data"), CAPTURED, ids=_ids(CAPTURED))
def test_decoder_trailing_bytes_captured(source, packet, num, data):
    frame = bytes.fromhex(packet)
    decoder = PacketDecoder()
    events = decoder.decode_all(frame + b"\x05\x00" + STATUS_REQUEST[:3])
    assert events == [Packet(num, bytes.fromhex(data), frame), BytesOutsidePacket(b"\x05\x00")]
    assert decoder.in_packet
    assert decoder.decode_all(STATUS_REQUEST[3:]) == [Packet(0x26, STATUS_REQUEST[5:-2], STATUS_REQUEST)]


def test_decode_rejects_trailing_bytes():
    with pytest.raises(DecodeError):
        decode_packet(STATUS_REQUEST + b"\x00")


def test_status_exchange_round_trip():
    assert decode_packet(STATUS_ANSWER).num == decode_packet(STATUS_REQUEST).num == 0x26
    assert encode_packet(0x26, STATUS_ANSWER[5:-2]) == STATUS_ANSWER


def test_stuffing_example_from_spec():
    # Vendor spec v1.17: NUM16 = 0x008F is sent as ESC TSTX 00.
    packet = encode_packet(0x8F, b"\x10")
    assert packet[:6] == bytes.fromhex("8F 03 00 9F 81 00")
    assert decode_packet(packet) == Packet(0x8F, b"\x10", packet)


def test_stuff_replaces_both_special_bytes():
    assert stuff(bytes.fromhex("01 8F 02 9F 81 83")) == bytes.fromhex("01 9F 81 02 9F 83 81 83")


def test_stuffed_crc():
    # Find a body whose CRC has a 0x8F byte; the CRC is stuffed like the rest.
    body = next(bytes((0x10, value)) for value in range(256)
                if 0x8F in crc16(bytes.fromhex("04 00 01 00 10") + bytes((value,))).to_bytes(2, "little"))
    packet = encode_packet(1, body)
    assert b"\x9f\x81" in packet[-4:]
    assert packet.count(0x8F) == 1
    assert decode_packet(packet).data == body


@pytest.mark.parametrize("data", [b"\x9f", b"\x9f\x00", b"\x01\x8f"])
def test_unstuff_rejects_bad_sequences(data):
    with pytest.raises(DecodeError):
        unstuff(data)


def test_encode_sync_and_numbered_empty():
    assert encode_packet(None) == bytes.fromhex("8F 00 00 0F 1D")
    assert encode_packet(1) == bytes.fromhex("8F 02 00 01 00 99 5A")


@pytest.mark.parametrize(("num", "data"), [(None, b"\x10"), (-1, b"\x10"), (0x10000, b"\x10"), (1, bytes(65534))])
def test_encode_rejects_invalid(num, data):
    with pytest.raises(EncodeError):
        encode_packet(num, data)


def test_encode_accepts_max_data():
    packet = encode_packet(0xFFFF, bytes(65533))
    assert decode_packet(packet).data == bytes(65533)


@pytest.mark.parametrize(
    "frame",
    [
        bytes.fromhex("02 01 FC FD"),
        bytes.fromhex("8F 07 00 26 00 10 01 00 00 00 E4 15"),
        bytes.fromhex("8F 01 00 00 00 00"),
        bytes.fromhex("8F 07 00 26"),
        bytes.fromhex("8F 02 00 01 00 9F 00"),
    ],
    ids=["v1 frame", "bad CRC", "LEN16 of 1", "incomplete", "bad escape"],
)
def test_decode_rejects_damaged(frame):
    with pytest.raises(DecodeError):
        decode_packet(frame)


def test_decoder_reports_bad_crc():
    frame = STATUS_REQUEST[:-1] + b"\x15"
    (event,) = PacketDecoder().decode_all(frame)
    assert isinstance(event, DamagedPacket)
    assert event.bad_checksum
    assert event.frame == frame


def test_decoder_new_stx_cuts_packet():
    events = PacketDecoder().decode_all(STATUS_REQUEST[:6] + STATUS_REQUEST)
    assert events[0] == DamagedPacket(STATUS_REQUEST[:6], "packet cut short by the 0x8F of a new packet")
    assert events[1] == Packet(0x26, STATUS_REQUEST[5:-2], STATUS_REQUEST)


def test_decoder_bad_escape_then_resync():
    events = PacketDecoder().decode_all(bytes.fromhex("8F 07 9F 00 26") + STATUS_REQUEST)
    assert isinstance(events[0], DamagedPacket)
    assert events[0].frame == bytes.fromhex("8F 07 9F 00")
    assert events[1] == BytesOutsidePacket(b"\x26")
    assert events[2] == Packet(0x26, STATUS_REQUEST[5:-2], STATUS_REQUEST)


@pytest.mark.parametrize("length", [b"\x01\x00", b"\x01\x10"], ids=["LEN16 1", "over limit"])
def test_decoder_drops_bad_length_early(length):
    decoder = PacketDecoder(max_length=4096)
    (event,) = decoder.decode_all(b"\x8f" + length)
    assert isinstance(event, DamagedPacket)
    assert not decoder.in_packet


def test_decoder_expires_partial_packet():
    decoder = PacketDecoder()
    assert decoder.decode_all(STATUS_REQUEST[:5]) == []
    assert decoder.expire_partial_packet() == DamagedPacket(STATUS_REQUEST[:5], "incomplete packet timed out")
    assert decoder.expire_partial_packet() is None
    assert decoder.decode_all(STATUS_REQUEST) == [Packet(0x26, STATUS_REQUEST[5:-2], STATUS_REQUEST)]


def test_decoder_buffer_drops_decoded_input():
    decoder = PacketDecoder()
    for _ in range(100):
        decoder.decode_all(STATUS_REQUEST + STATUS_REQUEST[:4])
        decoder.decode_all(STATUS_REQUEST[4:])
    assert decoder.buffered == 0


def test_decoder_rejects_bad_max_length():
    with pytest.raises(ValueError):
        PacketDecoder(max_length=1)


_bodies = st.binary(min_size=1, max_size=300) | st.lists(
    st.sampled_from([0x8F, 0x9F, 0x81, 0x83, 0x00]), min_size=1, max_size=50
).map(bytes)


@given(num=st.integers(0, 0xFFFF), body=_bodies)
def test_packet_round_trip(num, body):
    packet = encode_packet(num, body)
    assert packet.count(0x8F) == 1
    assert decode_packet(packet) == Packet(num, body, packet)


@given(data=st.binary(max_size=300))
def test_stuffing_round_trip(data):
    stuffed = stuff(data)
    assert 0x8F not in stuffed
    assert unstuff(stuffed) == data


@given(
    packets=st.lists(st.tuples(st.integers(0, 0xFFFF), _bodies), min_size=1, max_size=5),
    cuts=st.lists(st.integers(1, 40), max_size=30),
)
def test_decoder_any_split(packets, cuts):
    stream = b"".join(encode_packet(num, body) for num, body in packets)
    decoder = PacketDecoder()
    events = []
    position = 0
    for cut in cuts:
        events += decoder.decode_all(stream[position:position + cut])
        position += cut
    events += decoder.decode_all(stream[position:])
    assert [(event.num, event.data) for event in events] == packets
