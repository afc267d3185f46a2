"""CPU time to classify a crafted 1 MiB archive tail: the former per-byte scan against record_scan.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/archive_tail.py [--reps 3] [--case pattern]

For each crafted tail the script builds an archive image (header, then the tail)
and runs ``parse_archive`` on it twice: once as the reader does now, and once
with the torn-tail scan replaced by the former loop. That loop checks for a whole
record at every later byte and computes the CRC-32 of each record that fits. It
prints the CPU seconds of each (the best of ``--reps`` for the current reader;
the former one runs once, as it takes seconds) and their ratio, and checks
that both give the same verdict. Numbers are printed, never asserted; the
script exits with status 1 only when the verdicts differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import zlib
from unittest import mock

from kktemu.fn_storage import archive_file
from kktemu.fn_storage.archive_file import (
    MAX_PAYLOAD_SIZE,
    MAX_RECORD_SIZE,
    RECORD_OVERHEAD,
    ArchiveHeader,
    encode_record,
    parse_archive,
)
from kktemu.fn_storage.errors import ArchiveError

PATTERN = b"\x00\x00\x08\x00"


def _former_scan(data: bytes, start: int, stop: int, overhead: int, max_payload: int) -> int | None:
    """Check every start on its own, as the reader did before record_scan."""
    for c in range(start, min(stop, len(data) - overhead + 1)):
        length = int.from_bytes(data[c:c + 4], "little")
        end = c + overhead + length
        if length <= max_payload and end <= len(data) and (
                zlib.crc32(data[c:end - 4]) == int.from_bytes(data[end - 4:end], "little")):
            return c
    return None


def _tails() -> dict[str, bytes]:
    hidden = encode_record(1, b"\x11" * 3000)
    half = 1 << 19
    return {
        "pattern": PATTERN * (MAX_RECORD_SIZE // 4),
        "4 zeros+pattern": bytes(4) + PATTERN * (MAX_RECORD_SIZE // 4 - 1),
        "pattern+record": PATTERN * ((MAX_RECORD_SIZE - len(hidden) - 1) // 4) + b"\x01" + hidden,
        "half zeros+pat.": bytes(half) + PATTERN * ((MAX_RECORD_SIZE - half) // 4),
        "zeros": bytes(MAX_RECORD_SIZE),
    }


def _verdict(image: bytes) -> str:
    try:
        contents = parse_archive(image)
    except ArchiveError as exc:
        return f"refused: {exc.kind} {sorted(exc.details.items())}"
    return f"read: torn tail of {contents.torn_tail_bytes} bytes"


def _timed(image: bytes) -> tuple[float, str]:
    begin = time.process_time()
    verdict = _verdict(image)
    return time.process_time() - begin, verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="runs of the current reader per case (best is kept)")
    parser.add_argument("--case", action="append", choices=sorted(_tails()), help="run only this case (repeatable)")
    args = parser.parse_args()
    header = ArchiveHeader(serial="9999078900000003", created=dt.datetime(2024, 6, 1, 12, 0),
                           key_check=b"\x00\x01\x02\x03")
    assert (RECORD_OVERHEAD, MAX_PAYLOAD_SIZE) == (9, 1 << 20)
    failed = False
    print(f"{'case':<16} {'tail bytes':>10} {'former s':>9} {'now s':>8} {'ratio':>8}  verdict")
    for name, tail in _tails().items():
        if args.case and name not in args.case:
            continue
        image = header.encode() + tail
        now = min(_timed(image) for _ in range(max(1, args.reps)))
        with mock.patch.object(archive_file, "first_whole_record", _former_scan):
            former = _timed(image)
        same = former[1] == now[1]
        failed |= not same
        print(f"{name:<16} {len(tail):>10} {former[0]:>9.2f} {now[0]:>8.3f} {former[0] / now[0]:>8.1f}  "
              f"{now[1][:70]}{'' if same else '  DIFFERS from former: ' + former[1][:70]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
