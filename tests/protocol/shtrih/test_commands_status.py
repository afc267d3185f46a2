"""10h short status, 11h long status and FCh device type: lengths, optional tails, field checks."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import KktMode, KktSubmode, OpenDocumentStatus, mode_byte

H = bytes.fromhex

# 10h answer from re-star-ru/shtrih-m-driver docs/out.txt.
SHORT_BODY = H("10 00 1E 92 02 08 00 01 9F E5 18 01 00 8B 02 00")
# 11h answer from shtrih-m/fr_drv_ng issue 71, 50 bytes with the serial high word.
LONG_BODY = H("11 00 1E 43 32 31 88 0D 06 13 01 53 00 90 00 02 00 80 4E 41 00 00 01 01 10 07 08 13 0D 32"
              "22 00 37 09 00 00 1E 00 00 00 00 00 2B 1A 1E CC 01 00 00 00")


def short_status(**changes) -> c.ShortStatusAnswer:
    fields = dict(operator=30, flags=0, mode=4, submode=KktSubmode.PAPER_PRESENT)
    fields.update(changes)
    return c.ShortStatusAnswer(**fields)


def test_short_status_length():
    assert len(short_status().encode()) == 16
    assert len(short_status(last_print_result=0).encode()) == 17


def test_short_status_last_print_result():
    answer = c.ShortStatusAnswer.decode(SHORT_BODY + b"\x05")
    assert answer.last_print_result == 5
    assert answer.operator == 30


def test_short_status_two_extra_bytes_rejected():
    with pytest.raises(DecodeError, match="expected 0 or 1"):
        c.ShortStatusAnswer.decode(SHORT_BODY + b"\x00\x00")


def test_short_status_operation_count_split():
    # Offsets 6 and 11 counted after the command byte, as pyshtrih and javapos slice the answer.
    body = short_status(receipt_operations=0x1234).encode()
    assert body[1 + 6] == 0x34
    assert body[1 + 11] == 0x12


def test_short_status_mode_nibbles():
    answer = c.ShortStatusAnswer.decode(SHORT_BODY)
    assert answer.mode_number == KktMode.DOCUMENT_OPEN
    assert answer.mode_status == OpenDocumentStatus.SALE
    purchase = short_status(mode=mode_byte(KktMode.DOCUMENT_OPEN, OpenDocumentStatus.PURCHASE))
    assert purchase.encode()[1 + 4] == 0x18
    assert purchase.mode_status == OpenDocumentStatus.PURCHASE


def test_short_status_flags_trace():
    flags = c.KktFlags(c.ShortStatusAnswer.decode(SHORT_BODY).flags)
    assert c.KktFlags.RECEIPT_ROLL in flags
    assert c.KktFlags.RECEIPT_OPTICAL_SENSOR in flags
    assert c.KktFlags.RECEIPT_HEAD_LEVER_DOWN in flags
    assert c.KktFlags.CASH_DRAWER_OPEN not in flags


@pytest.mark.parametrize("submode", [6, 0x13, 255])
def test_submode_outside_spec_rejected(submode):
    with pytest.raises(EncodeError, match="submode"):
        short_status(submode=submode).encode()
    body = bytearray(SHORT_BODY)
    body[2 + 4] = submode
    with pytest.raises(DecodeError, match="submode"):
        c.ShortStatusAnswer.decode(bytes(body))


@pytest.mark.parametrize(("field", "value"), [
    ("operator", 256), ("flags", 0x10000), ("mode", -1), ("receipt_operations", 0x10000),
    ("reserved", b"\x00"), ("last_print_result", 256), ("battery_voltage", 1.5),
])
def test_short_status_out_of_range_rejected(field, value):
    with pytest.raises(EncodeError):
        short_status(**{field: value}).encode()


def test_long_status_lengths():
    answer = c.LongStatusAnswer.decode(LONG_BODY)
    assert len(LONG_BODY) == 50
    short_form = dataclasses.replace(answer, serial_number_high=None)
    assert len(short_form.encode()) == 48
    assert short_form.encode() == LONG_BODY[:48]
    assert c.LongStatusAnswer.decode(LONG_BODY[:48]).serial_number_high is None


@pytest.mark.parametrize("extra", [1, 3, 4])
def test_long_status_other_lengths_rejected(extra):
    with pytest.raises(DecodeError, match="expected 0 or 2"):
        c.LongStatusAnswer.decode(LONG_BODY[:48] + bytes(extra))


def test_long_status_field_offsets():
    # Offsets within the body: command byte 0, error byte 1, then the fields.
    answer = c.LongStatusAnswer.decode(LONG_BODY)
    assert LONG_BODY[3:5] == b"C2"
    assert LONG_BODY[15] == answer.mode == 2
    assert LONG_BODY[17] == answer.port == 128
    assert LONG_BODY[25:28] == H("07 08 13")
    assert LONG_BODY[28:31] == H("0D 32 22")
    assert LONG_BODY[42:48] == answer.inn.to_bytes(6, "little")


def test_long_status_invalid_date_rejected():
    body = bytearray(LONG_BODY)
    body[25] = 32
    with pytest.raises(DecodeError, match="invalid date"):
        c.LongStatusAnswer.decode(bytes(body))


def test_long_status_invalid_time_rejected():
    body = bytearray(LONG_BODY)
    body[28] = 24
    with pytest.raises(DecodeError, match="invalid time"):
        c.LongStatusAnswer.decode(bytes(body))


@pytest.mark.parametrize(("field", "value"), [
    ("date", datetime.date(2100, 1, 1)), ("date", datetime.date(1999, 12, 31)), ("time", "09:30"),
    ("firmware_version", "C"), ("firmware_version", "C23"), ("firmware_version", "Ж日"),
    ("inn", 2**48), ("serial_number_high", 0x10000),
])
def test_long_status_out_of_range_rejected(field, value):
    answer = c.LongStatusAnswer.decode(LONG_BODY)
    with pytest.raises(EncodeError):
        dataclasses.replace(answer, **{field: value}).encode()


def test_long_status_cyrillic_version():
    answer = c.LongStatusAnswer.decode(LONG_BODY)
    changed = dataclasses.replace(answer, firmware_version="Ж1")
    assert changed.encode()[3:5] == H("C6 31")
    assert c.LongStatusAnswer.decode(changed.encode()).firmware_version == "Ж1"


def test_device_type_request_is_one_byte():
    assert c.DeviceTypeRequest().encode() == b"\xfc"
    with pytest.raises(DecodeError):
        c.DeviceTypeRequest.decode(b"\xfc\x1e\x00\x00\x00")


def test_device_type_name_cp1251():
    answer = c.DeviceTypeAnswer(0, 0, 1, 14, 250, 0, "ШТРИХ-М-01Ф")
    body = answer.encode()
    assert body[:8] == H("FC 00 00 00 01 0E FA 00")
    assert body[8:] == "ШТРИХ-М-01Ф".encode("cp1251")
    assert len(body) == 8 + 11


def test_device_type_name_nul_padded():
    body = H("FC 00 00 00 01 0E FA 00") + "ШТРИХ-М-01Ф".encode("cp1251") + bytes(5)
    assert c.DeviceTypeAnswer.decode(body).name == "ШТРИХ-М-01Ф"


def test_device_type_name_undefined_byte_rejected():
    with pytest.raises(DecodeError, match="0x98"):
        c.DeviceTypeAnswer.decode(H("FC 00 00 00 01 0E FA 00 41 98"))


def test_device_type_name_outside_cp1251_rejected():
    with pytest.raises(EncodeError, match="cp1251"):
        c.DeviceTypeAnswer(0, 0, 1, 14, 250, 0, "ШТРИХ 日本").encode()
