"""Возврат по чеку: pick the lines and quantities of an earlier sale, the way the money goes back, and confirm."""
from __future__ import annotations

import pygame

from fiscal.money import format_money, format_qty, parse_qty
from fsm.refunds import refund_share
from screens.base import Layout, Screen, split_h, take_bottom, take_top
from screens.sale_view import qty_text
from screens.widgets import Ui
from texts.errors import CodedError

Rect = pygame.Rect


class RefundScreen(Screen):
    id = "refund"
    title_key = "ui.refund.title"
    parent = "receipt_detail"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.number = int(params.get("number", 0))
        self.entry = self.reg.docs.entry(self.number)
        done = self.reg.refunds.refunded_qty(self.number) if self.entry else {}
        lines = self.entry.doc.lines if self.entry else ()
        self.left = {i + 1: ln.qty - done.get(i, 0) for i, ln in enumerate(lines)}
        self.chosen: dict[int, int] = {}
        types = [p.type.value for p in self.entry.doc.payments] if self.entry else ["cash"]
        self.types = list(dict.fromkeys(types + ["cash"]))
        self.ptype = self.types[0]

    def title(self) -> str:
        return self.t("ui.refund.title", n=self.number)

    def toggle(self, n: int) -> None:
        if n in self.chosen:
            del self.chosen[n]
        elif self.left.get(n, 0) > 0:
            self.chosen[n] = self.left[n]
        self.app.refresh()

    def set_qty(self, n: int) -> None:
        def done(v: str) -> None:
            try:
                q = parse_qty(v, "qty", exact=False)
            except CodedError as e:
                self.app.fail(e.code, e.message, variant=e.variant)
                return
            if 0 < q <= self.left[n]:
                self.chosen[n] = q
            else:
                self.app.fail("QTY_RANGE", self.t("ui.refund.qty_range", left=format_qty(self.left[n])))
            self.app.refresh()
        self.app.keypad(self.t("ui.refund.qty_prompt", n=n), done, kind="qty")

    def total(self) -> int:
        """What goes back for the chosen lines and quantities (the register's own share rule)."""
        lines = self.entry.doc.lines if self.entry else ()
        return sum(refund_share(lines[n - 1].total, lines[n - 1].qty, q) for n, q in self.chosen.items())

    def ok(self) -> None:
        """The refund's total by tender, confirmed before anything fiscal happens."""
        if not self.chosen:
            self.app.message(self.t("ui.refund.nothing_title"), self.t("ui.refund.nothing"))
            return
        total = format_money(self.total())
        how = self.t(f"ui.pay.type.{self.ptype}")
        self.app.confirm(self.t("ui.refund.confirm_title"),
                         self.t("ui.refund.confirm_text", sum=total, how=how, n=self.number, lines=len(self.chosen)),
                         self.do_refund, self.t("ui.refund.confirm_yes", sum=total))

    def do_refund(self) -> None:
        lines = [{"line": n, "qty": format_qty(q)} for n, q in sorted(self.chosen.items())]
        refunds, number, ptype = self.reg.refunds, self.number, self.ptype

        def done(_outcome) -> None:
            self.app.back()
            self.app.message(self.t("ui.cash.done"), self.t("ui.refund.done"))
        # a card refund talks to the terminal: it runs off the UI thread like a payment
        self.app.work(lambda post: refunds.refund(number, lines, {ptype: None}), title=self.t("ui.refund.working"),
                      text=self.t("ui.pay.printing"), on_done=done, retry=True)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        if self.entry is None:
            ui.paragraph(area, self.t("ui.receipts.gone"), "muted")
            return
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        if lay.portrait:                       # the tenders on a row of their own, the refund button below
            ok_r = bottom
            tenders, area = take_bottom(area, lay.btn, lay.gap)
            cells = split_h(tenders, [0] * len(self.types), lay.gap)
        else:
            cells = split_h(bottom, [0] * len(self.types) + [0.4], lay.gap)
            ok_r = cells[-1]
        for ptype, r in zip(self.types, cells):
            ui.button(f"refund.pay.{ptype}", r, self.t(f"ui.pay.type.{ptype}"), lambda p=ptype: self.pick(p),
                      style="selected" if ptype == self.ptype else "secondary")
        ui.button("refund.ok", ok_r, self.t("ui.refund.ok_sum", sum=format_money(self.total())), self.ok,
                  style="primary", icon="arrow-rotate-left", enabled=bool(self.chosen), reason=self.t("ui.refund.nothing"))
        hint, area = take_top(area, ui.line_h("muted"), lay.gap)
        ui.label(hint, self.t("ui.refund.hint"), "muted")
        lines = list(self.entry.doc.lines)
        t = self.t

        def row(r: Rect, ln, i: int) -> None:
            n = i + 1
            qty_w = min(lay.theme.px(150), r.width // 4)
            name_r, qty_r = split_h(r, [0, qty_w], lay.gap)
            picked = n in self.chosen
            left = self.left.get(n, 0)
            weighed = ln.qty % 1000 != 0
            aside = ((format_money(ln.total), "strong_r"),
                     (f"{qty_text(t, ln.qty, weighed)} × {format_money(ln.price)}", "muted_r"))
            ui.button(f"refund.line.{n}", name_r, f"{n}. {ln.name}", lambda: self.toggle(n),
                      style="row_selected" if picked else "row", enabled=left > 0,
                      reason=t("ui.refund.all_returned"), aside=aside, lines=2)
            q = qty_text(t, self.chosen[n], weighed) if picked else f"0 / {qty_text(t, left, weighed)}"
            ui.button(f"refund.qty.{n}", qty_r, q, lambda: self.set_qty(n), enabled=left > 0,
                      reason=t("ui.refund.all_returned"))
        row_h = max(lay.row, 2 * ui.line_h("muted"))
        self.paged(ui, lay, area, lines, row_h, row, "refund.lines")

    def pick(self, ptype: str) -> None:
        self.ptype = ptype
        self.app.refresh()
