"""User-facing CLI messages in English and Russian.

The language comes from ``--lang`` or, when that is absent, from the locale
(LC_ALL, LC_MESSAGES, LANG): a locale starting with "ru" selects Russian.
Tag and document names come from the ФФД dictionary, which has both languages.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "ru")

MESSAGES: dict[str, dict[str, str]] = {
    "listening_tcp": {"en": "listening tcp {address}", "ru": "listening tcp {address}"},
    "listening_pty": {"en": "listening pty {path}", "ru": "listening pty {path}"},
    "fn_file": {"en": "fn file {path} serial {serial} ФФД {ffd}",
                "ru": "файл ФН {path} номер {serial} ФФД {ffd}"},
    "stopped": {"en": "stopped", "ru": "остановлен"},
    "bind_failed": {
        "en": "cannot listen on {address}: {reason}. Pick another port with --port (0 picks a free one).",
        "ru": "не удалось открыть {address}: {reason}. Укажите другой порт в --port (0 выбирает свободный).",
    },
    "pty_failed": {
        "en": "cannot publish the virtual serial port at {path}: {reason}. Give another path with --pty.",
        "ru": "не удалось создать виртуальный последовательный порт {path}: {reason}. Укажите другой путь в --pty.",
    },
    "fn_not_found": {
        "en": "ФН file {path} not found. Check the path; `kktemu serve --fn-file {path}` creates a new one.",
        "ru": "файл ФН {path} не найден. Проверьте путь; `kktemu serve --fn-file {path}` создаёт новый.",
    },
    "fn_unreadable": {"en": "cannot read ФН file {path}: {reason}.",
                      "ru": "не удалось прочитать файл ФН {path}: {reason}."},
    "fn_corrupt": {
        "en": "ФН file {path} is not a valid kktemu archive: {reason}.",
        "ru": "файл ФН {path} не является исправным архивом kktemu: {reason}.",
    },
    "fn_in_use": {
        "en": "cannot open ФН file {path}: {reason}. Stop the other emulator using it or give another --fn-file.",
        "ru": "не удалось открыть файл ФН {path}: {reason}. Остановите другой эмулятор с этим файлом или укажите другой --fn-file.",
    },
    "torn_tail": {
        "en": "warning: the last {count} bytes of {path} are an unfinished record (power cut during a write) and were skipped",
        "ru": "предупреждение: последние {count} байт файла {path} — незавершённая запись (сбой питания при записи), пропущены",
    },
    "no_document": {
        "en": "ФД {number} is not in {path}: it holds ФД {first}..{last}. Pick a number in that range.",
        "ru": "ФД {number} нет в {path}: в нём ФД {first}..{last}. Укажите номер из этого диапазона.",
    },
    "empty_archive": {"en": "ФД {number} is not in {path}: the archive holds no documents.",
                      "ru": "ФД {number} нет в {path}: в архиве нет документов."},
    "header": {"en": "ФН {serial}, archive format {version}, created {created}, {count} documents",
               "ru": "ФН {serial}, формат архива {version}, создан {created}, документов: {count}"},
    "columns": {"en": ("ФД", "form", "date and time", "ФПД", "total"),
                "ru": ("ФД", "форма", "дата и время", "ФПД", "итог")},
    "document_title": {"en": "ФД {number}: {form} (form {code})", "ru": "ФД {number}: {form} (форма {code})"},
    "document_time": {"en": "date and time {moment}, ФПД {sign}, квитанция ОФД {ticket}",
                      "ru": "дата и время {moment}, ФПД {sign}, квитанция ОФД {ticket}"},
    "yes": {"en": "received", "ru": "получена"},
    "no": {"en": "not received", "ru": "не получена"},
    "document_damaged": {"en": "ФД {number} cannot be decoded: {reason}",
                         "ru": "ФД {number} не удаётся разобрать: {reason}"},
    "unknown_form": {"en": "unknown form", "ru": "неизвестная форма"},
}


def resolve_language(option: str | None) -> str:
    """Return "en" or "ru": the ``--lang`` option if given, else the locale's language."""
    if option:
        return option
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def message(key: str, lang: str, **values: object):
    """Return message ``key`` in ``lang``, formatted with ``values`` (tuples are returned as is)."""
    text = MESSAGES[key][lang]
    return text.format(**values) if isinstance(text, str) else text
