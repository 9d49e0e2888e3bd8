"""The SKO emulator's rules: reading a request's inputs, computing the cheque, the answers and the X/Z figures.

Pure functions over the published shapes (IKAPI createSale / createMoneyBack inputs, the cheque
answer, getXReport). The cheque is computed with the register's own arithmetic (fiscal.receipt)
from the inputs the request carries, so the emulator computes what a conforming SKO computes; a
refusal is `SkoRefusal` with the published code. Stateful rules (shift, drawer, PIN, numbering)
live in sim.sko_state.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from fiscal.errors import FiscalError
from fiscal.receipt import Adjustment, CodeType, ItemInput, Marking, Payment, PaymentType, ReceiptCalc, calculate
from hal.protocols.ikassa import DOCUMENT_TYPES
from hal.protocols.ikassa_values import (
    CASHIER_MAX,
    CODE_TYPE_OF,
    CURRENCY,
    RATE_OF_TAX,
    WireValueError,
    gtin_valid,
    marking_problem,
    money,
    parse_int,
    parse_money,
    parse_quantity,
    quantity,
)


class SkoRefusal(Exception):
    """A refusal with the published code (hal.protocols.ikassa_codes)."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class SkoType:
    """What one kind of SKO does where the published text is silent (docs/sko-protocol.md, «Choices»)."""

    numbered_shift_documents: bool = True          # shift open and Z take a number of the document counter
    empty_z_refused: bool = True                   # IKAPI 1001 EMPTY_Z_REPORT
    zero_drawer_before_z: bool = False             # the cloud SDK's «касса обязательно должна быть обнулена»
    expired_allows: frozenset[str] = frozenset({"createWithdraw"})   # besides closeShift, after 24 h
    rollback_refunds: bool = True                  # createRollback of a moneyback (not only of a sale)
    unsent_limit_hours: int | None = 72
    unsent_limit_count: int | None = None
    shift_hours: int = 24
    max_items: int = 1000                          # IKAPI 2036 TOO_MANY_ITEMS: the limit is not published
    max_name: int = 128                            # IKAPI 2048 NAME_LENGTH: the limit is not published
    pin_attempts: int = 3


# fiscal.receipt's refusals as the service's codes.
_FISCAL_TO_SKO = {"EMPTY_RECEIPT": 2017, "QTY_RANGE": 2028, "PRICE_RANGE": 2051, "DISCOUNT_TOO_LARGE": 2032,
                  "SUM_RANGE": 2027, "BAD_VAT": 2011, "NOT_ENOUGH_MONEY": 2018, "CASHLESS_OVERFLOW": 2049,
                  "CASH_OVERFLOW": 2016, "TOO_MANY_ITEMS": 2036, "BAD_FIELD": 2011, "BAD_PAYMENT_TYPE": 2011}


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SkoRefusal(2011, f"{what} must be an object")
    return value


def _money(d: dict[str, Any], key: str, what: str, default: int | None = None) -> int:
    if d.get(key) is None:
        if default is None:
            raise SkoRefusal(1105, f"{what}.{key} is missing")
        return default
    try:
        v = parse_money(d[key], f"{what}.{key}", exact=True)
    except WireValueError as e:
        raise SkoRefusal(1105, str(e)) from None
    if v < 0:
        raise SkoRefusal(45, f"{what}.{key} is negative")
    return v


def cashier_of(data: dict[str, Any], max_len: int = CASHIER_MAX) -> str:
    """IKAPI createSale `cashier`, or `header.cashier` (every other call, and tsrv)."""
    header = data.get("header") if isinstance(data.get("header"), dict) else {}
    name = data.get("cashier", header.get("cashier"))
    if not isinstance(name, str) or not name.strip():
        raise SkoRefusal(1005, "the cashier name is empty")
    if len(name) > max_len:
        raise SkoRefusal(2048, f"the cashier name has {len(name)} characters; at most {max_len}")
    currency = header.get("currency", data.get("currency", CURRENCY))
    if currency != CURRENCY:
        raise SkoRefusal(2022, f"currency {str(currency)[:8]!r} is not supported; BYN only")
    return name


