"""Registration number (РНМ), ИНН and ФН number helpers.

РНМ is 16 digits: a 10-digit order number assigned by the ФНС and a 6-digit
check value. The check value is CRC-16/CCITT-FALSE over the ASCII string of the
order number (zero-padded to 10), the user's ИНН (zero-padded to 12) and the
ККТ serial number, tag 1013 (zero-padded to 20), written as a decimal number of
6 digits. Three real registrations confirm the rule (see the tests).

ИНН check digits use weighted sums modulo 11, then modulo 10: one check digit
for a 10-digit ИНН (legal entity), two for a 12-digit one (individual).
"""

from __future__ import annotations

from ..protocol.fn.crc import crc16_ccitt_false
from .errors import InvalidArgumentError

RNM_LENGTH = 16
ORDER_LENGTH = 10
TEST_FN_PREFIX = "9999078900"

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_FIRST_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_SECOND_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def rnm_check_value(order: str, inn: str, kkt_serial: str) -> str:
    """Return the 6-digit РНМ check value for an order number, ИНН and ККТ serial.

    Padding spaces around ``inn`` and ``kkt_serial`` are ignored. Raises
    InvalidArgumentError when ``order`` is not 1..10 digits or a value is too long to pad.
    """
    order = order.strip()
    if not (order.isascii() and order.isdigit()) or len(order) > ORDER_LENGTH:
        raise InvalidArgumentError(f"РНМ order number {order!r} must be 1 to 10 digits")
    inn = inn.strip()
    kkt_serial = kkt_serial.strip()
    if len(inn) > 12 or len(kkt_serial) > 20:
        raise InvalidArgumentError(f"ИНН {inn!r} (max 12) or ККТ serial {kkt_serial!r} (max 20) is too long")
    text = order.zfill(ORDER_LENGTH) + inn.zfill(12) + kkt_serial.zfill(20)
    return f"{crc16_ccitt_false(text.encode('ascii')):06d}"


def make_rnm(order: str | int, inn: str, kkt_serial: str) -> str:
    """Build the 16-digit РНМ from the order number (1..10 digits), ИНН and ККТ serial."""
    order_text = str(order).strip()
    return order_text.zfill(ORDER_LENGTH) + rnm_check_value(order_text, inn, kkt_serial)


def rnm_is_valid(rnm: str, inn: str, kkt_serial: str) -> bool:
    """Tell whether ``rnm`` (padding spaces allowed) carries the right check value."""
    rnm = rnm.strip()
    if len(rnm) != RNM_LENGTH or not (rnm.isascii() and rnm.isdigit()):
        return False
    try:
        return rnm[ORDER_LENGTH:] == rnm_check_value(rnm[:ORDER_LENGTH], inn, kkt_serial)
    except InvalidArgumentError:
        return False


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, weights)) % 11 % 10


def inn_is_valid(inn: str) -> bool:
    """Tell whether a 10- or 12-digit ИНН (padding spaces allowed) has correct check digits."""
    inn = inn.strip()
    if not inn.isdigit() or not inn.isascii():
        return False
    if len(inn) == 10:
        return _check_digit(inn, _INN10_WEIGHTS) == int(inn[9])
    if len(inn) == 12:
        return (
            _check_digit(inn, _INN12_FIRST_WEIGHTS) == int(inn[10])
            and _check_digit(inn, _INN12_SECOND_WEIGHTS) == int(inn[11])
        )
    return False


def make_test_fn_serial(number: int) -> str:
    """Return a 16-digit serial of a test ФН: ``9999078900`` and ``number`` as 6 digits.

    The 9999 0789 prefix is what МГМ (debug) ФН report, so the number cannot be
    mistaken for a production ФН. Raises InvalidArgumentError outside 0..999999.
    """
    if not 0 <= number <= 999_999:
        raise InvalidArgumentError(f"test ФН sequence number {number} is outside 0..999999")
    return f"{TEST_FN_PREFIX}{number:06d}"
