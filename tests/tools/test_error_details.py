"""Details inside CLI errors in the user's language: archive damage by kind, system errors by errno, byte counts."""

from __future__ import annotations

import ast
import errno
import re
import socket
from pathlib import Path

import pytest

from kktemu.fn_storage import ArchiveError, read_archive
from kktemu.fn_storage.archive_file import HEADER_SIZE
from kktemu.fn_storage.errors import ARCHIVE_ERROR_KINDS, BROKEN_RECORD_KINDS
from kktemu.protocol.errors import DecodeError
from kktemu.tools.errors import archive_reason, os_reason, store_reason
from kktemu.tools.fn_inspect import _decode_reason
from kktemu.tools.i18n import CATALOGUE, byte_count
from kktemu.tools.i18n_details import OS_ERRORS_RU
from kktemu.tools.ofd.store import StoreError

FN_STORAGE = Path(__file__).resolve().parents[2] / "fn_storage"
LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
# Latin words a Russian detail may keep: format names and the archive's own magic.
LATIN_KEPT = {"ASCII", "KKTEMUFN", "kktemu"}


def _raised_kinds() -> set[str]:
    """Return the ``kind`` of every ``ArchiveError(...)`` or ``ArchiveLockedError(...)`` call in fn_storage."""
    kinds = set()
    for path in FN_STORAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("ArchiveError", "ArchiveLockedError"):
                kind = next((keyword.value for keyword in node.keywords if keyword.arg == "kind"), None)
                assert isinstance(kind, ast.Constant), f"{path.name}:{node.lineno} raises ArchiveError without a kind"
                kinds.add(kind.value)
    return kinds


def test_every_raised_kind_listed():
    assert _raised_kinds() == ARCHIVE_ERROR_KINDS


@pytest.mark.parametrize("kind", sorted(ARCHIVE_ERROR_KINDS))
def test_archive_kind_in_catalogue(kind):
    assert set(CATALOGUE[f"archive_{kind}"]) == {"en", "ru"}


@pytest.mark.parametrize("kind", sorted(BROKEN_RECORD_KINDS))
def test_broken_kind_in_catalogue(kind):
    assert set(CATALOGUE[f"archive_broken_{kind}"]) == {"en", "ru"}


def _read_error(data: bytes, tmp_path: Path) -> ArchiveError:
    path = tmp_path / "fn.bin"
    path.write_bytes(data)
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    return caught.value


def test_short_header_russian(tmp_path):
    error = _read_error(bytes(28), tmp_path)
    assert archive_reason(error, "ru") == "длина файла 28 байт — меньше заголовка архива (48 байт)"
    assert archive_reason(error, "en") == "the file is 28 bytes long, shorter than the archive header (48 bytes)"


def test_one_byte_file_words(tmp_path):
    error = _read_error(b"\x00", tmp_path)
    assert archive_reason(error, "en").startswith("the file is 1 byte long")
    assert archive_reason(error, "ru").startswith("длина файла 1 байт")


def test_bad_magic_russian(tmp_path):
    error = _read_error(b"NOTANARCHIVE" + bytes(60), tmp_path)
    assert archive_reason(error, "ru") == ("файл начинается с 4E 4F 54 41 4E 41 52 43, а не с сигнатуры архива "
                                           "4B 4B 54 45 4D 55 46 4E (KKTEMUFN) (смещение 0)")


def _damaged_archives(sale_archive: Path) -> dict[str, bytes]:
    data = sale_archive.read_bytes()
    header = bytearray(data)
    header[20] ^= 0x01
    record = bytearray(data)
    record[HEADER_SIZE + 20] ^= 0xFF
    return {
        "header": bytes(header),
        "record": bytes(record),
        "tail": data + bytes(2 << 20),
        "foreign": data + b"\xff\xff\xff\x7f" + bytes(20),
    }


@pytest.mark.parametrize("damage", ["header", "record", "tail", "foreign"])
def test_damaged_archive_russian_has_no_english(tmp_path, sale_archive, damage):
    error = _read_error(_damaged_archives(sale_archive)[damage], tmp_path)
    text = archive_reason(error, "ru")
    assert set(LATIN_WORD.findall(text)) <= LATIN_KEPT, text
    assert re.search("[а-я]", text)


def test_damaged_record_russian_words(tmp_path, sale_archive):
    error = _read_error(_damaged_archives(sale_archive)["record"], tmp_path)
    assert error.kind == "record_after_broken"
    assert archive_reason(error, "ru").startswith("CRC-32 записи не совпадает, а с байта ")
    assert archive_reason(error, "ru").endswith(f"идёт целая запись: файл повреждён (смещение {HEADER_SIZE})")


