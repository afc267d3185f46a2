"""Catalogue entries for the help screens: command descriptions and option texts in English and Russian.

Keys are ``help_<command>`` and ``help_<command>_<option>``; options shared by
several commands (``--lang``, ``-v``) have one key. A description may hold
click's ``\\b`` marker, which keeps the next paragraph unwrapped. ``i18n.message``
looks keys up here too.
"""

from __future__ import annotations

_CLOCK_FORMS = {
    "en": "YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (a space may replace the T; a date alone "
          "means midnight), years 2000..2099",
    "ru": "ГГГГ-ММ-ДД, ГГГГ-ММ-ДДTЧЧ:ММ или ГГГГ-ММ-ДДTЧЧ:ММ:СС (вместо T можно поставить пробел; дата без "
          "времени означает полночь), годы 2000–2099",
}

HELP_MESSAGES: dict[str, dict[str, str]] = {
    # kktemu
    "help_main": {
        "en": "Emulator of a cloud fiscal cash register (ККТ) and its fiscal storage (ФН).",
        "ru": "Эмулятор облачной контрольно-кассовой техники (ККТ) и её фискального накопителя (ФН).",
    },
    "help_main_epilog": {
        "en": "Exit status: 0 on success, 1 when an input (file, port, document number) cannot be used, "
              "2 for a wrong option or argument.",
        "ru": "Код завершения: 0 при успехе, 1, если входные данные (файл, порт, номер документа) нельзя "
              "использовать, 2 при неверном параметре или аргументе.",
    },
    "help_lang": {
        "en": "Language of messages and tag names. Default: Russian when LC_ALL, LC_MESSAGES or LANG (the first "
              "one set) starts with 'ru', else English.",
        "ru": "Язык сообщений и названий реквизитов. По умолчанию русский, если LC_ALL, LC_MESSAGES или LANG "
              "(первая заданная из них) начинается с 'ru', иначе английский.",
    },
    "help_verbose": {
        "en": "Log to stderr: -v for INFO, -vv for DEBUG with hex frames on the kktemu.wire logger.",
        "ru": "Журнал в stderr: -v — уровень INFO, -vv — DEBUG с кадрами в hex в журнале kktemu.wire.",
    },
    # kktemu fn
    "help_fn": {
        "en": "Read ФН archive files (fiscal storage dumps) written by `kktemu serve`, or serve a ФН alone.",
        "ru": "Чтение файлов архива ФН (дампов фискального накопителя), записанных `kktemu serve`, или "
              "работа ФН без ККТ.",
    },
    "help_fn_short": {
        "en": "Read ФН archive files (fiscal storage dumps), or serve a ФН alone.",
        "ru": "Чтение файлов архива ФН или работа ФН без ККТ.",
    },
    # kktemu serve
    "help_serve": {
        "en": """Run an emulated ШТРИХ-М-01Ф register with its ФН until SIGINT (Ctrl+C) or SIGTERM.

When it is ready to take connections it prints these lines to stdout:

\b
  fn file PATH serial NUMBER ФФД VERSION
  listening tcp HOST:PORT
  listening pty PATH        (only with --pty)
  ofd store DIR             (only with --ofd builtin)
  ofd HOST:PORT             (only with --ofd: where documents go)

Exit status: 0 after a stop signal; 1 when the port, the pty path or the ФН file cannot be used (for example
the file is in use by another kktemu); 2 for a wrong option value (such as a --clock that is not a date and
time, or an --ofd without a port). An --ofd host that does not resolve, or an --ofd-store directory that
cannot be used, exits 1. The port and the pty are set up first, so when they fail no ФН file is created.

--fn-validity, --no-flc and --strict-ofd set the model of the ФН. The ФН file does not store them, so a
reopened file runs with the options given now.""",
        "ru": """Запустить эмулятор ККТ ШТРИХ-М-01Ф с её ФН до сигнала SIGINT (Ctrl+C) или SIGTERM.

Когда эмулятор готов принимать подключения, он выводит в stdout эти строки (они не переводятся, их читают
скрипты):

\b
  fn file PATH serial NUMBER ФФД VERSION
  listening tcp HOST:PORT
  listening pty PATH        (только с --pty)
  ofd store DIR             (только с --ofd builtin)
  ofd HOST:PORT             (только с --ofd: куда уходят документы)

Код завершения: 0 после сигнала остановки; 1, если порт, путь pty или файл ФН нельзя использовать
(например, файл занят другим kktemu); 2 при неверном значении параметра (например, --clock не является
датой и временем или в --ofd нет порта). Если хост --ofd не находится или каталог --ofd-store нельзя
использовать, код завершения 1. Порт и pty открываются первыми, поэтому при их ошибке файл ФН не создаётся.

--fn-validity, --no-flc и --strict-ofd задают модель ФН. В файле ФН они не хранятся, поэтому открытый
заново файл работает с параметрами, указанными сейчас.""",
    },
    "help_serve_short": {
        "en": "Run an emulated ШТРИХ-М-01Ф register on TCP and a virtual serial port.",
        "ru": "Запустить эмулятор ККТ ШТРИХ-М-01Ф на TCP и виртуальном последовательном порту.",
    },
    "help_serve_host": {
        "en": "Address to listen on for TCP clients.",
        "ru": "Адрес, на котором ожидать TCP-клиентов.",
    },
    "help_serve_port": {
        "en": "TCP port for the Штрих-М protocol; 0 picks a free port (see the 'listening tcp' line).",
        "ru": "TCP-порт протокола Штрих-М; 0 выбирает свободный порт (см. строку 'listening tcp').",
    },
    "help_serve_pty": {
        "en": "Also serve a virtual serial port, published as a symlink at PATH (e.g. /tmp/ttyKKT).",
        "ru": "Также открыть виртуальный последовательный порт с символической ссылкой PATH "
              "(например, /tmp/ttyKKT).",
    },
    "help_serve_fn_file": {
        "en": "ФН archive file. If it does not exist, a new test ФН is created there and registered.",
        "ru": "Файл архива ФН. Если его нет, там создаётся и регистрируется новый тестовый ФН.",
    },
    "help_serve_ffd": {
        "en": "ФФД version a new ФН is registered with. An existing ФН keeps the version it has.",
        "ru": "Версия ФФД, с которой регистрируется новый ФН. Существующий ФН сохраняет свою версию.",
    },
    "help_serve_tcp_ff": {
        "en": "Send the 0xFF byte network registers send after the host's ACK on TCP (default: on, as on real "
              "network registers). --no-tcp-ff suits serial-era drivers such as pyshtrih.",
        "ru": "Отправлять по TCP байт 0xFF после ACK хоста, как это делают сетевые ККТ (по умолчанию включено, "
              "как на настоящих сетевых ККТ). --no-tcp-ff подходит драйверам времён COM-порта, например pyshtrih.",
    },
    "help_clock_register": {
        "en": f"Start the emulated clock of the register and its ФН at this local date and time: "
              f"{_CLOCK_FORMS['en']}. Default: the system clock.",
        "ru": f"Запустить эмулируемые часы ККТ и её ФН с этой местной даты и времени: {_CLOCK_FORMS['ru']}. "
              f"По умолчанию — системные часы.",
    },
    "help_freeze_clock_register": {
        "en": "Keep the emulated clock of the register and its ФН stopped at its start time (--clock, or the "
              "moment of startup).",
        "ru": "Остановить эмулируемые часы ККТ и её ФН на времени запуска (--clock или момент старта).",
    },
    # kktemu fn serve
    "help_fn_serve": {
        "en": """Serve the ФН of the --fn-file archive alone until SIGINT (Ctrl+C) or SIGTERM.

It speaks the ФН interface framing: requests 04h, LEN (2 bytes, little endian), command, data,
CRC16-CCITT-FALSE; answers in the same layout with the result code in place of the command. ENQ (05h)
repeats the last answer. A frame with a wrong CRC or an impossible LEN is answered 01h once the line has been
quiet for 0.2 s, and never executed.

It listens on TCP (--port, default 7779) or on a virtual serial port (--pty), not both. When it is ready to
take connections it prints these lines to stdout:

\b
  fn file PATH serial NUMBER phase PHASE
  listening tcp HOST:PORT   (or: listening pty PATH)

PHASE is the 30h phase: 1 for a new ФН, 3 in the fiscal mode, 7 and 15 after the fiscal mode is closed.
Exit status: 0 after a stop signal; 1 when the port, the pty path or the ФН file cannot be used; 2 for wrong
options.

The ФН timer follows --clock and --freeze-clock. --fn-validity, --no-flc and --strict-ofd set the model of
the ФН. The ФН file does not store them, so a reopened file runs with the options given now.""",
        "ru": """Запустить ФН из архива --fn-file без ККТ до сигнала SIGINT (Ctrl+C) или SIGTERM.

Обмен идёт кадрами интерфейса ФН: запрос — 04h, LEN (2 байта, младший первым), команда, данные,
CRC16-CCITT-FALSE; ответ — в том же формате, с кодом результата вместо команды. ENQ (05h) повторяет
последний ответ. На кадр с неверной CRC или невозможной длиной LEN ФН отвечает 01h, когда линия
молчит 0,2 с, и не выполняет его.

ФН слушает TCP (--port, по умолчанию 7779) или виртуальный последовательный порт (--pty), но не оба
сразу. Когда он готов принимать подключения, он выводит в stdout эти строки (они не переводятся, их
читают скрипты):

\b
  fn file PATH serial NUMBER phase PHASE
  listening tcp HOST:PORT   (или: listening pty PATH)

PHASE — фаза из ответа 30h: 1 у нового ФН, 3 в фискальном режиме, 7 и 15 после закрытия фискального
режима. Код завершения: 0 после сигнала остановки; 1, если порт, путь pty или файл ФН нельзя
использовать; 2 при неверных параметрах.

Таймер ФН идёт по --clock и --freeze-clock. --fn-validity, --no-flc и --strict-ofd задают модель ФН.
В файле ФН они не хранятся, поэтому открытый заново файл работает с параметрами, указанными сейчас.""",
    },
    "help_fn_serve_short": {
        "en": "Serve a ФН alone over the ФН interface framing (TCP or virtual serial port).",
        "ru": "Запустить ФН без ККТ с кадрами интерфейса ФН (TCP или виртуальный последовательный порт).",
    },
    "help_fn_serve_host": {
        "en": "Address to listen on for TCP clients.",
        "ru": "Адрес, на котором ожидать TCP-клиентов.",
    },
    "help_fn_serve_port": {
        "en": "TCP port (default 7779); 0 picks a free port (see the 'listening tcp' line).",
        "ru": "TCP-порт (по умолчанию 7779); 0 выбирает свободный порт (см. строку 'listening tcp').",
    },
    "help_fn_serve_pty": {
        "en": "Serve a virtual serial port published as a symlink at PATH (e.g. /tmp/ttyFN) instead of TCP.",
        "ru": "Вместо TCP открыть виртуальный последовательный порт с символической ссылкой PATH "
              "(например, /tmp/ttyFN).",
    },
    "help_fn_serve_fn_file": {
        "en": "ФН archive file. If it does not exist, a new test ФН, not registered yet, is created there.",
        "ru": "Файл архива ФН. Если его нет, там создаётся новый тестовый ФН, ещё не зарегистрированный.",
    },
    "help_clock_fn": {
        "en": f"Start the ФН timer at this local date and time: {_CLOCK_FORMS['en']}. Default: the system "
              f"clock.",
        "ru": f"Запустить таймер ФН с этой местной даты и времени: {_CLOCK_FORMS['ru']}. По умолчанию — "
              f"системные часы.",
    },
    "help_freeze_clock_fn": {
        "en": "Keep the ФН timer stopped at its start time (--clock, or the moment of startup).",
        "ru": "Остановить таймер ФН на времени запуска (--clock или момент старта).",
    },
    # kktemu fn inspect
    "help_inspect": {
        "en": """List the fiscal documents in the ФН archive file PATH, or decode one with --doc.

The list has one row per document: ФД number, form code and name, date and time (tag 1012), printed ФПД and
total (tag 1020, rubles) where the document has one. --doc N prints every tag of ФД N with its name and
decoded value; tags unknown to the ФФД dictionary are shown as hex. For a receipt, correction receipt or БСО
(forms 3, 31, 4, 41) it also prints the QR code string t=...&s=...&fn=...&i=...&fp=...&n=... of the printed
receipt.

--json prints one object per line with the keys fd, form, form_name, datetime (ISO 8601, local time),
fiscal_sign (the printed ФПД), total (kopecks or null), ticket (ОФД квитанция received), tlv (the whole
document as hex) and fields (the decoded tags). Receipt forms add qr, the QR code string (null, with
qr_error saying why, when the document cannot give one).

The file is only read. An unfinished last record (an interrupted write) is skipped with a warning on
stderr. Exit status: 0 on success, 1 when the file is missing, unreadable or damaged, or ФД N is not in
it.""",
        "ru": """Показать фискальные документы в файле архива ФН PATH или разобрать один с --doc.

В списке одна строка на документ: номер ФД, код и название формы, дата и время (реквизит 1012),
печатный ФПД и итог (реквизит 1020, рубли), если он есть. --doc N выводит все реквизиты ФД N с
названиями и значениями; реквизиты, которых нет в словаре ФФД, выводятся в hex. Для чека, чека
коррекции и БСО (формы 3, 31, 4, 41) выводится и строка QR-кода t=...&s=...&fn=...&i=...&fp=...&n=...
напечатанного чека.

--json выводит по одному объекту в строке с ключами fd, form, form_name, datetime (ISO 8601, местное
время), fiscal_sign (печатный ФПД), total (копейки или null), ticket (получена ли квитанция ОФД), tlv
(весь документ в hex) и fields (разобранные реквизиты). Для чеков добавляется qr — строка QR-кода (null
и qr_error с причиной, если её не построить).

Файл только читается. Незавершённая последняя запись (прерванная запись на диск) пропускается с
предупреждением в stderr. Код завершения: 0 при успехе, 1, если файла нет, он не читается или повреждён
либо в нём нет ФД N.""",
    },
    "help_inspect_short": {
        "en": "List the fiscal documents of a ФН archive file, or decode one.",
        "ru": "Показать фискальные документы файла архива ФН или разобрать один.",
    },
    "help_inspect_doc": {
        "en": "Show only ФД number N, with every tag decoded.",
        "ru": "Показать только ФД номер N со всеми разобранными реквизитами.",
    },
    "help_inspect_json": {
        "en": "Print JSON Lines instead of text: one object per document.",
        "ru": "Выводить JSON Lines вместо текста: один объект на документ.",
    },
    # kktemu ofd
    "help_mock_ofd": {
        "en": "A mock ОФД (fiscal data operator) for registers that send documents with `kktemu serve --ofd`.",
        "ru": "Имитатор ОФД (оператора фискальных данных) для ККТ, которые отправляют документы с "
              "`kktemu serve --ofd`.",
    },
    "help_mock_ofd_short": {
        "en": "Run a mock ОФД, or list the documents it received.",
        "ru": "Запустить имитатор ОФД или показать полученные им документы.",
    },
    "help_mock_ofd_serve": {
        "en": """Run a mock ОФД until SIGINT (Ctrl+C) or SIGTERM.

It checks each message (session header, container CRC, ФПД and message sign), stores it in the --store
directory and answers with a signed квитанция. When it is ready it prints these lines to stdout:


  ofd store DIR
  listening tcp HOST:PORT

--reject, --drop and --no-answer are fault modes for tests; at most one of them can be given, with or
without --delay. docs/ofd-mock.md describes the checks, the fault modes and the store format.

Exit status: 0 after a stop signal; 1 when the port or the store directory cannot be used; 2 for a wrong
option value (such as an --ofd-inn that is not an ИНН) or for options that contradict each other (such as
--reject with --drop).""",
        "ru": """Запустить имитатор ОФД до сигнала SIGINT (Ctrl+C) или SIGTERM.

Он проверяет каждое сообщение (заголовок сессии, CRC контейнера, ФПД и подпись сообщения), сохраняет его
в каталоге --store и отвечает подписанной квитанцией. Когда он готов, он выводит в stdout эти строки (они
не переводятся, их читают скрипты):


  ofd store DIR
  listening tcp HOST:PORT

--reject, --drop и --no-answer — режимы сбоя для тестов; можно указать не больше одного из них, с --delay
или без. Проверки, режимы сбоя и формат хранилища описаны в docs/ofd-mock.md.

Код завершения: 0 после сигнала остановки; 1, если порт или каталог хранилища нельзя использовать; 2 при
неверном значении параметра (например, --ofd-inn не является ИНН) или при противоречащих друг другу
параметрах (например, --reject вместе с --drop).""",
    },
    "help_mock_ofd_serve_short": {
        "en": "Run a mock ОФД that confirms the documents registers send.",
        "ru": "Запустить имитатор ОФД, который подтверждает документы от ККТ.",
    },
    "help_mock_ofd_serve_host": {
        "en": "Address to listen on for registers.",
        "ru": "Адрес, на котором ожидать подключений ККТ.",
    },
    "help_mock_ofd_serve_port": {
        "en": "TCP port; 0 picks a free port (see the 'listening tcp' line).",
        "ru": "TCP-порт; 0 выбирает свободный порт (см. строку 'listening tcp').",
    },
    "help_mock_ofd_serve_store": {
        "en": "Directory that keeps every received message and the index; created if missing.",
        "ru": "Каталог, где хранятся все полученные сообщения и индекс; создаётся, если его нет.",
    },
    "help_mock_ofd_serve_reject": {
        "en": "Reject every document: store it with this code (1..255), send no квитанция and close the "
              "connection, so the register sends it again.",
        "ru": "Отклонять каждый документ: сохранять его с этим кодом (1..255), не отправлять квитанцию и "
              "закрывать соединение, чтобы ККТ отправила его снова.",
    },
    "help_mock_ofd_serve_delay": {
        "en": "Wait this many seconds before answering (or before the --reject, --drop or --no-answer action).",
        "ru": "Ждать столько секунд перед ответом (или перед действием --reject, --drop или --no-answer).",
    },
    "help_mock_ofd_serve_drop": {
        "en": "Close the connection after reading each message, without an answer.",
        "ru": "Закрывать соединение после чтения каждого сообщения, не отвечая.",
    },
    "help_mock_ofd_serve_no_answer": {
        "en": "Keep the connection open after each message and never answer.",
        "ru": "Оставлять соединение открытым после каждого сообщения и никогда не отвечать.",
    },
    "help_mock_ofd_serve_ofd_inn": {
        "en": "ИНН ОФД written into tag 1017 of every квитанция.",
        "ru": "ИНН ОФД, записываемый в реквизит 1017 каждой квитанции.",
    },
    "help_mock_ofd_serve_no_verify_sign": {
        "en": "Accept documents whose ФПД and message sign do not verify with kktemu's key, such as messages of "
              "a real ФН.",
        "ru": "Принимать документы, чьи ФПД и подпись сообщения не сходятся с ключом kktemu, например "
              "сообщения настоящего ФН.",
    },
    "help_mock_ofd_serve_no_operator_sign": {
        "en": "Leave the operator sign 1078 out of the квитанция, as third-party mock ОФД do.",
        "ru": "Не включать подпись оператора 1078 в квитанцию, как делают сторонние имитаторы ОФД.",
    },
    "help_mock_ofd_documents": {
        "en": """List every message a mock ОФД received, oldest first, one line each.

The table shows the ФН serial, ФД number, form, the document's date and time, its ФПД, what the mock did
(accepted, rejected, dropped, held, invalid sign) and when it arrived (UTC). A document sent again after a
rejection is listed once per arrival. --json prints the index records with the keys sequence, fn_serial,
fd_number, form, document_time, fiscal_sign, result, code, received_at, peer, file and detail. The store
is only read, so it is safe to list the store of a running server.""",
        "ru": """Показать все сообщения, полученные имитатором ОФД, от старых к новым, по одному в строке.

В таблице номер ФН, номер ФД, форма, дата и время документа, его ФПД, что сделал имитатор (принят,
отклонён, обрыв связи, без ответа, неверная подпись) и когда сообщение пришло (UTC). Документ, отправленный
снова после отказа, показывается при каждом получении. --json выводит записи индекса с ключами sequence,
fn_serial, fd_number, form, document_time, fiscal_sign, result, code, received_at, peer, file и detail.
Хранилище только читается, поэтому можно смотреть хранилище работающего сервера.""",
    },
    "help_mock_ofd_documents_short": {
        "en": "List the documents a mock ОФД received.",
        "ru": "Показать документы, полученные имитатором ОФД.",
    },
    "help_mock_ofd_documents_store": {
        "en": "Store directory of `kktemu ofd serve`.",
        "ru": "Каталог хранилища `kktemu ofd serve`.",
    },
    "help_mock_ofd_documents_json": {
        "en": "Print one JSON object per arrival (JSON Lines) instead of the table.",
        "ru": "Выводить по одному объекту JSON на каждое получение (JSON Lines) вместо таблицы.",
    },
}
