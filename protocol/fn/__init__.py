"""ФН interface (ККТ ↔ фискальный накопитель), sans-IO.

* ``crc`` — CRC-16/CCITT-FALSE.
* ``frame`` — the ``04 LEN CODE DATA CRC`` frame: encoder, one-shot and incremental decoders.
* ``codes`` — ``FnCommand`` and ``FnResult`` with their descriptions.
* ``fields`` — DATE_TIME, DATE and fixed ASCII field codecs.
* ``documents``, ``service``, ``exchange``, ``archive`` — request and answer
  dataclasses per command group; ``records`` — the fixed 40h archive records;
  ``registry`` maps command codes to request and answer classes.
"""

from .codes import FnCommand, FnResult, split_answer_code
from .crc import crc16_ccitt_false
from .frame import FnFrame, FnFrameDecoder, decode_frame, encode_frame
from .registry import ANSWER_TYPES, REQUEST_TYPES, decode_answer, decode_request

__all__ = [
    "ANSWER_TYPES",
    "REQUEST_TYPES",
    "FnCommand",
    "FnFrame",
    "FnFrameDecoder",
    "FnResult",
    "crc16_ccitt_false",
    "decode_answer",
    "decode_frame",
    "decode_request",
    "encode_frame",
    "split_answer_code",
]
