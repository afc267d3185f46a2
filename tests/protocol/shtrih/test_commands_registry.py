"""Command codes, dispatch, error answers and password roles of the Штрих-М codecs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError, KktemuError
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.passwords import PASSWORD_ROLES, PasswordRole, password_role

H = bytes.fromhex


@pytest.mark.parametrize(("code", "wire"), [(0x10, "10"), (0xFC, "FC"), (0xFF01, "FF 01"), (0xFF0C, "FF 0C")])
def test_code_bytes(code, wire):
    assert c.code_bytes(code) == H(wire)
    assert c.command_code(H(wire) + b"\x00") == code


@pytest.mark.parametrize("code", [0xFF, 0x100, 0xFEFF, 0x10000, -1])
def test_code_bytes_invalid(code):
    with pytest.raises(EncodeError):
        c.code_bytes(code)


@pytest.mark.parametrize("body", [b"", b"\xff"])
def test_command_code_incomplete(body):
    with pytest.raises(DecodeError):
        c.command_code(body)


@given(st.integers(0, 0xFE) | st.integers(0xFF00, 0xFFFF))
def test_code_round_trip(code):
    assert c.command_code(c.code_bytes(code)) == code


@pytest.mark.parametrize(("code", "error", "body"), [
    (0x10, 0x4F, "10 4F"),     # shtrih-m/fr_drv_ng issue 45: wrong password, frame 02 02 10 4F 5D
    (0x25, 0x50, "25 50"),     # shtrih-m/fr_drv_ng issue 247: still printing, frame 02 02 25 50 77
    (0xFF45, 0x4D, "FF 45 4D"),  # shtrih-m/fr_drv_ng issue 103: cashless above total, frame 02 03 FF 45 4D F4
    (0xFF46, 0x16, "FF 46 16"),  # ФН error 16h passed through: shift over 24 hours
    (0x99, 0x37, "99 37"),     # unsupported command
])
def test_error_answer(code, error, body):
    assert c.error_answer(code, error) == H(body)
    assert c.ErrorAnswer(code, error).encode() == H(body)
    assert c.ErrorAnswer.decode(H(body)) == c.ErrorAnswer(code, error)


@pytest.mark.parametrize("error", [0, 256, -1])
def test_error_answer_invalid_error(error):
    with pytest.raises(EncodeError):
        c.error_answer(0x10, error)


@pytest.mark.parametrize("body", ["10", "10 4F 00", "10 00", "FF 45", "FF 45 4D 00"])
def test_error_answer_decode_rejects(body):
    with pytest.raises(DecodeError):
        c.ErrorAnswer.decode(H(body))


def test_decode_answer_error_dispatch():
    assert c.decode_answer(H("10 4F")) == c.ErrorAnswer(0x10, 0x4F)
    assert c.decode_answer(H("FF 45 4D")) == c.ErrorAnswer(0xFF45, 0x4D)


def test_decode_answer_error_with_payload_rejected():
    with pytest.raises(DecodeError):
        c.decode_answer(H("10 4F 1E"))


def test_decode_answer_missing_error_byte():
    with pytest.raises(DecodeError, match="error byte"):
        c.decode_answer(H("FF 01"))


@pytest.mark.parametrize(("body", "code"), [("99 01 00 00 00", 0x99), ("FF 61 1E 00 00 00", 0xFF61), ("00", 0),
                                            ("D0 1E 00 00 00", 0xD0)])
def test_unknown_command(body, code):
    with pytest.raises(c.UnknownCommand) as caught:
        c.decode_request(H(body))
    assert caught.value.code == code
    assert isinstance(caught.value, KktemuError)
    assert not isinstance(caught.value, DecodeError)


def test_unknown_command_answer():
    with pytest.raises(c.UnknownCommand):
        c.decode_answer(H("FF 61 00"))


def test_decode_request_empty_body():
    with pytest.raises(DecodeError):
        c.decode_request(b"")


def test_decode_request_wrong_length():
    with pytest.raises(DecodeError, match="ShortStatusRequest"):
        c.decode_request(H("10 01 00 00"))


def test_registry_codes():
    # Every command of the v1.17 command list that has a codec; docs/shtrih-commands.md
    # lists the others and why they have none.
    expected = {
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1E, 0x1F, 0x21, 0x22, 0x23, 0x24,
        0x25, 0x26, 0x27, 0x28, 0x29, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x40, 0x41, 0x50, 0x51, 0x52, 0x53, 0x54, 0x6B,
        0x80, 0x81, 0x82, 0x83, 0x85, 0x88, 0x89, 0x8C, 0x8D, 0x8E, 0xB0, 0xC6, 0xE0, 0xF7, 0xFC, 0xFE,
        0xFF01, 0xFF02, 0xFF03, 0xFF04, 0xFF05, 0xFF06, 0xFF07, 0xFF08, 0xFF09, 0xFF0A, 0xFF0B, 0xFF0C, 0xFF0D,
        0xFF0E, 0xFF30, 0xFF31, 0xFF32, 0xFF33, 0xFF34, 0xFF35, 0xFF36, 0xFF37, 0xFF38, 0xFF39, 0xFF3A, 0xFF3B,
        0xFF3C, 0xFF3D, 0xFF3E, 0xFF3F, 0xFF40, 0xFF41, 0xFF42, 0xFF43, 0xFF45, 0xFF46, 0xFF4A, 0xFF4B, 0xFF4C,
        0xFF4D, 0xFF60, 0xFF62, 0xFF63, 0xFF64, 0xFF65, 0xFF66,
    }
    assert set(c.REQUEST_TYPES) == expected
    assert set(c.ANSWER_TYPES) == expected
    for code, request_type in c.REQUEST_TYPES.items():
        assert request_type.CODE == code
        assert not request_type.IS_ANSWER
        assert c.ANSWER_TYPES[code].IS_ANSWER


def test_every_request_has_password_role():
    for code, request_type in c.REQUEST_TYPES.items():
        role = password_role(code)
        has_password = "password" in {sub.name for sub in request_type.LAYOUT.subcons}
        assert has_password == (role is not PasswordRole.NONE), hex(code)


@pytest.mark.parametrize(("code", "role"), [
    (0xFC, PasswordRole.NONE), (0x16, PasswordRole.NONE), (0xF7, PasswordRole.NONE),
    (0x10, PasswordRole.OPERATOR), (0x80, PasswordRole.OPERATOR), (0xE0, PasswordRole.OPERATOR),
    (0xB0, PasswordRole.OPERATOR), (0x40, PasswordRole.SENIOR_CASHIER), (0x41, PasswordRole.ADMINISTRATOR),
    (0x1E, PasswordRole.SYSTEM_ADMINISTRATOR), (0x1F, PasswordRole.SYSTEM_ADMINISTRATOR),
    (0xFF01, PasswordRole.SYSTEM_ADMINISTRATOR), (0xFF0C, PasswordRole.SYSTEM_ADMINISTRATOR),
])
def test_password_roles(code, role):
    assert password_role(code) is role


def test_password_role_operators():
    assert PasswordRole.OPERATOR.operators == frozenset(range(1, 31))
    assert PasswordRole.SENIOR_CASHIER.operators == {28, 29, 30}
    assert PasswordRole.ADMINISTRATOR.operators == {29, 30}
    assert PasswordRole.SYSTEM_ADMINISTRATOR.operators == {30}
    assert PasswordRole.NONE.operators == frozenset()
    assert PasswordRole.ADMINISTRATOR.allows(29)
    assert not PasswordRole.ADMINISTRATOR.allows(28)
    assert not PasswordRole.OPERATOR.allows(31)


def test_password_role_unknown_code():
    with pytest.raises(c.UnknownCommand):
        password_role(0x99)


def test_password_roles_read_only():
    with pytest.raises(TypeError):
        PASSWORD_ROLES[0x99] = PasswordRole.NONE  # type: ignore[index]
