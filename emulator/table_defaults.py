"""The settings tables of the ШТРИХ-М-01Ф as kktemu emulates them: layout and factory values.

Source: the table dump of a ШТРИХ-НАНО-Ф with firmware C.3.323 (01.12.2021) that
the vendor publishes in shtrih-m/javapos_shtrih (RES/X5, a DrvFR CSV export).
That firmware belongs to the same "C" family as the ШТРИХ-М-01Ф profile (C3,
2021), and drivers address the same tables on both: 17.1.7
(re-star-ru/shtrih-m-driver), 18.1 and 18.4 (afilippov1985/kkt-shtrih), 18.1
and 18.3 (javapos_shtrih), 1.1.14 (fr_drv_ng users). The device sends names in
upper case: a 2Eh answer captured from a ШТРИХ-НАНО-Ф and posted in the
javapos_shtrih issue tracker names field 18.3 "RNM". The CSV export changes
their case. Values that name a person, a company or a
network host in the dump are replaced: table 2 names follow ``cashier_name``,
table 18 is filled from the registration, table 15 and 19 hosts are local.

NOTE: the ШТРИХ-М-01Ф may have fields that the НАНО-Ф lacks (its printer
differs), and the НАНО-Ф's later firmware appends fields to tables 1 and 17.
Tables 20-25 of the dump (ОФД exchange status, network interfaces, remote
administration, embedded use, fiscalization tags) are not emulated: 2Dh answers
5Dh for them, which is also where javapos_shtrih stops reading table layouts.
"""

from __future__ import annotations

from .register_types import cashier_name
from .table_layout import Access, TableLayout, bin_field, char_field

OPERATORS = 30
"""Rows of table 2: cashiers 1-28, the administrator (29) and the system administrator (30)."""

OPERATOR_TABLE = 2
PASSWORD_FIELD = 1
NAME_FIELD = 2
FISCAL_STORAGE_TABLE = 18
REGIONAL_TABLE = 17

