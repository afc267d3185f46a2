"""Real bodies of the ФН-era and device commands from public traces and client tests.

Each vector is checked three ways: the whole body decodes to the expected object
and re-encodes to the same bytes, every truncation is rejected or re-encodes to
exactly the truncated bytes (so nothing is silently dropped), and a trailing
byte is rejected or taken into a variable tail.

Sources:
- shtrih-m/fr_drv_ng issue 103: FF46h and FF45h as the 1C driver for Linux sent
  them, and the 4Dh refusal. The driver put garbage into the sixth tax sum and
  ЕНВД into the tax system byte; the codec keeps both as sent.
- shtrih-m/fr_drv_ng issue 247: FF46h with the cp1251 name «Комплексный обед».
- re-star-ru/shtrih-m-driver app/commands/commands_test.go: the 182-byte FF45h.
- afilippov1985/kkt-shtrih tests/test.php: canned answers of FF0Ah, FF0Bh, FF40h,
  FF45h, FF46h and FF4Dh; src/Request/Reboot.php: FEh F3h.
- shtrih-m/javapos_shtrih unit tests: FSFindDocumentTests (FF0Ah),
  FSPrintCalcReportTests (FF38h), FSReadFiscalizationTagTests (FF0Eh),
  FSReadBufferStatusTests (FF30h), FSReadBlockTests (FF31h),
  ReadErrorDescriptionTests (6Bh), ReadPrinterModelParametersTests (F7h).
- shtrih-m/javapos_shtrih issue 59 and shtrih-m/fr_drv_ng_examples issue 23: 26h
  font parameters (v1 and v2 logs).
- Frames built from the spec's layouts, marked as such where they appear.
"""

from __future__ import annotations

import datetime

import pytest

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import decode_frame

H = bytes.fromhex
SUGAR = "Сахар"

FF45_1C_DRIVER = (H("FF 45 1E 00 00 00 00 00 00 00 00 C0 45 04 00 00") + bytes(94)
                  + H("00 00 98 3A 00 00 E8 08"))
FF45_GO_DRIVER = H("FF 45 1E 00 00 00 01") + bytes(110) + H("20") + bytes(64)
FF46_1C_DRIVER = H("FF 46 1E 00 00 00 01 40 42 0F 00 00 00 F0 0A 00 00 00 F0 0A 00 00 00 FF FF FF FF FF 08 01 04 01"
                   "D1 E0 F5 E0 F0 ED FB E9 20 EF E5 F1 EE EA")


def close_v2(payments: dict[int, int], tax_system: int, text_size: int = 0,
             taxes: tuple[int, ...] = (0,) * 6) -> c.CloseReceiptV2Request:
    sums = tuple(payments.get(index, 0) for index in range(16))
    return c.CloseReceiptV2Request(30, sums, 0, taxes, tax_system, "", text_size)


CLOSE_1C_DRIVER = close_v2({1: 280000}, c.TaxSystem.ENVD, taxes=(0, 0, 0, 0, 0, 0xE8_0000_3A98))


