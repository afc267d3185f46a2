"""CP866 text for ФФД requisites, made from the cp1251 text of the wire and of the settings tables.

The host sends item names and writes table texts (operator names in table 2,
the user, address and place in table 18) in cp1251, and the register prints
them so. ФФД string requisites are CP866, which lacks some printable cp1251
characters. The register substitutes the nearest CP866 text for them, so a
name in «» quotes or with € reaches the ФН instead of failing the document.
"""

from __future__ import annotations

# Printable cp1251 characters that CP866 lacks, mapped to the nearest CP866 text.
_CP866_SUBSTITUTES = str.maketrans({
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'",
    "–": "-", "—": "-", "…": "...", "€": "EUR", "‰": "%", "•": "*", "™": "TM", "©": "(c)", "®": "(R)",
})


def cp866_text(text: str, max_bytes: int) -> str:
    """Return ``text`` as CP866 can encode it, cut to ``max_bytes`` bytes (one byte a character).

    The characters of ``_CP866_SUBSTITUTES`` become their substitutes and any
    other character CP866 lacks (Ђ, Ћ, a character outside cp1251) becomes "?".
    """
    text = text.translate(_CP866_SUBSTITUTES)
    text = text.encode("cp866", errors="replace").decode("cp866")
    return text[:max_bytes]
