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


def test_the_z_report_row_is_always_for_everyone():
    for role in (A, C):
        for shift in (OPEN, CLOSED, EXPIRED):
            for mode in (D, S):
                assert check("z_report", role, shift, mode) is None


def test_the_x_report_needs_a_shift():
    assert check("x_report", C, CLOSED, D).code == "SHIFT_CLOSED"
    assert check("x_report", C, EXPIRED, D) is None


def test_sum_accounting_sells_no_catalog_goods_and_says_why():
    d = check("catalog_sale", C, OPEN, S)
    assert d.code == "NOT_ALLOWED" and "суммового учёта" in d.reason
    assert check("catalog_sale", C, OPEN, D) is None
    assert check("sale", C, OPEN, S) is None


def test_the_goods_list_splits_by_role():
    assert check("goods_list_used", C, CLOSED, D) is None and check("goods_list_used", A, CLOSED, D) is not None
    assert check("goods_list_all", A, CLOSED, D) is None and check("goods_list_all", C, CLOSED, D) is not None
    assert check("category_goods", A, CLOSED, D) is None and check("category_goods", C, CLOSED, D) is not None


def test_every_row_is_named_by_some_service_or_screen():
    """No row of the table is dead: each operation id appears in the code that asks for it (the tender rows are
    asked as f"pay_{type}")."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    source = "\n".join(p.read_text(encoding="utf-8") for d in ("fsm", "screens") for p in (root / d).rglob("*.py")
                       if p.name != "permissions.py")
    named = set(re.findall(r'"([a-z_]+)"', source))
    if 'f"pay_{' in source:
        named |= {r.op for r in RULES if r.op.startswith("pay_")}
    unguarded = sorted(r.op for r in RULES if r.op not in named)
    assert not unguarded, f"permission rows nothing asks for: {unguarded}"
