"""fiscal.money: parsing and formatting of kopecks, thousandths and percents; half-up rounding."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.errors import FiscalError
from fiscal.money import (
    MAX_SUM,
    format_money,
    format_money_grouped,
    format_percent,
    format_qty,
    line_sum,
    parse_money,
    parse_percent,
    parse_qty,
    percent_of,
    round_div,
)

SOME = settings(max_examples=200, deadline=None)


@SOME
@given(st.integers(-MAX_SUM, MAX_SUM))
def test_money_round_trips_through_its_wire_form(k):
    assert parse_money(format_money(k)) == k


@SOME
@given(st.integers(0, 9_999_999))
def test_quantity_round_trips_through_its_wire_form(q):
    assert parse_qty(format_qty(q)) == q


@SOME
@given(st.integers(0, 99_999))
def test_percent_round_trips(p):
    assert parse_percent(format_percent(p)) == p


@pytest.mark.parametrize("value", [1.2, 1, None, b"1.20", ["1.20"], True])
def test_money_that_is_not_a_string_is_refused(value):
    with pytest.raises(FiscalError) as e:
        parse_money(value, "price")
    assert e.value.code == "BAD_FIELD" and "price" in e.value.detail


@pytest.mark.parametrize("value", ["1.2", "1", "1.234", "", " 1.20", "1,20", "1e2", "abc", "+1.20", "1.20 ",
                                   "٣.٠٠", "1.20\n", "1234567890123.00"])
def test_money_strings_without_exactly_two_decimals_are_refused(value):
    with pytest.raises(FiscalError) as e:
        parse_money(value)
    assert e.value.code == "BAD_FIELD"


def test_loose_money_accepts_what_a_cashier_types():
    assert parse_money(" 12.5 ", exact=False) == 1250
    assert parse_money("7", exact=False) == 700


@pytest.mark.parametrize("value", ["1", "1.00", "1.0000", "-1.000", 1.0, "1,000", "١.٠٠٠", "1.000\n"])
def test_quantities_without_exactly_three_decimals_are_refused(value):
    with pytest.raises(FiscalError) as e:
        parse_qty(value)
    assert e.value.code == "BAD_FIELD"


@pytest.mark.parametrize("value", ["5.", "-5", "12.345", "1000", 5, "5%", "5\n", "٥"])
def test_bad_percents_are_refused(value):
    with pytest.raises(FiscalError) as e:
        parse_percent(value)
    assert e.value.code == "BAD_FIELD"


def test_formats_read_as_on_a_receipt():
    assert format_money(1230) == "12.30"
    assert format_money(-5) == "-0.05"
    assert format_qty(1235) == "1.235"
    assert format_percent(1250) == "12.5" and format_percent(500) == "5"
    assert format_money_grouped(1234567) == "12\u00a0345.67"


def test_round_div_is_half_up_and_symmetric():
    assert [round_div(n, 10) for n in (14, 15, 16, -14, -15, -16)] == [1, 2, 2, -1, -2, -2]
    with pytest.raises(ValueError):
        round_div(1, 0)


@SOME
@given(st.integers(-10**15, 10**15), st.integers(1, 10**6))
def test_round_div_is_within_half_of_the_exact_quotient(n, d):
    q = round_div(n, d)
    assert abs(q * d - n) * 2 <= d


def test_line_sum_and_percent_round_half_up():
    assert line_sum(399, 1235) == 493          # 4.92765
    assert percent_of(2391, 500) == 120        # 1.1955
    assert percent_of(10, 500) == 1            # 0.5 kopeck


@pytest.mark.parametrize("text, qty", [("1.5", 1500), ("1.05", 1050), ("1.005", 1005), (" 2 ", 2000), ("0.1", 100),
                                       ("9999.999", 9_999_999), ("12", 12_000)])
def test_a_typed_quantity_reads_as_a_cashier_means_it(text, qty):
    assert parse_qty(text, exact=False) == qty


@pytest.mark.parametrize("text, kop", [("12.5", 1250), ("12.05", 1205), ("0.1", 10), ("-3", -300), ("-0.5", -50)])
def test_a_typed_sum_reads_as_a_cashier_means_it(text, kop):
    assert parse_money(text, exact=False) == kop


@pytest.mark.parametrize("value", ["1.2345", "1.", ".5", "1 000", "123456.000"])
def test_a_typed_quantity_that_is_not_one_is_refused_naming_the_field(value):
    with pytest.raises(FiscalError) as e:
        parse_qty(value, "items[3].qty", exact=False)
    assert e.value.code == "BAD_FIELD" and "items[3].qty" in e.value.detail and repr(value) in e.value.detail


def test_a_refusal_names_the_field_and_the_value():
    for fn, value in ((parse_money, "1.2"), (parse_qty, "1"), (parse_percent, "x"), (parse_money, 5)):
        with pytest.raises(FiscalError) as e:
            fn(value, "the.field")
        assert "the.field" in e.value.detail and repr(value) in e.value.detail and e.value.params["field"] == "the.field"


def test_negative_amounts_format_with_their_sign_everywhere():
    assert format_money_grouped(-1234567) == "-12\u00a0345.67" and format_money_grouped(0) == "0.00"
    assert format_money_grouped(5) == "0.05" and format_money(0) == "0.00" and format_money(-100) == "-1.00"
    assert format_qty(-1500) == "-1.500" and format_qty(0) == "0.000"


def test_percents_format_without_trailing_zeros():
    assert [format_percent(p) for p in (0, 1, 10, 125, 1205, 10000, 99999)] == \
        ["0", "0.01", "0.1", "1.25", "12.05", "100", "999.99"]
    assert [parse_percent(p) for p in ("0", "0.5", "12.05", "999.99")] == [0, 50, 1205, 99999]


def test_the_limits_are_the_published_ones():
    from fiscal.money import MAX_LINES, MAX_QTY, MIN_QTY, MIN_SUM
    assert (MIN_SUM, MAX_SUM, MIN_QTY, MAX_QTY, MAX_LINES) == (1, 9_999_999_999_999, 1, 9_999_999, 1000)


def test_round_div_rounds_exact_halves_away_from_zero_and_keeps_exact_quotients():
    assert [round_div(n, 2) for n in (1, 3, -1, -3, 4, -4, 0)] == [1, 2, -1, -2, 2, -2, 0]
    assert round_div(7, 7) == 1 and round_div(-7, 7) == -1
    with pytest.raises(ValueError):
        round_div(1, -2)
    assert line_sum(5, 100) == 1 and line_sum(4, 100) == 0 and line_sum(1, 500) == 1 and line_sum(1, 499) == 0
    assert percent_of(1, 5000) == 1 and percent_of(1, 4999) == 0 and percent_of(10_000, 10_000) == 10_000


@pytest.mark.parametrize("fn, value, detail", [
    (parse_money, 1.2, 'price: 1.2 is not a string with 2 decimals such as "1.20"'),
    (parse_money, "1.2", "price: '1.2' is not a sum with 2 decimals such as \"1.20\""),
    (parse_qty, 1, 'price: 1 is not a string with 3 decimals such as "1.000"'),
    (parse_qty, "1", "price: '1' is not a quantity with 3 decimals such as \"1.000\""),
    (parse_percent, 5, 'price: 5 is not a percent string such as "5" or "12.5"'),
    (parse_percent, "5.5.5", "price: '5.5.5' is not a percent with up to 2 decimals such as \"12.5\""),
])
def test_each_parse_refusal_says_exactly_what_it_wanted(fn, value, detail):
    with pytest.raises(FiscalError) as e:
        fn(value, "price")
    assert e.value.detail == detail and e.value.params == {"field": "price"}


def test_the_default_field_names_are_the_kind_of_value():
    for fn, name in ((parse_money, "amount"), (parse_qty, "qty"), (parse_percent, "percent")):
        with pytest.raises(FiscalError) as e:
            fn("?")
        assert e.value.detail.startswith(f"{name}: ")


def test_round_div_refuses_a_zero_or_negative_denominator_saying_so():
    for d in (0, -1):
        with pytest.raises(ValueError) as e:
            round_div(10, d)
        assert str(e.value) == "denominator must be positive"
    assert round_div(0, 3) == 0 and round_div(1, 3) == 0 and round_div(2, 3) == 1 and round_div(-1, 3) == 0
