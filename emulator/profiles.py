"""Device profiles: which register model kktemu pretends to be, and how it behaves.

A profile names the model identity that drivers read (0xFC device type, model
number, firmware), the ФФД version the register writes (1.05 or 1.2) and the
quirks of real devices that differ between models or transports. Tests select a
profile explicitly; ``kktemu serve --ffd`` picks one of the stock profiles.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .ofd_settings import DEFAULT_SETTINGS as DEFAULT_OFD_LINK_SETTINGS
from .ofd_settings import OfdLinkSettings
from .receipt_settings import DEFAULT_RECEIPT_SETTINGS, ReceiptSettings

FFD_VERSION_CODES = {"1.05": 2, "1.2": 4}
"""ФФД version string to the code written in реквизит 1209 (and 1189, 1190)."""


@dataclasses.dataclass(frozen=True)
class DeviceProfile:
    """Identity and behaviour switches of one emulated register model."""

    name: str
    device_name: str
    model_id: int
    protocol_version: int = 1
    protocol_subversion: int = 14
    firmware_version: str = "C3"
    firmware_build: int = 35698
    firmware_date: dt.date = dt.date(2021, 6, 24)
    print_width: int = 48
    # The receipt printer as 26h reports it: the print width in dots and the characters per
    # line of fonts 1..7, from the javapos_shtrih model description of the ШТРИХ-М-ФР-К
    # (models.xml, model 250: PrintWidth 576, TextLength 48;24;48;48;48;48;48).
    print_width_dots: int = 576
    font_line_lengths: tuple[int, ...] = (48, 24, 48, 48, 48, 48, 48)
    ffd_version: str = "1.05"
    kkt_version: str = "3.0"
    # Штрих-М tax groups 1..4 of commands 0x80-0x85 mapped to the ФФД VAT rate code
    # of реквизит 1199 (1 = 20 %, 2 = 10 %, 5 = 0 %, 6 = без НДС).
    # NOTE: the public protocol text does not give the stock tax table of a real
    # ШТРИХ-М-01Ф. This order follows the FF46 tax bits (20 %, 10 %, 0 %, без НДС).
    tax_group_rates: tuple[int, int, int, int] = (1, 2, 5, 6)
    # The 0xFF a network register sends after the host's ACK of a protocol v1 answer
    # (vendor spec v1.17, appendix 3, note on RNDIS), per transport: on for TCP, off
    # for the virtual serial port, because serial registers do not send it.
    ff_after_ack_tcp: bool = True
    ff_after_ack_pty: bool = False
    # A sale, receipt or cash operation with the shift closed opens it first, as
    # registers of this generation do. NOTE: not confirmed for every Штрих-М
    # firmware; profiles that need the 3Dh refusal instead turn it off.
    auto_open_shift: bool = True
    # Receipt rules of this model's firmware with the factory settings tables. Table 1
    # field 14 and table 17 fields 35 and 36 override three of them (``register_settings``).
    receipt_settings: ReceiptSettings = DEFAULT_RECEIPT_SETTINGS
    # Timers of the link to the ОФД (poll interval, back-off, timeouts) when `serve --ofd` runs one.
    ofd_link: OfdLinkSettings = DEFAULT_OFD_LINK_SETTINGS

    def __post_init__(self) -> None:
        if self.ffd_version not in FFD_VERSION_CODES:
            raise ValueError(
                f"unsupported ФФД version {self.ffd_version!r}: use one of {', '.join(FFD_VERSION_CODES)}"
            )

    @property
    def ffd_code(self) -> int:
        """The code of this profile's ФФД version as written in реквизит 1209."""
        return FFD_VERSION_CODES[self.ffd_version]

    def with_ffd(self, version: str) -> DeviceProfile:
        """Return a copy of this profile writing ФФД ``version`` ("1.05" or "1.2")."""
        return dataclasses.replace(self, ffd_version=version)


SHTRIH_M_01F = DeviceProfile(name="shtrih-m-01f", device_name="ШТРИХ-М-01Ф", model_id=250)
"""ШТРИХ-М-01Ф: the model the pyshtrih driver recognises by its 0xFC name."""

def profile_version(ffd_code: int) -> str:
    """Return the ФФД version string for a 1209 code. Raises ValueError for unsupported codes."""
    for version, code in FFD_VERSION_CODES.items():
        if code == ffd_code:
            return version
    raise ValueError(f"unsupported ФФД version code {ffd_code}: kktemu writes ФФД 1.05 (2) and 1.2 (4)")


PROFILES = {profile.name: profile for profile in (SHTRIH_M_01F,)}


def get_profile(name: str, ffd_version: str | None = None) -> DeviceProfile:
    """Return the stock profile ``name``, optionally switched to another ФФД version.

    Raises ValueError naming the known profiles when ``name`` is unknown.
    """
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown device profile {name!r}: use one of {', '.join(PROFILES)}") from None
    return profile.with_ffd(ffd_version) if ffd_version else profile
