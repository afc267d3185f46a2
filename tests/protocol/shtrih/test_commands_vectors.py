"""Real Штрих-М bodies from public traces, decoded and re-encoded.

Each vector is checked three ways: the whole body decodes to the expected object
and re-encodes to the same bytes, every truncation is rejected or decodes to
something else, and trailing bytes are rejected for fixed layouts.

Sources:
- re-star-ru/shtrih-m-driver docs/out.txt: 10h, 88h and FF01h exchanges (v1 frames).
- shtrih-m/fr_drv_ng issue 71: FCh and 11h answers of a ШТРИХ-СМАРТПОС-Ф (v2 frames;
  the body is what follows NUM16).
- shtrih-m/javapos_shtrih issue 68: 8Dh request and answer.
- afilippov1985/kkt-shtrih tests/test.php: canned answers of a real device.
- shtrih-m/fr_drv_ng issue 152: FF0Ch with tag 1021 in CP866 (the cashier name is
  replaced by a made-up one of the same length).
- The spec's own framing example ``02 01 FC FD``, also pyshtrih 2.0.6's first frame.
"""

from __future__ import annotations

import datetime

import pytest

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import KktSubmode

H = bytes.fromhex

VECTORS = [
    pytest.param(c.ShortStatusRequest, H("10 1E 00 00 00"), c.ShortStatusRequest(password=30),
                 id="10-request-re-star-ru"),
    pytest.param(c.ShortStatusAnswer, H("10 00 1E 92 02 08 00 01 9F E5 18 01 00 8B 02 00"),
                 c.ShortStatusAnswer(operator=30, flags=0x0292, mode=8, submode=KktSubmode.PAPER_PRESENT,
                                     receipt_operations=1, battery_voltage=0x9F, power_voltage=0xE5,
                                     fm_error=0x18, ej_error=0x01, reserved=H("8B 02 00")),
                 id="10-answer-re-star-ru"),
    pytest.param(c.CancelReceiptRequest, H("88 1E 00 00 00"), c.CancelReceiptRequest(password=30),
                 id="88-request-re-star-ru"),
    pytest.param(c.CancelReceiptAnswer, H("88 00 1E"), c.CancelReceiptAnswer(operator=30),
                 id="88-answer-re-star-ru"),
    pytest.param(c.FnStatusRequest, H("FF 01 1E 00 00 00"), c.FnStatusRequest(password=30),
                 id="FF01-request-re-star-ru"),
    pytest.param(c.FnStatusAnswer,
                 H("FF 01 00 03 00 00 01 00 15 07 1D 0B 1D") + b"9287440301120991" + H("A9 01 00 00"),
                 c.FnStatusAnswer(phase=3, current_document=0, document_data_received=False, shift_open=True,
                                  warnings=0, document_datetime=datetime.datetime(2021, 7, 29, 11, 29),
                                  fn_number="9287440301120991", last_document_number=425),
                 id="FF01-answer-re-star-ru"),
    pytest.param(c.FnStatusAnswer,
                 H("FF 01 00 03 00 00 01 00 12 06 15 06 25") + b"9289000100055632" + H("F9 B2 00 00"),
                 c.FnStatusAnswer(phase=3, current_document=0, document_data_received=False, shift_open=True,
                                  warnings=0, document_datetime=datetime.datetime(2018, 6, 21, 6, 37),
                                  fn_number="9289000100055632", last_document_number=45817),
                 id="FF01-answer-kkt-shtrih"),
    pytest.param(c.LongStatusRequest, H("11 1E 00 00 00"), c.LongStatusRequest(password=30),
                 id="11-request-fr_drv_ng-71"),
    pytest.param(c.LongStatusAnswer,
                 H("11 00 1E 43 32 31 88 0D 06 13 01 53 00 90 00 02 00 80 4E 41 00 00 01 01 10 07 08 13 0D 32"
                   "22 00 37 09 00 00 1E 00 00 00 00 00 2B 1A 1E CC 01 00 00 00"),
                 c.LongStatusAnswer(
                     operator=30, firmware_version="C2", firmware_build=34865,
                     firmware_date=datetime.date(2019, 6, 13), hall_number=1, document_number=83, flags=0x0090,
                     mode=2, submode=KktSubmode.PAPER_PRESENT, port=128, fm_firmware_version="NA",
                     fm_firmware_build=0, fm_firmware_date=datetime.date(2016, 1, 1),
                     # The device clock matches the log line time 2019-08-07 13:50:34.
                     date=datetime.date(2019, 8, 7), time=datetime.time(13, 50, 34), fm_flags=0,
                     serial_number=2359, last_closed_shift=30, fm_free_records=0, registrations=0,
                     registrations_left=0, inn=7719492139, serial_number_high=0),
                 id="11-answer-fr_drv_ng-71"),
    pytest.param(c.DeviceTypeRequest, H("FC"), c.DeviceTypeRequest(), id="FC-request-spec-example"),
    pytest.param(c.DeviceTypeAnswer,
                 H("FC 00 00 00 02 00 2D 00 D8 D2 D0 C8 D5 2D D1 CC C0 D0 D2 CF CE D1 2D D4"),
                 c.DeviceTypeAnswer(0, 0, 2, 0, 45, 0, "ШТРИХ-СМАРТПОС-Ф"),
                 id="FC-answer-fr_drv_ng-71"),
    pytest.param(c.OpenReceiptRequest, H("8D 01 00 00 00 00"), c.OpenReceiptRequest(password=1, receipt_type=0),
                 id="8D-request-javapos-68"),
    pytest.param(c.OpenReceiptAnswer, H("8D 00 01"), c.OpenReceiptAnswer(operator=1), id="8D-answer-javapos-68"),
    pytest.param(c.OpenShiftAnswer, H("E0 00 1E"), c.OpenShiftAnswer(operator=30), id="E0-answer-kkt-shtrih"),
    pytest.param(c.ZReportAnswer, H("41 00 1E"), c.ZReportAnswer(operator=30), id="41-answer-kkt-shtrih"),
    pytest.param(c.SaleAnswer, H("80 00 1E"), c.SaleAnswer(operator=30), id="80-answer-kkt-shtrih"),
    pytest.param(c.PurchaseAnswer, H("81 00 1E"), c.PurchaseAnswer(operator=30), id="81-answer-kkt-shtrih"),
    pytest.param(c.SaleReturnAnswer, H("82 00 1E"), c.SaleReturnAnswer(operator=30), id="82-answer-kkt-shtrih"),
    pytest.param(c.PurchaseReturnAnswer, H("83 00 1E"), c.PurchaseReturnAnswer(operator=30),
                 id="83-answer-kkt-shtrih"),
    pytest.param(c.CloseReceiptAnswer, H("85 00 1E 00 00 00 00 00"), c.CloseReceiptAnswer(operator=30, change=0),
                 id="85-answer-kkt-shtrih"),
    pytest.param(c.SendTlvAnswer, H("FF 0C 00"), c.SendTlvAnswer(), id="FF0C-answer-kkt-shtrih"),
    pytest.param(c.SendTlvRequest, H("FF 0C 1E 00 00 00 FD 03 09 00 8F A5 E2 E0 AE A2 20 8F 2E"),
                 c.SendTlvRequest(password=30, tlv=H("FD 03 09 00 8F A5 E2 E0 AE A2 20 8F 2E")),
                 id="FF0C-request-fr_drv_ng-152"),
]

