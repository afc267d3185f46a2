"""Money and quantity units of the register: int kopecks, int millionths of a unit, half-up rounding."""

from __future__ import annotations

MILLION = 1_000_000  # millionths of a unit in one unit of quantity
MAX_MONEY = 9_999_999_999  # the range of the 5-byte money fields of the Штрих-М protocol


def round_half_up(numerator: int, denominator: int) -> int:
    """Divide non-negative integers and round half up (16.665 → 16.67)."""
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)
