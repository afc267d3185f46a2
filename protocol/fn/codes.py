"""ФН interface command codes and result codes.

Commands are those of the FNS «Описание интерфейса фискального накопителя»
v1.2 (2016), plus 3Ah, 3Bh and 3Dh, which later ФН models answer (seen in
programs talking to real ФН). Result codes are the ones that description
defines (00h..20h, 13h is not assigned) plus the ФН-1.1 additions 0Ah..0Eh, 18h
and 19h known from driver error tables.

The first byte of an answer carries the result in its low 7 bits; bit 7 is set
when the ФН has a warning flag raised (see the 30h status answer).
"""

from __future__ import annotations

from enum import IntEnum

WARNING_BIT = 0x80


class FnCommand(IntEnum):
    """Command code, the CMD byte of a request frame."""

    BEGIN_REGISTRATION_REPORT = 0x02
    FORM_REGISTRATION_REPORT = 0x03
    BEGIN_CLOSE_FISCAL_MODE = 0x04
    CLOSE_FISCAL_MODE = 0x05
    CANCEL_DOCUMENT = 0x06
    SEND_DOCUMENT_DATA = 0x07
    GET_SHIFT_PARAMETERS = 0x10
    BEGIN_OPEN_SHIFT = 0x11
    OPEN_SHIFT = 0x12
    BEGIN_CLOSE_SHIFT = 0x13
    CLOSE_SHIFT = 0x14
    BEGIN_RECEIPT = 0x15
    FORM_RECEIPT = 0x16
    BEGIN_CORRECTION_RECEIPT = 0x17
    BEGIN_SETTLEMENT_REPORT = 0x18
    FORM_SETTLEMENT_REPORT = 0x19
    GET_EXCHANGE_STATUS = 0x20
    SET_TRANSPORT_STATUS = 0x21
    BEGIN_OFD_MESSAGE_READ = 0x22
    READ_OFD_MESSAGE_BLOCK = 0x23
    CANCEL_OFD_MESSAGE_READ = 0x24
    FINISH_OFD_MESSAGE_READ = 0x25
    SEND_OFD_TICKET = 0x26
    GET_STATUS = 0x30
    GET_SERIAL = 0x31
    GET_EXPIRY = 0x32
    GET_VERSION = 0x33
    GET_LAST_ERRORS = 0x35
    GET_FFD_VERSION = 0x3A
    GET_DAYS_LEFT = 0x3B
    GET_FREE_MEMORY = 0x3D
    FIND_DOCUMENT = 0x40
    GET_OFD_TICKET = 0x41
    GET_UNCONFIRMED_COUNT = 0x42
    GET_FISCALIZATION_RESULT = 0x43
    GET_FISCALIZATION_PARAMETER = 0x44
    REQUEST_DOCUMENT_TLV = 0x45
    READ_DOCUMENT_TLV = 0x46
    READ_FISCALIZATION_TLV = 0x47
    RESET_STATE = 0x60

    @property
    def title_ru(self) -> str:
        """Russian name of the command as the interface description titles it."""
        return _COMMAND_TITLES_RU[self]


