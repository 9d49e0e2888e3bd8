"""The customer screen: a second monitor showing the receipt lines, the total, the payment and change, the ОПЛАТИ QR, ads when idle.

It follows the till's customer feed (`fsm.customer.CustomerView`) like the pole display does:
the feed may come from any thread (a payment runs in a worker), so the `show_*` calls only
record what to show, and `render()` draws it on the UI thread with the same widget layer
the cashier's screens use (every text has a widget id; tests read it with `text_of`). States
follow loyalty-courier-display.md §3.3.2 A-6: `idle` → the slideshow (or the welcome text
when there is no image: never blank), `sale` → the lines and the total, `payment` → the amount
due, what was paid and the change (or the ОПЛАТИ QR), `paid` → the change, held
`PAID_HOLD_S` before the slideshow returns. A slide is shown only in `idle`, so an ad never
covers the amount due or the change.

`CustomerWindow` puts the rendered surface in a `pygame.Window` on another SDL display;
headless (tests, `zpos screenshots`) the same `render()` draws off-screen.
"""
from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pygame
import pygame_gui

import texts
from fiscal.money import format_money, format_qty
from screens.base import split_h, split_v, take_bottom, take_top
from screens.customer_slides import SlideShow
from screens.qr import qr_surface
from screens.theme import Theme, line_height, smaller_sizes
from screens.widgets import Ui

log = logging.getLogger("zpos.customer")

REDRAW_S = 1.0              # an unchanged customer screen is still redrawn this often (a window uncovered, a monitor on)
PAID_HOLD_S = 8.0            # A-6 after_payment_hold_s: the change stays this long before the ads come back
BACKGROUND = (247, 248, 250)
SLIDE_BACKGROUND = (0, 0, 0)

# style: (colour, size at 600 px, bold, alignment) — bigger than the cashier's: read from the other side of the counter
STYLES = {
    "cust_head": ("#FFFFFF", 26, True, "left"),
    "cust_line": ("#1B2430", 24, False, "left"),
    "cust_qty": ("#4E5A68", 20, False, "right"),
    "cust_sum": ("#1B2430", 24, True, "right"),
    "cust_label": ("#4E5A68", 24, False, "left"),
    "cust_amount": ("#1B2430", 32, True, "right"),
    "cust_total": ("#1B2430", 52, True, "right"),
    "cust_change": ("#1E6B2A", 60, True, "right"),
    "cust_welcome": ("#1F3A5F", 48, True, "center"),
    "cust_hint": ("#4E5A68", 22, False, "center"),
}


UNSHRUNK = ("cust_line",)    # receipt lines keep one size, a long name is cut with «…» (rows of mixed sizes read badly)


class CustomerTheme(Theme):
    """The cashier's theme plus the customer screen's big text styles (with their smaller variants)."""

    def __init__(self, size: tuple[int, int]) -> None:
        super().__init__(size)
        for name, (colour, base, bold, align) in STYLES.items():
            px = self.px(base)
            block = {"colours": {"normal_text": colour}, "misc": {"text_horiz_alignment": align},
                     "font": {"name": "noto_sans", "size": str(px), "bold": "1" if bold else "0"}}
            self.data[f"@{name}"] = block
            self.fonts[f"@{name}"] = ("noto_sans", bold, px)
            names = []
            for i, small in enumerate(smaller_sizes(px), start=1):
                variant = copy.deepcopy(block)
                variant["font"]["size"] = str(small)
                self.data[f"@{name}~{i}"] = variant
                self.fonts[f"@{name}~{i}"] = ("noto_sans", bold, small)
                names.append(f"{name}~{i}")
            self.variants[name] = [] if name in UNSHRUNK else names


@dataclass(frozen=True)
class Line:
    name: str
    qty: int          # thousandths
    amount: int       # kopecks


@dataclass(frozen=True)
class View:
    """What the customer is shown now."""

    kind: str = "idle"                 # idle | sale | payment | paid | text
    lines: tuple[Line, ...] = ()
    total: int = 0
    due: int = 0
    paid: int = 0
    change: int = 0
    qr: str | None = None
    text: str = ""                     # idle: the shop's text; text: the upper line
    lower: str = ""
    since: float = 0.0                 # when `paid` began (the hold counts from it)


