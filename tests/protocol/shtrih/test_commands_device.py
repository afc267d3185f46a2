"""Device, table, clock, print, F7h and FEh commands: layouts, optional forms and public vectors."""

from __future__ import annotations

import datetime

import pytest

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import decode_frame

H = bytes.fromhex

# F7h type 1 answers from shtrih-m/javapos_shtrih ReadPrinterModelParametersTests.
MODEL_WITH_TWO_EXTRA = H("F7 00 18 00 00 37 00 1E 00 00 00 00 01 0C 0A 00 00 00 00 00 00 1E 00 00 00 0C 06 FF 00 20"
                         "20 58 02 0E 0F")
MODEL_SPEC_SIZE = H("F7 00 5A A0 40 03 00 0C 00 00 0C 18 01 0C 10 00 00 00 00 00 00 1E 00 00 00 00 06 FF 00 40 40"
                    "B6 03")
MODEL_WITH_TABLES = H("F7 00 08 00 C0 F7 3F 08 00 00 00 00 01 0C 0A 00 00 00 00 00 00 1E 00 00 00 00 06 FF 00 28 00"
                      "00 00 0D 0E 10 0A 1D")


# Exchange parameters.


@pytest.mark.parametrize(("code", "port"), [(57, 12345), (255, 61503), (0, 48)])
def test_tcp_port_code(code, port):
    # The spec's own examples: code 57 is the default 12345, 255 gives 61503, 0 gives 48.
    assert c.tcp_port_from_code(code) == port


def test_exchange_parameter_layouts():
    assert c.SetExchangeParametersRequest(30, c.TCP_PORT_NUMBER, 57, 0).encode() == H("14 1E 00 00 00 80 39 00")
    assert c.ReadExchangeParametersRequest(30, 0).encode() == H("15 1E 00 00 00 00")
    assert c.ReadExchangeParametersAnswer(6, 150).encode() == H("15 00 06 96")
    assert c.SetExchangeParametersAnswer().encode() == H("14 00")


def test_technological_reset_is_one_byte():
    assert c.TechnologicalResetRequest().encode() == H("16")
    with pytest.raises(DecodeError, match="after the end of the layout"):
        c.TechnologicalResetRequest.decode(H("16 1E 00 00 00"))
    assert c.TechnologicalResetAnswer().encode() == H("16 00")


# Registers.


def test_cash_register_number_widths():
    assert c.CashRegisterRequest(1, 241).encode() == H("1A 01 00 00 00 F1")
    assert c.CashRegisterRequest(1, 0x1234, wide=True).encode() == H("1A 01 00 00 00 34 12")
    assert c.CashRegisterRequest.decode(H("1A 01 00 00 00 F1 00")) == c.CashRegisterRequest(1, 241, wide=True)
    with pytest.raises(EncodeError, match="CashRegisterRequest"):
        c.CashRegisterRequest(1, 256).encode()
    with pytest.raises(DecodeError, match="1 or 2"):
        c.CashRegisterRequest.decode(H("1A 01 00 00 00 F1 00 00"))


def test_register_answers():
    assert c.CashRegisterAnswer(1, 280000).encode() == H("1A 00 01 C0 45 04 00 00 00")
    assert len(c.CashRegisterAnswer(1, 2**48 - 1).encode()) == 9
    assert c.OperationRegisterAnswer(1, 84).encode() == H("1B 00 01 54 00")


# Tables.


def test_write_table_value_raw():
    request = c.WriteTableRequest(30, 17, 1, 7, b"\x01")
    assert request.encode() == H("1E 1E 00 00 00 11 01 00 07 01")
    longest = c.WriteTableRequest(30, 2, 1, 1, bytes(246))
    assert len(longest.encode()) == 255
    with pytest.raises(EncodeError, match="255"):
        c.WriteTableRequest(30, 2, 1, 1, bytes(247)).encode()


def test_read_table_answer_keeps_bytes():
    answer = c.ReadTableAnswer.decode(H("1F 00 CA C0 D1 D1 C8 D0 00 00"))
    assert answer.value == H("CA C0 D1 D1 C8 D0 00 00")


