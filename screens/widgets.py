"""Our thin widget layer over pygame_gui: buttons, labels and panels registered by stable id, with hit-testing.

Screens never talk to pygame_gui directly. Every tappable thing has an id (the headless
driver taps it by id), a rect, and an enabled flag with the reason it is grey; a tap on a
grey button shows that reason instead of doing nothing. A text that does not fit first shrinks
(down to 16 px at 1024×600), then wraps onto the lines the widget allows, and only then is elided
with «…» — the widget is then marked `cut`, which the layout tests look for.

A button with an icon, a second line (`sub`, e.g. a tile's price) or wrapped text is drawn as an
empty pygame_gui button with its parts (labels, the icon glyph) above it; the parts carry
`part_of` = the button's id and are never hit.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import pygame
import pygame_gui
from pygame_gui.core import ObjectID

from screens.icons import glyph
from screens.theme import ELLIPSIS, Theme, elide, font, line_height, text_width, wrap

MIN_TARGET = 48          # px: the smallest touch target
Action = Callable[[], None]


@lru_cache(maxsize=384)          # bounded (≈ 4 MB): texts repeat (names, sums), a till runs for days
def text_surface(text: str, spec: tuple[str, bool, int], colour: str) -> pygame.Surface:
    return font(*spec).render(text, True, pygame.Color(colour))


@lru_cache(maxsize=128)
def panel_face(size: tuple[int, int], bg: str, border: str, width: int) -> pygame.Surface:
    surf = pygame.Surface(size, pygame.SRCALPHA)
    surf.fill(pygame.Color(bg))
    if width:
        pygame.draw.rect(surf, pygame.Color(border), surf.get_rect(), width)
    return surf


@dataclass
class Widget:
    id: str
    rect: pygame.Rect
    kind: str                          # "button" | "label" | "panel"
    layer: int
    text: str = ""
    style: str = ""
    enabled: bool = True
    reason: str | None = None          # why it is grey
    on_tap: Action | None = None
    on_long: Action | None = None
    element: object = field(default=None, repr=False)
    cut: bool = False                  # the text had to be elided
    part_of: str | None = None         # a label or icon drawn on a button
    shown_style: str = ""              # the style (or smaller variant) the text was drawn in


class Ui:
    """The widgets of the current frame. `reset()` drops them all; screens rebuild from the register's state."""

    def __init__(self, manager: pygame_gui.UIManager, theme: Theme) -> None:
        self.manager = manager
        self.theme = theme
        self.widgets: dict[str, Widget] = {}
        self.order: list[Widget] = []
        self.modal_layer = 0
        self._anon = 0
        self._veil: pygame.Surface | None = None
        self._pool: dict[tuple, list] = {}
        self._stale: dict[tuple, list] = {}

    def _make(self, key: tuple, rect: pygame.Rect, factory: Callable[[], object]) -> object:
        """The element for `key` (everything but the position) at `rect`: last frame's if it had one — moved
        when the list it is in has scrolled — else a new one from `factory`."""
        found = self._stale.get(key)
        if found:
            at = tuple(rect.topleft)
            i = next((i for i, e in enumerate(found) if tuple(e.relative_rect.topleft) == at), len(found) - 1)
            el = found.pop(i)
            if not found:
                del self._stale[key]
            if tuple(el.relative_rect.topleft) != at:
                el.set_relative_position(at)
        else:
            el = factory()
        self._pool.setdefault(key, []).append(el)
        return el

    def finish(self) -> None:
        """Kill the elements of the last frame that this frame did not reuse."""
        for els in self._stale.values():
            for el in els:
                el.kill()
        self._stale = {}
        # pygame_gui's sprite group keeps the rect of every killed element in `lostsprites` and, unlike
        # pygame's LayeredUpdates.draw, never empties it: a till running for days would grow without end
        self.manager.get_sprite_group().lostsprites.clear()

    def clear(self) -> None:
        """Drop every element (the window goes away)."""
        self.finish()
        for els in self._pool.values():
            for el in els:
                el.kill()
        self._pool = {}
        self.manager.clear_and_reset()

    # ----- life ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new frame's widgets. pygame_gui elements of the last frame are kept in a pool and reused when
        the same one is asked for again (same kind, rect, text, style, layer, state): a tap that changes one line
        rebuilds one line, not the screen. What the new frame does not ask for is killed in `finish()`."""
        self.finish()
        self._stale, self._pool = self._pool, {}
        self.widgets.clear()
        self.order.clear()
        self.modal_layer = 0
        self._anon = 0

    def _register(self, w: Widget) -> Widget:
        if w.id in self.widgets:
            raise ValueError(f"widget id {w.id!r} used twice on one screen")
        self.widgets[w.id] = w
        self.order.append(w)
        return w

    def _auto_id(self, prefix: str) -> str:
        self._anon += 1
        return f"_{prefix}{self._anon}"

    @staticmethod
    def _height(layer: int) -> int:
        return 1 + layer * 10

    # ----- building --------------------------------------------------------------------------
    def panel(self, rect: pygame.Rect, style: str = "card", layer: int = 0, wid: str | None = None) -> Widget:
        """A filled rectangle with its border, drawn as an image (a pygame_gui panel brings a container that
        holds a reference cycle with it: a killed one lingers until a full garbage collection)."""
        rect = pygame.Rect(rect)
        pic = self._panel_face(rect.size, style)
        el = self._make(("panel", rect.size, style, layer), rect, lambda: self._image(rect, pic, layer, 0))
        return self._register(Widget(wid or self._auto_id("p"), pygame.Rect(rect), "panel", layer, style=style,
                                     element=el))

    def _panel_face(self, size: tuple[int, int], style: str) -> pygame.Surface:
        bg = self.theme.colour(style, "dark_bg", "panel")
        border = self.theme.colour(style, "normal_border", "panel")
        width = int(self.theme.data.get(f"@{style}", {}).get("misc", {}).get("border_width", "0") or 0)
        return panel_face(size, bg, border, width)

    def fit(self, text: str, style: str, kind: str, width: int, height: int, max_lines: int = 1) -> tuple[str, list[str], bool]:
        """(style or smaller variant, lines, cut): the first of full size, smaller sizes, more lines that fits."""
        styles = [style] + self.theme.variants.get(style, [])
        # wrapping at full size reads better than shrinking onto one line: sizes outer, lines inner
        for st in styles:
            for lines_allowed in range(1, max(1, max_lines) + 1):
                spec = self.theme.font_of(st, kind)
                if lines_allowed > 1 and lines_allowed * line_height(spec) > height:
                    continue
                lines = wrap(text, spec, width) if lines_allowed > 1 else [text]
                whole = ELLIPSIS in text or ELLIPSIS not in "".join(lines)      # wrap() elides a word too long
                if whole and len(lines) <= lines_allowed and all(text_width(ln, spec) <= width for ln in lines):
                    return st, lines, False
        st = styles[-1]
        spec = self.theme.font_of(st, kind)
        n = max(1, min(max_lines, height // max(1, line_height(spec))))
        lines = wrap(text, spec, width) if n > 1 else [text]
        if len(lines) > n:
            lines = lines[:n - 1] + [" ".join(lines[n - 1:])]
        return st, [elide(ln, spec, width) for ln in lines], True

    def button(self, wid: str, rect: pygame.Rect, text: str, on_tap: Action | None = None, *, style: str = "secondary",
               enabled: bool = True, reason: str | None = None, on_long: Action | None = None,
               layer: int = 0, icon: str | None = None, sub: str | None = None, lines: int = 1,
               aside: tuple[tuple[str, str], ...] = ()) -> Widget:
        """A button. `icon`: a Font Awesome name; `sub`: a second line at the bottom (a tile's price);
        `lines`: how many lines the text may wrap onto; `aside`: (text, style) lines right-aligned inside
        (a receipt line's sum and quantity)."""
        rect = pygame.Rect(rect)
        # pygame_gui pads left-aligned button text by 10 px and cuts with «..» what does not fit: measure with room
        inner_w = rect.width - 2 * max(self.theme.px(8), 12) - 4
        plain = not icon and not sub and not aside
        shown_style, shown, cut = self.fit(text, style, "button", inner_w, rect.height - 4, 1)
        plain = plain and not cut
        label, cls = (shown[0], shown_style) if plain else ("", style)

        def make() -> object:
            el = pygame_gui.elements.UIButton(rect, label, manager=self.manager, starting_height=1,
                                              object_id=ObjectID(object_id=f"#{wid.replace('.', '_')}",
                                                                 class_id=f"@{cls}"))
            el.change_layer(self._height(layer) + 3)
            if not enabled:
                el.disable()
            return el
        el = self._make(("button", wid, rect.size, label, cls, layer, enabled), rect, make)
        w = Widget(wid, rect, "button", layer, text, style, enabled, reason, on_tap, on_long, el, shown_style=cls)
        self._register(w)
        if not plain:
            w.cut = self._parts(w, text, icon, sub, lines, aside)
        return w

    def _parts(self, w: Widget, text: str, icon: str | None, sub: str | None, lines: int,
               aside: tuple[tuple[str, str], ...] = ()) -> bool:
        """The icon, the text (wrapped), the second line and the aside of a button, as parts above it. Returns `cut`."""
        style, rect, layer = w.style, w.rect, w.layer
        hpad, vpad = self.theme.px(5 if style in ("tile", "favourite") else 10), self.theme.px(3)
        area = rect.inflate(-2 * hpad, -2 * vpad)
        cut = False
        if aside:
            col_w = min(area.width * 3 // 5, max(text_width(a, self.theme.font_of(st, "label")) for a, st in aside) + 4)
            col = pygame.Rect(area.right - col_w, area.top, col_w, area.height)
            hs = [line_height(self.theme.font_of(st, "label")) for _, st in aside]
            y = col.top + max(0, (col.height - sum(hs)) // 2)
            for i, ((a, st), h) in enumerate(zip(aside, hs), start=1):
                fst, fl, fc = self.fit(a, st, "label", col.width, h, 1)
                self._part_label(w, pygame.Rect(col.left, y, col.width, h), fl[0], fst, "right", f"{w.id}.aside{i}")
                cut |= fc
                y += h
            area = pygame.Rect(area.left, area.top, area.width - col_w - self.theme.px(8), area.height)
        colour = self.theme.colour(style, "normal_text" if w.enabled else "disabled_text", "button")
        align = "center" if style in ("tile", "menu", "menu_danger", "go", "primary", "secondary", "danger", "key", "selected",
                                      "danger_fill", "favourite") else "left"
        if sub:
            sub_style = f"{style}_sub" if f"@{style}_sub" in self.theme.data else style
            sst, sl, sc = self.fit(sub, sub_style, "label", area.width, area.height, 1)
            sh = line_height(self.theme.font_of(sst, "label"))
            sub_r = pygame.Rect(area.left, area.bottom - sh, area.width, sh)
            self._part_label(w, sub_r, sl[0], sst, align, f"{w.id}.sub")
            area = pygame.Rect(area.left, area.top, area.width, area.height - sh)
            cut |= sc
        text_lh = line_height(self.theme.font_of(style, "button"))
        if icon:
            stacked = style in ("menu", "menu_danger") and area.height >= 2.4 * text_lh
            size = min(self.theme.px(40 if stacked else 26), area.height - (text_lh if stacked else 0))
            pic = glyph(icon, max(8, size), colour)
            if not text:
                icon_r = pygame.Rect(area.centerx - pic.get_width() // 2, area.centery - pic.get_height() // 2,
                                     pic.get_width(), pic.get_height())
                area = pygame.Rect(area.left, area.top, 0, 0)
            elif stacked:
                text_h = 2 * text_lh if area.height >= 3.4 * text_lh else text_lh
                block = pic.get_height() + self.theme.px(6) + text_h
                top = area.top + max(0, (area.height - block) // 2)
                icon_r = pygame.Rect(area.centerx - pic.get_width() // 2, top, pic.get_width(), pic.get_height())
                area = pygame.Rect(area.left, icon_r.bottom + self.theme.px(6), area.width, text_h)
                lines = max(lines, 2 if text_h > text_lh else 1)
            elif self.fit(text, style, "label", area.width - pic.get_width() - self.theme.px(8), area.height, lines)[2] \
                    and not self.fit(text, style, "label", area.width, area.height, lines)[2]:
                icon = None                    # the icon is decoration: where it would cut the text, it goes
            else:
                icon_r = pygame.Rect(area.left, area.centery - pic.get_height() // 2, pic.get_width(), pic.get_height())
                gap = self.theme.px(8)
                if align == "center":
                    # the icon and the text together are centred
                    tw = min(area.width - pic.get_width() - gap, self.text_w(text, style))
                    left = area.left + max(0, (area.width - pic.get_width() - gap - tw) // 2)
                    icon_r.left = left
                    area = pygame.Rect(icon_r.right + gap, area.top, tw + 2, area.height)
                else:
                    area = pygame.Rect(icon_r.right + gap, area.top, area.right - icon_r.right - gap, area.height)
            if icon:
                img = self._make(("icon", icon_r.size, pic, layer), icon_r, lambda: self._image(icon_r, pic, layer, 5))
                self._register(Widget(f"{w.id}.icon", icon_r, "icon", layer, element=img, part_of=w.id))
        if not text:
            return cut
        st, shown, c = self.fit(text, style, "label", area.width, area.height, lines)
        cut |= c
        lh = line_height(self.theme.font_of(st, "label"))
        top = area.top + max(0, (area.height - lh * len(shown)) // 2)
        for i, ln in enumerate(shown):
            r = pygame.Rect(area.left, top + i * lh, area.width, lh)
            self._part_label(w, r, ln, st, align, f"{w.id}.text{i + 1}")
        return cut

    def _part_label(self, w: Widget, rect: pygame.Rect, text: str, style: str, align: str, pid: str) -> None:
        """A line of text on a button, drawn with pygame's font into a cached surface (a pygame_gui label costs
        ~10× more to make, and a receipt line has three of them)."""
        spec = self.theme.font_of(style, "label")
        colour = self.theme.colour(style, "normal_text" if w.enabled else "disabled_text", "label")
        pic = text_surface(text, spec, colour)
        pw, ph = min(pic.get_width(), rect.width), min(pic.get_height(), rect.height)
        x = rect.left if align == "left" else rect.right - pw if align == "right" else rect.centerx - pw // 2
        at = pygame.Rect(x, rect.centery - ph // 2, pw, ph)
        if (pw, ph) != pic.get_size():
            pic = pic.subsurface((0, 0, pw, ph))
        el = self._make(("part", at.size, pic, w.layer), at, lambda: self._image(at, pic, w.layer, 5))
        self._register(Widget(pid, rect, "label", w.layer, text, style, w.enabled, element=el, part_of=w.id,
                              shown_style=style))

    def label(self, rect: pygame.Rect, text: str, style: str = "body", layer: int = 0, wid: str | None = None,
              lines: int = 1) -> Widget:
        """A text; with `lines` > 1 it may wrap (the widget's rect is the first line's; the rest follow below)."""
        rect = pygame.Rect(rect)
        st, shown, cut = self.fit(text, style, "label", rect.width - 4, rect.height, lines)
        lh = line_height(self.theme.font_of(st, "label"))
        first = rect if len(shown) == 1 else pygame.Rect(rect.left, rect.top + max(0, (rect.height - lh * len(shown)) // 2),
                                                         rect.width, lh)
        el = self._make(("label", first.size, shown[0], st, layer), first,
                        lambda: self._label(first, shown[0], ObjectID(class_id=f"@{st}"), layer, 3, True))
        w = self._register(Widget(wid or self._auto_id("l"), first, "label", layer, text, style, element=el, cut=cut,
                                  shown_style=st))
        for i, ln in enumerate(shown[1:], start=2):
            r = pygame.Rect(rect.left, first.top + (i - 1) * lh, rect.width, lh)
            extra = self._make(("label", r.size, ln, st, layer), r,
                               lambda r=r, ln=ln: self._label(r, ln, ObjectID(class_id=f"@{st}"), layer, 3, True))
            self._register(Widget(f"{w.id}.{i}", r, "label", layer, ln, style, element=extra, part_of=w.id,
                                  shown_style=st))
        return w

    def paragraph(self, rect: pygame.Rect, text: str, style: str = "body", layer: int = 0) -> int:
        """Word-wrapped text from the top of `rect`, as many lines as fit; returns the height used."""
        spec = self.theme.font_of(style, "label")
        lh = line_height(spec) + 2
        y = rect.top
        last: Widget | None = None
        for line in wrap(text, spec, rect.width - 4):
            if y + lh > rect.bottom:
                if last is not None:
                    last.cut = True            # the paragraph did not fit: its last line says so to the tests
                break
            last = self.label(pygame.Rect(rect.left, y, rect.width, lh), line, style, layer)
            y += lh
        return y - rect.top

    def text_w(self, text: str, style: str) -> int:
        return text_width(text, self.theme.font_of(style, "button"))

    def dim(self, rect: pygame.Rect, layer: int) -> Widget:
        """The translucent veil under a modal sheet: one shared surface, so opening dialogs allocates nothing big."""
        rect = pygame.Rect(rect)
        if self._veil is None or self._veil.get_size() != rect.size:
            self._veil = pygame.Surface(rect.size, pygame.SRCALPHA)
            self._veil.fill((16, 24, 32, 150))
        # below the sheet of its own layer, above everything of the layers under it
        el = self._make(("veil", rect.size, self._veil, layer), rect, lambda: self._image(rect, self._veil, layer, -1))
        return self._register(Widget(self._auto_id("dim"), pygame.Rect(rect), "veil", layer, element=el))

    def line_h(self, style: str = "body") -> int:
        return line_height(self.theme.font_of(style, "label")) + 4

    def image(self, rect: pygame.Rect, surface: pygame.Surface, layer: int = 0, wid: str | None = None) -> Widget:
        rect = pygame.Rect(rect)
        el = self._make(("image", rect.size, surface, layer), rect, lambda: self._image(rect, surface, layer, 3))
        return self._register(Widget(wid or self._auto_id("i"), pygame.Rect(rect), "image", layer, element=el))

    def _label(self, rect: pygame.Rect, text: str, oid: ObjectID, layer: int, above: int, enabled: bool) -> object:
        el = pygame_gui.elements.UILabel(pygame.Rect(rect), text, manager=self.manager, object_id=oid)
        el.change_layer(self._height(layer) + above)
        if not enabled:
            el.disable()
        return el

    def _image(self, rect: pygame.Rect, surface: pygame.Surface, layer: int, above: int) -> object:
        el = pygame_gui.elements.UIImage(pygame.Rect(rect), surface, manager=self.manager)
        el.change_layer(self._height(layer) + above)
        return el

    # ----- querying --------------------------------------------------------------------------
    def hit(self, pos: tuple[int, int]) -> Widget | None:
        """The topmost button under `pos`; below an open modal layer nothing is hit."""
        for w in reversed(self.order):
            if w.kind == "button" and w.layer >= self.modal_layer and w.rect.collidepoint(pos):
                return w
        return None

    def buttons(self) -> list[Widget]:
        return [w for w in self.order if w.kind == "button"]

    def tappable_ids(self) -> list[str]:
        return [w.id for w in self.buttons() if w.layer >= self.modal_layer]
