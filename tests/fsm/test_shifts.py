"""fsm.shifts: the cash carried over between shifts, the X and Z figures against the SKO, requisites before a shift."""
from dataclasses import replace

import pytest

from fiscal.reports import counters_from_dict
from fsm.errors import OperationError
from qa.rig import DEMO_REQUISITES
from texts.errors import error_text


def figure(text: str, label: str) -> str:
    """The amount printed on the line that starts with `label` (the last one, if several)."""
    lines = [ln for ln in text.splitlines() if ln.startswith(label)]
    assert lines, f"no line {label!r} in\n{text}"
    return lines[-1].split()[-1]


def z_counters(reg):
    return counters_from_dict(reg.stores.journal.last_document(types=["shift_close"]).doc.counters)


def day(reg, cash_sale: str = "10.00", cash_in: str = "20.00", cash_out: str | None = None):
    reg.shifts.open_shift()
    reg.shifts.cash_in(cash_in)
    reg.sale.add_item("2")                      # milk, 2.49
    reg.checkout.pay({"cash": cash_sale})
    if cash_out:
        reg.shifts.cash_out(cash_out)


def test_the_next_shift_opens_with_the_cash_the_last_z_left_and_its_x_agrees_with_the_sko(register_as):
    reg, _ = register_as("ivanova", "2580")
    day(reg)
    reg.shifts.close_shift()
    first = z_counters(reg)
    assert (first.opening_cash, first.cash_in_drawer) == (0, 2249) == (0, reg.shifts.cash_in_drawer())
    reg.shifts.open_shift()
    reg.shifts.cash_out("22.49")                # everything carried over is taken out: the drawer is empty
    text = reg.shifts.x_report().text()
    assert figure(text, "Наличных на начало смены") == "22.49"
    assert figure(text, "Наличных в кассе") == "0.00"
    assert "Наличных по данным СКО" not in text
    assert reg.shifts.counters().cash_in_drawer == reg.shifts.cash_in_drawer() == 0


def test_three_days_on_one_drawer_keep_opening_equal_to_the_last_closing_and_to_the_sko(register_as):
    reg, _ = register_as("ivanova", "2580")
    closing = 0
    for n in range(3):
        day(reg, cash_out="5.00" if n else None)
        reg.shifts.close_shift()
        z = z_counters(reg)
        assert z.opening_cash == closing
        assert z.cash_in_drawer == reg.shifts.cash_in_drawer()
        closing = z.cash_in_drawer
    assert closing == 3 * 2249 - 2 * 500


def test_a_shift_record_without_its_opening_balance_falls_back_to_the_last_z(register_as):
    reg, _ = register_as("ivanova", "2580")
    day(reg)
    reg.shifts.close_shift()
    reg.shifts.open_shift()
    reg.shifts.record.opening_cash = None       # e.g. a shift adopted from the SKO after a power loss
    assert reg.shifts.opening_cash() == 2249 == reg.shifts.counters().cash_in_drawer


def test_the_z_counts_a_cash_in_left_pending_by_an_sko_that_did_not_answer(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    hub.control("sko", "offline")
    with pytest.raises(OperationError):
        reg.shifts.cash_in("7.00")
    assert len(reg.stores.journal.pending()) == 1
    assert figure(reg.reports.document("x").text(), "Не зарегистрировано документов") == "1"
    hub.control("sko", "online")
    reg.shifts.close_shift()                    # the pending cash in is registered first, then counted
    z = z_counters(reg)
    assert z.cash_in.count == 1 and z.pending == 0 and z.cash_in_drawer == reg.shifts.cash_in_drawer() == 700


def test_an_x_report_before_any_shift_is_refused_as_shift_closed_and_greyed(register_as):
    reg, _ = register_as("ivanova", "2580")
    with pytest.raises(OperationError) as e:
        reg.shifts.x_report()
    assert e.value.code == "SHIFT_CLOSED"
    with pytest.raises(OperationError) as e:
        reg.reports.document("x")                # the reports screen's preview says the same, no internal error
    assert e.value.code == "SHIFT_CLOSED"
    assert reg.session.allowed("x_report").code == "SHIFT_CLOSED"


def test_the_x_report_prints_the_sko_serial(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    text = reg.shifts.x_report().text()
    assert f"Зав.№ СКО:{' ' * 18}{hub.options.serial}" in text or hub.options.serial in text
    assert reg.stores.settings.requisites().sko_serial == hub.options.serial   # the requisites screen shows it


@pytest.mark.parametrize("blank, named", [("org_name", "наименование организации"), ("unp", "УНП"),
                                          ("ksa_number", "№ КСА")])
def test_a_shift_does_not_open_without_a_mandatory_requisite_and_names_it(register_as, blank, named):
    reg, _ = register_as("ivanova", "2580")
    req = reg.stores.settings.requisites()
    reg.stores.settings.save_requisites(replace(req, **{blank: ""}))
    before = reg.stores.journal.last_number()
    with pytest.raises(OperationError) as e:
        reg.shifts.open_shift()
    assert e.value.code == "NO_REQUISITES" and named in e.value.message
    assert error_text("NO_REQUISITES", "ru", **e.value.params).startswith("Не заполнены реквизиты:")
    assert reg.stores.journal.last_number() == before and str(reg.shifts.state) == "closed"


def test_the_demo_requisites_carry_a_unp_with_a_valid_check_digit():
    from fiscal.identifiers import unp_valid
    assert unp_valid(DEMO_REQUISITES["unp"])


def test_the_shift_record_keeps_the_opening_balance_across_a_restart(register_as, tmp_path):
    reg, _ = register_as("ivanova", "2580")
    day(reg)
    reg.shifts.close_shift()
    reg.shifts.open_shift()
    from fsm.shifts import ShiftRecord
    record = ShiftRecord(reg.stores, lambda: None, lambda: 24, lambda: False)
    assert record.opening_cash == 2249
