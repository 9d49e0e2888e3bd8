"""The permission table of manual §3.6 («Все функции») as data; guards and menus both read it.

Where the manual's table is plainly a typo (it lists «Открытие смены» as needing an open
shift), the rule follows the SKO: a shift opens only when closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from texts.errors import error_text


class Role(StrEnum):
    ADMIN = "admin"
    CASHIER = "cashier"


class ShiftState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    EXPIRED = "expired"


class Mode(StrEnum):
    DIFFERENTIATED = "differentiated"
    SUM = "sum"


BOTH = frozenset({Mode.DIFFERENTIATED, Mode.SUM})
DIFF = frozenset({Mode.DIFFERENTIATED})
SUM = frozenset({Mode.SUM})
ANYONE = frozenset({Role.ADMIN, Role.CASHIER})
CASHIER = frozenset({Role.CASHIER})
ADMIN = frozenset({Role.ADMIN})

# Shift requirement: "any", "open" (fresh, under 24 h), "closed", "open_or_expired".


# The lifecycle states an operation may run in (LifecycleMachine's states).
WORK = frozenset({"menu", "receipt"})
SELLING = frozenset({"menu", "receipt", "self_service"})
PAYING = frozenset({"receipt", "payment"})
PAYING_SELF = frozenset({"receipt", "payment", "self_service"})


@dataclass(frozen=True)
class Rule:
    op: str
    roles: frozenset[Role]
    shift: str
    modes: frozenset[Mode]
    states: frozenset[str] = WORK
    mode_variant: str | None = None      # the refusal's text in the wrong accounting mode, when it is more specific


RULES: tuple[Rule, ...] = (
    Rule("cash_menu", ANYONE, "any", BOTH),
    Rule("cash_in", CASHIER, "open", BOTH),
    Rule("cash_out", CASHIER, "open", BOTH),
    Rule("open_shift", CASHIER, "closed", BOTH),
    Rule("close_shift", CASHIER, "open_or_expired", BOTH),
    Rule("z_report", ANYONE, "any", BOTH),          # «Z-отчёт: Всегда»: the last Z, shown and printed as a copy
    Rule("x_report", CASHIER, "open_or_expired", BOTH),
    Rule("sale", CASHIER, "open", BOTH, SELLING),
    # A catalog item on the receipt (scan, code, weighed goods): sum accounting has no catalog (manual §3.6).
    Rule("catalog_sale", CASHIER, "open", DIFF, SELLING, mode_variant="NOT_ALLOWED.sum_mode_catalog"),
    Rule("section_sale", CASHIER, "open", SUM, SELLING),
    Rule("sections_edit", ADMIN, "any", SUM),
    Rule("pay_cash", CASHIER, "open", BOTH, PAYING),
    Rule("pay_card", CASHIER, "open", BOTH, PAYING_SELF),
    Rule("pay_certificate", CASHIER, "open", BOTH, PAYING),
    Rule("pay_cashless_other", CASHIER, "open", BOTH, PAYING),
    Rule("pay_advance_other", CASHIER, "open", BOTH, PAYING),
    Rule("pay_oplati", CASHIER, "open", BOTH, PAYING_SELF),
    Rule("edit_line", CASHIER, "open", BOTH, SELLING),
    Rule("shifts_list", ANYONE, "any", BOTH),
    Rule("receipts_list", ANYONE, "any", BOTH),
    Rule("receipt_detail", ANYONE, "any", BOTH),
    Rule("refund", CASHIER, "open", BOTH),
    Rule("refund_funds", CASHIER, "open", BOTH),
    Rule("refund_no_receipt", CASHIER, "open", BOTH),
    Rule("annul", CASHIER, "open", BOTH),
    Rule("cancel_unfinished", CASHIER, "any", BOTH),
    Rule("copy", ANYONE, "any", BOTH),
    Rule("reprint", ANYONE, "any", BOTH),
    Rule("line_discount", CASHIER, "open", DIFF),
    Rule("receipt_discount", CASHIER, "open", DIFF),
    Rule("stock", CASHIER, "open", DIFF),           # «Учет остатков»: an item's stock as the sale screen shows it
    Rule("orders", CASHIER, "open", DIFF),
    Rule("self_service", CASHIER, "any", BOTH),
    Rule("reports_menu", ANYONE, "any", BOTH),
    Rule("report_items", ANYONE, "any", DIFF),
    Rule("report_payments", ANYONE, "any", BOTH),
    Rule("report_stock", ANYONE, "any", DIFF),
    Rule("report_turnover", ANYONE, "any", DIFF),
    Rule("settings_menu", ANYONE, "any", BOTH),
    Rule("requisites", ADMIN, "any", BOTH),
    Rule("parameters", ADMIN, "any", BOTH),
    Rule("users", ADMIN, "any", BOTH),
    Rule("maintenance", ADMIN, "any", BOTH),
    Rule("bank_test", ANYONE, "any", BOTH),
    Rule("support_info", ANYONE, "any", BOTH),
    Rule("open_drawer", CASHIER, "any", BOTH),
    Rule("goods_menu", ANYONE, "any", DIFF),
    Rule("goods_detail", ANYONE, "any", DIFF),
    Rule("goods_edit", ANYONE, "any", DIFF),
    Rule("goods_list_used", CASHIER, "any", DIFF),
    Rule("goods_list_all", ADMIN, "any", DIFF),
    Rule("category_goods", ADMIN, "any", DIFF),
    Rule("category_rename", ADMIN, "any", DIFF),
    Rule("goods_export", ADMIN, "any", DIFF),
    Rule("goods_import", ADMIN, "any", DIFF),
)

BY_OP: dict[str, Rule] = {r.op: r for r in RULES}

# The main menu of manual §3.3, in order: (operation id, the rule it is gated by).
MAIN_MENU: tuple[tuple[str, str], ...] = (
    ("sale", "sale"), ("orders", "orders"), ("cash_menu", "cash_menu"), ("receipts_list", "receipts_list"),
    ("reports_menu", "reports_menu"), ("goods_menu", "goods_menu"), ("settings_menu", "settings_menu"),
)


@dataclass(frozen=True)
class Denial:
    code: str                   # contracts.md §3: NOT_ALLOWED, SHIFT_CLOSED, SHIFT_OPEN, SHIFT_EXPIRED
    variant: str | None = None  # the more specific text of the code (error.NOT_ALLOWED.admin_only, ...)

    @property
    def reason(self) -> str:
        """The grey button's explanation, in the current language."""
        return error_text(self.variant or self.code)