def item_of(raw: Any, i: int, kind: SkoType) -> ItemInput:
    """One request item → the arithmetic's input; shape and code checks with their published codes."""
    it = _obj(raw, f"items[{i}]")
    what = f"items[{i}]"
    name = it.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SkoRefusal(2011, f"{what}.name is missing")
    if len(name) > kind.max_name:
        raise SkoRefusal(2048, f"{what}.name has {len(name)} characters; at most {kind.max_name}")
    try:
        qty = parse_quantity(it.get("quantity"), f"{what}.quantity", exact=True)
        code = parse_int(it.get("code", 0), f"{what}.code")
        code_type = CODE_TYPE_OF.get(parse_int(it.get("codeType", 0), f"{what}.codeType"))
    except WireValueError as e:
        raise SkoRefusal(1106 if "quantity" in str(e) else 2011, str(e)) from None
    if qty <= 0:
        raise SkoRefusal(2028, f"{what}.quantity must be above zero")
    if code_type is None:
        raise SkoRefusal(2011, f"{what}.codeType {it.get('codeType')!r} is not a known code type")
    if code_type is CodeType.GTIN and not gtin_valid(code):
        raise SkoRefusal(2033, f"{what}.code {code} is not a valid GTIN")
    price = _money(it, "price", what)
    if price <= 0:
        raise SkoRefusal(2051, f"{what}.price must be at least 0.01")
    tax = it.get("tax")
    if tax is not None and (isinstance(tax, bool) or tax not in RATE_OF_TAX):
        raise SkoRefusal(2011, f"{what}.tax {tax!r} is not one of 0, 10, 20, 25")
    section = it.get("section")
    if section is not None:
        sec = _obj(section, f"{what}.section")
        if not isinstance(sec.get("code"), int) or not 0 <= sec["code"] <= 255:
            raise SkoRefusal(2011, f"{what}.section.code must be 0 … 255")
    markings = it.get("markings", [])
    if not isinstance(markings, list):
        raise SkoRefusal(2011, f"{what}.markings must be a list")
    for m in markings:
        if (problem := marking_problem(m)) is not None:
            raise SkoRefusal(2011, f"{what}.markings: {problem}")
    return ItemInput(name=name, price=price, qty=qty, vat=RATE_OF_TAX[tax] if tax is not None else "none",
                     code=str(code), section=section["code"] if section else None,
                     discount=Adjustment(amount=_money(it, "discount", what, 0)),
                     markup=Adjustment(amount=_money(it, "markup", what, 0)), code_type=code_type,
                     section_name=(section or {}).get("name"),
                     markings=tuple(Marking(*next(iter(m.items()))) for m in markings))


def items_of(data: dict[str, Any], kind: SkoType) -> list[ItemInput]:
    raw = data.get("items")
    if raw is None and isinstance(data.get("item"), dict):
        raw = [data["item"]]                       # IKAPI createMoneyBack: one `item`
    if not isinstance(raw, list) or not raw:
        raise SkoRefusal(2017, "the cheque has no items")
    if len(raw) > kind.max_items:
        raise SkoRefusal(2036, f"{len(raw)} items; at most {kind.max_items}")
    return [item_of(x, i, kind) for i, x in enumerate(raw)]


def compute(items: list[ItemInput], discount: int, markup: int, cash: int, cashless: int, other: int) -> ReceiptCalc:
    """The cheque from its inputs, with the register's own arithmetic; its refusals as the service's codes."""
    pays = [Payment(t, a) for t, a in ((PaymentType.CASH, cash), (PaymentType.CARD, cashless),
                                       (PaymentType.CERTIFICATE, other)) if a]
    try:
        return calculate(items, Adjustment(amount=discount) if discount else None,
                         Adjustment(amount=markup) if markup else None, pays)
    except FiscalError as e:
        code = 2014 if e.code == "DISCOUNT_TOO_LARGE" and e.item is not None else _FISCAL_TO_SKO.get(str(e.code), 2011)
        raise SkoRefusal(code, e.detail or str(e.code)) from None


def skewed(calc: ReceiptCalc, kopecks: int, cash: int) -> ReceiptCalc:
    """`calc` with its first line `kopecks` cheaper (more discount): a test fault for an SKO whose rounding
    differs from the register's. The change grows by as much when cash was given."""
    first = calc.lines[0]
    k = min(kopecks, first.total)
    line = replace(first, discount=first.discount + k, line=first.line - k, total=first.total - k)
    change = calc.change + k if cash and calc.change is not None else calc.change
    return replace(calc, lines=(line, *calc.lines[1:]), discount_total=calc.discount_total + k,
                   total_due=calc.total_due - k, change=change)


@dataclass(frozen=True)
class Header:
    kind: str
    number: int
    uid: str
    created: str
    cashier: str
    shift: int
    company: str
    unp: str
    serial: str
    device_id: int = 1

    def answer_parts(self) -> dict[str, Any]:
        type_id, type_name = DOCUMENT_TYPES[self.kind]
        return {"device": {"deviceId": self.device_id, "serialNumber": self.serial},
                "header": {"companyName": self.company, "companyUnp": int(self.unp) if self.unp.isdigit() else self.unp,
                           "documentTypeName": type_name, "documentTypeId": type_id, "documentNumber": self.number,
                           "currency": CURRENCY, "created": self.created, "uid": self.uid, "cashier": self.cashier,
                           "shiftNumber": self.shift}}


