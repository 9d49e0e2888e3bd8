"""Shift counters for the X and Z reports: one pass over a shift's registered documents.

Counts and sums per document type are gross (an annulled sale still counts as a sale and
the annulment counts on its own); the net figures (`sales_net`, `refunds_net`, `revenue`,
`cash_in_drawer`, the VAT by rate) have every annulment reverse the document it annulled.
The drawer starts from `opening_cash`, the cash carried over from the previous shift (the
SKO's cash counter when the shift opened, which is the previous Z's closing balance).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fiscal.documents import Annulment, CashIn, CashOut, DocType, Document, Refund, Registration, Sale, ShiftClose, ShiftOpen
from fiscal.errors import FiscalError
from fiscal.money import format_money, parse_money
from fiscal.receipt import PaymentType


@dataclass(frozen=True)
class CountSum:
    count: int = 0
    sum: int = 0


@dataclass(frozen=True)
class VatTotal:
    """One VAT rate's turnover (sum of line totals) and the VAT included in it."""

    rate: str
    total: int
    vat: int


@dataclass(frozen=True)
class ShiftCounters:
    shift: int
    opened: str | None                   # the shift-open registration time
    closed: str | None                   # the Z registration time (None for an X report)
    first_number: int | None             # SKO document numbers of the shift's documents
    last_number: int | None
    documents: int                       # registered documents counted
    pending: int                         # documents not yet registered: not counted anywhere else
    sales: CountSum
    refunds: CountSum
    annulments: CountSum
    cash_in: CountSum
    cash_out: CountSum
    sales_by_payment: tuple[tuple[PaymentType, int], ...]      # every PaymentType, in enum order
    refunds_by_payment: tuple[tuple[PaymentType, int], ...]
    annulled_by_payment: tuple[tuple[PaymentType, int], ...]
    sales_vat: tuple[VatTotal, ...]      # net of annulled sales, rates in first-use order
    refunds_vat: tuple[VatTotal, ...]    # net of annulled refunds
    opening_cash: int                    # cash carried over into the shift
    cash_in_drawer: int                  # opening + cash taken − cash given back ± cash in/out
    revenue: int                         # sales − refunds, net of annulments
    annulled_sales: CountSum | None = None     # annulments of sales / of refunds (None: a Z made before
    annulled_refunds: CountSum | None = None   # they were counted apart; its net figures are not known)

    @property
    def sales_net(self) -> int | None:
        """The sales sum less the annulled sales (what the VAT turnover adds up to)."""
        return None if self.annulled_sales is None else self.sales.sum - self.annulled_sales.sum

    @property
    def refunds_net(self) -> int | None:
        return None if self.annulled_refunds is None else self.refunds.sum - self.annulled_refunds.sum


def _by_payment(d: dict[PaymentType, int]) -> tuple[tuple[PaymentType, int], ...]:
    return tuple((t, d.get(t, 0)) for t in PaymentType)


class _Acc:
    """Mutable running totals; frozen into ShiftCounters at the end."""

    def __init__(self) -> None:
        self.count = {t: 0 for t in DocType}
        self.sums = {t: 0 for t in DocType}
        self.pay = {DocType.SALE: {}, DocType.REFUND: {}, DocType.ANNULMENT: {}}
        self.vat = {DocType.SALE: {}, DocType.REFUND: {}}
        self.annulled = {DocType.SALE: [0, 0], DocType.REFUND: [0, 0]}    # count, sum by annulled type

    def add_pay(self, kind: DocType, doc: Sale | Refund | Annulment) -> None:
        acc = self.pay[kind]
        for p in doc.payments:
            acc[p.type] = acc.get(p.type, 0) + p.amount
        if doc.change:   # change is given back from cash: only what stayed counts as paid in cash
            acc[PaymentType.CASH] = acc.get(PaymentType.CASH, 0) - doc.change

    def add_vat(self, kind: DocType, doc: Sale | Refund, sign: int) -> None:
        acc = self.vat[kind]
        for ln in doc.lines:
            t, v = acc.get(ln.vat_rate, (0, 0))
            acc[ln.vat_rate] = (t + sign * ln.total, v + sign * ln.vat)

    def vat_totals(self, kind: DocType) -> tuple[VatTotal, ...]:
        return tuple(VatTotal(r, t, v) for r, (t, v) in self.vat[kind].items())


