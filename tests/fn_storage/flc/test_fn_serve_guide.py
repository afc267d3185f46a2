"""The minimal registration and open shift data that docs/fn-serve.md gives firmware developers.

The tag tables are read from the document and sent to a fresh ФН with 02h,
07h, 03h and 11h, 07h, 12h. The listed tags pass the control. Leaving out any
one of them is rejected with 0Dh, or with 09h for 1013, which the РНМ check needs.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest

from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.identifiers import make_rnm
from kktemu.protocol.ffd.schema import TlvType
from kktemu.protocol.ffd.tags import tag_info
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_string, encode_uint32
from kktemu.protocol.fn import documents
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.codes import split_answer_code

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "fn-serve.md"
START = dt.datetime(2024, 3, 1, 9, 0)
SERIAL = "9999078900000077"
INN = "7702203276"
KKT_SERIAL = "0000000000001234"
RNM = make_rnm(5, INN, KKT_SERIAL)
VERSIONS = {"1.05": 2, "1.2": 4}
TAXATION_OSN = 0x01
WORK_MODE_ONLINE = 0x00


def _guide_tables() -> list[dict[str, list[int]]]:
    """Return the tag tables of the guide's registration section: per ФФД version, the required tags."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Registering a fresh ФН and opening a shift", 1)[1].split("\n## ", 1)[0]
    tables: list[dict[str, list[int]]] = []
    for line in section.splitlines():
        if line.startswith("| tag | meaning"):
            tables.append({version: [] for version in VERSIONS})
            continue
        match = re.match(r"\| (\d{4}) \|", line)
        if match:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            for version, cell in zip(VERSIONS, cells[-2:]):
                if cell == "required":
                    tables[-1][version].append(int(match.group(1)))
    return tables


REGISTRATION_TABLE, OPEN_SHIFT_TABLE = _guide_tables()


def _value(tag: int, version: int) -> bytes:
    if tag in (1189, 1209):
        return encode_byte(version)
    if tag == 1013:
        return encode_string(KKT_SERIAL)
    if tag == 1038:
        return encode_uint32(1)
    if tag_info(tag).type is TlvType.BYTE:
        return encode_byte(0)
    return encode_string("Тест")


def _tlv(tags: list[int], version: int, without: int | None = None) -> bytes:
    return b"".join(encode_tlv(tag, _value(tag, version)) for tag in tags if tag != without)


class Fn:
    def __init__(self, path: Path):
        self.storage = FiscalStorage.create(path, SERIAL, lambda: START)

    def call(self, command: int, data: bytes = b"") -> int:
        code, _answer = self.storage.execute(command, data)
        return split_answer_code(code)[0]

    def register(self, data: bytes) -> int:
        assert self.call(C.BEGIN_REGISTRATION_REPORT, b"\x00") == R.OK
        assert self.call(C.SEND_DOCUMENT_DATA, data) == R.OK
        request = documents.FormRegistrationRequest(START, INN, RNM, TAXATION_OSN, WORK_MODE_ONLINE)
        return self.call(C.FORM_REGISTRATION_REPORT, request.encode())

    def open_shift(self, data: bytes) -> int:
        assert self.call(C.BEGIN_OPEN_SHIFT, documents.BeginOpenShiftRequest(START).encode()) == R.OK
        assert self.call(C.SEND_DOCUMENT_DATA, data) == R.OK
        return self.call(C.OPEN_SHIFT)


def test_guide_lists_both_tables():
    assert REGISTRATION_TABLE["1.05"] == [1001, 1002, 1009, 1013, 1021, 1048, 1056, 1108, 1110, 1187, 1188, 1189,
                                          1209, 1221]
    assert REGISTRATION_TABLE["1.2"] == [1001, 1002, 1009, 1013, 1021, 1048, 1056, 1187, 1188, 1189, 1209]
    assert OPEN_SHIFT_TABLE["1.05"] == [1038, 1188, 1189, 1209]
    assert OPEN_SHIFT_TABLE["1.2"] == [1038, 1188, 1189, 1209]


@pytest.mark.parametrize("name", VERSIONS)
def test_minimal_data_registers_and_opens(tmp_path, name):
    version = VERSIONS[name]
    fn = Fn(tmp_path / "fn.bin")
    assert fn.register(_tlv(REGISTRATION_TABLE[name], version)) == R.OK
    assert fn.open_shift(_tlv(OPEN_SHIFT_TABLE[name], version)) == R.OK
    assert fn.storage.phase == 3


@pytest.mark.parametrize("name", VERSIONS)
def test_registration_without_each_tag(tmp_path, name):
    version = VERSIONS[name]
    for tag in REGISTRATION_TABLE[name]:
        fn = Fn(tmp_path / f"fn-{tag}.bin")
        expected = R.INVALID_PARAMETER if tag == 1013 else R.MISSING_DATA
        assert fn.register(_tlv(REGISTRATION_TABLE[name], version, without=tag)) == expected, tag
        fn.storage.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_open_shift_without_each_tag(tmp_path, name):
    version = VERSIONS[name]
    fn = Fn(tmp_path / "fn.bin")
    assert fn.register(_tlv(REGISTRATION_TABLE[name], version)) == R.OK
    for tag in OPEN_SHIFT_TABLE[name]:
        assert fn.open_shift(_tlv(OPEN_SHIFT_TABLE[name], version, without=tag)) == R.MISSING_DATA, tag
        assert fn.call(C.CANCEL_DOCUMENT) == R.OK


def test_guide_log_example_matches(tmp_path, caplog):
    version = VERSIONS["1.05"]
    fn = Fn(tmp_path / "fn.bin")
    assert fn.register(_tlv(REGISTRATION_TABLE["1.05"], version)) == R.OK
    with caplog.at_level(logging.INFO, logger="kktemu.fn_storage"):
        fn.open_shift(_tlv(OPEN_SHIFT_TABLE["1.05"], version, without=1038))
    line = next(record.getMessage() for record in caplog.records if "tag-missing" in record.getMessage())
    example = line.replace(SERIAL, "9999078900123456")
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    assert example in guide
