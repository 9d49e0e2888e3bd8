"""Layout arithmetic from the window size, and the Screen base class with the header every screen shares."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import pygame

from screens.host import Host
from screens.theme import Theme
from screens.widgets import MIN_TARGET, Ui

Rect = pygame.Rect


class Layout:
    """Metrics of one window size: paddings, touch-target heights, the header and the body area."""

    def __init__(self, size: tuple[int, int], theme: Theme) -> None:
        self.w, self.h = size
        self.theme = theme
        self.portrait = self.h > self.w
        self.pad = theme.px(8)
        self.gap = theme.px(6)
        self.btn = max(MIN_TARGET, theme.px(54))
        self.row = max(MIN_TARGET, theme.px(50))
        self.header = max(MIN_TARGET + 8, theme.px(60))
        self.screen = Rect(0, 0, self.w, self.h)
        self.body = Rect(self.pad, self.header + self.pad, self.w - 2 * self.pad, self.h - self.header - 2 * self.pad)


def split_h(rect: Rect, parts: Sequence[float], gap: int) -> list[Rect]:
    """Columns: each part a fraction of the width (≤ 1) or a fixed width in px (> 1); 0 takes what is left."""
    avail = rect.width - gap * (len(parts) - 1)
    fixed = sum(p if p > 1 else int(avail * p) for p in parts if p)
    flex = [i for i, p in enumerate(parts) if not p]
    rest = (avail - fixed) // max(1, len(flex))
    out, x = [], rect.left
    for p in parts:
        w = p if p > 1 else (int(avail * p) if p else rest)
        out.append(Rect(x, rect.top, int(w), rect.height))
        x += int(w) + gap
    return out


def split_v(rect: Rect, parts: Sequence[float], gap: int) -> list[Rect]:
    cols = split_h(Rect(rect.top, rect.left, rect.height, rect.width), parts, gap)
    return [Rect(r.top, r.left, r.height, r.width) for r in cols]


def grid(rect: Rect, cols: int, rows: int, gap: int) -> list[Rect]:
    """Cells row by row."""
    cw = (rect.width - gap * (cols - 1)) // cols
    ch = (rect.height - gap * (rows - 1)) // rows
    return [Rect(rect.left + c * (cw + gap), rect.top + r * (ch + gap), cw, ch) for r in range(rows) for c in range(cols)]


def take_top(rect: Rect, h: int, gap: int = 0) -> tuple[Rect, Rect]:
    return Rect(rect.left, rect.top, rect.width, h), Rect(rect.left, rect.top + h + gap, rect.width, rect.height - h - gap)


def take_bottom(rect: Rect, h: int, gap: int = 0) -> tuple[Rect, Rect]:
    return (Rect(rect.left, rect.bottom - h, rect.width, h),
            Rect(rect.left, rect.top, rect.width, rect.height - h - gap))


class Screen:
    """One screen of the manual. `build` draws it from the register's state; handlers call the facade via `app`."""

    id = "screen"
    title_key = ""
    parent: str | None = "menu"       # where «назад» goes
    side_menu = True

    def __init__(self, app: Host, **params: object) -> None:
        self.app = app
        self.params = params
        self.page = 0

    @property
    def reg(self):
        return self.app.reg

    def t(self, key: str, **kw: object) -> str:
        return self.app.t(key, **kw)

    def title(self) -> str:
        return self.t(self.title_key)

    def build(self, ui: Ui, lay: Layout) -> None:
        self.header(ui, lay)
        self.body(ui, lay, lay.body)

    def header(self, ui: Ui, lay: Layout) -> None:
        bar = Rect(0, 0, lay.w, lay.header)
        ui.panel(bar, "header")
        b = lay.header - 8
        x = 4
        if self.side_menu:
            ui.button("side.toggle", Rect(x, 4, b, b), "", self.app.toggle_side, style="header_btn", icon="bars")
            x += b + 4
        right = lay.w - 4
        if self.parent:
            right -= b
            ui.button("header.back", Rect(right, 4, b, b), "", self.app.back, style="header_btn", icon="arrow-left")
            right -= 4
        if self.app.reg.session.state not in ("locked", "sko_pin"):
            right -= b
            ui.button("header.help", Rect(right, 4, b, b), "", lambda: self.app.go("help", topic=self.id),
                      style="header_btn", icon="circle-question")
            right -= 4
        for wid, text, fn in self.header_buttons():
            bw = b if len(text) <= 2 else ui.text_w(text, "header_text") + lay.theme.px(24)
            right -= bw
            ui.button(wid, Rect(right, 4, bw, b), text, fn, style="header_btn" if len(text) <= 2 else "header_text")
            right -= 4
        status = self.status_text()
        sw = 0
        room = right - x - 16
        if status and ui.text_w(self.title(), "title") + ui.text_w(status, "status") + lay.theme.px(24) > room:
            status = ""                                     # the title matters more than the status line
        if status and lay.w >= 700:
            sw = min(int(lay.w * 0.4), ui.text_w(status, "status") + lay.theme.px(16))
            right -= sw
            ui.label(Rect(right, 4, sw, b), status, "status", wid="header.status")
        ui.label(Rect(x + 8, 4, right - x - 16, b), self.title(), "title")

    def header_buttons(self) -> list:
        """Extra header buttons (id, text, action), placed left of «?»."""
        return []

    def status_text(self) -> str:
        reg = self.app.reg
        if reg.session.user is None:
            return ""
        shift = {"open": "ui.shift.open_n", "closed": "ui.shift.closed", "expired": "ui.shift.expired"}
        text = self.t(shift[str(reg.shifts.state)], n=reg.shifts.number)
        return text if self.app.size[0] < 900 else f"{reg.session.user.name} · {text}"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        raise NotImplementedError

    # ----- helpers ------------------------------------------------------------------------------
    def paged(self, ui: Ui, lay: Layout, area: Rect, items: Sequence, row_h: int, draw: Callable[[Rect, object, int], None],
              prefix: str, stick_to_end: bool = False, nav: Rect | None = None) -> None:
        """A list with ▲/▼ page buttons when it does not fit; `draw(rect, item, index)` builds one row.
        With `nav` the buttons go there side by side and the list keeps its whole width."""
        per = max(1, (area.height + lay.gap) // (row_h + lay.gap))
        pages = max(1, -(-len(items) // per))
        if pages > 1 and nav is not None:
            if stick_to_end and self.page is None:
                self.page, self.sticky = pages - 1, True
            self.page = min(max(0, self.page or 0), pages - 1)
            up, down = split_h(nav, [0, 0], lay.gap)
            ui.button(f"{prefix}.up", up, "", lambda: self.scroll(-1), enabled=self.page > 0, style="nav",
                      icon="chevron-up")
            ui.button(f"{prefix}.down", down, "", lambda: self.scroll(1), enabled=self.page < pages - 1, style="nav",
                      icon="chevron-down")
        elif pages > 1:
            area, nav = Rect(area.left, area.top, area.width - lay.btn - lay.gap, area.height), \
                Rect(area.right - lay.btn, area.top, lay.btn, area.height)
            per = max(1, (area.height + lay.gap) // (row_h + lay.gap))
            pages = max(1, -(-len(items) // per))
            if stick_to_end and self.page is None:
                self.page, self.sticky = pages - 1, True
            self.page = min(max(0, self.page or 0), pages - 1)
            up, info, down = split_v(nav, [lay.btn, 0, lay.btn], lay.gap)
            ui.button(f"{prefix}.up", up, "", lambda: self.scroll(-1), enabled=self.page > 0, style="nav",
                      icon="chevron-up")
            ui.label(info, f"{self.page + 1}/{pages}", "muted_c")
            ui.button(f"{prefix}.down", down, "", lambda: self.scroll(1), enabled=self.page < pages - 1, style="nav",
                      icon="chevron-down")
        else:
            self.page = 0
        start = (self.page or 0) * per
        if stick_to_end and self.sticky and pages > 1:
            start = len(items) - per          # the newest lines, not a page boundary
        focus = getattr(self, "focus", None)
        if focus is not None and pages > 1 and not start <= focus < start + per:
            self.page, self.sticky = focus // per, False
            start = self.page * per
        if focus is not None:
            self.focus = None
        for i, item in enumerate(items[start:start + per]):
            draw(Rect(area.left, area.top + i * (row_h + lay.gap), area.width, row_h), item, start + i)

    sticky = False

    def scroll(self, delta: int) -> None:
        self.sticky = False
        self.page = (self.page or 0) + delta
        self.app.refresh()

    def on_vertical_swipe(self, delta: int) -> None:
        self.scroll(delta)