VECTORS = [
    # Receipts.
    pytest.param(c.OperationV2Request, FF46_1C_DRIVER,
                 c.OperationV2Request(password=30, operation=c.OperationType.SALE, quantity=1_000_000, price=2800,
                                      amount=2800, tax_amount=None, tax_rate=c.TaxRate.NO_VAT, department=1,
                                      payment_method=4, payment_subject=1, text="Сахарный песок"),
                 id="FF46-request-fr_drv_ng-103"),
    pytest.param(c.OperationV2Request,
                 H("FF 46 1E 00 00 00 01 40 42 0F 00 00 00 10 27 00 00 00 10 27 00 00 00 FF FF FF FF FF"
                   "08 00 00 00 CA EE EC EF EB E5 EA F1 ED FB E9 20 EE E1 E5 E4"),
                 c.OperationV2Request(30, 1, 1_000_000, 10000, 10000, None, 8, 0, 0, 0, "Комплексный обед"),
                 id="FF46-request-fr_drv_ng-247"),
    pytest.param(c.OperationV2Answer, H("FF 46 00"), c.OperationV2Answer(), id="FF46-answer-kkt-shtrih"),
    pytest.param(c.CloseReceiptV2Request, FF45_1C_DRIVER, CLOSE_1C_DRIVER, id="FF45-request-fr_drv_ng-103"),
    pytest.param(c.CloseReceiptV2Request, FF45_GO_DRIVER, close_v2({0: 1}, c.TaxSystem.PSN, 64),
                 id="FF45-request-re-star-ru"),
    pytest.param(c.CloseReceiptV2Answer, H("FF 45 00 00 00 00 00 00 B3 60 03 00 DB 45 DB 70"),
                 c.CloseReceiptV2Answer(change=0, fd_number=221363, fiscal_sign=1893418459),
                 id="FF45-answer-kkt-shtrih"),
    # Built from the spec: tag 1226 with a made-up ИНН padded to 12 characters.
    pytest.param(c.SendOperationTlvRequest,
                 H("FF 4D 1E 00 00 00 CA 04 0C 00 37 37 31 32 33 34 35 36 37 31 20 20"),
                 c.SendOperationTlvRequest(30, H("CA 04 0C 00") + b"7712345671  "), id="FF4D-request-1226-built"),
    pytest.param(c.SendOperationTlvAnswer, H("FF 4D 00"), c.SendOperationTlvAnswer(), id="FF4D-answer-kkt-shtrih"),
    # ФН archive and state.
    pytest.param(c.FindDocumentRequest, H("FF 0A 1E 00 00 00 A3 00 00 00"), c.FindDocumentRequest(30, 163),
                 id="FF0A-request-javapos"),
    pytest.param(c.FindDocumentAnswer,
                 H("FF 0A 00 03 00 11 03 18 14 35 A3 00 00 00 EB EA 4B 2E 01 20 4E 00 00 00"),
                 c.FindDocumentAnswer(3, False, H("11 03 18 14 35 A3 00 00 00 EB EA 4B 2E 01 20 4E 00 00 00")),
                 id="FF0A-answer-receipt-javapos"),
    pytest.param(c.FindDocumentAnswer,
                 H("FF 0A 00 0B 00 11 07 06 02 35 02 00 00 00 22 E8 9A 18") + b"5024054445  "
                 + b"0000001358026131    " + H("3F 01 04"),
                 c.FindDocumentAnswer(11, False, H("11 07 06 02 35 02 00 00 00 22 E8 9A 18") + b"5024054445  "
                                      + b"0000001358026131    " + H("3F 01 04")),
                 id="FF0A-answer-reregistration-javapos"),
    pytest.param(c.FindDocumentAnswer,
                 H("FF 0A 00 03 00 12 06 15 06 25 F9 B2 00 00 79 58 50 F5 01 F0 49 02 00 00"),
                 c.FindDocumentAnswer(3, False, H("12 06 15 06 25 F9 B2 00 00 79 58 50 F5 01 F0 49 02 00 00")),
                 id="FF0A-answer-kkt-shtrih"),
    pytest.param(c.FnOpenShiftAnswer, H("FF 0B 00 01 34 00 00 00 01 00 00 00 01"),
                 c.FnOpenShiftAnswer(shift_number=0x3401, fd_number=0x01000000, fiscal_sign=0x01000000),
                 id="FF0B-answer-kkt-shtrih"),
    pytest.param(c.ShiftParametersAnswer, H("FF 40 00 01 34 01 05 00"),
                 c.ShiftParametersAnswer(shift_open=True, shift_number=308, receipt_number=5),
                 id="FF40-answer-kkt-shtrih"),
    pytest.param(c.SettlementReportRequest, H("FF 38 1E 00 00 00"), c.SettlementReportRequest(30),
                 id="FF38-request-javapos"),
    pytest.param(c.SettlementReportAnswer,
                 H("FF 38 00 0D 00 00 00 3B 92 3F 07 02 00 00 00 12 01 19"),
                 c.SettlementReportAnswer(fd_number=13, fiscal_sign=121606715, unconfirmed=2,
                                          first_unconfirmed_date=datetime.date(2018, 1, 25)),
                 id="FF38-answer-javapos"),
    pytest.param(c.RegistrationTagRequest, H("FF 0E 1E 00 00 00 F0 11 04"), c.RegistrationTagRequest(30, 240, 1041),
                 id="FF0E-request-javapos"),
    pytest.param(c.RegistrationTagAnswer, H("FF 0E 00 11 04 10 00") + b"9999078900002270",
                 c.RegistrationTagAnswer(H("11 04 10 00") + b"9999078900002270"), id="FF0E-answer-javapos"),
    # Built from the spec: one TLV, tag 1215 with a one-byte zero.
    pytest.param(c.ReadTlvAnswer, H("FF 3B 00 BF 04 01 00 00"), c.ReadTlvAnswer(H("BF 04 01 00 00")),
                 id="FF3B-answer-built"),
    pytest.param(c.BufferStatusAnswer, H("FF 30 00 4E 01 F0"), c.BufferStatusAnswer(size=334, block_size=240),
                 id="FF30-answer-javapos"),
    pytest.param(c.ReadBufferRequest, H("FF 31 1E 00 00 00 F0 00 5E"), c.ReadBufferRequest(30, 240, 94),
                 id="FF31-request-javapos"),
    # Device.
    pytest.param(c.ErrorNameRequest, H("6B 5E"), c.ErrorNameRequest(0x5E), id="6B-request-javapos"),
    pytest.param(c.ErrorNameAnswer,
                 H("6B 00 CA CA D2 3A 20 CD E5 E2 E5 F0 ED E0 FF 20 EE EF E5 F0 E0 F6 E8 FF"),
                 c.ErrorNameAnswer("ККТ: Неверная операция"), id="6B-answer-javapos"),
    pytest.param(c.FontParametersRequest, H("26 1E 00 00 00 01"), c.FontParametersRequest(30, 1),
                 id="26-request-javapos-59"),
    pytest.param(c.FontParametersAnswer, H("26 00 F8 01 0C 19 09"), c.FontParametersAnswer(504, 12, 25, 9),
                 id="26-answer-javapos-59"),
    pytest.param(c.FontParametersAnswer, H("26 00 80 01 18 2D 06"), c.FontParametersAnswer(384, 24, 45, 6),
                 id="26-answer-font2-fr_drv_ng_examples-23"),
    pytest.param(c.ExtendedRequest, H("F7 01"), c.ExtendedRequest(c.MODEL_PARAMETERS), id="F7-request-javapos"),
    pytest.param(c.ServiceRequest, H("FE F3 00 00 00 00"), c.ServiceRequest(c.ServiceFunction.REBOOT, bytes(4)),
                 id="FE-request-kkt-shtrih"),
]

