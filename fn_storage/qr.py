"""The QR code string of a receipt: ``t=…&s=…&fn=…&i=…&fp=…&n=…``.

A register prints this string as the QR code of a receipt, correction receipt,
БСО or БСО correction (forms 3, 31, 4, 41), and buyers' apps read it to find the
receipt at the ФНС. Its fields, in this order:

* ``t`` is the document date and time (tag 1012), local, ``YYYYMMDDTHHMM``.
  Some registers add seconds (``YYYYMMDDTHHMMSS``); the parser accepts both.
* ``s`` is the total (tag 1020) in rubles with a dot and two decimals. A client
  library that formatted floats produced ``s=50.0``, so one decimal is accepted
  on input but never emitted.
* ``fn`` is the ФН number (tag 1041), 16 digits.
* ``i`` is the ФД number (tag 1040) and ``fp`` the printed ФПД, both decimal
  without leading zeros.
* ``n`` is the settlement type (tag 1054), 1..4.

The string has no URL prefix and only ASCII characters. Tag 1196 (the QR code)
is a print-form item, so the ФН never stores the string: it is rebuilt from the
archived document.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ..protocol.errors import DecodeError, EncodeError
from ..protocol.ffd.tlv import iter_tlv
from ..protocol.ffd.values import decode_string
from ..protocol.fn.records import ReceiptRecord
from .archive_file import ArchivedDocument

RECEIPT_FORMS = frozenset((3, 31, 4, 41))
"""Forms that carry a QR code: receipt, correction receipt, БСО, БСО correction."""

TAG_FN_SERIAL = 1041

MAX_UINT32 = 0xFFFF_FFFF
SETTLEMENT_TYPES = range(1, 5)
FIELD_ORDER = ("t", "s", "fn", "i", "fp", "n")

_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?")
_SUM = re.compile(r"(\d+)\.(\d{1,2})")
_FN_SERIAL = re.compile(r"\d{16}")
_NUMBER = re.compile(r"\d{1,10}")


@dataclass(frozen=True)
class ReceiptQr:
    """The fields of a receipt's QR code string.

    ``moment`` is the naive local date and time (tag 1012) and ``total`` the
    total in kopecks (tag 1020). ``fn_serial`` is the 16-digit ФН number,
    ``fd_number`` the ФД number and ``fiscal_sign`` the printed ФПД (0..2³²−1).
    ``settlement_type`` is tag 1054: 1 приход, 2 возврат прихода, 3 расход,
    4 возврат расхода.
    """

    moment: _dt.datetime
    total: int
    fn_serial: str
    fd_number: int
    fiscal_sign: int
    settlement_type: int

    def encode(self) -> str:
        """Return the QR code string, with ``t`` in minutes (seconds are dropped).

        Raises EncodeError when a field is out of its range.
        """
        if not 2000 <= self.moment.year <= 9999:
            raise EncodeError(f"QR date year {self.moment.year} is outside 2000..9999")
        if self.total < 0:
            raise EncodeError(f"QR total {self.total} kopecks is negative")
        if not _FN_SERIAL.fullmatch(self.fn_serial):
            raise EncodeError(f"QR ФН number {self.fn_serial!r} is not 16 digits")
        if not 1 <= self.fd_number <= MAX_UINT32:
            raise EncodeError(f"QR ФД number {self.fd_number} is outside 1..{MAX_UINT32}")
        if not 0 <= self.fiscal_sign <= MAX_UINT32:
            raise EncodeError(f"QR ФПД {self.fiscal_sign} is outside 0..{MAX_UINT32}")
        if self.settlement_type not in SETTLEMENT_TYPES:
            raise EncodeError(f"QR settlement type (1054) {self.settlement_type} is outside 1..4")
        rubles, kopecks = divmod(self.total, 100)
        return (
            f"t={self.moment:%Y%m%dT%H%M}&s={rubles}.{kopecks:02d}&fn={self.fn_serial}"
            f"&i={self.fd_number}&fp={self.fiscal_sign}&n={self.settlement_type}"
        )

    @classmethod
    def decode(cls, text: str) -> ReceiptQr:
        """Parse a QR code string.

        The six fields may come in any order, each exactly once; ``t`` may have
        seconds, ``s`` one or two decimals, ``i`` and ``fp`` leading zeros.
        Raises DecodeError for a missing, repeated or unknown field or an
        invalid value.
        """
        fields = _split_fields(text)
        return cls(
            moment=_parse_time(fields["t"]),
            total=_parse_sum(fields["s"]),
            fn_serial=_parse_fn_serial(fields["fn"]),
            fd_number=_parse_number("i", fields["i"], minimum=1),
            fiscal_sign=_parse_number("fp", fields["fp"], minimum=0),
            settlement_type=_parse_settlement_type(fields["n"]),
        )


def receipt_qr(document: ArchivedDocument) -> ReceiptQr | None:
    """Return the QR code fields of an archived receipt, or None for other forms.

    The settlement type and total come from the document's archive record (the
    operation and total of command 16h, which the ФН checks against tags 1054
    and 1020 when the register sends them). The ФН number comes from tag 1041. Raises DecodeError when the record or
    the TLVs cannot be read or tag 1041 is missing.
    """
    if document.form not in RECEIPT_FORMS:
        return None
    record = ReceiptRecord.decode(document.record)
    for tag, value in iter_tlv(document.tlv):
        if tag == TAG_FN_SERIAL:
            serial = decode_string(value).strip()
            break
    else:
        raise DecodeError(f"ФД {document.fd_number} (form {document.form}) has no tag 1041 for its QR code")
    return ReceiptQr(
        moment=document.moment,
        total=record.total,
        fn_serial=serial,
        fd_number=document.fd_number,
        fiscal_sign=document.fiscal_sign,
        settlement_type=record.operation,
    )


def _split_fields(text: str) -> dict[str, str]:
    if not text.isascii():
        raise DecodeError("QR string contains non-ASCII characters")
    fields: dict[str, str] = {}
    for part in text.split("&"):
        key, separator, value = part.partition("=")
        if not separator:
            raise DecodeError(f"QR field {part!r} has no '='")
        if key not in FIELD_ORDER:
            raise DecodeError(f"QR field {key!r} is unknown; expected {', '.join(FIELD_ORDER)}")
        if key in fields:
            raise DecodeError(f"QR field {key!r} is repeated")
        fields[key] = value
    missing = [key for key in FIELD_ORDER if key not in fields]
    if missing:
        raise DecodeError(f"QR string is missing the field {', '.join(missing)}")
    return fields


def _parse_time(value: str) -> _dt.datetime:
    match = _TIME.fullmatch(value)
    if match is None:
        raise DecodeError(f"QR field t={value!r} is not YYYYMMDDTHHMM or YYYYMMDDTHHMMSS")
    parts = [int(part) for part in match.groups(default="0")]
    try:
        return _dt.datetime(*parts)
    except ValueError as exc:
        raise DecodeError(f"QR field t={value!r} is not a valid date and time: {exc}") from None


def _parse_sum(value: str) -> int:
    match = _SUM.fullmatch(value)
    if match is None:
        raise DecodeError(f"QR field s={value!r} is not rubles with one or two decimals (e.g. 261.80)")
    rubles, fraction = match.groups()
    return int(rubles) * 100 + int(fraction.ljust(2, "0"))


def _parse_fn_serial(value: str) -> str:
    if not _FN_SERIAL.fullmatch(value):
        raise DecodeError(f"QR field fn={value!r} is not a 16-digit ФН number")
    return value


def _parse_number(key: str, value: str, minimum: int) -> int:
    if not _NUMBER.fullmatch(value):
        raise DecodeError(f"QR field {key}={value!r} is not a decimal number of 1..10 digits")
    number = int(value)
    if not minimum <= number <= MAX_UINT32:
        raise DecodeError(f"QR field {key}={value} is outside {minimum}..{MAX_UINT32}")
    return number


def _parse_settlement_type(value: str) -> int:
    if value not in ("1", "2", "3", "4"):
        raise DecodeError(f"QR field n={value!r} is not a settlement type (tag 1054) 1..4")
    return int(value)
