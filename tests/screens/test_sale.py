"""The sale screen by taps: merged lines and the stepper, discounts on the line, the code keypad and the keyboard,
weighed goods that wait for the scales, favourites and subcategories, the pay button."""
from __future__ import annotations

from dataclasses import replace

import pygame
from ui_steps import cashier_in_open_shift

from screens.sale_view import qty_text


def _on_sale(ui):
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")


def test_the_same_goods_tapped_again_join_their_line_and_the_stepper_changes_it(ui, sim):
    reg = sim[0]
    _on_sale(ui)
    ui.tap("sale.item.2")
    ui.tap("sale.item.3")
    ui.tap("sale.item.2")
    assert [(ln.code, ln.qty) for ln in reg.sale.receipt.lines] == [("2", 2000), ("3", 1000)]
    assert ui.app.screen.selected == 1                       # the line that grew is the selected one
    ui.tap("sale.qty_plus")
    assert reg.sale.receipt.lines[0].qty == 3000
    assert ui.text_of("sale.line.1.aside2") == "3 шт × 2.49"
    ui.tap("sale.qty_minus")
    ui.tap("sale.qty_minus")
    assert reg.sale.receipt.lines[0].qty == 1000
    assert not ui.enabled("sale.qty_minus")                  # one is the least; removing is «Удалить»
    ui.tap("sale.qty_minus")
    assert ui.overlay() == "dialog" and reg.sale.receipt.lines[0].qty == 1000


def test_with_merging_turned_off_the_same_goods_make_a_new_line(ui, sim):
    reg = sim[0]
    reg.stores.settings.save_parameters(replace(reg.stores.params, merge_lines=False))
    _on_sale(ui)
    ui.tap("sale.item.2")
    ui.tap("sale.item.2")
    assert [ln.qty for ln in reg.sale.receipt.lines] == [1000, 1000]


def test_a_line_discount_is_shown_on_the_line_with_the_new_sum(ui, sim):
    _on_sale(ui)
    ui.tap("sale.item.4")                                    # Сыр 6.79
    ui.long_press("sale.line.1")
    ui.tap("line.discount_pct")
    ui.type_digits("10")
    ui.tap("keypad.ok")
    assert ui.text_of("sale.line.1.aside1") == "6.11"
    assert "10%" in ui.text_of("sale.line.1.sub") and "0.68" in ui.text_of("sale.line.1.sub")
    assert ui.text_of("sale.pay").endswith("6.11")           # the total is on the pay button


def test_pay_is_grey_on_an_empty_receipt_and_a_tap_says_why(ui, sim):
    _on_sale(ui)
    assert not ui.enabled("sale.pay")
    ui.tap("sale.pay")
    assert ui.visible_screen() == "sale" and ui.overlay() == "dialog"


def test_the_code_keypad_adds_goods_by_code_with_a_quantity_in_as_many_taps_as_a_keyboard(ui, sim):
    reg = sim[0]
    _on_sale(ui)
    ui.tap("sale.code")
    for key in ("3", "times", "8", "ok"):                    # 3 × item 8
        ui.tap(f"code.{key}")
    assert [(ln.code, ln.qty) for ln in reg.sale.receipt.lines] == [("8", 3000)]
    ui.tap("code.1")
    ui.tap("code.ok")                                         # still in code mode: the next code at once
    assert [ln.code for ln in reg.sale.receipt.lines] == ["8", "1"]


def test_a_code_typed_on_a_keyboard_with_a_star_sets_the_quantity(ui, sim):
    reg = sim[0]
    _on_sale(ui)
    keys = [("2", pygame.K_2), ("*", pygame.K_KP_MULTIPLY), ("7", pygame.K_7), ("\r", pygame.K_RETURN)]
    ui.app.step([pygame.event.Event(pygame.KEYDOWN, unicode=u, key=k, mod=0) for u, k in keys])
    ui.app.step([])
    assert [(ln.code, ln.qty) for ln in reg.sale.receipt.lines] == [("7", 2000)]