# Classes with a variable tail, where a truncated or extended body may still decode.
TAILED = (c.OperationV2Request, c.CloseReceiptV2Request, c.CloseReceiptV2Answer, c.SendOperationTlvRequest,
          c.FindDocumentAnswer, c.SettlementReportAnswer, c.RegistrationTagAnswer, c.ReadTlvAnswer,
          c.ErrorNameRequest, c.ErrorNameAnswer, c.ExtendedRequest, c.ServiceRequest)


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
        assert decoded.encode() == body[:cut]


@pytest.mark.parametrize(("message_type", "body", "expected"), VECTORS)
def test_vector_trailing_bytes(message_type, body, expected):
    extended = body + b"\x01"
    if message_type not in TAILED:
        with pytest.raises(DecodeError):
            message_type.decode(extended)
        return
    try:
        decoded = message_type.decode(extended)
    except DecodeError:
        return
    assert decoded != expected
    assert decoded.encode() == extended


# Whole frames: LEN and LRC confirm the reading of the body.


@pytest.mark.parametrize(("frame", "expected"), [
    pytest.param("02 76" + FF45_1C_DRIVER.hex() + "11", CLOSE_1C_DRIVER, id="FF45-fr_drv_ng-103"),
    pytest.param("02 30 FF 46 1E 00 00 00 01 40 42 0F 00 00 00 10 27 00 00 00 10 27 00 00 00 FF FF FF FF FF"
                 "08 00 00 00 CA EE EC EF EB E5 EA F1 ED FB E9 20 EE E1 E5 E4 8F",
                 c.OperationV2Request(30, 1, 1_000_000, 10000, 10000, None, 8, 0, 0, 0, "Комплексный обед"),
                 id="FF46-fr_drv_ng-247"),
    # Built from the spec: quantity 2.000000 with the sum left to the register.
    pytest.param("02 25 FF 46 1E 00 00 00 01 80 84 1E 00 00 00 F0 0A 00 00 00 FF FF FF FF FF FF FF FF FF FF"
                 "08 01 04 01 D1 E0 F5 E0 F0 BB",
                 c.OperationV2Request(30, 1, 2_000_000, 2800, None, None, 8, 1, 4, 1, SUGAR),
                 id="FF46-quantity-2-built"),
    # Built from the spec: tag 1226 padded to 12 characters, tag 1293 in one byte.
    pytest.param("02 16 FF 4D 1E 00 00 00 CA 04 0C 00 37 37 31 32 33 34 35 36 37 31 20 20 79",
                 c.SendOperationTlvRequest(30, H("CA 04 0C 00") + b"7712345671  "), id="FF4D-1226-built"),
    pytest.param("02 0B FF 4D 1E 00 00 00 0D 05 01 00 01 AF", c.SendOperationTlvRequest(30, H("0D 05 01 00 01")),
                 id="FF4D-1293-built"),
    pytest.param("02 06 FF 39 1E 00 00 00 DE", c.ExchangeStatusRequest(30), id="FF39-built"),
    pytest.param("02 0A FF 3A 1E 00 00 00 89 00 00 00 58", c.DocumentTlvRequest(30, 137), id="FF3A-built"),
    pytest.param("02 06 FF 3B 1E 00 00 00 DC", c.ReadTlvRequest(30), id="FF3B-built"),
    pytest.param("02 06 26 1E 00 00 00 01 3F", c.FontParametersRequest(30, 1), id="26-javapos-59"),
])
def test_request_frames(frame, expected):
    body = decode_frame(H(frame))
    assert c.decode_request(body) == expected
    assert expected.encode() == body


