"""Catalogue entries for the details inside error messages: archive damage and system errors.

``archive_<kind>`` words an ``ArchiveError`` of that kind with its details
(``errors.archive_reason``); ``archive_broken_<kind>`` words its ``broken``
detail. Byte counts arrive already worded ("7 bytes", "7 байт"). System
errors (``errors.os_reason``) keep the system's English text in English. In
Russian they take ``OS_ERRORS_RU`` by errno name, and ``RESOLVER_ERRORS_RU``
by the name of the resolver's EAI_* code.
"""

from __future__ import annotations

DETAIL_MESSAGES: dict[str, dict[str, str]] = {
    "archive_at_byte": {"en": "{reason} (at byte {offset})", "ru": "{reason} (смещение {offset})"},
    "archive_short_header": {
        "en": "the file is {size} long, shorter than the archive header ({header_size})",
        "ru": "длина файла {size} — меньше заголовка архива ({header_size})",
    },
    "archive_bad_magic": {
        "en": "the file starts with {found}, not the archive magic {expected} ({expected_text})",
        "ru": "файл начинается с {found}, а не с сигнатуры архива {expected} ({expected_text})",
    },
    "archive_header_crc": {
        "en": "the archive header CRC-32 does not match, the header is damaged",
        "ru": "CRC-32 заголовка архива не совпадает: заголовок повреждён",
    },
    "archive_unsupported_version": {
        "en": "archive format version {version} is not supported (this kktemu reads {supported})",
        "ru": "версия формата архива {version} не поддерживается (эта версия kktemu читает {supported})",
    },
    "archive_header_size": {
        "en": "the archive header size ({size}) does not match format version 1 ({expected_size})",
        "ru": "размер заголовка архива ({size}) не соответствует версии формата 1 ({expected_size})",
    },
    "archive_serial_not_ascii": {
        "en": "the ФН serial in the archive header is not ASCII",
        "ru": "номер ФН в заголовке архива записан не в ASCII",
    },
    "archive_unknown_record_type": {
        "en": "record type {record_type} is unknown to format version 1",
        "ru": "тип записи {record_type} неизвестен версии формата 1",
    },
    "archive_malformed_record": {
        "en": "the fields of a {record} record cannot be decoded",
        "ru": "поля записи {record} не разбираются",
    },
    "archive_record_document": {"en": "document", "ru": "документа"},
    "archive_record_ticket": {"en": "квитанция", "ru": "квитанции"},
    "archive_fd_out_of_sequence": {
        "en": "ФД number {number} where {expected} was expected",
        "ru": "номер ФД {number} вместо ожидаемого {expected}",
    },
    "archive_ticket_before_document": {
        "en": "квитанция for ФД {fd} before that document",
        "ru": "квитанция для ФД {fd} записана раньше самого документа",
    },
    "archive_second_ticket": {
        "en": "a second квитанция for ФД {fd}",
        "ru": "вторая квитанция для ФД {fd}",
    },
    "archive_tail_too_long": {
        "en": "{broken}, and the rest of the file ({tail}) is longer than one record; the file is damaged",
        "ru": "{broken}, а остаток файла ({tail}) длиннее одной записи: файл повреждён",
    },
    "archive_impossible_length": {
        "en": "record length {length} is impossible, so the rest of the file ({tail}) is not an interrupted "
              "write; the file is damaged",
        "ru": "длина записи {length} невозможна, поэтому остаток файла ({tail}) — не прерванная запись: "
              "файл повреждён",
    },
    "archive_record_after_broken": {
        "en": "{broken}, and a whole record follows at byte {position}; the file is damaged",
        "ru": "{broken}, а с байта {position} идёт целая запись: файл повреждён",
    },
    "archive_crc_with_trailing": {
        "en": "the record CRC-32 does not match, and data ({trailing}) follow the record ({record_size}); "
              "the file is damaged",
        "ru": "CRC-32 записи не совпадает, а после записи ({record_size}) в файле есть данные ({trailing}): "
              "файл повреждён",
    },
    "archive_last_record_crc": {
        "en": "the last record is whole but its CRC-32 does not match, and none of its disk sectors reads as "
              "zeros, so it is not an interrupted write; the file is damaged",
        "ru": "последняя запись целая, но её CRC-32 не совпадает, и ни один её сектор диска не читается как "
              "нули, поэтому это не прерванная запись: файл повреждён",
    },
    "archive_length_field_damaged": {
        "en": "record length {length} runs past the end of the file, but the record matches its CRC-32 with "
              "the length {true_length}: its length field is damaged",
        "ru": "длина записи {length} выходит за конец файла, но с длиной {true_length} запись сходится со своей "
              "CRC-32: поле длины повреждено",
    },
    "archive_not_regular_file": {
        "en": "{path} is not a regular file, so it cannot be a ФН archive",
        "ru": "{path} — не обычный файл и не может быть архивом ФН",
    },
    "archive_exists": {
        "en": "{path} already exists; open it instead of creating a new ФН over it",
        "ru": "{path} уже существует: откройте его, а не создавайте поверх новый ФН",
    },
    "archive_missing": {
        "en": "{path} does not exist; create the ФН archive first",
        "ru": "{path} не существует: сначала создайте архив ФН",
    },
    "archive_closed": {"en": "{path} is closed", "ru": "{path} закрыт"},
    "archive_locked": {
        "en": "{path} is open in another ФН model (the file is locked)",
        "ru": "{path} открыт другой моделью ФН (файл заблокирован)",
    },
    "archive_other_master_key": {
        "en": "the archive was signed with another master key",
        "ru": "архив подписан другим мастер-ключом",
    },
    "archive_replay_failed": {
        "en": "ФД {fd} cannot be replayed into the ФН state",
        "ru": "ФД {fd} не удаётся применить к состоянию ФН",
    },
    "archive_broken_short_record": {
        "en": "the rest of the file ({count}) is shorter than a record",
        "ru": "остаток файла ({count}) короче записи",
    },
    "archive_broken_impossible_length": {
        "en": "record length {length} is impossible",
        "ru": "длина записи {length} невозможна",
    },
    "archive_broken_past_end": {
        "en": "record length {length} runs past the end of the file",
        "ru": "длина записи {length} выходит за конец файла",
    },
    "archive_broken_crc_mismatch": {"en": "the record CRC-32 does not match", "ru": "CRC-32 записи не совпадает"},
    "archive_unknown": {"en": "{detail}", "ru": "архив нельзя использовать ({detail})"},
    "archive_no_registration": {
        "en": "the archive holds no registration report",
        "ru": "в архиве нет отчёта о регистрации",
    },
    "memory_unreadable": {
        "en": "cannot read the register memory journal {path}: {reason}; remove or repair it and start again",
        "ru": "не удалось прочитать журнал памяти ККТ {path}: {reason}; удалите или исправьте его и "
              "запустите снова",
    },
    "host_name_invalid": {
        "en": "it is not a valid host name",
        "ru": "это недопустимое имя хоста",
    },
    "document_fields_broken": {
        "en": "its fields are not a sequence of TLVs",
        "ru": "его поля не образуют последовательность TLV",
    },
    "qr_fields_invalid": {
        "en": "a requisite it is built from (1012, 1020, 1041, 1040, 1077, 1054) is missing or out of range",
        "ru": "реквизит, из которого он строится (1012, 1020, 1041, 1040, 1077, 1054), отсутствует или вне "
              "допустимых значений",
    },
    "store_index_damaged": {
        "en": "its index.jsonl is damaged or not a regular file",
        "ru": "его индекс index.jsonl повреждён или не является обычным файлом",
    },
    "os_error_unknown": {"en": "system error {name} ({code})", "ru": "системная ошибка {name} ({code})"},
    "resolver_error_unknown": {"en": "name resolution error {code}", "ru": "ошибка поиска имени {code}"},
    "byte_count_one": {"en": "{count} byte", "ru": "{count} байт"},
    "byte_count_few": {"en": "{count} bytes", "ru": "{count} байта"},
    "byte_count_many": {"en": "{count} bytes", "ru": "{count} байт"},
}