def test_inspect_damaged_archive_russian(cli, tmp_path):
    path = tmp_path / "fn.bin"
    path.write_bytes(bytes(28))
    result = cli("--lang", "ru", "fn", "inspect", path)
    assert result.exit_code == 1
    assert result.stderr == (f"Ошибка: файл ФН {path} не является исправным архивом kktemu: длина файла 28 байт — "
                             "меньше заголовка архива (48 байт). Проверьте, что это архив, записанный `kktemu serve "
                             "--fn-file`, или восстановите его из копии; файл не изменён.\n")


def test_serve_damaged_archive_russian(cli, tmp_path):
    path = tmp_path / "fn.bin"
    path.write_bytes(bytes(28))
    result = cli("--lang", "ru", "serve", "--port", "0", "--fn-file", path)
    assert result.exit_code == 1
    assert "длина файла 28 байт — меньше заголовка архива (48 байт)" in result.stderr
    assert path.read_bytes() == bytes(28)


def test_error_without_kind_keeps_text():
    error = ArchiveError("something new went wrong")
    assert archive_reason(error, "en") == "something new went wrong"
    assert archive_reason(error, "ru") == "архив нельзя использовать (something new went wrong)"


# --- system errors -------------------------------------------------------------------------


def test_address_in_use_russian():
    error = OSError(errno.EADDRINUSE, "[Errno 98] error while attempting to bind on address")
    assert os_reason(error, "ru") == "адрес уже используется"
    assert os_reason(error, "en") == "Address already in use"


@pytest.mark.parametrize("name", sorted(OS_ERRORS_RU))
def test_russian_errno_names_exist(name):
    assert hasattr(errno, name)


def test_unknown_errno_named_russian():
    error = OSError(errno.EXDEV, "Invalid cross-device link")
    assert os_reason(error, "ru") == f"системная ошибка EXDEV ({errno.EXDEV})"


def test_resolver_error_russian():
    error = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert os_reason(error, "ru") == "имя или служба не найдены"
    assert os_reason(error, "en") == "Name or service not known"


def test_port_in_use_serve_russian(cli, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("--lang", "ru", "serve", "--port", port, "--fn-file", tmp_path / "fn")
    assert result.exit_code == 1
    assert f"не удалось открыть 127.0.0.1:{port}: адрес уже используется." in result.stderr
    assert not (tmp_path / "fn").exists()


# --- byte counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "english", "russian"), [
    (0, "0 bytes", "0 байт"), (1, "1 byte", "1 байт"), (2, "2 bytes", "2 байта"), (4, "4 bytes", "4 байта"),
    (5, "5 bytes", "5 байт"), (11, "11 bytes", "11 байт"), (12, "12 bytes", "12 байт"), (21, "21 bytes", "21 байт"),
    (22, "22 bytes", "22 байта"), (111, "111 bytes", "111 байт"), (1024, "1024 bytes", "1024 байта"),
])
def test_byte_count_words(count, english, russian):
    assert byte_count(count, "en") == english
    assert byte_count(count, "ru") == russian


# --- decoding failures in fn inspect -------------------------------------------------------


def test_decode_reason_english_keeps_decoder_text():
    error = DecodeError("tag 1030 value runs 5 bytes past the end of the data", 17)
    assert _decode_reason(error, "document_fields_broken", "en") == str(error)


def test_decode_reason_russian_names_offset():
    error = DecodeError("tag 1030 value runs 5 bytes past the end of the data", 17)
    assert _decode_reason(error, "document_fields_broken", "ru") == (
        "его поля не образуют последовательность TLV (смещение 17)")
    assert _decode_reason(DecodeError("no tag 1041"), "qr_fields_invalid", "ru").startswith(
        "реквизит, из которого он строится")


# --- mock ОФД store ------------------------------------------------------------------------


def test_store_reason_words():
    try:
        raise StoreError("cannot read index.jsonl: Permission denied") from PermissionError(errno.EACCES, "denied")
    except StoreError as error:
        denied = error
    assert store_reason(denied, "ru") == "нет доступа"
    assert store_reason(denied, "en") == "cannot read index.jsonl: Permission denied"
    assert store_reason(StoreError("index.jsonl line 1 is not JSON"), "ru") == (
        "его индекс index.jsonl повреждён или не является обычным файлом")


def test_damaged_store_russian(cli, tmp_path):
    (tmp_path / "index.jsonl").write_text("not json\n", encoding="utf-8")
    result = cli("--lang", "ru", "ofd", "documents", "--store", tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (f"Ошибка: каталог хранилища {tmp_path} не читается: его индекс index.jsonl повреждён "
                             "или не является обычным файлом. Проверьте его index.jsonl или укажите другой "
                             "--store.\n")