def aggregate(entries: Iterable[tuple[Document, Registration | None]], opening_cash: int = 0) -> ShiftCounters:
    """The counters of one shift from its documents in journal order.

    Raises FiscalError REPORT_INCONSISTENT for documents of different shifts or an annulment
    whose target is not an earlier sale or refund of the same shift.
    """
    acc = _Acc()
    shift: int | None = None
    opened = closed = None
    first = last = None
    pending = 0
    cash = opening_cash
    revenue = 0
    by_number: dict[int, Document] = {}
    for doc, reg in entries:
        if shift is None:
            shift = doc.shift
        elif doc.shift != shift:
            raise FiscalError("REPORT_INCONSISTENT", f"document {doc.op_id} is of shift {doc.shift}, not {shift}")
        if reg is None:
            pending += 1
            continue
        by_number[reg.number] = doc
        first = reg.number if first is None else min(first, reg.number)
        last = reg.number if last is None else max(last, reg.number)
        kind = doc.type
        acc.count[kind] += 1
        if isinstance(doc, Sale):
            acc.sums[kind] += doc.total_due
            acc.add_pay(kind, doc)
            acc.add_vat(kind, doc, 1)
            cash += doc.cash_net
            revenue += doc.total_due
        elif isinstance(doc, Refund):
            acc.sums[kind] += doc.total_due
            acc.add_pay(kind, doc)
            acc.add_vat(kind, doc, 1)
            cash -= doc.cash_net
            revenue -= doc.total_due
        elif isinstance(doc, Annulment):
            target = by_number.get(doc.target_number)
            if not isinstance(target, (Sale, Refund)):
                raise FiscalError("REPORT_INCONSISTENT", f"annulment {reg.number} targets document "
                                  f"{doc.target_number}, which is not a sale or refund of shift {shift}")
            acc.sums[kind] += doc.total_due
            acc.add_pay(kind, doc)
            annulled = acc.annulled[target.type]
            annulled[0] += 1
            annulled[1] += doc.total_due
            sign = 1 if isinstance(target, Sale) else -1
            acc.add_vat(target.type, target, -1)
            cash -= sign * doc.cash_net
            revenue -= sign * doc.total_due
        elif isinstance(doc, CashIn):
            acc.sums[kind] += doc.amount
            cash += doc.amount
        elif isinstance(doc, CashOut):
            acc.sums[kind] += doc.amount
            cash -= doc.amount
        elif isinstance(doc, ShiftOpen):
            opened = reg.time
        elif isinstance(doc, ShiftClose):
            closed = reg.time
    if shift is None:
        raise FiscalError("REPORT_INCONSISTENT", "a report needs at least one document of the shift")

    def cs(t: DocType) -> CountSum:
        return CountSum(acc.count[t], acc.sums[t])

    return ShiftCounters(
        shift=shift, opened=opened, closed=closed, first_number=first, last_number=last,
        documents=sum(acc.count.values()), pending=pending,
        sales=cs(DocType.SALE), refunds=cs(DocType.REFUND), annulments=cs(DocType.ANNULMENT),
        cash_in=cs(DocType.CASH_IN), cash_out=cs(DocType.CASH_OUT),
        sales_by_payment=_by_payment(acc.pay[DocType.SALE]),
        refunds_by_payment=_by_payment(acc.pay[DocType.REFUND]),
        annulled_by_payment=_by_payment(acc.pay[DocType.ANNULMENT]),
        sales_vat=acc.vat_totals(DocType.SALE), refunds_vat=acc.vat_totals(DocType.REFUND),
        opening_cash=opening_cash, cash_in_drawer=cash, revenue=revenue,
        annulled_sales=CountSum(*acc.annulled[DocType.SALE]), annulled_refunds=CountSum(*acc.annulled[DocType.REFUND]))


