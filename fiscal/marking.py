"""Marking codes (маркировка): a scanned СИ (GS1 DataMatrix) or УКЗ string checked and turned into one value.

biip parses the GS1 element strings ((01) GTIN, (21) serial, (91)/(92) or (93) crypto tail, the
`]d2` symbology prefix). What it does not judge is done here (shared/docs/marking.md §2.5): the
GTIN check digit (biip only reports it), the serial length of the Belarusian layout, the crypto
tail present with its length, a scanner that dropped the GS separators (repaired only where the
Belarusian layout leaves one reading), and Cyrillic letters typed by a keyboard wedge on a Russian
layout. A УКЗ's series/number format is not published (marking.md Q2): any printable ASCII string
that is not a GS1 code starting with (01) and not a plain barcode is taken as a УКЗ.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from biip import ParseConfig, ParseError
from biip.gs1_messages import GS1Message
from biip.symbology import SymbologyIdentifier

from fiscal.errors import FiscalError

GS = "\x1d"
BELARUS_PREFIX = "481"                    # GS1 Belarus
BY_SERIAL_LENGTHS = (13, 20)              # 20 for photo accessories (datamark.by FAQ)
VERIFY_KEY_LENGTH = 4                     # (91)
VERIFY_CODE_LENGTHS = (44, 88)            # (92): 88 for footwear
UKZ_LENGTHS = (8, 150)                    # no published format; bounds keep garbage and EANs out
MAX_CODE_LENGTH = 300

_CONFIG = ParseConfig(separator_chars=(GS,), gs1_element_strings_verify_date=False)
_SI_START = re.compile(r"\A01\d{14}", re.ASCII)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_RU_LAYOUT_PREFIX = "ъв"                  # "]d" typed on a Russian layout
_NET_WEIGHT_KG = re.compile(r"\A310([0-5])\Z")


class MarkKind(StrEnum):
    SI = "si"      # средство идентификации: GS1 DataMatrix with (01)(21) and a crypto tail
    UKZ = "ukz"    # унифицированный контрольный знак: its DataMatrix with series and number


@dataclass(frozen=True)
class MarkCode:
    """One unit's code. `code` is the full element string with its GS separators, without the symbology
    prefix (what goes to the SKO); `gtin` is 14 digits (None for a УКЗ); `serial` is (21) or the УКЗ text."""

    kind: MarkKind
    code: str
    gtin: str | None
    serial: str
    net_weight: int | None = None   # thousandths of a kg from (310n), when the code carries one
    repaired: bool = False          # the GS separators were re-inserted (a scanner in keyboard mode)

    @property
    def key(self) -> str:
        """What identifies the unit (код идентификации): GTIN + serial for a СИ, the whole code for a УКЗ.
        Crypto tails and extra AIs may differ between two reads of one unit, so they are not compared."""
        return f"{self.gtin}{self.serial}" if self.kind is MarkKind.SI else self.code

    @property
    def short(self) -> str:
        """A short form for screens and logs: the serial (never the crypto tail)."""
        return self.serial


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of the digits before it (any GTIN length)."""
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin14(barcode: str | None) -> str | None:
    """An item's EAN-8 / UPC-A / EAN-13 / GTIN-14 as GTIN-14 (left-padded with zeros), None when it is not one."""
    if not barcode or not (barcode.isascii() and barcode.isdigit()) or len(barcode) not in (8, 12, 13, 14):
        return None
    return barcode.rjust(14, "0")


def gtin_forms(gtin: str) -> tuple[str, ...]:
    """The barcodes a catalog may store for a GTIN-14: itself, and its EAN-13 / UPC-A / EAN-8 forms."""
    forms = [gtin]
    for n in (13, 12, 8):
        if gtin[:14 - n].strip("0") == "":
            forms.append(gtin[14 - n:])
    return tuple(forms)


def _bad(detail: str, variant: str | None = None, **params: object) -> FiscalError:
    return FiscalError("MARKING_BAD", detail, variant=variant, **params)


def _strip_prefix(text: str) -> str:
    """Drop an AIM symbology identifier (`]d2`, `]C1`, `]Q3`, ...) the scanner may send first."""
    if text.startswith("]"):
        try:
            sym = SymbologyIdentifier.extract(text)
        except (ParseError, IndexError, ValueError):      # biip indexes past the end of "]" or "]d"
            raise _bad(f"{text[:8]!r}: an unknown symbology identifier") from None
        text = text[len(sym):]
    return text.strip()   # str.strip() takes GS (FNC1 sent as GS) off both ends as well


def _check_layout(text: str) -> None:
    letters = sorted(set(_CYRILLIC.findall(text)))
    if letters:
        raise _bad(f"Cyrillic letters {''.join(letters)!r} in a code: a keyboard wedge on a Russian layout",
                   "MARKING_BAD_LAYOUT", letters=", ".join(letters[:5]))
    if text.startswith(_RU_LAYOUT_PREFIX):
        raise _bad("']d' arrived as 'ъв': a keyboard wedge on a Russian layout", variant="MARKING_BAD_LAYOUT", letters="ъ, в")


def looks_like_si(code: str) -> bool:
    """True when a scan is meant as a СИ: a symbology prefix, a GS, or (01)+GTIN followed by more data.
    It may still be refused by `parse_code`; this only routes the scan to the marking service."""
    if not isinstance(code, str) or len(code) < 18:
        return False
    if GS in code or code.startswith(("]d2", "]C1", "]Q3", "]e0", _RU_LAYOUT_PREFIX)):
        return True
    return bool(_SI_START.match(code)) and code[16:18] == "21"


