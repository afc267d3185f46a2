"""Document forms: codes and names (ФФД table 11), content per FFD version, size limits."""

import pytest

from kktemu.protocol.ffd.forms import (FfdVersion, FormCode, form_content, form_info, form_name,
                                       max_document_size, stlv_content)

FORM_NAMES = {
    1: ("Отчет о регистрации", "registration report"),
    11: ("Отчет об изменении параметров регистрации", "registration change report"),
    2: ("Отчет об открытии смены", "open shift report"),
    21: ("Отчет о текущем состоянии расчетов", "settlement state report"),
    3: ("Кассовый чек", "receipt"),
    31: ("Кассовый чек коррекции", "correction receipt"),
    4: ("Бланк строгой отчетности", "strict reporting form"),
    41: ("Бланк строгой отчетности коррекции", "correction strict reporting form"),
    5: ("Отчет о закрытии смены", "close shift report"),
    6: ("Отчет о закрытии фискального накопителя", "close fiscal storage report"),
    7: ("Подтверждение оператора", "operator confirmation"),
}


@pytest.mark.parametrize("code", FORM_NAMES)
def test_form_names(code):
    name_ru, name_en = FORM_NAMES[code]
    assert form_name(code, "ru") == name_ru
    assert form_name(code) == name_en
    assert FormCode(code) == code


def test_printed_form_title():
    assert form_info(5).short_ru == "Отч. о закр. см."
    assert form_info(81).short_ru == ""


def test_unknown_form():
    assert form_info(99) is None
    assert form_name(99) is None


def _uses(code):
    return {use.tag: use for use in form_content(code, FfdVersion.V1_05)}


def test_receipt_content_105():
    uses = _uses(FormCode.RECEIPT)
    assert uses[1059].repeatable
    assert uses[1059].obligation == 1
    assert (uses[1048].obligation, uses[1048].obligation_print) == (3, 1)  # «П-1, Э-3»
    assert not uses[1000].electronic
    assert not uses[1196].electronic
    assert uses[1077].obligation == 1
    assert 1194 not in uses


def test_registration_change_adds_reason():
    assert 1101 not in _uses(FormCode.REGISTRATION)
    assert _uses(FormCode.REGISTRATION_CHANGE)[1101].obligation == 2
    assert set(_uses(FormCode.REGISTRATION)) < set(_uses(FormCode.REGISTRATION_CHANGE))


def test_close_shift_content_105():
    uses = _uses(FormCode.CLOSE_SHIFT)
    assert uses[1118].obligation == 1
    assert uses[1213].obligation == 3
    assert not uses[1009].electronic


@pytest.mark.parametrize("code", [1, 11, 2, 21, 3, 31, 4, 41, 5, 6, 7])
def test_every_form_has_105_content(code):
    assert form_content(code, FfdVersion.V1_05)


def test_no_ffd_12_tables():
    assert form_content(FormCode.RECEIPT, FfdVersion.V1_2) is None
    assert stlv_content(1059, FfdVersion.V1_2) is None


def test_item_content_105():
    item = {use.tag: use for use in stlv_content(1059, FfdVersion.V1_05)}
    assert item[1043].obligation == 1
    assert item[1162].obligation == 2
    assert [use.tag for use in stlv_content(1174, FfdVersion.V1_05)] == [1178, 1179]


@pytest.mark.parametrize("code, version, size", [
    (3, FfdVersion.V1_05, 32768), (31, FfdVersion.V1_05, 32768), (7, FfdVersion.V1_05, 512),
    (1, FfdVersion.V1_05, 4096), (5, FfdVersion.V1_05, 4096),
    (1, FfdVersion.V1_2, 6144), (11, FfdVersion.V1_2, 6144), (82, FfdVersion.V1_2, 32768),
    (83, FfdVersion.V1_2, 512), (84, FfdVersion.V1_2, 512), (5, FfdVersion.V1_2, 4096),
    (7, FfdVersion.V1_2, 512), (4, FfdVersion.V1_2, 32768),
])
def test_max_document_size(code, version, size):
    assert max_document_size(code, version) == size
