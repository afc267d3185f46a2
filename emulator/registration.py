"""The register's identity: what its registration report says, and how it gets one.

A fresh test ФН arrives in phase 1 («готовность к фискализации»). The emulator
registers it at once through the ФН interface (02h, 07h, 03h), so the first
sale needs no set-up. On later starts the register reads its identity back from
the registration report in the ФН archive (45h/46h), the way a replaced
register would learn it from the ФН.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from kktemu.fn_storage.identifiers import make_rnm
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import decode_string, encode_byte, encode_string, encode_uint32
from kktemu.protocol.fn.records import RegistrationRecord, ReregistrationRecord

from .fn_client import FnClient
from .profiles import DeviceProfile

logger = logging.getLogger(__name__)

REGISTRATION_FORM = 1
# Реквизит 1062 and the 03h СНО byte: ОСН, УСН доход, УСН доход − расход, ЕНВД, ЕСХН, ПСН.
ALL_TAXATION_SYSTEMS = 0x3F
TAXATION_OSN = 0x01
# Bits of the registered work mode (03h, FF06h) and the flag реквизит of each: encryption
# 1056, autonomous 1002, automatic 1001. Under ФФД 1.05 also services 1109, БСО 1110 and
# Internet 1108; ФФД 1.2 moved these three into 1290.
WORK_MODE_FLAGS = ((0x01, 1056), (0x02, 1002), (0x04, 1001))
WORK_MODE_FLAGS_1_05 = ((0x08, 1109), (0x10, 1110), (0x20, 1108))


@dataclasses.dataclass(frozen=True)
class Identity:
    """Registration data of the register: who sells, where, and with which numbers.

    ``inn`` and ``rnm`` are digits without padding; ``kkt_serial`` is реквизит
    1013. ``taxation_systems`` is the registered 1062 bit mask and
    ``taxation`` the system receipts use by default (one bit, реквизит 1055).
    """

    kkt_serial: str
    inn: str
    rnm: str
    user_name: str
    address: str
    place: str
    taxation_systems: int
    taxation: int
    work_mode: int
    ofd_inn: str
    ofd_name: str
    fns_site: str
    sender_email: str
    ffd_code: int = 2


def default_identity(fn_serial: str, ffd_code: int) -> Identity:
    """Return the identity a fresh test register gets, derived from its ФН serial.

    The ИНН 7700000009 has valid check digits and belongs to nobody; the РНМ ends
    with the check value computed from order number, ИНН and ККТ serial, so it
    passes the ФН's 03h check and any ОФД-side validation.
    """
    kkt_serial = "0000" + fn_serial[-8:]
    inn = "7700000009"
    return Identity(
        kkt_serial=kkt_serial,
        inn=inn,
        rnm=make_rnm("0000000001", inn, kkt_serial),
        user_name='ООО "Тестовый магазин"',
        address="г. Москва, ул. Тестовая, д. 1",
        place="Торговый зал",
        taxation_systems=ALL_TAXATION_SYSTEMS,
        taxation=TAXATION_OSN,
        work_mode=0,
        ofd_inn="7700000016",
        ofd_name="kktemu ОФД",
        fns_site="www.nalog.gov.ru",
        sender_email="noreply@kktemu.test",
        ffd_code=ffd_code,
    )


def registration_tlv(identity: Identity, profile: DeviceProfile, cashier: str) -> bytes:
    """Encode the TLVs the register sends with 07h for a registration report (form 1 or 11).

    The flags 1056, 1002, 1001 (and under ФФД 1.05 1109, 1110, 1108) follow the
    bits of ``identity.work_mode``.
    """
    text = [
        (1048, identity.user_name, 256),
        (1009, identity.address, 256),
        (1187, identity.place, 256),
        (1013, identity.kkt_serial, 20),
    ]
    parts = [encode_tlv(tag, encode_string(value, max_len=size)) for tag, value, size in text]
    parts.append(encode_tlv(1062, encode_byte(identity.taxation_systems)))
    flags = [(tag, int(bool(identity.work_mode & bit))) for bit, tag in WORK_MODE_FLAGS]
    if profile.ffd_code < 4:
        flags += [(tag, int(bool(identity.work_mode & bit))) for bit, tag in WORK_MODE_FLAGS_1_05]
        flags += [(1207, 0), (1193, 0), (1126, 0), (1221, 0)]
    parts.extend(encode_tlv(tag, encode_byte(value)) for tag, value in flags)
    if profile.ffd_code >= 4:
        parts.append(encode_tlv(1290, encode_uint32(0)))
    parts += [
        encode_tlv(1017, encode_string(identity.ofd_inn, fixed_len=12)),
        encode_tlv(1046, encode_string(identity.ofd_name, max_len=256)),
        encode_tlv(1060, encode_string(identity.fns_site, max_len=256)),
        encode_tlv(1117, encode_string(identity.sender_email, max_len=64)),
        encode_tlv(1021, encode_string(cashier, max_len=64)),
        encode_tlv(1188, encode_string(profile.kkt_version, max_len=8)),
        encode_tlv(1189, encode_byte(profile.ffd_code)),
        encode_tlv(1209, encode_byte(profile.ffd_code)),
    ]
    return b"".join(parts)


def register_fn(fn: FnClient, identity: Identity, profile: DeviceProfile, cashier: str,
                moment: dt.datetime) -> int:
    """Register a ФН in phase 1 with ``identity``; return the FD number of the report."""
    answer = fn.register(moment, registration_tlv(identity, profile, cashier), identity.inn, identity.rnm,
                         identity.taxation_systems, identity.work_mode)
    logger.info("registered ФН: ИНН %s, РНМ %s, ФД %d", identity.inn, identity.rnm, answer.fd_number)
    return answer.fd_number


def load_identity(fn: FnClient, last_fd: int) -> Identity:
    """Read the identity from the newest registration report among FD 1..``last_fd``.

    Raises LookupError when the archive holds no registration report.
    """
    for fd_number in range(last_fd, 0, -1):
        record = fn.find_document(fd_number).record
        if isinstance(record, (RegistrationRecord, ReregistrationRecord)):
            break
    else:
        raise LookupError(f"no registration report among ФД 1..{last_fd}")
    _form, items = fn.read_document(fd_number)
    values = dict(items)

    def text(tag: int, default: str = "") -> str:
        return decode_string(values[tag]).rstrip() if tag in values else default

    return Identity(
        kkt_serial=text(1013),
        inn=record.inn.strip(),
        rnm=record.rnm.strip(),
        user_name=text(1048),
        address=text(1009),
        place=text(1187),
        taxation_systems=record.taxation,
        taxation=_lowest_bit(record.taxation),
        work_mode=record.work_mode,
        ofd_inn=text(1017),
        ofd_name=text(1046),
        fns_site=text(1060),
        sender_email=text(1117),
        ffd_code=values[1209][0] if len(values.get(1209, b"")) == 1 else 2,
    )


def _lowest_bit(mask: int) -> int:
    return mask & -mask if mask else TAXATION_OSN
