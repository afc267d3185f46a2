"""Assembly of a fiscal document the way a ФН writes it.

The ФН puts its own block first: 1041 ФН number (16 characters), 1037 РНМ (20,
space padded), 1018 user ИНН (12, space padded), 1040 ФД number, 1012 date and
time (the DATE_TIME parameter, local time written as if UTC) and 1077 ФПД. Then
come the TLVs the ККТ sent with 07h, in the order received, and last the TLVs
only the ФН knows (close shift counters, unsent documents). Both real ФН
documents published by yandex/ofd follow this order.
"""

from __future__ import annotations

import datetime as _dt

from ..protocol.ffd.tlv import encode_tlv
from ..protocol.ffd.values import encode_string, encode_uint32, encode_unixtime
from .signing import compute_fiscal_sign, fiscal_sign_tlv

TAG_FN_SERIAL = 1041
TAG_RNM = 1037
TAG_USER_INN = 1018
TAG_FD_NUMBER = 1040
TAG_DATE_TIME = 1012
FN_BLOCK_TAGS = (TAG_FN_SERIAL, TAG_RNM, TAG_USER_INN, TAG_FD_NUMBER, TAG_DATE_TIME, 1077)


def build_document(
    *,
    key: bytes,
    form: int,
    serial: str,
    rnm: str,
    inn: str,
    fd_number: int,
    moment: _dt.datetime,
    register_tlv: bytes,
    fn_tlv: bytes = b"",
) -> tuple[bytes, int]:
    """Return ``(document STLV, FP32)`` for a document of ``form``.

    ``register_tlv`` is the data received with 07h and ``fn_tlv`` what the ФН
    appends after it. Raises EncodeError when a field does not fit (an ИНН of
    13 characters, a document over 65535 bytes).
    """
    head = (
        encode_tlv(TAG_FN_SERIAL, encode_string(serial, fixed_len=16))
        + encode_tlv(TAG_RNM, encode_string(rnm, fixed_len=20))
        + encode_tlv(TAG_USER_INN, encode_string(inn, fixed_len=12))
        + encode_tlv(TAG_FD_NUMBER, encode_uint32(fd_number))
        + encode_tlv(TAG_DATE_TIME, encode_unixtime(moment))
    )
    tail = register_tlv + fn_tlv
    fp32 = compute_fiscal_sign(key, form, head + tail)
    return encode_tlv(form, head + fiscal_sign_tlv(fp32) + tail), fp32
