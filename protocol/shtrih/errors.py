"""Status codes a Штрих-М register reports: error codes, modes and submodes.

The values and their meanings come from the error table and appendix 1 ("Режимы и
подрежимы ККТ") of the vendor's "Протокол работы ККТ с ФН", protocol version
1.17, documentation build 25 of 24.06.2021. Each member carries a concise Russian
description (``russian``) and an English one (``english``).

Codes 01h–20h and A0h–A5h come from the ФН. The register passes the ФН result code
through unchanged when a ФН operation fails, so FF46h refused for a shift older
than 24 hours returns error 16h. Registers made before the ФН (with an ЭКЛЗ and fiscal
memory ФП) used 01h–2Fh for fiscal memory errors. pyshtrih 2.0.6 still shows those
meanings unless it is told that the device has a ФН.
"""

from __future__ import annotations

import enum


class _Described(enum.IntEnum):
    """An IntEnum whose members also carry ``russian`` and ``english`` descriptions."""

    def __new__(cls, value: int, russian: str, english: str):
        member = int.__new__(cls, value)
        member._value_ = value
        member.russian = russian
        member.english = english
        return member


class ErrorCode(_Described):
    """The Штрих-М error byte of an answer (the second byte of the body, or third for FFxx)."""

    NO_ERROR = 0x00, "Ошибок нет", "No error"
    # Errors reported by the ФН.
    FN_UNKNOWN_COMMAND = 0x01, "ФН: неизвестная команда, неверный формат или параметры", \
        "FN: unknown command, invalid format or parameters"
    FN_WRONG_STATE = 0x02, "ФН: команда требует другого состояния ФН", "FN: the command needs another FN state"
    FN_FAILURE = 0x03, "Отказ ФН", "FN failure"
    FN_CRYPTO_FAILURE = 0x04, "Отказ КС (криптографического сопроцессора)", "Crypto coprocessor failure"
    FN_LIFETIME_MISMATCH = 0x05, "Параметры команды не соответствуют сроку жизни ФН", \
        "Command parameters do not match the FN lifetime"
    FN_WRONG_DATETIME = 0x07, "Неверные дата и/или время", "Invalid date or time"
    FN_NO_DATA = 0x08, "Нет запрошенных данных в архиве ФН", "Requested data not found in the FN archive"
    FN_INVALID_PARAMETER = 0x09, "Некорректное значение параметров команды", "Invalid command parameter value"
    FN_TLV_TOO_LARGE = 0x10, "Превышен размер TLV данных", "TLV data too large"
    FN_NO_TRANSPORT = 0x11, "Нет транспортного соединения с ОФД", "No transport connection to the OFD"
    FN_RESOURCE_EXHAUSTED = 0x12, "Исчерпан ресурс ФН, нужно закрыть фискальный режим", \
        "FN resource exhausted, the fiscal mode must be closed"
    FN_STORAGE_EXHAUSTED = 0x14, "Исчерпан ресурс хранения документов для ОФД", \
        "Storage for documents awaiting the OFD is exhausted"
    FN_SHIFT_OVER_24H = 0x16, "Продолжительность смены более 24 часов", "Shift is longer than 24 hours"
    FN_WRONG_TIME_INTERVAL = 0x17, \
        "Промежуток времени между документами расходится с таймером ФН более чем на 5 минут", \
        "Time between documents differs from the FN timer by more than 5 minutes"
    FN_OFD_MESSAGE_REJECTED = 0x20, "Сообщение от ОФД не может быть принято", "The OFD message cannot be accepted"
    # Errors of the register itself.
    FN_EXCHANGE_TIMEOUT = 0x2F, "Таймаут обмена с ФН", "FN exchange timeout"
    FN_NOT_RESPONDING = 0x30, "ФН не отвечает", "FN is not responding"
    INVALID_PARAMETERS = 0x33, "Некорректные параметры в команде", "Invalid command parameters"
    NO_DATA = 0x34, "Нет данных", "No data"
    INVALID_FOR_SETTINGS = 0x35, "Некорректный параметр при данных настройках", \
        "Parameter invalid for the current settings"
    INVALID_FOR_IMPLEMENTATION = 0x36, "Некорректные параметры в команде для данной реализации ККТ", \
        "Parameters invalid for this register implementation"
    COMMAND_NOT_SUPPORTED = 0x37, "Команда не поддерживается в данной реализации ККТ", \
        "Command not supported by this register implementation"
    ROM_ERROR = 0x38, "Ошибка в ПЗУ", "ROM error"
    INTERNAL_ERROR = 0x39, "Внутренняя ошибка ПО ККТ", "Internal firmware error"
    SHIFT_SURCHARGE_OVERFLOW = 0x3A, "Переполнение накопления по надбавкам в смене", \
        "Shift surcharge accumulator overflow"
    SHIFT_OPEN = 0x3C, "Смена открыта, операция невозможна", "Shift is open, operation impossible"
    # NOTE: the v1.17 table repeats the 3Ch wording for 3Dh. Older editions of the
    # spec and every client read 3Dh as "shift not open", as here.
    SHIFT_NOT_OPEN = 0x3D, "Смена не открыта, операция невозможна", "Shift is not open, operation impossible"
    SHIFT_DEPARTMENT_OVERFLOW = 0x3E, "Переполнение накопления по секциям в смене", \
        "Shift department accumulator overflow"
    SHIFT_DISCOUNT_OVERFLOW = 0x3F, "Переполнение накопления по скидкам в смене", \
        "Shift discount accumulator overflow"
    DISCOUNT_OUT_OF_RANGE = 0x40, "Переполнение диапазона скидок", "Discount out of range"
    CASH_PAYMENT_OUT_OF_RANGE = 0x41, "Переполнение диапазона оплаты наличными", "Cash payment out of range"
    PAYMENT_2_OUT_OF_RANGE = 0x42, "Переполнение диапазона оплаты типом 2", "Payment type 2 out of range"
    PAYMENT_3_OUT_OF_RANGE = 0x43, "Переполнение диапазона оплаты типом 3", "Payment type 3 out of range"
    PAYMENT_4_OUT_OF_RANGE = 0x44, "Переполнение диапазона оплаты типом 4", "Payment type 4 out of range"
    PAYMENTS_BELOW_TOTAL = 0x45, "Сумма всех типов оплаты меньше итога чека", \
        "Sum of all payments is less than the receipt total"
    NOT_ENOUGH_CASH = 0x46, "Не хватает наличности в кассе", "Not enough cash in the drawer"
    SHIFT_TAX_OVERFLOW = 0x47, "Переполнение накопления по налогам в смене", "Shift tax accumulator overflow"
    RECEIPT_TOTAL_OVERFLOW = 0x48, "Переполнение итога чека", "Receipt total overflow"
    NOT_ALLOWED_IN_RECEIPT_TYPE = 0x49, "Операция невозможна в открытом чеке данного типа", \
        "Operation not allowed in an open receipt of this type"
    RECEIPT_OPEN = 0x4A, "Открыт чек, операция невозможна", "A receipt is open, operation impossible"
    RECEIPT_BUFFER_FULL = 0x4B, "Буфер чека переполнен", "Receipt buffer is full"
    SHIFT_TAX_TURNOVER_OVERFLOW = 0x4C, "Переполнение накопления по обороту налогов в смене", \
        "Shift taxable turnover accumulator overflow"
    CASHLESS_ABOVE_TOTAL = 0x4D, "Вносимая безналичной оплатой сумма больше суммы чека", \
        "Cashless payment exceeds the receipt total"
    SHIFT_EXCEEDED_24H = 0x4E, "Смена превысила 24 часа", "Shift has exceeded 24 hours"
    WRONG_PASSWORD = 0x4F, "Неверный пароль", "Wrong password"
    PRINTING_PREVIOUS = 0x50, "Идёт печать результатов выполнения предыдущей команды", \
        "Still printing the result of the previous command"
    SHIFT_CASH_OVERFLOW = 0x51, "Переполнение накоплений наличными в смене", "Shift cash accumulator overflow"
    SHIFT_PAYMENT_2_OVERFLOW = 0x52, "Переполнение накоплений по типу оплаты 2 в смене", \
        "Shift payment type 2 accumulator overflow"
    SHIFT_PAYMENT_3_OVERFLOW = 0x53, "Переполнение накоплений по типу оплаты 3 в смене", \
        "Shift payment type 3 accumulator overflow"
    SHIFT_PAYMENT_4_OVERFLOW = 0x54, "Переполнение накоплений по типу оплаты 4 в смене", \
        "Shift payment type 4 accumulator overflow"
    RECEIPT_CLOSED = 0x55, "Чек закрыт, операция невозможна", "Receipt is closed, operation impossible"
    NO_DOCUMENT_TO_REPEAT = 0x56, "Нет документа для повтора", "No document to repeat"
    WAITING_CONTINUE_PRINTING = 0x58, "Ожидание команды продолжения печати", \
        "Waiting for the continue-printing command"
    DOCUMENT_OF_OTHER_OPERATOR = 0x59, "Документ открыт другим оператором", "Document is open by another operator"
    SURCHARGE_OUT_OF_RANGE = 0x5B, "Переполнение диапазона надбавок", "Surcharge out of range"
    LOW_24V = 0x5C, "Понижено напряжение 24 В", "24 V supply is low"
    TABLE_NOT_DEFINED = 0x5D, "Таблица не определена", "Table is not defined"
    INVALID_OPERATION = 0x5E, "Неверная операция", "Invalid operation"
    NEGATIVE_RECEIPT_TOTAL = 0x5F, "Отрицательный итог чека", "Negative receipt total"
    MULTIPLICATION_OVERFLOW = 0x60, "Переполнение при умножении", "Overflow in multiplication"
    PRICE_OUT_OF_RANGE = 0x61, "Переполнение диапазона цены", "Price out of range"
    QUANTITY_OUT_OF_RANGE = 0x62, "Переполнение диапазона количества", "Quantity out of range"
    DEPARTMENT_OUT_OF_RANGE = 0x63, "Переполнение диапазона отдела", "Department out of range"
    DEPARTMENT_MONEY_SHORT = 0x65, "Не хватает денег в секции", "Not enough money in the department"
    DEPARTMENT_MONEY_OVERFLOW = 0x66, "Переполнение денег в секции", "Department money overflow"
    TAX_TURNOVER_SHORT = 0x68, "Не хватает денег по обороту налогов", "Not enough taxable turnover"
    TAX_TURNOVER_OVERFLOW = 0x69, "Переполнение денег по обороту налогов", "Taxable turnover overflow"
    I2C_POWER_FAILURE = 0x6A, "Ошибка питания в момент ответа по I2C", "Power failure during an I2C reply"
    NO_RECEIPT_PAPER = 0x6B, "Нет чековой ленты", "No receipt paper"
    TAX_MONEY_SHORT = 0x6D, "Не хватает денег по налогу", "Not enough tax money"
    TAX_MONEY_OVERFLOW = 0x6E, "Переполнение денег по налогу", "Tax money overflow"
    SHIFT_CASH_OUT_OVERFLOW = 0x6F, "Переполнение по выплате в смене", "Shift cash-out overflow"
    CUTTER_ERROR = 0x71, "Ошибка отрезчика", "Cutter error"
    NOT_SUPPORTED_IN_SUBMODE = 0x72, "Команда не поддерживается в данном подрежиме", \
        "Command not supported in this submode"
    NOT_SUPPORTED_IN_MODE = 0x73, "Команда не поддерживается в данном режиме", "Command not supported in this mode"
    RAM_ERROR = 0x74, "Ошибка ОЗУ", "RAM error"
    POWER_ERROR = 0x75, "Ошибка питания", "Power supply error"
    PRINTER_NO_SENSOR_SIGNAL = 0x77, "Ошибка принтера: нет сигнала с датчиков", "Printer error: no signal from sensors"
    FIRMWARE_REPLACED = 0x78, "Замена ПО", "Firmware replaced"
    FIELD_READ_ONLY = 0x7A, "Поле не редактируется", "Field is read-only"
    HARDWARE_ERROR = 0x7B, "Ошибка оборудования", "Hardware error"
    DATE_MISMATCH = 0x7C, "Не совпадает дата", "Date does not match"
    INVALID_DATE_FORMAT = 0x7D, "Неверный формат даты", "Invalid date format"
    INVALID_LENGTH = 0x7E, "Неверное значение в поле длины", "Invalid value in the length field"
    RECEIPT_TOTAL_OUT_OF_RANGE = 0x7F, "Переполнение диапазона итога чека", "Receipt total out of range"
    CASH_OVERFLOW = 0x84, "Переполнение наличности", "Cash overflow"
    SHIFT_SALES_OVERFLOW = 0x85, "Переполнение по продажам в смене", "Shift sales overflow"
    SHIFT_PURCHASES_OVERFLOW = 0x86, "Переполнение по покупкам в смене", "Shift purchases overflow"
    SHIFT_SALE_RETURNS_OVERFLOW = 0x87, "Переполнение по возвратам продаж в смене", "Shift sale returns overflow"
    SHIFT_PURCHASE_RETURNS_OVERFLOW = 0x88, "Переполнение по возвратам покупок в смене", \
        "Shift purchase returns overflow"
    SHIFT_CASH_IN_OVERFLOW = 0x89, "Переполнение по внесению в смене", "Shift cash-in overflow"
    RECEIPT_SURCHARGE_OVERFLOW = 0x8A, "Переполнение по надбавкам в чеке", "Receipt surcharge overflow"
    RECEIPT_DISCOUNT_OVERFLOW = 0x8B, "Переполнение по скидкам в чеке", "Receipt discount overflow"
    NEGATIVE_SURCHARGE_TOTAL = 0x8C, "Отрицательный итог надбавки в чеке", "Negative surcharge total in the receipt"
    NEGATIVE_DISCOUNT_TOTAL = 0x8D, "Отрицательный итог скидки в чеке", "Negative discount total in the receipt"
    ZERO_RECEIPT_TOTAL = 0x8E, "Нулевой итог чека", "Receipt total is zero"
    FIELD_EXCEEDS_SETTINGS = 0x90, "Поле превышает размер, установленный в настройках", \
        "Field is longer than the configured size"
    OUTSIDE_PRINT_AREA = 0x91, "Выход за границу поля печати при данных настройках шрифта", \
        "Outside the print area for these font settings"
    FIELDS_OVERLAP = 0x92, "Наложение полей", "Fields overlap"
    RAM_RESTORED = 0x93, "Восстановление ОЗУ прошло успешно", "RAM was restored successfully"
    RECEIPT_OPERATION_LIMIT = 0x94, "Исчерпан лимит операций в чеке", "Operation limit of the receipt reached"
    # Errors reported by the ФН for marked goods (ФФД 1.2).
    FN_MARKING_DISABLED = 0xA0, "Работа с маркированными товарами запрещена (признак не задан при активации ФН)", \
        "Marked goods are disabled: not enabled when the FN was activated"
    FN_MARKING_SEQUENCE = 0xA1, "Неверная последовательность команд группы BXh", \
        "Wrong sequence of marking commands (group BXh)"
    FN_MARKING_BLOCKED = 0xA2, \
        "Работа с маркированными товарами временно заблокирована: хранилище уведомлений заполнено", \
        "Marked goods temporarily blocked: notification storage is full"
    FN_MARKING_TABLE_FULL = 0xA3, "Переполнена таблица проверки кодов маркировки (не более 128 КМ)", \
        "Marking code check table is full (at most 128 codes)"
    FN_TLV_REQUIRED_MISSING = 0xA4, "В блоке TLV отсутствуют необходимые реквизиты", \
        "Required tags are missing from the TLV block"
    FN_MARKING_NOT_CHECKED = 0xA5, "В реквизите 2007 содержится КМ, который ранее не проверялся в ФН", \
        "Tag 2007 carries a marking code the FN has not checked"
    # Further errors of the register.
    CONFIRM_DATETIME = 0xC0, "Контроль даты и времени (подтвердите дату и время)", "Confirm the date and time"
    POWER_OVERVOLTAGE = 0xC2, "Превышение напряжения в блоке питания", "Power supply overvoltage"
    SHIFT_NUMBER_MISMATCH = 0xC4, "Несовпадение номеров смен", "Shift numbers do not match"
    FIELD_READ_ONLY_IN_MODE = 0xC7, "Поле не редактируется в данном режиме", "Field is read-only in this mode"
    PRINTER_NO_LINK = 0xC8, "Нет связи с принтером или отсутствуют импульсы от таходатчика", \
        "No link to the printer or no tachometer pulses"

    @property
    def from_fn(self) -> bool:
        """Whether the v1.17 table names the ФН as the source of this error."""
        return 0x01 <= self <= 0x20 or 0xA0 <= self <= 0xA5


