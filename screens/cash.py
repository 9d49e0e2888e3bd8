"""Касса: open and close the shift (Z), X report, cash in and out, with the shift state and the cash in the drawer."""
from __future__ import annotations

import pygame

from fiscal.money import format_money
from screens.base import Layout, Screen, grid, split_h, split_v, take_top
from screens.widgets import Ui

Rect = pygame.Rect

ACTIONS = (("open_shift", "open_shift"), ("close_shift", "close_shift"), ("x_report", "x_report"),
           ("cash_in", "cash_in"), ("cash_out", "cash_out"), ("reprint", "reprint"), ("self_service", "self_service"))


class CashScreen(Screen):
    id = "cash"
    title_key = "ui.cash.title"

    def act(self, name: str) -> None:
        reg, t = self.reg, self.t
        if name == "open_shift":
            if self.app.guard(reg.shifts.open_shift, retry=True):
                self.app.message(t("ui.cash.done"), t("ui.cash.opened", n=reg.shifts.number))
        elif name == "close_shift":
            shifts, n = reg.shifts, reg.shifts.number

            def close() -> None:
                self.app.work(lambda post: shifts.close_shift(), title=t("ui.cash.close_shift"),
                              text=t("ui.pay.printing"), retry=True,
                              on_done=lambda _r: self.app.message(t("ui.cash.done"), t("ui.cash.closed_n", n=n)))
            self.app.confirm(t("ui.cash.close_title"), t("ui.cash.close_text", n=n), close, t("ui.cash.close_yes"),
                             danger=True)
        elif name == "x_report":
            shifts = reg.shifts
            self.app.work(lambda post: shifts.x_report(), title=t("ui.cash.x_report"), text=t("ui.cash.printing"),
                          retry=True, on_done=lambda _r: self.app.message(t("ui.cash.done"), t("ui.cash.x_done")))
        elif name in ("cash_in", "cash_out"):
            fn = reg.shifts.cash_in if name == "cash_in" else reg.shifts.cash_out

            def done(v: str) -> None:
                if self.app.guard(fn, v):
                    self.app.message(t("ui.cash.done"), t(f"ui.cash.{name}_done", sum=self.drawer()))
            self.app.keypad(t(f"ui.cash.{name}_prompt"), done, kind="money")
        elif name == "self_service":
            self.app.guard(reg.session.start_self_service)
        elif name == "reprint":
            docs = reg.docs

            def reprinted(n) -> None:
                self.app.message(t("ui.cash.done"), t("ui.cash.reprinted", n=n))
            self.app.work(lambda post: docs.reprint(), title=t("ui.cash.reprint"), text=t("ui.cash.printing"),
                          retry=True, on_done=reprinted)

    def drawer(self) -> str:
        try:
            return format_money(self.reg.shifts.cash_in_drawer())
        except Exception:  # the SKO is unreachable: the screen still works, the figure is unknown
            return "—"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        reg = self.reg
        lh = ui.line_h("body")
        info_h = 4 * lh + 2 * lay.pad
        info, rest = take_top(area, info_h, lay.pad)
        ui.panel(info, "card")
        inner = info.inflate(-2 * lay.pad, -2 * lay.pad)
        state = str(reg.shifts.state)
        opened = reg.shifts.opened_at.strftime("%d.%m.%Y %H:%M") if reg.shifts.opened_at and state != "closed" else "—"
        docs = reg.shifts.documents_in_shift() if state != "closed" else {}
        rows = [(self.t("ui.cash.shift"), self.t(f"ui.shift.{state}_n" if state == "open" else f"ui.shift.{state}",
                                                 n=reg.shifts.number), "error" if state == "expired" else "strong"),
                (self.t("ui.cash.opened_at"), opened, "body"),
                (self.t("ui.cash.drawer"), self.drawer(), "strong"),
                (self.t("ui.cash.receipts"), str(docs.get("sale", 0)), "body")]
        for (k, v, style), r in zip(rows, split_v(inner, [0] * 4, 0)):
            a, b = split_h(r, [0.5, 0], lay.gap)
            ui.label(a, k, "muted")
            ui.label(b, v, style, wid=f"cash.info.{rows.index((k, v, style))}")
        cols, nrows = (2, 4) if lay.portrait else (4, 2) if lay.w >= 1200 else (3, 3)
        box_h = min(rest.height, nrows * (lay.btn * 3 + lay.gap))            # bigger screens: bigger buttons
        not_printed = len(reg.docs.not_printed())
        for (name, rule), cell in zip(ACTIONS, grid(Rect(rest.left, rest.top, rest.width, box_h), cols, nrows, lay.gap * 2)):
            denial = reg.session.allowed(rule)
            enabled, reason = denial is None, denial.reason if denial else None
            if name == "reprint" and enabled and not not_printed:
                enabled, reason = False, self.t("ui.receipts.all_printed")
            ui.button(f"cash.{name}", cell, self.t(f"ui.cash.{name}"), lambda n=name: self.act(n),
                      style="menu_danger" if name == "close_shift" else "menu",
                      enabled=enabled, reason=reason, icon=ICONS[name], lines=2)


ICONS = {"open_shift": "unlock", "close_shift": "lock", "x_report": "file-lines", "cash_in": "money-bill-transfer",
         "cash_out": "hand-holding-dollar", "reprint": "print", "self_service": "store"}
