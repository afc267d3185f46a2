"""``kktemu fn inspect`` with ОФД квитанции in the archive: the table column, ``--doc`` lines and JSON.

The archive is the sale flow of conftest (ФД 1..5). The ФН takes квитанции for
ФД 1 and 2 with 26h, as an ОФД holding the default master key signs them. ФД 3
and 4 get квитанция records appended to the file directly, because the ФН would
reject them: ФД 3's has no 1078, ФД 4's has a 1078 made with another key.
ФД 5 stays undelivered.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from kktemu.emulator.clock import Clock
from kktemu.fn_storage import FiscalStorage, read_archive
from kktemu.fn_storage.archive_file import encode_record
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.fn_storage.signing import compute_operator_sign, ofd_key_for
from kktemu.fn_storage.tickets import RECORD_TICKET, ArchivedTicket
from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.ofd.confirmation import OperatorConfirmation

FN_SERIAL = "9999078900004321"
OFD_INN = "7704358518"
RECEIVED = dt.datetime(2024, 3, 1, 6, 31, 5)  # 1012 is UTC; the register's clock reads 09:30 local
ACCEPTED = dt.datetime(2024, 3, 1, 9, 32)
OPERATOR_TEXT = "Проверьте адрес"
OTHER_MASTER_KEY = b"another master key"


def _append_ticket(path: Path, fd_number: int, ofd_sign: bytes | None) -> None:
    confirmation = OperatorConfirmation(OFD_INN, FN_SERIAL, fd_number, RECEIVED, ofd_sign=ofd_sign)
    payload = ArchivedTicket(fd_number, ACCEPTED, confirmation.encode()).encode_payload()
    with path.open("ab") as file:
        file.write(encode_record(RECORD_TICKET, payload))


@pytest.fixture(scope="module")
def ticket_archive(tmp_path_factory: pytest.TempPathFactory, sale_archive: Path) -> Path:
    """Sale-flow archive with квитанции for ФД 1 (signed), 2 (signed, with text), 3 (no 1078), 4 (foreign 1078)."""
    path = tmp_path_factory.mktemp("tickets") / "fn.bin"
    shutil.copyfile(sale_archive, path)
    with FiscalStorage.open(path, Clock(ACCEPTED, frozen=True)) as fn:
        first = confirm_message(fn.message_for_ofd(1), ofd_inn=OFD_INN, received_at=RECEIVED)
        assert fn.execute(FnCommand.SEND_OFD_TICKET, first)[0] == FnResult.OK
        second = confirm_message(fn.message_for_ofd(2), ofd_inn=OFD_INN, received_at=RECEIVED,
                                 operator_text=OPERATOR_TEXT.encode("cp866"))
        assert fn.execute(FnCommand.SEND_OFD_TICKET, second)[0] == FnResult.OK
    _append_ticket(path, 3, None)
    unsigned = OperatorConfirmation(OFD_INN, FN_SERIAL, 4, RECEIVED).unsigned_tlv()
    _append_ticket(path, 4, compute_operator_sign(ofd_key_for(OTHER_MASTER_KEY, FN_SERIAL), unsigned))
    assert [ticket.fd_number for ticket in read_archive(path).tickets] == [1, 2, 3, 4]
    return path


def _rows(output: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()[1:]]


def _doc_lines(cli, path: Path, number: int, *options: str) -> list[str]:
    result = cli(*options, "fn", "inspect", path, "--doc", str(number))
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _json_items(cli, path: Path) -> list[dict]:
    result = cli("fn", "inspect", path, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


# --- the document list -------------------------------------------------------------------


def test_list_ticket_column_english(cli, ticket_archive):
    result = cli("fn", "inspect", ticket_archive)
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows[0] == ["ФД", "form", "date and time", "ФПД", "total", "ОФД квитанция (UTC)"]
    assert [row[-1] for row in rows[1:]] == ["2024-03-01 06:31"] * 4 + ["not received"]


def test_list_ticket_column_russian(cli, ticket_archive):
    result = cli("--lang", "ru", "fn", "inspect", ticket_archive)
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows[0][-1] == "квитанция ОФД (UTC)"
    assert rows[5][-1] == "не получена"
    assert rows[3][-1] == "2024-03-01 06:31"


def test_list_ticket_column_aligned(cli, ticket_archive):
    lines = cli("fn", "inspect", ticket_archive).stdout.splitlines()[1:]
    start = lines[0].index("ОФД квитанция")
    for line in lines[1:]:
        assert line[start - 2:start] == "  ", line
        assert line[start] != " ", line


def test_list_keeps_document_cells(cli, ticket_archive, sale_archive):
    with_tickets = _rows(cli("fn", "inspect", ticket_archive).stdout)
    without = _rows(cli("fn", "inspect", sale_archive).stdout)
    # Splitting drops the empty total cell of non-receipts, so only the first four cells line up in every row.
    assert [row[:4] for row in with_tickets[1:]] == [row[:4] for row in without[1:]]
    assert with_tickets[3][4] == "138.00"


# --- one document ------------------------------------------------------------------------


def test_doc_signed_ticket_english(cli, ticket_archive):
    lines = _doc_lines(cli, ticket_archive, 1)
    assert lines[1].endswith("ОФД квитанция: received")
    start = lines.index("ОФД квитанция for ФД 1:")
    assert lines[start + 1:] == [
        f"  ИНН ОФД (1017): {OFD_INN}",
        "  received by the ОФД (1012): 2024-03-01 06:31:05 UTC",
        "  accepted by the ФН at 2024-03-01 09:32:00 (ФН timer)",
        "  ОФД answer code (1022): 0",
        f"  operator sign (1078): {_sign_hex(ticket_archive, 1)}, valid for the ОФД key of ФН {FN_SERIAL} "
        "with the default master key",
    ]


def test_doc_ticket_operator_text(cli, ticket_archive):
    lines = _doc_lines(cli, ticket_archive, 2)
    assert f"  operator message (1068): {OPERATOR_TEXT}" in lines
    russian = _doc_lines(cli, ticket_archive, 2, "--lang", "ru")
    assert f"  сообщение оператора (1068): {OPERATOR_TEXT}" in russian


def test_doc_ticket_without_sign(cli, ticket_archive):
    lines = _doc_lines(cli, ticket_archive, 3)
    assert lines[-1] == "  operator sign (1078): no operator sign"
    russian = _doc_lines(cli, ticket_archive, 3, "--lang", "ru")
    assert russian[-1] == "  ФПО (1078): нет подписи оператора"


def test_doc_ticket_foreign_sign(cli, ticket_archive):
    lines = _doc_lines(cli, ticket_archive, 4)
    assert lines[-1] == (f"  operator sign (1078): {_sign_hex(ticket_archive, 4)}, invalid for the ОФД key of "
                         f"ФН {FN_SERIAL} with the default master key")


def test_doc_signed_ticket_russian(cli, ticket_archive):
    lines = _doc_lines(cli, ticket_archive, 1, "--lang", "ru")
    assert lines[1].endswith("квитанция ОФД: получена")
    start = lines.index("Квитанция ОФД на ФД 1:")
    assert lines[start + 1:] == [
        f"  ИНН ОФД (1017): {OFD_INN}",
        "  получен ОФД (1012): 2024-03-01 06:31:05 UTC",
        "  принята ФН: 2024-03-01 09:32:00 (таймер ФН)",
        "  код ответа ОФД (1022): 0",
        f"  ФПО (1078): {_sign_hex(ticket_archive, 1)}, верна для ключа ОФД ФН {FN_SERIAL} "
        "при стандартном мастер-ключе",
    ]


def test_doc_undelivered_has_no_ticket_lines(cli, ticket_archive):
    for options in ((), ("--lang", "ru")):
        lines = _doc_lines(cli, ticket_archive, 5, *options)
        assert lines[1].endswith(("ОФД квитанция: not received", "квитанция ОФД: не получена"))
        assert not [line for line in lines if "1078" in line or "1017" in line]


def _sign_hex(path: Path, fd_number: int) -> str:
    ticket = next(ticket for ticket in read_archive(path).tickets if ticket.fd_number == fd_number)
    sign = ticket.confirmation.ofd_sign
    assert sign is not None and len(sign) == 16
    return sign.hex().upper()


# --- JSON Lines --------------------------------------------------------------------------


def test_json_ticket_objects(cli, ticket_archive):
    items = _json_items(cli, ticket_archive)
    tickets = {ticket.fd_number: ticket for ticket in read_archive(ticket_archive).tickets}
    assert items[0]["ticket"] == {
        "ofd_inn": OFD_INN,
        "received_at": "2024-03-01T06:31:05",
        "fn_time": "2024-03-01T09:32:00",
        "answer_code": 0,
        "operator_text": None,
        "operator_sign": _sign_hex(ticket_archive, 1),
        "sign_valid": True,
        "stlv": tickets[1].stlv.hex().upper(),
    }
    assert items[1]["ticket"]["operator_text"] == OPERATOR_TEXT
    assert items[1]["ticket"]["sign_valid"] is True


def test_json_ticket_sign_states(cli, ticket_archive):
    items = _json_items(cli, ticket_archive)
    assert items[2]["ticket"]["operator_sign"] is None
    assert items[2]["ticket"]["sign_valid"] is None
    assert items[3]["ticket"]["sign_valid"] is False
    assert items[4]["ticket"] is None


def test_json_ticket_same_in_russian(cli, ticket_archive):
    english = _json_items(cli, ticket_archive)
    result = cli("--lang", "ru", "fn", "inspect", ticket_archive, "--json")
    russian = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["ticket"] for item in russian] == [item["ticket"] for item in english]


def test_json_doc_ticket(cli, ticket_archive):
    result = cli("fn", "inspect", ticket_archive, "--doc", "5", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ticket"] is None
    result = cli("fn", "inspect", ticket_archive, "--doc", "3", "--json")
    assert json.loads(result.stdout)["ticket"]["ofd_inn"] == OFD_INN


def test_sale_archive_json_ticket_null(cli, sale_archive):
    assert [item["ticket"] for item in _json_items(cli, sale_archive)] == [None] * 5
