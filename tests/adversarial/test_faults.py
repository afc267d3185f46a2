"""Faults under a running ``kktemu serve``: disk full, SIGKILL mid-receipt, a read-only file.

Each test runs the real CLI in a child process on a ФН file under ``tmp_path``.
A full disk is simulated with RLIMIT_FSIZE on the child. A write that crosses
the limit is cut short and the next one fails with EFBIG. A write to a full
filesystem behaves the same way, failing with ENOSPC. Python ignores SIGXFSZ, so
the child sees an OSError, not a signal. ``resource.prlimit`` lifts the limit
again while the child runs ("space returns").
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kktemu.fn_storage import read_archive
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import encode_frame

ADMIN = 30
CASHIER = 1
STATUS = c.ShortStatusRequest(ADMIN).encode()
FN_STATUS = c.FnStatusRequest(ADMIN).encode()
OPEN_SHIFT = c.OpenShiftRequest(ADMIN).encode()
Z_REPORT = c.ZReportRequest(ADMIN).encode()
CANCEL = c.CancelReceiptRequest(CASHIER).encode()
CLOSE = c.CloseReceiptRequest(CASHIER, (1_000_000, 0, 0, 0), 0, (0, 0, 0, 0), "").encode()
FN_FAILURE = 0x03  # ФН result "неисправность ФН", passed through as the Штрих-М error byte
RECEIPT_MODE = 8
SHIFT_OPEN_MODE = 2
_READY = re.compile(r"listening tcp 127\.0\.0\.1:(\d+)")


def _sale(number: int, name_width: int = 0) -> bytes:
    name = f"Товар {number} " + "x" * name_width
    return c.SaleRequest(CASHIER, 1000, 100 + number, 1, (1, 0, 0, 0), name).encode()


class ServeProcess:
    """``kktemu serve`` on port 0 in a child process, optionally with a file size limit.

    Its stderr goes through a pipe, because RLIMIT_FSIZE would also cut a log
    file; a thread collects it for failure messages.
    """

    def __init__(self, fn_path: Path, file_size_limit: int | None = None) -> None:
        def limit_file_size() -> None:
            if file_size_limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, resource.RLIM_INFINITY))

        self.fn_path = fn_path
        self.stderr_lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from kktemu.tools.cli import main; main()",
             "--lang", "en", "-v", "serve", "--port", "0", "--fn-file", str(fn_path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit_file_size,
        )
        self._stderr_reader = threading.Thread(target=self._collect_stderr, daemon=True)
        self._stderr_reader.start()
        self.port = self._read_port()

    def _collect_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def _read_port(self) -> int:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            match = _READY.match(line)
            if match:
                return int(match.group(1))
        self.process.wait(10)
        self._stderr_reader.join(10)
        raise AssertionError(f"kktemu serve exited with {self.process.returncode}: {self.stderr}")

    def lift_file_size_limit(self) -> None:
        resource.prlimit(self.process.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    def stop(self) -> int:
        """Stop with SIGTERM; return the exit status."""
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(10)
        self._stderr_reader.join(10)
        return status

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def serve_process(tmp_path, helpers):
    """Return ``start(file_size_limit=None)``; every child still running is killed at the end."""
    started: list[ServeProcess] = []
    clients: list = []

    def start(file_size_limit: int | None = None):
        child = ServeProcess(tmp_path / "fn.bin", file_size_limit)
        started.append(child)
        client = helpers.TcpHost(child.port)
        clients.append(client)
        return child, client

    yield start
    for client in clients:
        client.close()
    for child in started:
        if child.process.poll() is None:
            child.kill()


def _mode(client) -> int:
    return c.ShortStatusAnswer.decode(client.command(STATUS)).mode & 0x0F


def _last_fd(client) -> int:
    return c.FnStatusAnswer.decode(client.command(FN_STATUS)).last_document_number


def _prepare_archive(serve_process) -> int:
    """Register the ФН, open a shift and form one receipt; return the file size."""
    child, client = serve_process()
    assert client.command(OPEN_SHIFT)[1] == 0
    assert client.command(_sale(0))[1] == 0
    assert client.command(CLOSE)[1] == 0
    client.close()
    assert child.stop() == 0, child.stderr
    return os.path.getsize(child.fn_path)


def test_disk_full_answers_error_and_keeps_documents(serve_process, tmp_path, helpers):
    fn_path = tmp_path / "fn.bin"
    size = _prepare_archive(serve_process)
    stored = fn_path.read_bytes()

    child, client = serve_process(file_size_limit=size + 100)
    assert client.command(_sale(1))[1] == 0
    # The host sees an error answer at once, not silence.
    assert client.command(CLOSE) == bytes((0x85, FN_FAILURE))
    assert client.command(CLOSE) == bytes((0x85, FN_FAILURE))
    assert _mode(client) == RECEIPT_MODE
    assert _last_fd(client) == 3
    assert fn_path.read_bytes()[:size] == stored
    client.close()
    child.kill()

    # Restarted with room again: the cut record is dropped, numbering goes on.
    child, client = serve_process()
    assert _mode(client) == SHIFT_OPEN_MODE
    assert client.command(_sale(2))[1] == 0
    assert client.command(CLOSE)[1] == 0
    assert _last_fd(client) == 4
    documents = helpers.assert_archive_valid(fn_path)
    assert [document.form for document in documents] == [1, 2, 3, 3]
    assert fn_path.read_bytes()[:size] == stored


def test_disk_full_then_space_returns_keeps_archive_readable(serve_process, tmp_path, helpers):
    fn_path = tmp_path / "fn.bin"
    size = _prepare_archive(serve_process)

    child, client = serve_process(file_size_limit=size + 100)
    for number in range(10):
        assert client.command(_sale(number, name_width=60))[1] == 0
    assert client.command(CLOSE) == bytes((0x85, FN_FAILURE))
    child.lift_file_size_limit()
    assert client.command(CANCEL)[1] == 0
    assert client.command(Z_REPORT)[1] == 0  # a record much shorter than the failed receipt
    assert client.command(OPEN_SHIFT)[1] == 0
    client.close()
    assert child.stop() == 0, child.stderr

    documents = helpers.assert_archive_valid(fn_path)
    assert [document.form for document in documents] == [1, 2, 3, 5, 2]


def test_stop_while_disk_full_exits_cleanly(serve_process):
    size = _prepare_archive(serve_process)
    child, client = serve_process(file_size_limit=size + 100)
    assert client.command(_sale(1))[1] == 0
    assert client.command(CLOSE) == bytes((0x85, FN_FAILURE))
    client.close()

    assert child.stop() == 0, child.stderr


def test_refused_receipt_not_stored_when_space_returns(serve_process, tmp_path):
    # The host got error 03h for the receipt and cancelled it, so the receipt
    # must not appear in the archive later.
    fn_path = tmp_path / "fn.bin"
    size = _prepare_archive(serve_process)
    child, client = serve_process(file_size_limit=size + 100)
    assert client.command(_sale(1))[1] == 0
    assert client.command(CLOSE) == bytes((0x85, FN_FAILURE))
    assert client.command(CANCEL)[1] == 0
    assert _last_fd(client) == 3
    child.lift_file_size_limit()
    client.close()
    child.stop()

    assert [document.fd_number for document in read_archive(fn_path).documents] == [1, 2, 3]


def test_sigkill_mid_receipt_then_restart(serve_process, tmp_path, helpers):
    fn_path = tmp_path / "fn.bin"
    child, client = serve_process()
    assert client.command(OPEN_SHIFT)[1] == 0
    assert client.command(_sale(1))[1] == 0
    assert client.command(_sale(2))[1] == 0
    assert _mode(client) == RECEIPT_MODE
    child.kill()

    # The open receipt dies with the process, as on a power cut; the ФН
    # document it began is cancelled when the register starts again.
    child, client = serve_process()
    assert _mode(client) == SHIFT_OPEN_MODE
    assert _last_fd(client) == 2
    assert client.command(_sale(3))[1] == 0
    assert client.command(CLOSE)[1] == 0
    assert _last_fd(client) == 3
    client.close()
    assert child.stop() == 0, child.stderr
    documents = helpers.assert_archive_valid(fn_path)
    assert [document.form for document in documents] == [1, 2, 3]


@pytest.mark.parametrize("delay", [0.0, 0.001, 0.005])
def test_sigkill_right_after_close_frame(serve_process, tmp_path, helpers, delay):
    # The receipt is in the archive whole, or not at all, never half.
    fn_path = tmp_path / "fn.bin"
    child, client = serve_process()
    assert client.command(OPEN_SHIFT)[1] == 0
    assert client.command(_sale(1))[1] == 0
    client.send(encode_frame(CLOSE))
    time.sleep(delay)
    child.kill()

    contents = read_archive(fn_path)
    formed = len(contents.documents) - 2
    assert formed in (0, 1)
    child, client = serve_process()
    assert _mode(client) == SHIFT_OPEN_MODE
    assert _last_fd(client) == 2 + formed
    assert client.command(_sale(2))[1] == 0
    assert client.command(CLOSE)[1] == 0
    assert _last_fd(client) == 3 + formed
    documents = helpers.assert_archive_valid(fn_path)
    assert [document.form for document in documents] == [1, 2] + [3] * (1 + formed)


def test_read_only_file_while_serving(serve_process, tmp_path, helpers):
    # The emulator holds the archive open, so taking write permission away
    # later changes nothing for it: documents are still stored.
    fn_path = tmp_path / "fn.bin"
    child, client = serve_process()
    assert client.command(OPEN_SHIFT)[1] == 0
    fn_path.chmod(0o444)
    try:
        assert client.command(_sale(1))[1] == 0
        assert client.command(CLOSE)[1] == 0
        assert _last_fd(client) == 3
    finally:
        fn_path.chmod(0o644)
    client.close()
    assert child.stop() == 0, child.stderr
    documents = helpers.assert_archive_valid(fn_path)
    assert [document.form for document in documents] == [1, 2, 3]


def test_second_server_on_same_file_refused(serve_process, tmp_path):
    fn_path = tmp_path / "fn.bin"
    child, client = serve_process()
    assert client.command(OPEN_SHIFT)[1] == 0
    stored = fn_path.read_bytes()

    second = subprocess.run(
        [sys.executable, "-c", "from kktemu.tools.cli import main; main()",
         "--lang", "en", "serve", "--port", "0", "--fn-file", str(fn_path)],
        capture_output=True, text=True, timeout=30,
    )

    assert second.returncode == 1
    assert "locked" in second.stderr
    assert fn_path.read_bytes() == stored
    assert client.command(_sale(1))[1] == 0
    assert client.command(CLOSE)[1] == 0
    assert _last_fd(client) == 3