def test_table_structure_length():
    body = c.TableStructureAnswer("Тип и режим кассы", 1, 30).encode()
    assert len(body) == 45
    assert body[2:19] == "Тип и режим кассы".encode("cp1251")
    assert body[19:42] == bytes(23)
    with pytest.raises(EncodeError, match="name"):
        c.TableStructureAnswer("Я" * 41, 1, 30).encode()


def test_field_structure_char_length():
    answer = c.FieldStructureAnswer("Имя кассира", c.FieldType.CHAR, 21)
    assert len(answer.encode()) == 44
    assert c.FieldStructureAnswer.decode(answer.encode()) == answer


def test_field_structure_bin_length():
    answer = c.FieldStructureAnswer("Пароль", c.FieldType.BIN, 4, 0, 99999999)
    body = answer.encode()
    # The spec's length: 44 + X + X.
    assert len(body) == 44 + 4 + 4
    assert body[-8:] == H("00 00 00 00 FF E0 F5 05")
    assert c.FieldStructureAnswer.decode(body) == answer


@pytest.mark.parametrize(("answer", "message"), [
    (c.FieldStructureAnswer("Пароль", c.FieldType.BIN, 4), "integer minimum"),
    (c.FieldStructureAnswer("Пароль", c.FieldType.BIN, 1, 0, 256), "does not fit"),
    (c.FieldStructureAnswer("Имя", c.FieldType.CHAR, 21, 0, 1), "BIN fields only"),
])
def test_field_structure_bounds_rejected(answer, message):
    with pytest.raises(EncodeError, match=message):
        answer.encode()


def test_field_structure_wrong_tail_rejected():
    body = c.FieldStructureAnswer("Пароль", c.FieldType.BIN, 4, 0, 99999999).encode()
    with pytest.raises(DecodeError, match="expected 8"):
        c.FieldStructureAnswer.decode(body[:-1])
    char = c.FieldStructureAnswer("Имя", c.FieldType.CHAR, 21).encode()
    with pytest.raises(DecodeError, match="expected 0"):
        c.FieldStructureAnswer.decode(char + b"\0")


def test_field_type_other_than_bin_char_rejected():
    # pyshtrih 2.0.6 fails with KeyError on a field type other than 0 or 1.
    body = bytearray(c.FieldStructureAnswer("Имя", c.FieldType.CHAR, 21).encode())
    body[42] = 2
    with pytest.raises(DecodeError, match="FieldType"):
        c.FieldStructureAnswer.decode(bytes(body))


# Clock: frames of the date programming field case (rosix-ru/shtrihm-fr kkt.py layout).


@pytest.mark.parametrize(("frame", "expected", "day"), [
    ("02 08 22 1E 00 00 00 1F 02 18 31", c.SetDateRequest(30, 31, 2, 24), None),
    ("02 08 22 1E 00 00 00 0E 05 18 27", c.SetDateRequest(30, 14, 5, 24), datetime.date(2024, 5, 14)),
    ("02 08 23 1E 00 00 00 0F 05 18 27", c.ConfirmDateRequest(30, 15, 5, 24), datetime.date(2024, 5, 15)),
])
def test_date_frames(frame, expected, day):
    request = c.decode_request(decode_frame(H(frame)))
    assert request == expected
    # An impossible date decodes, so the dialect can answer 7Dh instead of a length error.
    assert request.date() == day


@pytest.mark.parametrize("year", [99, 100, 255])
def test_date_year_byte_two_digits(year):
    # DD MM YY covers 2000..2099: a year byte above 99 is an invalid date (7Dh), not 2100+.
    expected = datetime.date(2099, 12, 31) if year == 99 else None
    assert c.SetDateRequest(30, 31, 12, year).date() == expected
    assert c.ConfirmDateRequest(30, 31, 12, year).date() == expected


def test_time_frame():
    request = c.decode_request(decode_frame(H("02 08 21 1E 00 00 00 10 0C 00 2B")))
    assert request == c.SetTimeRequest(30, 16, 12, 0)
    assert request.time() == datetime.time(16, 12)
    assert c.SetTimeRequest(30, 25, 61, 0).time() is None


def test_clock_constructors():
    assert c.SetTimeRequest.at(30, datetime.time(9, 30, 15, 500)) == c.SetTimeRequest(30, 9, 30, 15)
    assert c.SetDateRequest.on(30, datetime.date(2024, 5, 14)) == c.SetDateRequest(30, 14, 5, 24)
    with pytest.raises(ValueError, match="2100"):
        c.ConfirmDateRequest.on(30, datetime.date(2100, 1, 1))


