"""CRC-16/CCITT-FALSE, the checksum of ФН interface frames.

Polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR; the check
value over ASCII ``123456789`` is 0x29B1. The same CRC protects ОФД containers.
"""

from __future__ import annotations

import crcmod.predefined

_crc16 = crcmod.predefined.mkPredefinedCrcFun("crc-ccitt-false")


def crc16_ccitt_false(data: bytes) -> int:
    """Return the CRC-16/CCITT-FALSE of ``data`` as an integer 0..65535."""
    return _crc16(bytes(data))
