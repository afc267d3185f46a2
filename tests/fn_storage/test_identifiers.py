"""РНМ check value, ИНН check digits and test ФН serials."""

from __future__ import annotations

import pytest

from kktemu.fn_storage.errors import InvalidArgumentError
from kktemu.fn_storage.identifiers import (
    inn_is_valid,
    make_rnm,
    make_test_fn_serial,
    rnm_check_value,
    rnm_is_valid,
)

# Real registrations: the yandex/ofd tests/example_test.py registration report,
# and two receipts of the ФНС «Проверка чеков» application (JSON kktRegId,
# userInn, numberKkt).
RNM_VECTORS = [
    ("0000000005", "7702203276", "000000000002", "0000000005008570"),
    ("0006518874", "262901602791", "0494011062", "0006518874008604"),
    ("0006365226", "7838471956", "02005016561", "0006365226040924"),
]

# Valid ИНН from public registrations (Яндекс.ОФД, the receipts above and
# others); invalid ones are common placeholders in test data.
VALID_INN = ["7702203276", "7704358518", "7838471956", "7728699517", "5024054445", "7825706086",
             "262901602791", "505303696069"]
INVALID_INN = ["1234567890", "112233445566", "771234567890"]


@pytest.mark.parametrize(("order", "inn", "serial", "rnm"), RNM_VECTORS)
def test_make_rnm_vectors(order, inn, serial, rnm):
    assert make_rnm(order, inn, serial) == rnm
    assert rnm_check_value(order, inn, serial) == rnm[10:]


@pytest.mark.parametrize(("order", "inn", "serial", "rnm"), RNM_VECTORS)
def test_rnm_is_valid_vectors(order, inn, serial, rnm):
    assert rnm_is_valid(rnm, inn, serial)
    assert rnm_is_valid(rnm + "    ", inn + "  ", serial)


@pytest.mark.parametrize(("order", "inn", "serial", "rnm"), RNM_VECTORS)
def test_rnm_wrong_check_digit(order, inn, serial, rnm):
    broken = rnm[:-1] + str((int(rnm[-1]) + 1) % 10)
    assert not rnm_is_valid(broken, inn, serial)
    assert not rnm_is_valid(rnm, inn, serial + "9")


def test_rnm_orangedata_counterexample_fails():
    # Vasfed/orangedata spec: the device is registered to the cloud operator's
    # ИНН, not the client's 1234567890, so the triple must not verify.
    assert not rnm_is_valid("0000000400054952", "1234567890", "1400000000001033")


def test_make_rnm_accepts_integer_order():
    assert make_rnm(5, "7702203276", "000000000002") == "0000000005008570"


@pytest.mark.parametrize("rnm", ["", "000000000500857", "00000000050085701", "000000000500857A"])
def test_rnm_malformed(rnm):
    assert not rnm_is_valid(rnm, "7702203276", "000000000002")


def test_rnm_rejects_bad_order():
    with pytest.raises(InvalidArgumentError, match="order number"):
        rnm_check_value("12345678901", "7702203276", "1")
    with pytest.raises(InvalidArgumentError, match="order number"):
        rnm_check_value("12a", "7702203276", "1")


@pytest.mark.parametrize("inn", VALID_INN)
def test_inn_valid(inn):
    assert inn_is_valid(inn)


@pytest.mark.parametrize("inn", INVALID_INN)
def test_inn_invalid(inn):
    assert not inn_is_valid(inn)


@pytest.mark.parametrize("inn", ["", "770220327", "77022032761", "77022032ab", "７７０２２０３２７６"])
def test_inn_malformed(inn):
    assert not inn_is_valid(inn)


def test_inn_with_padding():
    assert inn_is_valid("7702203276  ")


def test_test_fn_serial():
    assert make_test_fn_serial(1) == "9999078900000001"
    assert make_test_fn_serial(999_999) == "9999078900999999"
    with pytest.raises(InvalidArgumentError):
        make_test_fn_serial(1_000_000)
