"""click's usage errors in the language of the run: the usage line, the hint and a message with the value and the fix.

Every case exits with status 2 and prints nothing to stdout. In Russian no word
of click's English (Usage, Error, Invalid, Try) is left.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from kktemu.tools.cli import main

ENGLISH_WORDS = ("Usage", "Error", "Invalid", "Try ", "No such", "Missing")

CASES = [
    (("serve", "--port", "70000"),
     "Error: --port 70000 is out of range: give a whole number from 0 to 65535.",
     "Ошибка: --port 70000 вне допустимого диапазона: укажите целое число от 0 до 65535."),
    (("serve", "--port", "abc"),
     "Error: --port 'abc' is not a whole number: give a whole number from 0 to 65535.",
     "Ошибка: --port 'abc' не является целым числом: укажите целое число от 0 до 65535."),
    (("serve", "--ffd", "1.1"),
     "Error: --ffd '1.1' is not one of 1.05, 1.2: give one of them.",
     "Ошибка: --ffd '1.1' не входит в список допустимых значений (1.05, 1.2): укажите одно из них."),
    (("fn", "inspect", "--doc", "0", "fn.bin"),
     "Error: --doc 0 is out of range: give a whole number of at least 1.",
     "Ошибка: --doc 0 вне допустимого диапазона: укажите целое число не меньше 1."),
    (("fn", "inspect"),
     "Error: missing argument PATH: give it as the usage line shows.",
     "Ошибка: не указан аргумент PATH: укажите его, как показано в строке «Использование»."),
    (("serve", "--bogus"),
     "Error: no such option: --bogus (did you mean --host, --verbose?).",
     "Ошибка: нет такого параметра: --bogus (возможно, имелось в виду --host, --verbose)."),
    (("bogus",),
     "Error: no such command: bogus.",
     "Ошибка: нет такой команды: bogus."),
    (("serve", "--port"),
     "Error: --port needs a value: give it after the option (--port PORT).",
     "Ошибка: для --port нужно значение: укажите его после параметра (--port PORT)."),
    (("serve", "--no-flc=1"),
     "Error: --no-flc takes no value: give it alone, without '='.",
     "Ошибка: --no-flc не принимает значения: укажите его без «=»."),
    (("fn", "inspect", "a.fn", "b.fn"),
     "Error: unexpected argument b.fn: remove it, the command does not take it.",
     "Ошибка: лишний аргумент b.fn: уберите его, команда его не принимает."),
    (("fn", "inspect", "a.fn", "b.fn", "c.fn"),
     "Error: unexpected arguments b.fn c.fn: remove them, the command does not take them.",
     "Ошибка: лишние аргументы b.fn c.fn: уберите их, команда их не принимает."),
    (("serve", "--pty", "."),
     "Error: --pty '.' is a directory: give the path of a file.",
     "Ошибка: --pty '.' — каталог: укажите путь к файлу."),
    (("ofd", "serve", "--delay", "-1"),
     "Error: --delay -1 is out of range: give a number of at least 0.",
     "Ошибка: --delay -1 вне допустимого диапазона: укажите число не меньше 0."),
    (("ofd", "serve", "--delay", "soon"),
     "Error: --delay 'soon' is not a number: give a number of at least 0.",
     "Ошибка: --delay 'soon' не является числом: укажите число не меньше 0."),
]


@pytest.fixture
def cli():
    """Return ``run(*args, env=None)``: ``kktemu`` in-process under its own name, with no locale unless ``env`` sets one."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        environment: dict[str, str | None] = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None, **(env or {})}
        return CliRunner().invoke(main, list(args), env=environment, prog_name="kktemu", catch_exceptions=False)

    return run


IDS = ["port-range", "port-text", "ffd-choice", "doc-zero", "missing-path", "unknown-option", "unknown-command",
       "option-without-value", "flag-with-value", "extra-argument", "extra-arguments", "path-directory",
       "delay-range", "delay-text"]


@pytest.mark.parametrize(("args", "english", "russian"), CASES, ids=IDS)
def test_usage_error_english(cli, args, english, russian):
    result = cli("--lang", "en", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(english + "\n")
    assert "Try '" in result.stderr


@pytest.mark.parametrize(("args", "english", "russian"), CASES, ids=IDS)
def test_usage_error_russian(cli, args, english, russian):
    result = cli("--lang", "ru", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(russian + "\n")
    assert result.stderr.startswith("Использование: kktemu")
    assert "Справка: 'kktemu" in result.stderr
    for word in ENGLISH_WORDS:
        assert word not in result.stderr


def test_usage_line_russian(cli):
    result = cli("--lang", "ru", "serve", "--port", "70000")
    assert result.stderr.splitlines()[:2] == ["Использование: kktemu serve [ПАРАМЕТРЫ]",
                                              "Справка: 'kktemu serve --help'."]


def test_missing_command_russian(cli):
    result = cli("--lang", "ru")
    assert result.exit_code == 2
    assert result.stderr.startswith("Использование: kktemu [ПАРАМЕТРЫ] КОМАНДА [АРГУМЕНТЫ]...\n")
    assert result.stderr.endswith("Ошибка: не указана команда: укажите одну из них: fn, ofd, serve.\n")


@pytest.mark.parametrize("args", [
    ("serve", "--port", "70000", "--lang", "ru"),
    ("serve", "--bogus", "--lang", "ru"),
    ("serve", "--lang=ru", "--ffd", "1.1"),
    ("fn", "inspect", "--lang", "ru"),
], ids=["value-before-lang", "parser-error-before-lang", "lang-equals", "missing-argument"])
def test_lang_after_subcommand_russian(cli, args):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Использование:")
    assert "Ошибка: " in result.stderr


def test_locale_russian_usage_error(cli):
    result = cli("serve", "--port", "70000", env={"LANG": "ru_RU.UTF-8"})
    assert result.exit_code == 2
    assert "Ошибка: --port 70000 вне допустимого диапазона" in result.stderr


def test_last_lang_wins(cli):
    result = cli("--lang", "ru", "serve", "--lang", "en", "--port", "70000")
    assert result.stderr.startswith("Usage: kktemu serve [OPTIONS]")


def test_bad_lang_in_locale_language(cli):
    result = cli("--lang", "xx", "serve", env={"LANG": "ru_RU.UTF-8"})
    assert result.exit_code == 2
    assert result.stderr.endswith("Ошибка: --lang 'xx' не входит в список допустимых значений (en, ru): "
                                  "укажите одно из них.\n")


def test_group_without_command_prints_help(cli):
    result = cli("--lang", "ru", "fn")
    assert result.exit_code == 2
    assert "Команды:" in result.output
    assert "Ошибка" not in result.output
