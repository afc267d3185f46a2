"""Which password each Штрих-М command requires, as data for the dialect.

Most requests start their data with a 4-byte password. The register looks it up
in table 2 to find the operator number: 1–28 are cashiers, 29 is the
administrator and 30 the system administrator. By default operator N has
password N. A password that is not in the table, or whose operator may not run the
command, gets error 4Fh. The roles below follow the password
description of each command in the v1.17 spec.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from .commands_base import UnknownCommand

ADMINISTRATOR = 29
SYSTEM_ADMINISTRATOR = 30
SENIOR_CASHIER = 28


class PasswordRole(enum.Enum):
    """Password role of a command: the set of operator numbers whose password it accepts.

    ``NONE`` means the request carries no password field at all.
    """

    NONE = frozenset()
    OPERATOR = frozenset(range(1, 31))
    # NOTE: the spec makes operator 28 ("СТАРШИЙ КАССИР") model-dependent for the X
    # report (F7h model parameter bit 33). A profile without it should narrow this
    # role to ADMINISTRATOR.
    SENIOR_CASHIER = frozenset((SENIOR_CASHIER, ADMINISTRATOR, SYSTEM_ADMINISTRATOR))
    ADMINISTRATOR = frozenset((ADMINISTRATOR, SYSTEM_ADMINISTRATOR))
    SYSTEM_ADMINISTRATOR = frozenset((SYSTEM_ADMINISTRATOR,))

    @property
    def operators(self) -> frozenset[int]:
        """Operator numbers whose password the command accepts (empty for NONE)."""
        return self.value

    def allows(self, operator: int) -> bool:
        """Return whether ``operator`` (1..30) may run a command of this role."""
        return operator in self.value


_ROLES = {
    # No password field.
    0x16: PasswordRole.NONE,  # technological reset
    0x6B: PasswordRole.NONE,  # error name
    0xF7: PasswordRole.NONE,  # extended request
    0xFC: PasswordRole.NONE,  # device type
    0xFE: PasswordRole.NONE,  # service command: the 4 bytes after the sub-function are a parameter
    # Operator commands.
    0x10: PasswordRole.OPERATOR,
    0x11: PasswordRole.OPERATOR,
    0x12: PasswordRole.OPERATOR,
    0x13: PasswordRole.OPERATOR,
    0x17: PasswordRole.OPERATOR,
    0x18: PasswordRole.OPERATOR,
    0x19: PasswordRole.OPERATOR,
    0x1A: PasswordRole.OPERATOR,  # read cash register
    0x1B: PasswordRole.OPERATOR,  # read operation register
    0x25: PasswordRole.OPERATOR,
    0x28: PasswordRole.OPERATOR,
    0x29: PasswordRole.OPERATOR,
    0x2B: PasswordRole.OPERATOR,
    0x2F: PasswordRole.OPERATOR,
    0x50: PasswordRole.OPERATOR,
    0x51: PasswordRole.OPERATOR,
    0x52: PasswordRole.OPERATOR,
    0x53: PasswordRole.OPERATOR,
    0x54: PasswordRole.OPERATOR,
    0x80: PasswordRole.OPERATOR,
    0x81: PasswordRole.OPERATOR,
    0x82: PasswordRole.OPERATOR,
    0x83: PasswordRole.OPERATOR,
    0x85: PasswordRole.OPERATOR,
    0x88: PasswordRole.OPERATOR,
    0x89: PasswordRole.OPERATOR,
    0x8C: PasswordRole.OPERATOR,
    0x8D: PasswordRole.OPERATOR,
    0x8E: PasswordRole.OPERATOR,
    0xB0: PasswordRole.OPERATOR,
    0xC6: PasswordRole.OPERATOR,
    0xE0: PasswordRole.OPERATOR,
    # Reports.
    0x2C: PasswordRole.SENIOR_CASHIER,
    0x40: PasswordRole.SENIOR_CASHIER,
    0x41: PasswordRole.ADMINISTRATOR,
    # Exchange parameters, tables, fonts, clock, resets: system administrator.
    0x14: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x15: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x1E: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x1F: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x21: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x22: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x23: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x24: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x26: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x27: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x2D: PasswordRole.SYSTEM_ADMINISTRATOR,
    0x2E: PasswordRole.SYSTEM_ADMINISTRATOR,
    # ФН commands: system administrator, as the spec gives for every FFxx command
    # except FF46h and the marking commands.
    **{code: PasswordRole.SYSTEM_ADMINISTRATOR for code in (
        0xFF01, 0xFF02, 0xFF03, 0xFF04, 0xFF05, 0xFF06, 0xFF07, 0xFF08, 0xFF09, 0xFF0A, 0xFF0B, 0xFF0C, 0xFF0D,
        0xFF0E, 0xFF30, 0xFF31, 0xFF32, 0xFF33, 0xFF34, 0xFF35, 0xFF36, 0xFF37, 0xFF38, 0xFF39, 0xFF3A, 0xFF3B, 0xFF3C, 0xFF3D, 0xFF3E, 0xFF3F,
        0xFF40, 0xFF41, 0xFF42, 0xFF43, 0xFF45, 0xFF4A, 0xFF4B, 0xFF4C, 0xFF4D, 0xFF60, 0xFF62, 0xFF63,
        0xFF64,
    )},
    # The spec names no role for FF46h ("Пароль"). Clients send 1 or 30.
    0xFF46: PasswordRole.OPERATOR,
    0xFF65: PasswordRole.OPERATOR,
    0xFF66: PasswordRole.OPERATOR,
}

PASSWORD_ROLES: Mapping[int, PasswordRole] = MappingProxyType(_ROLES)
"""Password role by command code (0xFFxx for two-byte codes), read-only."""


def password_role(code: int) -> PasswordRole:
    """Return the password role of command ``code``. Raises UnknownCommand for a code not listed."""
    try:
        return PASSWORD_ROLES[code]
    except KeyError:
        raise UnknownCommand(code) from None
