"""Catalogue entries for click's own words: usage errors and the fixed parts of the help screens.

``usage_errors`` and ``localized`` fill them with the option, the value and
the limits read from click's exception and parameter objects. ``i18n.message``
looks keys up here too.
"""

from __future__ import annotations

USAGE_MESSAGES: dict[str, dict[str, str]] = {
    # Help screens.
    "usage_prefix": {"en": "Usage:", "ru": "Использование:"},
    "usage_options_metavar": {"en": "[OPTIONS]", "ru": "[ПАРАМЕТРЫ]"},
    "usage_command_metavar": {"en": "COMMAND [ARGS]...", "ru": "КОМАНДА [АРГУМЕНТЫ]..."},
    "usage_hint": {"en": "Try '{command} {option}' for help.", "ru": "Справка: '{command} {option}'."},
    "help_options_title": {"en": "Options", "ru": "Параметры"},
    "help_commands_title": {"en": "Commands", "ru": "Команды"},
    "help_help": {"en": "Show this message and exit.", "ru": "Показать эту справку и выйти."},
    "help_version": {"en": "Show the version and exit.", "ru": "Показать версию и выйти."},
    "help_extra_default": {"en": "default: {value}", "ru": "по умолчанию: {value}"},
    "help_extra_required": {"en": "required", "ru": "обязательный"},
    "help_extra_envvar": {"en": "env var: {names}", "ru": "переменная окружения: {names}"},
    # Values that an option's type rejects.
    "usage_number_whole": {"en": "a whole number", "ru": "целое число"},
    "usage_number_any": {"en": "a number", "ru": "число"},
    "usage_bounds_between": {"en": "{number} from {min} to {max}", "ru": "{number} от {min} до {max}"},
    "usage_bounds_min": {"en": "{number} of at least {min}", "ru": "{number} не меньше {min}"},
    "usage_bounds_max": {"en": "{number} of at most {max}", "ru": "{number} не больше {max}"},
    "usage_bounds_range": {"en": "{number} in the range {range}", "ru": "{number} в диапазоне {range}"},
    "usage_out_of_range": {
        "en": "{name} {value} is out of range: give {expected}.",
        "ru": "{name} {value} вне допустимого диапазона: укажите {expected}.",
    },
    "usage_not_a_whole_number": {
        "en": "{name} {value!r} is not a whole number: give {expected}.",
        "ru": "{name} {value!r} не является целым числом: укажите {expected}.",
    },
    "usage_not_a_number": {
        "en": "{name} {value!r} is not a number: give {expected}.",
        "ru": "{name} {value!r} не является числом: укажите {expected}.",
    },
    "usage_not_a_choice": {
        "en": "{name} {value!r} is not one of {choices}: give one of them.",
        "ru": "{name} {value!r} не входит в список допустимых значений ({choices}): укажите одно из них.",
    },
    "usage_path_is_directory": {
        "en": "{name} {value!r} is a directory: give the path of a file.",
        "ru": "{name} {value!r} — каталог: укажите путь к файлу.",
    },
    "usage_path_is_file": {
        "en": "{name} {value!r} is a file: give the path of a directory.",
        "ru": "{name} {value!r} — файл: укажите путь к каталогу.",
    },
    "usage_path_missing": {
        "en": "{name} {value!r} does not exist: give an existing path.",
        "ru": "{name} {value!r} не существует: укажите существующий путь.",
    },
    "usage_invalid_value": {
        "en": "{name} {value!r} is not a valid value: the help lists what the option takes.",
        "ru": "{name} {value!r}: недопустимое значение, допустимые значения описаны в справке.",
    },
    "usage_invalid_parameter": {
        "en": "invalid value for {name}: the help lists what it takes.",
        "ru": "недопустимое значение {name}: допустимые значения описаны в справке.",
    },
    # Options and arguments that are missing, unknown or misplaced.
    "usage_missing_argument": {
        "en": "missing argument {name}: give it as the usage line shows.",
        "ru": "не указан аргумент {name}: укажите его, как показано в строке «Использование».",
    },
    "usage_missing_option": {
        "en": "missing option {name}: it is required.",
        "ru": "не указан обязательный параметр {name}.",
    },
    "usage_no_such_option": {
        "en": "no such option: {name}{suggestion}.",
        "ru": "нет такого параметра: {name}{suggestion}.",
    },
    "usage_no_such_command": {
        "en": "no such command: {name}{suggestion}.",
        "ru": "нет такой команды: {name}{suggestion}.",
    },
    "usage_did_you_mean": {"en": " (did you mean {names}?)", "ru": " (возможно, имелось в виду {names})"},
    "usage_option_needs_value": {
        "en": "{name} needs a value: give it after the option ({name} {metavar}).",
        "ru": "для {name} нужно значение: укажите его после параметра ({name} {metavar}).",
    },
    "usage_option_takes_no_value": {
        "en": "{name} takes no value: give it alone, without '='.",
        "ru": "{name} не принимает значения: укажите его без «=».",
    },
    "usage_extra_argument": {
        "en": "unexpected argument {arguments}: remove it, the command does not take it.",
        "ru": "лишний аргумент {arguments}: уберите его, команда его не принимает.",
    },
    "usage_extra_arguments": {
        "en": "unexpected arguments {arguments}: remove them, the command does not take them.",
        "ru": "лишние аргументы {arguments}: уберите их, команда их не принимает.",
    },
    "usage_missing_command": {
        "en": "missing command: give one of {commands}.",
        "ru": "не указана команда: укажите одну из них: {commands}.",
    },
    "usage_other": {"en": "{detail}", "ru": "неверный вызов команды ({detail})."},
}
