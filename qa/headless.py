"""The headless driver: the App on SDL's dummy driver, tapped, swiped and long-pressed by widget id (scenarios, tests)."""
from __future__ import annotations

import time
from pathlib import Path

import pygame

from screens.app import App
from screens.input import LONG_PRESS_S


class UiError(LookupError):
    """The headless driver was asked for a widget that is not on the screen (the message lists what is)."""


class HeadlessUI:
    """The App on SDL's dummy driver, driven by widget id: what scenarios and tests use."""

    def __init__(self, register, size: tuple[int, int] = (1024, 600), lang: str = "ru") -> None:
        import texts
        self._lang_before = texts.language()          # the App sets the process's language; close() gives it back
        self.app = App(register, size=size, lang=lang, headless=True)
        self.app.step([])

    def _centre(self, widget_id: str) -> tuple[int, int]:
        self.app.step([])
        w = self.app.ui.widgets.get(widget_id)
        if w is None or w.kind != "button" or w.layer < self.app.ui.modal_layer:
            raise UiError(f"no widget {widget_id!r} to tap on screen {self.visible_screen()!r}; "
                          f"there are: {', '.join(self.widget_ids())}")
        return w.rect.center

    def _post(self, etype: int, pos: tuple[int, int]) -> None:
        pygame.event.post(pygame.event.Event(etype, pos=pos, button=1, touch=False))
        self.app.step()
        self.settle()

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait until a running job (a payment, a device wait) has ended, drawing frames as the main loop
        would: scenarios stay deterministic. `app.frame_hook(text)` is called after each such frame."""
        t_end = time.monotonic() + timeout_s
        while self.app.job is not None or any(getattr(o, "settling", False) for o in self.app.overlays):
            self.app.step()
            if self.app.job is None and not any(getattr(o, "settling", False) for o in self.app.overlays):
                break
            if self.app.frame_hook:
                self.app.render_frame()
                prog = self.app.progress_overlay()
                self.app.frame_hook(prog.text if prog else "")
            if time.monotonic() > t_end:
                raise UiError(f"still waiting after {timeout_s} s: {self.app.job.title if self.app.job else 'scales'!r}")
            time.sleep(0.002)
        self.app.step([])

    def tap(self, widget_id: str) -> None:
        pos = self._centre(widget_id)
        self._post(pygame.MOUSEBUTTONDOWN, pos)
        self._post(pygame.MOUSEBUTTONUP, pos)

    def long_press(self, widget_id: str) -> None:
        pos = self._centre(widget_id)
        self._post(pygame.MOUSEBUTTONDOWN, pos)
        self.app.time_offset += LONG_PRESS_S + 0.05
        self.app.step([])
        self._post(pygame.MOUSEBUTTONUP, pos)

    def swipe(self, direction: str) -> None:
        """The manual's gestures from the screen's edge: `left` from the left edge rightwards (side menu),
        `right` from the right edge leftwards (close, back); `up`/`down` page a list."""
        if direction not in ("left", "right", "up", "down"):
            raise UiError(f"swipe direction {direction!r}: use left, right, up or down")
        w, h = self.app.size
        a, b = {"left": ((5, h // 2), (int(w * 0.7), h // 2)), "right": ((w - 5, h // 2), (int(w * 0.3), h // 2)),
                "up": ((w // 2, int(h * 0.8)), (w // 2, int(h * 0.3))),
                "down": ((w // 2, int(h * 0.3)), (w // 2, int(h * 0.8)))}[direction]
        self.app.step([])
        self._post(pygame.MOUSEBUTTONDOWN, a)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=b, rel=(b[0] - a[0], b[1] - a[1]), buttons=(1, 0, 0)))
        self._post(pygame.MOUSEBUTTONUP, b)

    def type_digits(self, digits: str) -> None:
        """Tap a number on the open keypad, key by key."""
        for ch in digits:
            self.tap("keypad.dot" if ch == "." else f"keypad.{ch}")

    def visible_screen(self) -> str:
        self.settle()
        return self.app.screen.id

    def overlay(self) -> str | None:
        self.settle()
        return self.app.overlays[-1].id if self.app.overlays else None

    def widget_ids(self) -> list[str]:
        return self.app.ui.tappable_ids()

    def text_of(self, widget_id: str) -> str:
        self.app.step([])
        return self.app.ui.widgets[widget_id].text

    def enabled(self, op_id: str) -> bool:
        """A widget's enabled flag when `op_id` is a widget on screen, else the permission table's answer now."""
        self.app.step([])
        w = self.app.ui.widgets.get(op_id)
        if w is not None:
            return w.enabled
        return self.app.reg.session.allowed(op_id) is None

    def screenshot(self, path: str | Path) -> None:
        self.app.step([])
        self.app.render_frame()
        pygame.image.save(self.app.window, str(path))

    def close(self) -> None:
        import texts
        self.app.ui.clear()
        texts.set_language(self._lang_before)
