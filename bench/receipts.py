"""Durable sale receipts per second over TCP: the emulator against a no-op server.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/receipts.py [--reps 10] [--seconds 0.75]

The script starts three servers, each in its own process on 127.0.0.1:

* ``emulator``: ``kktemu serve --port 0 --fn-file`` with a fresh ФН archive in a
  temporary directory on disk (``--disk-dir``). Every receipt is synced to disk
  before its 85h answer leaves, so this is the durable figure.
* ``no-op``: this script with ``--serve-noop``. It runs the same ``TcpServer`` and
  ``LinkSession`` code (ENQ/ACK/NAK, LRC check, answer kept until ACK), but the
  handler returns a canned success answer of the same length as the emulator's,
  with no register or ФН work and no fsync. This is the floor of the transport.
* ``emulator-tmpfs``: the emulator with its archive on tmpfs (/dev/shm), a
  diagnostic that separates the cost of fsync from the rest of the emulator's
  work. It is not a durable figure.

One client in this process drives each server over its own socket with
TCP_NODELAY and hand-built frames, like a driver: ENQ -> NAK, frame -> ACK and
the answer, then its own ACK, for each of 10h, 8Dh, 10h, 80h, 10h, 80h, 10h, 85h
(a status poll before each printing command). So a receipt is 8 transactions
and 16 round trips. Each repetition opens a shift (E0h), runs receipts for
``--seconds`` or ``--max-receipts``, then closes the shift (41h). The variants run
in a shuffled order within every repetition, and the ratios are paired by
repetition. At the end the servers are stopped and each emulator archive must
contain exactly the receipts and shift reports the client completed.

Numbers are printed, never asserted; the test suite never runs this script.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import platform
import random
import re
import selectors
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.emulator.transports.session import serialized
from kktemu.emulator.transports.tcp import TcpServer
from kktemu.fn_storage import read_archive
from kktemu.protocol.ffd.tlv import iter_tlv
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode, KktMode, KktSubmode, mode_byte
from kktemu.protocol.shtrih.frame import ACK, ENQ, FILLER, NAK, STX, encode_frame, lrc

CASHIER_PASSWORD = 1  # pyshtrih 2.0.6 sends operator 1's password for 10h, E0h, 8Dh, 80h and 85h
ADMIN_PASSWORD = 30  # and the system administrator's for 41h
TEXT_SIZE = 48  # item and closing text width that pyshtrih sends to a ШТРИХ-М-01Ф
ITEMS = ((1000, 12345, "Товар 1"), (2000, 5050, "Товар 2"))  # (quantity in thousandths, price in kopecks, name)
RECEIPT_TOTAL = sum(quantity * price // 1000 for quantity, price, _ in ITEMS)
CASH = 50000
CHANGE = CASH - RECEIPT_TOTAL
FORM_OPEN_SHIFT, FORM_RECEIPT, FORM_CLOSE_SHIFT = 2, 3, 5
TAG_RECEIPT_TOTAL = 1020
TRANSACTIONS_PER_RECEIPT = 8
MAX_RECEIPTS_PER_SHIFT = 10_000  # a longer run closes and reopens the shift outside the timed window
IO_TIMEOUT = 10.0  # seconds a server may stay silent while the client waits for a byte
STARTUP_TIMEOUT = 30.0  # seconds a server may take to print its port
MAX_FILLERS = 16  # 0xFF bytes tolerated before NAK (sent only by ff_after_ack profiles)
LISTENING = re.compile(rb"listening tcp (\S+):(\d+)")
VARIANTS = ("emulator", "no-op", "emulator-tmpfs")


class BenchError(Exception):
    """A server sent a reply that a driver would reject, went silent, or did not start."""


# Requests and canned answers.

def receipt_requests() -> list[bytes]:
    """Return the 8 request bodies of one sale receipt, status polls included."""
    status = c.ShortStatusRequest(CASHIER_PASSWORD).encode()
    no_tax = (0, 0, 0, 0)
    printing = [c.OpenReceiptRequest(CASHIER_PASSWORD, c.ReceiptType.SALE).encode()]
    printing += [c.SaleRequest(CASHIER_PASSWORD, quantity, price, 1, no_tax, name, TEXT_SIZE).encode()
                 for quantity, price, name in ITEMS]
    printing.append(c.CloseReceiptRequest(CASHIER_PASSWORD, (CASH, 0, 0, 0), 0, no_tax, "Спасибо",
                                          TEXT_SIZE).encode())
    bodies = []
    for body in printing:
        bodies += [status, body]
    return bodies


def canned_answers() -> dict[int, bytes]:
    """Return the success answer body the no-op server sends for each command code.

    The layouts and lengths are those of the emulator's answers; the client checks
    every answer's length against these, for both servers.
    """
    status = c.ShortStatusAnswer(
        operator=CASHIER_PASSWORD, flags=c.KktFlags.RECEIPT_ROLL | c.KktFlags.RECEIPT_OPTICAL_SENSOR
        | c.KktFlags.RECEIPT_HEAD_LEVER_DOWN, mode=mode_byte(KktMode.SHIFT_OPEN),
        submode=KktSubmode.PAPER_PRESENT)
    answers = [status, c.OpenReceiptAnswer(CASHIER_PASSWORD), c.SaleAnswer(CASHIER_PASSWORD),
               c.CloseReceiptAnswer(CASHIER_PASSWORD, CHANGE), c.OpenShiftAnswer(CASHIER_PASSWORD),
               c.ZReportAnswer(ADMIN_PASSWORD)]
    return {answer.CODE: answer.encode() for answer in answers}


# The no-op server, started as a child process of this script.

def serve_noop() -> None:
    """Serve canned answers on an ephemeral port until SIGTERM, printing the port like ``kktemu serve``."""
    answers = canned_answers()

    def answer(body: bytes) -> bytes:
        canned = answers.get(body[0])
        return canned if canned is not None else c.error_answer(body[0], ErrorCode.COMMAND_NOT_SUPPORTED)

    async def run() -> None:
        # The same wrapping and options as tools/serve.py gives the emulator.
        server = TcpServer(serialized(answer), "127.0.0.1", 0, ff_after_ack=SHTRIH_M_01F.ff_after_ack_tcp)
        await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        print(f"listening tcp {server.host}:{server.port}", flush=True)
        try:
            await stop.wait()
        finally:
            await server.close()

    asyncio.run(run())


# Server processes.

class ServerProcess:
    """A server child process that prints ``listening tcp HOST:PORT`` once it accepts clients."""

    def __init__(self, name: str, argv: list[str], log_path: Path):
        self.name = name
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        self.host, self.port = self._read_address()

    def _read_address(self) -> tuple[str, int]:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        output = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                match = LISTENING.search(output)
                if match:
                    return match.group(1).decode().strip("[]"), int(match.group(2))
                if not selector.select(timeout=deadline - time.monotonic()):
                    break
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    break
                output += chunk
        self.stop()
        raise BenchError(f"{self.name} server did not print its port within {STARTUP_TIMEOUT:.0f} s; "
                         f"stdout: {output.decode(errors='replace')!r}; stderr: {self.log_tail()}")

    def cpu_ns(self) -> int | None:
        """Return the CPU time of all the process's threads in ns (Linux schedstat), or None."""
        total = 0
        try:
            for task in os.scandir(f"/proc/{self.process.pid}/task"):
                with open(os.path.join(task.path, "schedstat")) as stat:
                    total += int(stat.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return total

    def log_tail(self, size: int = 2000) -> str:
        """Return the end of the server's stderr log."""
        with contextlib.suppress(OSError):
            return self.log_path.read_bytes()[-size:].decode(errors="replace") or "(empty)"
        return "(unreadable)"

    def stop(self) -> None:
        """Send SIGTERM to this process alone and wait for it; SIGKILL after 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process.stdout.close()


# The raw client.

class RawClient:
    """One driver-like connection: blocking socket, TCP_NODELAY, kernel receive timeout."""

    def __init__(self, host: str, port: int):
        self.sock = socket.create_connection((host, port), timeout=IO_TIMEOUT)
        self.sock.settimeout(None)  # a Python-level timeout would poll() before every recv
        timeout = struct.pack("ll", int(IO_TIMEOUT), 0)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    def _recv(self) -> bytes:
        try:
            data = self.sock.recv(1024)
        except BlockingIOError:
            raise BenchError(f"no byte from the server within {IO_TIMEOUT:.0f} s") from None
        if not data:
            raise BenchError("the server closed the connection")
        return data

    def transact(self, frame: bytes, answer_len: int) -> bytes:
        """Run ENQ -> NAK, frame -> ACK + answer, ACK; return the answer body.

        Raises BenchError unless the answer has the command's code, error 0, a
        correct LRC and ``answer_len`` body bytes, or when the server is silent.
        """
        sock = self.sock
        sock.sendall(_ENQ)
        for _ in range(MAX_FILLERS):
            reply = self._recv()
            reply = reply.lstrip(_FILLER)
            if reply:
                break
        if reply != _NAK:
            raise BenchError(f"reply to ENQ was {reply.hex(' ')}, expected NAK (no answer pending)")

        sock.sendall(frame)
        data = self._recv()
        while len(data) < 3 or len(data) < data[2] + 4:
            data += self._recv()
        body = data[3:-1]
        if data[0] != ACK or data[1] != STX or len(data) != data[2] + 4 or lrc(data[2:-1]) != data[-1]:
            raise BenchError(f"reply to command {frame[2]:02X}h was {data.hex(' ')}, expected ACK and one answer frame")
        if body[0] != frame[2] or body[1] != 0 or len(body) != answer_len:
            raise BenchError(f"answer to command {frame[2]:02X}h was {body.hex(' ')}, expected {frame[2]:02X} 00 "
                             f"and {answer_len} bytes")
        sock.sendall(_ACK)
        return body


_ENQ, _ACK, _NAK, _FILLER = bytes((ENQ,)), bytes((ACK,)), bytes((NAK,)), bytes((FILLER,))


class ReceiptDriver:
    """Runs shifts and sale receipts on one server and counts what completed."""

    def __init__(self, server: ServerProcess):
        self.server = server
        self.client = RawClient(server.host, server.port)
        answers = canned_answers()
        status_frame = encode_frame(c.ShortStatusRequest(CASHIER_PASSWORD).encode())
        self._status = (status_frame, len(answers[0x10]))
        self._receipt = [(encode_frame(body), len(answers[body[0]])) for body in receipt_requests()]
        self._open_shift = (encode_frame(c.OpenShiftRequest(CASHIER_PASSWORD).encode()), len(answers[0xE0]))
        self._close_shift = (encode_frame(c.ZReportRequest(ADMIN_PASSWORD).encode()), len(answers[0x41]))
        self.receipts = 0
        self.shifts_opened = 0
        self.shifts_closed = 0

    def open_shift(self) -> None:
        """Poll the status and open a shift (E0h)."""
        self.client.transact(*self._status)
        self.client.transact(*self._open_shift)
        self.shifts_opened += 1

    def close_shift(self) -> None:
        """Poll the status and close the shift with the Z report (41h)."""
        self.client.transact(*self._status)
        self.client.transact(*self._close_shift)
        self.shifts_closed += 1

    def run_receipts(self, deadline: float, limit: int) -> int:
        """Run whole receipts until ``deadline`` (monotonic seconds) or ``limit`` receipts; return the count."""
        transact = self.client.transact
        steps = self._receipt
        done = 0
        while done < limit and time.monotonic() < deadline:
            for frame, answer_len in steps:
                answer = transact(frame, answer_len)
            change = int.from_bytes(answer[3:8], "little")
            if change != CHANGE:
                raise BenchError(f"85h returned change {change} kopecks, expected {CHANGE}")
            done += 1
        self.receipts += done
        return done


@dataclasses.dataclass
class RepResult:
    """One repetition on one server: receipts, timed seconds and CPU seconds of server and client."""

    receipts: int
    seconds: float
    server_cpu: float | None
    client_cpu: float

    @property
    def rate(self) -> float:
        """Receipts per second."""
        return self.receipts / self.seconds


def run_rep(driver: ReceiptDriver, seconds: float, max_receipts: int) -> RepResult:
    """Run one repetition: a shift of receipts, timed without the shift commands.

    A repetition that reaches MAX_RECEIPTS_PER_SHIFT closes the shift and opens
    the next one with the clock stopped.
    """
    receipts, elapsed, server_cpu, client_cpu = 0, 0.0, 0, 0.0
    while receipts < max_receipts and elapsed < seconds:
        driver.open_shift()
        cpu_before = driver.server.cpu_ns()
        client_before = time.thread_time()
        started = time.monotonic()
        limit = min(max_receipts - receipts, MAX_RECEIPTS_PER_SHIFT)
        receipts += driver.run_receipts(started + seconds - elapsed, limit)
        elapsed += time.monotonic() - started
        client_cpu += time.thread_time() - client_before
        cpu_after = driver.server.cpu_ns()
        if server_cpu is not None and cpu_before is not None and cpu_after is not None:
            server_cpu += cpu_after - cpu_before
        else:
            server_cpu = None
        driver.close_shift()
    return RepResult(receipts, elapsed, None if server_cpu is None else server_cpu / 1e9, client_cpu)


# Archive check.

def check_archive(fn_path: Path, driver: ReceiptDriver) -> str:
    """Compare the archive with what the client completed; return a report line or raise BenchError."""
    contents = read_archive(fn_path)
    forms = [document.form for document in contents.documents]
    receipts = [document for document in contents.documents if document.form == FORM_RECEIPT]
    wrong_totals = 0
    for document in receipts:
        totals = [int.from_bytes(value, "little") for tag, value in iter_tlv(document.tlv) if tag == TAG_RECEIPT_TOTAL]
        if totals != [RECEIPT_TOTAL]:
            wrong_totals += 1
    expected = (driver.receipts, driver.shifts_opened, driver.shifts_closed, 0, 0)
    found = (len(receipts), forms.count(FORM_OPEN_SHIFT), forms.count(FORM_CLOSE_SHIFT),
             wrong_totals, contents.torn_tail_bytes)
    line = (f"{driver.server.name}: archive has {found[0]} receipts, {found[1]} shift openings, "
            f"{found[2]} closings; the client completed {expected[0]}, {expected[1]}, {expected[2]}")
    if found != expected:
        raise BenchError(f"{line}; receipts with a wrong total: {wrong_totals}, "
                         f"torn tail: {contents.torn_tail_bytes} bytes")
    return line + " (match; every receipt total correct, no torn tail)"


# Reporting.

def summary(values: list[float], scale: float = 1.0, digits: int = 0) -> str:
    """Format the median (min–max) of ``values`` times ``scale``."""
    scaled = [value * scale for value in values]
    return (f"{statistics.median(scaled):,.{digits}f} "
            f"({min(scaled):,.{digits}f}–{max(scaled):,.{digits}f})")


def filesystem_of(path: Path) -> str:
    """Return the filesystem type of the mount holding ``path`` (from /proc/mounts), or "unknown"."""
    best, kind = "", "unknown"
    resolved = str(path.resolve())
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            fields = line.split()
            mount = fields[1].replace("\\040", " ")
            inside = resolved == mount or resolved.startswith(mount.rstrip("/") + "/")
            if inside and len(mount) >= len(best):
                best, kind = mount, fields[2]
    return kind


def describe_machine() -> str:
    """Return one line naming the CPU, core count, OS and Python."""
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")


def describe_checkout() -> str:
    """Return the git commit of this checkout and how many library files differ from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "protocol", "fn_storage",
                                  "emulator", "tools"], capture_output=True, text=True, timeout=10,
                                 check=True).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "checkout: not a git checkout"
    return f"checkout: commit {commit}, {len(changed)} library files changed since"


