"""The scales sheet: a live reading read off the UI thread, the weighed goods, and a wait for a stable weight with «Отмена»."""
from __future__ import annotations

import threading

import pygame

from fiscal.money import format_money, format_qty
from screens.base import Layout, grid, take_bottom, take_top
from screens.dialogs import Overlay
from screens.widgets import Ui
from texts.errors import CodedError

Rect = pygame.Rect


class WeightOverlay(Overlay):
    """The scales: a live reading with a stable mark, and the weighed goods to put on the receipt.

    The scales are polled by a thread; the UI only picks up the latest reading. Goods tapped while
    the weight is not yet stable wait (the sheet says so) and go on the receipt the moment it
    settles — or never, if the cashier taps «Отмена». Nothing here blocks the main loop."""

    id = "weight"
    POLL_S = 0.25

    def __init__(self, app, sale, pending: str | None = None) -> None:
        super().__init__(app)
        self.sale = sale
        self.reading = None
        self.problem: str | None = None
        self.pending = pending                  # an item code waiting for a stable weight
        self._latest: tuple = (None, None)
        self._stop = threading.Event()
        self._first = threading.Event()
        self._pending_at = app.now()
        self.has_scale = app.reg.hardware.has_scale
        self.goods = app.reg.goods.weighed()
        if not self.has_scale:
            self.problem = self.app.t("ui.weight.no_scale")
        else:
            hardware = app.reg.hardware
            self._poller = threading.Thread(target=self._poll_loop, args=(hardware,), name="ui-scale", daemon=True)
            self._poller.start()

    def _poll_loop(self, hardware) -> None:
        while not self._stop.is_set():
            try:
                self._latest = (hardware.read_scale(), None)
            except CodedError as e:
                self._latest = (None, e.message)
            self._first.set()
            self._stop.wait(self.POLL_S)

    @property
    def settling(self) -> bool:
        """For the headless driver: the first reading has not come yet, or goods wait (≤ 3 s) for a stable weight."""
        if not self.has_scale:
            return False
        if not self._first.is_set():
            return True
        return bool(self.pending) and self.app.now() - self._pending_at < 3.0

    def stable(self) -> bool:
        r = self.reading
        return bool(r is not None and not self.problem and r.stable and not r.overload and r.weight_g > 0)

    def tick(self, now: float) -> bool:
        if not self.has_scale:
            return False
        before = (self.reading, self.problem)
        self.reading, self.problem = self._latest
        if self.pending and self.stable():
            self.take(self.pending)
            return True
        return before != (self.reading, self.problem)

    def close(self) -> None:
        self._stop.set()
        super().close()

    def take(self, code: str) -> None:
        if not self.stable():
            self.pending = code                # goes on the receipt as soon as the weight settles
            self._pending_at = self.app.now()
            self.app.refresh()
            return
        weight = self.reading.weight_g
        self.pending = None
        self.close()
        self.sale.add(code, qty=format_qty(weight))

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        t = self.app.t
        goods = self.goods
        cols = 2 if lay.w >= 700 else 1
        rows_n = max(1, -(-len(goods) // cols))
        height = (ui.line_h("heading") + ui.line_h("big_c") + ui.line_h("good") + (rows_n + 1) * (lay.btn + lay.gap)
                  + 4 * lay.pad + 3 * lay.gap)
        area = self.sheet(ui, lay, layer, lay.theme.px(640), min(lay.h, height))
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, t("ui.weight.title"), "heading", layer)
        disp, rest = take_top(rest, ui.line_h("big_c"), lay.gap)
        r = self.reading
        if self.problem or r is None:
            ui.label(disp, "—", "big_c", layer, wid="weight.value")
            mark, style = self.problem or "", "error"
        else:
            ui.label(disp, f"{format_qty(r.weight_g)} {t('ui.weight.kg')}", "big_c", layer, wid="weight.value")
            if r.overload:
                mark, style = t("ui.weight.overload"), "error"
            elif r.stable and r.weight_g > 0:
                mark, style = t("ui.weight.stable"), "good"
            elif self.pending:
                mark, style = t("ui.weight.waiting"), "strong"
            else:
                mark, style = t("ui.weight.unstable"), "muted"
        status, rest = take_top(rest, ui.line_h(style), lay.gap)
        ui.label(status, mark, style, layer, wid="weight.status")
        cancel, rest = take_bottom(rest, lay.btn, lay.gap)
        ui.button("weight.cancel", cancel, t("ui.cancel"), self.close, style="secondary", layer=layer, icon="xmark")
        rows = max(1, (rest.height + lay.gap) // (lay.btn + lay.gap))
        cells = grid(Rect(rest.left, rest.top, rest.width, rows * (lay.btn + lay.gap) - lay.gap), cols, rows, lay.gap)
        for item, cell in zip(goods, cells):
            ui.button(f"weigh.item.{item.code}", cell, f"{item.name} — {format_money(item.price)}",
                      lambda c=item.code: self.take(c), style="selected" if item.code == self.pending else "tile",
                      layer=layer, lines=2)