class KktMode(_Described):
    """The register mode: the low nibble of the mode byte of 10h and 11h.

    The high nibble is a status of the mode: the open document type for mode 8
    (see ``OpenDocumentStatus``) and the slip states for modes 12 and 13.
    """

    DATA_OUTPUT = 1, "Выдача данных", "Data output"
    SHIFT_OPEN = 2, "Открытая смена, 24 часа не кончились", "Shift open, 24 hours not elapsed"
    SHIFT_EXPIRED = 3, "Открытая смена, 24 часа кончились", "Shift open, 24 hours elapsed"
    SHIFT_CLOSED = 4, "Закрытая смена", "Shift closed"
    TAX_INSPECTOR_LOCK = 5, "Блокировка по неправильному паролю налогового инспектора", \
        "Locked after a wrong tax inspector password"
    DATE_CONFIRMATION = 6, "Ожидание подтверждения ввода даты", "Waiting for the date to be confirmed"
    DECIMAL_POINT_CHANGE = 7, "Разрешение изменения положения десятичной точки", \
        "Decimal point position may be changed"
    DOCUMENT_OPEN = 8, "Открытый документ", "Document open"
    TECH_RESET_ALLOWED = 9, "Режим разрешения технологического обнуления", "Technological reset allowed"
    TEST_RUN = 10, "Тестовый прогон", "Test run"
    FULL_FISCAL_REPORT = 11, "Печать полного фискального отчёта", "Printing the full fiscal report"
    # NOTE: protocol editions before the ФН inserted "ЭКЛЗ report printing" as mode 12,
    # so the slip modes below were 13–15 there; pyshtrih 2.0.6 names modes that way.
    SLIP_FISCAL_DOCUMENT = 12, "Работа с фискальным подкладным документом", "Fiscal slip document open"
    SLIP_PRINTING = 13, "Печать подкладного документа", "Printing a slip document"
    SLIP_DOCUMENT_READY = 14, "Фискальный подкладной документ сформирован", "Fiscal slip document formed"


