"""A ``kktemu`` console-script process for tests, with its stdout lines and stderr collected by threads.

The tests of ``serve``, ``fn serve`` and the ФН profile options start their servers with it.
The timeouts bound a loaded CI machine and are not performance claims.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

KKTEMU = Path(sys.executable).with_name("kktemu")
READY_TIMEOUT = 20.0  # seconds
IO_TIMEOUT = 5.0  # seconds


class CliProcess:
    """A running ``kktemu`` process started with ``arguments`` and environment ``environment``."""

    def __init__(self, arguments: list[str], environment: dict[str, str], name: str = "kktemu") -> None:
        assert KKTEMU.exists(), f"console script {KKTEMU} is missing; install the package with pip -e"
        self.name = name
        self.process = subprocess.Popen(
            [str(KKTEMU), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", env=environment)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    def read_lines(self, count: int) -> list[str]:
        """Wait (bounded) for ``count`` stdout lines; fail with stderr if the process ends first."""
        lines: list[str] = []
        while len(lines) < count:
            try:
                line = self.lines.get(timeout=READY_TIMEOUT)
            except queue.Empty:
                pytest.fail(f"{self.name} printed {lines} and then nothing for {READY_TIMEOUT} s")
            if line is None:
                self.process.wait(IO_TIMEOUT)
                self._stderr_reader.join(IO_TIMEOUT)
                pytest.fail(f"{self.name} exited with {self.process.returncode} after {lines}: "
                            f"{''.join(self.stderr)}")
            lines.append(line)
        return lines

    def stop(self, number: signal.Signals = signal.SIGTERM) -> int:
        """Send signal ``number`` and return the exit status."""
        self.process.send_signal(number)
        status = self.process.wait(READY_TIMEOUT)
        self._stderr_reader.join(IO_TIMEOUT)
        return status

    def kill(self) -> None:
        """Kill the process if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(IO_TIMEOUT)


def environment_without_locale(**locale: str) -> dict[str, str]:
    """Return this process's environment without locale variables, plus ``locale`` and UTF-8 I/O."""
    environment = {key: value for key, value in os.environ.items() if key not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(locale)
    return environment
