"""fsm.fiscal_path with the iKassa SKO: an unknown outcome stays pending and is looked up before anything is sent again."""
import time

import pytest

from fiscal.documents import CashIn, Registration
from fiscal.sko_cheque import SkoCheque
from fsm.errors import OperationError
from fsm.fiscal_path import FiscalPath, definite
from hal.errors import SkoError


def sko_docs(hub, kind: str) -> int:
    return hub.sko.state.db.execute("SELECT COUNT(*) FROM documents WHERE kind = ?", (kind,)).fetchone()[0]


def journal_docs(reg, kind: str) -> int:
    return sum(1 for e in reg.path.journal.shift_documents(reg.shifts.number) if str(e.type) == kind)


def refusal(fn, *args) -> str:
    with pytest.raises(OperationError) as e:
        fn(*args)
    return str(e.value.code)


@pytest.fixture
def cashier(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    return reg, hub


@pytest.mark.parametrize("fault", ["drop", "garble"])
def test_a_cash_in_whose_answer_is_lost_is_one_document_after_the_retry(cashier, fault):
    reg, hub = cashier
    (hub.sko.drop_next_answer if fault == "drop" else hub.sko.garble_next_answer)(then_offline=True)
    first = refusal(reg.shifts.cash_in, "10.00")
    assert first == ("SKO_UNKNOWN" if fault == "drop" else "SKO_BAD_ANSWER")
    assert len(reg.path.journal.pending()) == 1                 # kept, never taken as a refusal
    assert refusal(reg.shifts.cash_in, "10.00") == "SKO_OFFLINE"  # looked up first: the SKO is still away
    hub.control("sko", "online")
    reg.shifts.cash_in("10.00")                                 # the retry is answered by the first document
    assert reg.path.journal.pending() == []
    assert journal_docs(reg, "cash_in") == 1 and sko_docs(hub, "deposit") == 1
    assert reg.shifts.cash_in_drawer() == 1000


def test_a_pending_document_proven_absent_is_sent_once(cashier):
    reg, hub = cashier
    hub.control("sko", "offline")
    assert refusal(reg.shifts.cash_in, "5.00") == "SKO_OFFLINE"
    hub.control("sko", "online")
    reg.shifts.cash_in("5.00")
    assert journal_docs(reg, "cash_in") == 1 and sko_docs(hub, "deposit") == 1


def test_a_sale_whose_answer_is_lost_and_the_sko_gone_is_completed_by_the_retry(cashier):
    reg, hub = cashier
    reg.sale.add_item("1")
    hub.sko.drop_next_answer(then_offline=True)
    assert refusal(reg.checkout.pay, {"cash": "5.00"}) == "SKO_UNKNOWN"
    assert reg.path.journal.pending()
    hub.control("sko", "online")
    reg.checkout.pay({"cash": "5.00"})
    assert journal_docs(reg, "sale") == 1 and sko_docs(hub, "sale") == 1


def test_a_different_document_after_an_unknown_one_settles_it_first(cashier):
    reg, hub = cashier
    reg.shifts.cash_in("20.00")
    hub.sko.drop_next_answer(then_offline=True)
    refusal(reg.shifts.cash_out, "3.00")
    hub.control("sko", "online")
    reg.shifts.cash_in("1.00")
    assert journal_docs(reg, "cash_out") == 1 and journal_docs(reg, "cash_in") == 2
    assert reg.path.journal.last_number() == hub.sko.state.get_int("next_number") - 1


def test_a_refusal_from_the_sko_drops_the_pending_row(cashier):
    reg, hub = cashier
    hub.control("sko", "error", "2039")
    assert refusal(reg.shifts.cash_in, "1.00") == "NOT_ENOUGH_CASH"
    assert reg.path.journal.pending() == [] and sko_docs(hub, "deposit") == 0


def test_the_restart_settles_what_was_pending(cashier):
    reg, hub = cashier
    hub.sko.drop_next_answer(then_offline=True)
    refusal(reg.shifts.cash_in, "7.00")
    hub.control("sko", "online")
    assert reg.path.reconcile() and reg.path.journal.pending() == []
    assert journal_docs(reg, "cash_in") == 1 and reg.path.journal.not_printed()


def test_the_skos_figures_and_ours_agree_on_a_sale(cashier):
    reg, hub = cashier
    reg.sale.add_item("1")
    reg.sale.add_item("2")
    outcome = reg.checkout.pay({"cash": "10.00"})
    assert outcome.registration.cheque.total == reg.path.journal.last_document().doc.total_due
    assert outcome.differences == ()


def test_a_sale_the_sko_computes_otherwise_is_printed_and_diagnosed_as_the_sko_computed_it(cashier, tmp_path):
    from fiscal.money import format_money
    from fsm.diagnostics import run_diagnostics
    reg, hub = cashier
    diag = {c.id: c for c in run_diagnostics(reg.devices, reg.data_dir, reg.stores.journal)}
    assert diag["sko_figures"].ok
    hub.control("sko", "skew", "3")
    reg.sale.add_item("1")
    outcome = reg.checkout.pay({"cash": "10.00"})
    ours = reg.path.journal.last_document().doc
    assert [(d.field, d.ours - d.sko) for d in outcome.differences if d.field in ("total", "change")] == \
        [("total", 3), ("change", -3)]
    deadline = time.monotonic() + 2
    while "Сдача" not in hub.printer.last_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    page = hub.printer.last_text().splitlines()
    total = next(ln for ln in page if ln.replace(" ", "").startswith("ИТОГОКОПЛАТЕ"))
    assert total.replace(" ", "").endswith(format_money(ours.total_due - 3))
    assert any(ln.startswith("Сдача") and ln.rstrip().endswith(format_money(ours.change + 3)) for ln in page)
    check = {c.id: c for c in run_diagnostics(reg.devices, reg.data_dir, reg.stores.journal)}["sko_figures"]
    assert not check.ok and "иначе" in check.detail and f"№ {outcome.registration.number}" in check.detail


def test_a_difference_from_the_skos_figures_is_logged_and_kept(caplog):
    doc = CashIn(op_id="c", shift=1, cashier="И", created="2026-01-15T09:00:00+03:00", amount=500)
    reg = Registration(number=3, uid="U", time="t", cheque=SkoCheque(total=499))
    diffs = FiscalPath.differences(doc, reg)
    assert [(d.field, d.ours, d.sko) for d in diffs] == [("total", 500, 499)] and "differently" in caplog.text


def test_only_a_lost_garbled_offline_or_busy_outcome_is_unsettled():
    assert not any(definite(SkoError(c)) for c in ("SKO_OFFLINE", "SKO_UNKNOWN", "SKO_BAD_ANSWER", "SKO_IN_USE"))
    assert all(definite(SkoError(c)) for c in ("SKO_ERROR", "EMPTY_Z_REPORT", "SHIFT_CLOSED", "BAD_NUMBER"))
