"""Оплата: every payment type, the amount keypad with quick-cash buttons, card progress, the ОПЛАТИ QR; then the change, large."""
from __future__ import annotations

import pygame

from fiscal.money import format_money, parse_money
from screens.base import Layout, Screen, grid, split_h, split_v, take_bottom, take_top
from screens.dialogs import draw_keys, keypad_input
from screens.sale_view import calc_of
from screens.widgets import Ui

Rect = pygame.Rect

TYPES = ("cash", "card", "oplati", "certificate", "cashless_other", "advance_other")
NOTES = (5, 10, 20, 50, 100, 200, 500)          # rubles


def quick_amounts(due: int) -> list[int]:
    """Quick-cash buttons (whole rubles, kopecks): the next whole ruble and the banknotes that cover `due`."""
    out = []
    whole = -(-due // 100) * 100
    if whole != due:
        out.append(whole)
    out += [n * 100 for n in NOTES if n * 100 > due and n * 100 != whole][:4 - len(out)]
    return out


class PaymentScreen(Screen):
    id = "payment"
    title_key = "ui.pay.title"
    parent = "sale"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.ptype = "cash"
        self.value = ""
        self.tenders: list[tuple[str, int]] = []
        names = self.reg.hardware.terminal_names()
        self.terminals = names
        self.terminal = names[0] if names else None
        self._qr_for: str | None = None
        self._qr_pic: pygame.Surface | None = None

    # ----- state ---------------------------------------------------------------------------------
    def due(self) -> int:
        calc = calc_of(self.reg)
        return calc.total_due if calc else 0

    def tendered(self) -> int:
        return sum(a for _, a in self.tenders)

    def remaining(self) -> int:
        return max(0, self.due() - self.tendered())

    def choose(self, ptype: str) -> None:
        self.ptype, self.value = ptype, ""
        self.app.refresh()

    def press(self, key: str) -> None:
        self.value = keypad_input(self.value, key, "money")
        self.app.refresh()

    def current(self) -> int | None:
        if not self.value:
            return None
        try:
            return parse_money(self.value, "amount", exact=False)
        except Exception:
            return None

    def add_tender(self) -> None:
        amount = self.current() or self.remaining()
        if amount <= 0:
            return
        self.tenders.append((self.ptype, amount))
        self.value = ""
        self.ptype = "cash"
        self.app.refresh()

    def next_terminal(self) -> None:
        if self.terminals:
            i = self.terminals.index(self.terminal) if self.terminal in self.terminals else -1
            self.terminal = self.terminals[(i + 1) % len(self.terminals)]
            self.app.refresh()

    def quick(self, amount: int) -> None:
        self.ptype, self.value = "cash", format_money(amount)
        self.pay()

    # ----- paying --------------------------------------------------------------------------------
    def parts(self) -> dict[str, int]:
        amount = self.current()
        if amount is None:
            amount = self.remaining()
        parts: dict[str, int] = {}
        for ptype, a in self.tenders + [(self.ptype, amount)]:
            if a > 0:
                parts[ptype] = parts.get(ptype, 0) + a
        return parts

    def pay(self) -> None:
        """The payment runs in a worker (a terminal or ОПЛАТИ may wait for the customer) with its progress
        on screen and «Отмена»; on a refusal the part-payments already entered stay."""
        amounts = {k: format_money(v) for k, v in self.parts().items()}
        electronic = any(k in ("card", "oplati") for k in amounts)
        title = self.t("ui.pay.oplati_title" if "oplati" in amounts else
                       "ui.pay.card_title" if "card" in amounts else "ui.pay.registering")
        checkout, terminal, due = self.reg.checkout, self.terminal, format_money(self.due())

        def run(post):
            def progress(info) -> None:          # in the worker: words for the screen, the QR while it waits
                qr = checkout.oplati_qr
                if isinstance(info, dict):
                    qr = info.get("qr") or qr
                    info = info.get("text", "")
                if qr:
                    post({"title": self.t("ui.pay.oplati_title"), "text": self.t("ui.pay.oplati_scan", sum=due),
                          "qr": qr})
                else:
                    post({"text": str(info or "")})
            outcome = checkout.pay(amounts, terminal=terminal, progress=progress)
            entry = self.reg.docs.entry(outcome.registration.number)
            return entry
        self.app.work(run, title=title, text=self.t("ui.pay.wait_terminal" if electronic else "ui.pay.printing"),
                      cancel=checkout.request_abort if electronic else None, on_done=self.paid,
                      on_fail=self.refused, retry=True)

    def refused(self, _error) -> None:
        self.value = ""                       # the part-payments (self.tenders) stay for the next try

    def paid(self, entry) -> None:
        doc = entry.doc if entry else None
        cash = sum(p.amount for p in doc.payments if p.type.value == "cash") if doc else 0
        self.app.stack.pop()
        self.app.stack.append(self.app.make("change", total=doc.total_due if doc else 0,
                                            paid=sum(p.amount for p in doc.payments) if doc else 0,
                                            change=doc.change if doc else 0, cash=cash,
                                            number=entry.number if entry else None,
                                            tenders=[(p.type.value, p.amount) for p in doc.payments] if doc else []))
        self.app.refresh()

    # ----- drawing -------------------------------------------------------------------------------
    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        if lay.portrait:
            left, right = split_v(area, [0.34, 0], lay.pad)
        else:
            left, right = split_h(area, [0.5, 0], lay.pad * 2)
        self.draw_summary(ui, lay, left)
        self.draw_entry(ui, lay, right)

    def draw_summary(self, ui: Ui, lay: Layout, area: Rect) -> None:
        due_r, rest = take_top(area, ui.line_h("muted") + ui.line_h("big"), lay.gap)
        ui.panel(due_r, "card")
        lab, val = take_top(due_r.inflate(-2 * lay.pad, 0), ui.line_h("muted"), 0)
        ui.label(lab, self.t("ui.pay.due"), "muted")
        ui.label(val, format_money(self.due()), "big", wid="pay.due")
        rows = 3
        types_h = rows * (lay.btn + lay.gap)
        types_r, rest = take_top(rest, types_h, lay.gap)
        for ptype, cell in zip(TYPES, grid(types_r, 2, rows, lay.gap)):
            denial = self.reg.session.allowed(f"pay_{ptype}")
            ui.button(f"pay.{ptype}", cell, self.t(f"ui.pay.type.{ptype}"), lambda p=ptype: self.choose(p),
                      style="selected" if ptype == self.ptype else "secondary", enabled=denial is None,
                      reason=denial.reason if denial else None, icon=ICONS[ptype])
        if self.ptype == "card" and len(self.terminals) > 1:
            term_r, rest = take_top(rest, lay.btn, lay.gap)
            ui.button("pay.terminal", term_r, self.t("ui.pay.terminal", name=self.terminal), self.next_terminal)
        lh = ui.line_h("body")
        for ptype, amount in self.tenders:
            if rest.height < lh:
                break
            r, rest = take_top(rest, lh, 0)
            a, b = split_h(r, [0, 0.4], lay.gap)
            ui.label(a, self.t(f"ui.pay.type.{ptype}"), "body")
            ui.label(b, format_money(amount), "body_r")
        if self.tenders and rest.height >= lh:
            r, rest = take_top(rest, lh, 0)
            a, b = split_h(r, [0, 0.4], lay.gap)
            ui.label(a, self.t("ui.pay.remaining"), "strong")
            ui.label(b, format_money(self.remaining()), "strong_r", wid="pay.remaining")

    def draw_entry(self, ui: Ui, lay: Layout, area: Rect) -> None:
        head, rest = take_top(area, ui.line_h("strong"), lay.gap)
        head, preview = split_h(head, [0.45, 0], lay.gap)
        ui.label(head, self.t("ui.pay.amount_for", type=self.t(f"ui.pay.type.{self.ptype}")), "strong")
        disp, rest = take_top(rest, max(lay.btn, ui.line_h("display")), lay.gap)
        ui.panel(disp, "card")
        shown = self.value or format_money(self.remaining())
        ui.label(disp.inflate(-16, 0), shown, "display" if self.value else "display_hint", wid="pay.value")
        typed, rem = self.current(), self.remaining()
        if typed is not None and typed > rem and self.ptype == "cash":
            ui.label(preview, self.t("ui.pay.change_preview", sum=format_money(typed - rem)), "good_r", wid="pay.preview")
        elif typed is not None and typed < rem:
            ui.label(preview, self.t("ui.pay.short_preview", sum=format_money(rem - typed)), "muted_r", wid="pay.preview")
        bottom, rest = take_bottom(rest, lay.btn, lay.gap)
        add_r, ok_r = split_h(bottom, [0.38, 0], lay.gap)
        ui.button("pay.add", add_r, self.t("ui.pay.add"), self.add_tender, icon="plus",
                  enabled=bool(typed) and typed < rem, reason=self.t("ui.pay.add_how"))
        total = sum(self.parts().values())
        ui.button("pay.ok", ok_r, self.t("ui.pay.ok_sum", sum=format_money(total)), self.pay, style="go",
                  icon=ICONS.get(self.ptype))
        if self.ptype == "cash":
            quick_r, rest = take_top(rest, lay.btn, lay.gap)
            amounts = quick_amounts(self.remaining())
            cells = split_h(quick_r, [0.3] + [0] * len(amounts), lay.gap)
            ui.button("pay.quick.exact", cells[0], self.t("ui.pay.exact"), lambda: self.quick(self.remaining()), lines=2)
            for amount, cell in zip(amounts, cells[1:]):
                label = str(amount // 100) if amount % 100 == 0 else format_money(amount)
                ui.button(f"pay.quick.{label}", cell, label, lambda a=amount: self.quick(a))
        draw_keys(ui, lay, rest, 0, "money", self.press, None, None)


ICONS = {"cash": "money-bill-wave", "card": "credit-card", "oplati": "qrcode", "certificate": "gift",
         "cashless_other": "wallet", "advance_other": "hand-holding-dollar"}


class ChangeScreen(Screen):
    """After the payment: the change, large, and the one next action."""

    id = "change"
    title_key = "ui.change.title"
    parent = "sale"

    def on_scan(self, code: str) -> None:
        """The next customer's first goods: back to the sale screen (not a new one on the stack) and sell it."""
        self.done()
        if self.app.screen.id == "sale":
            self.app.screen.on_scan(code)

    def done(self) -> None:
        while len(self.app.stack) > 1 and self.app.screen.id != "sale":
            self.app.stack.pop()
        if self.app.screen.id != "sale":
            self.app.go("sale")
        self.app.refresh()

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        w = min(area.width, lay.theme.px(620))
        box = Rect(area.centerx - w // 2, area.top, w, area.height)
        btn, box = take_bottom(box, lay.btn + lay.pad, lay.pad)
        ui.button("change.done", btn, self.t("ui.change.next"), self.done, style="go", icon="cart-shopping")
        lh = ui.line_h("body")
        y = box.top + lay.pad
        rows = [(self.t("ui.change.total"), int(self.params.get("total", 0)))]
        rows += [(self.t(f"ui.pay.type.{k}"), int(a)) for k, a in self.params.get("tenders", [])] or \
            [(self.t("ui.change.paid"), int(self.params.get("paid", 0)))]
        for key, amount in rows:
            a, b = split_h(Rect(box.left, y, box.width, lh), [0, 0.45], lay.gap)
            ui.label(a, key, "body")
            ui.label(b, format_money(amount), "strong_r")
            y += lh + lay.gap
        if self.params.get("number"):
            ui.label(Rect(box.left, y, box.width, lh), self.t("ui.change.number", n=self.params["number"]), "muted")
            y += lh + lay.gap
        change = int(self.params.get("change", 0))
        if change or int(self.params.get("cash", 0)):
            ui.label(Rect(box.left, y + lay.pad, box.width, ui.line_h("heading")), self.t("ui.change.change"), "heading_c")
            y += ui.line_h("heading") + lay.pad
            ui.label(Rect(box.left, y, box.width, ui.line_h("big_go")), format_money(change), "big_go", wid="change.value")
        else:                                  # paid by card or ОПЛАТИ: no change to give, none is shown
            ui.label(Rect(box.left, y + lay.pad, box.width, ui.line_h("heading")), self.t("ui.change.paid_ok"), "heading_c",
                     wid="change.value")
