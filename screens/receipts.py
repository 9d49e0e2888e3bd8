"""Чеки: the shifts, the documents of a shift, a document in detail (as printed), copy, annulment, reprint, refund."""
from __future__ import annotations

import logging

import pygame

from fiscal.money import format_money
from screens.base import Layout, Screen, split_h, take_bottom
from screens.widgets import Ui

Rect = pygame.Rect
log = logging.getLogger("zpos.screens")


def short_time(iso: str | None) -> str:
    if not iso:
        return "—"
    return f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]} {iso[11:16]}"


class ShiftsScreen(Screen):
    id = "receipts_shifts"
    title_key = "ui.receipts.shifts_title"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        shifts = list(reversed(self.reg.docs.shifts()))
        tools, area = take_bottom(area, lay.btn, lay.gap)
        a, b = split_h(tools, [0.5, 0], lay.gap)
        free = self.reg.session.allowed("refund_funds")
        ui.button("receipts.refund_free", a, self.t("ui.receipts.refund_free"), self.refund_free,
                  enabled=free is None, reason=free.reason if free else None, icon="arrow-rotate-left")
        not_printed = len(self.reg.docs.not_printed())
        ui.button("receipts.reprint", b, self.t("ui.receipts.reprint", n=not_printed), self.reprint,
                  enabled=not_printed > 0, reason=self.t("ui.receipts.all_printed"), icon="print")
        if not shifts:
            ui.paragraph(area, self.t("ui.receipts.no_shifts"), "muted")

        def row(r: Rect, s, _i: int) -> None:
            state = self.t("ui.receipts.shift_closed_at", at=short_time(s.closed)) if s.closed \
                else self.t("ui.receipts.shift_open")
            text = self.t("ui.receipts.shift_row", n=s.shift, opened=short_time(s.opened), state=state,
                          docs=s.documents)
            ui.button(f"shift.{s.shift}", r, text, lambda: self.app.go("receipts_list", shift=s.shift), style="row")
        self.paged(ui, lay, area, shifts, lay.row, row, "shifts")

    def refund_free(self) -> None:
        self.app.keypad(self.t("ui.receipts.refund_free_prompt"),
                        lambda v: self.app.guard(self.reg.refunds.refund_free, v, {"cash": None}), kind="money")

    def reprint(self) -> None:
        self.app.guard(self.reg.docs.reprint, retry=True)


class ReceiptsScreen(Screen):
    id = "receipts_list"
    title_key = "ui.receipts.list_title"
    parent = "receipts_shifts"

    def title(self) -> str:
        return self.t("ui.receipts.list_title", n=self.params.get("shift"))

    def header_buttons(self) -> list:
        return [("receipts.find", self.t("ui.receipts.find"), self.find)]

    def find(self) -> None:
        self.app.keypad(self.t("ui.receipts.find_prompt"), self.open_number, kind="int", max_len=9)

    def on_scan(self, code: str) -> None:
        """A receipt's number typed on a keyboard or read from its barcode opens it."""
        digits = "".join(ch for ch in code if ch.isdigit())
        if digits:
            self.open_number(digits[-9:])

    def open_number(self, value: str) -> None:
        n = int(value)
        if self.reg.docs.entry(n) is None:
            self.app.message(self.t("ui.receipts.find"), self.t("ui.receipts.not_found", n=n))
            return
        self.app.go("receipt_detail", number=n)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        docs = list(reversed(self.reg.docs.receipts(int(self.params.get("shift", 0)))))
        t = self.t

        def row(r: Rect, e, _i: int) -> None:
            doc = e.doc
            amount = getattr(doc, "total_due", None) if hasattr(doc, "total_due") else getattr(doc, "amount", None)
            negative = e.type in ("refund", "cash_out", "annulment")
            tenders = ", ".join(dict.fromkeys(t(f"ui.pay.type.{p.type.value}") for p in getattr(doc, "payments", ())))
            marks = [tenders] if tenders else []
            special = False
            if e.status != "printed":
                marks.append(t("ui.receipts.not_printed"))
                special = True
            if e.type == "sale" and self.reg.refunds.refunded_qty(e.number):
                marks.append(t("ui.receipts.refunded"))
                special = True
            head = f"№ {e.number} · {t(f'ui.doc.{e.type}')} · {short_time(doc.created)[11:]}"
            shown = "" if amount is None else (f"−{format_money(amount)}" if negative and amount else format_money(amount))
            aside = ((shown, "neg_r" if negative else "strong_r"), (" · ".join(marks), "mark_r" if special else "muted_r"))
            ui.button(f"doc.{e.number}", r, head, lambda: self.app.go("receipt_detail", number=e.number), style="row",
                      aside=aside if marks else aside[:1], lines=2)
        if not docs:
            ui.paragraph(area, t("ui.receipts.empty"), "muted")
        self.paged(ui, lay, area, docs, max(lay.row, 2 * ui.line_h("muted")), row, "docs")


