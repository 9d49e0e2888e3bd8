"""The workstation driven by taps, swipes and long presses alone, checked against the register and its journal."""
from __future__ import annotations

import pytest
from ui_steps import cashier_in_open_shift, login, open_shift, unlock

from qa.headless import UiError


def test_unlock_pin_and_login_lead_to_the_main_menu(ui, sim):
    assert ui.visible_screen() == "lock"
    unlock(ui)
    assert ui.visible_screen() == "login"
    login(ui)
    assert ui.visible_screen() == "menu"
    assert sim[0].session.state == "menu"
    assert sim[0].session.user.login == "ivanova"


def test_a_sale_is_sold_and_paid_in_cash_by_taps_and_registered(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    assert str(reg.shifts.state) == "open"
    ui.tap("menu.sale")
    assert ui.visible_screen() == "sale"
    ui.tap("sale.item.2")                 # Молоко 2.49
    ui.tap("sale.item.2")
    ui.tap("sale.item.3")                 # Кефир 2.35
    assert [(ln.code, ln.qty) for ln in reg.sale.receipt.lines] == [("2", 2000), ("3", 1000)]   # merged
    assert ui.text_of("sale.total") == "7.33"
    assert ui.text_of("sale.line.1.aside2") == "2 шт × 2.49"
    ui.tap("sale.pay")
    assert ui.visible_screen() == "payment"
    ui.tap("pay.quick.10")
    assert ui.visible_screen() == "change"
    assert ui.text_of("change.value") == "2.67"
    last = reg.stores.journal.last_document(types=["sale"])
    assert last.doc.total_due == 733 and last.doc.change == 267
    assert last.status == "printed"
    assert reg.session.state == "receipt" and not reg.sale.receipt.lines
    ui.tap("change.done")
    assert ui.visible_screen() == "sale"


def test_an_amount_typed_on_the_keypad_pays_with_change(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.tap("sale.pay")
    ui.type_digits("5")
    ui.tap("pay.ok")
    assert reg.stores.journal.last_document(types=["sale"]).doc.change == 251


def test_a_cashier_sees_sale_grey_until_the_shift_is_open_and_a_tap_says_why(ui, sim):
    unlock(ui)
    login(ui)
    assert not ui.enabled("menu.sale")
    assert ui.enabled("menu.cash")
    ui.tap("menu.sale")
    assert ui.visible_screen() == "menu"
    assert ui.overlay() == "dialog"
    assert "смен" in ui.text_of("dialog.title").lower() or ui.app.overlays[-1].text
    ui.tap("dialog.ok")
    open_shift(ui)
    assert ui.enabled("menu.sale")


def test_the_administrator_has_cash_operations_grey_and_settings_enabled(ui, sim):
    unlock(ui)
    login(ui, "admin", "7395")
    assert not ui.enabled("menu.sale")
    assert not ui.enabled("menu.orders")
    assert ui.enabled("menu.settings")
    assert ui.enabled("menu.goods")
    assert not ui.enabled("open_shift")
    assert ui.enabled("requisites")
    ui.tap("menu.cash")
    assert not ui.enabled("cash.open_shift")
    ui.tap("cash.open_shift")
    assert "кассир" in ui.app.overlays[-1].text.lower()


def test_a_left_swipe_opens_the_side_menu_and_a_right_swipe_closes_it(ui, sim):
    unlock(ui)
    login(ui)
    ui.swipe("left")
    assert ui.overlay() == "side_menu"
    assert "side.help" in ui.widget_ids() or "side.down" in ui.widget_ids()
    ui.swipe("right")
    assert ui.overlay() is None
    ui.tap("side.toggle")
    assert ui.overlay() == "side_menu"
    ui.tap("side.cash")
    assert ui.visible_screen() == "cash" and ui.overlay() is None


def test_a_long_press_on_a_line_opens_its_menu_and_remove_takes_it_out(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.tap("sale.item.3")
    ui.long_press("sale.line.1")
    assert ui.overlay() == "context"
    ui.tap("line.remove")
    assert [ln.code for ln in reg.sale.receipt.lines] == ["3"]


def test_a_long_press_discount_and_quantity_change_reach_the_receipt(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.long_press("sale.line.1")
    ui.tap("line.qty")
    ui.type_digits("3")
    ui.tap("keypad.ok")
    assert reg.sale.receipt.lines[0].qty == 3000
    ui.long_press("sale.line.1")
    ui.tap("line.discount_pct")
    ui.type_digits("10")
    ui.tap("keypad.ok")
    assert ui.text_of("sale.total") == "6.72"       # 7.47 − 0.75


def test_a_short_tap_does_not_open_the_context_menu(ui, sim):
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.tap("sale.line.1")
    assert ui.overlay() is None


def test_a_wrong_password_offers_retry_and_forgot_password_opens_help(ui, sim):
    unlock(ui)
    login(ui, "ivanova", "9999")
    assert ui.overlay() == "dialog"
    assert ui.text_of("dialog.title") == "Неверный пароль"
    ui.tap("dialog.retry")
    assert ui.visible_screen() == "login" and ui.overlay() is None
    login(ui, "ivanova", "9999")
    ui.tap("dialog.forgot")
    assert ui.visible_screen() == "help"
    ui.tap("header.back")
    assert ui.visible_screen() == "login"


def test_a_wrong_device_password_keeps_the_lock(ui, sim):
    ui.type_digits("1234")
    ui.tap("keypad.ok")
    assert ui.visible_screen() == "lock" and ui.overlay() == "dialog"
    assert sim[0].session.state == "locked"


def test_refund_of_a_line_and_closing_the_shift_by_taps(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.tap("sale.item.3")
    ui.tap("sale.pay")
    ui.tap("pay.quick.exact")
    ui.tap("change.done")
    sale = reg.stores.journal.last_document(types=["sale"])
    ui.app.home()
    ui.tap("menu.receipts")
    ui.tap(f"shift.{reg.shifts.number}")
    ui.tap(f"doc.{sale.number}")
    assert ui.visible_screen() == "receipt_detail"
    ui.tap("detail.refund")
    ui.tap("refund.line.2")
    assert ui.text_of("refund.ok").endswith("2.35")            # the total before anything happens
    ui.tap("refund.ok")
    assert ui.overlay() == "dialog" and "2.35" in ui.app.overlays[-1].text
    assert reg.stores.journal.last_document(types=["refund"]) is None    # asked first
    ui.tap("dialog.yes")
    refund = reg.stores.journal.last_document(types=["refund"])
    assert refund is not None and refund.doc.total_due == 235
    ui.tap("dialog.ok")
    ui.app.home()
    ui.tap("menu.cash")
    ui.tap("cash.close_shift")
    ui.tap("dialog.yes")
    assert str(reg.shifts.state) == "closed"
    assert reg.stores.journal.last_document().type == "shift_close"


def test_a_refusal_from_the_register_is_shown_with_what_to_do(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    ui.tap("menu.cash")
    ui.tap("cash.cash_out")
    ui.type_digits("500")
    ui.tap("keypad.ok")
    assert ui.overlay() == "dialog"
    assert "Уменьшите сумму" in ui.app.overlays[-1].text
    assert reg.stores.journal.last_document().type == "shift_open"


def test_a_scanned_barcode_lands_on_the_receipt(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.app.queue.put(("scan", reg.stores.catalog.by_code("1").barcode))
    ui.app.step([])
    assert [ln.code for ln in reg.sale.receipt.lines] == ["1"]


def test_weighed_goods_take_the_stable_weight_from_the_scales(ui, sim):
    reg, hub = sim
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    hub.control("scale", "weight", "0.750")
    ui.tap("sale.weight")
    assert ui.text_of("weight.value").startswith("0.750")
    ui.tap("weigh.item.10")
    assert reg.sale.receipt.lines[0].qty == 750


def test_tapping_a_widget_that_is_not_shown_names_the_ones_that_are(ui):
    with pytest.raises(UiError, match="keypad.ok"):
        ui.tap("menu.sale")


def _tap_during_progress(ui, widget_id: str):
    """Post a real tap on `widget_id` from inside the blocking device call (as a finger would)."""
    import pygame
    done = []

    def hook(_text):
        if done:
            return
        w = ui.app.ui.widgets.get(widget_id)
        if w is not None:
            done.append(True)
            for t in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
                pygame.event.post(pygame.event.Event(t, pos=w.rect.center, button=1))
    ui.app.frame_hook = hook
    return done


def test_the_cashier_cancels_a_card_payment_that_waits_and_nothing_is_charged(ui, sim):
    reg, hub = sim
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.tap("sale.pay")
    ui.tap("pay.card")
    hub.control("card", "timeout")
    tapped = _tap_during_progress(ui, "progress.cancel")
    ui.tap("pay.ok")
    assert tapped
    assert ui.overlay() == "dialog" and "отменена" in ui.app.overlays[-1].text
    assert reg.stores.journal.last_document(types=["sale"]) is None and reg.sale.receipt.lines
    assert not reg.intents.paid_by(reg.sale.receipt.op_id)
    terminal = next(iter(hub.terminals.values()))
    assert not terminal._sales                         # no approved sale at the terminal: nothing was charged


def test_help_saves_service_information_for_support(ui, sim, tmp_path):
    reg = sim[0]
    unlock(ui)
    login(ui)
    ui.tap("header.help")
    assert ui.visible_screen() == "help"
    ui.tap("help.support")
    ui.tap("help.dir.1")                               # the data directory's export folder
    assert ui.overlay() == "dialog"
    assert list((reg.data_dir / "export").glob("zpos-support-*.zip"))


def test_with_the_sko_offline_the_engineer_reaches_diagnostics_from_the_pin_screen(ui, sim):
    reg, hub = sim
    ui.type_digits("1111")
    ui.tap("keypad.ok")
    assert ui.visible_screen() == "sko_pin"
    hub.control("sko", "offline")
    ui.type_digits("123456")
    ui.tap("keypad.ok")
    assert ui.overlay() == "dialog" and reg.session.state == "sko_pin"
    ui.tap("dialog.ok")
    ui.tap("login.diag")
    assert ui.visible_screen() == "diagnostics"
    sko = next(c for c in ui.app.screen.checks if c.id == "sko")
    assert not sko.ok and "СКО" in sko.detail
    assert next(c for c in ui.app.screen.checks if c.id == "printer").ok
    ui.tap("header.back")
    assert ui.visible_screen() == "sko_pin"


def test_self_service_by_taps_customer_scans_and_pays_cashier_ends_it(ui, sim):
    reg, hub = sim
    reg.stores.settings.save_parameters(reg.stores.params.__class__.from_dict({**reg.stores.params.to_dict(), "self_service_enabled": True}))
    cashier_in_open_shift(ui)
    ui.tap("menu.cash")
    ui.tap("cash.self_service")
    assert ui.visible_screen() == "self_service" and reg.session.state == "self_service"
    assert not ui.enabled("self.pay_card")
    ui.app.on_scan(reg.stores.catalog.by_code("2").barcode)        # as the scanner thread delivers it
    ui.app.refresh()
    assert ui.enabled("self.pay_card") and ui.text_of("self.total") == "2.49"
    ui.tap("self.pay_card")
    assert reg.stores.journal.last_document(types=["sale"]).doc.total_due == 249
    ui.tap("dialog.ok")
    ui.swipe("left")                                        # no side menu for customers
    assert ui.visible_screen() == "self_service"
    ui.tap("self.cashier")
    ui.type_digits("2580")
    ui.tap("keypad.ok")
    assert reg.session.state == "menu" and ui.visible_screen() == "menu"
