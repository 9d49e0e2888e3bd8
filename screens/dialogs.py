"""Modal overlays: message and confirmation dialogs, the numeric keypad, the text keyboard, context menus, progress."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import pygame

from screens.base import Layout, grid, split_h, split_v, take_bottom, take_top
from screens.host import Host
from screens.qr import qr_surface
from screens.widgets import Ui

Rect = pygame.Rect


class Overlay:
    """Something drawn above the screen; while it is open only its buttons can be tapped."""

    id = "overlay"

    def __init__(self, app: Host) -> None:
        self.app = app

    def close(self) -> None:
        self.app.close_overlay(self)

    def sheet(self, ui: Ui, lay: Layout, layer: int, w: int, h: int) -> Rect:
        ui.dim(lay.screen, layer)
        w, h = min(w, lay.w - 2 * lay.pad), min(h, lay.h - 2 * lay.pad)
        r = Rect((lay.w - w) // 2, (lay.h - h) // 2, w, h)
        ui.panel(r, "sheet", layer)
        return r.inflate(-2 * lay.pad, -2 * lay.pad)

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        raise NotImplementedError


Choice = tuple[str, str, Callable[[], None] | None, str]      # id, label, action, style


class Message(Overlay):
    """A dialog: a title, a text, and buttons (each closes the dialog, then runs its action)."""

    id = "dialog"

    def __init__(self, app: Host, title: str, text: str, choices: Sequence[Choice] = (), *, problem: bool = False) -> None:
        super().__init__(app)
        self.title, self.text, self.problem = title, text, problem
        self.choices = list(choices) or [("dialog.ok", app.t("ui.ok"), None, "primary")]

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        from screens.theme import wrap
        width = min(lay.theme.px(620), lay.w - 2 * lay.pad)
        n = len(wrap(self.text, ui.theme.font_of("body", "label"), width - 4 * lay.pad - 4))
        height = ui.line_h("heading") + n * (ui.line_h("body") - 2) + lay.btn + 4 * lay.pad + 2 * lay.gap
        area = self.sheet(ui, lay, layer, width, height)
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.title, "error_title" if self.problem else "heading", layer, wid="dialog.title")
        buttons, text = take_bottom(rest, lay.btn, lay.gap)
        ui.paragraph(text, self.text, "body", layer)
        for (cid, label, action, style), r in zip(self.choices, split_h(buttons, [0] * len(self.choices), lay.gap)):
            ui.button(cid, r, label, self._chose(action), style=style, layer=layer)

    def _chose(self, action: Callable[[], None] | None) -> Callable[[], None]:
        def run() -> None:
            self.close()
            if action:
                action()
        return run


class Keypad(Overlay):
    """The numeric keypad: money, quantity, percent, PIN/password (hidden digits) or a whole number."""

    id = "keypad"

    def __init__(self, app: Host, title: str, on_ok: Callable[[str], None], *, kind: str = "money",
                 initial: str = "", hidden: bool = False, max_len: int = 14) -> None:
        super().__init__(app)
        self.title, self.on_ok, self.kind, self.value, self.hidden, self.max_len = \
            title, on_ok, kind, initial, hidden, max_len

    def press(self, key: str) -> None:
        self.value = keypad_input(self.value, key, self.kind, self.max_len)
        self.app.refresh()

    def ok(self) -> None:
        if not self.value:
            return
        self.close()
        self.on_ok(self.value)

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        area = self.sheet(ui, lay, layer, lay.theme.px(440), lay.h)
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.title, "heading", layer, wid="keypad.title")
        disp, rest = take_top(rest, max(lay.btn, ui.line_h("display")), lay.gap)
        ui.panel(disp, "card", layer)
        shown = "•" * len(self.value) if self.hidden else self.value
        ui.label(disp.inflate(-16, 0), shown, "display", layer, wid="keypad.value")
        draw_keys(ui, lay, rest, layer, self.kind, self.press, self.ok, self.close)


WHOLE_DIGITS = {"money": 11, "qty": 4, "percent": 3}     # the widest whole part each kind of number can have


def keypad_input(value: str, key: str, kind: str, max_len: int = 14) -> str:
    """The text after one key: digits, one «.» (not for PINs and whole numbers), at most 2 or 3 decimals."""
    if key == "back":
        return value[:-1]
    if key == "clear":
        return ""
    if key == "." and (kind in ("pin", "int") or "." in value):
        return value
    if len(value) >= max_len:
        return value
    if "." in value:
        decimals = {"money": 2, "qty": 3, "percent": 2}.get(kind, 0)
        if len(value.split(".")[1]) >= decimals:
            return value
    elif key != "." and len(value) >= WHOLE_DIGITS.get(kind, max_len) and value != "0":
        return value
    if key == "." and not value:
        return "0."
    if key == "0" and value == "0":
        return value
    if value == "0" and key != ".":
        return key
    return value + key


def draw_keys(ui: Ui, lay: Layout, area: Rect, layer: int, kind: str, press: Callable[[str], None],
              ok: Callable[[], None] | None, cancel: Callable[[], None] | None) -> None:
    """The 4×4 keypad: ids keypad.0…9, keypad.dot and keypad.00 (sums and quantities only), keypad.back,
    keypad.clear, keypad.ok and keypad.cancel (when the keypad can be dismissed; otherwise OK is twice as tall).
    With `ok` None the screen has its own confirm button: ⌫ and C are then twice as tall, and there is no OK."""
    t = ui_t(ui)
    c = grid(area, 4, 4, lay.gap)
    digits = {"7": c[0], "8": c[1], "9": c[2], "4": c[4], "5": c[5], "6": c[6], "1": c[8], "2": c[9], "3": c[10]}
    for key, r in digits.items():
        ui.button(f"keypad.{key}", r, key, lambda k=key: press(k), style="key", layer=layer)
    if ok is None:
        ui.button("keypad.back", c[3].union(c[7]), "", lambda: press("back"), style="key_icon", layer=layer,
                  icon="delete-left")
        ui.button("keypad.clear", c[11].union(c[15]), "C", lambda: press("clear"), style="key", layer=layer)
    else:
        ui.button("keypad.back", c[3], "", lambda: press("back"), style="key_icon", layer=layer, icon="delete-left")
        ui.button("keypad.clear", c[7], "C", lambda: press("clear"), style="key", layer=layer)
    if kind in ("pin", "int"):
        ui.button("keypad.0", c[12].union(c[14]), "0", lambda: press("0"), style="key", layer=layer)
    else:
        ui.button("keypad.0", c[12], "0", lambda: press("0"), style="key", layer=layer)
        ui.button("keypad.dot", c[13], ".", lambda: press("."), style="key", layer=layer)
        ui.button("keypad.00", c[14], "00", lambda: (press("0"), press("0")), style="key", layer=layer)
    if ok is None:
        return
    if cancel is not None:
        ui.button("keypad.cancel", c[11], t("ui.cancel"), cancel, style="secondary", layer=layer)
        ui.button("keypad.ok", c[15], "OK", ok, style="primary", layer=layer)
    else:
        ui.button("keypad.ok", c[11].union(c[15]), "OK", ok, style="primary", layer=layer)


def ui_t(ui: Ui) -> Callable[..., str]:
    from texts import t
    return t


LAYOUTS = {
    "cyr": ["1234567890", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбюё", "іў'«».,-/№"],
    "lat": ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "@._-,:/#%+"],
}


class Keyboard(Overlay):
    """The on-screen text keyboard (Cyrillic with і ў for Belarusian, and Latin): ids kb.<letter>, kb.space, kb.ok."""

    id = "keyboard"

    def __init__(self, app: Host, title: str, on_ok: Callable[[str], None], initial: str = "",
                 layout: str = "cyr", max_len: int = 120, allow_empty: bool = False) -> None:
        super().__init__(app)
        self.title, self.on_ok, self.value, self.layout, self.max_len = title, on_ok, initial, layout, max_len
        self.upper = not initial
        self.allow_empty = allow_empty

    def type(self, ch: str) -> None:
        if len(self.value) < self.max_len:
            self.value += ch.upper() if self.upper else ch
            self.upper = False
        self.app.refresh()

    def edit(self, what: str) -> None:
        if what == "back":
            self.value = self.value[:-1]
        elif what == "space":
            self.value += " "
        elif what == "case":
            self.upper = not self.upper
        elif what == "lang":
            self.layout = "lat" if self.layout == "cyr" else "cyr"
        self.app.refresh()

    def ok(self) -> None:
        if not self.value.strip() and not self.allow_empty:
            return
        self.close()
        self.on_ok(self.value.strip())

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        ui.dim(lay.screen, layer)
        rows_n = len(LAYOUTS[self.layout]) + 1
        height = min(lay.h, ui.line_h("heading") + (rows_n + 1) * (int(lay.btn * 1.25) + lay.gap) + 2 * lay.pad)
        area = Rect(0, lay.h - height, lay.w, height)      # docked at the bottom, like a phone keyboard
        ui.panel(area, "sheet", layer)
        area = area.inflate(-2 * lay.pad, -2 * lay.pad)
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.title, "heading", layer, wid="kb.title")
        disp, rest = take_top(rest, lay.btn, lay.gap)
        ui.panel(disp, "card", layer)
        ui.label(disp.inflate(-16, 0), self.value + "|", "strong", layer, wid="kb.value")
        rows = LAYOUTS[self.layout] + ["__controls__"]
        cells = split_v(rest, [0] * len(rows), lay.gap)
        longest = max(len(r) for r in rows[:-1])
        for row, rr in zip(rows, cells):
            if row == "__controls__":
                specs = [("kb.case", "⇧", lambda: self.edit("case"), "selected" if self.upper else "key_icon", 0.1),
                         ("kb.lang", "ABC" if self.layout == "cyr" else "АБВ", lambda: self.edit("lang"), "key", 0.14),
                         ("kb.space", self.app.t("ui.kb.space"), lambda: self.edit("space"), "key", 0),
                         ("kb.back", "⌫", lambda: self.edit("back"), "key_icon", 0.1),
                         ("kb.cancel", self.app.t("ui.cancel"), self.close, "secondary", 0.16),
                         ("kb.ok", "OK", self.ok, "primary", 0.12)]
                for (kid, label, fn, style, _), r in zip(specs, split_h(rr, [s[4] for s in specs], lay.gap)):
                    ui.button(kid, r, label, fn, style=style, layer=layer)
                continue
            kw = (rr.width - lay.gap * (longest - 1)) // longest
            x0 = rr.left + (rr.width - (kw * len(row) + lay.gap * (len(row) - 1))) // 2
            for i, ch in enumerate(row):
                shown = ch.upper() if self.upper else ch
                ui.button(f"kb.{ch}", Rect(x0 + i * (kw + lay.gap), rr.top, kw, rr.height), shown,
                          lambda c=ch: self.type(c), style="key", layer=layer)


class ContextMenu(Overlay):
    """The long-press menu: a title and a column of actions."""

    id = "context"

    def __init__(self, app: Host, title: str, choices: Sequence[Choice]) -> None:
        super().__init__(app)
        self.title, self.choices = title, list(choices)

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        from screens.theme import line_height
        width = min(lay.theme.px(520), lay.w - 2 * lay.pad)
        choices = self.choices + [("context.cancel", self.app.t("ui.cancel"), None, "secondary")]
        two = max(lay.btn, 2 * line_height(ui.theme.font_of("secondary", "label")) + lay.theme.px(10))
        heights = [two if ui.fit(label, style, "button", width - 6 * lay.pad, lay.btn - 4)[2] else lay.btn
                   for _, label, _, style in choices]       # a long choice gets two lines, not an ellipsis
        h = ui.line_h("heading") + sum(heights) + len(heights) * lay.gap + 3 * lay.pad
        area = self.sheet(ui, lay, layer, width, h)
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.title, "heading", layer, wid="context.title")
        y = rest.top
        for (cid, label, action, style), bh in zip(choices, heights):
            ui.button(cid, Rect(rest.left, y, rest.width, bh), label,
                      Message._chose(self, action), style=style, layer=layer, lines=2)  # type: ignore[arg-type]
            y += bh + lay.gap


class Progress(Overlay):
    """A message with a progress bar (fraction 0…1, or None for «waiting») and an optional picture (the ОПЛАТИ QR)."""

    id = "progress"

    def __init__(self, app: Host, title: str, text: str = "", fraction: float | None = None,
                 picture: pygame.Surface | None = None, cancel: Callable[[], None] | None = None) -> None:
        super().__init__(app)
        self.title, self.text, self.fraction, self.picture, self.cancel = title, text, fraction, picture, cancel
        self._qr_for: str | None = None
        self.phase = 0
        self._next = 0.0

    def tick(self, now: float) -> bool:
        """The waiting indicator moves twice a second while nothing else tells the cashier the till is alive."""
        if self.fraction is not None or now < self._next:
            return False
        self._next = now + 0.5
        self.phase = (self.phase + 1) % 4
        return True

    def set_qr(self, data: str) -> None:
        """Show the ОПЛАТИ payment link as a QR for the customer (made here, on the UI thread)."""
        if data != self._qr_for:
            self._qr_for, self.picture = data, qr_surface(data)

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        tall = self.picture is not None
        short_h = (ui.line_h("heading") + 2 * ui.line_h("body") + 4 * lay.pad + 3 * lay.gap
                   + max(16, lay.theme.px(22)) + (lay.btn if self.cancel else 0))
        area = self.sheet(ui, lay, layer, lay.theme.px(560), lay.h if tall else short_h)
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.title, "heading", layer, wid="progress.title")
        if self.cancel:
            btn, rest = take_bottom(rest, lay.btn, lay.gap)
            ui.button("progress.cancel", btn, self.app.t("ui.cancel"), self.cancel, style="secondary", layer=layer)
        bar, rest = take_bottom(rest, max(16, lay.theme.px(22)), lay.gap)
        ui.panel(bar, "progress_bg", layer)
        if self.fraction is not None:
            fill = Rect(bar.left, bar.top, max(2, int(bar.width * min(1.0, self.fraction))), bar.height)
        else:                                  # waiting: a quarter of the bar walks along it
            fill = Rect(bar.left + self.phase * bar.width // 4, bar.top, bar.width // 4, bar.height)
        ui.panel(fill, "progress_fg", layer, wid="progress.bar")
        text_h = ui.line_h("body") * 2
        text, rest = take_top(rest, text_h, lay.gap)
        ui.paragraph(text, self.text, "body", layer)
        if tall and rest.height > 40:
            side = min(rest.width, rest.height)
            pic = pygame.transform.scale(self.picture, (side, side))
            ui.image(Rect(rest.centerx - side // 2, rest.top, side, side), pic, layer, wid="progress.qr")
