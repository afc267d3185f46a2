"""The 30-byte header of a session-level message between the ККТ and the ОФД server.

Layout (FNS «Протокол информационного обмена между ККТ и ТС ОФД» v1.1.006,
table 1): signature ``2A 08 41 0A``, S-protocol version ``81 A2``, P-protocol
version (2 bytes in the order written, ``01 05`` for ФФД 1.05), ФН serial
(16 ASCII characters, space-padded), body length (UInt16 LE), flags (UInt16
LE, table 2) and a check code (UInt16 LE). Both the ККТ's message and the
server's квитанция use this header.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DecodeError, EncodeError
from ..fn.crc import crc16_ccitt_false

SESSION_HEADER_SIZE = 30
SIGNATURE = bytes.fromhex("2A08410A")
S_PROTOCOL_VERSION = bytes.fromhex("81A2")
SERIAL_SIZE = 16
_CRC_OFFSET = 28

# P-protocol versions, read as a big-endian number from the two bytes in the order sent.
P_VERSION_FFD_1_0 = 0x0100
P_VERSION_FFD_1_05 = 0x0105
P_VERSION_FFD_1_1 = 0x0110
# NOTE: the 2016 protocol text predates ФФД 1.2; 0x0120 extends its pattern and is a guess.
P_VERSION_FFD_1_2 = 0x0120
# Both real ФН messages of yandex/ofd (tests/example_test.py, tests/ofd_test.py) carry the bytes
# 00 01 although the document in one of them is ФФД 1.05, and the yandex/ofd server accepts only
# 00 01 and 00 02. The protocol allows 00 01 for ФФД 1.0.
P_VERSION_OBSERVED = 0x0001
_P_VERSIONS_BY_FFD = {1: P_VERSION_FFD_1_0, 2: P_VERSION_FFD_1_05, 3: P_VERSION_FFD_1_1, 4: P_VERSION_FFD_1_2}

# Flag fields (table 2). Bits 3 and 8..15 are reserved and must be zero.
CRC_MODE_MASK = 0x0003
CRC_NONE = 0
CRC_HEADER = 1
CRC_HEADER_AND_BODY = 2
FLAG_CONTAINER = 0x0004
ANSWER_MODE_SHIFT = 4
ANSWER_MODE_MASK = 0x0030
ANSWER_NOT_EXPECTED = 0
ANSWER_EXPECTED = 1
PRIORITY_SHIFT = 6
PRIORITY_MASK = 0x00C0
RESERVED_MASK = 0xFF08

# A message with a container whose sender waits for the answer, without a check code.
# The yandex/ofd mock server (example/mock_ofd.py) sends the same value in its квитанция,
# so kktemu's ОФД side uses it too.
CLIENT_MESSAGE_FLAGS = FLAG_CONTAINER | ANSWER_EXPECTED << ANSWER_MODE_SHIFT
SERVER_RECEIPT_FLAGS = CLIENT_MESSAGE_FLAGS
# Service mode (protocol section 4.8): an empty body, no ПКЗ involved.
SERVICE_CLIENT_FLAGS = 0x0010
SERVICE_CLIENT_FLAGS_WITH_CRC = 0x0011
SERVICE_SERVER_FLAGS = 0x0000
SERVICE_SERVER_FLAGS_WITH_CRC = 0x0001


def p_version_for_ffd(ffd_version: int) -> int:
    """Return the P-protocol version for a ФФД version code (tag 1209: 1, 2, 3 or 4).

    Raises EncodeError for any other code.
    """
    try:
        return _P_VERSIONS_BY_FFD[ffd_version]
    except KeyError:
        raise EncodeError(f"ФФД version code {ffd_version} has no P-protocol version (1..4 do)") from None


def check_flags(flags: int) -> None:
    """Raise DecodeError when ``flags`` set a reserved bit or a forbidden code of table 2."""
    if not 0 <= flags <= 0xFFFF:
        raise DecodeError(f"session flags {flags:#x} do not fit UInt16")
    if flags & RESERVED_MASK:
        raise DecodeError(f"session flags {flags:#06x} set reserved bits {flags & RESERVED_MASK:#06x}")
    if flags & CRC_MODE_MASK == 3:
        raise DecodeError(f"session flags {flags:#06x} carry the forbidden check code mode 11b")
    if (flags & ANSWER_MODE_MASK) >> ANSWER_MODE_SHIFT > ANSWER_EXPECTED:
        raise DecodeError(f"session flags {flags:#06x} carry a forbidden answer mode (10b or 11b)")


@dataclass(frozen=True)
class SessionHeader:
    """One session header as sent, with its body length and check code.

    ``fn_serial`` is the ФН number without the space padding. ``crc`` is the
    stored check code; ``session_crc`` computes the value it must have.
    """

    fn_serial: str
    body_length: int
    flags: int = CLIENT_MESSAGE_FLAGS
    protocol_version: int = P_VERSION_FFD_1_05
    crc: int = 0

    @property
    def crc_mode(self) -> int:
        """Check code mode: CRC_NONE, CRC_HEADER or CRC_HEADER_AND_BODY."""
        return self.flags & CRC_MODE_MASK

    @property
    def has_container(self) -> bool:
        """True when the body is a container (flag bit 2)."""
        return bool(self.flags & FLAG_CONTAINER)

    @property
    def expects_answer(self) -> bool:
        """True when the sender waits for an answer to its container (bits 5..4 = 01)."""
        return (self.flags & ANSWER_MODE_MASK) >> ANSWER_MODE_SHIFT == ANSWER_EXPECTED

    @property
    def priority(self) -> int:
        """Priority level, bits 7..6 (0 is normal)."""
        return (self.flags & PRIORITY_MASK) >> PRIORITY_SHIFT

    def encode(self) -> bytes:
        """Encode the 30 bytes with the stored ``crc``.

        Raises EncodeError for a serial that is not ASCII or longer than 16
        characters, or a number that does not fit its field.
        """
        if not 0 <= self.crc <= 0xFFFF:
            raise EncodeError(f"session check code {self.crc} does not fit UInt16")
        return self.prefix_without_crc() + self.crc.to_bytes(2, "little")

    def prefix_without_crc(self) -> bytes:
        """Return header bytes 0..27, the part the check code covers. Raises EncodeError as ``encode``."""
        try:
            serial = self.fn_serial.encode("ascii")
        except UnicodeEncodeError:
            raise EncodeError(f"ФН serial {self.fn_serial!r} is not ASCII") from None
        if len(serial) > SERIAL_SIZE:
            raise EncodeError(f"ФН serial {self.fn_serial!r} is longer than {SERIAL_SIZE} characters")
        for name, value in (("body length", self.body_length), ("flags", self.flags),
                            ("P-protocol version", self.protocol_version)):
            if not 0 <= value <= 0xFFFF:
                raise EncodeError(f"session {name} {value} does not fit UInt16")
        return (
            SIGNATURE
            + S_PROTOCOL_VERSION
            + self.protocol_version.to_bytes(2, "big")
            + serial.ljust(SERIAL_SIZE, b" ")
            + self.body_length.to_bytes(2, "little")
            + self.flags.to_bytes(2, "little")
        )

    def session_crc(self, body: bytes) -> int:
        """Return the check code this header's mode requires for ``body`` (0 in mode CRC_NONE).

        NOTE: the protocol names the algorithm «CRC16-CCITT» without parameters;
        the CRC-16/CCITT-FALSE of the container is assumed here too.
        """
        mode = self.crc_mode
        if mode == CRC_NONE:
            return 0
        covered = self.prefix_without_crc()
        if mode == CRC_HEADER_AND_BODY:
            covered += bytes(body)
        return crc16_ccitt_false(covered)

    @classmethod
    def decode(cls, data: bytes) -> SessionHeader:
        """Decode exactly 30 bytes. Raises DecodeError for any other size or a bad field.

        The check code is not verified here, because it may cover the body;
        ``read_message`` verifies it.
        """
        if len(data) != SESSION_HEADER_SIZE:
            raise DecodeError(f"a session header is {SESSION_HEADER_SIZE} bytes, got {len(data)}")
        return _decode_fields(bytes(data))


def read_session_header(data: bytes, offset: int = 0) -> tuple[SessionHeader, int] | None:
    """Read a session header at ``offset``; return it with the offset after it.

    Returns None when fewer than 30 bytes are left. Raises DecodeError when the
    bytes are not a session header.
    """
    end = offset + SESSION_HEADER_SIZE
    if len(data) < end:
        return None
    return _decode_fields(bytes(data[offset:end])), end


def _decode_fields(raw: bytes) -> SessionHeader:
    if raw[:4] != SIGNATURE:
        raise DecodeError(f"session signature is {raw[:4].hex(' ').upper()}, expected 2A 08 41 0A", 0)
    if raw[4:6] != S_PROTOCOL_VERSION:
        raise DecodeError(f"S-protocol version {raw[4:6].hex(' ').upper()} is not 81 A2 (version 1.1)", 4)
    try:
        serial = raw[8:24].decode("ascii").rstrip(" ")
    except UnicodeDecodeError:
        raise DecodeError(f"ФН serial {raw[8:24].hex(' ')} is not ASCII", 8) from None
    flags = int.from_bytes(raw[26:28], "little")
    try:
        check_flags(flags)
    except DecodeError as exc:
        raise DecodeError(str(exc), 26) from None
    return SessionHeader(
        fn_serial=serial,
        body_length=int.from_bytes(raw[24:26], "little"),
        flags=flags,
        protocol_version=int.from_bytes(raw[6:8], "big"),
        crc=int.from_bytes(raw[_CRC_OFFSET:SESSION_HEADER_SIZE], "little"),
    )
