"""`zpos calc`: the JSON shape of contracts.md §2 into typed inputs and the result back into JSON."""
from __future__ import annotations

import json
from typing import Any

from fiscal.errors import FiscalError
from fiscal.money import format_money, parse_money, parse_percent, parse_qty
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, ReceiptCalc, calculate

_ITEM_KEYS = {"name", "price", "qty", "vat", "discount", "markup", "section", "code"}
_TOP_KEYS = {"items", "discount", "markup", "payments"}
_PAYMENT_KEYS = {"type", "amount", "ref", "terminal"}


def _unknown(obj: dict, allowed: set[str], where: str, item: int | None = None) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise FiscalError("BAD_FIELD", f"{where}: unknown field {extra[0]!r}", item)


def _adjustment(obj: Any, where: str, item: int | None) -> Adjustment | None:
    if obj is None:
        return None
    if not isinstance(obj, dict) or len(obj) != 1 or not set(obj) <= {"percent", "amount"}:
        raise FiscalError("BAD_FIELD", f'{where} must be {{"percent": "P"}} or {{"amount": "A"}}', item)
    try:
        if "percent" in obj:
            return Adjustment(percent=parse_percent(obj["percent"], f"{where}.percent"))
        return Adjustment(amount=parse_money(obj["amount"], f"{where}.amount"))
    except FiscalError as e:
        raise FiscalError(e.code, e.detail, item, variant=e.variant, **e.params) from None


def parse_item(obj: Any, i: int) -> ItemInput:
    where = f"items[{i}]"
    if not isinstance(obj, dict):
        raise FiscalError("BAD_FIELD", f"{where} must be an object", i)
    _unknown(obj, _ITEM_KEYS, where, i)
    for key in ("name", "price", "qty", "vat"):
        if key not in obj:
            raise FiscalError("BAD_FIELD", f"{where}.{key} is missing", i)
    name = obj["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > 128:
        raise FiscalError("BAD_FIELD", f"{where}.name must be a non-empty string of at most 128 characters", i)
    section = obj.get("section")
    if section is not None and (isinstance(section, bool) or not isinstance(section, int) or not 0 <= section <= 255):
        raise FiscalError("BAD_FIELD", f"{where}.section must be a whole number 0…255", i)
    code = obj.get("code")
    if code is not None and not isinstance(code, str):
        raise FiscalError("BAD_FIELD", f"{where}.code must be a string", i)
    try:
        price = parse_money(obj["price"], f"{where}.price")
        qty = parse_qty(obj["qty"], f"{where}.qty")
    except FiscalError as e:
        raise FiscalError(e.code, e.detail, i, variant=e.variant, **e.params) from None
    if not isinstance(obj["vat"], str):
        raise FiscalError("BAD_FIELD", f"{where}.vat must be a string such as \"20\" or \"none\"", i)
    return ItemInput(name=name, price=price, qty=qty, vat=obj["vat"], code=code, section=section,
                     discount=_adjustment(obj.get("discount"), f"{where}.discount", i),
                     markup=_adjustment(obj.get("markup"), f"{where}.markup", i))


def parse_payment(obj: Any, i: int) -> Payment:
    where = f"payments[{i}]"
    if not isinstance(obj, dict):
        raise FiscalError("BAD_FIELD", f"{where} must be an object")
    _unknown(obj, _PAYMENT_KEYS, where)
    if "type" not in obj or "amount" not in obj:
        raise FiscalError("BAD_FIELD", f"{where} needs \"type\" and \"amount\"")
    try:
        ptype = PaymentType(obj["type"])
    except (ValueError, TypeError):
        allowed = ", ".join(t.value for t in PaymentType)
        raise FiscalError("BAD_PAYMENT_TYPE", f"{where}.type {obj['type']!r} is not one of {allowed}") from None
    for key in ("ref", "terminal"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise FiscalError("BAD_FIELD", f"{where}.{key} must be a string")
    return Payment(ptype, parse_money(obj["amount"], f"{where}.amount"), obj.get("ref"), obj.get("terminal"))


def parse_request(text: str | bytes) -> tuple[list[ItemInput], Adjustment | None, Adjustment | None, list[Payment] | None]:
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise FiscalError("BAD_JSON", f"not valid JSON: {e}") from None
    except RecursionError:
        raise FiscalError("BAD_JSON", "not valid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise FiscalError("BAD_FIELD", "the document must be a JSON object")
    _unknown(doc, _TOP_KEYS, "receipt")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FiscalError("BAD_FIELD", "items must be a list")
    if not items:
        raise FiscalError("EMPTY_RECEIPT", "the receipt has no lines")
    if len(items) > 1000:
        raise FiscalError("TOO_MANY_ITEMS", f"{len(items)} lines; at most 1000 are allowed")
    parsed = [parse_item(o, i) for i, o in enumerate(items)]
    payments = doc.get("payments")
    if payments is not None and not isinstance(payments, list):
        raise FiscalError("BAD_FIELD", "payments must be a list")
    pays = [parse_payment(o, i) for i, o in enumerate(payments)] if payments is not None else None
    return (parsed, _adjustment(doc.get("discount"), "discount", None),
            _adjustment(doc.get("markup"), "markup", None), pays)


def result_json(calc: ReceiptCalc) -> dict:
    out: dict[str, Any] = {
        "items": [{"raw": format_money(ln.raw), "discount": format_money(ln.discount),
                   "markup": format_money(ln.markup), "line": format_money(ln.line),
                   "receipt_discount": format_money(ln.receipt_discount),
                   "receipt_markup": format_money(ln.receipt_markup), "total": format_money(ln.total),
                   "vat_rate": ln.vat_rate, "vat": format_money(ln.vat)} for ln in calc.lines],
        "total_cost": format_money(calc.total_cost),
        "discount_total": format_money(calc.discount_total),
        "total_due": format_money(calc.total_due),
        "vat": {k: format_money(v) for k, v in calc.vat},
    }
    if calc.change is not None:
        out["payments"] = {t.value: format_money(v) for t, v in calc.payments}
        out["change"] = format_money(calc.change)
    return out


def run_calc(text: str | bytes) -> tuple[int, dict]:
    """(exit code, JSON object) for one request: 0 and the result, or 2 and the error object."""
    try:
        items, disc, mark, pays = parse_request(text)
        return 0, result_json(calculate(items, disc, mark, pays))
    except FiscalError as e:
        return 2, e.as_json()
