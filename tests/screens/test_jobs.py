"""Device waits in a worker: the loop keeps drawing, only «Отмена» can be tapped, results come back on the UI thread."""
from __future__ import annotations

import threading

from ui_steps import cashier_in_open_shift


def _to_payment(ui, *codes):
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    for c in codes:
        ui.tap(f"sale.item.{c}")
    ui.tap("sale.pay")


def test_a_card_payment_runs_in_a_worker_while_the_screen_under_it_is_frozen(ui, sim):
    reg, hub = sim
    _to_payment(ui, "2")
    ui.tap("pay.card")
    seen: list = []
    real_pay = reg.checkout.pay

    def pay(*a, **kw):
        seen.append(threading.current_thread().name)
        return real_pay(*a, **kw)
    reg.checkout.pay = pay

    def frame(_text):
        seen.append(sorted(ui.widget_ids()))
    ui.app.frame_hook = frame
    ui.tap("pay.ok")
    ui.app.frame_hook = None
    assert seen[0] == "ui-job"                                   # not the UI thread
    frames = [s for s in seen[1:] if isinstance(s, list)]
    assert frames and all(set(ids) <= {"progress.cancel"} for ids in frames)   # nothing under the sheet is live
    assert ui.visible_screen() == "change"
    assert ui.text_of("change.value") == "Оплачено — сдачи нет"           # a card payment shows no «Сдача 0.00»


def test_a_refused_card_payment_keeps_the_cash_part_already_entered(ui, sim):
    reg, hub = sim
    _to_payment(ui, "4")                                         # 6.79
    ui.type_digits("5")
    ui.tap("pay.add")                                            # 5.00 cash, the rest by card
    ui.tap("pay.card")
    hub.control("card", "decline")
    ui.tap("pay.ok")
    assert ui.overlay() == "dialog"
    ui.tap("dialog.ok")
    assert ui.app.screen.tenders == [("cash", 500)]
    assert ui.text_of("pay.remaining") == "1.79"
    assert reg.stores.journal.last_document(types=["sale"]) is None


def test_the_change_is_previewed_while_the_amount_is_typed(ui, sim):
    _to_payment(ui, "2")                                         # 2.49
    ui.type_digits("5")
    assert ui.text_of("pay.preview") == "Сдача: 2.51"
    assert ui.text_of("pay.ok") == "Оплатить 5.00"
    assert "keypad.ok" not in ui.widget_ids()                    # one confirm button


def test_closing_the_shift_with_an_open_receipt_names_the_receipt_not_a_terminal(ui, sim):
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.app.go("cash")
    ui.tap("cash.close_shift")
    ui.tap("dialog.yes")
    text = ui.app.overlays[-1].text
    assert "чек" in text.lower() and "терминал" not in text.lower()


def test_x_report_and_cash_in_say_they_are_done(ui, sim):
    cashier_in_open_shift(ui)
    ui.tap("menu.cash")
    assert not ui.enabled("cash.reprint")                        # nothing to reprint
    ui.tap("cash.x_report")
    assert ui.overlay() == "dialog" and "X" in ui.app.overlays[-1].text
    ui.tap("dialog.ok")
    ui.tap("cash.cash_in")
    ui.type_digits("10")
    ui.tap("keypad.ok")
    assert "10.00" in ui.app.overlays[-1].text


def test_switching_the_accounting_mode_asks_first(ui, sim):
    from ui_steps import login, unlock
    reg = sim[0]
    unlock(ui)
    login(ui, "admin", "7395")
    ui.tap("menu.settings")
    ui.tap("settings.parameters")
    ui.tap("param.accounting_mode")
    assert ui.overlay() == "dialog" and reg.admin.params.accounting_mode == "differentiated"
    ui.tap("dialog.yes")
    assert reg.admin.params.accounting_mode == "sum"