# Classes with a variable tail, where a truncated or extended body may still decode.
TAILED = (c.ShortStatusAnswer, c.LongStatusAnswer, c.DeviceTypeAnswer, c.CloseReceiptAnswer, c.SendTlvRequest)


@pytest.mark.parametrize(("message_type", "body", "expected"), VECTORS)
def test_vector_whole(message_type, body, expected):
    assert message_type.decode(body) == expected
    dispatch = c.decode_answer if message_type.IS_ANSWER else c.decode_request
    assert dispatch(body) == expected
    assert expected.encode() == body


@pytest.mark.parametrize(("message_type", "body", "expected"), VECTORS)
def test_vector_byte_by_byte(message_type, body, expected):
    for cut in range(len(body)):
        try:
            decoded = message_type.decode(body[:cut])
        except DecodeError:
            continue
        assert message_type in TAILED, f"{cut}-byte prefix decoded"
        assert decoded != expected


@pytest.mark.parametrize(("message_type", "body", "expected"), VECTORS)
def test_vector_trailing_bytes(message_type, body, expected):
    extended = body + b"\x01"
    if message_type not in TAILED:
        with pytest.raises(DecodeError, match="after the end of the layout"):
            message_type.decode(extended)
        return
    # A variable tail takes the byte in, or the length becomes invalid. The byte is never dropped.
    try:
        decoded = message_type.decode(extended)
    except DecodeError:
        return
    assert decoded != expected
    assert decoded.encode() == extended


def test_fn_status_trace_length():
    # LEN 0x21 in the re-star-ru frame: FF 01, error byte and 30 bytes of fields.
    body = VECTORS[5].values[1]
    assert len(body) == 0x21
    assert len(body) - 3 == 30
