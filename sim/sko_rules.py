"""The SKO emulator's document rules: totals cross-checks (57/58/59), sums (45), drawer effects, counters.

Pure functions over `fiscal.documents` values; the stateful checks (shift, number, PIN,
idempotency, time) live in sim.sko_state, which calls these.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fiscal.documents import Annulment, CashIn, CashOut, DocType, Refund, Sale
from fiscal.money import format_money, line_sum, parse_money
from fiscal.receipt import PaymentType


class SkoRefusal(Exception):
    """A refusal with the SKO's numeric code; `name` overrides the stable code when set."""

    def __init__(self, sko_code: int, detail: str, name: str = "") -> None:
        super().__init__(f"{sko_code}: {detail}")
        self.sko_code = sko_code
        self.detail = detail
        self.name = name


def parse_time(value: object, what: str = "time") -> datetime:
    """ISO 8601 with an offset -> aware datetime, else refusal 52."""
    if not isinstance(value, str):
        raise SkoRefusal(52, f"{what} must be an ISO 8601 string with an offset, got {value!r}")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise SkoRefusal(52, f"{what} {value!r} is not ISO 8601") from None
    if t.tzinfo is None:
        raise SkoRefusal(52, f"{what} {value!r} has no UTC offset")
    return t


def check_priced(doc: Sale | Refund) -> None:
    """Recompute the three totals from the lines and check the payments (codes 29/45/57/58/59)."""
    if not doc.lines:
        raise SkoRefusal(29, "a sale or refund needs at least one line")
    for i, ln in enumerate(doc.lines):
        for name in ("price", "raw", "discount", "markup", "line", "receipt_discount", "receipt_markup",
                     "total", "vat"):
            if getattr(ln, name) < 0:
                raise SkoRefusal(45, f"line {i}: {name} is negative")
        if ln.qty <= 0:
            raise SkoRefusal(29, f"line {i}: quantity must be positive")
        if ln.raw != line_sum(ln.price, ln.qty):
            raise SkoRefusal(57, f"line {i}: raw {format_money(ln.raw)} != qty × price "
                                 f"{format_money(line_sum(ln.price, ln.qty))}")
        if ln.line != ln.raw - ln.discount + ln.markup or \
                ln.total != ln.line - ln.receipt_discount + ln.receipt_markup:
            raise SkoRefusal(58, f"line {i}: discounts and markups do not add up to the line total")
    for name in ("total_cost", "total_due", "change"):
        if getattr(doc, name) < 0:
            raise SkoRefusal(45, f"{name} is negative")
    total_cost = sum(ln.raw for ln in doc.lines)
    total_due = sum(ln.total for ln in doc.lines)
    if doc.total_cost != total_cost:
        raise SkoRefusal(57, f"total_cost {format_money(doc.total_cost)} but the lines give {format_money(total_cost)}")
    if doc.discount_total != total_cost - total_due:
        raise SkoRefusal(58, f"discount_total {format_money(doc.discount_total)} but the lines give "
                             f"{format_money(total_cost - total_due)}")
    if doc.total_due != total_due:
        raise SkoRefusal(59, f"total_due {format_money(doc.total_due)} but the lines give {format_money(total_due)}")
    for p in doc.payments:
        if p.amount < 0:
            raise SkoRefusal(45, f"payment {p.type.value} is negative")
    paid = sum(p.amount for p in doc.payments)
    if paid - doc.change != doc.total_due:
        raise SkoRefusal(59, f"payments {format_money(paid)} minus change {format_money(doc.change)} "
                             f"!= total_due {format_money(doc.total_due)}")
    if doc.change > doc.paid_by_type.get(PaymentType.CASH, 0):
        raise SkoRefusal(29, "change can only be given from cash")


def check_amount(doc: CashIn | CashOut) -> None:
    if doc.amount < 0:
        raise SkoRefusal(45, "amount is negative")
    if doc.amount == 0:
        raise SkoRefusal(29, "amount must be at least 0.01")


@dataclass(frozen=True)
class Effect:
    """What a document does to the SKO's life counters."""

    drawer: int = 0
    turnover: int = 0
    total_due: int = 0
    cash_net: int = 0


def effect_of(doc: object, target: dict[str, Any] | None = None) -> Effect:
    """The drawer/turnover change of one document; `target` is the annulled document's row."""
    if isinstance(doc, Sale):
        return Effect(drawer=doc.cash_net, turnover=doc.total_due, total_due=doc.total_due, cash_net=doc.cash_net)
    if isinstance(doc, Refund):
        return Effect(drawer=-doc.cash_net, total_due=doc.total_due, cash_net=doc.cash_net)
    if isinstance(doc, CashIn):
        return Effect(drawer=doc.amount, total_due=doc.amount, cash_net=doc.amount)
    if isinstance(doc, CashOut):
        return Effect(drawer=-doc.amount, total_due=doc.amount, cash_net=doc.amount)
    if isinstance(doc, Annulment) and target is not None:
        if target["type"] == DocType.SALE.value:
            return Effect(drawer=-target["cash_net"], turnover=-target["total_due"], total_due=doc.total_due,
                          cash_net=target["cash_net"])
        return Effect(drawer=target["cash_net"], total_due=doc.total_due, cash_net=target["cash_net"])
    return Effect()


def shift_counters(shift: int, opened_at: str | None, closed_at: str | None,
                   rows: Iterable[tuple[int, str, int, str]], drawer: int, turnover: int) -> dict[str, Any]:
    """X/Z counters of one shift from its documents (number, type, total_due, document JSON); money as strings."""
    groups = {t: {"count": 0, "total": 0, "by_type": {}} for t in ("sale", "refund", "annulment", "cash_in", "cash_out")}
    first = last = None
    for number, dtype, total_due, doc_json in rows:
        first = number if first is None else first
        last = number
        if dtype not in groups:
            continue
        g = groups[dtype]
        g["count"] += 1
        g["total"] += total_due
        if dtype in ("sale", "refund", "annulment"):
            doc = json.loads(doc_json)
            change = parse_money(doc.get("change", "0.00"), "change")
            for p in doc.get("payments", []):
                amount = parse_money(p["amount"], "amount")
                if p["type"] == "cash":
                    amount -= change
                g["by_type"][p["type"]] = g["by_type"].get(p["type"], 0) + amount
    out: dict[str, Any] = {"shift": shift, "opened_at": opened_at, "closed_at": closed_at,
                           "first_number": first, "last_number": last,
                           "cash_in_drawer": format_money(drawer), "turnover": format_money(turnover)}
    for name, g in groups.items():
        out[name] = {"count": g["count"], "total": format_money(g["total"]),
                     "by_type": {k: format_money(v) for k, v in sorted(g["by_type"].items())}}
    return out
