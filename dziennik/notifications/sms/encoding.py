"""How a text becomes SMS parts: GSM-7 or UCS-2, transliteration, concatenation.

GSM-7 is the 3GPP TS 23.038 default alphabet: 128 basic characters of one septet each,
and an extension table reached through ESC (0x1B) whose characters cost two septets
(``{ } [ ] ~ \\ | ^ €`` and form feed). A text with any other character (Polish letters,
an en dash) goes as UCS-2: UTF-16 big-endian code units, a character outside the BMP
(an emoji) two of them.

One message carries 160 septets (GSM-7) or 70 code units (UCS-2); a longer one is split
into concatenated parts, each with a user data header (UDH, 6 octets: IEI 0x00, an
8-bit reference, the part count, the part's number) that leaves 153 septets or 67 code
units. A part never ends between ESC and its character, nor inside a surrogate pair.

The table is ours: smpplib's (``smpplib.gsm``) maps 0x5F to a backquote instead of "§"
and accepts the backquote, which GSM-7 does not have; and it splits parts without
regard to escapes. SMPP carries GSM-7 unpacked (one septet per octet, data_coding 0),
which is what ``encode`` returns.

Transliteration, for a school that prefers cheaper messages: Polish letters lose their
diacritics (ą→a … ż→z, capitals too) and typographic marks become their plain forms
(– → -, „ ” → ", ’ → ', … → ...), so a Polish text fits GSM-7 and 160 characters per
message instead of 70.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = 0  # SMPP data_coding: the SMSC default alphabet
UCS2 = 8  # SMPP data_coding: ISO/IEC 10646 (UCS-2)

SINGLE = {GSM7: 160, UCS2: 70}
PER_PART = {GSM7: 153, UCS2: 67}
MAX_PARTS = 255

ESC = 0x1B
# 3GPP TS 23.038 6.2.1, the basic character set by code (0x1B is the escape)
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# 6.2.1.1, the extension table: character -> code after ESC
EXTENSION = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D,
             "]": 0x3E, "|": 0x40, "€": 0x65}  # fmt: skip
_BASIC_CODE = {char: code for code, char in enumerate(BASIC) if code != ESC}
_BASIC_CHAR = dict(enumerate(BASIC))
_EXTENSION_CHAR = {code: char for char, code in EXTENSION.items()}

TRANSLITERATION = str.maketrans(
    {
        "ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s", "ź": "z",
        "ż": "z", "Ą": "A", "Ć": "C", "Ę": "E", "Ł": "L", "Ń": "N", "Ó": "O", "Ś": "S",
        "Ź": "Z", "Ż": "Z",
        "–": "-", "—": "-", "‑": "-", "„": '"', "”": '"', "“": '"', "«": '"', "»": '"',
        "‘": "'", "’": "'", "‚": "'", "…": "...", "\u00a0": " ", "\u202f": " ",
    }
)  # fmt: skip


def transliterate(text: str) -> str:
    """The text without Polish diacritics and typographic marks (see the module)."""
    return text.translate(TRANSLITERATION)


def is_gsm7(text: str) -> bool:
    return all(char in _BASIC_CODE or char in EXTENSION for char in text)


def _gsm7_units(text: str) -> list[bytes]:
    """One entry per character: its septets (one, or ESC and the extension code)."""
    units = []
    for char in text:
        if char in _BASIC_CODE:
            units.append(bytes([_BASIC_CODE[char]]))
        elif char in EXTENSION:
            units.append(bytes([ESC, EXTENSION[char]]))
        else:
            raise UnicodeEncodeError("gsm-7", text, 0, len(text), f"no GSM-7 for {char!r}")
    return units


def _ucs2_units(text: str) -> list[bytes]:
    """One entry per character: its UTF-16 code units (two for a surrogate pair)."""
    # a lone surrogate (no text the register stores has one: ``core.text``) goes as "?"
    return [char.encode("utf-16-be", "replace") for char in text]


def encode(text: str, coding: int) -> bytes:
    """The whole text in ``coding`` (GSM-7 unpacked septets, or UTF-16-BE)."""
    units = _gsm7_units(text) if coding == GSM7 else _ucs2_units(text)
    return b"".join(units)


def decode(data: bytes, coding: int) -> str:
    """The inverse of ``encode`` (for receipts' texts and for tests)."""
    if coding == UCS2:
        return data.decode("utf-16-be")
    chars, escaped = [], False
    for code in data:
        if escaped:
            chars.append(_EXTENSION_CHAR.get(code, " "))
            escaped = False
        elif code == ESC:
            escaped = True
        else:
            chars.append(_BASIC_CHAR[code])
    return "".join(chars)


def choose(text: str) -> int:
    """GSM-7 when every character has a code there, else UCS-2."""
    return GSM7 if is_gsm7(text) else UCS2


def _width(unit: bytes, coding: int) -> int:
    """How much of a part a character takes: septets, or UCS-2 code units."""
    return len(unit) if coding == GSM7 else len(unit) // 2


def split(text: str, coding: int | None = None) -> tuple[int, list[bytes]]:
    """The coding and the parts' payloads (without headers): one part when the text fits
    a single message, else chunks of at most 153 septets / 67 code units, never cutting a
    character. Raises ``ValueError`` past 255 parts."""
    coding = choose(text) if coding is None else coding
    units = _gsm7_units(text) if coding == GSM7 else _ucs2_units(text)
    total = sum(_width(unit, coding) for unit in units)
    if total <= SINGLE[coding]:
        return coding, [b"".join(units)]
    parts, current, size = [], [], 0
    for unit in units:
        width = _width(unit, coding)
        if size + width > PER_PART[coding]:
            parts.append(b"".join(current))
            current, size = [], 0
        current.append(unit)
        size += width
    parts.append(b"".join(current))
    if len(parts) > MAX_PARTS:
        raise ValueError(f"a text of {len(parts)} parts is too long for one SMS")
    return coding, parts


def udh(reference: int, count: int, number: int) -> bytes:
    """The concatenation header of part ``number`` (1-based) of ``count`` (8-bit
    reference, 3GPP TS 23.040 9.2.3.24.1)."""
    return bytes([0x05, 0x00, 0x03, reference & 0xFF, count, number])


@dataclass(frozen=True)
class Encoded:
    coding: int
    parts: list[bytes]  # payloads, headers not included

    @property
    def count(self) -> int:
        return len(self.parts)

    @property
    def name(self) -> str:
        return "GSM-7" if self.coding == GSM7 else "UCS-2"


def prepare(text: str, *, cheap: bool = False) -> Encoded:
    """The text as it will be sent: transliterated first when the school prefers
    cheaper messages (``cheap``), then GSM-7 if it fits, else UCS-2."""
    if cheap:
        text = transliterate(text)
    coding, parts = split(text)
    return Encoded(coding, parts)


def segments(text: str, coding: int | None = None) -> int:
    """How many messages the text costs (the arithmetic ``split`` follows)."""
    return len(split(text, coding)[1])


def length(text: str, coding: int) -> int:
    """The text's length in septets (GSM-7) or code units (UCS-2)."""
    units = _gsm7_units(text) if coding == GSM7 else _ucs2_units(text)
    return sum(_width(unit, coding) for unit in units)