def check(op: str, role: Role | None, shift: ShiftState, mode: Mode, state: str | None = None) -> Denial | None:
    """None when `op` is allowed now; otherwise why not. `state` is the lifecycle state, when known."""
    rule = BY_OP.get(op)
    if rule is None:
        raise KeyError(f"no permission rule for operation {op!r}")
    if role is None:
        return Denial("NOT_ALLOWED", "NOT_ALLOWED.login")
    if state is not None and state not in rule.states:
        if state == "self_service" and op.startswith("pay_"):
            return Denial("NOT_ALLOWED", "NOT_ALLOWED.self_service_card_only")
        return Denial("NOT_ALLOWED", "NOT_ALLOWED.state")
    if role not in rule.roles:
        return Denial("NOT_ALLOWED", "NOT_ALLOWED.cashier_only" if rule.roles == CASHIER else "NOT_ALLOWED.admin_only")
    if mode not in rule.modes:
        return Denial("NOT_ALLOWED", rule.mode_variant or ("NOT_ALLOWED.sum_only" if rule.modes == SUM
                                                           else "NOT_ALLOWED.diff_only"))
    if rule.shift == "open":
        if shift is ShiftState.CLOSED:
            return Denial("SHIFT_CLOSED")
        if shift is ShiftState.EXPIRED:
            return Denial("SHIFT_EXPIRED")
    elif rule.shift == "open_or_expired" and shift is ShiftState.CLOSED:
        return Denial("SHIFT_CLOSED")
    elif rule.shift == "closed" and shift is not ShiftState.CLOSED:
        return Denial("SHIFT_OPEN")
    return None
