"""Money (integer kopecks), quantities (integer thousandths), percents (hundredths): parse, format, round.

No float ever touches money: strings are parsed digit by digit into integers and every
division rounds explicitly, half-up, with integer arithmetic.
"""
from __future__ import annotations

import re

from fiscal.errors import FiscalError

MAX_SUM = 99_999_999_999_99      # 99 999 999 999.99 BYN in kopecks
MIN_SUM = 1                      # 0.01
MIN_QTY = 1                      # 0.001
MAX_QTY = 9_999_999              # 9999.999
MAX_LINES = 1000

# re.ASCII: \d must not accept other scripts' digits; \Z, unlike $, refuses a trailing newline
_MONEY_EXACT = re.compile(r"^(-?)(\d{1,12})\.(\d{2})\Z", re.ASCII)
_MONEY_LOOSE = re.compile(r"^(-?)(\d{1,12})(?:\.(\d{1,2}))?\Z", re.ASCII)
_QTY_EXACT = re.compile(r"^(\d{1,5})\.(\d{3})\Z", re.ASCII)
_QTY_LOOSE = re.compile(r"^(\d{1,5})(?:\.(\d{1,3}))?\Z", re.ASCII)
_PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?\Z", re.ASCII)


def round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up (half away from zero for negatives)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((2 * -numerator + denominator) // (2 * denominator))


def _field_error(field: str, value: object, shape: str) -> FiscalError:
    return FiscalError("BAD_FIELD", f"{field}: {value!r} is not {shape}", field=field)


def parse_money(value: object, field: str = "amount", *, exact: bool = True) -> int:
    """'12.30' -> 1230. exact=True demands exactly two decimals (the wire form)."""
    if not isinstance(value, str):
        raise _field_error(field, value, "a string with 2 decimals such as \"1.20\"")
    m = (_MONEY_EXACT if exact else _MONEY_LOOSE).match(value.strip() if not exact else value)
    if not m:
        raise _field_error(field, value, "a sum with 2 decimals such as \"1.20\"")
    sign, whole, frac = m.group(1), m.group(2), (m.group(3) or "")
    kopecks = int(whole) * 100 + int(frac.ljust(2, "0"))
    return -kopecks if sign else kopecks


def format_money(kopecks: int) -> str:
    """1230 -> '12.30', -5 -> '-0.05'."""
    sign = "-" if kopecks < 0 else ""
    k = abs(kopecks)
    return f"{sign}{k // 100}.{k % 100:02d}"


def format_money_grouped(kopecks: int) -> str:
    """1234567 -> '12 345.67' (for screens, with a thin no-break grouping)."""
    sign = "-" if kopecks < 0 else ""
    k = abs(kopecks)
    return f"{sign}{k // 100:,}".replace(",", "\u00a0") + f".{k % 100:02d}"


def parse_qty(value: object, field: str = "qty", *, exact: bool = True) -> int:
    """'1.235' -> 1235 thousandths. exact=True demands exactly three decimals."""
    if not isinstance(value, str):
        raise _field_error(field, value, "a string with 3 decimals such as \"1.000\"")
    m = (_QTY_EXACT if exact else _QTY_LOOSE).match(value if exact else value.strip())
    if not m:
        raise _field_error(field, value, "a quantity with 3 decimals such as \"1.000\"")
    return int(m.group(1)) * 1000 + int((m.group(2) or "").ljust(3, "0"))


def format_qty(thousandths: int) -> str:
    """1235 -> '1.235'."""
    sign = "-" if thousandths < 0 else ""
    q = abs(thousandths)
    return f"{sign}{q // 1000}.{q % 1000:03d}"


def parse_percent(value: object, field: str = "percent") -> int:
    """'12.5' -> 1250 hundredths of a percent; 0 … 999.99."""
    if not isinstance(value, str):
        raise _field_error(field, value, "a percent string such as \"5\" or \"12.5\"")
    m = _PERCENT.match(value)
    if not m:
        raise _field_error(field, value, "a percent with up to 2 decimals such as \"12.5\"")
    return int(m.group(1)) * 100 + int((m.group(2) or "").ljust(2, "0"))


def format_percent(hundredths: int) -> str:
    """1250 -> '12.5', 500 -> '5'."""
    whole, frac = divmod(hundredths, 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def percent_of(base: int, hundredths: int) -> int:
    """round(base × P / 100) with P in hundredths of a percent."""
    return round_div(base * hundredths, 10_000)


def line_sum(price: int, qty: int) -> int:
    """round(qty × price): kopecks × thousandths -> kopecks."""
    return round_div(price * qty, 1000)
