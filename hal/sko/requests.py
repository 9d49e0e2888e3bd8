"""The iKassa request of each fiscal document: its inputs, never our computed totals (the SKO computes those).

IKAPI createSale takes `{cashier, cheque_discount, cash, cashless, other, items[{code, codeType,
quantity, discount, price, name}]}`. Each item also carries what the other published iKassa APIs
add and the register must send: `markup` and `section{code, name}` (tsrv create_sale), `tax`
(cloud SDK TaxTypes), `tpTaxNumber` (cloud SDK, third-party УНП), `markings[{si}|{ukz}]`
(SmartX-marking). A receipt markup goes as `cheque_markup` (SmartX `chequeIncrease`); `header
{cashier, currency}` is sent as well (tsrv, and every other IKAPI fiscal call). Refunds go as
createMoneyBack with `items` (IKAPI shows one `item`; SmartX `itemList` and the cloud SDK take a list);
a one-line refund also carries `item`.
"""
from __future__ import annotations

import logging
from typing import Any

from fiscal.documents import Annulment, CashIn, CashOut, Document, Refund, Sale, ShiftClose, ShiftOpen
from fiscal.receipt import CalcLine
from hal.errors import SkoError
from hal.protocols.ikassa import Action
from hal.protocols.ikassa_values import (
    CODE_TYPE_ID,
    CURRENCY,
    KIND_OF_PAYMENT,
    TAX_OF_RATE,
    cashier_for_sko,
    code_number,
    code_type_of,
    money,
    quantity,
)

log = logging.getLogger("zpos.sko")
_told: set[str] = set()          # names whose shortening was already logged (once per name, not per document)


def cashier(name: str) -> str:
    """The cashier as the SKO takes it (≤ 16 characters): refused when empty, shortened (and logged) when long."""
    sent, shortened = cashier_for_sko(name)
    if not sent:
        raise SkoError("SKO_CASHIER_NAME", "the cashier name is empty; IKAPI 1005 EMPTY_CASHIER_NAME")
    if shortened and name not in _told:
        _told.add(name)
        log.warning("cashier name %r shortened to %r for the SKO (IKAPI: at most 16 characters)", name, sent)
    return sent


def header(name: str) -> dict[str, str]:
    return {"cashier": cashier(name), "currency": CURRENCY}


def _header_of(sent: str) -> dict[str, str]:
    return {"cashier": sent, "currency": CURRENCY}


def item(ln: CalcLine) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code_number(ln.code), "codeType": CODE_TYPE_ID[code_type_of(ln.code, ln.code_type)],
                           "name": ln.name, "price": money(ln.price), "quantity": quantity(ln.qty),
                           "discount": money(ln.discount), "markup": money(ln.markup)}
    if ln.section is not None:
        out["section"] = {"code": ln.section, "name": ln.section_name or ""}
    if ln.vat_rate in TAX_OF_RATE:
        out["tax"] = TAX_OF_RATE[ln.vat_rate]
    if ln.tp_unp:
        out["tpTaxNumber"] = ln.tp_unp
    if ln.markings:
        out["markings"] = [{m.kind: m.code} for m in ln.markings]
    return out


def paid(doc: Sale | Refund) -> dict[str, int]:
    out = {"cash": 0, "cashless": 0, "other": 0}
    for p in doc.payments:
        out[KIND_OF_PAYMENT[p.type]] += p.amount
    return out


def build(doc: Document) -> tuple[Action, Any]:
    """The action and the `data` that register `doc`."""
    if isinstance(doc, ShiftOpen):
        return Action.OPEN_SHIFT, None
    if isinstance(doc, ShiftClose):
        return Action.CLOSE_SHIFT, None
    if isinstance(doc, CashIn):
        return Action.CREATE_DEPOSIT, {"sum": money(doc.amount), "header": header(doc.cashier)}
    if isinstance(doc, CashOut):
        return Action.CREATE_WITHDRAW, {"sum": money(doc.amount), "header": header(doc.cashier)}
    if isinstance(doc, Annulment):
        return Action.CREATE_ROLLBACK, {"header": header(doc.cashier), "chequeNumber": doc.target_number}
    if isinstance(doc, Sale):
        sums = paid(doc)
        who = cashier(doc.cashier)
        return Action.CREATE_SALE, {
            "cashier": who, "header": _header_of(who),
            "cheque_discount": money(sum(ln.receipt_discount for ln in doc.lines)),
            "cheque_markup": money(sum(ln.receipt_markup for ln in doc.lines)),
            "cash": money(sums["cash"]), "cashless": money(sums["cashless"]), "other": money(sums["other"]),
            "items": [item(ln) for ln in doc.lines]}
    if isinstance(doc, Refund):
        sums = paid(doc)
        items = [item(ln) for ln in doc.lines]
        data: dict[str, Any] = {"header": header(doc.cashier), "cashSum": money(sums["cash"]),
                                "cashlessSum": money(sums["cashless"]), "otherSum": money(sums["other"]),
                                "items": items}
        if len(items) == 1:
            data["item"] = items[0]
        rrn = next((p.ref for p in doc.payments if p.ref and KIND_OF_PAYMENT[p.type] == "cashless"), None)
        if rrn:
            data["rrn"] = rrn                       # SmartX MoneyBack: the bank operation being refunded
        return Action.CREATE_MONEYBACK, data
    raise SkoError("SKO_ERROR", f"no iKassa call registers a {type(doc).__name__}")
