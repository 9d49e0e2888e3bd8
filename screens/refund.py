"""Возврат по чеку: pick the lines and quantities of an earlier sale, the way the money goes back, and confirm."""
from __future__ import annotations

import pygame

from fiscal.money import format_money, format_qty, parse_qty
from screens.base import Layout, Screen, split_h, take_bottom, take_top
from screens.widgets import Ui

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
            except Exception:
                return
            if 0 < q <= self.left[n]:
                self.chosen[n] = q
            else:
                self.app.fail("QTY_RANGE", self.t("ui.refund.qty_range", left=format_qty(self.left[n])))
            self.app.refresh()
        self.app.keypad(self.t("ui.refund.qty_prompt", n=n), done, kind="qty")

    def ok(self) -> None:
        if not self.chosen:
            self.app.message(self.t("ui.refund.nothing_title"), self.t("ui.refund.nothing"))
            return
        lines = [{"line": n, "qty": format_qty(q)} for n, q in sorted(self.chosen.items())]
        if self.app.guard(self.reg.refunds.refund, self.number, lines, {self.ptype: None}, retry=True):
            self.app.back()
            self.app.message(self.t("ui.cash.done"), self.t("ui.refund.done"))

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        if self.entry is None:
            ui.paragraph(area, self.t("ui.receipts.gone"), "muted")
            return
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        cells = split_h(bottom, [0] * len(self.types) + [0.5 if lay.portrait else 0.34], lay.gap)
        for ptype, r in zip(self.types, cells):
            ui.button(f"refund.pay.{ptype}", r, self.t(f"ui.pay.type.{ptype}"), lambda p=ptype: self.pick(p),
                      style="selected" if ptype == self.ptype else "secondary")
        ui.button("refund.ok", cells[-1], self.t("ui.refund.ok"), self.ok, style="primary")
        hint, area = take_top(area, ui.line_h("muted"), lay.gap)
        ui.label(hint, self.t("ui.refund.hint"), "muted")
        lines = list(self.entry.doc.lines)

        def row(r: Rect, ln, i: int) -> None:
            n = i + 1
            qty_w = min(lay.theme.px(170), r.width // 3)
            name_r, qty_r = split_h(r, [0, qty_w], lay.gap)
            picked = n in self.chosen
            left = self.left.get(n, 0)
            text = f"{n}. {ln.name} — {format_money(ln.total)}"
            ui.button(f"refund.line.{n}", name_r, text, lambda: self.toggle(n),
                      style="row_selected" if picked else "row", enabled=left > 0,
                      reason=self.t("ui.refund.all_returned"))
            q = format_qty(self.chosen[n]) if picked else f"0 / {format_qty(left)}"
            ui.button(f"refund.qty.{n}", qty_r, q, lambda: self.set_qty(n), enabled=left > 0,
                      reason=self.t("ui.refund.all_returned"))
        self.paged(ui, lay, area, lines, lay.row, row, "refund.lines")

    def pick(self, ptype: str) -> None:
        self.ptype = ptype
        self.app.refresh()