# --- to and from the JSON a ShiftClose document carries -----------------------------------

_COUNT_SUMS = ("sales", "refunds", "annulments", "cash_in", "cash_out")
_OPTIONAL_COUNT_SUMS = ("annulled_sales", "annulled_refunds")     # absent from a Z made before they existed
_PAYMENTS = ("sales_by_payment", "refunds_by_payment", "annulled_by_payment")
_VATS = ("sales_vat", "refunds_vat")
_MONEY = ("opening_cash", "cash_in_drawer", "revenue")
_PLAIN = ("shift", "opened", "closed", "first_number", "last_number", "documents", "pending")


def counters_to_dict(c: ShiftCounters) -> dict[str, Any]:
    """Plain JSON types, money as 2-decimal strings (the `counters` of a ShiftClose)."""
    out: dict[str, Any] = {k: getattr(c, k) for k in _PLAIN}
    for k in _COUNT_SUMS:
        v: CountSum = getattr(c, k)
        out[k] = {"count": v.count, "sum": format_money(v.sum)}
    for k in _OPTIONAL_COUNT_SUMS:
        v = getattr(c, k)
        if v is not None:
            out[k] = {"count": v.count, "sum": format_money(v.sum)}
    for k in _PAYMENTS:
        out[k] = {t.value: format_money(a) for t, a in getattr(c, k)}
    for k in _VATS:
        out[k] = [{"rate": v.rate, "total": format_money(v.total), "vat": format_money(v.vat)} for v in getattr(c, k)]
    for k in _MONEY:
        out[k] = format_money(getattr(c, k))
    return out


def _int(d: Mapping[str, Any], key: str, optional: bool = False) -> int | None:
    v = d[key]
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise FiscalError("BAD_FIELD", f"counters.{key}: {v!r} is not a whole number")
    return v


def _str(d: Mapping[str, Any], key: str) -> str | None:
    v = d[key]
    if v is not None and not isinstance(v, str):
        raise FiscalError("BAD_FIELD", f"counters.{key}: {v!r} is not a string")
    return v


def counters_from_dict(d: Mapping[str, Any]) -> ShiftCounters:
    """The inverse of counters_to_dict; FiscalError BAD_FIELD naming the first malformed field."""
    if not isinstance(d, Mapping):
        raise FiscalError("BAD_FIELD", "counters must be an object")
    try:
        kw: dict[str, Any] = {
            "shift": _int(d, "shift"), "opened": _str(d, "opened"), "closed": _str(d, "closed"),
            "first_number": _int(d, "first_number", True), "last_number": _int(d, "last_number", True),
            "documents": _int(d, "documents"), "pending": _int(d, "pending"),
        }
        for k in _COUNT_SUMS + tuple(k for k in _OPTIONAL_COUNT_SUMS if k in d):
            kw[k] = CountSum(_int(d[k], "count") or 0, parse_money(d[k]["sum"], f"counters.{k}.sum"))
        for k in _PAYMENTS:
            given = {PaymentType(t): parse_money(a, f"counters.{k}.{t}") for t, a in d[k].items()}
            kw[k] = _by_payment(given)
        for k in _VATS:
            kw[k] = tuple(VatTotal(str(v["rate"]), parse_money(v["total"], f"counters.{k}.total"),
                                   parse_money(v["vat"], f"counters.{k}.vat")) for v in d[k])
        for k in _MONEY:
            kw[k] = parse_money(d[k], f"counters.{k}")
    except FiscalError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise FiscalError("BAD_FIELD", f"malformed counters: {e!r}") from None
    return ShiftCounters(**kw)
