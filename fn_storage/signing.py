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

The signs of the ОФД exchange, ФПО (tag 1078 of the operator confirmation) and
ФПС (the message sign after the document in a container), follow the same
pattern; their rules are written next to their functions below.
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


# The ОФД exchange: operator sign ФПО (tag 1078) and message sign ФПС.
#
# * ОФД key = HMAC-SHA256(ФН key, ASCII "kktemu OFD key"). It is derived from the ФН key,
#   so the ФН checks ФПО without the master key, and an ОФД that knows the master key and
#   the ФН serial derives it too (``ofd_key_for``).
# * ФПО = the first 16 bytes of HMAC-SHA256(ОФД key, message), where message is the form
#   code 7 (UInt16 LE) followed by the operator confirmation's top-level TLVs without 1078,
#   in stored order (the rule of the ФПД, with another key and length). 16 bytes is the
#   maximum the ФФД tag table gives 1078; the 41h answer has room for 18 and pads with zeros.
# * ФПС = ``81 06`` followed by the first 6 bytes of HMAC-SHA256(ФН key, ASCII
#   "kktemu message sign" + the document STLV). Real ФН containers and ОФД JSON exports show
#   message signs that start with ``81 06``. The container trailer is ФПС and two zero bytes.

OFD_KEY_LABEL = b"kktemu OFD key"
OPERATOR_SIGN_SIZE = 16
MESSAGE_SIGN_PREFIX = b"\x81\x06"
MESSAGE_SIGN_SIZE = 8
MESSAGE_TRAILER_SIZE = 10
_MESSAGE_SIGN_LABEL = b"kktemu message sign"
_FORM_OPERATOR_CONFIRMATION = 7
TAG_OPERATOR_SIGN = 1078


def derive_ofd_key(fn_key: bytes) -> bytes:
    """Return the 32-byte key that signs the operator confirmations for the ФН with ``fn_key``."""
    return _hmac_sha256(fn_key, OFD_KEY_LABEL)


def ofd_key_for(master_key: bytes, serial: str) -> bytes:
    """Return the ОФД key of the ФН with this serial, as an ОФД holding the master key derives it."""
    return derive_ofd_key(derive_fn_key(master_key, serial))


def compute_operator_sign(ofd_key: bytes, unsigned_tlv: bytes) -> bytes:
    """Return the 16-byte ФПО for an operator confirmation's TLVs without 1078."""
    digest = _hmac_sha256(ofd_key, _FORM_OPERATOR_CONFIRMATION.to_bytes(2, "little") + unsigned_tlv)
    return digest[:OPERATOR_SIGN_SIZE]


def verify_operator_sign(ofd_key: bytes, stlv: bytes) -> bool | None:
    """Check the 1078 of a whole form 7 STLV against ``ofd_key``.

    Returns None when the document has no 1078, False when a 1078 does not
    match (wrong size included) or appears more than once, True when it
    matches. Raises DecodeError when the bytes are not a well-framed STLV.
    """
    items = split_tlv(stlv)
    if len(items) != 1:
        return False
    unsigned = []
    signs = []
    for tag, value in split_tlv(items[0][1]):
        if tag == TAG_OPERATOR_SIGN:
            signs.append(value)
        else:
            unsigned.append(encode_tlv(tag, value))
    if not signs:
        return None
    if len(signs) != 1:
        return False
    expected = compute_operator_sign(ofd_key, b"".join(unsigned))
    return _hmac.compare_digest(expected, signs[0])


def compute_message_sign(fn_key: bytes, document_stlv: bytes) -> bytes:
    """Return the 8-byte ФПС of the message that carries ``document_stlv``."""
    digest = _hmac_sha256(fn_key, _MESSAGE_SIGN_LABEL + document_stlv)
    return MESSAGE_SIGN_PREFIX + digest[:MESSAGE_SIGN_SIZE - len(MESSAGE_SIGN_PREFIX)]


def message_trailer(fn_key: bytes, document_stlv: bytes) -> bytes:
    """Return the 10 bytes after the document in a ФН container: ФПС and two zero bytes.

    NOTE: the meaning of the last two bytes is unknown; both real containers
    found carry zeros there.
    """
    return compute_message_sign(fn_key, document_stlv) + bytes(MESSAGE_TRAILER_SIZE - MESSAGE_SIGN_SIZE)
