"""Диагностика (the key button on the login screen): each device, the SKO and its uplink, storage; green or red with why.

The checks only read device status through the same drivers the register uses; nothing is
changed. The checks themselves are `fsm.diagnostics`, shared with `zpos diag`.
"""
from __future__ import annotations

import pygame

from fsm.diagnostics import Check
from screens.base import Layout, Screen, split_v, take_bottom
from screens.widgets import Ui

Rect = pygame.Rect


def run_checks(reg) -> list[Check]:
    """The checks of `fsm.diagnostics` (also `zpos diag`) on the register's own devices and journal."""
    return reg.hardware.diagnostics()


class DiagnosticsScreen(Screen):
    id = "diagnostics"
    title_key = "ui.diag.title"
    parent = "login"
    side_menu = False

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.checks = run_checks(self.reg)

    def again(self) -> None:
        self.checks = run_checks(self.reg)
        self.app.refresh()

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        ui.button("diag.refresh", bottom, self.t("ui.diag.refresh"), self.again, style="primary")

        def row(r: Rect, c: Check, i: int) -> None:
            ui.panel(r, "card")
            inner = r.inflate(-2 * lay.pad, -4)
            a, b = split_v(inner, [0.5, 0], 0)
            mark = self.t("ui.diag.ok") if c.ok else self.t("ui.diag.problem")
            ui.label(a, f"{c.title}: {mark}", "good" if c.ok else "error", wid=f"diag.{i}")
            ui.label(b, c.detail, "body")
        row_h = max(lay.row, 2 * ui.line_h("body") + 4)
        self.paged(ui, lay, area, self.checks, row_h, row, "diag")
