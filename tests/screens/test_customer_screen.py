"""The customer screen, headless: what the customer sees during a sale, a payment, ОПЛАТИ and between customers."""
from __future__ import annotations

import logging
from pathlib import Path

import pygame
import pytest

from screens.customer_screen import CustomerScreen, open_customer_window
from screens.customer_slides import SlideShow
from tests.screens.ui_steps import cashier_in_open_shift


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def picture(path: Path, colour=(200, 40, 40), size=(320, 200)) -> Path:
    surf = pygame.Surface(size)
    surf.fill(colour)
    pygame.image.save(surf, str(path))
    return path


@pytest.fixture
def customer(ui, sim):
    """The customer screen following the till's feed, with a fake clock and the data dir's slides folder."""
    reg = sim[0]
    folder = reg.data_dir / reg.stores.params.customer_slides_dir
    folder.mkdir(parents=True, exist_ok=True)
    clock = Clock()
    screen = CustomerScreen((1024, 600), "ru", SlideShow(lambda: folder), shop=lambda: "Тест", clock=clock)
    reg.customer.add_listener(screen)
    screen.clock_ = clock
    screen.folder = folder
    return screen


def test_a_sale_shows_its_lines_and_the_total_to_the_customer(ui, sim, customer):
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")                 # Молоко 2.49
    ui.tap("sale.item.2")
    ui.tap("sale.item.3")                 # Кефир 2.35
    assert customer.state == "sale"
    names = [ln.name for ln in sim[0].sale.receipt.lines]
    assert customer.text_of("cust.line.1.name") == names[0]
    assert customer.text_of("cust.line.1.qty") == "× 2"
    assert customer.text_of("cust.line.1.sum") == "4.98"
    assert customer.text_of("cust.line.2.name") == names[1]
    assert customer.text_of("cust.line.2.qty") == ""
    assert customer.text_of("cust.total") == "7.33 руб."


def test_a_cash_payment_shows_the_change_and_after_the_hold_the_slideshow(ui, sim, customer):
    picture(customer.folder / "01-summer.png")
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    ui.tap("sale.item.2")
    ui.tap("sale.item.3")
    ui.tap("sale.pay")
    ui.tap("pay.quick.10")
    assert ui.visible_screen() == "change"
    assert customer.state == "paid"
    assert customer.text_of("cust.total") == "7.33 руб."
    assert customer.text_of("cust.paid") == "10.00 руб."
    assert customer.text_of("cust.change") == "2.67 руб."
    assert "cust.slide" not in customer.widget_ids()          # no ad over the change
    customer.clock_.now += 7.9
    assert customer.state == "paid" and customer.text_of("cust.change") == "2.67 руб."
    customer.clock_.now += 0.2
    assert customer.state == "idle"
    assert customer.text_of("cust.slide") == "01-summer.png"
    assert "cust.change" not in customer.widget_ids()


def test_the_next_sale_takes_the_screen_back_from_the_slideshow(ui, sim, customer):
    picture(customer.folder / "a.png")
    cashier_in_open_shift(ui)
    assert customer.text_of("cust.slide") == "a.png"
    ui.tap("menu.sale")
    ui.tap("sale.item.3")
    assert customer.state == "sale" and "cust.slide" not in customer.widget_ids()
    assert customer.text_of("cust.total") == "2.35 руб."


