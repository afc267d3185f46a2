"""User-facing CLI messages in English and Russian.

The language comes from ``--lang`` or, when that is absent, from the locale
(LC_ALL, then LC_MESSAGES, then LANG; the first one set decides): a locale
starting with "ru" selects Russian. Tag and document names come from the ФФД
dictionary, which has both languages.

The ready lines of ``kktemu serve`` and ``kktemu fn serve`` (``fn file ...``,
``listening ...``) stay the same in both languages because scripts parse them.

``message`` finds a key in ``MESSAGES`` (what the commands print) or in the
catalogues of help texts (``i18n_help``), click's words (``i18n_usage``) and
error details (``i18n_details``); ``CATALOGUE`` chains them, and no key is in two.
"""

from __future__ import annotations

import os
from collections import ChainMap

from .i18n_details import DETAIL_MESSAGES
from .i18n_help import HELP_MESSAGES
from .i18n_usage import USAGE_MESSAGES

LANGUAGES = ("en", "ru")

ERROR_PREFIX = {"en": "Error:", "ru": "Ошибка:"}

COLUMNS = {"en": ("ФД", "form", "date and time", "ФПД", "total"),
           "ru": ("ФД", "форма", "дата и время", "ФПД", "итог")}
"""Column titles of the ``fn inspect`` table."""

OFD_COLUMNS = {"en": ("ФН", "ФД", "form", "date and time", "ФПД", "result", "received at (UTC)"),
               "ru": ("ФН", "ФД", "форма", "дата и время", "ФПД", "результат", "получен (UTC)")}
"""Column titles of the ``ofd documents`` table."""

OFD_RESULTS = {
    "en": {"accepted": "accepted", "rejected": "rejected", "dropped": "dropped", "held": "held",
           "invalid_sign": "invalid sign"},
    "ru": {"accepted": "принят", "rejected": "отклонён", "dropped": "обрыв связи", "held": "без ответа",
           "invalid_sign": "неверная подпись"},
}
"""Words for the ``result`` values of the mock ОФД store, as the ``ofd documents`` table prints them."""

_ARCHIVE_FIX = {
    "en": "Check that it is an archive written by `kktemu serve --fn-file`, or restore it from a copy",
    "ru": "Проверьте, что это архив, записанный `kktemu serve --fn-file`, или восстановите его из копии",
}

