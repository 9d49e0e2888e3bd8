"""The touch workstation: the main loop, navigation between screens, overlays and the frame (input in screens.input).

The main loop is the only thread that touches pygame; device threads (the scanner reader) and
the job worker (screens.jobs: payments and other device waits) put events on `App.queue`, and
while a job runs the loop leaves the register to it. Taps, swipes and long presses are read
from mouse events (SDL turns touches into mouse events), so the headless driver posts
real mouse events at a widget's centre.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

import pygame
import pygame_gui
from pygame_gui.core.surface_cache import SurfaceCache

import texts
from screens.base import Layout, Screen
from screens.dialogs import ContextMenu, Keyboard, Keypad, Message, Overlay, Progress
from screens.input import LIFECYCLE_SCREENS, InputMixin
from screens.jobs import JobsMixin
from screens.memory import trim_heap, tune_malloc
from screens.registry import screen_class
from screens.theme import Theme
from screens.widgets import Ui, Widget
from texts.errors import CodedError

log = logging.getLogger("zpos.screens")

BEFORE_LOGIN_EXTRA = {"login": ("diagnostics", "help"), "sko_pin": ("diagnostics",)}


class NoShapeCache(SurfaceCache):
    """pygame_gui's shape cache fills 4 MB atlas pages with copies of every button shape it has drawn (measured:
    +200 MB after a hundred screen rebuilds); our flat rectangles are cheap to redraw, so nothing is cached."""

    def add_surface_to_cache(self, surface, string_id) -> None:
        return None

    def find_surface_in_cache(self, lookup_id):
        return None

    def remove_user_from_cache_item(self, string_id) -> None:
        return None


class App(InputMixin, JobsMixin):
    def __init__(self, register, size: tuple[int, int] = (1024, 600), lang: str = "ru", headless: bool = False,
                 fullscreen: bool = False) -> None:
        if headless:
            os.environ["SDL_VIDEODRIVER"] = "dummy"
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        tune_malloc()
        pygame.display.init()
        pygame.font.init()
        flags = pygame.FULLSCREEN if fullscreen else 0
        self.window = pygame.display.set_mode(size, flags)
        pygame.display.set_caption("zPOS-BY")
        self.size = self.window.get_size()
        self.theme = Theme(self.size)
        self.manager = pygame_gui.UIManager(self.size, self.theme.data, enable_live_theme_updates=False)
        self.manager.get_theme().shape_cache = NoShapeCache()
        self.ui = Ui(self.manager, self.theme)
        self.lay = Layout(self.size, self.theme)
        self.reg = register
        self.lang = lang
        texts.set_language(lang)
        self.stack: list[Screen] = []
        self.overlays: list[Overlay] = []
        self.queue: "queue.Queue[tuple[str, object]]" = queue.Queue()
        self.running = True
        self.time_offset = 0.0              # the headless driver moves time for long presses
        self._dirty = True
        self._down: tuple[tuple[int, int], float, Widget | None] | None = None
        self._long_fired = False
        self._keys = ""                     # a keyboard-wedge scanner types digits then Enter
        self._last = time.monotonic()
        self._scanner_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._seen: tuple = (None, None)
        self.frame_hook: Callable[[str], None] | None = None   # headless: called after a frame while a job runs
        self.on_frame: Callable[[], None] | None = None        # once per drawn frame (the service watchdog's ping)
        self.foreign: Callable[[pygame.event.Event], bool] | None = None   # events of another window (the customer's)
        self._deferred: list = []
        self._trim_after_build = False
        self._built_for: Screen | None = None
        self.sync_lifecycle()

    # ----- time, text ---------------------------------------------------------------------------
    def now(self) -> float:
        return time.monotonic() + self.time_offset

    def t(self, key: str, **kw: object) -> str:
        return texts.t(key, self.lang, **kw)

    def set_language(self, lang: str) -> None:
        self.lang = lang
        texts.set_language(lang)
        self.refresh()

    # ----- navigation ---------------------------------------------------------------------------
    @property
    def screen(self) -> Screen:
        return self.stack[-1]

    def make(self, sid: str, **params: object) -> Screen:
        return screen_class(sid)(self, **params)

    def sync_lifecycle(self) -> None:
        """Show the screen the register's lifecycle demands (lock, PIN, login, password change) or leave them."""
        state = self.reg.session.state
        current = self.stack[-1].id if self.stack else None
        forced = LIFECYCLE_SCREENS.get(state)
        if forced:
            if current != forced and current not in BEFORE_LOGIN_EXTRA.get(state, ()):
                self.stack = [self.make(forced)]
                self.overlays = [o for o in self.overlays if isinstance(o, Message)]
        elif current is None or current in LIFECYCLE_SCREENS.values():
            self.stack = [self.make("menu")]
            if state == "receipt" and self.reg.sale.receipt.lines:
                self.stack.append(self.make("sale"))

    def go(self, sid: str, **params: object) -> None:
        self.close_side()
        if sid == "sale" and not self.guard(self.reg.session.enter_receipt):
            return
        if self.stack and self.stack[-1].id == "sale" and sid not in ("payment", "sale"):
            self.guard(self.reg.session.go_menu)
        self.stack.append(self.make(sid, **params))
        self.refresh()

    def replace(self, sid: str, **params: object) -> None:
        self.stack[-1] = self.make(sid, **params)
        self.refresh()

    def back(self) -> None:
        if self.overlays:
            self.overlays.pop()
        elif len(self.stack) > 1:
            leaving = self.stack.pop()
            if leaving.id == "sale":
                self.guard(self.reg.session.go_menu)
            if self.screen.id == "sale":
                self.guard(self.reg.session.enter_receipt)
        elif self.screen.parent and self.screen.id not in LIFECYCLE_SCREENS.values():
            self.stack = [self.make(self.screen.parent)]
        self.refresh()

    def home(self) -> None:
        if self.stack and self.stack[-1].id == "sale":
            self.guard(self.reg.session.go_menu)
        self.overlays.clear()
        self.stack = [self.make("menu")]
        self.refresh()

    def refresh(self) -> None:
        self._dirty = True

    # ----- overlays -----------------------------------------------------------------------------
    def open(self, overlay: Overlay) -> Overlay:
        self.overlays.append(overlay)
        self.refresh()
        return overlay

    def close_overlay(self, overlay: Overlay) -> None:
        if overlay in self.overlays:
            self.overlays.remove(overlay)
        self.refresh()

    def message(self, title: str, text: str, choices=(), problem: bool = False) -> Overlay:
        return self.open(Message(self, title, text, choices, problem=problem))

    def confirm(self, title: str, text: str, yes: Callable[[], None], yes_label: str | None = None,
                danger: bool = False) -> Overlay:
        return self.message(title, text, [("dialog.no", self.t("ui.no"), None, "secondary"),
                                          ("dialog.yes", yes_label or self.t("ui.yes"), yes,
                                           "danger" if danger else "primary")])

    def keypad(self, title: str, on_ok: Callable[[str], None], **kw) -> Overlay:
        return self.open(Keypad(self, title, on_ok, **kw))

    def keyboard(self, title: str, on_ok: Callable[[str], None], **kw) -> Overlay:
        return self.open(Keyboard(self, title, on_ok, **kw))

    def context(self, title: str, choices) -> Overlay:
        return self.open(ContextMenu(self, title, choices))

    def toggle_side(self) -> None:
        from screens.side import SideMenu
        if any(isinstance(o, SideMenu) for o in self.overlays):
            self.close_side()
        elif self.screen.side_menu:
            self.overlays = [o for o in self.overlays if not isinstance(o, SideMenu)]
            self.open(SideMenu(self))

    def close_side(self) -> None:
        from screens.side import SideMenu
        self.overlays = [o for o in self.overlays if not isinstance(o, SideMenu)]
        self.refresh()

    def side_open(self) -> bool:
        from screens.side import SideMenu
        return any(isinstance(o, SideMenu) for o in self.overlays)

    def hide_progress(self) -> None:
        self.overlays = [o for o in self.overlays if not isinstance(o, Progress)]
        self.refresh()

    # ----- running operations ---------------------------------------------------------------------
    def guard(self, fn: Callable, *args, retry: bool = False, **kw) -> bool:
        """Run a facade operation; a refusal becomes a dialog with its message and what to do next."""
        from fsm.errors import OperationError
        try:
            fn(*args, **kw)
        except OperationError as e:
            self.fail(e.code, e.message, (lambda: self.guard(fn, *args, retry=retry, **kw)) if retry else None,
                      variant=e.variant)
            return False
        except CodedError as e:
            self.fail(e.code, e.message, variant=e.variant)
            return False
        finally:
            self.show_notices()
            self.refresh()
        return True

    def fail(self, code: str, message: str, retry: Callable[[], None] | None = None, variant: str | None = None) -> None:
        """A refusal: its message and what to do next — the variant's own hint, else the code's (a variant
        names a more specific cause, so the code's general hint may not apply to it)."""
        hint_key = f"ui.next.{variant or code}"
        hint = self.t(hint_key)
        text = message if hint == hint_key else f"{message}\n{hint}"
        choices = [("dialog.ok", self.t("ui.ok"), None, "secondary" if retry else "primary")]
        if retry:
            choices.append(("dialog.retry", self.t("ui.retry"), retry, "primary"))
        self.hide_progress()
        self.message(self.t("ui.error.title"), text, choices, problem=True)

    def show_notices(self) -> None:
        """The register's non-fatal notices (a document not printed, a report not exported), shown once."""
        notices = getattr(self.reg, "notices", None)
        msgs = notices.take() if notices is not None else []
        if msgs:
            self.message(self.t("ui.notice.title"), "\n".join(msgs))

    # ----- the frame ------------------------------------------------------------------------------
    def rebuild(self) -> None:
        self.sync_lifecycle()
        try:
            self._build()
        except Exception:  # a screen that cannot draw must not take the till down: go back and say why
            log.exception("screen %s failed to draw", self.screen.id)
            if len(self.stack) > 1:
                self.stack.pop()
            else:
                self.stack = [self.make("menu" if self.reg.session.user else LIFECYCLE_SCREENS.get(self.reg.session.state, "lock"))]
            self.overlays = []
            self.fail("INTERNAL", self.t("ui.error.internal_short"))
            self._build()
        self._dirty = False
        if self._trim_after_build or self.screen is not self._built_for:
            # a new screen has just replaced the old one's surfaces: hand the freed pages back (screens.memory)
            self._trim_after_build, self._built_for = False, self.screen
            trim_heap()

    def _build(self) -> None:
        self.ui.reset()
        self.screen.build(self.ui, self.lay)
        for i, ov in enumerate(self.overlays, start=1):
            ov.build(self.ui, self.lay, i)
        self.ui.finish()
        self.ui.modal_layer = len(self.overlays)

    def step(self, events: list | None = None) -> None:
        """Handle input (the given events, else pygame's queue), device events and timers; rebuild if needed."""
        events = pygame.event.get() if events is None else events
        if self.foreign is not None:
            events = [e for e in events if not self.foreign(e)]
        if self.job is not None:
            self.step_busy(events)
            return
        for e in events:
            self.handle(e)
        while True:
            try:
                kind, payload = self.queue.get_nowait()
            except queue.Empty:
                break
            if kind == "scan":
                self.on_scan(str(payload))
            elif kind == "qty" and hasattr(self.screen, "on_qty"):
                self.screen.on_qty(str(payload))
            elif kind == "scan_error":
                self.fail(payload.code, payload.message)
            elif kind == "job_done":                     # a job that ended after a screen bug reset the loop
                self.job_finished(payload)
            if self.job is not None:                     # a scan started a job: the rest waits for its end
                return
        self.check_long_press()
        if (self.reg.session.state, self.reg.session.user) != self._seen:
            self._seen = (self.reg.session.state, self.reg.session.user)
            self.refresh()
        tick = getattr(self.screen, "tick", None)
        if tick and tick(self.now()):
            self.refresh()
        for ov in self.overlays:
            if getattr(ov, "tick", None) and ov.tick(self.now()):
                self.refresh()
        if self._dirty:
            self.rebuild()

    def render_frame(self) -> pygame.Surface:
        now = time.monotonic()
        self.manager.update(min(0.1, now - self._last))
        self._last = now
        self.window.fill((247, 248, 250))
        self.manager.draw_ui(self.window)
        return self.window

    def run(self) -> None:
        """The main loop until the window is closed."""
        self.start_scanner()
        clock = pygame.time.Clock()
        try:
            while self.running:
                self.step()
                self.render_frame()
                pygame.display.flip()
                if self.on_frame:
                    self.on_frame()
                clock.tick(30)
        finally:
            self._stop.set()
            if self._scanner_thread:
                self._scanner_thread.join(timeout=1)