@pytest.mark.parametrize(("frame", "expected"), [
    # Built from the spec with made-up values: transport connected, 3 messages in
    # the queue, the first is ФД 137 of 2024-04-10 09:30.
    pytest.param("02 10 FF 39 00 01 00 03 00 89 00 00 00 18 04 0A 09 1E 5C",
                 c.ExchangeStatusAnswer(status=c.ExchangeStatus.TRANSPORT_CONNECTED, reading=False, queue_size=3,
                                        first_fd_number=137, first_datetime=datetime.datetime(2024, 4, 10, 9, 30)),
                 id="FF39-built"),
    pytest.param("02 07 26 00 F8 01 0C 19 09 C4", c.FontParametersAnswer(504, 12, 25, 9), id="26-javapos-59"),
    pytest.param("02 03 FF 45 4D F4", c.ErrorAnswer(0xFF45, 0x4D), id="FF45-cashless-above-total-fr_drv_ng-103"),
    pytest.param("02 03 FF 3A 08 CE", c.ErrorAnswer(0xFF3A, 0x08), id="FF3A-no-data-built"),
    pytest.param("02 03 FF 4D 33 82", c.ErrorAnswer(0xFF4D, 0x33), id="FF4D-invalid-parameters-built"),
])
def test_answer_frames(frame, expected):
    body = decode_frame(H(frame))
    assert c.decode_answer(body) == expected
    assert expected.encode() == body