def test_a_weighed_tile_waits_for_a_stable_weight_and_cancel_drops_it(ui, sim):
    reg, hub = sim
    _on_sale(ui)
    hub.control("scale", "unstable")
    ui.tap("side.toggle")
    ui.tap(next(w for w in ui.widget_ids() if w.startswith("side.cat.") and "Фрукты" in ui.text_of(w)))
    ui.tap("sale.item.10")
    assert ui.overlay() == "weight" and not reg.sale.receipt.lines
    assert ui.text_of("weight.status").startswith("Ждём")    # says what it waits for, the loop keeps running
    ui.tap("weight.cancel")
    assert ui.overlay() is None and not reg.sale.receipt.lines
    hub.control("scale", "weight", "1.235")
    ui.tap("sale.item.10")
    assert [(ln.code, ln.qty) for ln in reg.sale.receipt.lines] == [("10", 1235)]
    assert ui.text_of("sale.line.1.aside2") == "1,235 кг × 2.99"


def test_the_favourites_page_comes_first_in_the_administrators_order(ui, sim):
    reg = sim[0]
    reg.stores.settings.save_parameters(replace(reg.stores.params, favourites=("8", "2")))
    _on_sale(ui)
    tiles = [w for w in ui.widget_ids() if w.startswith("sale.item.")]
    assert tiles == ["sale.item.8", "sale.item.2"]
    assert ui.text_of("sale.category") == "Избранное"


def test_subcategories_are_listed_under_their_parent_in_the_side_menu(ui, sim):
    reg = sim[0]
    item = reg.stores.catalog.by_code("4")
    reg.stores.catalog.update(replace(item, category="Молочные / Сыры"))
    _on_sale(ui)
    ui.tap("sale.categories")
    names = [ui.text_of(w) for w in ui.widget_ids() if w.startswith("side.cat.")]
    assert names.index("Молочные") + 1 == names.index("    › Сыры")
    ui.tap(next(w for w in ui.widget_ids() if w.startswith("side.cat.") and ui.text_of(w) == "Молочные"))
    assert "sale.item.4" in ui.widget_ids()                   # the parent shows its subcategories' goods too


def test_a_sideways_drag_in_the_middle_of_the_screen_is_not_a_swipe(ui, sim):
    _on_sale(ui)
    w, h = ui.app.size
    for t, pos in ((pygame.MOUSEBUTTONDOWN, (w // 2, h // 2)), (pygame.MOUSEBUTTONUP, (w - 20, h // 2))):
        ui.app.step([pygame.event.Event(t, pos=pos, button=1)])
    assert not ui.app.side_open()
    ui.swipe("left")
    assert ui.app.side_open()


def test_quantities_carry_their_unit_and_the_languages_decimal_sign():
    t = {"ui.unit.decimal": ",", "ui.unit.kg": "кг", "ui.unit.pcs": "шт"}.get
    assert qty_text(t, 1000, False) == "1 шт"
    assert qty_text(t, 1500, False) == "1,5 шт"
    assert qty_text(t, 1235, True) == "1,235 кг"


def test_a_scan_on_the_change_screen_starts_the_next_receipt_without_growing_the_stack(ui, sim):
    reg = sim[0]
    _on_sale(ui)
    code = reg.stores.catalog.by_code("2").barcode
    for _ in range(3):
        ui.app.queue.put(("scan", code))
        ui.app.step([])
        ui.tap("sale.pay")
        ui.tap("pay.quick.exact")                           # a scanned sale: scan, ОПЛАТА, «Без сдачи»
        assert ui.visible_screen() == "change"
    ui.app.queue.put(("scan", code))
    ui.app.step([])
    assert [s.id for s in ui.app.stack] == ["menu", "sale"] and len(reg.sale.receipt.lines) == 1