_COMMAND_TITLES_RU = {
    FnCommand.BEGIN_REGISTRATION_REPORT: "Начать отчёт о регистрации ККТ",
    FnCommand.FORM_REGISTRATION_REPORT: "Сформировать отчёт о регистрации (перерегистрации) ККТ",
    FnCommand.BEGIN_CLOSE_FISCAL_MODE: "Начать закрытие фискального режима ФН",
    FnCommand.CLOSE_FISCAL_MODE: "Закрыть фискальный режим ФН",
    FnCommand.CANCEL_DOCUMENT: "Отменить документ",
    FnCommand.SEND_DOCUMENT_DATA: "Передать данные документа",
    FnCommand.GET_SHIFT_PARAMETERS: "Запрос параметров текущей смены",
    FnCommand.BEGIN_OPEN_SHIFT: "Начать открытие смены",
    FnCommand.OPEN_SHIFT: "Открыть смену",
    FnCommand.BEGIN_CLOSE_SHIFT: "Начать закрытие смены",
    FnCommand.CLOSE_SHIFT: "Закрыть смену",
    FnCommand.BEGIN_RECEIPT: "Начать формирование чека (БСО)",
    FnCommand.FORM_RECEIPT: "Сформировать чек",
    FnCommand.BEGIN_CORRECTION_RECEIPT: "Начать формирование чека коррекции (БСО коррекции)",
    FnCommand.BEGIN_SETTLEMENT_REPORT: "Начать формирование отчёта о состоянии расчётов",
    FnCommand.FORM_SETTLEMENT_REPORT: "Сформировать отчёт о состоянии расчётов",
    FnCommand.GET_EXCHANGE_STATUS: "Получить статус информационного обмена",
    FnCommand.SET_TRANSPORT_STATUS: "Передать статус транспортного соединения с сервером ОФД",
    FnCommand.BEGIN_OFD_MESSAGE_READ: "Начать чтение сообщения для сервера ОФД",
    FnCommand.READ_OFD_MESSAGE_BLOCK: "Прочитать блок сообщения для сервера ОФД",
    FnCommand.CANCEL_OFD_MESSAGE_READ: "Отменить чтение сообщения для сервера ОФД",
    FnCommand.FINISH_OFD_MESSAGE_READ: "Завершить чтение сообщения для сервера ОФД",
    FnCommand.SEND_OFD_TICKET: "Передать квитанцию от сервера ОФД",
    FnCommand.GET_STATUS: "Запрос статуса ФН",
    FnCommand.GET_SERIAL: "Запрос номера ФН",
    FnCommand.GET_EXPIRY: "Запрос срока действия ФН",
    FnCommand.GET_VERSION: "Запрос версии ФН",
    FnCommand.GET_LAST_ERRORS: "Запрос последних ошибок ФН",
    FnCommand.GET_FFD_VERSION: "Запрос версии ФФД",
    FnCommand.GET_DAYS_LEFT: "Запрос оставшегося срока действия ФН",
    FnCommand.GET_FREE_MEMORY: "Запрос ресурса свободной памяти ФН",
    FnCommand.FIND_DOCUMENT: "Найти фискальный документ по номеру",
    FnCommand.GET_OFD_TICKET: "Запрос квитанции о получении ФД в ОФД по номеру документа",
    FnCommand.GET_UNCONFIRMED_COUNT: "Запрос количества ФД, на которые нет квитанции",
    FnCommand.GET_FISCALIZATION_RESULT: "Запрос итогов фискализации ФН",
    FnCommand.GET_FISCALIZATION_PARAMETER: "Запрос параметра фискализации ФН",
    FnCommand.REQUEST_DOCUMENT_TLV: "Запрос фискального документа в TLV формате",
    FnCommand.READ_DOCUMENT_TLV: "Чтение TLV фискального документа",
    FnCommand.READ_FISCALIZATION_TLV: "Чтение TLV параметров фискализации",
    FnCommand.RESET_STATE: "Сброс состояния ФН (только отладочный ФН)",
}


class FnResult(IntEnum):
    """Result code, the low 7 bits of the first byte of an answer frame."""

    OK = 0x00
    UNKNOWN_COMMAND = 0x01
    INVALID_STATE = 0x02
    FN_FAILURE = 0x03
    CRYPTO_FAILURE = 0x04
    LIFETIME_ENDED = 0x05
    ARCHIVE_FULL = 0x06
    INVALID_DATE_TIME = 0x07
    NO_DATA = 0x08
    INVALID_PARAMETER = 0x09
    INVALID_COMMAND = 0x0A
    FORBIDDEN_TAGS = 0x0B
    DUPLICATE_DATA = 0x0C
    MISSING_DATA = 0x0D
    TOO_MANY_ITEMS = 0x0E
    TLV_TOO_LARGE = 0x10
    NO_TRANSPORT = 0x11
    CRYPTO_RESOURCE_EXHAUSTED = 0x12
    STORAGE_EXHAUSTED = 0x14
    OFD_WAIT_EXHAUSTED = 0x15
    SHIFT_OVER_24_HOURS = 0x16
    TIME_DIFFERENCE = 0x17
    INVALID_TAG = 0x18
    TAG_MISMATCH = 0x19
    OFD_MESSAGE_REJECTED = 0x20

    @property
    def description_ru(self) -> str:
        """Russian name of the result, in the words of the interface description."""
        return _RESULT_TEXT[self][0]

    @property
    def description_en(self) -> str:
        """English description of the result."""
        return _RESULT_TEXT[self][1]


