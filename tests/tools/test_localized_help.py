"""Help screens in English and Russian: every command and option has both, and --clock lists what it accepts."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner, Result

from kktemu.tools.cli import main
from kktemu.tools.i18n import message
from kktemu.tools.localized import LocalizedCommand, LocalizedGroup, LocalizedOption

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
COMMANDS = [(), ("fn",), ("fn", "inspect"), ("fn", "serve"), ("serve",), ("ofd",), ("ofd", "serve"),
            ("ofd", "documents")]
COMMAND_IDS = ["kktemu"] + [" ".join(path) for path in COMMANDS[1:]]
# The field's Russian terms, which English texts keep as written; longest first, so ФПД goes before ФД.
FIELD_TERMS = ("ШТРИХ-М-01Ф", "квитанция", "Штрих-М", "ФПД", "ФФД", "ККТ", "ОФД", "ИНН", "БСО", "ФН", "ФД")
CLICK_ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "[default:", "[OPTIONS]")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    environment: dict[str, str | None] = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None, **(env or {})}
    return CliRunner().invoke(main, list(args), env=environment, prog_name="kktemu", catch_exceptions=False)


def flat(text: str) -> str:
    """Undo click's line wrapping, which may also break a line after the hyphen of YYYY-MM-DD."""
    return " ".join(re.sub(r"(?<=\w-)\n\s*", "", text).split())


def walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, child in command.commands.items():
            yield from walk(child, (*path, name))


@pytest.mark.parametrize(("path", "command"), list(walk(main)), ids=lambda value: " ".join(value)
                         if isinstance(value, tuple) else "")
def test_every_command_and_option_localized(path, command):
    assert isinstance(command, (LocalizedCommand, LocalizedGroup)), path
    for key in (command.help_key, command.short_help_key, command.epilog_key):
        if key is not None:
            assert CYRILLIC.search(message(key, "ru")), key
    for param in command.params:
        if isinstance(param, click.Option):
            assert isinstance(param, LocalizedOption), (path, param.opts)
            assert CYRILLIC.search(message(param.help_key, "ru")), param.help_key
            assert message(param.help_key, "ru") != message(param.help_key, "en")


@pytest.mark.parametrize("path", COMMANDS, ids=COMMAND_IDS)
def test_help_russian(path):
    result = run("--lang", "ru", *path, "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Использование: kktemu")
    assert "Параметры:" in result.output
    assert "Показать эту справку и выйти." in result.output
    for words in CLICK_ENGLISH:
        assert words not in result.output


@pytest.mark.parametrize("path", COMMANDS, ids=COMMAND_IDS)
def test_help_english(path):
    result = run("--lang", "en", *path, "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: kktemu")
    assert "Options:" in result.output
    text = result.output
    for term in FIELD_TERMS:
        text = text.replace(term, "")
    assert not CYRILLIC.search(text)


def test_help_lang_after_help_option():
    result = run("serve", "--help", "--lang", "ru")
    assert result.exit_code == 0
    assert result.output.startswith("Использование: kktemu serve [ПАРАМЕТРЫ]")
    assert "Запустить эмулятор ККТ ШТРИХ-М-01Ф" in result.output


def test_help_russian_from_locale():
    result = run("fn", "inspect", "--help", env={"LANG": "ru_RU.UTF-8"})
    assert "Показать только ФД номер N" in result.output


def test_help_defaults_russian():
    output = flat(run("--lang", "ru", "serve", "--help").output)
    assert "[по умолчанию: 7778; 0<=x<=65535]" in output
    assert "[по умолчанию: kktemu.fn]" in output


def test_help_defaults_english():
    output = flat(run("--lang", "en", "serve", "--help").output)
    assert "[default: 7778; 0<=x<=65535]" in output


def test_group_lists_russian_summaries():
    output = flat(run("--lang", "ru", "--help").output)
    assert "Команды:" in output
    assert "serve Запустить эмулятор ККТ ШТРИХ-М-01Ф" in output
    assert "ofd Запустить имитатор ОФД или показать полученные им документы." in output
    assert "Код завершения: 0 при успехе" in output


def test_version_help_russian():
    assert "--version Показать версию и выйти." in flat(run("--lang", "ru", "--help").output)


# --- --clock -------------------------------------------------------------------------------

CLOCK_FORMS_EN = "YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (a space may replace the T; a date alone " \
                 "means midnight)"
CLOCK_FORMS_RU = "ГГГГ-ММ-ДД, ГГГГ-ММ-ДДTЧЧ:ММ или ГГГГ-ММ-ДДTЧЧ:ММ:СС (вместо T можно поставить пробел; дата " \
                 "без времени означает полночь)"


@pytest.mark.parametrize(("lang", "forms"), [("en", CLOCK_FORMS_EN), ("ru", CLOCK_FORMS_RU)])
@pytest.mark.parametrize("path", [("serve",), ("fn", "serve")], ids=["serve", "fn-serve"])
def test_clock_help_lists_forms(lang, forms, path):
    assert forms in flat(run("--lang", lang, *path, "--help").output)


@pytest.mark.parametrize(("lang", "forms"), [("en", CLOCK_FORMS_EN), ("ru", CLOCK_FORMS_RU)])
def test_clock_error_lists_forms(lang, forms, tmp_path):
    result = run("--lang", lang, "serve", "--port", "0", "--fn-file", str(tmp_path / "fn"), "--clock", "noon")
    assert result.exit_code == 2
    assert forms in result.stderr


def test_fn_serve_clock_names_fn_timer():
    output = flat(run("--lang", "en", "fn", "serve", "--help").output)
    assert "--clock ISO_TIME Start the ФН timer at this local date and time" in output
    assert "--freeze-clock Keep the ФН timer stopped" in output
    assert "register" not in output.split("--clock ISO_TIME", 1)[1].split("--fn-validity", 1)[0]


def test_serve_clock_names_register():
    output = flat(run("--lang", "en", "serve", "--help").output)
    assert "--clock ISO_TIME Start the emulated clock of the register and its ФН" in output


def test_fn_serve_clock_russian_names_fn_timer():
    output = flat(run("--lang", "ru", "fn", "serve", "--help").output)
    assert "Запустить таймер ФН с этой местной даты и времени" in output
    assert "ККТ" not in output.split("--clock ISO_TIME", 1)[1].split("--fn-validity", 1)[0]