# Printing.


def test_print_line_lengths():
    # The spec's lengths: 12h 26, 2Fh 47, 18h 37.
    assert len(c.PrintBoldLineRequest(1, 2, "ИТОГ").encode()) == 26
    assert len(c.PrintFontLineRequest(1, 2, 3, "ИТОГ").encode()) == 47
    assert len(c.DocumentHeaderRequest(1, "СЧЁТ", 12).encode()) == 37
    assert c.DocumentHeaderAnswer(1, 84).encode() == H("18 00 01 54 00")


def test_document_end_and_cliche():
    assert c.DocumentEndRequest(1, 1).encode() == H("53 01 00 00 00 01")
    assert c.PrintClicheRequest(1).encode() == H("52 01 00 00 00")
    assert c.PrintAdvertisingAnswer(1).encode() == H("54 00 01")


# F7h model parameters.


def test_model_parameters_with_graphics_512():
    parameters = c.ExtendedAnswer.decode(MODEL_WITH_TWO_EXTRA).model_parameters()
    assert c.ModelCapability.GRAPHICS_512 in c.ModelCapability(parameters.capabilities)
    assert parameters.graphics_line_width == 0x20
    assert parameters.graphics512_width == 0x20
    assert parameters.graphics512_lines == 600
    assert parameters.max_command_length == 255
    assert parameters.default_sysadmin_password == 30
    assert parameters.inn_digits == 12
    assert parameters.rnm_digits == 10
    assert parameters.extra == H("0E 0F")


def test_model_parameters_spec_size():
    parameters = c.ExtendedAnswer.decode(MODEL_SPEC_SIZE).model_parameters()
    assert parameters.extra == b""
    assert parameters.graphics_line_width == 0x40
    assert parameters.graphics512_lines == 950
    assert c.ModelCapability.GRAPHICS_512 in c.ModelCapability(parameters.capabilities)


def test_model_parameters_table_numbers():
    parameters = c.ExtendedAnswer.decode(MODEL_WITH_TABLES).model_parameters()
    # javapos_shtrih reads these as the ФН table 13, the ОФД table 14, table 16 for
    # embedded and internet use, and the ФФД version in table 10, field 29.
    assert parameters.extra == H("0D 0E 10 0A 1D")


@pytest.mark.parametrize("body", [MODEL_WITH_TWO_EXTRA, MODEL_SPEC_SIZE, MODEL_WITH_TABLES])
def test_model_parameters_reencode(body):
    answer = c.ExtendedAnswer.decode(body)
    assert c.ExtendedAnswer.of_model(answer.model_parameters()).encode() == body


def test_model_parameters_too_short():
    with pytest.raises(DecodeError, match="at least 31"):
        c.ExtendedAnswer(MODEL_SPEC_SIZE[2:-1]).model_parameters()


def test_model_parameters_out_of_range():
    parameters = c.ExtendedAnswer.decode(MODEL_SPEC_SIZE).model_parameters()
    with pytest.raises(EncodeError, match="max_command_length"):
        c.ModelParameters(**{**parameters.__dict__, "max_command_length": 2**16}).encode()


# FEh service and 6Bh error names.


def test_service_answer_does_not_echo_function():
    assert c.ServiceRequest(c.ServiceFunction.PING).encode() == H("FE F2")
    answer = c.decode_answer(H("FE 00 01 02 03 04"))
    assert answer == c.ServiceAnswer(H("01 02 03 04"))
    assert c.ServiceAnswer().encode() == H("FE 00")


def test_error_name_without_code():
    assert c.ErrorNameRequest.decode(H("6B")) == c.ErrorNameRequest(None)
    assert c.ErrorNameRequest(None).encode() == H("6B")
    with pytest.raises(DecodeError, match="0 or 1"):
        c.ErrorNameRequest.decode(H("6B 5E 00"))


def test_font_parameters_v2_trace():
    # shtrih-m/fr_drv_ng_examples issue 23, v2 frame body after NUM16: font 1 of a ШТРИХ-СМАРТПОС-Ф.
    assert c.decode_answer(H("26 00 80 01 0C 19 06")) == c.FontParametersAnswer(384, 12, 25, 6)
