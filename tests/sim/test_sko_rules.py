"""The emulator's pure document rules: every honest receipt passes, every tampered total is caught."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.documents import CashOut, Sale, priced_fields
from fiscal.errors import FiscalError
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate
from sim.sko_rules import SkoRefusal, check_amount, check_priced, effect_of, parse_time

items = st.lists(st.builds(ItemInput, name=st.just("Товар"), price=st.integers(1, 100_000),
                           qty=st.integers(1, 20_000), vat=st.sampled_from(["20", "10", "0", "none"]),
                           discount=st.none() | st.builds(Adjustment, percent=st.integers(0, 5000))),
                 min_size=1, max_size=6)


def sale_of(lines: list[ItemInput], receipt_percent: int, cash_extra: int, card_share: int) -> Sale | None:
    try:
        calc = calculate(lines, discount=Adjustment(percent=receipt_percent))
    except FiscalError:
        return None
    card = calc.total_due * card_share // 100
    cash = calc.total_due - card + (cash_extra if card < calc.total_due else 0)
    pays = [Payment(PaymentType.CASH, cash)] if cash else []
    if card:
        pays.append(Payment(PaymentType.CARD, card, ref="1"))
    calc = calculate(lines, discount=Adjustment(percent=receipt_percent), payments=pays)
    return Sale(op_id="s", shift=1, cashier="И", created="2026-01-15T09:00:00+03:00", **priced_fields(calc))


@settings(max_examples=60, deadline=None)
@given(items, st.integers(0, 3000), st.integers(0, 5000), st.integers(0, 100))
def test_every_receipt_the_workstation_computes_passes_the_cross_checks(lines, pct, extra, card_share):
    sale = sale_of(lines, pct, extra, card_share)
    if sale is not None:
        check_priced(sale)
        assert effect_of(sale).drawer == sale.cash_net


@settings(max_examples=60, deadline=None)
@given(items, st.integers(0, 3000), st.sampled_from([("total_cost", 57), ("discount_total", 58), ("total_due", 59)]),
       st.sampled_from([-1, 1, 100]))
def test_a_tampered_total_is_refused_with_its_own_code(lines, pct, field_code, delta):
    sale = sale_of(lines, pct, 0, 0)
    if sale is None:
        return
    field, code = field_code
    with pytest.raises(SkoRefusal) as e:
        check_priced(dataclasses.replace(sale, **{field: getattr(sale, field) + delta}))
    assert e.value.sko_code == code


def test_change_can_only_come_from_cash():
    sale = sale_of([ItemInput("Товар", 500, 1000, "20")], 0, 0, 100)
    bad = dataclasses.replace(sale, payments=(Payment(PaymentType.CARD, 600, ref="1"),), change=100)
    with pytest.raises(SkoRefusal) as e:
        check_priced(bad)
    assert e.value.sko_code == 29


def test_a_zero_or_negative_cash_amount_is_refused():
    for amount, code in ((0, 29), (-1, 45)):
        with pytest.raises(SkoRefusal) as e:
            check_amount(CashOut(op_id="c", shift=1, cashier="И", created="2026-01-15T09:00:00+03:00", amount=amount))
        assert e.value.sko_code == code


@pytest.mark.parametrize("value", ["2026-01-15T09:00:00", "yesterday", 5, None])
def test_a_time_without_an_offset_or_not_iso_is_code_52(value):
    with pytest.raises(SkoRefusal) as e:
        parse_time(value)
    assert e.value.sko_code == 52