class ReceiptDetailScreen(Screen):
    """The document as it was printed (from fiscal.layout), with what can be done to it."""

    id = "receipt_detail"
    title_key = "ui.receipts.detail_title"
    parent = "receipts_list"

    def title(self) -> str:
        return self.t("ui.receipts.detail_title", n=self.params.get("number"))

    def entry(self):
        return self.reg.docs.entry(int(self.params.get("number", 0)))

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        e = self.entry()
        if e is None:
            ui.paragraph(area, self.t("ui.receipts.gone"), "muted")
            return
        tools, area = take_bottom(area, lay.btn, lay.gap)
        is_sale = e.type == "sale"
        last = self.reg.docs.last_document(shift=self.reg.shifts.number)
        specs = [("detail.copy", "ui.receipts.copy", lambda: self.app.guard(self.reg.docs.copy, e.number, retry=True), "copy",
                  True),
                 ("detail.refund", "ui.receipts.refund", lambda: self.app.go("refund", number=e.number), "refund",
                  is_sale),
                 ("detail.annul", "ui.receipts.annul", self.annul, "annul",
                  last is not None and last.number == e.number and e.type in ("sale", "refund"))]
        for (wid, key, fn, rule, applies), r in zip(specs, split_h(tools, [0, 0, 0], lay.gap)):
            denial = self.reg.session.allowed(rule)
            reason = denial.reason if denial else self.t(f"ui.receipts.{rule}_na")
            ui.button(wid, r, self.t(key), fn, enabled=denial is None and applies, reason=reason,
                      style="danger" if rule == "annul" else "secondary",
                      icon={"copy": "print", "refund": "arrow-rotate-left", "annul": "ban"}[rule])
        text_view(self, ui, lay, area, self.printed_lines(e), "detail")

    def printed_lines(self, e) -> list[str]:
        try:
            printed = self.reg.docs.printed_form(e)
        except Exception as ex:  # a document that cannot be rendered is still listed, with why
            log.warning("document %s cannot be rendered: %s", e.number, ex)
            return [self.t("ui.receipts.cannot_render_short")]
        return [ln.text for ln in printed.lines]

    def annul(self) -> None:
        def yes() -> None:
            if self.app.guard(self.reg.docs.annul_last, retry=True):
                self.app.message(self.t("ui.cash.done"), self.t("ui.receipts.annulled"))
        self.app.confirm(self.t("ui.receipts.annul_title"), self.t("ui.receipts.annul_text", n=self.params["number"]),
                         yes, self.t("ui.receipts.annul"), danger=True)


def text_view(screen: Screen, ui: Ui, lay: Layout, area: Rect, lines: list[str], prefix: str) -> None:
    """Monospaced lines (a receipt or a report as printed) on a white strip, paged with ▲/▼."""
    lh = ui.line_h("mono") - 2
    ui.panel(area, "card")
    inner = area.inflate(-2 * lay.pad, -lay.pad)
    per = max(1, inner.height // lh)
    if len(lines) > per:
        nav_w = lay.btn
        inner = Rect(inner.left, inner.top, inner.width - nav_w - lay.gap, inner.height)
        pages = -(-len(lines) // per)
        screen.page = min(max(0, screen.page or 0), pages - 1)
        up = Rect(area.right - nav_w - 4, area.top + 4, nav_w, lay.btn)
        down = Rect(area.right - nav_w - 4, area.bottom - lay.btn - 4, nav_w, lay.btn)
        ui.button(f"{prefix}.up", up, "", lambda: screen.scroll(-1), enabled=screen.page > 0, style="nav",
                  icon="chevron-up")
        ui.button(f"{prefix}.down", down, "", lambda: screen.scroll(1), enabled=screen.page < pages - 1, style="nav",
                  icon="chevron-down")
    else:
        screen.page = 0
    start = (screen.page or 0) * per
    y = inner.top
    for text in lines[start:start + per]:
        ui.label(Rect(inner.left, y, inner.width, lh), text, "mono")
        y += lh
