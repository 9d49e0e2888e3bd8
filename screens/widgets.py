"""Our thin widget layer over pygame_gui: buttons, labels and panels registered by stable id, with hit-testing.

Screens never talk to pygame_gui directly. Every tappable thing has an id (the headless
driver taps it by id), a rect, and an enabled flag with the reason it is grey; a tap on a
grey button shows that reason instead of doing nothing. Text is elided with «…» to fit.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pygame
import pygame_gui
from pygame_gui.core import ObjectID

from screens.theme import Theme, elide, line_height, wrap

MIN_TARGET = 48          # px: the smallest touch target
Action = Callable[[], None]


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

    # ----- life ------------------------------------------------------------------------------
    def reset(self) -> None:
        self.manager.clear_and_reset()
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
        el = pygame_gui.elements.UIPanel(pygame.Rect(rect), starting_height=1, manager=self.manager,
                                         object_id=ObjectID(class_id=f"@{style}"))
        el.change_layer(self._height(layer))
        return self._register(Widget(wid or self._auto_id("p"), pygame.Rect(rect), "panel", layer, style=style,
                                     element=el))

    def button(self, wid: str, rect: pygame.Rect, text: str, on_tap: Action | None = None, *, style: str = "secondary",
               enabled: bool = True, reason: str | None = None, on_long: Action | None = None,
               layer: int = 0) -> Widget:
        rect = pygame.Rect(rect)
        spec = self.theme.font_of(style, "button")
        shown = elide(text, spec, rect.width - 2 * self.theme.px(8))
        el = pygame_gui.elements.UIButton(rect, shown, manager=self.manager, starting_height=1,
                                          object_id=ObjectID(object_id=f"#{wid.replace('.', '_')}",
                                                             class_id=f"@{style}"))
        el.change_layer(self._height(layer) + 3)
        if not enabled:
            el.disable()
        return self._register(Widget(wid, rect, "button", layer, text, style, enabled, reason, on_tap, on_long, el))

    def label(self, rect: pygame.Rect, text: str, style: str = "body", layer: int = 0, wid: str | None = None) -> Widget:
        rect = pygame.Rect(rect)
        spec = self.theme.font_of(style, "label")
        shown = elide(text, spec, rect.width - 4)
        el = pygame_gui.elements.UILabel(rect, shown, manager=self.manager, object_id=ObjectID(class_id=f"@{style}"))
        el.change_layer(self._height(layer) + 3)
        return self._register(Widget(wid or self._auto_id("l"), rect, "label", layer, text, style, element=el))

    def paragraph(self, rect: pygame.Rect, text: str, style: str = "body", layer: int = 0) -> int:
        """Word-wrapped text from the top of `rect`, as many lines as fit; returns the height used."""
        spec = self.theme.font_of(style, "label")
        lh = line_height(spec) + 2
        y = rect.top
        for line in wrap(text, spec, rect.width - 4):
            if y + lh > rect.bottom:
                break
            self.label(pygame.Rect(rect.left, y, rect.width, lh), line, style, layer)
            y += lh
        return y - rect.top

    def text_w(self, text: str, style: str) -> int:
        from screens.theme import text_width
        return text_width(text, self.theme.font_of(style, "button"))

    def dim(self, rect: pygame.Rect, layer: int) -> Widget:
        """The translucent veil under a modal sheet: one shared surface, so opening dialogs allocates nothing big."""
        if self._veil is None or self._veil.get_size() != rect.size:
            self._veil = pygame.Surface(rect.size, pygame.SRCALPHA)
            self._veil.fill((16, 24, 32, 128))
        veil = self.image(rect, self._veil, layer, wid=self._auto_id("dim"))
        veil.kind = "veil"
        return veil

    def line_h(self, style: str = "body") -> int:
        return line_height(self.theme.font_of(style, "label")) + 4

    def image(self, rect: pygame.Rect, surface: pygame.Surface, layer: int = 0, wid: str | None = None) -> Widget:
        el = pygame_gui.elements.UIImage(pygame.Rect(rect), surface, manager=self.manager)
        el.change_layer(self._height(layer) + 3)
        return self._register(Widget(wid or self._auto_id("i"), pygame.Rect(rect), "image", layer, element=el))

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
