"""Field cases seen through ``kktemu fn inspect --doc``: unknown tags and binary tag 1162.

Both receipts are built the way a driver builds them: the TLVs arrive with FF0Ch
while the receipt is open, and the ФН appends them to the document in that order.
"""

from __future__ import annotations

import json

import pytest

from kktemu.fn_storage import read_archive
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.shtrih import commands as c

PASSWORD = 30
# shtrih-m/fr_drv_ng issue 301: reading documents back failed with "Unknown tag 1115"
# after new VAT rates appeared; the reader must show the tag raw and go on.
UNKNOWN_TLV = bytes.fromhex("5B040200D204")  # tag 1115, length 2, value D2 04
# shtrih-m/fr_drv_ng issues 141 and 97: 1162 (product code, ФФД 1.05) is a byte array,
# and a driver that printed it as text produced garbage. Made-up GTIN 4601234567893
# and serial "Ab3xY9Q" in the Честный знак layout.
PRODUCT_CODE = bytes.fromhex("444D042F4EF3B2D541623378593951313132303030")
PRODUCT_CODE_TLV = bytes.fromhex("8A041500") + PRODUCT_CODE


@pytest.fixture(scope="module")
def field_case_archive(tmp_path_factory, build_archive):
    """ФД 3 is a receipt carrying 1115 and then 1162, both sent with FF0Ch.

    1162 belongs inside an item (1059), so the ФН runs with its strict
    format-logical control off to keep it at the receipt level, as the field case has it.
    """
    requests = (
        c.OpenShiftRequest(PASSWORD),
        c.OpenReceiptRequest(PASSWORD, c.ReceiptType.SALE),
        c.SaleRequest(PASSWORD, 1000, 4990, 1, (1, 0, 0, 0), "Молоко"),  # 1.000 × 49.90, tax group 1
        c.SendTlvRequest(PASSWORD, UNKNOWN_TLV),
        c.SendTlvRequest(PASSWORD, PRODUCT_CODE_TLV),
        c.CloseReceiptRequest(PASSWORD, (5000, 0, 0, 0), 0, (0, 0, 0, 0), ""),
    )
    return build_archive(tmp_path_factory.mktemp("cases") / "fn.bin", requests,
                         fn_profile=FnProfile(strict_control=False))


def test_product_code_is_21_bytes():
    assert len(PRODUCT_CODE) == 0x15
    assert PRODUCT_CODE[:2] == b"DM"
    assert int.from_bytes(PRODUCT_CODE[2:8], "big") == 4601234567893


def test_archive_keeps_sent_tlvs_verbatim(field_case_archive):
    receipt = read_archive(field_case_archive).documents[2]
    assert receipt.form == 3
    assert receipt.tlv.endswith(UNKNOWN_TLV + PRODUCT_CODE_TLV)


def test_unknown_tag_shown_raw_in_place(cli, field_case_archive):
    result = cli("fn", "inspect", field_case_archive, "--doc", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    position = lines.index("  1115 (unknown): D2 04")
    assert lines[position - 1] == "  1209 FFD version: 2"
    assert lines[position + 1].startswith("  1162 ")
    assert "  1020 receipt total: 49.90" in lines
    assert result.stderr == ""


def test_unknown_tag_russian(cli, field_case_archive):
    result = cli("--lang", "ru", "fn", "inspect", field_case_archive, "--doc", "3")
    assert result.exit_code == 0, result.output
    assert "  1115 (неизвестный реквизит): D2 04" in result.stdout.splitlines()


def test_product_code_shown_as_hex(cli, field_case_archive):
    result = cli("fn", "inspect", field_case_archive, "--doc", "3")
    lines = result.stdout.splitlines()
    line = next(line for line in lines if line.startswith("  1162 "))
    assert line == "  1162 product code (FFD 1.05): " + PRODUCT_CODE.hex(" ").upper()
    assert "Ab3xY9Q" not in result.stdout


def test_field_cases_in_json(cli, field_case_archive):
    result = cli("fn", "inspect", field_case_archive, "--doc", "3", "--json")
    assert result.exit_code == 0, result.output
    item = json.loads(result.stdout)
    fields = {field["tag"]: field for field in item["fields"]}
    assert fields[1115] == {"tag": 1115, "name": None, "value": "D204"}
    assert fields[1162]["value"] == PRODUCT_CODE.hex().upper()
    assert "Ab3xY9Q" not in result.stdout
    assert bytes.fromhex(item["tlv"]).endswith(UNKNOWN_TLV + PRODUCT_CODE_TLV)
