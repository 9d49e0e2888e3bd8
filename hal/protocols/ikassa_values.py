"""Values on the iKassa wire: decimals, quantities, code types, VAT, payment kinds, the cashier, markings.

IKAPI writes money as "$decimal": sent here as a string with 2 decimals ("7.00", as the tsrv
create_sale example does), quantities with 3 ("1.000"). Answers are read whether a decimal comes as
a string or a JSON number; a number is rounded half-up to the kopeck (a float from the service is
never kept). Shared by the driver and the emulator.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from fiscal.identifiers import barcode_valid
from fiscal.money import format_money, format_qty
from fiscal.receipt import MARKING_KINDS, CodeType, PaymentType

CURRENCY = "BYN"
CASHIER_MAX = 16          # IKAPI note 1: «Максимальная длина имени кассира не должна превышать 16 символов»
_DECIMAL = re.compile(r"^-?\d{1,15}(\.\d{1,6})?\Z", re.ASCII)
_ID_SUFFIX = re.compile(r"^(.*?)(\s*\([^()]*\))\Z")

# IKAPI createSale `codeType` is an int: the numbering is not published (choice, docs/sko-protocol.md).
CODE_TYPE_ID = {CodeType.INTERNAL: 0, CodeType.GTIN: 1, CodeType.SERVICE: 2, CodeType.PREPAYMENT: 3}
CODE_TYPE_OF = {v: k for k, v in CODE_TYPE_ID.items()}
# The line VAT as the iKassa cloud SDK's `tax` (TaxTypes 0/10/20/25); «без НДС» sends no tax.
TAX_OF_RATE = {"20": 20, "10": 10, "0": 0, "25": 25}
RATE_OF_TAX = {v: k for k, v in TAX_OF_RATE.items()}
# Our tenders on IKAPI's three kinds (cash, cashless, other), as SmartX and the references group them.
KIND_OF_PAYMENT = {PaymentType.CASH: "cash", PaymentType.CARD: "cashless", PaymentType.OPLATI: "cashless",
                   PaymentType.CASHLESS_OTHER: "cashless", PaymentType.CERTIFICATE: "other",
                   PaymentType.ADVANCE_OTHER: "other"}


class WireValueError(ValueError):
    """A value on the wire that is not what the published shape says (the message names it)."""


def money(kopecks: int) -> str:
    return format_money(kopecks)


def quantity(thousandths: int) -> str:
    return format_qty(thousandths)


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise WireValueError(f"{what} must be a decimal, got {value!r}"[:120])
    if isinstance(value, str) and not _DECIMAL.match(value):
        raise WireValueError(f"{what} {value!r} is not a decimal"[:120])
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise WireValueError(f"{what} {value!r} is not a decimal"[:120]) from None
    if not d.is_finite():
        raise WireValueError(f"{what} {value!r} is not a finite decimal")
    return d


def parse_money(value: Any, what: str, *, exact: bool = False) -> int:
    """A "$decimal" → kopecks. A JSON number (or a longer fraction) is rounded half-up to the kopeck;
    with `exact` (the emulator reading a request) more than 2 decimals is refused."""
    d = _decimal(value, what)
    if exact and d != d.quantize(Decimal("0.01")):
        raise WireValueError(f"{what} {value!r} has more than 2 decimals")
    return int((d * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def parse_quantity(value: Any, what: str, *, exact: bool = False) -> int:
    d = _decimal(value, what)
    if exact and d != d.quantize(Decimal("0.001")):
        raise WireValueError(f"{what} {value!r} has more than 3 decimals")
    return int((d * 1000).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def parse_int(value: Any, what: str) -> int:
    """A "$long"/"$int": a JSON integer or a string of digits."""
    if isinstance(value, bool):
        raise WireValueError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value, re.ASCII):
        return int(value)
    raise WireValueError(f"{what} must be an integer, got {value!r}"[:120])


def code_type_of(code: str | None, declared: CodeType | None) -> CodeType:
    """The line's code type: as the catalog says, else GTIN for a code with a valid GS1 check digit."""
    if declared is not None:
        return declared
    return CodeType.GTIN if code and barcode_valid(code) else CodeType.INTERNAL


def code_number(code: str | None) -> int:
    """IKAPI `code` is a "$long": a numeric code as its number, anything else 0 (the name identifies it)."""
    if code and code.isascii() and code.isdigit() and len(code) <= 18:
        return int(code)
    return 0


def gtin_valid(number: int) -> bool:
    """A GTIN line's code: EAN-8, UPC-A or EAN-13 with a correct check digit (IKAPI 2033 INVALID_CODE)."""
    digits = str(number)
    candidates = {digits, digits.zfill(8), digits.zfill(12), digits.zfill(13)}
    return any(len(c) in (8, 12, 13) and barcode_valid(c) for c in candidates)


def cashier_for_sko(name: str) -> tuple[str, bool]:
    """(the name as sent, whether it was shortened): at most 16 characters, a trailing «(id)» kept whole."""
    name = " ".join(name.split())
    if len(name) <= CASHIER_MAX:
        return name, False
    m = _ID_SUFFIX.match(name)
    if m and len(m.group(2).strip()) < CASHIER_MAX - 1:
        suffix = " " + m.group(2).strip()
        return m.group(1)[:CASHIER_MAX - len(suffix)].rstrip() + suffix, True
    return name[:CASHIER_MAX].rstrip(), True


def marking_problem(obj: Any) -> str | None:
    """Why a `markings` entry is not the SmartX-marking shape ({"si": "…"} or {"ukz": "…"}), or None."""
    if not isinstance(obj, dict) or len(obj) != 1:
        return f"a marking must be one object with one key of {MARKING_KINDS}, got {str(obj)[:60]!r}"
    (kind, code), = obj.items()
    if kind not in MARKING_KINDS:
        return f"marking kind {str(kind)[:20]!r} is not one of {MARKING_KINDS}"
    if not isinstance(code, str) or not code.strip():
        return f"marking {kind} must be a non-empty string"
    if len(code) > 200 or not all(c.isprintable() or c == "\x1d" for c in code):
        return f"marking {kind} has characters a DataMatrix code cannot hold, or is too long"
    if kind == "si" and not re.match(r"01\d{14}21", code, re.ASCII):
        return "an si code starts with (01) and a 14-digit GTIN, then (21) and the serial"
    if kind == "si" and not _gtin14_valid(code[2:16]):
        return f"the GTIN {code[2:16]} in the si code has a wrong check digit"
    return None


def _gtin14_valid(gtin: str) -> bool:
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(gtin[:-1])))
    return (10 - total % 10) % 10 == int(gtin[-1])
