"""Identifiers: the УНП taxpayer number, EAN-8 / EAN-13 / UPC-A barcodes and weight barcodes."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from fiscal.errors import FiscalError
from fiscal.marking import looks_like_si

# --- УНП (domain.md §5.1, after python-stdnum stdnum/by/unp.py) -------------------------

_UNP_LETTERS = "ABCEHKMOPT"              # letters allowed in an individual's УНП
_UNP_FIRST = "1234567ABCEHKM"            # the region: first character
_UNP_WEIGHTS = (29, 23, 19, 17, 13, 7, 5, 3)
_CYRILLIC_TO_LATIN = str.maketrans("АВЕКМНОРСТ", "ABEKMHOPCT")


def unp_normalize(s: str) -> str:
    """Upper-case, spaces and a leading «УНП»/«UNP»(:) dropped, Cyrillic look-alikes (А В Е К М Н О Р С Т) made Latin."""
    n = s.replace(" ", "").upper()
    for prefix in ("УНП", "UNP"):
        if n.startswith(prefix):
            n = n[len(prefix):].lstrip(":")
    return n.translate(_CYRILLIC_TO_LATIN)


def _unp_problem(s: object) -> str | None:
    """None if `s` is a valid УНП, else what is wrong with it (English, for the error message)."""
    if not isinstance(s, str):
        return "it is not a string"
    n = unp_normalize(s)
    if len(n) != 9:
        return f"it has {len(n)} characters, 9 are needed"
    if not n[2:].isascii() or not n[2:].isdigit():
        return "characters 3 to 9 must be digits"
    head = n[:2]
    is_org = head.isascii() and head.isdigit()
    if not is_org and not all(c in _UNP_LETTERS for c in head):
        return f"the first two characters must both be digits or both be letters of {_UNP_LETTERS}"
    if n[0] not in _UNP_FIRST:
        return f"the first character {n[0]!r} is not a region code ({_UNP_FIRST})"
    values = [int(c) for c in n[:8]] if is_org else \
        [int(n[0], 36), _UNP_LETTERS.index(n[1])] + [int(c) for c in n[2:8]]
    check = sum(w * v for w, v in zip(_UNP_WEIGHTS, values)) % 11
    if check == 10:
        return "no valid check digit exists for its first 8 characters"
    if check != int(n[8]):
        return f"the check digit is {n[8]}, expected {check}"
    return None


def unp_valid(s: object) -> bool:
    """True for a valid УНП: an organisation's (9 digits) or an individual's (2 letters + 7 digits)."""
    return _unp_problem(s) is None


def unp_check(s: object) -> str:
    """The normalized УНП, or FiscalError BAD_UNP naming what is wrong."""
    problem = _unp_problem(s)
    if problem is not None:
        raise FiscalError("BAD_UNP", f"УНП {s!r} is invalid: {problem}")
    return unp_normalize(str(s))


# --- EAN / UPC ---------------------------------------------------------------------------

def ean_check_digit(digits: str) -> int:
    """The GS1 check digit for the first 7 (EAN-8), 11 (UPC-A) or 12 (EAN-13) digits."""
    if not isinstance(digits, str) or len(digits) not in (7, 11, 12) or not (digits.isascii() and digits.isdigit()):
        raise FiscalError("BAD_BARCODE", f"{digits!r}: a check digit needs 7, 11 or 12 digits")
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _gtin_problem(code: str) -> str | None:
    if len(code) not in (8, 12, 13):
        return f"it has {len(code)} digits; EAN-8, UPC-A and EAN-13 have 8, 12 and 13"
    expected = ean_check_digit(code[:-1])
    if int(code[-1]) != expected:
        return f"the check digit is {code[-1]}, expected {expected}"
    return None


def barcode_valid(code: object) -> bool:
    """True for an EAN-8, UPC-A or EAN-13 with a correct check digit."""
    return isinstance(code, str) and code.isascii() and code.isdigit() and _gtin_problem(code) is None


class WeightValue(StrEnum):
    """What the value field of a weight barcode means."""

    GRAMS = "grams"
    KOPECKS = "kopecks"
    PIECES = "pieces"


@dataclass(frozen=True)
class WeightBarcodeLayout:
    """An EAN-13 printed by a label scale: PP CCCCC VVVVV K by default (devices.md)."""

    prefixes: tuple[str, ...] = tuple(str(p) for p in range(20, 30))   # ints are accepted and made strings
    code_length: int = 5
    value_length: int = 5
    value: WeightValue = WeightValue.GRAMS

    def __post_init__(self) -> None:
        # whole-number prefixes (20, 21, …) are accepted from configuration and kept as strings
        object.__setattr__(self, "prefixes", tuple(str(p) if isinstance(p, int) else p for p in self.prefixes))
        if not self.prefixes or not all(isinstance(p, str) for p in self.prefixes):
            raise ValueError("prefixes must be digit strings such as \"20\"")
        lengths = {len(p) for p in self.prefixes}
        if len(lengths) != 1 or not all(p.isascii() and p.isdigit() for p in self.prefixes):
            raise ValueError("prefixes must be non-empty digit strings of one length")
        if self.code_length < 1 or self.value_length < 1 or lengths.pop() + self.code_length + self.value_length != 12:
            raise ValueError("prefix + code + value must be 12 digits (the 13th is the check digit)")


@dataclass(frozen=True)
class WeightCode:
    """A decoded weight barcode: the scale's item code and the value of the layout's kind."""

    prefix: str
    item_code: str
    value: int
    kind: WeightValue

    @property
    def qty(self) -> int | None:
        """The quantity in thousandths (grams are thousandths of a kg), or None for a price barcode."""
        if self.kind is WeightValue.GRAMS:
            return self.value
        if self.kind is WeightValue.PIECES:
            return self.value * 1000
        return None


def parse_weight_barcode(code: str, layout: WeightBarcodeLayout = WeightBarcodeLayout()) -> WeightCode | None:
    """A WeightCode for a 13-digit code with one of the layout's prefixes, None for any other code.

    A code that has a weight prefix but a wrong check digit or a zero value is BAD_BARCODE.
    """
    if not (isinstance(code, str) and len(code) == 13 and code.isascii() and code.isdigit()):
        return None
    plen = len(layout.prefixes[0])
    if code[:plen] not in layout.prefixes:
        return None
    problem = _gtin_problem(code)
    if problem:
        raise FiscalError("BAD_BARCODE", f"weight barcode {code}: {problem}")
    item = code[plen:plen + layout.code_length]
    value = int(code[plen + layout.code_length:12])
    if value == 0:
        raise FiscalError("BAD_BARCODE", f"weight barcode {code}: the {layout.value.value} value is zero")
    return WeightCode(code[:plen], item, value, layout.value)


class BarcodeKind(StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    WEIGHT = "weight"
    MARKING = "marking"    # a СИ DataMatrix (fiscal.marking parses it); a УКЗ is OTHER until a line waits for one
    OTHER = "other"


class BarcodeClass(NamedTuple):
    kind: BarcodeKind
    weight: WeightCode | None = None


_GTIN_KINDS = {8: BarcodeKind.EAN8, 12: BarcodeKind.UPCA, 13: BarcodeKind.EAN13}


def classify(code: str, layout: WeightBarcodeLayout = WeightBarcodeLayout()) -> BarcodeClass:
    """What a scanned or typed code is. All-digit codes of 8, 12 or 13 digits are GTINs and must
    carry a correct check digit (else BAD_BARCODE: a misread); a GS1 DataMatrix of a marked unit is
    MARKING; anything else non-empty is OTHER (an internal article code, a УКЗ control-stamp code)."""
    if not isinstance(code, str) or not code.strip():
        raise FiscalError("BAD_BARCODE", f"{code!r}: the code is empty")
    if not (code.isascii() and code.isdigit()) or len(code) not in _GTIN_KINDS:
        return BarcodeClass(BarcodeKind.MARKING if looks_like_si(code) else BarcodeKind.OTHER)
    weight = parse_weight_barcode(code, layout)
    if weight is not None:
        return BarcodeClass(BarcodeKind.WEIGHT, weight)
    problem = _gtin_problem(code)
    if problem:
        raise FiscalError("BAD_BARCODE", f"barcode {code}: {problem}")
    return BarcodeClass(_GTIN_KINDS[len(code)])
