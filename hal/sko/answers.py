"""Reading the iKassa answers (IKAPI «Ответ» shapes) into the register's values; a malformed one is SKO_BAD_ANSWER.

Fiscal answers carry `header{documentNumber, uid, created, shiftNumber, cashier, documentTypeId}` and
`device{serialNumber}`; a sale (and a copy, and a rollback's `target`) the computed cheque:
`items[{itemPrice, totalPrice, discount, resultPrice}]`, `subTotals`, `totals`; a refund
`totalCash` / `totalCashless`; a deposit or withdraw `sum`. No answer carries a signature.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from fiscal.documents import Registration
from fiscal.sko_cheque import SkoCheque, SkoLine
from hal.errors import SkoError
from hal.interfaces import SkoInfo, SkoShiftReport
from hal.protocols.ikassa_values import CURRENCY, WireValueError, parse_int, parse_money, parse_quantity

MINSK = timezone(timedelta(hours=3))       # a time without an offset is the SKO's local (Minsk) time


def bad(detail: str) -> SkoError:
    return SkoError("SKO_BAD_ANSWER", f"malformed SKO answer: {detail}"[:300])


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(f"{what} must be an object, got {type(value).__name__}")
    return value


def text(d: dict[str, Any], key: str, what: str, *, required: bool = True) -> str:
    v = d.get(key)
    if v is None and not required:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str):
        raise bad(f"{what}.{key} must be a string, got {v!r}"[:120])
    return v


def number(d: dict[str, Any], key: str, what: str) -> int:
    try:
        return parse_int(d.get(key), f"{what}.{key}")
    except WireValueError as e:
        raise bad(str(e)) from None


def opt_number(d: dict[str, Any], key: str, what: str) -> int | None:
    return None if d.get(key) is None else number(d, key, what)


def kop(d: dict[str, Any], key: str, what: str, *, required: bool = True) -> int | None:
    v = d.get(key)
    if v is None:
        if required:
            raise bad(f"{what}.{key} is missing")
        return None
    try:
        return parse_money(v, f"{what}.{key}")     # a JSON number is rounded half-up to the kopeck
    except WireValueError as e:
        raise bad(str(e)) from None


def time_of(value: Any, what: str) -> str:
    """A "$datetime" → ISO 8601 with offset, to the second: ISO text (an offset-less one is Minsk time) or epoch."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            secs = value / 1000 if value > 100_000_000_000 else value
            t = datetime.fromtimestamp(secs, MINSK)
        elif isinstance(value, str):
            t = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if t.tzinfo is None:
                t = t.replace(tzinfo=MINSK)
        else:
            raise ValueError(value)
    except (ValueError, OverflowError, OSError):
        raise bad(f"{what} {str(value)[:40]!r} is not a date-time") from None
    return t.replace(microsecond=0).isoformat(timespec="seconds")


def registration(answer: Any, serial: str, what: str) -> Registration:
    """A fiscal answer with a header (sale, moneyback, rollback, deposit, withdraw) → Registration with the cheque."""
    a = obj(answer, what)
    h = obj(a.get("header"), f"{what}.header")
    uid = text(h, "uid", f"{what}.header")
    if not uid:
        raise bad(f"{what}.header.uid is empty")
    device = a.get("device")
    sko_serial = text(device, "serialNumber", f"{what}.device", required=False) if isinstance(device, dict) else ""
    return Registration(number=number(h, "documentNumber", f"{what}.header"), uid=uid,
                        time=time_of(h.get("created"), f"{what}.header.created"), sko_serial=sko_serial or serial,
                        cheque=cheque(a, what))


