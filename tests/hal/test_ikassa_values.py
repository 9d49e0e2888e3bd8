"""hal.protocols.ikassa_values: decimals read as the service may send them, the cashier, code types, markings."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiscal.receipt import CodeType
from hal.protocols.ikassa_values import (
    CASHIER_MAX,
    KIND_OF_PAYMENT,
    WireValueError,
    cashier_for_sko,
    code_number,
    code_type_of,
    gtin_valid,
    marking_problem,
    money,
    parse_int,
    parse_money,
    parse_quantity,
)


def test_a_decimal_string_or_number_becomes_kopecks_rounded_half_up():
    assert parse_money("7.00", "x") == 700
    assert parse_money(12.499999999, "x") == 1250
    assert parse_money(12.5, "x") == 1250 and parse_money(3, "x") == 300
    assert parse_money("0.005", "x") == 1
    assert parse_quantity(1.0, "q") == 1000 and parse_quantity("1.235", "q") == 1235


@pytest.mark.parametrize("bad", [None, True, "7,00", "1e3", "NaN", "", [], "12.1234567"])
def test_a_value_that_is_not_a_decimal_is_refused(bad):
    with pytest.raises(WireValueError):
        parse_money(bad, "x")


def test_the_emulator_reads_requests_exactly():
    with pytest.raises(WireValueError, match="more than 2"):
        parse_money("1.005", "price", exact=True)
    with pytest.raises(WireValueError, match="more than 3"):
        parse_quantity("1.0005", "qty", exact=True)
    assert parse_int("42", "n") == 42 and parse_int(42, "n") == 42
    with pytest.raises(WireValueError):
        parse_int("4.2", "n")


@given(st.integers(0, 99_999_999_999_99))
def test_money_round_trips(kop):
    assert parse_money(money(kop), "x", exact=True) == kop


def test_the_built_in_administrator_is_shortened_to_16_keeping_the_id():
    sent, shortened = cashier_for_sko("Администратор (1)")
    assert shortened and len(sent) == CASHIER_MAX and sent.endswith(" (1)")
    assert cashier_for_sko("Иванова А.С. (101)") == ("Иванова А. (101)", True)
    assert cashier_for_sko("Петров") == ("Петров", False)
    assert cashier_for_sko("   ") == ("", False)


@given(st.text(min_size=1, max_size=60))
def test_a_cashier_name_is_never_longer_than_16(name):
    assert len(cashier_for_sko(name)[0]) <= CASHIER_MAX


def test_code_type_is_gtin_for_a_valid_barcode_else_internal_unless_declared():
    assert code_type_of("4810000000018", None) is CodeType.GTIN
    assert code_type_of("1", None) is CodeType.INTERNAL
    assert code_type_of("1", CodeType.SERVICE) is CodeType.SERVICE
    assert code_number("4810000000018") == 4810000000018 and code_number("A-1") == 0 and code_number(None) == 0
    assert gtin_valid(4810000000018) and not gtin_valid(4810000000019)


def test_our_tenders_land_on_the_three_published_kinds():
    assert {k.value: v for k, v in KIND_OF_PAYMENT.items()} == {
        "cash": "cash", "card": "cashless", "oplati": "cashless", "cashless_other": "cashless",
        "certificate": "other", "advance_other": "other"}


SI = "0104810000000018" + "21" + "ABC123" + "\x1d" + "93dGVz"


def test_a_marking_is_one_si_or_ukz_with_a_well_formed_code():
    assert marking_problem({"si": SI}) is None
    assert marking_problem({"ukz": "2321987121CAC"}) is None
    assert "one key" in marking_problem({"si": SI, "ukz": "x"})
    assert "kind" in marking_problem({"km": SI})
    assert "non-empty" in marking_problem({"ukz": ""})
    assert "(01)" in marking_problem({"si": "4810000000018"})
    assert "check digit" in marking_problem({"si": "0104810000000019" + "21ABC"})
    assert "one key" in marking_problem(["si", SI])
