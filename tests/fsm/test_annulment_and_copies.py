"""fsm.documents: the annulment gives back what the sale took, copies are marked and move no counter."""
import pytest

from fsm.errors import OperationError
from texts.errors import error_text


@pytest.fixture
def shift(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.shifts.cash_in("20.00")
    return reg, hub


def lines_after(text: str, heading: str) -> list[str]:
    rows = text.splitlines()
    i = next(k for k, ln in enumerate(rows) if ln.startswith(heading))
    out = []
    for ln in rows[i + 1:]:
        if not ln.startswith("  "):
            break
        out.append(" ".join(ln.split()))
    return out


def test_the_annulment_prints_the_sales_amount_by_tender_not_the_cash_handed_over(shift):
    reg, hub = shift
    reg.sale.add_item("13")                                          # 0.25, paid with 1.00
    reg.checkout.pay({"cash": "1.00"})
    drawer = reg.shifts.cash_in_drawer()
    reg.docs.annul_last()
    text = hub.printer.last_text()
    assert "ДОКУМЕНТ АННУЛИРОВАНИЯ" in text
    assert lines_after(text, "Возвращено покупателю:") == ["Наличными 0.25"]
    assert "Сдача" not in text and "1.00" not in text.split("Аннулирован:")[1]
    assert reg.shifts.cash_in_drawer() == drawer - 25


def test_the_annulment_of_a_mixed_sale_names_each_tender(shift):
    reg, hub = shift
    reg.sale.add_item("9")                                           # 5.59: card 3.00, cash 3.00 → change 0.41
    reg.checkout.pay({"card": "3.00", "cash": "3.00"})
    reg.docs.annul_last()
    texts = [d.text for d in hub.printer.documents]
    annulment = next(t for t in reversed(texts) if "ДОКУМЕНТ АННУЛИРОВАНИЯ" in t)
    assert lines_after(annulment, "Возвращено покупателю:") == ["Банковской картой 3.00", "Наличными 2.59"]
    assert hub.card_net() == 0
    assert any("КАРТ-ЧЕК" in t and "ОТМЕНА" in t for t in texts)     # the terminal's cancel slip


def test_annulling_a_refund_that_went_to_a_card_is_refused_with_a_reason(shift):
    reg, hub = shift
    reg.sale.add_item("2")
    n = reg.checkout.pay({"card": "2.49"}).registration.number
    reg.refunds.refund(n, None, {"card": None})
    before = (reg.stores.journal.last_number(), hub.card_net(), reg.shifts.counters().revenue)
    with pytest.raises(OperationError) as e:
        reg.docs.annul_last()
    assert e.value.code == "NOT_ALLOWED" and e.value.variant == "ANNUL_ELECTRONIC_REFUND"
    assert "аннулировать нельзя" in e.value.message
    assert (reg.stores.journal.last_number(), hub.card_net(), reg.shifts.counters().revenue) == before


def test_annulling_a_cash_refund_brings_the_cash_back(shift):
    reg, hub = shift
    reg.sale.add_item("2")
    n = reg.checkout.pay({"cash": "2.49"}).registration.number
    reg.refunds.refund(n, None, {"cash": None})
    drawer = reg.shifts.cash_in_drawer()
    reg.docs.annul_last()
    assert lines_after(hub.printer.last_text(), "Возвращено в кассу:") == ["Наличными 2.49"]
    assert reg.shifts.cash_in_drawer() == drawer + 249


def test_a_copy_is_marked_and_changes_no_counter(shift):
    reg, hub = shift
    reg.sale.add_item("2")
    n = reg.checkout.pay({"cash": "5.00"}).registration.number
    before = (reg.stores.journal.last_number(), reg.shifts.counters(), reg.shifts.cash_in_drawer())
    reg.docs.copy(n)
    text = hub.printer.last_text()
    assert text.count("КОПИЯ") == 2 and f"№ {n}" in text
    assert (reg.stores.journal.last_number(), reg.shifts.counters(), reg.shifts.cash_in_drawer()) == before


def test_reprinting_the_last_z_prints_a_copy(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.shifts.cash_in("1.00")
    reg.shifts.close_shift()
    original = hub.printer.last_text()
    assert "КОПИЯ" not in original
    before = reg.stores.journal.last_number()
    reg.reports.print_report("z")
    copy = hub.printer.last_text()
    assert copy != original and copy.count("КОПИЯ") == 2 and "Z-ОТЧЕТ" in copy
    assert reg.stores.journal.last_number() == before


def test_the_last_z_can_be_shown_by_anyone_at_any_time(register_as):
    reg, _ = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.shifts.cash_in("1.00")
    reg.shifts.close_shift()
    reg.session.logout()
    reg.session.login("admin", "7395")
    assert reg.session.allowed("z_report") is None
    assert "КОПИЯ" in reg.reports.document("z").text()


def test_a_print_error_is_the_catalogue_text_never_the_raw_key():
    text = error_text("PRINT_ERROR", "ru")
    assert not text.startswith("error.") and "копию" in text


def test_a_card_sale_prints_the_terminal_slip_once_and_it_can_be_reprinted_as_a_copy(shift):
    reg, hub = shift
    reg.sale.add_item("2")
    n = reg.checkout.pay({"card": "2.49"}).registration.number
    texts = [d.text for d in hub.printer.documents]
    slips = [t for t in texts if "КАРТ-ЧЕК" in t]
    assert len(slips) == 1 and "Экземпляр покупателя" in slips[0] and "ОДОБРЕНО" in slips[0]
    assert "ЧЕК ПРОДАЖИ" in texts[-1]                               # the slip comes first, the receipt last
    assert reg.docs.reprint_slip(n) == 1
    copy = hub.printer.last_text()
    assert "КАРТ-ЧЕК" in copy and copy.count("КОПИЯ") == 2 and f"№ {n}" in copy


def test_the_merchant_copy_of_the_slip_prints_when_the_parameter_asks(shift):
    reg, hub = shift
    reg.stores.settings.save_parameters(reg.stores.params.__class__.from_dict(
        {**reg.stores.params.to_dict(), "card_slip_merchant_copy": True}))
    reg.sale.add_item("2")
    n = reg.checkout.pay({"card": "2.49"}).registration.number
    reg.refunds.refund(n, None, {"card": None})
    slips = [d.text for d in hub.printer.documents if "КАРТ-ЧЕК" in d.text]
    assert [("покупателя" in t, "кассира" in t, "ВОЗВРАТ" in t) for t in slips] == [
        (True, False, False), (False, True, False), (True, False, True), (False, True, True)]


def test_a_document_without_card_operations_has_no_slip_to_reprint(shift):
    reg, _ = shift
    reg.sale.add_item("2")
    n = reg.checkout.pay({"cash": "2.49"}).registration.number
    with pytest.raises(OperationError) as e:
        reg.docs.reprint_slip(n)
    assert e.value.variant == "NO_CARD_SLIP"
