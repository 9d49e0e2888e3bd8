"""VAT rates: included in the price; the list of rates is configuration."""
from __future__ import annotations

from dataclasses import dataclass

from fiscal.errors import FiscalError
from fiscal.money import round_div

NO_VAT = "none"


@dataclass(frozen=True)
class VatRate:
    """A rate key as it crosses the wire ("20", "none") and its size in hundredths of a percent."""

    key: str
    hundredths: int | None  # None for «без НДС»

    @property
    def label(self) -> str:
        return "Без НДС" if self.hundredths is None else f"НДС {self.key}%"

    def included(self, total: int) -> int:
        """The VAT included in `total`: round(total × r / (100 + r))."""
        if not self.hundredths:
            return 0
        return round_div(total * self.hundredths, 10_000 + self.hundredths)


DEFAULT_RATES: tuple[VatRate, ...] = (
    VatRate("20", 2000), VatRate("10", 1000), VatRate("0", 0), VatRate("25", 2500), VatRate(NO_VAT, None),
)


class VatTable:
    """The configured rates; looking up an unknown key is BAD_VAT."""

    def __init__(self, rates: tuple[VatRate, ...] = DEFAULT_RATES) -> None:
        self._rates = {r.key: r for r in rates}

    def __iter__(self):
        return iter(self._rates.values())

    def keys(self) -> list[str]:
        return list(self._rates)

    def get(self, key: object, item: int | None = None) -> VatRate:
        if not isinstance(key, str) or key not in self._rates:
            allowed = ", ".join(f'"{k}"' for k in self._rates)
            raise FiscalError("BAD_VAT", f"vat {key!r} is not one of {allowed}", item)
        return self._rates[key]

    @classmethod
    def from_config(cls, keys: list[str]) -> "VatTable":
        rates = []
        for k in keys:
            if k == NO_VAT:
                rates.append(VatRate(NO_VAT, None))
            else:
                from fiscal.money import parse_percent
                rates.append(VatRate(k, parse_percent(k, "vat")))
        return cls(tuple(rates))
