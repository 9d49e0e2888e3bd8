"""fiscal.receipt: the arithmetic of contracts.md §2, by hand and by property."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.errors import FiscalError
from fiscal.money import MAX_SUM
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate, settle, spread
from fiscal.vat import DEFAULT_RATES, VatTable

RATES = [r.key for r in DEFAULT_RATES]
SOME = settings(max_examples=150, deadline=None)


def item(price: int = 100, qty: int = 1000, vat: str = "20", **kw) -> ItemInput:
    return ItemInput(kw.pop("name", "Товар"), price, qty, vat, **kw)


def code_of(fn) -> str:
    with pytest.raises(FiscalError) as e:
        fn()
    return e.value.code


adjustments = st.one_of(st.none(), st.builds(lambda p: Adjustment(percent=p), st.integers(0, 3000)),
                        st.builds(lambda a: Adjustment(amount=a), st.integers(0, 200)))
items = st.builds(item, price=st.integers(1, 1_000_000), qty=st.integers(1, 20_000), vat=st.sampled_from(RATES),
                  discount=adjustments, markup=adjustments)


def calc_or_none(its, disc, mark, pays=None):
    try:
        return calculate(its, disc, mark, pays)
    except FiscalError as e:
        assert e.code in {"DISCOUNT_TOO_LARGE", "SUM_RANGE"}, e
        return None


# --- worked examples --------------------------------------------------------------------

def test_contract_example_gives_the_documented_first_line_and_totals():
    c = calculate([item(249, 2000, "10", discount=Adjustment(percent=1000)),
                   item(399, 1235, "10", discount=Adjustment(amount=50)),
                   item(1500, 1000, "none", section=2)],
                  Adjustment(percent=500), None,
                  [Payment(PaymentType.CARD, 1000), Payment(PaymentType.CASH, 2000)])
    first = c.lines[0]
    assert (first.raw, first.discount, first.line, first.receipt_discount, first.total, first.vat) == \
        (498, 50, 448, 23, 425, 39)
    # by hand: 3.99 × 1.235 = 4.92765 → 4.93; receipt 5 % of 23.91 = 1.1955 → 1.20 spread 23/22/75
    assert [ln.raw for ln in c.lines] == [498, 493, 1500]
    assert [ln.receipt_discount for ln in c.lines] == [23, 22, 75]
    assert [ln.total for ln in c.lines] == [425, 421, 1425]
    assert (c.total_cost, c.discount_total, c.total_due) == (2491, 220, 2271)
    assert c.vat == (("10", 77), ("none", 0))
    assert c.change == 729


def test_half_kopeck_rounds_up():
    # 0.05 × 0.100 = 0.005 BYN = half a kopeck → rounds up to 0.01
    assert calculate([item(5, 100)]).total_due == 1


def test_markup_raises_the_line_and_makes_discount_total_negative():
    c = calculate([item(1000, 1000, markup=Adjustment(percent=1000))])
    assert (c.lines[0].markup, c.total_due, c.discount_total) == (100, 1100, -100)


def test_receipt_markup_is_spread_like_a_discount():
    c = calculate([item(100), item(200)], None, Adjustment(amount=10))
    assert [ln.receipt_markup for ln in c.lines] == [3, 7]
    assert c.total_due == 310


def test_spread_ties_go_to_the_earlier_line():
    assert spread(1, [100, 100, 100]) == [1, 0, 0]
    assert spread(2, [100, 100, 100]) == [1, 1, 0]


def test_vat_20_is_one_sixth_of_the_total():
    assert calculate([item(1200)]).vat == (("20", 200),)


def test_card_and_cash_exactly_covering_gives_no_change():
    c = calculate([item(1000)], payments=[Payment(PaymentType.CARD, 400), Payment(PaymentType.CASH, 600)])
    assert c.change == 0 and dict(c.payments) == {PaymentType.CARD: 400, PaymentType.CASH: 600}


# --- error codes ------------------------------------------------------------------------

def test_empty_receipt_is_refused():
    assert code_of(lambda: calculate([])) == "EMPTY_RECEIPT"


def test_more_than_1000_lines_is_refused():
    assert code_of(lambda: calculate([item()] * 1001)) == "TOO_MANY_ITEMS"


@pytest.mark.parametrize("qty", [0, -1, 10_000_000])
def test_quantity_out_of_range_is_refused(qty):
    assert code_of(lambda: calculate([item(qty=qty)])) == "QTY_RANGE"


@pytest.mark.parametrize("price", [0, -5, MAX_SUM + 1])
def test_price_out_of_range_is_refused(price):
    assert code_of(lambda: calculate([item(price=price)])) == "PRICE_RANGE"


def test_line_sum_over_the_maximum_is_refused():
    assert code_of(lambda: calculate([item(price=MAX_SUM, qty=2000)])) == "SUM_RANGE"


def test_total_over_the_maximum_is_refused():
    assert code_of(lambda: calculate([item(price=MAX_SUM), item(price=MAX_SUM)])) == "SUM_RANGE"


def test_a_line_rounding_to_zero_is_refused():
    assert code_of(lambda: calculate([item(price=1, qty=1)])) == "SUM_RANGE"


@pytest.mark.parametrize("disc", [Adjustment(percent=10000), Adjustment(amount=100), Adjustment(amount=500)])
def test_a_line_discount_to_zero_or_below_is_refused(disc):
    assert code_of(lambda: calculate([item(100, discount=disc)])) == "DISCOUNT_TOO_LARGE"


def test_a_receipt_discount_to_zero_is_refused():
    assert code_of(lambda: calculate([item(100)], Adjustment(amount=100))) == "DISCOUNT_TOO_LARGE"


@pytest.mark.parametrize("vat", ["18", "", "20%", None, 20])
def test_unknown_vat_rate_is_refused(vat):
    assert code_of(lambda: calculate([item(vat=vat)])) == "BAD_VAT"


def test_configured_table_refuses_a_default_rate_it_lacks():
    table = VatTable.from_config(["20", "none"])
    assert code_of(lambda: calculate([item(vat="10")], vat_table=table)) == "BAD_VAT"


def test_unknown_payment_type_is_refused():
    assert code_of(lambda: settle(100, [Payment("bitcoin", 100)])) == "BAD_PAYMENT_TYPE"  # type: ignore[arg-type]


def test_payments_short_of_the_total_are_refused():
    assert code_of(lambda: settle(1000, [Payment(PaymentType.CASH, 999)])) == "NOT_ENOUGH_MONEY"


def test_card_over_the_total_is_refused():
    assert code_of(lambda: settle(1000, [Payment(PaymentType.CARD, 1001)])) == "CASHLESS_OVERFLOW"


def test_cash_on_top_of_a_full_card_payment_is_refused():
    pays = [Payment(PaymentType.CARD, 1000), Payment(PaymentType.CASH, 1)]
    assert code_of(lambda: settle(1000, pays)) == "CASH_OVERFLOW"


def test_a_zero_payment_is_refused():
    assert code_of(lambda: settle(1000, [Payment(PaymentType.CASH, 0), Payment(PaymentType.CASH, 1000)])) == "SUM_RANGE"


# --- properties -------------------------------------------------------------------------

@SOME
@given(st.lists(items, min_size=1, max_size=8), adjustments, adjustments)
def test_line_totals_sum_to_total_due_and_cost_minus_discount(its, disc, mark):
    c = calc_or_none(its, disc, mark)
    if c is None:
        return
    assert sum(ln.total for ln in c.lines) == c.total_due
    assert c.total_cost - c.discount_total == c.total_due
    assert c.total_cost == sum(ln.raw for ln in c.lines)
    assert all(ln.total >= 0 for ln in c.lines)


@SOME
@given(st.lists(items, min_size=1, max_size=8), adjustments)
def test_a_spread_share_never_exceeds_its_line(its, disc):
    c = calc_or_none(its, disc, None)
    if c is None:
        return
    assert all(0 <= ln.receipt_discount <= ln.line for ln in c.lines)
    assert sum(ln.receipt_discount for ln in c.lines) == c.subtotal - c.total_due


@SOME
@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**9), min_size=1, max_size=20))
def test_spread_hands_out_exactly_the_amount_proportionally(amount, weights):
    shares = spread(amount, weights)
    if sum(weights) == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == amount
    total = sum(weights)
    assert all(abs(s * total - amount * w) < total for s, w in zip(shares, weights))


@SOME
@given(st.lists(items, min_size=1, max_size=8))
def test_vat_never_exceeds_its_total_and_sums_by_rate(its):
    c = calc_or_none(its, None, None)
    if c is None:
        return
    for ln in c.lines:
        assert 0 <= ln.vat <= ln.total
        if ln.vat_rate in ("0", "none"):
            assert ln.vat == 0
    for rate, vat in c.vat:
        assert vat == sum(ln.vat for ln in c.lines if ln.vat_rate == rate)
        assert vat <= sum(ln.total for ln in c.lines if ln.vat_rate == rate)


@SOME
@given(st.integers(1, 10**8), st.integers(0, 10**8), st.integers(0, 10**8))
def test_change_is_paid_minus_due_when_accepted(due, cash, card):
    pays = [Payment(t, a) for t, a in ((PaymentType.CASH, cash), (PaymentType.CARD, card)) if a]
    try:
        by_type, change = settle(due, pays)
    except FiscalError as e:
        expected = ("NOT_ENOUGH_MONEY" if cash + card < due else "CASHLESS_OVERFLOW" if card > due
                    else "CASH_OVERFLOW")
        assert e.code == expected
        return
    assert change == cash + card - due >= 0
    assert card <= due and not (card == due and cash)
    assert sum(a for _, a in by_type) == cash + card


@SOME
@given(st.integers(-10**13, 10**14), st.integers(-10, 10**8))
def test_out_of_range_price_or_qty_yields_its_code(price, qty):
    try:
        calculate([item(price=price, qty=qty)])
    except FiscalError as e:
        if not 1 <= price <= MAX_SUM:
            assert e.code == "PRICE_RANGE"
        elif not 1 <= qty <= 9_999_999:
            assert e.code == "QTY_RANGE"
        else:
            assert e.code == "SUM_RANGE"
        return
    assert 1 <= price <= MAX_SUM and 1 <= qty <= 9_999_999


# --- VAT at large sums, every rate, computed independently with Decimal ------------------

def _included(total: int, rate: str) -> int:
    """round(total × r / (100 + r)) half-up to the kopeck, by decimal arithmetic (an independent oracle)."""
    from decimal import ROUND_HALF_UP, Decimal
    if rate in ("0", "none"):
        return 0
    r = Decimal(rate)
    return int((Decimal(total) * r / (100 + r)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("rate", ["20", "10", "25", "0", "none"])
@pytest.mark.parametrize("total", [1, 36_000, 36_099, 99_999, 1_234_567_89, MAX_SUM])
def test_included_vat_at_every_rate_and_large_sums_is_exact(rate, total):
    c = calculate([item(price=total, vat=rate)])
    assert c.lines[0].vat == _included(total, rate) == dict(c.vat)[rate]


@pytest.mark.parametrize("keys", [["20", "10", "none"], ["25", "0"], ["12.5", "none"]])
def test_a_configured_vat_table_computes_its_rates(keys):
    table = VatTable.from_config(keys)
    for k in keys:
        c = calculate([item(price=98_765_43, vat=k)], vat_table=table)
        assert c.lines[0].vat == _included(98_765_43, k)
        if k not in ("0", "none"):
            assert c.lines[0].vat > 0


@SOME
@given(st.integers(1, MAX_SUM), st.sampled_from(RATES))
def test_included_vat_matches_the_decimal_oracle_everywhere(total, rate):
    assert calculate([item(price=total, vat=rate)]).lines[0].vat == _included(total, rate)


# --- discounts, markups and payments at their edges -------------------------------------------

@pytest.mark.parametrize("kw, where", [({"discount": Adjustment(amount=-1)}, "discount"),
                                       ({"markup": Adjustment(amount=-1)}, "markup")])
def test_a_negative_line_adjustment_is_refused_naming_it(kw, where):
    with pytest.raises(FiscalError) as e:
        calculate([item(1000, **kw)])
    assert e.value.code == "BAD_FIELD" and e.value.item == 0 and where in e.value.detail


@pytest.mark.parametrize("disc, mark", [(Adjustment(amount=-1), None), (None, Adjustment(amount=-1)),
                                        (Adjustment(percent=-100), None)])
def test_a_negative_receipt_adjustment_is_refused(disc, mark):
    with pytest.raises(FiscalError) as e:
        calculate([item(1000)], disc, mark)
    assert e.value.code == "BAD_FIELD" and e.value.item is None


def test_a_line_discount_to_exactly_one_kopeck_is_accepted():
    assert calculate([item(100, discount=Adjustment(amount=99))]).total_due == 1


def test_a_receipt_discount_to_exactly_one_kopeck_is_accepted_and_one_more_is_not():
    assert calculate([item(100), item(100)], Adjustment(amount=199)).total_due == 1
    assert code_of(lambda: calculate([item(100), item(100)], Adjustment(amount=200))) == "DISCOUNT_TOO_LARGE"


def test_a_receipt_markup_and_discount_together_net_out():
    c = calculate([item(1000), item(3000)], Adjustment(percent=1000), Adjustment(amount=100))
    assert [ln.receipt_discount for ln in c.lines] == [100, 300]
    assert [ln.receipt_markup for ln in c.lines] == [25, 75]
    assert c.total_due == 4000 - 400 + 100 and c.discount_total == 300


def test_two_payments_of_one_type_add_up():
    c = calculate([item(1000)], payments=[Payment(PaymentType.CARD, 400), Payment(PaymentType.CARD, 600)])
    assert dict(c.payments) == {PaymentType.CARD: 1000} and c.change == 0 and len(c.payment_list) == 2
    c = calculate([item(1000)], payments=[Payment(PaymentType.CASH, 500), Payment(PaymentType.CASH, 700)])
    assert dict(c.payments) == {PaymentType.CASH: 1200} and c.change == 200


def test_payment_rules_at_their_edges():
    assert settle(1000, [Payment(PaymentType.CASH, 1000)])[1] == 0
    assert settle(1000, [Payment(PaymentType.CARD, 999), Payment(PaymentType.CASH, 1)])[1] == 0
    assert settle(1000, [Payment(PaymentType.CARD, 999), Payment(PaymentType.CASH, 5)])[1] == 4
    assert code_of(lambda: settle(1000, [Payment(PaymentType.CARD, 999)])) == "NOT_ENOUGH_MONEY"
    assert code_of(lambda: settle(1000, [Payment(PaymentType.OPLATI, 1000), Payment(PaymentType.CERTIFICATE, 1)])) \
        == "CASHLESS_OVERFLOW"
    assert code_of(lambda: settle(1, [Payment(PaymentType.CASH, MAX_SUM + 1)])) == "SUM_RANGE"
    assert settle(1, [Payment(PaymentType.CASH, MAX_SUM)])[1] == MAX_SUM - 1


@pytest.mark.parametrize("qty, ok", [(1, True), (0, False), (9_999_999, True), (10_000_000, False)])
def test_quantity_limits_at_their_edges(qty, ok):
    if ok:
        assert calculate([item(price=1000, qty=qty)]).lines[0].qty == qty
    else:
        assert code_of(lambda: calculate([item(price=1000, qty=qty)])) == "QTY_RANGE"


@pytest.mark.parametrize("price, ok", [(1, True), (0, False), (MAX_SUM, True), (MAX_SUM + 1, False)])
def test_price_limits_at_their_edges(price, ok):
    if ok:
        assert calculate([item(price=price)]).total_due == price
    else:
        assert code_of(lambda: calculate([item(price=price)])) == "PRICE_RANGE"


def test_exactly_1000_lines_are_accepted():
    assert len(calculate([item()] * 1000).lines) == 1000


def test_a_line_markup_to_just_above_the_maximum_is_refused():
    assert code_of(lambda: calculate([item(price=MAX_SUM, markup=Adjustment(amount=1))])) == "SUM_RANGE"
    assert calculate([item(price=MAX_SUM - 1, markup=Adjustment(amount=1))]).total_due == MAX_SUM


def test_the_unit_and_line_fields_reach_the_calculated_line():
    from fiscal.receipt import CodeType
    ln = calculate([item(code="7", section=3, section_name="Бакалея", tp_unp="200988541", unit="шт",
                         code_type=CodeType.INTERNAL)]).lines[0]
    assert (ln.code, ln.section, ln.section_name, ln.tp_unp, ln.unit, ln.code_type) == \
        ("7", 3, "Бакалея", "200988541", "шт", CodeType.INTERNAL)


def test_a_configured_vat_table_keeps_its_order_and_knows_its_labels():
    table = VatTable.from_config(["10", "none", "20"])
    assert table.keys() == ["10", "none", "20"] and [r.key for r in table] == ["10", "none", "20"]
    assert [r.label for r in table] == ["НДС 10%", "Без НДС", "НДС 20%"]
    assert [r.hundredths for r in table] == [1000, None, 2000]
    with pytest.raises(FiscalError) as e:
        table.get("25", 4)
    assert e.value.code == "BAD_VAT" and e.value.item == 4 and '"10", "none", "20"' in e.value.detail
    with pytest.raises(FiscalError):
        VatTable.from_config(["twenty"])


def test_the_error_object_of_a_refusal_is_the_contract_shape():
    e = FiscalError("QTY_RANGE", "quantity must be 0.001 … 9999.999", 3)
    out = e.as_json("ru")
    assert out == {"error": {"code": "QTY_RANGE", "message": out["error"]["message"], "item": 3}}
    assert out["error"]["message"].endswith("(quantity must be 0.001 … 9999.999)") and "Количество" in out["error"]["message"]
    bare = FiscalError("EMPTY_RECEIPT").as_json("en")["error"]
    assert bare["item"] is None and "(" not in bare["message"] and bare["message"]


# --- each refusal's technical detail, exactly: what the log and `zpos calc` show after the text -----

def _detail(fn):
    with pytest.raises(FiscalError) as e:
        fn()
    return e.value.code, e.value.item, e.value.detail


@pytest.mark.parametrize("fn, expected", [
    (lambda: calculate([]), ("EMPTY_RECEIPT", None, "the receipt has no lines")),
    (lambda: calculate([item()] * 1001), ("TOO_MANY_ITEMS", None, "1001 lines; at most 1000 are allowed")),
    (lambda: calculate([item(), item(price=0)]), ("PRICE_RANGE", 1, "price must be 0.01 … 99 999 999 999.99")),
    (lambda: calculate([item(qty=0)]), ("QTY_RANGE", 0, "quantity must be 0.001 … 9999.999")),
    (lambda: calculate([item(), item(price=1, qty=1)]),
     ("SUM_RANGE", 1, "line sum (qty × price) must be 0.01 … 99 999 999 999.99")),
    (lambda: calculate([item(100, discount=Adjustment(amount=100))]),
     ("DISCOUNT_TOO_LARGE", 0, "the discount takes the line to zero or below")),
    (lambda: calculate([item(), item(MAX_SUM - 1, markup=Adjustment(amount=2))]),
     ("SUM_RANGE", 1, "line sum after discount must be 0.01 … 99 999 999 999.99")),
    (lambda: calculate([item(100)], Adjustment(amount=100)),
     ("DISCOUNT_TOO_LARGE", None, "the receipt discount takes the total to zero or below")),
    (lambda: calculate([item(MAX_SUM), item(1)]), ("SUM_RANGE", None, "total due must be 0.01 … 99 999 999 999.99")),
    (lambda: calculate([item(100, discount=Adjustment(amount=-1))]),
     ("BAD_FIELD", 0, "items[0].discount must not be negative")),
    (lambda: calculate([item(100)], None, Adjustment(amount=-1)), ("BAD_FIELD", None, "markup must not be negative")),
    (lambda: calculate([item(100)], Adjustment(amount=-1)), ("BAD_FIELD", None, "discount must not be negative")),
    (lambda: settle(100, [Payment("gold", 100)]), ("BAD_PAYMENT_TYPE", None, "payment type 'gold' is unknown")),
    (lambda: settle(100, [Payment(PaymentType.CARD, 0)]),
     ("SUM_RANGE", None, "payment card must be 0.01 … 99 999 999 999.99")),
    (lambda: settle(100, [Payment(PaymentType.CASH, 99)]),
     ("NOT_ENOUGH_MONEY", None, "the payments do not cover the total due")),
    (lambda: settle(100, [Payment(PaymentType.CARD, 101)]),
     ("CASHLESS_OVERFLOW", None, "non-cash payments exceed the total due; change is given from cash only")),
    (lambda: settle(100, [Payment(PaymentType.CARD, 100), Payment(PaymentType.CASH, 1)]),
     ("CASH_OVERFLOW", None, "non-cash payments already cover the total; cash must be 0")),
])
def test_each_refusal_carries_its_exact_detail_and_line(fn, expected):
    assert _detail(fn) == expected


def test_a_negative_adjustment_names_the_field_in_its_parameters():
    with pytest.raises(FiscalError) as e:
        calculate([item(100), item(100, markup=Adjustment(amount=-5))])
    assert e.value.params == {"field": "items[1].markup"}


def test_an_amount_adjustment_of_nothing_takes_nothing_off():
    assert Adjustment().resolve(1000) == 0 and Adjustment(amount=0).resolve(1000) == 0
    assert Adjustment(amount=7).resolve(1000) == 7 and Adjustment(percent=150).resolve(1000) == 15
    Adjustment(amount=0).check("discount")
    Adjustment(percent=0).check("discount")


def test_a_receipt_markup_alone_is_not_refused_as_too_large():
    c = calculate([item(100)], None, Adjustment(amount=5))
    assert c.total_due == 105 and c.discount_total == -5
    c = calculate([item(100)], Adjustment(amount=99), Adjustment(amount=50))
    assert c.total_due == 51


def test_a_bad_configured_rate_is_named_as_a_vat():
    with pytest.raises(FiscalError) as e:
        VatTable.from_config(["twenty"])
    assert e.value.detail == "vat: 'twenty' is not a percent with up to 2 decimals such as \"12.5\""
