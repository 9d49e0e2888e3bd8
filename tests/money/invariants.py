"""The money invariants checked after every fault, kill and restart: journal, SKO, terminals, drawer and stock agree."""
from __future__ import annotations

from fiscal.documents import DocType
from fiscal.receipt import PaymentType


def _card(payments) -> int:
    return sum(p.amount for p in payments if p.type is PaymentType.CARD)


def journal_card_money(till) -> int:
    """Card money the journal says the shop holds: registered sales − refunds − annulled sales, plus money
    approved for a receipt that is not registered yet (it is completed, never lost)."""
    total = 0
    journal = till.stores.journal
    for entry in journal.documents_between("0000", "9999"):
        doc = entry.doc
        if doc.type is DocType.SALE:
            total += _card(doc.payments)
        elif doc.type is DocType.REFUND:
            total -= _card(doc.payments)
        elif doc.type is DocType.ANNULMENT and doc.target_type is DocType.SALE:
            total -= _card(doc.payments)
    for effect in till.intents.open():
        if effect.kind == "card_sale" and effect.status == "approved":
            total += effect.amount
    return total


def journal_cash(till) -> int:
    """The drawer by the journal: cash in − out + cash kept by sales − cash given back by refunds and annulments."""
    cash = 0
    for entry in till.stores.journal.documents_between("0000", "9999"):
        doc = entry.doc
        if doc.type is DocType.CASH_IN:
            cash += doc.amount
        elif doc.type is DocType.CASH_OUT:
            cash -= doc.amount
        elif doc.type is DocType.SALE:
            cash += doc.cash_net
        elif doc.type is DocType.REFUND:
            cash -= doc.cash_net
        elif doc.type is DocType.ANNULMENT:
            cash += -doc.cash_net if doc.target_type is DocType.SALE else doc.cash_net
    return cash


def journal_stock(till, initial: dict[str, int]) -> dict[str, int]:
    """Initial − sold + refunded (annulments undo their document) per tracked item."""
    level = dict(initial)
    by_number = {}
    for entry in till.stores.journal.documents_between("0000", "9999"):
        by_number[entry.number] = entry.doc
        doc = entry.doc
        sign = {DocType.SALE: -1, DocType.REFUND: 1}.get(doc.type)
        lines = doc.lines if sign else ()
        if doc.type is DocType.ANNULMENT and doc.target_number in by_number:
            target = by_number[doc.target_number]
            sign, lines = (1 if target.type is DocType.SALE else -1), target.lines
        for ln in lines:
            if ln.code in level:
                level[ln.code] += sign * ln.qty
    return level


def check(till, hub, initial_stock: dict[str, int]) -> list[str]:
    """Every invariant that does not hold, in words (empty when all hold)."""
    problems = []
    v = till.stores.journal.verify()
    if not v.ok:
        problems.append(f"journal broken at {v.broken_number}: {v.reason}")
    st = till.registrar.sko_status()
    if st.next_number - 1 != till.stores.journal.last_number():
        problems.append(f"SKO has {st.next_number - 1} documents, the journal {till.stores.journal.last_number()}")
    if hub.card_net() != journal_card_money(till):
        problems.append(f"terminals hold {hub.card_net()}, the journal's card money is {journal_card_money(till)}")
    if st.cash_in_drawer != journal_cash(till):
        problems.append(f"the SKO's drawer is {st.cash_in_drawer}, the journal's {journal_cash(till)}")
    if st.cash_in_drawer < 0:
        problems.append(f"the drawer is negative: {st.cash_in_drawer}")
    want = journal_stock(till, initial_stock)
    have = {code: till.stores.catalog.by_code(code).stock for code in initial_stock}
    if want != have:
        problems.append(f"stock {have} where the journal says {want}")
    return problems