def print_report(results: dict[str, list[RepResult]], filesystems: dict[str, str]) -> None:
    """Print rates, CPU per receipt and the paired ratios."""
    print(f"\nreceipts/s, median of {len(results['no-op'])} reps (min–max); "
          f"{TRANSACTIONS_PER_RECEIPT} handshake transactions per receipt")
    print(f"{'server':<34} {'receipts/s':>22} {'server CPU µs/receipt':>26} {'client CPU µs/receipt':>24}")
    for name, reps in results.items():
        label = f"{name} ({filesystems[name]})" if name in filesystems else name
        rates = [rep.rate for rep in reps]
        server = [rep.server_cpu / rep.receipts for rep in reps if rep.server_cpu is not None and rep.receipts]
        client = [rep.client_cpu / rep.receipts for rep in reps if rep.receipts]
        print(f"{label:<34} {summary(rates):>22} {summary(server, 1e6) if server else 'n/a':>26} "
              f"{summary(client, 1e6):>24}")

    noop = [rep.rate for rep in results["no-op"]]
    disk = [rep.rate for rep in results["emulator"]]
    print("\npaired per rep, median (min–max):")
    print(f"  emulator / no-op (durable)              {summary([d / n for d, n in zip(disk, noop)], digits=3)}")
    print(f"  no-op transactions/s                    {summary(noop, TRANSACTIONS_PER_RECEIPT)}")
    print(f"  emulator receipt time beyond no-op, µs  {summary([1 / d - 1 / n for d, n in zip(disk, noop)], 1e6)}")
    if "emulator-tmpfs" in results:
        shm = [rep.rate for rep in results["emulator-tmpfs"]]
        print("diagnostic, archive on tmpfs (fsync does not reach a disk; not a durable figure):")
        print(f"  emulator-tmpfs / no-op                  {summary([s / n for s, n in zip(shm, noop)], digits=3)}")
        print(f"  emulator / emulator-tmpfs               {summary([d / s for d, s in zip(disk, shm)], digits=3)}")
        print(f"  disk sync cost per receipt, µs          {summary([1 / d - 1 / s for d, s in zip(disk, shm)], 1e6)}")
        print(f"  disk sync share of receipt time         {summary([1 - d / s for d, s in zip(disk, shm)], 100)} %")