def _parse_gs1(text: str):
    try:
        return GS1Message.parse(text, config=_CONFIG)
    except ParseError:
        return None


def _elements(msg) -> dict[str, str]:
    out: dict[str, str] = {}
    for es in msg.element_strings:
        out.setdefault(es.ai.ai, es.value)
    return out


def _layout_problem(ai: dict[str, str], first_ai: str) -> str | None:
    """None if the element strings are a СИ we accept, else what is wrong (English, for the log)."""
    if first_ai != "01" or "01" not in ai:
        return "(01) GTIN must come first"
    gtin = ai["01"]
    if len(gtin) != 14 or not gtin.isdigit() or gtin_check_digit(gtin[:13]) != int(gtin[13]):
        return f"GTIN {gtin} has a wrong check digit"
    serial = ai.get("21")
    if not serial:
        return "no (21) serial"
    has_91, has_92, has_93 = "91" in ai, "92" in ai, "93" in ai
    if has_91 != has_92:
        return "(91) and (92) come together"
    if not (has_92 or has_93):
        return "no crypto tail: (91)+(92) or (93)"
    if has_92:
        if len(ai["91"]) != VERIFY_KEY_LENGTH:
            return f"(91) has {len(ai['91'])} characters, {VERIFY_KEY_LENGTH} expected"
        if len(ai["92"]) not in VERIFY_CODE_LENGTHS:
            return f"(92) has {len(ai['92'])} characters, 44 or 88 expected"
        if gtin[1:4] == BELARUS_PREFIX and len(serial) not in BY_SERIAL_LENGTHS:
            return f"(21) has {len(serial)} characters; a Belarusian code has 13 (20 for photo goods)"
    return None


def _repair(text: str) -> str | None:
    """A Belarusian СИ whose GS separators were lost: put them back where the layout leaves one reading
    ((21) of 13 or 20 characters, (91) of 4, (92) of 44 or 88: every total length belongs to one layout)."""
    flat = text.replace(GS, "")
    for serial_len in BY_SERIAL_LENGTHS:
        at91 = 18 + serial_len
        at92 = at91 + 2 + VERIFY_KEY_LENGTH
        if (len(flat) - at92 - 2) in VERIFY_CODE_LENGTHS and flat[at91:at91 + 2] == "91" \
                and flat[at92:at92 + 2] == "92" and flat[3:6] == BELARUS_PREFIX:
            return flat[:at91] + GS + flat[at91:at92] + GS + flat[at92:]
    return None


def _net_weight(msg) -> int | None:
    for es in msg.element_strings:
        m = _NET_WEIGHT_KG.match(es.ai.ai)
        if m and es.value.isdigit():
            decimals = int(m.group(1))
            value = int(es.value)
            # thousandths of a kg, rounded half-up for 4 and 5 decimals
            return value * 10 ** (3 - decimals) if decimals <= 3 else (2 * value + 10 ** (decimals - 3)) // (2 * 10 ** (decimals - 3))
    return None


def _si(text: str) -> MarkCode:
    msg = _parse_gs1(text)
    problem = "not a GS1 element string" if msg is None else _layout_problem(_elements(msg), msg.element_strings[0].ai.ai)
    repaired = False
    if problem is not None:
        fixed = _repair(text)
        fixed_msg = _parse_gs1(fixed) if fixed else None
        if fixed_msg is None or _layout_problem(_elements(fixed_msg), fixed_msg.element_strings[0].ai.ai):
            raise _bad(f"СИ {text[:40]!r}: {problem}" + ("" if GS in text else " (and no GS separators)"))
        text, msg, repaired = fixed, fixed_msg, True
    ai = _elements(msg)
    return MarkCode(MarkKind.SI, text, ai["01"], ai["21"], _net_weight(msg), repaired)


def _ukz(text: str) -> MarkCode:
    if not all(" " < c <= "~" or c == GS for c in text):
        raise _bad(f"{text[:40]!r}: characters a control-stamp code cannot hold")
    if not UKZ_LENGTHS[0] <= len(text) <= UKZ_LENGTHS[1]:
        raise _bad(f"{text[:40]!r}: {len(text)} characters, a control-stamp code has {UKZ_LENGTHS[0]}…{UKZ_LENGTHS[1]}")
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        raise _bad(f"{text}: a product barcode, not a marking code", variant="MARKING_BAD_BARCODE")
    return MarkCode(MarkKind.UKZ, text, None, text)


def parse_code(raw: str, kind: MarkKind | str | None = None) -> MarkCode:
    """A scanned marking code, checked. `kind` says what the item needs (None: judge by the content: a GS1
    string starting with (01) is a СИ, anything else a УКЗ). FiscalError MARKING_BAD names the problem."""
    if not isinstance(raw, str) or not raw.strip():
        raise _bad("the code is empty")
    if len(raw) > MAX_CODE_LENGTH:
        raise _bad(f"{len(raw)} characters: longer than any marking code")
    text = raw.strip("\r\n")
    _check_layout(text)
    text = _strip_prefix(text)
    if any(c < " " and c != GS for c in text) or not text.isascii():
        raise _bad(f"{text[:40]!r}: control or non-ASCII characters")
    want = MarkKind(kind) if kind else None
    if _SI_START.match(text) and want is not MarkKind.UKZ:
        return _si(text)
    if want is MarkKind.SI:
        raise _bad(f"{text[:40]!r}: a СИ starts with (01) and the GTIN", variant="MARKING_BAD_NOT_SI")
    return _ukz(text)