def cheque(a: dict[str, Any], what: str) -> SkoCheque | None:
    """The computed figures a fiscal answer carries (None for an answer without any)."""
    if isinstance(a.get("target"), dict):
        return cheque(a["target"], f"{what}.target")
    if "totals" in a:
        t = obj(a["totals"], f"{what}.totals")
        s = obj(a.get("subTotals") or {}, f"{what}.subTotals")
        items = a.get("items") or []
        if not isinstance(items, list):
            raise bad(f"{what}.items must be a list")
        return SkoCheque(lines=tuple(_line(obj(x, f"{what}.items[{i}]"), f"{what}.items[{i}]") for i, x in enumerate(items)),
                         subtotal=kop(s, "sum", "subTotals", required=False),
                         positions_discount=kop(s, "positionsDiscount", "subTotals", required=False),
                         cheque_discount=kop(s, "chequeDiscount", "subTotals", required=False),
                         discount=kop(t, "discount", "totals", required=False), total=kop(t, "sum", "totals"),
                         cash=kop(t, "cash", "totals", required=False), cashless=kop(t, "cashless", "totals", required=False),
                         other=kop(t, "other", "totals", required=False), change=kop(t, "change", "totals", required=False))
    if "totalCash" in a or "totalCashless" in a:
        cash = kop(a, "totalCash", what, required=False) or 0
        cashless = kop(a, "totalCashless", what, required=False) or 0
        other = kop(a, "totalOther", what, required=False)
        return SkoCheque(cash=cash, cashless=cashless, other=other, total=cash + cashless + (other or 0))
    if "sum" in a:
        return SkoCheque(total=kop(a, "sum", what))
    return None


def _line(d: dict[str, Any], what: str) -> SkoLine:
    try:
        qty = parse_quantity(d.get("quantity"), f"{what}.quantity")
    except WireValueError as e:
        raise bad(str(e)) from None
    return SkoLine(name=text(d, "name", what, required=False), code=text(d, "code", what, required=False), qty=qty,
                   price=kop(d, "itemPrice", what), total_price=kop(d, "totalPrice", what),
                   discount=kop(d, "discount", what, required=False) or 0, result=kop(d, "resultPrice", what))


def token_info(answer: Any) -> SkoInfo:
    """getTokenBySerial / one getTokens entry → SkoInfo (KSA number only where the answer has `registerNumberSKO`)."""
    a = obj(answer, "token")
    versions = {k: text(a, k, "token", required=False) for k in ("version", "manufacturer", "type", "label")}
    return SkoInfo(serial=text(a, "serial", "token"), org_name=text(a, "organization", "token", required=False),
                   unp=text(a, "unp", "token", required=False),
                   ksa_number=text(a, "registerNumberSKO", "token", required=False),
                   versions={k: v for k, v in versions.items() if v}, registered=bool(a.get("isRegistered", True)))


def shift_report(answer: Any, what: str = "getXReport") -> SkoShiftReport:
    """getXReport / closeShift → the BYN figures of the shift."""
    a = obj(answer, what)
    reports = a.get("currencyReports") or []
    if not isinstance(reports, list):
        raise bad(f"{what}.currencyReports must be a list")
    byn = next((obj(r, f"{what}.currencyReports[]") for r in reports
                if isinstance(r, dict) and r.get("currency", CURRENCY) == CURRENCY), {})

    def n(key: str) -> int:
        return opt_number(byn, key, what) or 0

    def m(key: str) -> int:
        return kop(byn, key, what, required=False) or 0
    opened = a.get("openDate")
    closed = a.get("closed")
    return SkoShiftReport(
        shift_number=number(a, "shiftNumber", what), opened_at=time_of(opened, f"{what}.openDate") if opened else None,
        closed_at=time_of(closed, f"{what}.closed") if closed else None,
        first_sale_number=opt_number(a, "firstSaleDocumentNumber", what),
        last_sale_number=opt_number(a, "lastSaleDocumentNumber", what),
        sale_documents=opt_number(a, "saleDocumentsCount", what) or 0,
        sales_count=n("salesCount"), sales_cash=m("salesCash"), sales_cashless=m("salesCashless"),
        sales_other=m("salesOther"), sales_sum=m("salesSum"), moneybacks_count=n("moneyBacksCount"),
        moneybacks_sum=m("moneyBacksSum"), deposits_count=n("depositsCount"), deposits_sum=m("depositsSum"),
        withdraws_count=n("withdrawsCount"), withdraws_sum=m("withdrawsSum"), rollbacks_count=n("rollbacksCount"),
        rollbacks_sum=m("rollbacksSum"), uid=text(a, "uid", what, required=False))


def cash_in_token(answer: Any) -> int:
    """getCashInToken `[{currency, cash}]` → the BYN cash in the drawer."""
    if not isinstance(answer, list):
        raise bad("getCashInToken must answer a list")
    for entry in answer:
        e = obj(entry, "getCashInToken[]")
        if e.get("currency") == CURRENCY:
            return kop(e, "cash", "getCashInToken[]") or 0
    return 0


def integer(answer: Any, what: str) -> int:
    try:
        return parse_int(answer, what)
    except WireValueError as e:
        raise bad(str(e)) from None
