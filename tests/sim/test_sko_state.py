"""sim.sko_state: the shift, 24 h, unsent-document and drawer rules, annulment, and state that survives restarts."""
from datetime import datetime, timedelta, timezone

import pytest

from sim.sko_rules import SkoRefusal, SkoType
from sim.sko_state import SkoState

MINSK = timezone(timedelta(hours=3))
BREAD = {"code": 1, "codeType": 0, "name": "Хлеб", "price": "1.20", "quantity": "1.000"}


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 1, 15, 9, 0, tzinfo=MINSK)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


def state(tmp_path, clock, **kind) -> SkoState:
    st = SkoState(tmp_path / "sko", serial="AVQ1", org_name="ООО", unp="191234566", ksa_number="1", pin="1234",
                  puk="12345678", kind=SkoType(**kind), clock=clock)
    st.authorize({"pin": "1234"})
    return st


def sale(st, cash="1.20", **kw):
    return st.create_sale({"cashier": "Иванова", "cash": cash, "items": [BREAD], **kw})


def refused(fn, *args) -> int:
    with pytest.raises(SkoRefusal) as e:
        fn(*args)
    return e.value.code


def test_nothing_fiscal_before_authorisation_or_outside_a_shift(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    st.logout()
    assert refused(st.open_shift) == 2019
    st.authorize({"pin": "1234"})
    assert refused(sale, st) == 2013 and refused(st.close_shift) == 51
    st.open_shift()
    assert refused(st.open_shift) == 50


def test_after_24_hours_only_the_withdraw_and_the_z_are_allowed(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    st.open_shift()
    sale(st)
    clock.advance(hours=24)
    assert refused(sale, st) == 42
    assert refused(st.cash_move, "createDeposit", {"cashier": "И", "sum": "1.00"}) == 42
    st.cash_move("createWithdraw", {"cashier": "И", "sum": "1.20"})
    assert st.close_shift()["closed"] == clock.t.isoformat()


def test_a_shift_open_and_the_z_take_numbers_unless_the_sko_type_says_otherwise(tmp_path):
    clock = Clock()
    st = state(tmp_path / "a", clock)
    st.open_shift()
    assert st.get_int("next_number") == 2
    other = state(tmp_path / "b", clock, numbered_shift_documents=False)
    other.open_shift()
    sale(other)
    other.close_shift()
    assert other.get_int("next_number") == 2


def test_unsent_documents_block_every_fiscal_document_after_the_limit(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    st.uplink_online = False
    st.open_shift()
    sale(st)
    clock.advance(hours=72)
    assert refused(st.close_shift) == 43
    st.uplink_online = True
    assert st.flush_uplink() == 2 and st.skko_numbers() == [1, 2]
    st.close_shift()
    counted = state(tmp_path / "c", clock, unsent_limit_count=1)
    counted.uplink_online = False
    counted.open_shift()
    assert refused(sale, counted) == 43


def test_money_out_never_exceeds_the_drawer(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    st.open_shift()
    sale(st, cash="5.00")
    assert st.cash_in_token() == [{"currency": "BYN", "cash": "1.20"}]
    assert refused(st.cash_move, "createWithdraw", {"cashier": "И", "sum": "1.21"}) == 2039
    back = {"header": {"cashier": "И", "currency": "BYN"}, "cashSum": "2.40", "cashlessSum": "0.00",
            "items": [{**BREAD, "quantity": "2.000"}]}
    assert refused(st.create_moneyback, back) == 2039
    assert refused(st.create_moneyback, {**back, "cashSum": "1.00"}) == 2018
    assert refused(st.cash_move, "createDeposit", {"cashier": "И", "sum": "0.00"}) == 2027


def test_only_the_last_cheque_of_the_shift_is_annulled_and_only_once(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    st.open_shift()
    first = sale(st)["header"]["documentNumber"]
    second = sale(st)["header"]["documentNumber"]
    head = {"header": {"cashier": "И", "currency": "BYN"}}
    assert refused(st.create_rollback, {**head, "chequeNumber": first}) == 22
    answer = st.create_rollback({**head, "chequeNumber": second})
    assert answer["target"]["wasRollbacked"] is True and answer["target"]["header"]["documentNumber"] == second
    assert refused(st.create_rollback, {**head, "chequeNumber": second}) == 2026
    assert refused(st.create_rollback, {**head, "chequeNumber": 99}) == 2000
    assert st.cash_in_token()[0]["cash"] == "1.20"
    x = st.x_report()["currencyReports"][0]
    assert (x["salesCount"], x["rollbacksCount"], x["rollbacksSum"]) == (2, 1, "1.20")


def test_the_empty_z_rule_and_the_zero_drawer_rule(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock, zero_drawer_before_z=True)
    st.open_shift()
    assert refused(st.close_shift) == 1001
    sale(st)
    assert refused(st.close_shift) == 1004
    st.cash_move("createWithdraw", {"cashier": "И", "sum": "1.20"})
    z = st.close_shift()
    assert z["uid"] and z["currencyReports"][0]["withdrawsSum"] == "1.20" and z["firstSaleDocumentNumber"] == 2
    lax = state(tmp_path / "lax", clock, empty_z_refused=False)
    lax.open_shift()
    assert lax.close_shift()["saleDocumentsCount"] == 0


def test_the_state_survives_a_restart_but_the_session_does_not(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    st.open_shift()
    sale(st)
    st.close()
    again = SkoState(tmp_path / "sko", serial="AVQ1", org_name="ООО", unp="191234566", ksa_number="1", pin="1234",
                     puk="12345678", kind=SkoType(), clock=clock)
    assert not again.authorized and again.get_int("next_number") == 3 and again.cash_in_token()[0]["cash"] == "1.20"
    assert refused(sale, again) == 2019
    assert again.copy(2)["totals"]["sum"] == "1.20" and refused(again.copy, 7) == 2000


def test_the_skos_clock_never_goes_back(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    st.open_shift()
    clock.advance(minutes=-5)
    assert sale(st)["header"]["created"] == "2026-01-15T09:00:00+03:00"


def test_pin_rules(tmp_path):
    clock = Clock()
    st = state(tmp_path, clock)
    assert refused(st.authorize, {"pin": "1234"}) == 47
    st.logout()
    assert [refused(st.authorize, {"pin": "0"}) for _ in range(3)] == [32, 32, 10]
    assert refused(st.authorize, {"pin": "1234"}) == 10
    assert refused(st.change_pin, {"pin": "5555", "puk": "0"}) == 32
    assert refused(st.change_pin, {"pin": "55", "puk": "12345678"}) == 2047
    st.change_pin({"pin": "5555", "puk": "12345678"})
    st.authorize({"pin": "5555"})
