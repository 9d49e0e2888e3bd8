"""Every screen rendered headless with realistic data on simulated devices: what `zpos screenshots` runs.

One scripted working day is tapped through the real UI (lock, PIN, login, shift, sales,
payments, refund, reports, settings); at each screen of interest a PNG is written.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from qa.headless import HeadlessUI

PIN = "123456"
DEVICE_PASSWORD = "1111"
ADMIN_PASSWORD = "7395"
CASHIER, CASHIER_PASSWORD = "ivanova", "2580"


def make_register(data_dir: Path):
    """(register, hub) from the lead's bootstrap with its demo set-up (Belarusian shop, goods, users)."""
    from fsm.clock import SimClock
    from qa.rig import build_sim_register
    reg, hub = build_sim_register(data_dir, None, SimClock("2026-03-12T08:55:00+03:00"), sleep=lambda s: None)
    if reg.stores.users.get("novik") is None:
        reg.stores.users.add("novik", "Новик Т.В.", "cashier", "103", "1470", must_change_password=True)
    from dataclasses import replace
    for code in ("4", "5"):                      # a subcategory, for the sale screen's side menu
        item = reg.stores.catalog.by_code(code)
        reg.stores.catalog.update(replace(item, category="Молочные / Сыр и масло"))
    reg.stores.settings.save_parameters(replace(reg.stores.params, favourites=("2", "3", "1", "8", "6", "10")))
    # goods exchange: a file from the back office in the till's folder
    export = Path(data_dir) / "export"
    export.mkdir(parents=True, exist_ok=True)
    (export / "goods-1c.csv").write_text(
        "code;name;price;vat;category\n1;Хлеб «Нарочанский» нарезной 0,5 кг;1.95;10;Хлеб\n"
        "2;Молоко «Савушкин» 3,2% 1 л;2.55;10;Молочные\n3;Кефир «Бабушкина крынка» 2,5% 1 л;2.35;10;Молочные\n"
        "31;Ряженка «Савушкин» 4% 0,5 л;1.89;10;Молочные\n32;Сметана «Минская марка» 20% 350 г;3.15;10;Молочные\n",
        encoding="utf-8")
    return reg, hub


def _remote_target(reg) -> None:
    """A remote target an engineer set up (after the diagnostics shot: its check would wait on the network)."""
    from storage.targets import ExchangeSettings
    ExchangeSettings(str(reg.stores.data_dir)).put("ftp", {"target": "ftp://kassa:secret@192.0.2.10/zpos"})


class Shooter:
    def __init__(self, ui: HeadlessUI, out: Path, log: Callable[[str], None] | None = None,
                 check: Callable[[str, HeadlessUI], None] | None = None) -> None:
        self.ui, self.out, self.log, self.check = ui, Path(out), log or (lambda s: None), check
        self.names: list[str] = []
        self.customer: CustomerShots | None = None     # the customer's side (second screen, pole display)

    def __call__(self, name: str) -> None:
        self.ui.screenshot(self.out / f"{name}.png")
        if self.check:
            self.check(name, self.ui)
        self.names.append(name)
        self.log(name)

    def side(self, name: str, pole: bool = False) -> None:
        """The customer screen (and, with `pole`, the pole display) as the customer sees them now."""
        if self.customer is not None:
            self.customer.shoot(name, pole)

    def keys(self, digits: str, ok: bool = True) -> None:
        self.ui.type_digits(digits)
        if ok:
            self.ui.tap("keypad.ok")


def login(ui: HeadlessUI, login_: str, password: str) -> None:
    ui.tap(f"login.user.{login_}")
    ui.type_digits(password)
    ui.tap("keypad.ok")


SIZES = ((800, 480), (1024, 600), (1366, 768), (720, 1280))
LANGS = ("ru", "be", "en")


def render_set(out: Path, log: Callable[[str], None] | None = None) -> dict[str, list[str]]:
    """Every screen at every size and language: `out/<W>x<H>-<lang>/<screen>.png`."""
    done = {}
    for (w, h) in SIZES:
        for lang in LANGS:
            key = f"{w}x{h}-{lang}"
            done[key] = render_all(Path(out) / key, (w, h), lang)
            if log:
                log(f"{key}: {len(done[key])} screens")
    return done


