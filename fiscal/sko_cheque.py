"""The cheque as the SKO computed it, and how it differs from our own arithmetic (fiscal.receipt).

The iKassa SKO takes a document's inputs and computes the cheque itself (IKAPI createSale answer:
items[{itemPrice, totalPrice, discount, resultPrice}], subTotals{sum, positionsDiscount,
chequeDiscount}, totals{discount, sum, cash, cashless, other, change}). The document is registered
and printed as the SKO computed it; our arithmetic stays as the check, and `compare` names every
figure where the two disagree so the fiscal path can log it and diagnostics can show it.
A figure the SKO did not return is None and is not compared.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class SkoLine:
    """One item as the SKO computed it. `discount` is net of a markup (negative when the markup is larger)."""

    name: str
    code: str
    qty: int               # thousandths
    price: int             # itemPrice
    total_price: int       # qty × price
    discount: int
    result: int            # resultPrice = total_price − discount (before the cheque discount)


@dataclass(frozen=True)
class SkoCheque:
    """The SKO's figures of one document, in kopecks (None: the answer does not carry that figure)."""

    lines: tuple[SkoLine, ...] = ()
    subtotal: int | None = None            # subTotals.sum («Итого общая стоимость»)
    positions_discount: int | None = None
    cheque_discount: int | None = None
    discount: int | None = None            # totals.discount («Сумма скидки (надбавки)»)
    total: int | None = None               # totals.sum («Итого к оплате»)
    cash: int | None = None
    cashless: int | None = None
    other: int | None = None
    change: int | None = None


@dataclass(frozen=True)
class Difference:
    field: str
    ours: int
    sko: int

    def __str__(self) -> str:
        return f"{self.field}: ours {self.ours}, SKO {self.sko}"


# Our payment types on the SKO's three published kinds (docs/sko-protocol.md, «Payments»).
PAYMENT_KIND = {"cash": "cash", "card": "cashless", "oplati": "cashless", "cashless_other": "cashless",
                "certificate": "other", "advance_other": "other"}


def paid_by_kind(doc: Any) -> dict[str, int]:
    """cash / cashless / other sums of a sale, refund or annulment as the SKO counts them (cash before change)."""
    out = {"cash": 0, "cashless": 0, "other": 0}
    for p in getattr(doc, "payments", ()):
        out[PAYMENT_KIND[p.type.value]] += p.amount
    return out


def compare(doc: Any, cheque: SkoCheque | None) -> tuple[Difference, ...]:
    # `doc` is a fiscal.documents document, read by its fields (fiscal.documents imports this module)
    """Every figure of `cheque` that differs from the same figure of `doc` (empty when they agree)."""
    if cheque is None:
        return ()
    ours: dict[str, int] = {}
    lines = getattr(doc, "lines", None)
    if lines is not None:
        ours.update(subtotal=doc.total_cost, discount=doc.discount_total, total=doc.total_due, change=doc.change,
                    positions_discount=sum(ln.discount - ln.markup for ln in lines),
                    cheque_discount=sum(ln.receipt_discount - ln.receipt_markup for ln in lines))
        ours.update(paid_by_kind(doc))
    elif hasattr(doc, "amount"):
        ours["total"] = doc.amount
    elif hasattr(doc, "total_due"):
        ours["total"] = doc.total_due
    out = [Difference(name, ours[name], theirs) for name in ours
           if (theirs := getattr(cheque, name)) is not None and theirs != ours[name]]
    if lines is not None and cheque.lines:
        if len(cheque.lines) != len(lines):
            out.append(Difference("lines", len(lines), len(cheque.lines)))
        for i, (ln, sl) in enumerate(zip(lines, cheque.lines)):
            for name, a, b in (("total_price", ln.raw, sl.total_price), ("discount", ln.discount - ln.markup, sl.discount),
                               ("result", ln.line, sl.result), ("qty", ln.qty, sl.qty), ("price", ln.price, sl.price)):
                if a != b:
                    out.append(Difference(f"lines[{i}].{name}", a, b))
    return tuple(out)


def as_computed(doc: Any, cheque: SkoCheque | None) -> Any:
    """`doc` with the figures the SKO computed put in place of ours, for printing: the registered document
    is the SKO's (IKAPI: the service computes the cheque). Lines are taken over only when the SKO returned
    as many as we sent; a figure it did not return stays ours. `doc` itself is returned when they agree."""
    if cheque is None or getattr(doc, "lines", None) is None or not compare(doc, cheque):
        return doc
    lines = doc.lines
    if cheque.lines and len(cheque.lines) == len(lines):
        lines = tuple(_line_as_computed(ln, sl) for ln, sl in zip(lines, cheque.lines))
    totals = {"total_cost": cheque.subtotal, "discount_total": cheque.discount, "total_due": cheque.total,
              "change": cheque.change}
    return replace(doc, lines=lines, **{k: v for k, v in totals.items() if v is not None})


def _line_as_computed(ln: Any, sl: SkoLine) -> Any:
    # Our share of the cheque discount stays on the line: the SKO gives resultPrice before it.
    after_cheque = ln.line - ln.total
    return replace(ln, price=sl.price, qty=sl.qty, raw=sl.total_price, discount=max(sl.discount, 0),
                   markup=max(-sl.discount, 0), line=sl.result, total=sl.result - after_cheque)
