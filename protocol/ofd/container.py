"""The container: the ФН's protected envelope of one document or operator confirmation.

Header (32 bytes; table 3 of the ККТ↔ОФД protocol, field layout as in the
containers of yandex/ofd ``tests/example_test.py`` and ``tests/ofd_test.py``):

======  ====  ==============================================================
offset  size  field
======  ====  ==============================================================
0       2     container length, header included, UInt16 LE
2       2     CRC-16/CCITT-FALSE over bytes 0..1 and 4..end, UInt16 LE
4       1     container type, A5h or 5Ah
5       1     data type: the form code of the document inside
6       1     header format version, 0xh (both samples carry 01)
7       2     service data 1 (both real ФН containers carry ``10 09``)
9       8     ФН serial as packed BCD; a space (padding) is the nibble F
17      3     ФД number, big-endian
20      12    service data 2 (cryptographic data of a real ФН)
======  ====  ==============================================================

The body is the document STLV followed by a trailer: in a message of the
ФН the 10 bytes of the message sign (ФПС 8 bytes and 2 more), in an operator
confirmation whatever the ОФД appends. Encrypted bodies (tag 1056 = 1) are not
supported: the body must start with the plain document.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DecodeError, EncodeError
from ..ffd.tlv import read_tlv
from ..fn.crc import crc16_ccitt_false

CONTAINER_HEADER_SIZE = 32
CONTAINER_TYPE_A5 = 0xA5
CONTAINER_TYPE_5A = 0x5A
CONTAINER_TYPES = (CONTAINER_TYPE_A5, CONTAINER_TYPE_5A)
HEADER_VERSION = 0x01
SERVICE_DATA_1 = b"\x10\x09"
SERVICE_DATA_1_SIZE = 2
SERVICE_DATA_2_SIZE = 12
SERIAL_DIGITS = 16
MAX_FD_NUMBER = 0xFFFFFF
MAX_CONTAINER_SIZE = 0xFFFF


class ContainerChecksumError(DecodeError):
    """The container's stored CRC does not match its bytes.

    ``stored`` and ``computed`` are the two values.
    """

    def __init__(self, stored: int, computed: int):
        super().__init__(f"container CRC is {stored:#06x}, the bytes give {computed:#06x}", 2)
        self.stored = stored
        self.computed = computed


def encode_bcd_serial(serial: str) -> bytes:
    """Pack a ФН serial of up to 16 digits into 8 BCD bytes, padding with F nibbles.

    Raises EncodeError for other characters or more than 16 digits.
    """
    if len(serial) > SERIAL_DIGITS or any(character not in "0123456789" for character in serial):
        raise EncodeError(f"ФН serial {serial!r} must be at most {SERIAL_DIGITS} digits")
    nibbles = [int(digit) for digit in serial] + [0xF] * (SERIAL_DIGITS - len(serial))
    return bytes(high << 4 | low for high, low in zip(nibbles[0::2], nibbles[1::2]))


def decode_bcd_serial(data: bytes) -> str:
    """Unpack 8 BCD bytes into the serial digits, dropping the trailing F padding.

    Raises DecodeError for a nibble A..E, or a digit after an F.
    """
    if len(data) != SERIAL_DIGITS // 2:
        raise DecodeError(f"a BCD ФН serial is {SERIAL_DIGITS // 2} bytes, got {len(data)}")
    nibbles = [nibble for byte in data for nibble in (byte >> 4, byte & 0x0F)]
    digits = []
    for position, nibble in enumerate(nibbles):
        if nibble == 0xF:
            if any(rest != 0xF for rest in nibbles[position:]):
                raise DecodeError(f"BCD ФН serial {data.hex(' ')} has a digit after the F padding")
            break
        if nibble > 9:
            raise DecodeError(f"BCD ФН serial {data.hex(' ')} has the nibble {nibble:X}")
        digits.append(str(nibble))
    return "".join(digits)


@dataclass(frozen=True)
class Container:
    """One container: header fields, the document STLV and the trailer after it.

    ``data_type`` is the form code and must equal the document's STLV tag.
    ``fn_serial`` is the ФН number without padding. The length and CRC are
    computed by ``encode`` and checked by ``read_container``.
    """

    data_type: int
    fn_serial: str
    fd_number: int
    document: bytes
    trailer: bytes = b""
    container_type: int = CONTAINER_TYPE_A5
    version: int = HEADER_VERSION
    service_data_1: bytes = SERVICE_DATA_1
    service_data_2: bytes = bytes(SERVICE_DATA_2_SIZE)

    @property
    def size(self) -> int:
        """Length of the encoded container in bytes (the value of its length field)."""
        return CONTAINER_HEADER_SIZE + len(self.document) + len(self.trailer)

    def encode(self) -> bytes:
        """Encode the container with its length and CRC.

        Raises EncodeError for a field out of range, a document that is not one
        whole STLV of tag ``data_type``, or a container longer than 65535 bytes.
        """
        self._check()
        unprotected = (
            bytes((self.container_type, self.data_type, self.version))
            + self.service_data_1
            + encode_bcd_serial(self.fn_serial)
            + self.fd_number.to_bytes(3, "big")
            + self.service_data_2
            + self.document
            + self.trailer
        )
        length = self.size.to_bytes(2, "little")
        crc = crc16_ccitt_false(length + unprotected)
        return length + crc.to_bytes(2, "little") + unprotected

    def _check(self) -> None:
        if self.container_type not in CONTAINER_TYPES:
            raise EncodeError(f"container type {self.container_type:#x} is not A5h or 5Ah")
        if not 0 <= self.data_type <= 0xFF:
            raise EncodeError(f"data type {self.data_type} does not fit a byte")
        if not 0 <= self.version <= 0x0F:
            raise EncodeError(f"header version {self.version:#x} is not 0xh, the 32-byte header")
        if len(self.service_data_1) != SERVICE_DATA_1_SIZE or len(self.service_data_2) != SERVICE_DATA_2_SIZE:
            raise EncodeError("service data must be 2 and 12 bytes")
        if not 0 <= self.fd_number <= MAX_FD_NUMBER:
            raise EncodeError(f"ФД number {self.fd_number} does not fit 3 bytes")
        item = read_tlv(self.document)
        if item is None or item[2] != len(self.document) or item[0] != self.data_type:
            raise EncodeError(f"the document is not one whole STLV of form {self.data_type}")
        if self.size > MAX_CONTAINER_SIZE:
            raise EncodeError(f"container of {self.size} bytes exceeds {MAX_CONTAINER_SIZE}")


def container_crc(data: bytes) -> int:
    """Return the CRC a container's bytes must carry: over bytes 0..1 and 4..end."""
    return crc16_ccitt_false(bytes(data[:2]) + bytes(data[4:]))


