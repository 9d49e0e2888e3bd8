"""The receipt arithmetic of contracts.md §2: lines, discounts, the spread, VAT, payments, change."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from fiscal.errors import FiscalError
from fiscal.money import MAX_LINES, MAX_QTY, MAX_SUM, MIN_QTY, MIN_SUM, line_sum, percent_of
from fiscal.vat import DEFAULT_RATES, VatTable

MARKING_KINDS = ("si", "ukz")    # SmartX-marking: средство идентификации, унифицированный контрольный знак


@dataclass(frozen=True)
class Marking:
    """One marking code of a line, sent as SmartX-marking shows it: {"si": "..."} or {"ukz": "..."}."""

    kind: str
    code: str


class CodeType(StrEnum):
    """What a line's code is (iKassa cloud SDK CodeTypes: code, gtin, service, prepayment)."""

    INTERNAL = "internal"
    GTIN = "gtin"
    SERVICE = "service"
    PREPAYMENT = "prepayment"



class PaymentType(StrEnum):
    CASH = "cash"
    CARD = "card"
    CERTIFICATE = "certificate"
    CASHLESS_OTHER = "cashless_other"
    ADVANCE_OTHER = "advance_other"
    OPLATI = "oplati"


@dataclass(frozen=True)
class Adjustment:
    """A discount or markup: a percent (hundredths) or an amount (kopecks), never both."""

    percent: int | None = None
    amount: int | None = None

    def resolve(self, base: int) -> int:
        return percent_of(base, self.percent) if self.percent is not None else (self.amount or 0)

    def check(self, what: str, item: int | None = None) -> None:
        """A negative amount or percent would turn a discount into a hidden markup (and back): refused."""
        if (self.amount is not None and self.amount < 0) or (self.percent is not None and self.percent < 0):
            raise FiscalError("BAD_FIELD", f"{what} must not be negative", item, field=what)


@dataclass(frozen=True)
class ItemInput:
    name: str
    price: int
    qty: int
    vat: str
    code: str | None = None
    section: int | None = None
    discount: Adjustment | None = None
    markup: Adjustment | None = None
    code_type: CodeType | None = None
    section_name: str | None = None
    tp_unp: str | None = None                 # УНП of a third party (комитент) the line is sold for
    markings: tuple[Marking, ...] = ()
    unit: str | None = None                   # unit of measure as printed (шт, кг); None prints none


@dataclass(frozen=True)
class Payment:
    type: PaymentType
    amount: int
    ref: str | None = None        # RRN of a card payment, transaction id of an ОПЛАТИ payment
    terminal: str | None = None   # which card terminal (multi-acquiring)


@dataclass(frozen=True)
class CalcLine:
    name: str
    code: str | None
    section: int | None
    price: int
    qty: int
    vat_rate: str
    raw: int
    discount: int
    markup: int
    line: int
    receipt_discount: int
    receipt_markup: int
    total: int
    vat: int
    code_type: CodeType | None = None        # None: the SKO driver decides (a valid GTIN, else an internal code)
    section_name: str | None = None
    tp_unp: str | None = None
    markings: tuple[Marking, ...] = ()
    unit: str | None = None                  # шт, кг, ... as printed after the quantity


@dataclass(frozen=True)
class ReceiptCalc:
    lines: tuple[CalcLine, ...]
    total_cost: int
    discount_total: int
    total_due: int
    vat: tuple[tuple[str, int], ...]          # (rate key, VAT) in first-use order
    payments: tuple[tuple[PaymentType, int], ...] = ()
    change: int | None = None
    payment_list: tuple[Payment, ...] = field(default=())

    @property
    def subtotal(self) -> int:
        return sum(ln.line for ln in self.lines)