_RESULT_TEXT = {
    FnResult.OK: ("Успешное выполнение команды", "command completed"),
    FnResult.UNKNOWN_COMMAND: (
        "Неизвестная команда, неверный формат посылки или неизвестные параметры",
        "unknown command, or the request data do not match the command format",
    ),
    FnResult.INVALID_STATE: ("Неверное состояние ФН", "command not allowed in the current ФН state"),
    FnResult.FN_FAILURE: ("Ошибка ФН", "internal ФН error, request details with command 35h"),
    FnResult.CRYPTO_FAILURE: ("Ошибка КС", "crypto coprocessor error"),
    FnResult.LIFETIME_ENDED: ("Закончен срок эксплуатации ФН", "ФН lifetime has ended"),
    FnResult.ARCHIVE_FULL: ("Архив ФН переполнен", "ФН archive is full"),
    FnResult.INVALID_DATE_TIME: (
        "Неверные дата и/или время",
        "date or time contradicts the ФН timeline (earlier than the previous document, or outside the shift)",
    ),
    FnResult.NO_DATA: ("Нет запрошенных данных", "requested data not found, or the end of a list was reached"),
    FnResult.INVALID_PARAMETER: (
        "Некорректное значение параметров команды",
        "command parameters are well formed but a value is invalid",
    ),
    FnResult.INVALID_COMMAND: ("Некорректная команда", "command is invalid here (ФН-1.1)"),
    FnResult.FORBIDDEN_TAGS: ("Неразрешённые реквизиты", "document data contain tags not allowed here (ФН-1.1)"),
    FnResult.DUPLICATE_DATA: ("Дублирование данных", "document data repeat data the ФН writes itself (ФН-1.1)"),
    FnResult.MISSING_DATA: (
        "Отсутствуют данные, необходимые для корректного учёта в ФН",
        "document data lack values the ФН needs for its counters (ФН-1.1)",
    ),
    FnResult.TOO_MANY_ITEMS: ("Превышено количество позиций", "too many items in one document (ФН-1.1)"),
    FnResult.TLV_TOO_LARGE: ("Превышение размеров TLV данных", "document data exceed the size allowed for this document"),
    FnResult.NO_TRANSPORT: ("Нет транспортного соединения", "no transport connection to the ОФД"),
    FnResult.CRYPTO_RESOURCE_EXHAUSTED: (
        "Исчерпан ресурс КС",
        "crypto coprocessor resource exhausted, the fiscal mode must be closed",
    ),
    FnResult.STORAGE_EXHAUSTED: ("Исчерпан ресурс хранения", "storage for documents awaiting the ОФД is exhausted"),
    FnResult.OFD_WAIT_EXHAUSTED: (
        "Исчерпан ресурс ожидания передачи сообщения",
        "the oldest document has waited for the ОФД more than 30 days",
    ),
    FnResult.SHIFT_OVER_24_HOURS: ("Продолжительность смены более 24 часов", "shift has lasted more than 24 hours"),
    FnResult.TIME_DIFFERENCE: (
        "Неверная разница во времени между 2 операциями",
        "time between two operations differs from the ФН timer by more than 5 minutes",
    ),
    FnResult.INVALID_TAG: ("Некорректный реквизит", "a tag value is invalid (ФН-1.1)"),
    FnResult.TAG_MISMATCH: (
        "Реквизит не соответствует параметрам регистрации",
        "a tag value contradicts the registration parameters (ФН-1.1)",
    ),
    FnResult.OFD_MESSAGE_REJECTED: (
        "Сообщение от ОФД не может быть принято",
        "message from the ОФД rejected, the answer data give the reason",
    ),
}


def split_answer_code(code: int) -> tuple[int, bool]:
    """Split an answer's first byte into ``(result code, warning flag raised)``."""
    return code & ~WARNING_BIT & 0xFF, bool(code & WARNING_BIT)
