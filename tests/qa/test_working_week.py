"""A working week as a property: days of mixed sales, refunds, annulments, cash in/out, X and Z over several shifts.

After every X and Z the printed figures equal what the journal's documents add up to (counted here,
independently of fiscal.reports) and what the SKO's own counters say; each shift opens with the last
one's closing balance; the drawer is never negative; a refused operation changes nothing.
A short profile runs in CI; `HYPOTHESIS_PROFILE=long` runs many more weeks.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiscal.documents import Annulment, CashIn, CashOut, Refund, Sale
from fiscal.money import format_money
from fiscal.receipt import PaymentType
from fsm.clock import SimClock
from fsm.errors import OperationError
from qa.rig import build_sim_register

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
WEEK = settings(max_examples=60 if LONG else 3, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PIECES = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "13", "14"]        # the demo catalog's piece goods
CASHLESS = {"card", "oplati", "cashless_other"}
OTHER = {"certificate", "advance_other"}

sale_op = st.tuples(st.just("sale"), st.lists(st.tuples(st.sampled_from(PIECES), st.integers(1, 3)), min_size=1,
                                             max_size=3),
                    st.sampled_from(["cash", "cash_round", "card", "mixed", "oplati", "certificate", "card_cash"]))
refund_op = st.tuples(st.just("refund"), st.integers(0, 50), st.booleans(),
                      st.sampled_from(["proposed", "proposed", "cash", "card", "oplati"]))
ops = st.one_of(sale_op, sale_op, refund_op, st.tuples(st.just("annul")),
                st.tuples(st.just("cash_in"), st.integers(1, 5000)), st.tuples(st.just("cash_out"), st.integers(1, 100)),
                st.tuples(st.just("x")))
weeks = st.lists(st.lists(ops, min_size=1, max_size=12), min_size=2, max_size=6 if LONG else 3)


@dataclass
class Week:
    reg: object
    hub: object
    clock: SimClock
    sales: list[int] = field(default_factory=list)          # numbers of the sales made, for refunds to name
    refusals: list[str] = field(default_factory=list)


def payment_for(kind: str, due: int) -> dict[str, str]:
    if kind == "cash_round":
        return {"cash": format_money((due + 499) // 500 * 500)}
    if kind == "mixed" and due > 2:
        return {"card": format_money(due // 2), "cash": format_money(due - due // 2 + 50)}
    if kind == "card_cash" and due > 2:
        return {"card": format_money(due - 1), "cash": "1.00"}
    if kind == "certificate" and due > 100:
        return {"certificate": "1.00", "cash": format_money(due - 100)}
    if kind in ("card", "oplati"):
        return {kind: format_money(due)}
    return {"cash": format_money(due)}


def attempt(w: Week, fn, *args) -> object | None:
    """An operation as a cashier would try it: a refusal must leave the journal, drawer and printer as they were."""
    reg = w.reg
    before = (reg.stores.journal.last_number(), reg.shifts.cash_in_drawer(), len(w.hub.printer.documents))
    try:
        return fn(*args)
    except OperationError as e:
        after = (reg.stores.journal.last_number(), reg.shifts.cash_in_drawer(), len(w.hub.printer.documents))
        assert after == before, f"{e.code} changed {before} → {after}"
        w.refusals.append(str(e.code))
        return None


def do(w: Week, op: tuple) -> None:
    reg = w.reg
    kind = op[0]
    if kind == "sale":
        for code, n in op[1]:
            reg.sale.add_item(code, str(n))
        due = reg.sale.receipt.calc().total_due
        out = attempt(w, reg.checkout.pay, payment_for(op[2], due))
        if out is None:
            reg.sale.cancel_receipt()
        else:
            w.sales.append(out.registration.number)
    elif kind == "refund" and w.sales:
        number = w.sales[op[1] % len(w.sales)]
        sale = reg.stores.journal.by_number(number).doc
        lines = [{"line": 1, "qty": None}] if op[2] else None
        pay = None if op[3] == "proposed" else {op[3]: None}
        if pay and op[3] == "card" and not any(p.type is PaymentType.CARD for p in sale.payments):
            pay = None
        attempt(w, reg.refunds.refund, number, lines, pay)
    elif kind == "annul":
        attempt(w, reg.docs.annul_last)
    elif kind == "cash_in":
        attempt(w, reg.shifts.cash_in, format_money(op[1]))
    elif kind == "cash_out":
        amount = reg.shifts.cash_in_drawer() * op[1] // 100
        if amount:
            attempt(w, reg.shifts.cash_out, format_money(amount))
    elif kind == "x":
        check_report(w, reg.shifts.x_report().text(), closed=False)
    assert reg.shifts.cash_in_drawer() >= 0


# ----- the oracle: the shift's documents added up here, not by fiscal.reports ------------------------

def tally(reg, opening: int) -> dict[str, int]:
    entries = reg.stores.journal.shift_documents(reg.shifts.number)
    by_number = {e.number: e.doc for e in entries}
    t = dict(sales=0, sales_n=0, refunds=0, refunds_n=0, annulled=0, annulled_n=0, cash_in=0, cash_in_n=0,
             cash_out=0, cash_out_n=0, cash=opening, annulled_sales=0, annulled_refunds=0, sales_cash=0,
             sales_cashless=0, sales_other=0)
    for e in entries:
        d = e.doc
        if isinstance(d, Sale):
            t["sales"] += d.total_due
            t["sales_n"] += 1
            cash = sum(p.amount for p in d.payments if p.type is PaymentType.CASH) - d.change
            t["cash"] += cash
            t["sales_cash"] += cash
            t["sales_cashless"] += sum(p.amount for p in d.payments if p.type.value in CASHLESS)
            t["sales_other"] += sum(p.amount for p in d.payments if p.type.value in OTHER)
        elif isinstance(d, Refund):
            t["refunds"] += d.total_due
            t["refunds_n"] += 1
            t["cash"] -= sum(p.amount for p in d.payments if p.type is PaymentType.CASH)
        elif isinstance(d, Annulment):
            target = by_number[d.target_number]
            t["annulled"] += d.total_due
            t["annulled_n"] += 1
            cash = sum(p.amount for p in target.payments if p.type is PaymentType.CASH) - target.change
            if isinstance(target, Sale):
                t["annulled_sales"] += d.total_due
                t["cash"] -= cash
            else:
                t["annulled_refunds"] += d.total_due
                t["cash"] += cash
        elif isinstance(d, CashIn):
            t["cash_in"] += d.amount
            t["cash_in_n"] += 1
            t["cash"] += d.amount
        elif isinstance(d, CashOut):
            t["cash_out"] += d.amount
            t["cash_out_n"] += 1
            t["cash"] -= d.amount
    return t


def sections(text: str) -> dict[str, dict[str, str]]:
    """The printed report as {section: {label: last word}}; the part after the sections is under ''."""
    out: dict[str, dict[str, str]] = {"": {}}
    current = ""
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("-") and s.endswith("-") and s.strip("-").strip():
            current = s.strip("-").strip()
            out[current] = {}
        elif s and set(s) == {"-"}:
            current = ""
        elif s:
            label, _, value = s.rpartition(" ")
            out.setdefault(current, {})[label.strip()] = value
    return out


def check_report(w: Week, text: str, closed: bool) -> None:
    reg = w.reg
    opening = reg.shifts.opening_cash()
    t = tally(reg, opening)
    p = sections(text)
    m = format_money
    assert p["ПРОДАЖИ"]["Количество"] == str(t["sales_n"]) and p["ПРОДАЖИ"]["Сумма (с аннулированными)"] == m(t["sales"])
    assert p["ПРОДАЖИ"]["Сумма за вычетом аннулир."] == m(t["sales"] - t["annulled_sales"])
    assert p["ВОЗВРАТЫ"]["Количество"] == str(t["refunds_n"]) and p["ВОЗВРАТЫ"]["Сумма (с аннулированными)"] == m(t["refunds"])
    assert p["ВОЗВРАТЫ"]["Сумма за вычетом аннулир."] == m(t["refunds"] - t["annulled_refunds"])
    assert p["АННУЛИРОВАНИЯ"]["Количество"] == str(t["annulled_n"]) and p["АННУЛИРОВАНИЯ"]["Сумма"] == m(t["annulled"])
    assert p["ВНЕСЕНИЯ"]["Сумма"] == m(t["cash_in"]) and p["ИЗЪЯТИЯ"]["Сумма"] == m(t["cash_out"])
    tail = p[""]
    assert tail["Наличных на начало смены"] == m(opening)
    assert tail["Наличных в кассе"] == m(t["cash"]) and t["cash"] >= 0
    assert tail["Выручка за смену"] == m(t["sales"] - t["annulled_sales"] - t["refunds"] + t["annulled_refunds"])
    assert "Наличных по данным СКО" not in tail
    # the SKO's own counters (its X report, read before the Z closes the shift)
    if not closed:
        sko = reg.devices.sko.x_report()
        assert (sko.sales_count, sko.sales_sum) == (t["sales_n"], t["sales"])
        assert (sko.sales_cash, sko.sales_cashless, sko.sales_other) == (t["sales_cash"], t["sales_cashless"],
                                                                        t["sales_other"])
        assert (sko.moneybacks_count, sko.moneybacks_sum) == (t["refunds_n"], t["refunds"])
        assert (sko.rollbacks_count, sko.rollbacks_sum) == (t["annulled_n"], t["annulled"])
        assert (sko.deposits_count, sko.deposits_sum, sko.withdraws_count, sko.withdraws_sum) == (
            t["cash_in_n"], t["cash_in"], t["cash_out_n"], t["cash_out"])
    assert reg.shifts.cash_in_drawer() == t["cash"]


@WEEK
@given(weeks)
def test_every_day_of_a_working_week_prints_what_the_journal_and_the_sko_hold(days):
    root = Path(tempfile.mkdtemp(prefix="zpos-week-"))
    clock = SimClock("2026-03-02T08:00:00+03:00")
    reg, hub = build_sim_register(root / "data", None, clock, sleep=lambda s: None)
    w = Week(reg, hub, clock)
    try:
        reg.session.unlock("1111")
        reg.session.sko_pin("123456")
        reg.session.login("ivanova", "2580")
        closing = 0
        for ops_of_day in days:
            reg.shifts.open_shift()
            assert reg.shifts.opening_cash() == closing == reg.shifts.cash_in_drawer()
            for op in ops_of_day:
                do(w, op)
            if len(reg.stores.journal.shift_documents(reg.shifts.number)) == 1:
                reg.shifts.cash_in("1.00")          # the SKO refuses an empty Z (iKassa 1001): a day does something
            check_report(w, reg.shifts.x_report().text(), closed=False)
            reg.shifts.close_shift()
            z_text = hub.printer.last_text()
            assert "Z-ОТЧЕТ" in z_text
            check_report(w, z_text, closed=True)
            closing = reg.shifts.cash_in_drawer()
            clock.advance(timedelta(hours=14))
        assert reg.stores.journal.verify(reg.stores.journal.get_meta("sko_public_key")).ok
        assert not reg.stores.journal.not_printed() and not reg.stores.journal.pending()
        assert set(w.refusals) <= {"REFUND_OVER_PAYMENT", "NOT_ENOUGH_CASH", "NOTHING_TO_ANNUL", "NOT_ALLOWED",
                                   "QTY_RANGE", "CARD_DECLINED", "OPLATI_DECLINED", "CASHLESS_OVERFLOW"}, w.refusals
    finally:
        reg.devices.close()
        reg.close()
        hub.stop()
        shutil.rmtree(root, ignore_errors=True)
