"""The permission table of manual §3.6."""
import pytest

from fsm.permissions import BY_OP, MAIN_MENU, RULES, Mode, Role, ShiftState, check

C, A = Role.CASHIER, Role.ADMIN
OPEN, CLOSED, EXPIRED = ShiftState.OPEN, ShiftState.CLOSED, ShiftState.EXPIRED
D, S = Mode.DIFFERENTIATED, Mode.SUM


def test_every_operation_is_listed_once():
    assert len(BY_OP) == len(RULES)
    assert all(rule in BY_OP for rule, _ in MAIN_MENU)


@pytest.mark.parametrize("op", ["cash_in", "cash_out", "sale", "pay_cash", "pay_card", "refund", "annul", "x_report"])
def test_the_administrator_has_no_cash_operations(op):
    denial = check(op, A, OPEN, D)
    assert denial is not None and denial.code == "NOT_ALLOWED" and "кассир" in denial.reason


@pytest.mark.parametrize("op", ["requisites", "parameters", "users", "maintenance", "category_rename"])
def test_settings_are_for_the_administrator_only(op):
    assert check(op, A, CLOSED, D) is None
    assert check(op, C, CLOSED, D).code == "NOT_ALLOWED"


def test_a_shift_opens_only_when_closed_and_closes_when_open_or_expired():
    assert check("open_shift", C, CLOSED, D) is None
    assert check("open_shift", C, OPEN, D).code == "SHIFT_OPEN"
    assert check("close_shift", C, CLOSED, D).code == "SHIFT_CLOSED"
    assert check("close_shift", C, EXPIRED, D) is None


def test_an_expired_shift_sells_nothing():
    assert check("sale", C, EXPIRED, D).code == "SHIFT_EXPIRED"
    assert check("sale", C, CLOSED, D).code == "SHIFT_CLOSED"
    assert check("sale", C, OPEN, D) is None


def test_accounting_mode_gates_sections_and_goods():
    assert check("section_sale", C, OPEN, S) is None
    assert check("section_sale", C, OPEN, D).code == "NOT_ALLOWED"
    assert check("line_discount", C, OPEN, S).code == "NOT_ALLOWED"
    assert check("goods_menu", A, CLOSED, S).code == "NOT_ALLOWED"


def test_nobody_logged_in_may_do_anything():
    assert check("receipts_list", None, OPEN, D).code == "NOT_ALLOWED"


def test_unknown_operation_is_a_programming_error():
    with pytest.raises(KeyError):
        check("fly", C, OPEN, D)
