"""``kktemu fn inspect`` on archives written by an in-process emulator, and on bad files.

Expected values come from two places: literals of the sale flow in conftest
(amounts, dates, names) and the archive read back with the library reader, which
the CLI must render faithfully.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage import ArchivedDocument, ArchiveHeader, FiscalStorage, read_archive
from kktemu.fn_storage.archive_file import HEADER_SIZE, RECORD_DOCUMENT, RECORD_OVERHEAD, encode_record
from kktemu.protocol.ffd.documents import decode_document, printed_fiscal_sign
from kktemu.protocol.ffd.fields import Field

SERIAL = "9999078900004321"
MOMENT = "2024-03-01 09:30"
EXPECTED_ROWS = [
    ("1", "1 registration report", MOMENT, None),
    ("2", "2 open shift report", MOMENT, None),
    ("3", "3 receipt", MOMENT, "138.00"),
    ("4", "3 receipt", MOMENT, "299.97"),
    ("5", "5 close shift report", MOMENT, None),
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _walk(fields: list[Field], depth: int = 0) -> Iterator[tuple[int, Field]]:
    for field in fields:
        yield depth, field
        if field.error is None and isinstance(field.value, list):
            yield from _walk(field.value, depth + 1)


def _table_rows(output: str) -> list[list[str]]:
    """Split the table lines (after the summary line) into cells separated by two or more spaces."""
    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()[1:]]


def _fiscal_signs(path: Path) -> dict[int, int]:
    """Printed ФПД of every document, computed from the 6-byte tag 1077 itself."""
    signs = {}
    for document in read_archive(path).documents:
        fields = {field.tag: field for field in decode_document(document.stlv).fields}
        signs[document.fd_number] = printed_fiscal_sign(fields[1077].value)
    return signs


# --- the document list -------------------------------------------------------------------


def test_list_summary_line(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive)
    assert result.exit_code == 0, result.output
    summary = result.stdout.splitlines()[0]
    assert summary == f"ФН {SERIAL}, archive format 1, created {MOMENT}, documents: 5"


def test_list_rows_and_totals(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive)
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)
    assert rows[0] == ["ФД", "form", "date and time", "ФПД", "total"]
    assert len(rows) == 1 + len(EXPECTED_ROWS)
    signs = _fiscal_signs(sale_archive)
    for cells, (number, form, moment, total) in zip(rows[1:], EXPECTED_ROWS):
        expected = [number, form, moment, str(signs[int(number)])]
        if total is not None:
            expected.append(total)
        assert cells == expected


def test_list_columns_aligned(cli, sale_archive):
    lines = cli("fn", "inspect", sale_archive).stdout.splitlines()[1:]
    title = lines[0]
    date_start = title.index("date and time")
    sign_end = title.index("ФПД") + len("ФПД")
    total_end = title.index("total") + len("total")
    for line in lines[1:]:
        assert line[date_start:date_start + len(MOMENT)] == MOMENT, line
        assert line[sign_end - 1].isdigit(), line
        assert line[sign_end:sign_end + 1] in ("", " "), line
    for line in lines[3:5]:  # the two receipts have a total
        assert len(line) == total_end, line


def test_list_russian_columns(cli, sale_archive):
    result = cli("--lang", "ru", "fn", "inspect", sale_archive)
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)
    assert rows[0] == ["ФД", "форма", "дата и время", "ФПД", "итог"]
    assert rows[3][1] == "3 Кассовый чек"
    assert result.stdout.splitlines()[0] == f"ФН {SERIAL}, формат архива 1, создан {MOMENT}, документов: 5"


def test_list_file_unchanged(cli, sale_archive):
    before = _digest(sale_archive)
    cli("fn", "inspect", sale_archive)
    cli("fn", "inspect", sale_archive, "--doc", "3")
    cli("fn", "inspect", sale_archive, "--json")
    assert _digest(sale_archive) == before


def test_list_while_emulator_holds_lock(cli, tmp_path):
    path = tmp_path / "fn.bin"
    with Emulator(path, clock=Clock(dt.datetime(2024, 3, 1, 9, 30), frozen=True)):
        result = cli("fn", "inspect", path)
    assert result.exit_code == 0, result.output
    assert len(_table_rows(result.stdout)) == 2  # titles and the registration report


def test_list_header_only_archive(cli, tmp_path):
    path = tmp_path / "fn.bin"
    FiscalStorage.create(path, SERIAL, lambda: dt.datetime(2024, 3, 1, 9, 30)).close()
    listing = cli("fn", "inspect", path)
    assert listing.exit_code == 0, listing.output
    assert listing.stdout.splitlines()[0].endswith(", documents: 0")
    assert len(listing.stdout.splitlines()) == 2
    single = cli("fn", "inspect", path, "--doc", "1")
    assert single.exit_code == 1
    assert "ФД 1 is not in" in single.stderr
    assert "no documents" in single.stderr


# --- one document ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_doc_every_tag_named(cli, sale_archive, lang):
    args = ("--lang", "ru") if lang == "ru" else ()
    document = read_archive(sale_archive).documents[2]
    result = cli(*args, "fn", "inspect", sale_archive, "--doc", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()[3:]  # after the title, date and QR code lines
    fields = list(_walk(decode_document(document.stlv).fields))
    assert len(lines) == len(fields)
    for line, (depth, field) in zip(lines, fields):
        name = field.name(lang)
        assert name, f"tag {field.tag} has no {lang} name"
        assert line.startswith("  " * (depth + 1) + f"{field.tag} {name}:"), line


def test_doc_russian_names_and_values(cli, sale_archive):
    result = cli("--lang", "ru", "fn", "inspect", sale_archive, "--doc", "3")
    lines = result.stdout.splitlines()
    sign = _fiscal_signs(sale_archive)[3]
    assert lines[0] == "ФД 3: Кассовый чек (форма 3)"
    assert lines[1] == f"дата и время {MOMENT}, ФПД {sign}, квитанция ОФД: не получена"
    assert f"  1041 номер ФН: {SERIAL}" in lines
    assert f"  1077 ФПД: {sign}" in lines
    assert "  1020 сумма расчета, указанного в чеке (БСО): 138.00" in lines
    assert "  1031 сумма по чеку (БСО) наличными: 138.00" in lines
    assert "    1030 наименование предмета расчета: Чай" in lines
    assert "    1023 количество предмета расчета: 2.000000" in lines


def test_doc_english_names_and_values(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive, "--doc", "3")
    lines = result.stdout.splitlines()
    sign = _fiscal_signs(sale_archive)[3]
    assert lines[0] == "ФД 3: receipt (form 3)"
    assert lines[1] == f"date and time {MOMENT}, ФПД {sign}, ОФД квитанция: not received"
    assert f"  1041 fiscal storage serial number: {SERIAL}" in lines
    assert "  1020 receipt total: 138.00" in lines
    assert "  1081 electronic payment total: 0.00" in lines
    assert "  1008 customer phone or e-mail: +79990001122" in lines
    assert "    1043 item total: 110.00" in lines


@pytest.mark.parametrize("number", ["6", "100", "4294967296"])
def test_doc_outside_archive(cli, sale_archive, number):
    result = cli("fn", "inspect", sale_archive, "--doc", number)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: ФД {number} is not in {sale_archive}: it contains ФД 1..5. "
                             "Give --doc a number in that range.\n")


def test_doc_zero_is_usage_error(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive, "--doc", "0")
    assert result.exit_code == 2
    assert "--doc" in result.stderr


def test_doc_outside_archive_russian(cli, sale_archive):
    result = cli("--lang", "ru", "fn", "inspect", sale_archive, "--doc", "9")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Ошибка: ФД 9 нет в {sale_archive}: в нём ФД 1..5.")


def _write_undecodable_receipt(path: Path) -> None:
    """Write an archive whose ФД 1 is a whole form 3 STLV with a broken TLV inside (valid CRC-32)."""
    moment = dt.datetime(2024, 3, 1, 9, 30)
    stlv = bytes.fromhex("03000400" "5B040900")  # form 3, 4 bytes: tag 1115 claiming 9 bytes
    document = ArchivedDocument(1, 3, moment, moment, 12345, b"", stlv)
    header = ArchiveHeader(SERIAL, moment, bytes(4))
    path.write_bytes(header.encode() + encode_record(RECORD_DOCUMENT, document.encode_payload()))


def test_doc_undecodable_document(cli, tmp_path):
    path = tmp_path / "fn.bin"
    _write_undecodable_receipt(path)
    before = _digest(path)
    result = cli("fn", "inspect", path, "--doc", "1")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ФД 1 cannot be decoded: ")
    assert result.stderr.endswith(f"`kktemu fn inspect {path} --doc 1 --json` prints its raw TLV as hex.\n")
    assert _digest(path) == before


def test_list_and_json_undecodable_document(cli, tmp_path):
    path = tmp_path / "fn.bin"
    _write_undecodable_receipt(path)
    listing = cli("fn", "inspect", path)
    assert listing.exit_code == 0, listing.output
    assert _table_rows(listing.stdout)[1] == ["1", "3 receipt", MOMENT, "12345"]
    result = cli("fn", "inspect", path, "--json")
    assert result.exit_code == 0, result.output
    item = json.loads(result.stdout)
    assert item["tlv"] == "030004005B040900"
    assert item["fields"] is None
    assert "1115" in item["error"]
    assert item["total"] is None


# --- JSON Lines --------------------------------------------------------------------------


def test_json_lines_match_archive(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive, "--json")
    assert result.exit_code == 0, result.output
    documents = read_archive(sale_archive).documents
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(items) == len(documents)
    for item, document in zip(items, documents):
        assert item["fd"] == document.fd_number
        assert item["form"] == document.form
        assert dt.datetime.fromisoformat(item["datetime"]) == dt.datetime(2024, 3, 1, 9, 30)
        assert bytes.fromhex(item["tlv"]) == document.stlv
        assert isinstance(item["fields"], list)
    assert [item["total"] for item in items] == [None, None, 13800, 29997, None]
    assert [item["form_name"] for item in items][2] == "receipt"


def test_json_fiscal_sign_is_printed_fpd(cli, sale_archive):
    table = _table_rows(cli("fn", "inspect", sale_archive).stdout)[1:]
    items = [json.loads(line) for line in cli("fn", "inspect", sale_archive, "--json").stdout.splitlines()]
    signs = _fiscal_signs(sale_archive)
    for item, row in zip(items, table):
        assert item["fiscal_sign"] == int(row[3])
        assert item["fiscal_sign"] == signs[item["fd"]]


def test_json_single_document(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive, "--json", "--doc", "4")
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    item = json.loads(lines[0])
    assert item["fd"] == 4
    fields = {field["tag"]: field for field in item["fields"]}
    assert fields[1081]["value"] == 29997
    assert fields[1020]["name"] == "receipt total"
    assert fields[1077]["printed"] == item["fiscal_sign"]


def test_json_russian_names(cli, sale_archive):
    result = cli("--lang", "ru", "fn", "inspect", sale_archive, "--json", "--doc", "3")
    item = json.loads(result.stdout)
    fields = {field["tag"]: field for field in item["fields"]}
    assert item["form_name"] == "Кассовый чек"
    assert fields[1020]["name"] == "сумма расчета, указанного в чеке (БСО)"


# --- bad files ---------------------------------------------------------------------------


def _damage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[20] ^= 0x01  # a digit of the ФН serial, covered by the header CRC-32
    path.write_bytes(bytes(data))


def _damage_middle_record(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 20] ^= 0xFF  # inside ФД 1, with four records after it
    path.write_bytes(bytes(data))


def _prepare(kind: str, tmp_path: Path, sale_archive: Path) -> Path:
    path = tmp_path / "fn.bin"
    if kind == "missing":
        return path
    if kind == "directory":
        path.mkdir()
        return path
    if kind == "empty":
        path.write_bytes(b"")
        return path
    if kind == "random":
        path.write_bytes(bytes.fromhex("9BC735C9BE44E778") + os.urandom(500))
        return path
    path.write_bytes(sale_archive.read_bytes())
    if kind == "header":
        _damage_header(path)
    elif kind == "record":
        _damage_middle_record(path)
    return path


BAD_FILES = [
    ("missing", "Error: ФН file {path} not found. Check the path; `kktemu serve --fn-file {path}` "
                "creates a new ФН there."),
    ("directory", "Error: {path} is a directory, not a ФН file. Give the path of the archive file itself."),
    ("empty", "Error: ФН file {path} is not a valid kktemu archive: the file is 0 bytes long, shorter than the "
              "archive header (48 bytes)."),
    ("random", "Error: ФН file {path} is not a valid kktemu archive: the file starts with 9B C7 35 C9 BE 44 E7 78, "
               "not the archive magic"),
    ("header", "Error: ФН file {path} is not a valid kktemu archive: the archive header CRC-32 does not match"),
    ("record", "Error: ФН file {path} is not a valid kktemu archive: the record CRC-32 does not match"),
]


@pytest.mark.parametrize(("kind", "expected"), BAD_FILES, ids=[kind for kind, _ in BAD_FILES])
@pytest.mark.parametrize("mode", [(), ("--doc", "1"), ("--json",)], ids=["list", "doc", "json"])
def test_bad_file_rejected(cli, tmp_path, sale_archive, kind, expected, mode):
    path = _prepare(kind, tmp_path, sale_archive)
    before = _digest(path) if path.is_file() else None
    result = cli("fn", "inspect", path, *mode)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(expected.format(path=path)), result.stderr
    if kind not in ("missing", "directory"):
        assert result.stderr.rstrip().endswith("the file was not changed.")
        assert _digest(path) == before
    assert path.exists() == (kind != "missing")


def test_bad_file_russian_from_locale(cli, tmp_path):
    path = tmp_path / "fn.bin"
    result = cli("fn", "inspect", path, env={"LANG": "ru_RU.UTF-8"})
    assert result.exit_code == 1
    assert result.stderr == (f"Ошибка: файл ФН {path} не найден. Проверьте путь; "
                             f"`kktemu serve --fn-file {path}` создаёт там новый ФН.\n")


def test_lc_all_overrides_lang(cli, tmp_path):
    path = tmp_path / "fn.bin"
    result = cli("fn", "inspect", path, env={"LANG": "ru_RU.UTF-8", "LC_ALL": "C.UTF-8"})
    assert result.stderr.startswith("Error: ФН file")


def test_lang_option_overrides_locale(cli, sale_archive):
    result = cli("--lang", "en", "fn", "inspect", sale_archive, env={"LC_ALL": "ru_RU.UTF-8"})
    assert _table_rows(result.stdout)[0][1] == "form"


def test_locale_russian_table(cli, sale_archive):
    result = cli("fn", "inspect", sale_archive, env={"LANG": "ru_RU.UTF-8"})
    assert _table_rows(result.stdout)[0][1] == "форма"


# --- torn tail ---------------------------------------------------------------------------


@pytest.fixture
def torn_archive(tmp_path, sale_archive) -> Path:
    """A copy of the sale archive whose last record (ФД 5) lost its last 3 bytes."""
    path = tmp_path / "torn.bin"
    path.write_bytes(sale_archive.read_bytes()[:-3])
    return path


def test_torn_tail_lists_whole_documents(cli, torn_archive, sale_archive):
    before = _digest(torn_archive)
    result = cli("fn", "inspect", torn_archive)
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)[1:]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    assert result.stdout.splitlines()[0].endswith(", documents: 4")
    assert _digest(torn_archive) == before
    last = read_archive(sale_archive).documents[-1]
    torn_bytes = RECORD_OVERHEAD + len(last.encode_payload()) - 3
    assert result.stderr == (f"warning: {torn_archive} ends with an unfinished record ({torn_bytes} bytes, an "
                             "interrupted write), which was skipped; `kktemu serve` cuts it off when it next "
                             "opens the file\n")


def test_torn_tail_json_and_doc(cli, torn_archive):
    listing = cli("fn", "inspect", torn_archive, "--json")
    assert listing.exit_code == 0
    assert [json.loads(line)["fd"] for line in listing.stdout.splitlines()] == [1, 2, 3, 4]
    assert "unfinished record" in listing.stderr
    missing = cli("fn", "inspect", torn_archive, "--doc", "5")
    assert missing.exit_code == 1
    assert "it contains ФД 1..4" in missing.stderr
    assert "unfinished record" in missing.stderr


def test_torn_tail_warning_russian(cli, torn_archive):
    result = cli("--lang", "ru", "fn", "inspect", torn_archive)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"предупреждение: в конце файла {torn_archive} незавершённая запись (")
    assert str(torn_archive) in result.stderr