OS_ERRORS_RU: dict[str, str] = {
    "EACCES": "нет доступа",
    "EADDRINUSE": "адрес уже используется",
    "EADDRNOTAVAIL": "адрес недоступен на этом компьютере",
    "EAFNOSUPPORT": "семейство адресов не поддерживается",
    "EAGAIN": "ресурс временно недоступен",
    "EBUSY": "устройство или ресурс заняты",
    "ECONNREFUSED": "в соединении отказано",
    "EDQUOT": "превышена дисковая квота",
    "EEXIST": "файл уже существует",
    "EFBIG": "файл слишком велик",
    "EHOSTUNREACH": "хост недоступен",
    "EINVAL": "недопустимый аргумент",
    "EIO": "ошибка ввода-вывода",
    "EISDIR": "это каталог",
    "ELOOP": "слишком много уровней символических ссылок",
    "EMFILE": "слишком много открытых файлов",
    "ENAMETOOLONG": "слишком длинное имя файла",
    "ENETUNREACH": "сеть недоступна",
    "ENFILE": "слишком много открытых файлов в системе",
    "ENODEV": "нет такого устройства",
    "ENOENT": "нет такого файла или каталога",
    "ENOSPC": "на устройстве не осталось места",
    "ENOTDIR": "это не каталог",
    "ENXIO": "нет такого устройства или адреса",
    "EPERM": "операция не разрешена",
    "EROFS": "файловая система доступна только для чтения",
    "ETIMEDOUT": "время ожидания соединения истекло",
    "ETXTBSY": "текстовый файл занят",
}
"""Russian texts of the system errors a kktemu command can meet, by errno name."""

RESOLVER_ERRORS_RU: dict[str, str] = {
    "EAI_ADDRFAMILY": "у хоста нет адреса этого семейства",
    "EAI_AGAIN": "временная ошибка поиска имени, повторите позже",
    "EAI_FAIL": "сервер имён не смог найти имя",
    "EAI_FAMILY": "семейство адресов не поддерживается",
    "EAI_NODATA": "у имени хоста нет адреса",
    "EAI_NONAME": "имя или служба не найдены",
    "EAI_SERVICE": "служба не поддерживается для этого типа сокета",
}
"""Russian texts of resolver (getaddrinfo) errors, by the name of their EAI_* code."""
