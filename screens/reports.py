"""Отчеты: the list, an on-screen preview of each report exactly as it prints, and printing it."""
from __future__ import annotations

import pygame

from screens.base import Layout, Screen, split_v, take_bottom
from screens.receipts import text_view
from screens.widgets import Ui

Rect = pygame.Rect

REPORTS = (("x", "x_report"), ("z", "reports_menu"), ("items", "report_items"), ("payments", "report_payments"),
           ("stock", "report_stock"))


class ReportsScreen(Screen):
    id = "reports"
    title_key = "ui.reports.title"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        n = len(REPORTS) + 1
        rows = split_v(Rect(area.left, area.top, area.width, min(area.height, n * (lay.btn + lay.gap))),
                       [0] * n, lay.gap)
        for (kind, rule), r in zip(REPORTS, rows):
            denial = self.reg.session.allowed(rule) if kind != "x" else None
            ui.button(f"reports.{kind}", r, self.t(f"ui.reports.{kind}"),
                      lambda k=kind: self.app.go("report_preview", kind=k), style="row",
                      enabled=denial is None, reason=denial.reason if denial else None)
        ui.button("reports.period", rows[-1], self.t("ui.period.title"), lambda: self.app.go("period_report"),
                  style="row")


class ReportPreviewScreen(Screen):
    id = "report_preview"
    title_key = "ui.reports.preview"
    parent = "reports"

    def title(self) -> str:
        return self.t(f"ui.reports.{self.params.get('kind', 'x')}")

    def print_it(self) -> None:
        kind = self.params.get("kind", "x")
        if kind == "x":
            self.app.guard(self.reg.shifts.x_report, retry=True)
            return

        if self.app.guard(self.reg.reports.print_report, kind, retry=True):
            self.app.message(self.t("ui.cash.done"), self.t("ui.reports.printed"))

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        kind = str(self.params.get("kind", "x"))
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        denial = self.reg.session.allowed("x_report") if kind == "x" else None
        ui.button("report.print", bottom, self.t("ui.reports.print"), self.print_it, style="primary",
                  enabled=denial is None, reason=denial.reason if denial else None)
        doc = self.reg.reports.document(kind)
        text_view(self, ui, lay, area, [ln.text for ln in doc.lines], "report")