MESSAGES: dict[str, dict[str, str]] = {
    "listening_tcp": {"en": "listening tcp {address}", "ru": "listening tcp {address}"},
    "listening_pty": {"en": "listening pty {path}", "ru": "listening pty {path}"},
    "fn_file": {"en": "fn file {path} serial {serial} ФФД {ffd}",
                "ru": "fn file {path} serial {serial} ФФД {ffd}"},
    "fn_serve_file": {"en": "fn file {path} serial {serial} phase {phase}",
                      "ru": "fn file {path} serial {serial} phase {phase}"},
    "stopped": {"en": "stopped", "ru": "остановлен"},
    # kktemu ofd: the mock ОФД. The "ofd store" ready line stays English, like the lines above.
    "ofd_store": {"en": "ofd store {path}", "ru": "ofd store {path}"},
    "ofd_fault": {"en": "mock ОФД fault mode: {fault}", "ru": "режим сбоя имитатора ОФД: {fault}"},
    "ofd_one_action": {
        "en": "{first} and {second} cannot be used together: the mock ОФД takes one action per message. "
              "Give only one of them (--delay combines with any).",
        "ru": "{first} и {second} нельзя указать вместе: имитатор ОФД выполняет одно действие на сообщение. "
              "Укажите только один из них (--delay сочетается с любым).",
    },
    "ofd_delay_invalid": {
        "en": "--delay {value} is not a number of seconds. Give a finite value such as --delay 0.5.",
        "ru": "--delay {value} не является числом секунд. Укажите конечное значение, например --delay 0.5.",
    },
    "ofd_inn_invalid": {
        "en": "--ofd-inn {value!r} is not a valid ИНН: it needs 10 or 12 digits with correct check digits, "
              "e.g. --ofd-inn 7704358518.",
        "ru": "--ofd-inn {value!r} не является правильным ИНН: нужно 10 или 12 цифр с верными контрольными "
              "цифрами, например --ofd-inn 7704358518.",
    },
    "ofd_store_in_use": {
        "en": "store directory {path} is in use by another `kktemu ofd serve`. Stop that server or give "
              "another --store.",
        "ru": "каталог хранилища {path} занят другим `kktemu ofd serve`. Остановите тот сервер или укажите "
              "другой --store.",
    },
    "ofd_store_failed": {
        "en": "cannot use store directory {path}: {reason}. Give another --store.",
        "ru": "не удалось использовать каталог хранилища {path}: {reason}. Укажите другой --store.",
    },
    "ofd_store_not_found": {
        "en": "store directory {path} not found. Give the --store that `kktemu ofd serve` was started with.",
        "ru": "каталог хранилища {path} не найден. Укажите --store, с которым был запущен `kktemu ofd serve`.",
    },
    "ofd_store_not_directory": {
        "en": "{path} is not a directory. Give the store directory of `kktemu ofd serve` with --store.",
        "ru": "{path} не является каталогом. Укажите в --store каталог хранилища `kktemu ofd serve`.",
    },
    "ofd_store_damaged": {
        "en": "store directory {path} cannot be read: {reason}. Check its index.jsonl, or give another --store.",
        "ru": "каталог хранилища {path} не читается: {reason}. Проверьте его index.jsonl или укажите другой --store.",
    },
    "ofd_no_documents": {"en": "no documents in {path}", "ru": "в {path} нет документов"},
    "fn_serve_port_and_pty": {
        "en": "--port {port} and --pty {path} cannot be used together: the ФН is served on TCP or on a "
              "virtual serial port, not both. Give only one of them.",
        "ru": "--port {port} и --pty {path} нельзя указать вместе: ФН работает либо по TCP, либо через "
              "виртуальный последовательный порт. Укажите только один из них.",
    },
    "fn_serve_host_and_pty": {
        "en": "--host {host} applies to TCP only, but --pty {path} serves a virtual serial port. "
              "Drop --host, or give --port instead of --pty.",
        "ru": "--host {host} относится только к TCP, а --pty {path} включает виртуальный последовательный "
              "порт. Уберите --host или укажите --port вместо --pty.",
    },
    "bind_failed": {
        "en": "cannot listen on {address}: {reason}. Give a free port with --port, or 0 to pick one.",
        "ru": "не удалось открыть {address}: {reason}. Укажите свободный порт в --port или 0, "
              "чтобы выбрать его автоматически.",
    },
    "bad_host": {
        "en": "cannot listen on {address}: {reason}. Give an IP address or host name of this machine "
              "with --host (127.0.0.1 by default).",
        "ru": "не удалось открыть {address}: {reason}. Укажите в --host IP-адрес или имя этого компьютера "
              "(по умолчанию 127.0.0.1).",
    },
    "ofd_address": {"en": "ofd {address}", "ru": "ofd {address}"},
    "ofd_no_port": {
        "en": "--ofd {value!r} has no port. Give the ОФД server as HOST:PORT (e.g. --ofd 127.0.0.1:7777, "
              "an IPv6 address in brackets: --ofd [::1]:7777).",
        "ru": "в --ofd {value!r} нет порта. Укажите сервер ОФД в виде ХОСТ:ПОРТ (например, --ofd 127.0.0.1:7777, "
              "IPv6-адрес в квадратных скобках: --ofd [::1]:7777).",
    },
    "ofd_no_host": {
        "en": "--ofd {value!r} has no host. Give the ОФД server as HOST:PORT, e.g. --ofd 127.0.0.1:7777.",
        "ru": "в --ofd {value!r} нет хоста. Укажите сервер ОФД в виде ХОСТ:ПОРТ, например --ofd 127.0.0.1:7777.",
    },
    "ofd_bad_port": {
        "en": "--ofd {value!r}: port {port!r} is not a number from 1 to 65535. Give the ОФД server's TCP port, "
              "e.g. --ofd 127.0.0.1:7777.",
        "ru": "--ofd {value!r}: порт {port!r} не является числом от 1 до 65535. Укажите TCP-порт сервера ОФД, "
              "например --ofd 127.0.0.1:7777.",
    },
    "ofd_ipv6_brackets": {
        "en": "--ofd {value!r}: an IPv6 address must be in brackets before the port, e.g. --ofd [::1]:7777.",
        "ru": "--ofd {value!r}: IPv6-адрес нужно заключить в квадратные скобки перед портом, "
              "например --ofd [::1]:7777.",
    },
    "ofd_builtin_port": {
        "en": "--ofd {value!r}: --ofd builtin takes no port, because the built-in mock ОФД listens on a free port "
              "of 127.0.0.1 (the 'ofd' line shows it). Give --ofd builtin alone (its store directory goes in "
              "--ofd-store), or --ofd HOST:PORT for an external ОФД such as `kktemu ofd serve`.",
        "ru": "--ofd {value!r}: для --ofd builtin порт не указывается: встроенный имитатор ОФД слушает свободный "
              "порт на 127.0.0.1 (его показывает строка 'ofd'). Укажите просто --ofd builtin (каталог его "
              "хранилища задаёт --ofd-store) или --ofd ХОСТ:ПОРТ для внешнего ОФД, например `kktemu ofd serve`.",
    },
    "ofd_is_register": {
        "en": "--ofd {value}: this register listens on {register} itself, so its ОФД link would connect to the "
              "register, take its only client connection and leave no room for drivers. Give the address of "
              "the ОФД (`kktemu ofd serve` listens on port 7777 by default), --ofd builtin, or another --port.",
        "ru": "--ofd {value}: на {register} слушает сама эта ККТ, поэтому канал ОФД подключился бы к ККТ, занял "
              "бы её единственное клиентское подключение и не оставил места драйверам. Укажите адрес ОФД "
              "(`kktemu ofd serve` по умолчанию слушает порт 7777), --ofd builtin или другой --port.",
    },
    "ofd_store_needs_builtin": {
        "en": "--ofd-store {path} applies to --ofd builtin only: it is the store directory of the built-in mock "
              "ОФД. Add --ofd builtin, or drop --ofd-store.",
        "ru": "--ofd-store {path} действует только с --ofd builtin: это каталог хранилища встроенного имитатора "
              "ОФД. Добавьте --ofd builtin или уберите --ofd-store.",
    },
    "builtin_ofd_failed": {
        "en": "cannot start the built-in mock ОФД on 127.0.0.1: {reason}. Run a mock ОФД with `kktemu ofd serve` "
              "and give its address with --ofd HOST:PORT.",
        "ru": "не удалось запустить встроенный имитатор ОФД на 127.0.0.1: {reason}. Запустите имитатор ОФД "
              "командой `kktemu ofd serve` и укажите его адрес в --ofd ХОСТ:ПОРТ.",
    },
    "builtin_store_in_use": {
        "en": "store directory {path} is in use by another mock ОФД. Stop that server or give another "
              "--ofd-store.",
        "ru": "каталог хранилища {path} занят другим имитатором ОФД. Остановите тот сервер или укажите "
              "другой --ofd-store.",
    },
    "builtin_store_failed": {
        "en": "cannot use store directory {path}: {reason}. Give another --ofd-store.",
        "ru": "не удалось использовать каталог хранилища {path}: {reason}. Укажите другой --ofd-store.",
    },
    "help_ofd_store": {
        "en": "Store directory of the built-in mock ОФД (--ofd builtin), created if missing; "
              "`kktemu ofd documents --store DIR` lists it. Default: kktemu-ofd.",
        "ru": "Каталог хранилища встроенного имитатора ОФД (--ofd builtin); создаётся, если его нет; "
              "`kktemu ofd documents --store КАТАЛОГ` показывает его содержимое. По умолчанию kktemu-ofd.",
    },
    "ofd_unresolved": {
        "en": "--ofd {value}: the host {host} does not resolve ({reason}). Check the name, or give the ОФД "
              "server's IP address.",
        "ru": "--ofd {value}: не удалось найти адрес хоста {host} ({reason}). Проверьте имя или укажите "
              "IP-адрес сервера ОФД.",
    },
    "help_ofd": {
        "en": "Send every fiscal document to the ОФД server at HOST:PORT (IPv6 as [ADDRESS]:PORT) and store its "
              "квитанция in the ФН, retrying with back-off while the ОФД is unreachable. 'builtin' runs the mock "
              "ОФД in this process on 127.0.0.1 and a free port (see the 'ofd' line). Default: no ОФД, so "
              "documents stay queued in the ФН.",
        "ru": "Отправлять каждый фискальный документ на сервер ОФД ХОСТ:ПОРТ (IPv6 — [АДРЕС]:ПОРТ) и записывать "
              "его квитанцию в ФН, повторяя попытки с нарастающей паузой, пока ОФД недоступен. 'builtin' "
              "запускает имитатор ОФД в этом же процессе на 127.0.0.1 и свободном порту (см. строку 'ofd'). "
              "По умолчанию ОФД нет, и документы остаются в очереди ФН.",
    },
    "pty_failed": {
        "en": "cannot publish the virtual serial port at {path}: {reason}. Give another path with --pty.",
        "ru": "не удалось создать виртуальный последовательный порт {path}: {reason}. "
              "Укажите другой путь в --pty.",
    },
    "pty_not_symlink": {
        "en": "cannot publish the virtual serial port at {path}: a file that is not a symlink is there. "
              "Remove it or give another path with --pty.",
        "ru": "не удалось создать виртуальный последовательный порт {path}: по этому пути лежит файл, "
              "который не является символической ссылкой. Удалите его или укажите другой путь в --pty.",
    },
    "fn_not_found": {
        "en": "ФН file {path} not found. Check the path; `kktemu serve --fn-file {path}` creates a new ФН there.",
        "ru": "файл ФН {path} не найден. Проверьте путь; `kktemu serve --fn-file {path}` создаёт там новый ФН.",
    },
    "fn_no_directory": {
        "en": "cannot create ФН file {path}: directory {directory} does not exist. "
              "Create it or give another --fn-file.",
        "ru": "не удалось создать файл ФН {path}: каталога {directory} нет. "
              "Создайте его или укажите другой --fn-file.",
    },
    "fn_is_directory": {
        "en": "{path} is a directory, not a ФН file. Give the path of the archive file itself.",
        "ru": "{path} — каталог, а не файл ФН. Укажите путь к самому файлу архива.",
    },
    "fn_unreadable": {
        "en": "cannot read ФН file {path}: {reason}. Check the file's permissions.",
        "ru": "не удалось прочитать файл ФН {path}: {reason}. Проверьте права доступа к файлу.",
    },
    "fn_cannot_open": {
        "en": "cannot open or create ФН file {path}: {reason}. Check the permissions of the file and its "
              "directory, or give another --fn-file.",
        "ru": "не удалось открыть или создать файл ФН {path}: {reason}. Проверьте права доступа к файлу "
              "и каталогу или укажите другой --fn-file.",
    },
    "fn_corrupt": {
        "en": "ФН file {path} is not a valid kktemu archive: {reason}. " + _ARCHIVE_FIX["en"]
              + "; the file was not changed.",
        "ru": "файл ФН {path} не является исправным архивом kktemu: {reason}. " + _ARCHIVE_FIX["ru"]
              + "; файл не изменён.",
    },
    "fn_corrupt_serve": {
        "en": "ФН file {path} is not a valid kktemu archive: {reason}. Give another --fn-file "
              "(a path that does not exist gets a new ФН); the file was not changed.",
        "ru": "файл ФН {path} не является исправным архивом kktemu: {reason}. Укажите другой --fn-file "
              "(по несуществующему пути создаётся новый ФН); файл не изменён.",
    },
    "fn_start_failed": {
        "en": "the register cannot start with ФН file {path}: {reason}. Give another --fn-file "
              "(a path that does not exist gets a new ФН); run with -v for details.",
        "ru": "ККТ не запускается с файлом ФН {path}: {reason}. Укажите другой --fn-file "
              "(по несуществующему пути создаётся новый ФН); подробности покажет -v.",
    },
    "fn_in_use": {
        "en": "ФН file {path} is in use by another kktemu process (the file is locked). "
              "Stop that emulator or give another --fn-file.",
        "ru": "файл ФН {path} используется другим процессом kktemu (файл заблокирован). "
              "Остановите тот эмулятор или укажите другой --fn-file.",
    },
    "torn_tail": {
        "en": "warning: {path} ends with an unfinished record ({size}, an interrupted write), which was "
              "skipped; `kktemu serve` cuts it off when it next opens the file",
        "ru": "предупреждение: в конце файла {path} незавершённая запись ({size}, прерванная запись на диск), "
              "она пропущена; `kktemu serve` отрежет её при следующем открытии файла",
    },
    "no_document": {
        "en": "ФД {number} is not in {path}: it contains ФД {first}..{last}. Give --doc a number in that range.",
        "ru": "ФД {number} нет в {path}: в нём ФД {first}..{last}. Укажите в --doc номер из этого диапазона.",
    },
    "empty_archive": {
        "en": "ФД {number} is not in {path}: the archive contains no documents yet.",
        "ru": "ФД {number} нет в {path}: в архиве ещё нет документов.",
    },
    "header": {"en": "ФН {serial}, archive format {version}, created {created}, documents: {count}",
               "ru": "ФН {serial}, формат архива {version}, создан {created}, документов: {count}"},
    "document_title": {"en": "ФД {number}: {form} (form {code})", "ru": "ФД {number}: {form} (форма {code})"},
    "document_time": {"en": "date and time {moment}, ФПД {sign}, ОФД квитанция: {ticket}",
                      "ru": "дата и время {moment}, ФПД {sign}, квитанция ОФД: {ticket}"},
    "qr_line": {"en": "QR code: {code}", "ru": "QR-код: {code}"},
    "qr_unavailable": {"en": "QR code: cannot be built: {reason}", "ru": "QR-код: не удаётся построить: {reason}"},
    "ticket_received": {"en": "received", "ru": "получена"},
    "ticket_missing": {"en": "not received", "ru": "не получена"},
    "ticket_column": {"en": "ОФД квитанция (UTC)", "ru": "квитанция ОФД (UTC)"},
    "ticket_title": {"en": "ОФД квитанция for ФД {number}:", "ru": "Квитанция ОФД на ФД {number}:"},
    "ticket_inn": {"en": "ИНН ОФД (1017): {inn}", "ru": "ИНН ОФД (1017): {inn}"},
    "ticket_received_at": {"en": "received by the ОФД (1012): {moment} UTC",
                           "ru": "получен ОФД (1012): {moment} UTC"},
    "ticket_accepted_at": {"en": "accepted by the ФН at {moment} (ФН timer)",
                           "ru": "принята ФН: {moment} (таймер ФН)"},
    "ticket_answer": {"en": "ОФД answer code (1022): {code}", "ru": "код ответа ОФД (1022): {code}"},
    "ticket_no_answer": {"en": "ОФД answer code (1022): none, the квитанция has no 1068",
                         "ru": "код ответа ОФД (1022): нет, в квитанции нет 1068"},
    "ticket_text": {"en": "operator message (1068): {text}", "ru": "сообщение оператора (1068): {text}"},
    "ticket_sign": {"en": "operator sign (1078): {sign}, {check}", "ru": "ФПО (1078): {sign}, {check}"},
    "ticket_sign_valid": {
        "en": "valid for the ОФД key of ФН {serial} with the default master key",
        "ru": "верна для ключа ОФД ФН {serial} при стандартном мастер-ключе",
    },
    "ticket_sign_invalid": {
        "en": "invalid for the ОФД key of ФН {serial} with the default master key",
        "ru": "неверна для ключа ОФД ФН {serial} при стандартном мастер-ключе",
    },
    "ticket_no_sign": {"en": "operator sign (1078): no operator sign", "ru": "ФПО (1078): нет подписи оператора"},
    "document_damaged": {
        "en": "ФД {number} cannot be decoded: {reason}. `kktemu fn inspect {path} --doc {number} --json` "
              "prints its raw TLV as hex.",
        "ru": "ФД {number} не удаётся разобрать: {reason}. `kktemu fn inspect {path} --doc {number} --json` "
              "выводит его TLV в hex.",
    },
    "unknown_form": {"en": "unknown form", "ru": "неизвестная форма"},
    "clock_not_iso": {
        "en": "--clock {value!r} is not a date and time. Give the local time as YYYY-MM-DD, YYYY-MM-DDTHH:MM "
              "or YYYY-MM-DDTHH:MM:SS (a space may replace the T; a date alone means midnight), "
              "e.g. --clock 2024-03-01T09:30.",
        "ru": "--clock {value!r} не является датой и временем. Укажите местное время в виде ГГГГ-ММ-ДД, "
              "ГГГГ-ММ-ДДTЧЧ:ММ или ГГГГ-ММ-ДДTЧЧ:ММ:СС (вместо T можно поставить пробел; дата без времени "
              "означает полночь), например --clock 2024-03-01T09:30.",
    },
    "clock_with_offset": {
        "en": "--clock {value!r} has a UTC offset, but the register and the ФН keep local time. "
              "Drop the offset (e.g. --clock 2024-03-01T09:30:00).",
        "ru": "--clock {value!r} содержит смещение от UTC, а ККТ и ФН ведут местное время. "
              "Уберите смещение (например, --clock 2024-03-01T09:30:00).",
    },
    "clock_year": {
        "en": "--clock {value!r}: the year {year} is outside 2000..2099, the years the ФН's date and time can "
              "carry. Give a year from 2000 to 2099.",
        "ru": "--clock {value!r}: {year} год не помещается в дату и время ФН, которые хранят годы с 2000 "
              "по 2099. Укажите год от 2000 до 2099.",
    },
    "fn_validity_invalid": {
        "en": "--fn-validity {value!r} is not a ФН validity. Give the months of a ФН model: 13, 15 or 36.",
        "ru": "--fn-validity {value!r} не является сроком действия ФН. Укажите срок модели ФН в месяцах: "
              "13, 15 или 36.",
    },
    "help_fn_validity": {
        "en": "Validity of the ФН's fiscal sign keys in months, 13, 15 or 36, counted from the first "
              "registration report. Default: 36. The ФН file does not store it: a reopened file runs with "
              "the value given now.",
        "ru": "Срок действия ключей фискального признака ФН в месяцах: 13, 15 или 36, от первого отчёта "
              "о регистрации. По умолчанию 36. В файле ФН он не хранится: открытый заново файл работает "
              "со значением, указанным сейчас.",
    },
    "help_no_flc": {
        "en": "Turn off the ФН's format-logical control, so documents outside the ФФД tables are signed; "
              "only the TLV structure and the maximum lengths are still checked (docs/fn-flc.md). "
              "Not stored in the ФН file: give it on every start.",
        "ru": "Отключить форматно-логический контроль ФН: документы вне таблиц ФФД подписываются, "
              "проверяются только структура TLV и максимальные длины (docs/fn-flc.md). "
              "В файле ФН не хранится: указывайте при каждом запуске.",
    },
    "help_strict_ofd": {
        "en": "Reject an ОФД квитанция (26h, result 20h) without the operator's fiscal sign 1078, or whose "
              "container ФД number differs from its 1040. Default: off, so mock ОФД servers without the "
              "operator's key work. Not stored in the ФН file: give it on every start.",
        "ru": "Отклонять квитанцию ОФД (26h, код 20h) без фискального признака оператора 1078 или с номером "
              "ФД в контейнере, отличным от её 1040. По умолчанию выключено, чтобы работали имитаторы ОФД "
              "без ключа оператора. В файле ФН не хранится: указывайте при каждом запуске.",
    },
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


CATALOGUE = ChainMap(MESSAGES, HELP_MESSAGES, USAGE_MESSAGES, DETAIL_MESSAGES)
"""Every message key, from ``MESSAGES`` and the help, usage and detail catalogues."""


def message(key: str, lang: str, **values: object) -> str:
    """Return message ``key`` of ``CATALOGUE`` in ``lang`` ("en" or "ru"), formatted with ``values``.

    Raises KeyError for an unknown key or language.
    """
    return CATALOGUE[key][lang].format(**values)


def byte_count(count: int, lang: str) -> str:
    """Return ``count`` with the word for bytes in the grammatical number of ``lang``: "1 byte", "2 байта"."""
    if lang == "ru":
        if count % 10 == 1 and count % 100 != 11:
            form = "one"
        elif 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
            form = "few"
        else:
            form = "many"
    else:
        form = "one" if count == 1 else "many"
    return message(f"byte_count_{form}", lang, count=count)
