"""Отчеты → За период: goods, payment types, stock or turnover for a date range, on screen, printed, exported."""
from __future__ import annotations

import datetime as dt

import pygame

from screens.base import Layout, Screen, split_h, take_bottom, take_top
from screens.exchange import place_text
from screens.maintenance import DatePicker
from screens.widgets import Ui
from texts.errors import CodedError

Rect = pygame.Rect

KINDS = ("goods", "payments", "stock", "turnover")


def _shown(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


class PeriodReportScreen(Screen):
    id = "period_report"
    title_key = "ui.period.title"
    parent = "reports"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        today = dt.date.fromisoformat(str(self.reg.now())[:10])
        self.kind = str(params.get("kind", "goods"))
        self.start: dt.date = params.get("start") or today       # type: ignore[assignment]
        self.end: dt.date = params.get("end") or today           # type: ignore[assignment]
        self._table = None
        self._key: tuple | None = None
        self._error: str | None = None

    @property
    def svc(self):
        return self.reg.exchange.reports

    def table(self):
        """The report for the chosen kind and days, asked once per change (a frame must not query the journal)."""
        key = (self.kind, self.start, self.end)
        if key != self._key:
            self._key, self._table, self._error = key, None, None
            try:
                self._table = self.svc.table(self.kind, self.start.isoformat(), self.end.isoformat())
            except CodedError as e:
                self._error = e.message
        return self._table

    def set_kind(self, kind: str) -> None:
        self.kind, self.page = kind, 0
        self.app.refresh()

    def pick(self, which: str) -> None:
        def picked(d: dt.date) -> None:
            if which == "start":
                self.start = d
                self.end = max(self.end, d)
            else:
                self.end = d
                self.start = min(self.start, d)
            self.page = 0
            self.app.refresh()
        title = self.t("ui.period.from_title" if which == "start" else "ui.period.to_title")
        self.app.open(DatePicker(self.app, title, self.start if which == "start" else self.end, picked))

    def print_it(self) -> None:
        table = self.table()
        if table is None:
            return
        self.app.work(lambda post: self.svc.print_table(table), title=self.t("ui.reports.print"),
                      text=self.t("ui.period.printing"), retry=True,
                      on_done=lambda _r: self.app.message(self.t("ui.cash.done"), self.t("ui.reports.printed")))

    def export(self) -> None:
        table = self.table()
        if table is None:
            return

        def to(place) -> None:
            def done(res) -> None:
                name, queued = res
                self.app.message(self.t("ui.cash.done"), self.t("ui.period.queued" if queued else "ui.period.exported",
                                                                name=name, place=place_text(self, place)))
            self.app.work(lambda post: self.svc.export(table, place.spec), title=self.t("ui.period.export"),
                          text=self.t("ui.exch.writing"), on_done=done)
        places = self.reg.exchange.places()[:6]
        self.app.context(self.t("ui.exch.to_where"), [(f"period.place.{i}", place_text(self, p),
                                                       lambda p=p: to(p), "secondary")
                                                      for i, p in enumerate(places, 1)])

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        t = self.t
        kinds, area = take_top(area, lay.btn, lay.gap)
        for kind, r in zip(KINDS, split_h(kinds, [0] * len(KINDS), lay.gap)):
            denial = self.svc.allowed(kind)
            ui.button(f"period.kind.{kind}", r, t(f"ui.period.kind.{kind}"), lambda k=kind: self.set_kind(k),
                      style="selected" if kind == self.kind else "secondary", enabled=denial is None,
                      reason=denial.reason if denial else None)
        dates, area = take_top(area, lay.btn, lay.gap)
        table = self.table()
        now_only = self.kind == "stock"
        d1, d2, pr, ex = split_h(dates, [0, 0, 0.2, 0.2], lay.gap)
        ui.button("period.from", d1, t("ui.period.from", date=_shown(self.start)), lambda: self.pick("start"),
                  icon="calendar-days", enabled=not now_only, reason=t("ui.period.stock_now"))
        ui.button("period.to", d2, t("ui.period.to", date=_shown(self.end)), lambda: self.pick("end"),
                  icon="calendar-days", enabled=not now_only, reason=t("ui.period.stock_now"))
        ui.button("period.print", pr, t("ui.period.print"), self.print_it, icon="print", enabled=table is not None,
                  reason=self._error)
        ui.button("period.export", ex, t("ui.period.export"), self.export, icon="file-export",
                  enabled=table is not None, reason=self._error)
        if table is None:
            ui.paragraph(area, self._error or "", "muted")
            return
        total, area = take_bottom(area, ui.line_h("strong"), lay.gap)
        ui.label(total, table.total, "strong_r", wid="period.total")
        if not table.rows:
            ui.paragraph(area, t("ui.period.empty"), "muted")
            return

        def row(r: Rect, item, i: int) -> None:
            ui.button(f"period.row.{i + 1}", r, item.title, None, style="row", sub=item.sub,
                      aside=((item.value, "strong_r"),))
        self.paged(ui, lay, area, list(table.rows), max(lay.row, 2 * ui.line_h("muted")), row, "period")
