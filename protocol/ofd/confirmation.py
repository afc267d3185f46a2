"""Document form 7, the operator confirmation («подтверждение оператора») the ОФД sends back.

Content (ФНС order ЕД-7-20/662@, table 32): 1017 ИНН ОФД, 1041 ФН number,
1040 number of the confirmed ФД, 1012 the time (UTC) the ОФД received it, 1068
the operator message for the ФН (only when the ОФД has one) and 1078 ФПО, the
operator's fiscal sign. 1068 contains 1022, the ОФД answer code (table 34: 0
accepted, 11 not recognised, 14 failed the format-logical control), and may go
on with a text that is not a TLV (table 33 and item 5 of the order).

The codec checks the structure: each tag at most once, no tag outside table 32,
the mandatory ones present. Whether a missing 1078 is acceptable is the ФН's
decision, so 1078 is optional here.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ..errors import DecodeError, EncodeError
from ..ffd.tlv import encode_tlv, read_tlv, split_tlv
from ..ffd.values import decode_string, decode_uint, decode_unixtime, encode_string, encode_uint32, encode_unixtime
from .container import Container

FORM_OPERATOR_CONFIRMATION = 7
TAG_OFD_INN = 1017
TAG_FN_SERIAL = 1041
TAG_FD_NUMBER = 1040
TAG_DATE_TIME = 1012
TAG_OPERATOR_MESSAGE = 1068
TAG_OFD_ANSWER_CODE = 1022
TAG_OPERATOR_SIGN = 1078
MANDATORY_TAGS = (TAG_OFD_INN, TAG_FN_SERIAL, TAG_FD_NUMBER, TAG_DATE_TIME)
ALLOWED_TAGS = (*MANDATORY_TAGS, TAG_OPERATOR_MESSAGE, TAG_OPERATOR_SIGN)
INN_SIZE = 12
FN_SERIAL_SIZE = 16
# The ФФД table gives 1078 at most 16 bytes, the ФН interface's квитанция record 18;
# the codec takes up to 18 and leaves the exact size to whoever checks the sign.
MAX_OPERATOR_SIGN_SIZE = 18
# Operator confirmation data are at most 512 bytes (notes to ФФД table 11).
MAX_DOCUMENT_DATA = 512

ANSWER_ACCEPTED = 0
ANSWER_NOT_RECOGNISED = 11
ANSWER_FAILED_CONTROL = 14


@dataclass(frozen=True)
class OperatorConfirmation:
    """The fields of one operator confirmation.

    ``ofd_inn`` and ``fn_serial`` are without their space padding;
    ``received_at`` is the naive time of tag 1012; ``answer_code`` is 1022, or
    None when the document has no 1068; ``operator_text`` is the rest of 1068
    after the 1022 TLV; ``ofd_sign`` is the 1078 value or None.
    """

    ofd_inn: str
    fn_serial: str
    fd_number: int
    received_at: _dt.datetime
    answer_code: int | None = ANSWER_ACCEPTED
    operator_text: bytes = b""
    ofd_sign: bytes | None = None

    def unsigned_tlv(self) -> bytes:
        """Return the TLVs in table order without 1078: what the ФПО covers.

        Raises EncodeError for a value that does not fit its tag.
        """
        if self.answer_code is None and self.operator_text:
            raise EncodeError("an operator text needs the 1068 message, which needs an answer code")
        items = (
            encode_tlv(TAG_OFD_INN, encode_string(self.ofd_inn, fixed_len=INN_SIZE))
            + encode_tlv(TAG_FN_SERIAL, encode_string(self.fn_serial, fixed_len=FN_SERIAL_SIZE))
            + encode_tlv(TAG_FD_NUMBER, encode_uint32(self.fd_number))
            + encode_tlv(TAG_DATE_TIME, encode_unixtime(self.received_at))
        )
        if self.answer_code is not None:
            if not 0 <= self.answer_code <= 0xFF:
                raise EncodeError(f"ОФД answer code {self.answer_code} does not fit a byte")
            message = encode_tlv(TAG_OFD_ANSWER_CODE, bytes((self.answer_code,))) + self.operator_text
            items += encode_tlv(TAG_OPERATOR_MESSAGE, message)
        return items

    def encode(self) -> bytes:
        """Encode the whole form 7 STLV: tag 7, length, TLVs, 1078 last.

        Raises EncodeError for a value that does not fit, a 1078 longer than 18
        bytes, or data over 512 bytes.
        """
        items = self.unsigned_tlv()
        if self.ofd_sign is not None:
            if len(self.ofd_sign) > MAX_OPERATOR_SIGN_SIZE:
                raise EncodeError(f"ФПО is {len(self.ofd_sign)} bytes, at most {MAX_OPERATOR_SIGN_SIZE}")
            items += encode_tlv(TAG_OPERATOR_SIGN, self.ofd_sign)
        if len(items) > MAX_DOCUMENT_DATA:
            raise EncodeError(f"operator confirmation data of {len(items)} bytes exceed {MAX_DOCUMENT_DATA}")
        return encode_tlv(FORM_OPERATOR_CONFIRMATION, items)

    @classmethod
    def decode(cls, stlv: bytes) -> OperatorConfirmation:
        """Decode one whole form 7 STLV. Raises DecodeError when the structure is wrong."""
        item = read_tlv(stlv)
        if item is None or item[2] != len(stlv):
            raise DecodeError("operator confirmation is not exactly one STLV")
        form, data = item[0], item[1]
        if form != FORM_OPERATOR_CONFIRMATION:
            raise DecodeError(f"document form {form} is not the operator confirmation (7)")
        if len(data) > MAX_DOCUMENT_DATA:
            raise DecodeError(f"operator confirmation data of {len(data)} bytes exceed {MAX_DOCUMENT_DATA}")
        values: dict[int, bytes] = {}
        for tag, value in split_tlv(data):
            if tag not in ALLOWED_TAGS:
                raise DecodeError(f"tag {tag} does not belong in an operator confirmation")
            if tag in values:
                raise DecodeError(f"tag {tag} appears twice in the operator confirmation")
            values[tag] = value
        missing = [tag for tag in MANDATORY_TAGS if tag not in values]
        if missing:
            raise DecodeError(f"operator confirmation lacks tags {missing}")
        answer_code, operator_text = _decode_operator_message(values.get(TAG_OPERATOR_MESSAGE))
        sign = values.get(TAG_OPERATOR_SIGN)
        if sign is not None and len(sign) > MAX_OPERATOR_SIGN_SIZE:
            raise DecodeError(f"ФПО is {len(sign)} bytes, at most {MAX_OPERATOR_SIGN_SIZE}")
        return cls(
            ofd_inn=_fixed_text(values[TAG_OFD_INN], INN_SIZE, "ИНН ОФД (1017)"),
            fn_serial=_fixed_text(values[TAG_FN_SERIAL], FN_SERIAL_SIZE, "ФН number (1041)"),
            fd_number=_fixed_number(values[TAG_FD_NUMBER], "ФД number (1040)"),
            received_at=_date_time(values[TAG_DATE_TIME]),
            answer_code=answer_code,
            operator_text=operator_text,
            ofd_sign=sign,
        )

    def to_container(self, template: Container | None = None) -> Container:
        """Wrap the confirmation into a container of data type 7 for ФД ``fd_number``.

        The container type and the service data are copied from ``template``
        (the container of the message being confirmed) when given. Raises
        EncodeError as ``encode`` does.
        """
        extra = {}
        if template is not None:
            extra = {
                "container_type": template.container_type,
                "service_data_1": template.service_data_1,
                "service_data_2": template.service_data_2,
            }
        return Container(
            data_type=FORM_OPERATOR_CONFIRMATION,
            fn_serial=self.fn_serial,
            fd_number=self.fd_number,
            document=self.encode(),
            **extra,
        )


def _decode_operator_message(value: bytes | None) -> tuple[int | None, bytes]:
    if value is None:
        return None, b""
    item = read_tlv(value)
    if item is None or item[0] != TAG_OFD_ANSWER_CODE or len(item[1]) != 1:
        raise DecodeError("1068 must start with the one-byte ОФД answer code 1022")
    return item[1][0], value[item[2]:]


def _fixed_text(value: bytes, size: int, name: str) -> str:
    if len(value) > size:
        raise DecodeError(f"{name} is {len(value)} bytes, at most {size}")
    return decode_string(value).rstrip(" ")


def _fixed_number(value: bytes, name: str) -> int:
    try:
        return decode_uint(value, 4)
    except DecodeError as exc:
        raise DecodeError(f"{name}: {exc}") from None


def _date_time(value: bytes) -> _dt.datetime:
    try:
        return decode_unixtime(value)
    except DecodeError as exc:
        raise DecodeError(f"date and time (1012): {exc}") from None
