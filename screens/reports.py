"""Отчеты: the list, an on-screen preview of each report exactly as it prints, and printing it."""
from __future__ import annotations

import pygame

from fiscal.layout import PrintedDocument, PrintLine, render, render_x_report
from fiscal.money import format_money, format_qty
from screens.base import Layout, Screen, split_v, take_bottom
from screens.receipts import text_view
from screens.widgets import Ui

Rect = pygame.Rect

REPORTS = (("x", "x_report"), ("z", "reports_menu"), ("items", "report_items"), ("payments", "report_payments"),
           ("stock", "report_stock"))


def _row(left: str, right: str, width: int) -> PrintLine:
    room = width - len(right) - 1
    return PrintLine((left if len(left) <= room else left[:room - 1] + "…").ljust(room) + " " + right)


def build_report(reg, kind: str, t) -> PrintedDocument:
    """The printed form of a report (non-fiscal ones are laid out here; fiscal ones by fiscal.layout)."""
    req, width = reg.settings.requisites(), reg.params.printer_width
    if kind == "x":
        return render_x_report(reg.shift_counters(), req, width, reg.now(), reg.cashier_name)
    if kind == "z":
        last = reg.journal.last_document(types=["shift_close"])
        if last is None:
            return PrintedDocument(t("ui.reports.z"), width, (PrintLine(t("ui.reports.no_z")),))
        return render(last.doc, last.registration, req, width)
    title = t(f"ui.reports.{kind}")
    lines = [PrintLine(req.org_name), PrintLine(req.shop_name), PrintLine(title.upper(), bold=True), PrintLine("-" * width)]
    start = reg.shift_opened_at.isoformat() if reg.shift_opened_at else reg.now()[:10]
    if kind == "items":
        rows = reg.journal.sales_by_item(start, "9999")
        for r in rows:
            lines.append(PrintLine(r.name))
            lines.append(_row(f"  {format_qty(r.sold_qty)}", format_money(r.sold_sum), width))
            if r.refunded_qty:
                lines.append(_row(f"  {t('ui.reports.refunded')} {format_qty(r.refunded_qty)}",
                                  "-" + format_money(r.refunded_sum), width))
        if not rows:
            lines.append(PrintLine(t("ui.reports.empty")))
    elif kind == "payments":
        totals = reg.journal.totals_by_payment(start, "9999")
        for ptype, tot in totals.items():
            lines.append(_row(t(f"ui.pay.type.{ptype.value}"), format_money(tot.sales), width))
            if tot.refunds:
                lines.append(_row(f"  {t('ui.reports.refunded')}", "-" + format_money(tot.refunds), width))
        if not totals:
            lines.append(PrintLine(t("ui.reports.empty")))
    elif kind == "stock":
        for item in reg.catalog.items():
            if item.stock is not None:
                lines.append(_row(item.name, format_qty(item.stock), width))
    lines += [PrintLine("-" * width), PrintLine(reg.now()[:16].replace("T", " "))]
    return PrintedDocument(title, width, tuple(lines))


class ReportsScreen(Screen):
    id = "reports"
    title_key = "ui.reports.title"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        rows = split_v(Rect(area.left, area.top, area.width, min(area.height, len(REPORTS) * (lay.btn + lay.gap))),
                       [0] * len(REPORTS), lay.gap)
        for (kind, rule), r in zip(REPORTS, rows):
            denial = self.reg.allowed(rule) if kind != "x" else None
            ui.button(f"reports.{kind}", r, self.t(f"ui.reports.{kind}"),
                      lambda k=kind: self.app.go("report_preview", kind=k), style="row",
                      enabled=denial is None, reason=denial.reason if denial else None)


class ReportPreviewScreen(Screen):
    id = "report_preview"
    title_key = "ui.reports.preview"
    parent = "reports"

    def title(self) -> str:
        return self.t(f"ui.reports.{self.params.get('kind', 'x')}")

    def print_it(self) -> None:
        kind = self.params.get("kind", "x")
        if kind == "x":
            self.app.guard(self.reg.x_report, retry=True)
            return

        def send() -> None:
            self.reg.check_printer()
            self.reg.devices.printer.print_document(build_report(self.reg, kind, self.t))
        if self.app.guard(send, retry=True):
            self.app.message(self.t("ui.cash.done"), self.t("ui.reports.printed"))

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        kind = str(self.params.get("kind", "x"))
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        denial = self.reg.allowed("x_report") if kind == "x" else None
        ui.button("report.print", bottom, self.t("ui.reports.print"), self.print_it, style="primary",
                  enabled=denial is None, reason=denial.reason if denial else None)
        doc = build_report(self.reg, kind, self.t)
        text_view(self, ui, lay, area, [ln.text for ln in doc.lines], "report")
