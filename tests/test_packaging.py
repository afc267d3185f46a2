"""Packaging and layering rules of the repository.

The root folders install as subpackages of the ``kktemu`` namespace; a folder
missing from pyproject's package list would silently drop out of the wheel, and a
bare ``import protocol`` would load a second copy of a module.
"""

from __future__ import annotations

import ast
import pathlib
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE_FOLDERS = {"protocol": "kktemu.protocol", "fn_storage": "kktemu.fn_storage",
                   "emulator": "kktemu.emulator", "tools": "kktemu.tools"}
# Which kktemu subpackages each layer may import (DESIGN.md, "Layout").
ALLOWED_IMPORTS = {
    "protocol": {"protocol"},
    "fn_storage": {"protocol", "fn_storage"},
    "emulator": {"protocol", "fn_storage", "emulator"},
    "tools": {"protocol", "fn_storage", "emulator", "tools"},
}


def _source_files():
    for folder in PACKAGE_FOLDERS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _imported_modules(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_every_package_folder_is_listed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set()
    for folder, package in PACKAGE_FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"
    assert listed - found == set(), "these listed packages have no __init__.py"


@pytest.mark.parametrize("path", list(_source_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_use_namespace_and_layering(path):
    layer = path.relative_to(ROOT).parts[0]
    for module in _imported_modules(path):
        top = module.split(".")[0]
        assert top not in PACKAGE_FOLDERS, f"bare import {module!r}: import it as kktemu.{module}"
        if top == "kktemu":
            target = module.split(".")[1]
            assert target in ALLOWED_IMPORTS[layer], f"{layer} must not import kktemu.{target}"
