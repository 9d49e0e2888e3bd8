"""Reports for a chosen period from the journal's registered documents: goods, payment types, turnover, stock.

Dates are the register's local calendar days as recorded in each document (`created`), both
ends inclusive. Annulled sales are left out (the journal's sums already do that). The turnover
sheet (оборотная ведомость) derives the stock at the start and end of the period from today's
stock and the sales and refunds since: stock changed by imports or edits is not journaled, so
those changes show up in the opening figure, not as a movement.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from storage.errors import StorageError

KINDS = ("goods", "payments", "turnover", "stock")


@dataclass(frozen=True)
class Period:
    start: str            # YYYY-MM-DD
    end: str              # YYYY-MM-DD, inclusive

    @property
    def start_iso(self) -> str:
        return f"{self.start}T00:00:00"

    @property
    def end_iso(self) -> str:
        """The first moment after the period (exclusive bound)."""
        return (date.fromisoformat(self.end) + timedelta(days=1)).isoformat() + "T00:00:00"


def period(start: str, end: str) -> Period:
    for v in (start, end):
        try:
            date.fromisoformat(v)
        except (TypeError, ValueError):
            raise StorageError("BAD_DATE", f"{v!r} is not a date YYYY-MM-DD") from None
        if len(v) != 10:
            raise StorageError("BAD_DATE", f"{v!r} is not a date YYYY-MM-DD")
    if start > end:
        raise StorageError("BAD_DATE", f"the period starts ({start}) after it ends ({end})")
    return Period(start, end)


@dataclass(frozen=True)
class GoodsRow:
    code: str
    name: str
    sold_qty: int           # thousandths
    sold_sum: int           # kopecks
    refunded_qty: int
    refunded_sum: int

    @property
    def net_qty(self) -> int:
        return self.sold_qty - self.refunded_qty

    @property
    def net_sum(self) -> int:
        return self.sold_sum - self.refunded_sum


@dataclass(frozen=True)
class PaymentRow:
    type: str
    sales: int
    refunds: int

    @property
    def net(self) -> int:
        return self.sales - self.refunds


@dataclass(frozen=True)
class TurnoverRow:
    code: str
    name: str
    opening: int | None      # thousandths; None for items without stock tracking
    sold: int
    refunded: int
    closing: int | None


@dataclass(frozen=True)
class StockRow:
    code: str
    name: str
    unit: str
    stock: int


def goods_report(journal, p: Period) -> list[GoodsRow]:
    return [GoodsRow(t.code or "", t.name, t.sold_qty or 0, t.sold_sum or 0, t.refunded_qty or 0, t.refunded_sum or 0)
            for t in journal.sales_by_item(p.start_iso, p.end_iso)]


def payments_report(journal, p: Period) -> list[PaymentRow]:
    totals = journal.totals_by_payment(p.start_iso, p.end_iso)
    return [PaymentRow(str(t), v.sales or 0, v.refunds or 0) for t, v in sorted(totals.items(), key=lambda kv: str(kv[0]))]


def _moves(journal, start_iso: str, end_iso: str) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for t in journal.sales_by_item(start_iso, end_iso):
        if t.code:
            s, r = out.get(t.code, (0, 0))
            out[t.code] = (s + (t.sold_qty or 0), r + (t.refunded_qty or 0))
    return out


def turnover_report(journal, catalog, p: Period) -> list[TurnoverRow]:
    within = _moves(journal, p.start_iso, p.end_iso)
    after = _moves(journal, p.end_iso, "9999-12-31T23:59:59")
    names = {t.code: t.name for t in journal.sales_by_item(p.start_iso, p.end_iso) if t.code}
    rows = []
    seen = set()
    for item in catalog.iter_items():
        if item.stock is None and item.code not in within:
            continue
        seen.add(item.code)
        sold, refunded = within.get(item.code, (0, 0))
        closing = None
        opening = None
        if item.stock is not None:
            a_sold, a_ref = after.get(item.code, (0, 0))
            closing = item.stock + a_sold - a_ref
            opening = closing + sold - refunded
        rows.append(TurnoverRow(item.code, item.name, opening, sold, refunded, closing))
    for code, (sold, refunded) in within.items():      # sold in the period, since removed from the catalog
        if code not in seen:
            rows.append(TurnoverRow(code, names.get(code, ""), None, sold, refunded, None))
    return rows


def stock_report(catalog) -> list[StockRow]:
    return [StockRow(i.code, i.name, i.unit, i.stock) for i in catalog.iter_items() if i.stock is not None]
