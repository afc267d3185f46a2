"""Global options of the kktemu command: --version, and --lang/-v after the subcommand."""

from __future__ import annotations

from click.testing import CliRunner

from kktemu.tools.cli import main


def test_version_printed():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("kktemu ")


def test_lang_after_subcommand(tmp_path):
    missing = tmp_path / "missing.fn"
    result = CliRunner().invoke(main, ["fn", "inspect", str(missing), "--lang", "ru"], env={"LANG": "C"})
    assert result.exit_code == 1
    assert "не найден" in result.output


def test_lang_after_subcommand_overrides_group(tmp_path):
    missing = tmp_path / "missing.fn"
    result = CliRunner().invoke(main, ["--lang", "ru", "fn", "inspect", str(missing), "--lang", "en"])
    assert result.exit_code == 1
    assert "not found" in result.output


def test_verbose_accepted_after_subcommand(tmp_path):
    result = CliRunner().invoke(main, ["fn", "inspect", str(tmp_path / "x.fn"), "-vv"])
    assert result.exit_code == 1
    assert "No such option" not in result.output
