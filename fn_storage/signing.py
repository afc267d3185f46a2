"""Fiscal signs (ФПД, tag 1077): an HMAC imitation that anyone with the master key can verify.

Real ФН compute ФПД with certified cryptography that is not public. kktemu signs
each document like this:

* ФН key = HMAC-SHA256(master key, ФН serial as ASCII);
* message = form code (UInt16 LE) followed by the document's top-level TLV bytes
  as archived, in stored order, leaving out the 1077 TLV;
* FP32 = the first 4 bytes of HMAC-SHA256(ФН key, message), read big-endian;
  if they are zero, the next 4 bytes are taken, so the value is never 0 (a zero
  ФПД reads as "absent" in common tools);
* tag 1077 = ``21 04`` followed by FP32 big-endian, 6 bytes. The printed ФПД is
  bytes 2..5 read big-endian, which is FP32 again; ФН interface answers carry it
  as UInt32 LE.
"""

from __future__ import annotations

import hmac as _hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from ..protocol.ffd.tlv import encode_tlv, split_tlv
from .errors import InvalidArgumentError

TAG_FISCAL_SIGN = 1077
SIGN_PREFIX = b"\x21\x04"
SIGN_VALUE_SIZE = 6
DEFAULT_MASTER_KEY = b"kktemu public test master key, not a secret"
_KEY_CHECK_MESSAGE = b"kktemu key check"


def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SHA256())
    mac.update(message)
    return mac.finalize()


def derive_fn_key(master_key: bytes, serial: str) -> bytes:
    """Return the 32-byte signing key of the ФН with this serial number."""
    return _hmac_sha256(master_key, serial.encode("ascii"))


def key_check_value(key: bytes) -> bytes:
    """Return 4 bytes that identify ``key`` without revealing it (stored in the archive header)."""
    return _hmac_sha256(key, _KEY_CHECK_MESSAGE)[:4]


def compute_fiscal_sign(key: bytes, form: int, unsigned_tlv: bytes) -> int:
    """Return FP32, the printed ФПД, for a document's TLVs without 1077. Never 0."""
    digest = _hmac_sha256(key, form.to_bytes(2, "little") + unsigned_tlv)
    for start in range(0, len(digest), 4):
        value = int.from_bytes(digest[start:start + 4], "big")
        if value:
            return value
    return 1


def fiscal_sign_value(fp32: int) -> bytes:
    """Return the 6-byte value of tag 1077 for FP32."""
    return SIGN_PREFIX + fp32.to_bytes(4, "big")


def fiscal_sign_tlv(fp32: int) -> bytes:
    """Return the whole 1077 TLV for FP32."""
    return encode_tlv(TAG_FISCAL_SIGN, fiscal_sign_value(fp32))


def printed_fiscal_sign(value: bytes) -> int:
    """Return the printed ФПД of a 6-byte 1077 value (bytes 2..5, big-endian)."""
    if len(value) != SIGN_VALUE_SIZE:
        raise InvalidArgumentError(f"tag 1077 is {SIGN_VALUE_SIZE} bytes, got {len(value)}")
    return int.from_bytes(value[2:], "big")


def verify_document(key: bytes, stlv: bytes) -> bool:
    """Check the 1077 of a whole document STLV (form tag, length, TLVs) against ``key``.

    Returns False when the document has no 1077, more than one, a 1077 of the
    wrong size, or a sign that does not match. Raises DecodeError when the bytes
    are not a well-framed STLV.
    """
    items = split_tlv(stlv)
    if len(items) != 1:
        return False
    form, value = items[0]
    unsigned = []
    signs = []
    for tag, item_value in split_tlv(value):
        if tag == TAG_FISCAL_SIGN:
            signs.append(item_value)
        else:
            unsigned.append(encode_tlv(tag, item_value))
    if len(signs) != 1 or len(signs[0]) != SIGN_VALUE_SIZE:
        return False
    expected = fiscal_sign_value(compute_fiscal_sign(key, form, b"".join(unsigned)))
    return _hmac.compare_digest(expected, signs[0])