TABLES: dict[int, TableLayout] = {
    1: TableLayout("ТИП И РЕЖИМ КАССЫ", rows=1, fields=(
        bin_field("НОМЕР КАССЫ В МАГАЗИНЕ", 1, 1, 99, 1),
        bin_field("АВТ. ОБНУЛЕНИЕ ДЕНЕЖНОЙ НАЛИЧНОСТИ", 1, 0, 1, 0),
        bin_field("ПЕЧАТЬ РЕКЛАМНОГО ТЕКСТА", 1, 0, 3, 0),
        bin_field("---", 1, 0, 1, 0),
        bin_field("---", 1, 0, 2, 1),
        bin_field("РАБОТА С ДЕНЕЖНЫМ ЯЩИКОМ", 1, 0, 1, 1),
        bin_field("ОТРЕЗКА ЧЕКА", 1, 0, 2, 0),
        bin_field("ПЕЧАТАТЬ ДРОБНОЕ В КОЛИЧЕСТВЕ", 1, 0, 1, 0),
        bin_field("ЛОГ. УРОВЕНЬ ДАТ. ДЕНЕЖНОГО ЯЩИКА", 1, 0, 1, 0),
        bin_field("ДЛИТЕЛЬНОСТЬ ИМП. ДЕНЕЖНОГО ЯЩИКА", 1, 0, 255, 10),
        bin_field("ДЛИТЕЛЬНОСТЬ ПАУЗЫ ДЕНЕЖНОГО ЯЩИКА", 1, 0, 255, 1),
        bin_field("КОЛИЧЕСТВО ИМП. ДЕНЕЖНОГО ЯЩИКА", 1, 0, 255, 1),
        bin_field("ИСПОЛЬЗОВАНИЕ ВЕСОВЫХ ДАТЧИКОВ", 1, 0, 1, 0),
        bin_field("НАЧИСЛЕНИЕ НАЛОГОВ", 1, 0, 1, 0, Access.SHIFT_CLOSED_ONLY),
        bin_field("АВТОМАТИЧЕСКИЙ ПЕРЕВОД ВРЕМЕНИ", 1, 0, 0, 0),
        bin_field("ПЕЧАТЬ НАЛОГОВ", 1, 1, 4, 1),
        bin_field("ПЕЧАТЬ ЗАГОЛОВКА", 1, 0, 1, 0),
        bin_field("ПЕЧАТЬ ЕДИНИЧНОГО КОЛИЧЕСТВА", 1, 1, 1, 1),
        bin_field("СОХРАНЯТЬ СТРОКИ В БУФЕРЕ ЧЕКА", 1, 1, 1, 1),
        bin_field("ПЕЧАТЬ ЧЕКА ПО ЗАКРЫТИЮ", 1, 1, 1, 1),
        bin_field("ПРОМОТКА ПЕРЕД ОТРЕЗКОЙ", 1, 0, 1, 0),
        bin_field("ОТРЕЗКА ПРИ ОТКРЫТОМ ЧЕКЕ", 1, 0, 1, 0),
        bin_field("ЗАПРЕТ НУЛЕВОГО ЧЕКА", 1, 0, 1, 0),
        bin_field("ОТСТУП В СТРОКЕ ТИПОВ ОПЛАТЫ", 1, 0, 1, 1),
        bin_field("ИСПОЛЬЗОВАНИЕ ФОРМАТИРОВАНИЯ В ЧЕКЕ", 1, 0, 1, 0),
        bin_field("ОБНУЛЕНИЕ СЧЕТЧИКА ЧЕКОВ", 1, 0, 1, 0),
        bin_field("КОНТРОЛЬ ВРЕМЕНИ", 1, 0, 99, 0),
        bin_field("ОТКЛЮЧЕНИЕ ЗВУКА ПРИ ОШИБКАХ", 1, 0, 1, 0),
        bin_field("МЕЖСТРОЧНЫЙ ИНТЕРВАЛ", 1, 0, 10, 5),
        bin_field("ТИП СУТОЧНОГО ОТЧЕТА", 1, 0, 1, 0),
        bin_field("СЖАТИЕ ШРИФТА НА ЧЕКОВОЙ ЛЕНТЕ", 1, 0, 1, 1),
        bin_field("РАЗГОН ПРИ ПЕЧАТИ", 1, 0, 1, 1),
        bin_field("КОРРЕКЦИЯ ЯРКОСТИ", 1, 0, 1, 0),
        bin_field("ЯРКОСТЬ ПЕЧАТИ", 1, 0, 3, 1),
        bin_field("ПЕЧАТЬ ТИПОВ ОПЛАТЫ", 1, 0, 2, 1),
        bin_field("ПОЛОЖЕНИЕ ПРИНТЕРА", 1, 0, 1, 0),
        bin_field("ПЕЧАТЬ РНМ", 1, 1, 1, 1),
        bin_field("УКОРОЧЕННОЕ КЛИШЕ", 1, 0, 1, 0),
        bin_field("ПЕЧАТЬ КЛИШЕ ПОСЛЕ ЗАВЕРШЕНИЯ ДОКУМЕНТА", 1, 0, 1, 1),
        bin_field("СКОРОСТЬ ПЕЧАТИ", 1, 0, 2, 2),
        bin_field("КОДИРОВАНИЕ РЕКВИЗИТОВ ЧЕКА", 1, 0, 1, 1),
        bin_field("КОДИРОВАНИЕ ССЫЛКИ", 1, 0, 2, 0),
        bin_field("АВТОПЕЧАТЬ ЖУРНАЛА", 1, 0, 1, 0),
        bin_field("ВЕДЕНИЕ ЖУРНАЛА", 1, 0, 2, 0),
        bin_field("РЕЖИМ НИЗКОГО ПОТРЕБЛЕНИЯ", 1, 0, 1, 0),
        bin_field("ТАЙМАУТ АВТОВЫКЛЮЧЕНИЯ (МИН)", 1, 0, 250, 10),
        bin_field("ВКЛЮЧЕНИЕ ПО ПИТАНИЮ", 1, 0, 1, 1),
    )),
    2: TableLayout("ПАРОЛИ КАССИРОВ И АДМИНИСТРАТОРОВ", rows=30, fields=(
        bin_field("ПАРОЛИ КАССИРОВ", 4, 0, 99999999, tuple(range(1, OPERATORS + 1))),
        char_field("ДОЛЖНОСТИ И ФАМИЛИИ КАССИРОВ", 64, tuple(cashier_name(n) for n in range(1, OPERATORS + 1))),
    )),
    3: TableLayout("ТАБЛИЦА ПЕРЕВОДА ВРЕМЕНИ", rows=20, fields=(
        bin_field("РАЗРЕШЕНИЕ ПЕРЕВОДА", 1, 0, 1, (0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0)),
        bin_field("ЧИСЛО", 1, 1, 31, (28, 31, 27, 30, 25, 28, 31, 27, 30, 26, 29, 25, 27, 30, 26, 29, 25, 28, 31, 27)),
        bin_field("МЕСЯЦ", 1, 1, 12, (3, 10, 3, 10, 3, 10, 3, 10, 3, 10, 3, 10, 3, 10, 3, 10, 3, 10, 3, 10)),
        char_field("ВРЕМЯ ГОДА", 15, ("2010 ГОД ВЕСНА", "2010 ГОД ОСЕНЬ", "2011 ГОД ВЕСНА", "2011 ГОД ОСЕНЬ", "2012 ГОД ВЕСНА", "2012 ГОД ОСЕНЬ", "2013 ГОД ВЕСНА", "2013 ГОД ОСЕНЬ", "2014 ГОД ВЕСНА", "2014 ГОД ОСЕНЬ", "2015 ГОД ВЕСНА", "2015 ГОД ОСЕНЬ", "2016 ГОД ВЕСНА", "2016 ГОД ОСЕНЬ", "2017 ГОД ВЕСНА", "2017 ГОД ОСЕНЬ", "2018 ГОД ВЕСНА", "2018 ГОД ОСЕНЬ", "2019 ГОД ВЕСНА", "2019 ГОД ОСЕНЬ")),
    )),
    4: TableLayout("ТЕКСТ В ЧЕКЕ", rows=14, fields=(
        char_field("ЗАПРОГРАММИРОВАННЫЕ СТРОКИ", 64, ""),
    )),
    5: TableLayout("НАИМЕНОВАНИЕ ТИПОВ ОПЛАТЫ", rows=16, fields=(
        char_field("ЗАПРОГРАММИРОВАННЫЕ ТИПЫ ОПЛАТЫ", 64, ("НАЛИЧНЫМИ", "CREDIT", "КАРТА", "СКИДКА", "РАСШИРЕННАЯ ОПЛАТА 1", "РАСШИРЕННАЯ ОПЛАТА 2", "РАСШИРЕННАЯ ОПЛАТА 3", "РАСШИРЕННАЯ ОПЛАТА 4", "РАСШИРЕННАЯ ОПЛАТА 5", "РАСШИРЕННАЯ ОПЛАТА 6", "РАСШИРЕННАЯ ОПЛАТА 7", "РАСШИРЕННАЯ ОПЛАТА 8", "РАСШИРЕННАЯ ОПЛАТА 9", "ПРЕДВАРИТЕЛЬНАЯ ОПЛАТА (АВАНС)", "ПОСЛЕДУЮЩАЯ ОПЛАТА (КРЕДИТ)", "ИНАЯ ФОРМА ОПЛАТЫ")),
    )),
    6: TableLayout("НАЛОГОВЫЕ СТАВКИ", rows=6, fields=(
        bin_field("ВЕЛИЧИНА НАЛОГА", 2, 0, 9999, (2000, 1000, 0, 0, 2000, 1000)),
        char_field("НАЗВАНИЕ НАЛОГА", 64, ("НДС 20%", "НДС 10%", "НДС 0%", "БЕЗ НДС", "НДС 20/120", "НДС 10/110")),
    )),
    7: TableLayout("НАИМЕНОВАНИЕ ОТДЕЛОВ", rows=16, fields=(
        char_field("ЗАПРОГРАММИРОВАННЫЕ НАЗВАНИЯ СЕКЦИЙ", 64, ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16")),
    )),
    8: TableLayout("НАСТРОЙКА ШРИФТОВ", rows=1, fields=(
        bin_field("ТЕКСТ В ЧЕКЕ", 1, 1, 9, 1),
        bin_field("РЕКЛАМНЫЙ ТЕКСТ", 1, 1, 9, 1),
        bin_field("ЗАГОЛОВОК ЧЕКА", 1, 1, 9, 1),
        bin_field("1 СТРОКА В ОПЕРАЦИИ", 1, 1, 9, 1),
        bin_field("2 СТРОКА В ОПЕРАЦИИ", 1, 1, 9, 1),
        bin_field("3 СТРОКА В ОПЕРАЦИИ", 1, 1, 9, 1),
        bin_field("1 СТРОКА В СКИДКЕ", 1, 1, 9, 1),
        bin_field("2 СТРОКА В СКИДКЕ", 1, 1, 9, 1),
        bin_field("1 СТРОКА В НАДБАВКЕ", 1, 1, 9, 1),
        bin_field("2 СТРОКА В НАДБАВКЕ", 1, 1, 9, 1),
        bin_field("1 СТРОКА В СТОРНО СКИДКИ", 1, 1, 9, 1),
        bin_field("2 СТРОКА В СТОРНО СКИДКИ", 1, 1, 9, 1),
        bin_field("1 СТРОКА В СТОРНО НАДБАВКИ", 1, 1, 9, 1),
        bin_field("2 СТРОКА В СТОРНО НАДБАВКИ", 1, 1, 9, 1),
        bin_field("СТРОКА В ЗАКРЫТИИ ЧЕКА", 1, 1, 9, 1),
        bin_field("СКИДКА В ЗАКРЫТИИ ЧЕКА", 1, 1, 9, 1),
        bin_field("ВСЕГО В ЗАКРЫТИИ ЧЕКА", 1, 1, 9, 1),
        bin_field("ИТОГ ЧЕКА", 1, 1, 9, 2),
        bin_field("ТЕКСТ В ТИПЕ ОПЛАТЫ", 1, 1, 9, 1),
        bin_field("ТЕКСТ В СДАЧЕ", 1, 1, 9, 1),
        bin_field("ОБОРОТ ПО НАЛОГАМ", 1, 1, 9, 1),
        bin_field("НАЛОГИ", 1, 1, 9, 1),
        bin_field("ШРИФТ ПО УМОЛЧАНИЮ", 1, 1, 9, 1),
        bin_field("ШРИФТ ТАБЛИЧНОЙ ФОРМЫ", 1, 1, 9, 5),
    )),
    9: TableLayout("ТАБЛИЦА ФОРМАТА ЧЕКА", rows=17, fields=(
        bin_field("НОМЕР СТРОКИ", 1, 1, 3, (1, 2, 3, 3, 2, 1, 2, 2, 1, 2, 2, 1, 2, 2, 1, 2, 2)),
        bin_field("СМЕЩЕНИЕ В СТРОКЕ (В СИМВОЛАХ)", 1, 0, 63, (0, 18, 0, 31, 0, 0, 0, 31, 0, 0, 31, 0, 0, 31, 0, 0, 31)),
        bin_field("РАЗМЕР (В СИМВОЛАХ)", 1, 0, 63, (48, 30, 20, 17, 10, 48, 10, 17, 48, 10, 17, 48, 16, 17, 48, 16, 17)),
        bin_field("ВЫРАВНИВАНИЕ", 1, 0, 1, (0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1)),
        char_field("НАИМЕНОВАНИЕ", 30, ("НАИМЕНОВАНИЕ В ОПЕРАЦИИ", "КОЛИЧЕСТВО X ЦЕНУ В ОПЕРАЦИИ", "СЕКЦИЯ В ОПЕРАЦИИ", "СТОИМОСТЬ В ОПЕРАЦИИ", "НАДПИСЬ СТОРНО В ОПЕРАЦИИ", "ТЕКСТ В СКИДКЕ", "НАДПИСЬ СКИДКА", "СУММА СКИДКИ", "ТЕКСТ В НАДБАВКЕ", "НАДПИСЬ НАДБАВКА", "СУММА НАДБАВКИ", "ТЕКСТ В СТОРНО СКИДКИ", "НАДПИСЬ СТОРНО СКИДКИ", "СУММА СТОРНО СКИДКИ", "ТЕКСТ В СТОРНО НАДБАВКИ", "НАДПИСЬ СТОРНО НАДБАВКИ", "СУММА СТОРНО НАДБАВКИ")),
    )),
    10: TableLayout("СЛУЖЕБНАЯ", rows=1, fields=(
        bin_field("РАССТОЯНИЕ ОТ ГОЛОВКИ ДО НОЖА", 1, 0, 255, 70),
        bin_field("РАССТОЯНИЕ ОТ НОЖА ДО ГРЕБЕНКИ", 1, 0, 255, 0),
        bin_field("НИЖНИЙ ПОРОГ НАПРЯЖЕНИЯ", 1, 28, 33, 30),
        bin_field("ВЕРХНИЙ ПОРОГ НАПРЯЖЕНИЯ", 1, 40, 60, 50),
        bin_field("ЗАРЕЗЕРВИРОВАНО", 1, 0, 255, 0),
        bin_field("КАЛИБРОВКА ТПГ (НЕ ИСПОЛЬЗУЕТСЯ)", 1, 0, 0, 0),
        bin_field("ШИРИНА ПЕЧАТИ", 1, 1, 2, 1),
        bin_field("ИНТЕРФЕЙСНАЯ ПЛАТА (НЕ ИСПОЛЬЗУЕТСЯ)", 1, 0, 0, 0),
        bin_field("ЭМУЛЯЦИЯ ШТРИХ (НЕ ИСПОЛЬЗУЕТСЯ)", 1, 0, 0, 0),
        bin_field("ВРЕМЯ ОЖИДАНИЯ ФН", 1, 2, 30, 30),
        # The dump reads 1 here, outside the range 50..250 the same device reports for this
        # unused field. kktemu keeps the range and starts at its minimum, so a host that
        # writes back what 1Fh read is not refused with 33h.
        bin_field("ПОРОГ ДАТЧИКА ЛЕНТЫ (НЕ ИСПОЛЬЗУЕТСЯ)", 1, 50, 250, 50),
        bin_field("НЕ ВЕЩАТЬ UDP", 1, 0, 1, 0),
        bin_field("ВЫПОЛНЕНА ПРИНУДИТЕЛЬНАЯ ПЕРЕЗАГРУЗКА", 1, 0, 0, 0),
        bin_field("TIME SET 1", 4, 0, 0, 0),
        bin_field("TIME MOVE 1", 4, 0, 0, 0),
        bin_field("TIME MOVE 2", 4, 0, 0, 0),
        bin_field("TIME MOVE 3", 4, 0, 0, 0),
        bin_field("TIME FLAGS 1", 4, 0, 0, 0),
    )),
    11: TableLayout("ПАРАМЕТРЫ КОДИРОВАНИЯ QR-КОДОВ", rows=1, fields=(
        bin_field("КОДИРОВАТЬ ТЕКСТ В UTF-8", 1, 0, 1, 1),
        bin_field("РАЗМЕР МОДУЛЯ КОДА РЕКЛАМНОГО ТЕКСТА", 1, 3, 8, 3),
        bin_field("ИЗБЫТОЧНОСЬ КОДА РЕКЛАМНОГО ТЕКСТА", 1, 0, 3, 1),
        bin_field("МАСКА КОДА РЕКЛАМНОГО ТЕКСТА", 1, 0, 8, 0),
        bin_field("ВЫРАВНИВАНИЕ КОДА РЕКЛАМНОГО ТЕКСТА", 1, 0, 2, 1),
        bin_field("РАЗМЕР МОДУЛЯ КОДА ВЕБ-ССЫЛКИ", 1, 3, 8, 3),
        bin_field("ИЗБЫТОЧНОСЬ КОДА ВЕБ-ССЫЛКИ", 1, 0, 3, 0),
        bin_field("МАСКА КОДА ВЕБ-ССЫЛКИ", 1, 0, 8, 0),
        bin_field("ВЫРАВНИВАНИЕ КОДА ВЕБ-ССЫЛКИ", 1, 0, 2, 1),
    )),
    12: TableLayout("ВЕБ-ССЫЛКА", rows=1, fields=(
        char_field("ССЫЛКА СТРОКА 1", 40, "link"),
        char_field("ССЫЛКА СТРОКА 2", 40, " "),
        char_field("ССЫЛКА СТРОКА 3", 40, " "),
    )),
    13: TableLayout("ПАРАМЕТРЫ ТЕРМОПЕЧАТИ", rows=1, fields=(
        bin_field("STANDART PRINTING ENERGY, UJ", 2, 100, 400, 250),
        bin_field("TEMPERATURE COEFFICIENT, X1000X16", 1, 10, 128, 32),
        bin_field("AJUSTED RESISTANCE, OHMS", 2, 100, 2000, 210),
        bin_field("THERMAL PAPER COEFFICIENT, X32", 1, 16, 64, 35),
    )),
    14: TableLayout("SDCARD STATUS", rows=1, fields=(
        bin_field("STATUS", 1, 0, 255, 0),
        bin_field("CLUSTER SIZE", 4, 0, 4294967295, 0),
        bin_field("TOTAL SECTORS", 4, 0, 4294967295, 0),
        bin_field("FREE SECTORS", 4, 0, 4294967295, 0),
        bin_field("I/O ERRORS", 4, 0, 4294967295, 0),
        bin_field("RETRY COUNT", 4, 0, 4294967295, 0),
    )),
    15: TableLayout("СЕРВЕР ТРАНЗАКЦИЙ", rows=1, fields=(
        bin_field("РЕЖИМ ПЕРЕДАЧИ", 1, 0, 2, 0),
        bin_field("SERVER IP1", 1, 0, 255, 0),
        bin_field("SERVER IP2", 1, 0, 255, 0),
        bin_field("SERVER IP3", 1, 0, 255, 0),
        bin_field("SERVER IP4", 1, 0, 255, 0),
        bin_field("SERVER PORT", 2, 0, 65535, 7779),
    )),
    16: TableLayout("CЕТЕВОЙ АДРЕС", rows=1, fields=(
        bin_field("STATIC IP", 1, 0, 255, 0),
        bin_field("СТАТУС DHCP", 1, 0, 255, 255),
        bin_field("LOCAL IP1", 1, 0, 255, 255),
        bin_field("LOCAL IP2", 1, 0, 255, 255),
        bin_field("LOCAL IP3", 1, 0, 255, 255),
        bin_field("LOCAL IP4", 1, 0, 255, 255),
        bin_field("GW1", 1, 0, 255, 255),
        bin_field("GW2", 1, 0, 255, 255),
        bin_field("GW3", 1, 0, 255, 255),
        bin_field("GW4", 1, 0, 255, 255),
        bin_field("MASK1", 1, 0, 255, 255),
        bin_field("MASK2", 1, 0, 255, 255),
        bin_field("MASK3", 1, 0, 255, 255),
        bin_field("MASK4", 1, 0, 255, 255),
        bin_field("DNS1", 1, 0, 255, 255),
        bin_field("DNS2", 1, 0, 255, 255),
        bin_field("DNS3", 1, 0, 255, 255),
        bin_field("DNS4", 1, 0, 255, 255),
        bin_field("SOCKS5 КЛИЕНТ", 1, 0, 1, 0),
        bin_field("SOCKS5 IP1", 1, 0, 255, 192),
        bin_field("SOCKS5 IP2", 1, 0, 255, 168),
        bin_field("SOCKS5 IP3", 1, 0, 255, 137),
        bin_field("SOCKS5 IP4", 1, 0, 255, 1),
        bin_field("SOCKS5 PORT", 2, 1, 65535, 1080),
    )),
    17: TableLayout("РЕГИОНАЛЬНЫЕ НАСТРОЙКИ", rows=1, fields=(
        bin_field("KZ БИН/ИИН", 1, 0, 1, 0),
        bin_field("KZ ТРЕБОВАТЬ ОТКРЫВАТЬ СМЕНУ", 1, 0, 1, 1),
        bin_field("RUS РЕЖИМ ИСЧИСЛЕНИЯ СКИДОК", 1, 0, 2, 2),
        bin_field("RUS МИН РАЗМ МОДУЛЯ QR", 1, 4, 7, 5),
        bin_field("RUS МИН КОРР ОШИБОК QR", 1, 0, 3, 1),
        bin_field("RUS МИН РАЗМЕР QR В ТОЧКАХ", 1, 140, 255, 160),
        # 0 prints every document. The Go driver of re-star-ru writes 1 before a receipt it
        # does not want printed. NOTE: the dump contains 2, a shop setting; 0 is assumed here.
        bin_field("RUS НЕ ПЕЧАТАТЬ ДОКУМЕНТ", 1, 0, 3, 0),
        bin_field("RUS ОГРАНИЧИТЬ ВРЕМЯ СМЕНЫ", 1, 0, 60, 1),
        bin_field("RUS ПЕЧАТАТЬ СКВОЗНОЙ НОМЕР", 1, 0, 2, 1),
        bin_field("RUS ПЕЧАТЬ ПАРАМЕТРОВ ОФД В ЧЕКАХ", 1, 0, 1, 0),
        bin_field("RUS ПРОВЕРЯТЬ КС ИНН", 1, 0, 7, 7),
        bin_field("RUS ПЕЧАТЬ РЕКВИЗИТОВ ПОЛЬЗОВАТЕЛЯ", 2, 0, 32767, 63),
        char_field("RUS НАИМЕНОВАНИЕ РЕКВИЗИТА ПОЛЬЗОВАТЕЛЯ", 64, "Код"),
        bin_field("RUS ПЕЧАТЬ РЕКВИЗИТА ПОЛЬЗОВАТЕЛЯ", 1, 0, 1, 1),
        bin_field("RUS ПЕЧАТЬ ОТМЕНЕННЫХ ДОКУМЕНТОВ", 1, 0, 1, 0),
        bin_field("RUS ПЕЧАТЬ НАЛОГА В ОПЕРАЦИИ", 1, 0, 3, 3),
        # The ФФД version code of the registration (2 = 1.05, 4 = 1.2), read from the profile.
        bin_field("RUS ФОРМАТ ФД", 1, 1, 4, 4, Access.FIXED_BY_REGISTRATION),
        bin_field("RUS КОМПАКТНЫЙ ЗАГОЛОВОК", 1, 0, 6, 0),
        char_field("RUS НАЗВАНИЕ БОНУСА 1", 32, "БОНУСЫ СПАСИБО"),
        char_field("RUS НАЗВАНИЕ БОНУСА 2", 32, "СКИДКА"),
        bin_field("RUS ПАТТЕРН СЕПАРАТОРА ЗАГОЛОВКА", 1, 0, 255, 126),
        bin_field("RUS ВЫСОТА СЕПАРАТОРА ЗАГОЛОВКА", 1, 0, 10, 3),
        bin_field("RUS ПЕЧАТЬ НОМЕРА ОПЕРАЦИИ", 1, 0, 2, 0),
        bin_field("RUS ФОРМАТ УЗКОГО ЗАГОЛОВКА", 1, 0, 1, 0),
        bin_field("RUS АВТОПЕЧАТЬ ТЕГОВ", 1, 0, 1, 1),
        bin_field("RUS СПОСОБ ВЫЧИСЛЕНИЯ ВЫРУЧКИ", 1, 0, 2, 1),
        bin_field("RUS ИСПОЛЬЗОВАТЬ ФУТЕР ЧЕКА", 1, 0, 1, 1),
        bin_field("RUS МИНИМИЗАЦИЯ ДАННЫХ ЧЕКА", 1, 0, 31, 0),
        bin_field("СКРЫВАТЬ ПАРОЛЬ WIFI В ТЕХПРОГОНЕ", 1, 0, 1, 1),
        bin_field("RUS ВЫРАВНИВАНИЕ QR В КЗ", 1, 0, 1, 1),
        bin_field("RUS РЕПЛИКА ДОКУМЕНТА ФН", 1, 0, 0, 0),
        bin_field("СБРАСЫВАТЬ СКОРОСТЬ RS ПРИ ТЕХПРОГОНЕ", 1, 0, 1, 1),
        bin_field("RUS АВТООЧИСТКА НС ПРИ РЕГИСТРАЦИИ", 1, 0, 1, 0),
        bin_field("RUS ГРУППИРОВАТЬ ФИСК. ДАННЫЕ", 1, 0, 1, 1),
        bin_field("RUS СТРОГИЙ ФЛК", 1, 0, 1, 1),
        bin_field("RUS РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД", 1, 0, 1, 0),
        bin_field("RUS КОЛИЧЕСТВО АВАНСОВ", 1, 1, 10, 1),
        bin_field("RUS АВТОКОРРЕКЦИЯ СТАВКИ НДС", 1, 0, 1, 1),
        bin_field("RUS НОВЫЕ ЗАГОЛОВКИ РЕКВИЗИТОВ", 1, 0, 1, 1),
        bin_field("RUS СПОСОБ ВЫДЕЛЕНИЯ НДС", 1, 0, 1, 1),
        bin_field("ВОССТАНАВЛИВАТЬ ВРЕМЯ ИЗ ФН ПРИ СБОЕ ПИТ", 1, 0, 1, 1),
        bin_field("RUS ПРИНИМАТЬ ВСЕ КТ", 1, 0, 1, 0),
        bin_field("RUS ДОБАВЛЯТЬ АДРЕС ОТПРАВИТЕЛЯ", 1, 0, 1, 0),
        bin_field("RUS ИСПОЛЬЗОВАТЬ БУКВУ В НАЛОГАХ", 1, 0, 1, 0),
        bin_field("RUS ЗАМЕНА ЕНВД", 1, 0, 2, 1),
        bin_field("RUS ЗАПРЕТ ПРОИЗВОЛЬНОЙ СНО", 1, 0, 1, 0),
    )),
    # Fields 1-6 come from the registration in the ФН and the ФН itself (read-only), fields
    # 7-15 start from the registration data and keep what the host writes for the next
    # re-registration. The register fills in the empty defaults here (see register_tables).
    18: TableLayout("FISCAL STORAGE", rows=1, fields=(
        char_field("SERIAL NUMBER", 21, access=Access.READ_ONLY),
        char_field("INN", 17, access=Access.READ_ONLY),
        char_field("RNM", 21, access=Access.READ_ONLY),
        char_field("FS SERIAL NUMBER", 17, access=Access.READ_ONLY),
        bin_field("TAX SYSTEM", 1, 0, 255, 0, Access.READ_ONLY),
        bin_field("WORK MODE", 1, 0, 255, 0, Access.READ_ONLY),
        char_field("USER", 128),
        char_field("OPERATOR", 64),
        char_field("ADDRESS", 128),
        char_field("OFD NAME", 128),
        char_field("OFD URL", 64),
        char_field("OFD INN", 17),
        char_field("TAX OFFICE URL", 64),
        char_field("МЕСТО РАСЧЕТА", 128),
        char_field("ЭЛ. АДР. ОТПРАВИТЕЛЯ", 64),
        bin_field("ПРИЗНАК АГЕНТА", 1, 0, 127, 0),
        char_field("USER СТРОКА 2", 128, ""),
        char_field("ADDRESS СТРОКА 2", 128, ""),
        char_field("OFD NAME СТРОКА 2", 128, ""),
        char_field("МЕСТО РАСЧЕТА СТРОКА 2", 128, ""),
        bin_field("РАСШИРЕННЫЕ ПРИЗНАКИ РАБОТЫ ККТ", 1, 0, 127, 16),
        bin_field("КОД ПРИЧИНЫ ИЗМ. СВЕДЕНИЙ О ККТ (ФФД>=1.", 4, 0, 4294967295, 0),
        char_field("ИНН КАССИРА", 13, ""),
    )),
    # NOTE: kktemu's ОФД link does not read this table yet; the values point at a mock ОФД
    # on this machine.
    19: TableLayout("ПАРАМЕТРЫ ОФД", rows=1, fields=(
        char_field("СЕРВЕР", 64, "127.0.0.1"),
        bin_field("ПОРТ", 2, 1, 65535, 7779),
        bin_field("ТАЙМАУТ ЧТЕНИЯ ОТВЕТА", 2, 300, 65535, 1000),
        bin_field("ЗАДЕРЖКА МЕЖДУ ПАКЕТАМИ, МС", 2, 0, 3000, 100),
        char_field("СЕРВЕР КМ", 64, ""),
        bin_field("ПОРТ КМ", 2, 1, 65535, 7778),
        bin_field("ТАЙМАУТ ЧТЕНИЯ ОТВЕТА КМ", 2, 5, 65535, 33),
        bin_field("ТАЙМАУТ ЧТЕНИЯ ОТВЕТА КМ ПРИ ПРОВЕРКЕ", 2, 2, 65535, 5),
        char_field("СЕРВЕР АС ОКП", 128, ""),
        bin_field("ПОРТ АС ОКП", 2, 1, 65535, 31101),
        bin_field("ТАЙМАУТ АС ОКП", 2, 5, 65, 60),
    )),
}
