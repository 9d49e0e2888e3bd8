"""Input of the touch workstation: taps, swipes and long presses from mouse events, the keyboard wedge, the scanner thread."""
from __future__ import annotations

import logging
import threading

import pygame

from screens.widgets import Widget
from texts.errors import CodedError

log = logging.getLogger("zpos.screens")

LONG_PRESS_S = 0.6
LIFECYCLE_SCREENS = {"locked": "lock", "sko_pin": "sko_pin", "login": "login", "change_password": "change_password",
                     "self_service": "self_service"}


class InputMixin:
    """Mixin of screens.app.App: turns input into taps, gestures and scans (SDL turns touches into mouse events)."""

    def start_scanner(self) -> None:
        hardware = self.reg.hardware
        if not hardware.has_scanner:
            return

        def reader() -> None:
            while not self._stop.is_set():
                try:
                    code = hardware.read_scan(0.2)
                except CodedError as e:
                    self.queue.put(("scan_error", e))      # the cashier sees it; the reader keeps listening
                    self._stop.wait(0.5)
                    continue
                if code is not None:
                    self.queue.put(("scan", code))
        self._scanner_thread = threading.Thread(target=reader, name="ui-scanner", daemon=True)
        self._scanner_thread.start()

    def on_scan(self, code: str) -> None:
        handler = getattr(self.screen, "on_scan", None)
        if handler:
            handler(code)
        elif self.reg.session.allowed("sale") is None and self.reg.session.state in ("menu", "receipt"):
            self.go("sale")
            if self.screen.id == "sale":
                self.screen.on_scan(code)

    # ----- gestures -------------------------------------------------------------------------------
    def handle(self, e: pygame.event.Event) -> None:
        if e.type == pygame.QUIT:
            self.running = False
        elif e.type == pygame.MOUSEBUTTONDOWN and e.button == 1:
            self._down = (e.pos, self.now(), self.ui.hit(e.pos))
            self._long_fired = False
        elif e.type == pygame.MOUSEBUTTONUP and e.button == 1 and self._down:
            self.gesture(e.pos)
            self._down = None
        elif e.type == pygame.KEYDOWN:
            self.key(e)
        self.manager.process_events(e)

    def gesture(self, pos: tuple[int, int]) -> None:
        (x0, y0), t0, w0 = self._down  # type: ignore[misc]
        dx, dy = pos[0] - x0, pos[1] - y0
        threshold = max(60, self.size[0] // 8)
        edge = max(24, self.size[0] // 16)
        # only a drag that starts at the screen's edge is a swipe (a sideways drag over a list or a tile
        # is not); an open side menu closes with a drag from anywhere
        from_edge = (dx > 0 and x0 <= edge) or (dx < 0 and (x0 >= self.size[0] - edge or self.side_open()))
        if abs(dx) >= threshold and abs(dx) > 2 * abs(dy) and from_edge:
            self.swipe("left" if dx > 0 else "right")
        elif abs(dy) >= threshold and abs(dy) > 2 * abs(dx):
            target = self.overlays[-1] if self.overlays else self.screen
            handler = getattr(target, "on_vertical_swipe", None)
            if handler:
                handler(-1 if dy > 0 else 1)
        elif not self._long_fired and w0 is not None and self.ui.hit(pos) is w0:
            self.activate(w0, long=self.now() - t0 >= LONG_PRESS_S)

    def swipe(self, direction: str) -> None:
        """The manual's gestures: a left swipe (from the left edge rightwards) opens the side menu, a right one closes it or goes back."""
        if direction == "left":
            if not self.side_open():
                self.toggle_side()
        elif self.side_open():
            self.close_side()
        elif not self.overlays and self.screen.parent and self.screen.id not in LIFECYCLE_SCREENS.values():
            self.back()

    def check_long_press(self) -> None:
        if self._down and not self._long_fired:
            pos, t0, w = self._down
            if w is not None and w.on_long and self.now() - t0 >= LONG_PRESS_S:
                self._long_fired = True
                self.activate(w, long=True)

    def activate(self, w: Widget, long: bool = False) -> None:
        try:
            if long and w.on_long:
                w.on_long()
            elif not w.enabled:
                if w.reason:
                    self.message(self.t("ui.unavailable"), w.reason)
            elif w.on_tap:
                w.on_tap()
        except Exception:  # the till must survive a screen bug: show it, log it, keep running
            log.exception("screen action %s failed", w.id)
            self.fail("INTERNAL", self.t("ui.error.internal_short"))
        self.refresh()

    def key(self, e: pygame.event.Event) -> None:
        if e.key == pygame.K_ESCAPE:
            self.back()
        elif e.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            if self._keys:
                self.queue.put(("scan", self._keys))
            self._keys = ""
        elif e.unicode and e.unicode.isdigit():
            self._keys += e.unicode
        elif e.unicode in ("*", "×") and self._keys:      # «3*» then the code: three of them, as on the keypad
            self.queue.put(("qty", self._keys))
            self._keys = ""
