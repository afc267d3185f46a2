"""Receipt settings from the profile and from the settings table fields that switch them.

The field numbers follow the table dumps of a ШТРИХ-НАНО-Ф that
shtrih-m/javapos_shtrih publishes (RES/X5, Doc/UPOS): 1.1.14 «НАЧИСЛЕНИЕ
НАЛОГОВ», 17.1.35 «RUS СТРОГИЙ ФЛК» and 17.1.36 «RUS РАСШИР. ОТВ. НА КОМАНДЫ
ФОРМ. ФД». The vendor spec v1.17 lists the answers that 17.1.36 lengthens by a
DATE_TIME: FF06h, FF09h, FF34h, FF36h, FF38h, FF3Eh, FF43h, FF45h, FF4Ah.
"""

from __future__ import annotations

import dataclasses

import pytest

from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.emulator.receipt_settings import DEFAULT_RECEIPT_SETTINGS, TAX_MODE_HOST, ReceiptSettings
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_vln
from kktemu.protocol.shtrih import commands as c

CASHIER = 1
SYSADMIN = 30
VAT_20 = c.TaxRate.VAT_20
# A customer ИНН (1228) whose check digit is wrong: 7707083893 is valid, ...94 is not.
BAD_INN_TLV = encode_tlv(1228, b"7707083894  ")


def write(kkt, table, field, value: int, size: int = 1):
    return kkt.raw(c.WriteTableRequest(SYSADMIN, table, 1, field, value.to_bytes(size, "little")))


def operation(rate=VAT_20, tax=None):
    return c.OperationV2Request(SYSADMIN, 1, 1_000_000, 2800, None, tax, rate, 1, 4, 1, "Сахар")


def close_v2(cash=2800, taxes=(0,) * 6):
    return c.CloseReceiptV2Request(SYSADMIN, (cash,) + (0,) * 15, 0, taxes, 1, "")


def test_profile_default_settings():
    assert SHTRIH_M_01F.receipt_settings is DEFAULT_RECEIPT_SETTINGS


@pytest.mark.parametrize("table, field, expected", [(1, 14, 0), (17, 35, 1), (17, 36, 0)])
def test_unwritten_fields_show_profile(make_kkt, table, field, expected):
    kkt = make_kkt()
    assert kkt.table(table, field) == bytes((expected,))


def test_fields_show_profile_settings(make_kkt):
    settings = ReceiptSettings(tax_mode=TAX_MODE_HOST, tlv_format_check=False, extended_document_answers=True)
    kkt = make_kkt(profile=dataclasses.replace(SHTRIH_M_01F, receipt_settings=settings))
    assert kkt.table(1, 14) == b"\x01"
    assert kkt.table(17, 35) == b"\x00"
    assert kkt.table(17, 36) == b"\x01"
    assert kkt.register.receipt_settings == settings


def test_tax_mode_field(make_kkt):
    kkt = make_kkt()
    assert write(kkt, 1, 14, 1) == bytes.fromhex("1E 00")
    assert kkt.register.receipt_settings.tax_mode == TAX_MODE_HOST
    kkt.send(operation())
    kkt.send(close_v2(taxes=(467, 0, 0, 0, 0, 0)))  # the host's 20/120 VAT of 28.00
    item = dict(split_tlv(kkt.tlv()[1059]))
    assert 1200 not in item


def test_tax_mode_field_default_writes_vat(make_kkt):
    kkt = make_kkt()
    kkt.send(operation())
    kkt.send(close_v2())
    item = dict(split_tlv(kkt.tlv()[1059]))
    assert decode_vln(item[1200]) == 467  # 2800 × 20/120, rounded half up


def test_tax_mode_field_needs_closed_shift(make_kkt):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.refused(c.WriteTableRequest(SYSADMIN, 1, 1, 14, b"\x01"), 0xC7)
    assert kkt.register.receipt_settings.tax_mode == 0


def test_strict_flk_field(make_kkt):
    kkt = make_kkt()
    kkt.refused(c.SendTlvRequest(SYSADMIN, BAD_INN_TLV), 0x33)
    assert write(kkt, 17, 35, 0) == bytes.fromhex("1E 00")
    assert kkt.register.receipt_settings.tlv_format_check is False
    assert kkt.raw(c.SendTlvRequest(SYSADMIN, BAD_INN_TLV)) == bytes.fromhex("FF 0C 00")


def test_extended_answers_field(make_kkt):
    kkt = make_kkt()
    kkt.send(operation())
    assert len(kkt.raw(close_v2())) == 16
    assert write(kkt, 17, 36, 1) == bytes.fromhex("1E 00")
    kkt.send(operation())
    answer = kkt.raw(close_v2())
    assert len(answer) == 21
    assert c.decode_answer(answer).document_datetime == kkt.last_document().moment


def test_extended_answers_all_commands(make_kkt):
    kkt = make_kkt()
    write(kkt, 17, 36, 1)
    kkt.send(c.OpenShiftRequest(CASHIER))
    moment = kkt.clock.now().replace(second=0, microsecond=0)

    settlement = kkt.raw(c.SettlementReportRequest(SYSADMIN))
    assert len(settlement) == 23
    assert c.decode_answer(settlement).document_datetime == moment

    correction = kkt.raw(c.CorrectionRequest(SYSADMIN, 100, 1))
    assert len(correction) == 18
    assert c.decode_answer(correction).document_datetime == moment

    close_shift = kkt.raw(c.FnCloseShiftRequest(SYSADMIN))
    assert len(close_shift) == 18
    assert c.decode_answer(close_shift).document_datetime == moment

    totals = kkt.raw(c.FiscalizationTotalsRequest(SYSADMIN))
    assert len(totals) == 55
    decoded = c.decode_answer(totals)
    assert decoded.document_datetime == decoded.moment


def test_extended_answers_off_short_forms(make_kkt):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(CASHIER))
    assert len(kkt.raw(c.SettlementReportRequest(SYSADMIN))) == 18
    assert len(kkt.raw(c.FnCloseShiftRequest(SYSADMIN))) == 13
    assert len(kkt.raw(c.FiscalizationTotalsRequest(SYSADMIN))) == 50


def test_written_fields_survive_restart(make_kkt):
    kkt = make_kkt()
    write(kkt, 17, 36, 1)
    write(kkt, 17, 35, 0)
    kkt.close()
    again = make_kkt()
    assert again.register.receipt_settings.extended_document_answers is True
    assert again.register.receipt_settings.tlv_format_check is False


def test_init_tables_restores_profile(make_kkt):
    kkt = make_kkt()
    write(kkt, 17, 36, 1)
    assert kkt.raw(c.InitTablesRequest(SYSADMIN)) == bytes.fromhex("24 00")
    assert kkt.register.receipt_settings == DEFAULT_RECEIPT_SETTINGS
    assert kkt.table(17, 36) == b"\x00"


def test_written_field_beats_replacement(make_kkt):
    kkt = make_kkt()
    write(kkt, 17, 36, 0)
    kkt.register.receipt_settings = dataclasses.replace(DEFAULT_RECEIPT_SETTINGS, extended_document_answers=True,
                                                       item_sum_error=0x36)
    settings = kkt.register.receipt_settings
    assert settings.extended_document_answers is False
    assert settings.item_sum_error == 0x36


def test_invalid_field_value_refused(make_kkt):
    kkt = make_kkt()
    kkt.refused(c.WriteTableRequest(SYSADMIN, 17, 1, 36, b"\x02"), 0x33)
    assert kkt.register.receipt_settings.extended_document_answers is False