class CustomerScreen:
    """A CustomerDisplay drawn with pygame: `show_*` from any thread, `render()` on the UI thread."""

    def __init__(self, size: tuple[int, int] = (1024, 600), lang: str = "ru", slides: SlideShow | None = None,
                 shop: Callable[[], str] = lambda: "", clock: Callable[[], float] = time.monotonic,
                 hold_s: float = PAID_HOLD_S) -> None:
        self.size = (int(size[0]), int(size[1]))
        self.lang = lang
        self.slides = slides
        self.shop = shop
        self.clock = clock
        self.hold_s = hold_s
        self.brightness = 4
        if not pygame.font.get_init():            # pygame_gui loads its fonts through pygame.font
            pygame.font.init()
        self.surface = pygame.Surface(self.size)
        self.theme = CustomerTheme(self.size)
        self.manager = pygame_gui.UIManager(self.size, self.theme.data, enable_live_theme_updates=False)
        self.ui = Ui(self.manager, self.theme)
        self._lock = threading.Lock()
        self._view = View()
        self._built: tuple | None = None
        self._last_frame = clock()
        self._scaled: tuple[tuple, pygame.Surface] | None = None
        self.closed = False

    # ----- the CustomerDisplay feed (any thread) -------------------------------------------------
    def _set(self, view: View) -> None:
        with self._lock:
            was = self._view.kind
            self._view = view
        if view.kind == "idle" and was != "idle" and self.slides is not None:
            self.slides.restart()

    def show_sale(self, lines: Sequence, total: int) -> None:
        self._set(View("sale", tuple(Line(ln.name, ln.qty, ln.amount) for ln in lines), total))

    def show_total(self, total: int) -> None:
        with self._lock:
            lines = self._view.lines
        self._set(View("sale", lines, total))

    def show_payment(self, due: int, paid: int = 0, change: int = 0, qr: str | None = None) -> None:
        with self._lock:
            lines, total = self._view.lines, self._view.total or due
        self._set(View("payment", lines, total, due, paid, change, qr))

    def show_paid(self, due: int, paid: int = 0, change: int = 0) -> None:
        """The registered sale: the change stays on screen for `hold_s`, then the slideshow."""
        self._set(View("paid", (), due, due, paid, change, since=self.clock()))

    def show_idle(self, text: str = "") -> None:
        self._set(View("idle", text=text))

    def show_text(self, upper: str, lower: str = "") -> None:
        self._set(View("text", text=upper, lower=lower))

    def clear(self) -> None:
        self.show_idle("")

    def set_brightness(self, level: int) -> None:
        """1 (dim) … 4 (full): the picture is darkened, as a VFD's brightness would be."""
        if type(level) is not int or not 1 <= level <= 4:
            raise ValueError(f"customer screen: brightness {level!r} is not 1…4")
        self.brightness = level

    def close(self) -> None:
        self.closed = True

    # ----- what is shown (UI thread) -------------------------------------------------------------
    @property
    def view(self) -> View:
        """The view as it is now: a `paid` view older than the hold has become `idle`."""
        with self._lock:
            v = self._view
            if v.kind == "paid" and self.clock() - v.since >= self.hold_s:
                v = self._view = View("idle")
                if self.slides is not None:
                    self.slides.restart()
        return v

    @property
    def state(self) -> str:
        return self.view.kind

    def t(self, key: str, **kw: object) -> str:
        return texts.t(key, self.lang, **kw)

    def money(self, kopecks: int) -> str:
        return self.t("customer.money", sum=format_money(kopecks))

    def _now_showing(self) -> tuple[View, object, tuple]:
        view = self.view
        slide = self.slides.current(self.clock()) if view.kind == "idle" and self.slides is not None else None
        return view, slide, (view, slide.name if slide else None, id(slide.picture) if slide else None, self.lang,
                             self.brightness)

    def stale(self) -> bool:
        """Whether what should be shown differs from the last `render()` (a window redraws only then)."""
        return self._now_showing()[2] != self._built

    def render(self) -> pygame.Surface:
        """Draw the current view into `surface` (rebuilding the widgets only when it changed) and return it."""
        view, slide, key = self._now_showing()
        if key != self._built:
            self._build(view, slide)
            self._built = key
        now = self.clock()
        self.manager.update(max(0.0, min(0.1, now - self._last_frame)))
        self._last_frame = now
        self.surface.fill(SLIDE_BACKGROUND if slide else BACKGROUND)
        self.manager.draw_ui(self.surface)
        if self.brightness < 4:
            veil = pygame.Surface(self.size, pygame.SRCALPHA)
            veil.fill((0, 0, 0, (4 - self.brightness) * 50))
            self.surface.blit(veil, (0, 0))
        return self.surface

    def save(self, path: str | Path) -> Path:
        """A PNG of what the customer sees now."""
        pygame.image.save(self.render(), str(path))
        return Path(path)

    def widget_ids(self) -> list[str]:
        self.render()
        return [w.id for w in self.ui.order if not w.id.startswith("_")]

    def text_of(self, widget_id: str) -> str:
        self.render()
        return self.ui.widgets[widget_id].text

    # ----- building ------------------------------------------------------------------------------
    @property
    def pad(self) -> int:
        return self.theme.px(16)

    def _build(self, view: View, slide) -> None:
        ui = self.ui
        ui.reset()
        full = pygame.Rect(0, 0, *self.size)
        if slide is not None:
            self._slide(ui, full, slide)
        else:
            body = self._header(ui, full)
            if view.kind == "sale":
                self._sale(ui, body, view)
            elif view.kind == "payment":
                self._sale(ui, body, view)
            elif view.kind == "paid":
                self._paid(ui, body, view)
            elif view.kind == "text":
                self._welcome(ui, body, view.text, view.lower)
            else:
                self._welcome(ui, body, view.text or self.t("customer.welcome"), self.shop())
        ui.finish()

    def _header(self, ui: Ui, area: pygame.Rect) -> pygame.Rect:
        h = line_height(self.theme.font_of("cust_head", "label")) + 2 * self.theme.px(10)
        head, rest = take_top(area, h, 0)
        ui.panel(head, "header")
        ui.label(head.inflate(-2 * self.pad, 0), self.shop() or "zPOS", "cust_head", wid="cust.shop")
        return rest.inflate(-2 * self.pad, -2 * self.pad)

    def _slide(self, ui: Ui, area: pygame.Rect, slide) -> None:
        """The image as large as it fits, centred, its proportions kept (black bars where they differ)."""
        pic = slide.picture
        k = min(area.width / pic.get_width(), area.height / pic.get_height())
        size = (max(1, int(pic.get_width() * k)), max(1, int(pic.get_height() * k)))
        cache_key = (slide.name, id(pic), size)
        if self._scaled is None or self._scaled[0] != cache_key:
            self._scaled = (cache_key, pygame.transform.smoothscale(pic.convert(), size))
        rect = pygame.Rect(0, 0, *size)
        rect.center = area.center
        w = ui.image(rect, self._scaled[1], wid="cust.slide")
        w.text = slide.name

    def _split(self, body: pygame.Rect) -> tuple[pygame.Rect, pygame.Rect]:
        """(the lines, the amounts): side by side on a wide screen, one above the other on a tall one."""
        if body.width >= body.height:
            left, right = split_h(body, [0.62, 0], self.pad)
            return left, right
        top, bottom = split_v(body, [0.55, 0], self.pad)
        return top, bottom

    def _sale(self, ui: Ui, body: pygame.Rect, view: View) -> None:
        lines_area, amounts = self._split(body)
        self._lines(ui, lines_area, view.lines)
        ui.panel(amounts, "card")
        inner = amounts.inflate(-2 * self.pad, -2 * self.pad)
        if view.kind == "payment" and view.qr:
            self._qr(ui, inner, view)
            return
        rows: list[tuple[str, str, str, str]] = []
        if view.kind == "sale":
            rows.append(("total", self.t("customer.total"), self.money(view.total), "cust_total"))
        else:
            rows.append(("due", self.t("customer.due"), self.money(view.due), "cust_total"))
            if view.paid:
                rows.append(("paid", self.t("customer.paid"), self.money(view.paid), "cust_amount"))
            if view.change:
                rows.append(("change", self.t("customer.change"), self.money(view.change), "cust_change"))
        self._amount_rows(ui, inner, rows)

    def _amount_rows(self, ui: Ui, area: pygame.Rect, rows) -> None:
        """Each amount under its label, right-aligned, the block centred vertically in `area`."""
        lab_h = line_height(self.theme.font_of("cust_label", "label"))
        hs = [lab_h + line_height(self.theme.font_of(st, "label")) for *_, st in rows]
        gap = self.theme.px(12)
        y = area.top + max(0, (area.height - sum(hs) - gap * (len(rows) - 1)) // 2)
        for (wid, label, amount, style), h in zip(rows, hs):
            ui.label(pygame.Rect(area.left, y, area.width, lab_h), label, "cust_label", wid=f"cust.{wid}_label")
            ui.label(pygame.Rect(area.left, y + lab_h, area.width, h - lab_h), amount, style, wid=f"cust.{wid}")
            y += h + gap

    def _lines(self, ui: Ui, area: pygame.Rect, lines: Sequence[Line]) -> None:
        """The receipt's lines, the newest at the bottom; what does not fit above is counted in one row."""
        ui.panel(area, "card")
        inner = area.inflate(-2 * self.pad, -2 * self.pad)
        head_h = line_height(self.theme.font_of("cust_label", "label"))
        head, rest = take_top(inner, head_h, self.theme.px(8))
        ui.label(head, self.t("customer.receipt"), "cust_label", wid="cust.receipt")
        row_h = line_height(self.theme.font_of("cust_line", "label")) + self.theme.px(8)
        fit = max(1, rest.height // row_h)
        shown = list(enumerate(lines, start=1))
        if len(shown) > fit:
            hidden = len(shown) - (fit - 1)
            shown = shown[hidden:]
            ui.label(pygame.Rect(rest.left, rest.top, rest.width, row_h), self.t("customer.more_lines", n=hidden),
                     "cust_qty", wid="cust.more")
            rest = pygame.Rect(rest.left, rest.top + row_h, rest.width, rest.height - row_h)
        sum_w = max(self.theme.px(100), rest.width // 5)
        qty_w = self.theme.px(80) if any(ln.qty != 1000 for _, ln in shown) else 2
        for i, (n, ln) in enumerate(shown):
            r = pygame.Rect(rest.left, rest.top + i * row_h, rest.width, row_h)
            name_r, qty_r, sum_r = split_h(r, [r.width - sum_w - qty_w, qty_w, sum_w], 0)
            ui.label(name_r, ln.name, "cust_line", wid=f"cust.line.{n}.name")
            qty = "" if ln.qty == 1000 else f"× {format_qty(ln.qty).rstrip('0').rstrip('.')}"
            ui.label(qty_r, qty, "cust_qty", wid=f"cust.line.{n}.qty")
            ui.label(sum_r, format_money(ln.amount), "cust_sum", wid=f"cust.line.{n}.sum")

    def _qr(self, ui: Ui, area: pygame.Rect, view: View) -> None:
        """ОПЛАТИ: the amount due above, the QR as large as fits, the hint below."""
        rows = [("due", self.t("customer.due"), self.money(view.due), "cust_amount")]
        lab_h = line_height(self.theme.font_of("cust_label", "label"))
        due_h = lab_h + line_height(self.theme.font_of("cust_amount", "label"))
        top, rest = take_top(area, due_h, self.theme.px(8))
        self._amount_rows(ui, top, rows)
        hint_h = 2 * line_height(self.theme.font_of("cust_hint", "label"))
        hint, rest = take_bottom(rest, hint_h, self.theme.px(8))
        ui.label(hint, self.t("customer.qr_hint"), "cust_hint", wid="cust.qr_hint", lines=2)
        side = max(32, min(rest.width, rest.height))
        pic = pygame.transform.scale(qr_surface(view.qr), (side, side))
        w = ui.image(pygame.Rect(rest.centerx - side // 2, rest.top, side, side), pic, wid="cust.qr")
        w.text = view.qr or ""

    def _paid(self, ui: Ui, body: pygame.Rect, view: View) -> None:
        ui.panel(body, "card")
        inner = body.inflate(-2 * self.pad, -2 * self.pad)
        rows = [("total", self.t("customer.total"), self.money(view.due), "cust_amount")]
        if view.paid:
            rows.append(("paid", self.t("customer.paid"), self.money(view.paid), "cust_amount"))
        if view.change:
            rows.append(("change", self.t("customer.change"), self.money(view.change), "cust_change"))
        lab_h, gap = line_height(self.theme.font_of("cust_label", "label")), self.theme.px(12)
        rows_h = sum(lab_h + line_height(self.theme.font_of(st, "label")) for *_, st in rows) + gap * (len(rows) - 1)
        one = line_height(self.theme.font_of("cust_welcome", "label"))
        head_h = 2 * one if inner.height >= 2 * one + 2 * gap + rows_h else one     # two lines only where they fit
        top = inner.top + max(0, (inner.height - head_h - 2 * gap - rows_h) // 2)      # the block centred, not spread
        ui.label(pygame.Rect(inner.left, top, inner.width, head_h), self.t("customer.thanks"), "cust_welcome",
                 wid="cust.thanks", lines=2)
        width = min(inner.width, self.theme.px(560))
        self._amount_rows(ui, pygame.Rect(inner.centerx - width // 2, top + head_h + 2 * gap, width, rows_h), rows)

    def _welcome(self, ui: Ui, body: pygame.Rect, text: str, lower: str) -> None:
        big = line_height(self.theme.font_of("cust_welcome", "label"))
        small = line_height(self.theme.font_of("cust_hint", "label"))
        y = body.top + max(0, (body.height - 2 * big - small) // 2)
        ui.label(pygame.Rect(body.left, y, body.width, 2 * big), text, "cust_welcome", wid="cust.welcome", lines=2)
        if lower:
            ui.label(pygame.Rect(body.left, y + 2 * big, body.width, small), lower, "cust_hint", wid="cust.welcome_lower")


class CustomerWindow:
    """The customer screen shown in its own window on another monitor (SDL display `index`)."""

    def __init__(self, screen: CustomerScreen, window: pygame.Window) -> None:
        self.screen = screen
        self.window = window
        self._failed = False
        self._drawn = -REDRAW_S

    def owns(self, event: pygame.event.Event) -> bool:
        """Whether an event came from this window (it must not reach the cashier's screen)."""
        other = getattr(event, "window", None)       # pygame-ce: the Window SDL tied the event to, or None
        return other is not None and getattr(other, "id", None) == self.window.id

    def frame(self) -> None:
        """Draw the customer's frame and show it; a failure is logged once and the cashier's work goes on."""
        if self._failed or self.screen.closed:
            return
        now = time.monotonic()
        if not self.screen.stale() and now - self._drawn < REDRAW_S:
            return                     # nothing new: the customer's picture costs the cashier's loop nothing
        self._drawn = now
        try:
            target = self.window.get_surface()
            target.blit(self.screen.render(), (0, 0))
            self.window.flip()
        except (pygame.error, ValueError, OSError) as e:
            self._failed = True
            log.error("customer screen: stopped drawing: %s", e)

    def close(self) -> None:
        self.screen.close()
        self.window.destroy()


_CENTRED_ON = 0x2FFF0000          # SDL_WINDOWPOS_CENTERED_DISPLAY(n) = this | n


def open_customer_window(index: int, fullscreen: bool, lang: str = "ru", slides: SlideShow | None = None,
                         shop: Callable[[], str] = lambda: "", windowed_size: tuple[int, int] = (800, 480)
                         ) -> CustomerWindow | None:
    """A window on SDL display `index` (full screen there with `fullscreen`); None, with one log line, when
    that display is not there or is the cashier's own full screen."""
    try:
        count = pygame.display.get_num_displays()
        sizes = pygame.display.get_desktop_sizes()
    except pygame.error as e:
        log.warning("customer screen: not shown: SDL cannot list the displays (%s)", e)
        return None
    if index >= count:
        log.warning("customer screen: not shown: display %d is not connected (SDL sees %d display%s)",
                    index, count, "" if count == 1 else "s")
        return None
    if fullscreen and index == 0:
        log.warning("customer screen: not shown: display 0 is the cashier's full screen; set [devices.display] screen")
        return None
    size = tuple(sizes[index]) if fullscreen and index < len(sizes) else windowed_size
    try:
        window = pygame.Window("zPOS-BY", size, position=(_CENTRED_ON | index, _CENTRED_ON | index))
        if fullscreen:
            window.set_fullscreen(desktop=True)
        size = window.size
    except pygame.error as e:
        log.warning("customer screen: not shown: SDL could not open a window on display %d (%s)", index, e)
        return None
    return CustomerWindow(CustomerScreen(size, lang, slides, shop), window)