def cheque_answer(h: Header, calc: ReceiptCalc, cash: int, cashless: int, other: int, rolled_back: bool = False) -> dict:
    """The IKAPI createSale answer: each item's price, qty × price, net discount and result; sub-totals; totals."""
    items = [{"codeType": next(k for k, v in CODE_TYPE_OF.items() if v is ln.code_type), "code": int(ln.code or 0),
              "name": ln.name, "quantity": quantity(ln.qty), "discount": money(ln.discount - ln.markup),
              "itemPrice": money(ln.price), "totalPrice": money(ln.raw), "resultPrice": money(ln.line)}
             for ln in calc.lines]
    positions = sum(ln.discount - ln.markup for ln in calc.lines)
    cheque = sum(ln.receipt_discount - ln.receipt_markup for ln in calc.lines)
    return {**h.answer_parts(), "items": items,
            "subTotals": {"sum": money(calc.total_cost), "positionsDiscount": money(positions),
                          "chequeDiscount": money(cheque)},
            "totals": {"discount": money(calc.discount_total), "sum": money(calc.total_due), "cash": money(cash),
                       "cashless": money(cashless), "other": money(other), "change": money(calc.change or 0)},
            "removedItems": [], "isClosed": True, "wasRollbacked": rolled_back, "props": {}}


@dataclass
class ShiftFigures:
    """What one shift's documents add up to (BYN), for getXReport and closeShift."""

    sales: list[int] = field(default_factory=list)      # document numbers of sales
    sales_cash: int = 0
    sales_cashless: int = 0
    sales_other: int = 0
    sales_sum: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, number: int, total: int, cash: int, cashless: int, other: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.sums[kind] = self.sums.get(kind, 0) + total
        if kind == "sale":
            self.sales.append(number)
            self.sales_cash += cash
            self.sales_cashless += cashless
            self.sales_other += other
            self.sales_sum += total


def shift_figures(rows: Iterable[tuple[str, int, int, int, int, int]]) -> ShiftFigures:
    """From (kind, number, total, cash net of change, cashless, other) rows of one shift."""
    f = ShiftFigures()
    for kind, number, total, cash, cashless, other in rows:
        f.add(kind, number, total, cash, cashless, other)
    return f


def report_answer(f: ShiftFigures, *, company: str, unp: str, serial: str, shift: int, opened: str | None,
                  closed: str | None, uid: str | None = None, device_id: int = 1) -> dict[str, Any]:
    """getXReport / closeShift in the published shape; baseCurrencySum = sales − moneybacks − rollbacks (a choice)."""
    def c(kind: str) -> int:
        return f.counts.get(kind, 0)

    def s(kind: str) -> str:
        return money(f.sums.get(kind, 0))
    type_id, type_name = DOCUMENT_TYPES["z_report"]
    out: dict[str, Any] = {} if uid is None else {"uid": uid}
    out.update({
        "companyName": company, "companyUnp": int(unp) if unp.isdigit() else unp, "documentTypeName": type_name,
        "documentTypeId": str(type_id), "shiftNumber": shift, "openDate": opened, "closed": closed,
        "firstSaleDocumentNumber": min(f.sales) if f.sales else None,
        "lastSaleDocumentNumber": max(f.sales) if f.sales else None, "currencies": [CURRENCY],
        "saleDocumentsCount": len(f.sales),
        "baseCurrencySum": money(f.sales_sum - f.sums.get("moneyback", 0) - f.sums.get("rollback", 0)),
        "currencyReports": [{
            "currency": CURRENCY, "salesCount": c("sale"), "salesCash": money(f.sales_cash),
            "salesCashless": money(f.sales_cashless), "salesOther": money(f.sales_other), "salesSum": money(f.sales_sum),
            "moneyBacksCount": c("moneyback"), "moneyBacksSum": s("moneyback"), "depositsCount": c("deposit"),
            "depositsSum": s("deposit"), "withdrawsCount": c("withdraw"), "withdrawsSum": s("withdraw"),
            "rollbacksCount": c("rollback"), "rollbacksSum": s("rollback"), "cancelationsCount": 0,
            "cancelationsSum": money(0), "correctionsCount": 0, "correctionsSum": money(0)}],
        "deviceProperties": {"deviceId": device_id, "serial": serial}, "props": {}})
    return out
