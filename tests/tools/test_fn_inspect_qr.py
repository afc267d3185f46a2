"""The receipt QR code string in ``kktemu fn inspect --doc N`` and in its JSON Lines.

The expected strings are built by hand in the layout of the public vector in
Vasfed/orangedata spec/lib/receipt_result_spec.rb
(``t=20181022T1936&s=0.01&fn=9999078900001341&i=5548&fp=787980846&n=1``):
date and time to the minute, total in rubles with two decimals, ФН number, ФД
number, printed ФПД, settlement type (1054). The ФПД comes from tag 1077 of the
archived document itself.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kktemu.fn_storage import ArchivedDocument, ArchiveHeader, read_archive
from kktemu.fn_storage.archive_file import RECORD_DOCUMENT, encode_record
from kktemu.protocol.ffd.documents import decode_document, printed_fiscal_sign
from kktemu.protocol.shtrih import commands as c

SERIAL = "9999078900004321"
TIME = "20240301T0930"
PASSWORD = 30


def _sign(path: Path, fd_number: int) -> int:
    document = read_archive(path).documents[fd_number - 1]
    fields = {field.tag: field for field in decode_document(document.stlv).fields}
    return printed_fiscal_sign(fields[1077].value)


def _expected(path: Path, fd_number: int, total: str, settlement: int) -> str:
    return f"t={TIME}&s={total}&fn={SERIAL}&i={fd_number}&fp={_sign(path, fd_number)}&n={settlement}"


@pytest.fixture(scope="module")
def return_archive(tmp_path_factory, build_archive) -> Path:
    """ФД 1 registration, 2 open shift, 3 a sale of 0.01, 4 a return of that sale (n=2)."""
    item = dict(password=PASSWORD, quantity=1000, price=1, department=1, taxes=(0, 0, 0, 0), text="Спички")
    return build_archive(tmp_path_factory.mktemp("return") / "fn.bin", (
        c.OpenShiftRequest(PASSWORD),
        c.OpenReceiptRequest(PASSWORD, c.ReceiptType.SALE),
        c.SaleRequest(**item),
        c.CloseReceiptRequest(PASSWORD, (1, 0, 0, 0), 0, (0, 0, 0, 0), ""),
        c.OpenReceiptRequest(PASSWORD, c.ReceiptType.SALE_RETURN),
        c.SaleReturnRequest(**item),
        c.CloseReceiptRequest(PASSWORD, (1, 0, 0, 0), 0, (0, 0, 0, 0), ""),
    ))


def test_receipt_shows_qr_line(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive, "--doc", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "QR code: " + _expected(sale_archive, 3, "138.00", 1)


def test_receipt_shows_qr_line_russian(cli, sale_archive):
    result = cli("--lang", "ru", "fn", "inspect", sale_archive, "--doc", "4")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "QR-код: " + _expected(sale_archive, 4, "299.97", 1)


def test_return_receipt_has_settlement_type_2(cli, return_archive):
    result = cli("fn", "inspect", return_archive, "--doc", "4")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "QR code: " + _expected(return_archive, 4, "0.01", 2)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("number", [1, 2, 5])
def test_other_forms_show_nothing_extra(cli, sale_archive, number, lang):
    result = cli("--lang", lang, "fn", "inspect", sale_archive, "--doc", str(number))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert not any(line.startswith(("QR code", "QR-код")) for line in lines)
    # The title, the date line, then one line per tag and nothing else.
    document = read_archive(sale_archive).documents[number - 1]
    assert lines[2].startswith("  1")
    assert len([line for line in lines if not line.startswith("  ")]) == 2
    assert document.form != 3


def test_json_carries_qr_of_receipts_only(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive, "--json")
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("qr" in item) for item in items] == [False, False, True, True, False]
    assert items[2]["qr"] == _expected(sale_archive, 3, "138.00", 1)
    assert items[3]["qr"] == _expected(sale_archive, 4, "299.97", 1)


def test_json_single_receipt_qr_matches_text(cli, sale_archive):
    text = cli("--lang", "ru", "fn", "inspect", sale_archive, "--doc", "3").stdout.splitlines()[2]
    item = json.loads(cli("--lang", "ru", "fn", "inspect", sale_archive, "--doc", "3", "--json").stdout)
    assert text == "QR-код: " + item["qr"]


def _write_receipt_without_fn_number(path: Path) -> None:
    """An archive whose ФД 1 is a receipt that decodes but lacks tag 1041 (a hand-made, damaged archive)."""
    moment = dt.datetime(2024, 3, 1, 9, 30)
    stlv = bytes.fromhex("03000500" "FC03010064")  # form 3, 5 bytes: tag 1020 = 1.00
    details = bytes((1,)) + (100).to_bytes(5, "little")  # 40h record tail: приход, total 100 kopecks
    document = ArchivedDocument(1, 3, moment, moment, 12345, details, stlv)
    header = ArchiveHeader(SERIAL, moment, bytes(4))
    path.write_bytes(header.encode() + encode_record(RECORD_DOCUMENT, document.encode_payload()))


def test_receipt_without_fn_number_explains(cli, tmp_path):
    path = tmp_path / "fn.bin"
    _write_receipt_without_fn_number(path)
    text = cli("fn", "inspect", path, "--doc", "1")
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[2].startswith("QR code: cannot be built: ")
    assert "1041" in text.stdout.splitlines()[2]
    russian = cli("--lang", "ru", "fn", "inspect", path, "--doc", "1")
    assert russian.stdout.splitlines()[2].startswith("QR-код: не удаётся построить: ")
    item = json.loads(cli("fn", "inspect", path, "--json").stdout)
    assert item["qr"] is None
    assert "1041" in item["qr_error"]