def test_an_image_that_does_not_load_is_skipped_with_a_log_line(ui, sim, customer, caplog):
    (customer.folder / "00-broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    (customer.folder / "01-text.png").write_text("hello")
    (customer.folder / "notes.txt").write_text("not an image")
    picture(customer.folder / "02-good.png")
    caplog.set_level(logging.WARNING, logger="zpos.customer")
    cashier_in_open_shift(ui)
    assert customer.state == "idle"
    assert customer.text_of("cust.slide") == "02-good.png"
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert any("00-broken.jpg" in m for m in skipped) and any("01-text.png" in m for m in skipped)
    assert customer.slides.skipped == ["00-broken.jpg", "01-text.png"]


def test_an_idle_till_without_images_shows_the_welcome_not_a_blank_screen(ui, sim, customer):
    cashier_in_open_shift(ui)
    assert customer.state == "idle"
    assert customer.text_of("cust.welcome") == "Добро пожаловать!"
    assert customer.text_of("cust.shop") == "Тест"


def test_the_oplati_qr_is_shown_to_the_customer_while_the_payment_waits(ui, sim, customer):
    reg, hub = sim
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.3")
    ui.tap("sale.pay")
    ui.tap("pay.oplati")
    hub.options.oplati_confirm_after = 0.6
    seen: list[tuple[str, str, str]] = []

    def on_frame(text: str) -> None:
        if "cust.qr" in customer.widget_ids() and not seen:
            seen.append((customer.state, customer.text_of("cust.qr"), customer.text_of("cust.due")))
    ui.app.frame_hook = on_frame
    ui.tap("pay.ok")
    ui.app.frame_hook = None
    assert seen, "the customer screen never showed the QR"
    state, qr, due = seen[0]
    assert state == "payment" and qr.startswith("http") and due == "2.35 руб."
    assert customer.state == "paid" and "cust.qr" not in customer.widget_ids()


def test_a_screen_attached_during_a_sale_starts_from_what_is_shown(ui, sim):
    reg = sim[0]
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.3")
    late = CustomerScreen((800, 480), "ru")
    reg.customer.add_listener(late)
    assert late.state == "sale" and late.text_of("cust.total") == "2.35 руб."


@pytest.mark.parametrize("size", [(800, 480), (1024, 600), (1366, 768), (720, 1280)])
def test_the_amounts_fit_uncut_at_every_size(ui, size):
    class Line:
        def __init__(self, n: int) -> None:
            self.name, self.qty, self.amount = f"Товар с длинным названием номер {n} весовой", 1235, 99_999_99
    screen = CustomerScreen(size, "be")
    screen.show_sale([Line(n) for n in range(40)], 999_999_99)
    screen.render()
    assert not screen.ui.widgets["cust.total"].cut
    assert screen.text_of("cust.more").startswith("… і яшчэ")
    screen.show_payment(999_999_99, 1_000_000_00, 1)
    screen.render()
    for wid in ("cust.due", "cust.paid", "cust.change"):
        assert not screen.ui.widgets[wid].cut, wid
    rects = [screen.ui.widgets[w].rect for w in ("cust.due", "cust.paid", "cust.change")]
    assert all(pygame.Rect(0, 0, *size).contains(r) for r in rects)
    screen.show_paid(999_999_99, 1_000_000_00, 1)
    assert screen.text_of("cust.change") == "0.01 руб." and not screen.ui.widgets["cust.change"].cut
    card = [w for w in screen.ui.order if w.kind == "panel"][-1].rect
    assert all(card.contains(screen.ui.widgets[w].rect) for w in ("cust.thanks", "cust.total", "cust.change"))


def test_a_brightness_outside_one_to_four_is_refused(ui):
    screen = CustomerScreen((800, 480))
    screen.set_brightness(2)
    assert screen.render().get_at((400, 240))[0] < 247
    with pytest.raises(ValueError, match="brightness 5"):
        screen.set_brightness(5)


def test_a_second_display_that_is_not_connected_is_logged_once_and_no_window_opens(ui, caplog):
    caplog.set_level(logging.WARNING, logger="zpos.customer")
    assert open_customer_window(3, fullscreen=True) is None
    assert [r.getMessage() for r in caplog.records] == [
        "customer screen: not shown: display 3 is not connected (SDL sees 1 display)"]


def test_the_customer_window_shows_the_rendered_screen_and_keeps_its_events(ui):
    win = open_customer_window(0, fullscreen=False, windowed_size=(640, 400))
    assert win is not None
    try:
        win.screen.show_payment(500, 1000, 500)
        win.frame()
        assert win.window.get_surface().get_size() == (640, 400)
        assert win.window.get_surface().get_at((5, 5)) == win.screen.surface.get_at((5, 5))
        win.window.get_surface().fill((255, 0, 0))
        win.frame()
        assert win.window.get_surface().get_at((5, 5)) == (255, 0, 0)      # nothing new: not drawn again
        win.screen.show_payment(500, 2000, 1500)
        win.frame()
        assert win.window.get_surface().get_at((5, 5)) == win.screen.surface.get_at((5, 5))
        assert win.owns(pygame.event.Event(pygame.WINDOWCLOSE, window=win.window))
        assert not win.owns(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(1, 1), button=1))
    finally:
        win.close()


def test_zpos_run_opens_the_customer_window_when_the_config_asks_for_a_screen(ui, sim, caplog):
    from zpos.commands.run import open_customer_screen
    from zpos.config import DisplayConfig
    reg = sim[0]
    assert open_customer_screen(ui.app, reg, None, False) is None
    assert open_customer_screen(ui.app, reg, DisplayConfig(kind="pole", url="/dev/null"), False) is None
    caplog.set_level(logging.WARNING, logger="zpos.customer")
    assert open_customer_screen(ui.app, reg, DisplayConfig(kind="screen", screen=1), True) is None
    assert len(caplog.records) == 1 and "display 1 is not connected" in caplog.records[0].getMessage()
    assert ui.app.foreign is None
    win = open_customer_screen(ui.app, reg, DisplayConfig(kind="screen", screen=0), False)
    try:
        assert win is not None and ui.app.foreign == win.owns
        cashier_in_open_shift(ui)
        ui.tap("menu.sale")
        ui.tap("sale.item.3")
        win.frame()
        assert win.screen.text_of("cust.total") == "2.35 руб."
        assert win.screen.text_of("cust.shop") == reg.stores.settings.requisites().shop_name \
            or reg.stores.settings.requisites().org_name
        ui.app.step([pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(5, 5), button=1, window=win.window)])
        assert ui.app._down is None                       # a touch on the customer's window is not the cashier's
    finally:
        win.close()