def spread(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` kopecks over lines in proportion to `weights` (largest remainder, ties to the earlier line)."""
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    remainders = [amount * w % total for w in weights]
    left = amount - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def check_sum(value: int, what: str, item: int | None = None, code: str = "SUM_RANGE") -> None:
    if not MIN_SUM <= value <= MAX_SUM:
        raise FiscalError(code, f"{what} must be 0.01 … 99 999 999 999.99", item)


def calculate(items: Sequence[ItemInput], discount: Adjustment | None = None,
              markup: Adjustment | None = None, payments: Sequence[Payment] | None = None,
              vat_table: VatTable | None = None) -> ReceiptCalc:
    """Run steps 1–8 of contracts.md §2 on typed inputs; raise FiscalError with its code on any violation."""
    table = vat_table or VatTable(DEFAULT_RATES)
    if not items:
        raise FiscalError("EMPTY_RECEIPT", "the receipt has no lines")
    if len(items) > MAX_LINES:
        raise FiscalError("TOO_MANY_ITEMS", f"{len(items)} lines; at most {MAX_LINES} are allowed")

    raws, lines_, discs, marks = [], [], [], []
    for i, it in enumerate(items):
        table.get(it.vat, i)
        check_sum(it.price, "price", i, "PRICE_RANGE")
        if not MIN_QTY <= it.qty <= MAX_QTY:
            raise FiscalError("QTY_RANGE", "quantity must be 0.001 … 9999.999", i)
        raw = line_sum(it.price, it.qty)
        check_sum(raw, "line sum (qty × price)", i)
        for adj, what in ((it.discount, "discount"), (it.markup, "markup")):
            if adj is not None:
                adj.check(f"items[{i}].{what}", i)
        d = it.discount.resolve(raw) if it.discount else 0
        m = it.markup.resolve(raw) if it.markup else 0
        line = raw - d + m
        if line < MIN_SUM:
            raise FiscalError("DISCOUNT_TOO_LARGE", "the discount takes the line to zero or below", i)
        check_sum(line, "line sum after discount", i)
        raws.append(raw), lines_.append(line), discs.append(d), marks.append(m)

    subtotal = sum(lines_)
    for adj, what in ((discount, "discount"), (markup, "markup")):
        if adj is not None:
            adj.check(what)
    rd = discount.resolve(subtotal) if discount else 0
    rm = markup.resolve(subtotal) if markup else 0
    if subtotal - rd + rm < MIN_SUM:
        raise FiscalError("DISCOUNT_TOO_LARGE", "the receipt discount takes the total to zero or below")
    d_shares = spread(rd, lines_)
    m_shares = spread(rm, lines_)

    out: list[CalcLine] = []
    vat_by_rate: dict[str, int] = {}
    for i, it in enumerate(items):
        total = lines_[i] - d_shares[i] + m_shares[i]
        vat = table.get(it.vat).included(total)
        vat_by_rate[it.vat] = vat_by_rate.get(it.vat, 0) + vat
        out.append(CalcLine(it.name, it.code, it.section, it.price, it.qty, it.vat, raws[i], discs[i],
                            marks[i], lines_[i], d_shares[i], m_shares[i], total, vat, it.code_type,
                            it.section_name, it.tp_unp, it.markings, it.unit))
    total_due = sum(ln.total for ln in out)
    if total_due < MIN_SUM:
        raise FiscalError("DISCOUNT_TOO_LARGE", "the total due must be at least 0.01")
    check_sum(total_due, "total due")
    total_cost = sum(raws)

    calc = ReceiptCalc(tuple(out), total_cost, total_cost - total_due, total_due, tuple(vat_by_rate.items()))
    if payments is None:
        return calc
    by_type, change = settle(total_due, payments)
    return ReceiptCalc(calc.lines, calc.total_cost, calc.discount_total, calc.total_due, calc.vat,
                       by_type, change, tuple(payments))


def settle(total_due: int, payments: Sequence[Payment]) -> tuple[tuple[tuple[PaymentType, int], ...], int]:
    """The three payment rules of contracts.md §2 step 8; returns amounts by type and the change."""
    by_type: dict[PaymentType, int] = {}
    for p in payments:
        if not isinstance(p.type, PaymentType):
            raise FiscalError("BAD_PAYMENT_TYPE", f"payment type {p.type!r} is unknown")
        check_sum(p.amount, f"payment {p.type.value}")
        by_type[p.type] = by_type.get(p.type, 0) + p.amount
    cash = by_type.get(PaymentType.CASH, 0)
    noncash = sum(v for k, v in by_type.items() if k is not PaymentType.CASH)
    if cash + noncash < total_due:
        raise FiscalError("NOT_ENOUGH_MONEY", "the payments do not cover the total due")
    if noncash > total_due:
        raise FiscalError("CASHLESS_OVERFLOW", "non-cash payments exceed the total due; change is given from cash only")
    if noncash == total_due and cash:
        raise FiscalError("CASH_OVERFLOW", "non-cash payments already cover the total; cash must be 0")
    return tuple(by_type.items()), cash + noncash - total_due