# Orchestration.

def kktemu_command() -> list[str]:
    """Return the argv prefix that runs the ``kktemu`` CLI of this interpreter's environment."""
    script = Path(sys.executable).with_name("kktemu")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from kktemu.tools.cli import main; sys.exit(main())"]


def start_servers(work: dict[str, Path], logs: Path) -> dict[str, ServerProcess]:
    """Start every variant whose directory is in ``work``; stop the started ones if one fails."""
    servers: dict[str, ServerProcess] = {}
    try:
        for name in VARIANTS:
            if name == "no-op":
                argv = [sys.executable, str(Path(__file__).resolve()), "--serve-noop"]
            elif name in work:
                argv = kktemu_command() + ["--lang", "en", "serve", "--port", "0",
                                           "--fn-file", str(work[name] / "kktemu.fn")]
            else:
                continue
            servers[name] = ServerProcess(name, argv, logs / f"{name}.log")
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers


def run_reps(drivers: dict[str, ReceiptDriver], args: argparse.Namespace,
             rng: random.Random) -> dict[str, list[RepResult]]:
    """Warm every server up, then run the repetitions with the variants in a shuffled order."""
    def run_named(name: str, seconds: float) -> RepResult:
        try:
            return run_rep(drivers[name], seconds, args.max_receipts)
        except (BenchError, OSError) as exc:
            raise BenchError(f"{name} server: {exc}") from exc

    for name in drivers:
        run_named(name, args.warmup)
    results: dict[str, list[RepResult]] = {name: [] for name in drivers}
    for rep in range(args.reps):
        order = list(drivers)
        rng.shuffle(order)
        for name in order:
            results[name].append(run_named(name, args.seconds))
        print(f"rep {rep + 1}/{args.reps}: " + ", ".join(
            f"{name} {results[name][-1].rate:,.0f}/s" for name in order))
        if any(reps[-1].receipts == 0 for reps in results.values()):
            raise BenchError("a server completed no receipt in a repetition; raise --seconds")
    return results