def read_container(data: bytes, offset: int = 0, *, check_crc: bool = True) -> tuple[Container, int] | None:
    """Read the container at ``offset``; return it with the offset after it.

    Returns None when the data end before the container does. Raises
    ContainerChecksumError for a wrong CRC (unless ``check_crc`` is False) and
    DecodeError for any other field that breaks the layout.
    """
    if len(data) - offset < 2:
        return None
    length = int.from_bytes(data[offset:offset + 2], "little")
    if length < CONTAINER_HEADER_SIZE:
        raise DecodeError(f"container length {length} is shorter than its {CONTAINER_HEADER_SIZE}-byte header", offset)
    end = offset + length
    if len(data) < end:
        return None
    raw = bytes(data[offset:end])
    stored_crc = int.from_bytes(raw[2:4], "little")
    computed = container_crc(raw)
    if check_crc and stored_crc != computed:
        raise ContainerChecksumError(stored_crc, computed)
    container_type, data_type, version = raw[4], raw[5], raw[6]
    if container_type not in CONTAINER_TYPES:
        raise DecodeError(f"container type {container_type:#04x} is not A5h or 5Ah", offset + 4)
    if version > 0x0F:
        raise DecodeError(f"container header version {version:#04x} is not 0xh (the 32-byte header)", offset + 6)
    try:
        serial = decode_bcd_serial(raw[9:17])
    except DecodeError as exc:
        raise DecodeError(str(exc), offset + 9) from None
    body = raw[CONTAINER_HEADER_SIZE:]
    item = read_tlv(body)
    if item is None:
        raise DecodeError("container body does not start with a whole STLV", offset + CONTAINER_HEADER_SIZE)
    if item[0] != data_type:
        raise DecodeError(f"container data type {data_type} but the document is form {item[0]}", offset + 5)
    container = Container(
        data_type=data_type,
        fn_serial=serial,
        fd_number=int.from_bytes(raw[17:20], "big"),
        document=body[:item[2]],
        trailer=body[item[2]:],
        container_type=container_type,
        version=version,
        service_data_1=raw[7:9],
        service_data_2=raw[20:32],
    )
    return container, end


def decode_container(data: bytes, *, check_crc: bool = True) -> Container:
    """Decode bytes that are exactly one container. Raises DecodeError as ``read_container`` does,
    and for missing or extra bytes."""
    result = read_container(data, check_crc=check_crc)
    if result is None:
        raise DecodeError(f"{len(data)} bytes end inside the container")
    container, end = result
    if end != len(data):
        raise DecodeError(f"{len(data) - end} bytes follow the container", end)
    return container