class OpenDocumentStatus(_Described):
    """The high nibble of the mode byte in mode 8: which document is open."""

    SALE = 0, "Продажа", "Sale"
    PURCHASE = 1, "Покупка", "Purchase"
    SALE_RETURN = 2, "Возврат продажи", "Sale return"
    PURCHASE_RETURN = 3, "Возврат покупки", "Purchase return"
    NON_FISCAL = 4, "Нефискальный документ", "Non-fiscal document"


class KktSubmode(_Described):
    """The printing submode byte of 10h and 11h.

    Clients treat it strictly: pyshtrih 2.0.6 fails on any value outside 0–5, and
    its wait-for-printing loop spins without a timeout until the submode is 0,
    sending B0h when it reads 3.
    """

    PAPER_PRESENT = 0, "Бумага есть, ККТ не в фазе печати", "Paper present, not printing"
    NO_PAPER_PASSIVE = 1, "Пассивное отсутствие бумаги", "Out of paper while idle"
    NO_PAPER_ACTIVE = 2, "Активное отсутствие бумаги (в фазе печати)", "Out of paper while printing"
    AFTER_NO_PAPER = 3, "После активного отсутствия бумаги: ждёт команду продолжения печати", \
        "Paper replaced, waiting for the continue-printing command"
    PRINTING_REPORT = 4, "Фаза печати полных фискальных отчётов", "Printing full fiscal reports"
    PRINTING = 5, "Фаза печати операции", "Printing an operation"


def mode_byte(mode: int, status: int = 0) -> int:
    """Return the mode byte for ``mode`` (low nibble) and its ``status`` (high nibble).

    Raises ValueError when either is outside 0..15.
    """
    if not 0 <= mode <= 0x0F or not 0 <= status <= 0x0F:
        raise ValueError(f"mode {mode} and status {status} must both be within 0..15")
    return status << 4 | mode


def split_mode_byte(value: int) -> tuple[int, int]:
    """Return ``(mode, status)``: the low and the high nibble of a mode byte."""
    return value & 0x0F, value >> 4 & 0x0F