def run(args: argparse.Namespace) -> int:
    """Run the benchmark as ``args`` set it up; return the exit status."""
    rng = random.Random(args.seed)
    disk_root = Path(args.disk_dir) if args.disk_dir else Path(tempfile.gettempdir())
    with contextlib.ExitStack() as stack:
        work = {"emulator": Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kktemu-bench-",
                                                                                   dir=disk_root)))}
        shm = Path("/dev/shm")
        if args.tmpfs and shm.is_dir():
            work["emulator-tmpfs"] = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kktemu-bench-",
                                                                                           dir=shm)))
        elif args.tmpfs:
            print("no /dev/shm on this system: the tmpfs diagnostic is skipped")
        filesystems = {name: filesystem_of(path) for name, path in work.items()}
        if filesystems["emulator"] == "tmpfs":
            print(f"warning: {work['emulator']} is on tmpfs, so the durable figure is not durable; "
                  "pass --disk-dir on a disk", file=sys.stderr)
        print(describe_machine())
        print(describe_checkout())
        print(f"archives: {', '.join(f'{name} in {work[name]} ({kind})' for name, kind in filesystems.items())}")

        servers = start_servers(work, work["emulator"])
        for server in servers.values():
            stack.callback(server.stop)
        drivers = {name: ReceiptDriver(server) for name, server in servers.items()}
        for driver in drivers.values():
            stack.callback(driver.client.close)

        try:
            results = run_reps(drivers, args, rng)
        except (BenchError, OSError) as exc:
            logs = "; ".join(f"{server.name} stderr: {server.log_tail()}" for server in servers.values())
            raise BenchError(f"{exc}; {logs}") from exc
        print(f"load average after the run: {os.getloadavg()[0]:.2f}")

        for driver in drivers.values():
            driver.client.close()
            driver.server.stop()
        print_report(results, filesystems)
        print("\narchive check after stopping the servers (warm-up receipts included):")
        for name in work:
            print("  " + check_archive(work[name] / "kktemu.fn", drivers[name]))
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=10, help="repetitions per server (default 10)")
    parser.add_argument("--seconds", type=float, default=0.75,
                        help="timed seconds of receipts per repetition and server (default 0.75)")
    parser.add_argument("--max-receipts", type=int, default=100_000,
                        help="receipts per repetition and server at most (default 100000)")
    parser.add_argument("--warmup", type=float, default=0.3,
                        help="untimed seconds of receipts per server before the first repetition (default 0.3)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the variant order (default: random)")
    parser.add_argument("--disk-dir", help="directory on the disk to measure (default: the system temp directory)")
    parser.add_argument("--no-tmpfs", dest="tmpfs", action="store_false",
                        help="skip the diagnostic run with the archive on /dev/shm")
    parser.add_argument("--serve-noop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reps < 1 or args.seconds <= 0 or args.max_receipts < 1 or args.warmup <= 0:
        parser.error("--reps and --max-receipts must be at least 1, --seconds and --warmup above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the benchmark, or the no-op server with ``--serve-noop``."""
    args = parse_args(argv)
    if args.serve_noop:
        serve_noop()
        return 0
    try:
        return run(args)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