def render_all(out: Path, size: tuple[int, int] = (1024, 600), lang: str = "ru",
               log: Callable[[str], None] | None = None,
               check: Callable[[str, HeadlessUI], None] | None = None) -> list[str]:
    """Write every screen to `out/<screen>.png`; returns the names written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zpos-shots-") as tmp:
        reg, hub = make_register(Path(tmp))
        try:
            ui = HeadlessUI(reg, size=size, lang=lang)
            try:
                shooter = Shooter(ui, out, log, check)
                shooter.customer = CustomerShots(reg, hub, shooter, size, lang)
                return _script(ui, hub, reg, shooter)
            finally:
                ui.close()
        finally:
            reg.close()
            reg.devices.close()
            hub.stop()


def _script(ui: HeadlessUI, hub, reg, shot: Shooter) -> list[str]:
    shot("lock")
    shot.keys(DEVICE_PASSWORD)
    shot.ui.type_digits("12")
    shot("sko_pin")
    ui.tap("keypad.clear")
    shot.keys(PIN)
    shot("login")
    ui.tap("login.diag")
    shot("diagnostics")
    ui.tap("header.back")
    login(ui, CASHIER, "1234")
    shot("login_error")
    ui.tap("dialog.retry")
    login(ui, "novik", "1470")
    ui.tap("password.field.1")
    ui.type_digits("1470")
    ui.tap("keypad.ok")
    ui.type_digits("25")
    shot("change_password")
    reg.session.logout()

    _remote_target(reg)

    # ----- the administrator: grey cash commands, settings, goods
    login(ui, "admin", ADMIN_PASSWORD)
    shot("menu_admin")
    ui.tap("menu.settings")
    shot("settings")
    ui.tap("settings.requisites")
    shot("requisites")
    ui.tap("header.back")
    ui.tap("settings.parameters")
    shot("parameters")
    ui.tap("param.accounting_mode")
    shot("parameters_confirm")
    ui.tap("dialog.no")
    ui.tap("header.back")
    ui.tap("settings.users")
    shot("users")
    ui.tap(f"users.user.{CASHIER}")
    shot("user_edit")
    ui.tap("header.back")
    ui.tap("header.back")
    ui.tap("settings.maintenance")
    shot("maintenance")
    ui.tap("maint.export")
    shot("maintenance_dirs")
    ui.tap("context.cancel")
    ui.tap("maint.clear")
    shot("maintenance_date")
    ui.tap("date.cancel")
    ui.app.home()
    ui.tap("menu.goods")
    shot("goods_list")
    first = next(w for w in ui.widget_ids() if w.startswith("goods.item."))
    ui.tap(first)
    shot("goods_edit")
    ui.tap("goods.field.name")
    shot("keyboard")
    ui.tap("kb.cancel")
    ui.tap("header.back")
    ui.tap("goods.exchange")
    shot("goods_exchange")
    ui.tap("exch.import")
    shot("goods_exchange_places")
    ui.tap("exch.place.1")
    shot("goods_exchange_files")
    ui.tap("exch.file.1")
    shot("goods_import_preview")
    ui.tap("exch.discard")
    ui.tap("exch.fmt.commerceml")
    shot("goods_exchange_commerceml")
    ui.tap("exch.fmt.cloudshop")
    shot("goods_exchange_cloudshop")
    ui.app.home()
    ui.tap("menu.logout")

    # ----- the cashier's day
    login(ui, CASHIER, CASHIER_PASSWORD)
    shot("menu_cashier")
    shot.side("welcome")
    if shot.customer:
        shot.customer.add_slides()
        shot.side("idle_slideshow")
    ui.tap("menu.sale")
    shot("menu_grey_reason")
    ui.tap("dialog.ok")
    ui.swipe("left")
    shot("side_menu")
    ui.tap("side.cash")
    ui.tap("cash.open_shift")
    ui.tap("dialog.ok")
    ui.tap("cash.cash_in")
    ui.type_digits("100")
    shot("cash_in")
    ui.tap("keypad.ok")
    shot("cash_in_done")
    ui.tap("dialog.ok")
    shot("cash")
    ui.app.home()
    ui.tap("menu.sale")
    shot("sale_favourites")
    ui.tap("sale.categories")
    shot("sale_side_menu")
    ui.tap(next(w for w in ui.widget_ids() if w.startswith("side.cat.") and "Молочные" in ui.text_of(w)))
    shot("sale_empty")
    for code in ("1", "2", "4", "8"):
        reg.sale.add_item(code)
    ui.app.refresh()
    ui.app.queue.put(("scan", reg.stores.catalog.by_code("6").barcode))
    ui.app.step([])
    hub.control("scale", "weight", "1.235")
    ui.tap("sale.weight")
    shot("sale_weight")
    ui.tap("weigh.item.10")
    ui.long_press(f"sale.line.{len(reg.sale.receipt.lines)}")
    shot("sale_long_press")
    ui.tap("line.discount_pct")
    ui.type_digits("10")
    ui.tap("keypad.ok")
    shot("sale_lines")
    shot.side("lines", pole=True)
    ui.tap("sale.code")
    ui.tap("code.3")
    shot("sale_code")
    ui.tap("code.clear")
    ui.tap("sale.code")
    ui.tap("sale.pay")
    shot("payment")
    ui.tap("pay.quick.50")
    shot("payment_change")
    shot.side("payment_change", pole=True)
    if shot.customer:
        shot.customer.later(10)
        shot.side("after_sale_slideshow")
    ui.tap("change.done")

    # card payment with the terminal's progress on screen
    reg.sale.add_item("5")
    reg.sale.add_item("9")
    ui.app.refresh()
    ui.tap("sale.pay")
    ui.tap("pay.card")
    taken: dict[str, bool] = {}

    def on_frame(text: str) -> None:
        if not taken.get("card"):
            taken["card"] = True
            shot("payment_card_progress")
    ui.app.frame_hook = on_frame
    ui.tap("pay.ok")
    ui.app.frame_hook = None
    if "change.done" in ui.widget_ids():
        ui.tap("change.done")
    # ОПЛАТИ with the QR while waiting
    reg.sale.add_item("7")
    ui.app.refresh()
    ui.tap("sale.pay")
    ui.tap("pay.oplati")
    hub.oplati.confirm_after = 0.8          # long enough for a frame with the QR (and the pole's text), even when busy

    def on_qr(text: str) -> None:
        if not taken.get("qr") and any(w == "progress.qr" for w in ui.app.ui.widgets):
            taken["qr"] = True
            shot("payment_oplati_qr")
        if shot.customer and not taken.get("customer_qr") and shot.customer.showing_qr():
            taken["customer_qr"] = True
            shot.side("oplati_qr", pole=True)
    ui.app.frame_hook = on_qr
    ui.tap("pay.ok")
    ui.app.frame_hook = None
    if "change.done" in ui.widget_ids():
        ui.tap("change.done")
    if "dialog.ok" in ui.widget_ids():
        ui.tap("dialog.ok")
    for codes in (("3", "13"), ("11", "12", "2")):
        for c in codes:
            reg.sale.add_item(c)
        reg.checkout.pay({"cash": "100.00"})
    ui.app.home()

    # ----- documents, refund, reports
    ui.tap("menu.receipts")
    shot("receipts_shifts")
    ui.tap(f"shift.{reg.shifts.number}")
    shot("receipts_list")
    sale = reg.stores.journal.last_document(types=["sale"])
    first_sale = next(e for e in reg.stores.journal.shift_documents(reg.shifts.number) if e.type == "sale")
    ui.app.go("receipt_detail", number=first_sale.number)
    ui.app.step([])
    shot("receipt_detail")
    ui.tap("detail.refund")
    ui.tap("refund.line.1")
    shot("refund")
    ui.tap("refund.ok")
    shot("refund_confirm")
    ui.tap("dialog.no")
    ui.app.home()
    ui.tap("menu.reports")
    shot("reports")
    ui.tap("reports.x")
    shot("report_preview")
    ui.tap("header.back")
    ui.tap("reports.period")
    shot("period_report")
    ui.tap("period.kind.payments")
    shot("period_report_payments")
    ui.tap("period.kind.turnover")
    shot("period_report_turnover")
    ui.tap("period.export")
    shot("period_report_places")
    ui.tap("context.cancel")
    ui.app.home()
    ui.tap("menu.cash")
    ui.tap("cash.cash_out")
    ui.type_digits("99999")
    ui.tap("keypad.ok")
    shot("error_dialog")
    ui.tap("dialog.ok")
    ui.app.go("help")
    shot("help")
    ui.app.go("about")
    shot("about")
    ui.app.go("device_info")
    shot("device_info")
    ui.app.home()
    from dataclasses import replace
    reg.stores.settings.save_parameters(replace(reg.stores.params, self_service_enabled=True))
    reg.session.start_self_service()
    ui.app.refresh()
    ui.app.step([])                      # the lifecycle moves the app to the self-service screen
    for code in ("7", "8"):
        ui.app.on_scan(reg.stores.catalog.by_code(code).barcode)
    ui.app.refresh()
    shot("self_service")
    reg.session.end_self_service("2580")
    del sale
    return shot.names


DEMO_SLIDES = (("01-kava.png", (120, 62, 30), (250, 214, 160), "Скидка 10% на каву", "кожны дзень з 8:00 да 11:00"),
               ("02-bread.png", (30, 90, 60), (235, 245, 220), "Свежая выпечка", "каждый день с 7:00"),
               ("03-card.png", (31, 58, 95), (255, 255, 255), "Карта покупателя", "5% на следующую покупку"))


class CustomerShots:
    """The customer's side of the working day: the second screen rendered headless at the cashier's size and
    language, following the till's feed, and the simulated pole display's two lines as a VFD picture."""

    def __init__(self, reg, hub, shot: Shooter, size: tuple[int, int], lang: str) -> None:
        from screens.customer_screen import CustomerScreen
        from screens.customer_slides import SlideShow
        self.reg, self.hub, self.shot, self.offset = reg, hub, shot, 0.0
        self.folder = Path(reg.data_dir) / reg.stores.params.customer_slides_dir
        req = reg.stores.settings.requisites()
        self.screen = CustomerScreen(size, lang, SlideShow(lambda: self.folder), shop=lambda: req.shop_name or req.org_name,
                                     clock=lambda: time.monotonic() + self.offset)
        reg.customer.add_listener(self.screen)

    def showing_qr(self) -> bool:
        return self.screen.view.qr is not None

    def later(self, seconds: float) -> None:
        """Move the customer screen's clock on (the change's hold, the slides' time)."""
        self.offset += seconds

    def add_slides(self) -> None:
        """The shop's demo images in the slides folder (made here: the repository holds no pictures)."""
        import pygame

        from screens.theme import font
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, bg, fg, title, sub in DEMO_SLIDES:
            surf = pygame.Surface((1280, 720))
            for y in range(720):                      # a vertical gradient, darker at the bottom
                k = 1 - 0.45 * y / 720
                surf.fill(tuple(int(c * k) for c in bg), (0, y, 1280, 1))
            pygame.draw.circle(surf, tuple(min(255, c + 40) for c in bg), (1080, 160), 260)
            big, small = font("noto_sans", True, 96), font("noto_sans", False, 48)
            surf.blit(big.render(title, True, fg), (80, 380))
            surf.blit(small.render(sub, True, fg), (84, 520))
            pygame.image.save(surf, str(self.folder / name))
        self.screen.slides.restart()          # shown at once, not when the empty folder is next looked at

    def shoot(self, name: str, pole: bool = False) -> None:
        self.screen.save(self.shot.out / f"customer_{name}.png")
        self.shot.names.append(f"customer_{name}")
        self.shot.log(f"customer_{name}")
        if pole and self.hub.display is not None:
            self._settle_pole()
            self.hub.display.render_png(self.shot.out / f"pole_{name}.png")
            self.shot.names.append(f"pole_{name}")
            self.shot.log(f"pole_{name}")

    def _settle_pole(self, quiet_s: float = 0.15, timeout_s: float = 3.0) -> None:
        """The pole display's bytes travel over a pty: wait until its text has stopped changing."""
        end = time.monotonic() + timeout_s
        last, since = self.hub.display.lines(), time.monotonic()
        while time.monotonic() < end:
            time.sleep(0.02)
            now = self.hub.display.lines()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
