"""The ``kktemu`` command line: thin click commands over the library."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Emulator of a cloud fiscal cash register (ККТ) and its fiscal storage (ФН)."""
