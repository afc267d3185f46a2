"""Find the first whole archive record that starts anywhere in a span of bytes.

The archive reader asks this of a torn tail: does a whole record (a length field,
a type byte, the payload and a CRC-32 over the three) start at any later byte?
Checking each start on its own costs the CRC-32 of the record it announces, so a
tail full of plausible length fields costs time quadratic in its size. Here the
CRC-32 of every prefix that ends at a start or at a CRC field is computed once,
in one pass of ``zlib.crc32``. The CRC-32 of a candidate record is derived
from two prefixes. That takes one multiplication in GF(2)[x] modulo the CRC-32
polynomial, done by byte tables when many records have the same size. The cost
is linear in the span, plus a few microseconds per start whose length field
announces a record that fits.
"""

from __future__ import annotations

import struct
import zlib
from collections import Counter

__all__ = ["first_whole_record"]

_POLY = 0xEDB88320  # CRC-32 polynomial, bit-reflected as zlib uses it
_ONE = 0x80000000  # the polynomial 1 in that representation
_SHORT_RECORD = 2048  # records up to this size are checked with a direct zlib.crc32
_TABLE_USES = 16  # a record size seen this often gets byte tables for its shift
_LOW_BITS = 10  # x^(8n) = x^(8 (n mod 1024)) * x^(8192 (n div 1024)), both from tables


def _times_x(value: int) -> int:
    return (value >> 1) ^ _POLY if value & 1 else value >> 1


def _multiply(a: int, b: int) -> int:
    """Return a * b mod the CRC-32 polynomial, both in zlib's bit-reflected form."""
    product = 0
    mask = _ONE
    while a:
        if a & mask:
            product ^= b
            a ^= mask
        mask >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _byte_tables(b: int) -> tuple[list[int], ...]:
    """Return four 256-entry tables: table k contains v * ``b`` for the byte v at bits 8k..8k+7 of a factor."""
    singles = [0] * 32  # singles[i] = (1 << i) * b
    value = b
    for bit in range(31, -1, -1):
        singles[bit] = value
        value = _times_x(value)
    tables = []
    for k in range(4):
        table = [0] * 256
        for v in range(1, 256):
            low = v & -v
            table[v] = table[v ^ low] ^ singles[8 * k + low.bit_length() - 1]
        tables.append(table)
    return tuple(tables)


def _byte_power_tables() -> tuple[list[int], list[int]]:
    """Return x^(8i) for i < 1024 and x^(8192 j) for the j that a 1 MiB record needs."""
    low = [_ONE]
    for _ in range((1 << _LOW_BITS) - 1):
        value = low[-1]
        for _ in range(8):
            value = _times_x(value)
        low.append(value)
    step = low[-1]
    for _ in range(8):
        step = _times_x(step)  # x^(8 * 1024)
    high = [_ONE]
    for _ in range(((1 << 20) + 64) >> _LOW_BITS):
        high.append(_multiply(high[-1], step))
    return low, high


_tables: tuple[list[int], list[int]] | None = None


def _byte_power(count: int) -> int:
    """Return x^(8 count) mod the CRC-32 polynomial, for a count below 1 MiB + 64."""
    global _tables
    if _tables is None:
        _tables = _byte_power_tables()
    low, high = _tables
    power = low[count & ((1 << _LOW_BITS) - 1)]
    if count >> _LOW_BITS:
        power = _multiply(power, high[count >> _LOW_BITS])
    return power


def _fitting_sizes(data: bytes, start: int, stop: int, overhead: int) -> list[int]:
    """Return, for each c in [start, stop), the size of the record whose length field is at c, or 0
    when that record would run past the end of ``data``."""
    sizes = [0] * (stop - start)
    room = len(data) - overhead  # a record at c fits when c + length <= room
    for phase in range(min(4, stop - start)):
        first = start + phase
        count = (stop - first + 3) // 4
        lengths = struct.unpack_from(f"<{count}I", data, first)
        limit = room - first
        sizes[phase::4] = [overhead + length if length + 4 * i <= limit else 0 for i, length in enumerate(lengths)]
    return sizes


def first_whole_record(data: bytes, start: int, stop: int, overhead: int, max_payload: int) -> int | None:
    """Return the smallest c in [start, stop) where a whole record starts, or None.

    A whole record at c has a 4-byte little-endian length L <= ``max_payload``,
    ends inside ``data`` (c + ``overhead`` + L <= len(data)), and its last 4
    bytes are the little-endian CRC-32 of the bytes before them. ``overhead`` is
    the bytes of a record around its payload (at least 8: the length field and
    the CRC-32). The result equals that of checking each c in turn.

    NOTE: starts that announce records of many different sizes above 2 KiB get
    no byte tables, so each costs two bitwise multiplications: about 2 s of CPU
    for 1 MiB with such a start at every fourth byte (bench/README.md).
    """
    stop = min(stop, len(data) - overhead + 1)
    if stop <= start:
        return None
    largest = overhead + max_payload
    long_starts: list[tuple[int, int]] = []
    crc32 = zlib.crc32
    for c, size in enumerate(_fitting_sizes(data, start, stop, overhead), start):
        if not size or size > largest:
            continue
        end = c + size
        if size > _SHORT_RECORD:
            long_starts.append((c, end - 4))
        elif crc32(data[c:end - 4]) == int.from_bytes(data[end - 4:end], "little"):
            return _first_long_before(data, long_starts, c) if long_starts else c
    return _first_long_before(data, long_starts, None) if long_starts else None


def _first_long_before(data: bytes, long_starts: list[tuple[int, int]], bound: int | None) -> int | None:
    """Return the first c of ``long_starts`` (sorted (c, CRC field position) pairs, all before ``bound``)
    whose record matches its CRC-32, else ``bound``."""
    positions = sorted({c for c, _ in long_starts} | {crc_end for _, crc_end in long_starts})
    base = positions[0]
    prefix: dict[int, int] = {}

    view = memoryview(data)
    crc = 0
    previous = base
    for position in positions:
        crc = zlib.crc32(view[previous:position], crc)
        prefix[position] = crc
        previous = position

    uses = Counter(crc_end - c for c, crc_end in long_starts)
    powers: dict[int, int] = {}
    tables: dict[int, tuple[list[int], ...]] = {}
    for c, crc_end in long_starts:
        count = crc_end - c
        # CRC-32 of data[c:crc_end] from the CRC-32 of data[base:c] and of data[base:crc_end]:
        # crc(A + B) = crc(A) * x^(8 len(B)) xor crc(B).
        if count not in powers:
            powers[count] = _byte_power(count)
            if uses[count] >= _TABLE_USES:
                tables[count] = _byte_tables(powers[count])

        head = prefix[c]
        by_byte = tables.get(count)
        if by_byte is None:
            shifted = _multiply(head, powers[count])
        else:
            shifted = (by_byte[0][head & 0xFF] ^ by_byte[1][(head >> 8) & 0xFF]
                       ^ by_byte[2][(head >> 16) & 0xFF] ^ by_byte[3][head >> 24])
        if prefix[crc_end] ^ shifted == int.from_bytes(data[crc_end:crc_end + 4], "little"):
            return c
    return bound
