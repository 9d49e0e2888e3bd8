"""Самообслуживание: the customer scans goods and pays by card or ОПЛАТИ; the cashier ends it with a password."""
from __future__ import annotations

import pygame

from fiscal.money import format_money
from screens.base import Layout, Screen, split_h, split_v, take_bottom, take_top
from screens.sale_view import line_amounts
from screens.widgets import Ui

Rect = pygame.Rect
MAX_LINES_SHOWN = 8


class SelfServiceScreen(Screen):
    id = "self_service"
    title_key = "ui.self.title"
    parent = None
    side_menu = False

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)

    def header_buttons(self) -> list:
        return [("self.cashier", self.t("ui.self.cashier"), self.end)]

    def on_scan(self, code: str) -> None:
        self.app.guard(self.reg.sale.scan, code)

    def due(self) -> int:
        return self.reg.sale.receipt.calc().total_due if self.reg.sale.receipt.lines else 0

    def pay(self, kind: str) -> None:
        """The customer's payment runs in a worker with the terminal's words or the ОПЛАТИ QR, and «Отмена»."""
        amount = format_money(self.due())
        checkout = self.reg.checkout

        def run(post):
            def progress(info) -> None:
                qr = checkout.oplati_qr
                if qr:
                    post({"title": self.t("ui.pay.oplati_title"), "text": self.t("ui.pay.oplati_scan", sum=amount),
                          "qr": qr})
                else:
                    post({"text": str(info.get("text", "") if isinstance(info, dict) else info or "")})
            return checkout.pay({kind: amount}, progress=progress)
        self.app.work(run, title=self.t("ui.pay.oplati_title" if kind == "oplati" else "ui.pay.card_title"),
                      text=self.t("ui.pay.wait_terminal"), cancel=checkout.request_abort,
                      on_done=lambda _r: self.app.message(self.t("ui.self.title"), self.t("ui.self.thanks")))

    def cancel(self) -> None:
        self.app.confirm(self.t("ui.self.cancel"), self.t("ui.self.cancel_text"),
                         lambda: self.app.guard(self.reg.sale.cancel_receipt), self.t("ui.yes"))

    def end(self) -> None:
        self.app.keypad(self.t("ui.self.password"), lambda v: self.app.guard(self.reg.session.end_self_service, v),
                        kind="pin", hidden=True)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        lines = self.reg.sale.receipt.lines
        if lay.portrait:
            left, right = split_v(area, [0.55, 0], lay.gap * 2)
        else:
            left, right = split_h(area, [0.55, 0], lay.gap * 2)
        total_r, list_r = take_bottom(left, lay.btn + ui.line_h("heading"), lay.gap)
        ui.panel(list_r, "card")
        inner = list_r.inflate(-2 * lay.pad, -2 * lay.pad)
        if not lines:
            ui.paragraph(inner, self.t("ui.self.empty"), "muted")
        totals = [ln.total for ln in self.reg.sale.receipt.calc().lines] if lines else []
        row_h = 2 * ui.line_h("body")
        shown = lines[-min(len(lines), max(1, inner.height // row_h), MAX_LINES_SHOWN):]
        first = len(lines) - len(shown) + 1
        for i, ln in enumerate(shown):
            r = Rect(inner.left, inner.top + i * row_h, inner.width, row_h)
            name_r, sum_r = split_h(r, [0, lay.theme.px(170)], lay.gap)
            top, bottom = split_v(sum_r, [0.5, 0], 0)
            ui.label(name_r, f"{first + i}. {ln.name}", "body", wid=f"self.line.{first + i}", lines=2)
            ui.label(top, format_money(totals[first + i - 1]), "strong_r")
            ui.label(bottom, line_amounts(self.t, ln), "muted_r")
        lab, val = split_h(total_r, [0.4, 0], lay.gap)
        ui.label(lab, self.t("ui.self.total"), "heading")
        ui.label(val, format_money(self.due()), "big", wid="self.total")

        prompt, rest = take_top(right, 3 * ui.line_h("heading"), lay.gap)
        marking = self.reg.marking.prompt()
        if marking is None:
            ui.paragraph(prompt, self.t("ui.self.prompt"), "heading")
        else:   # the customer is asked for the square code of the line that waits for it
            head, rest_p = take_top(prompt, ui.line_h("heading"), 0)
            ui.label(head, self.t("ui.marking.needed", name=marking.name, count=marking.needed), "heading",
                     wid="self.marking")
            ui.paragraph(rest_p, self.t("ui.marking.self_prompt"), "strong")
        buttons = split_v(Rect(rest.left, rest.bottom - 3 * (lay.btn * 2) - 2 * lay.gap, rest.width,
                               3 * (lay.btn * 2) + 2 * lay.gap), [0, 0, 0], lay.gap)
        has = bool(lines)
        ui.button("self.pay_card", buttons[0], self.t("ui.self.pay_card"), lambda: self.pay("card"), style="go",
                  enabled=has, reason=self.t("ui.self.empty"))
        ui.button("self.pay_oplati", buttons[1], self.t("ui.self.pay_oplati"), lambda: self.pay("oplati"),
                  style="primary", enabled=has and self.reg.hardware.has_oplati, reason=self.t("ui.self.empty"))
        ui.button("self.cancel", buttons[2], self.t("ui.self.cancel"), self.cancel, enabled=has,
                  reason=self.t("ui.self.empty"))
