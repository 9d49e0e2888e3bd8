"""Продажа: the receipt being built (lines, long-press actions, the total large) beside the catalog, search, code, quantity, scales."""
from __future__ import annotations

import threading

import pygame

from fiscal.money import format_money, format_qty
from screens.base import Layout, Screen, grid, split_h, split_v, take_bottom, take_top
from screens.dialogs import Overlay
from screens.widgets import MIN_TARGET, Ui
from texts.errors import CodedError

Rect = pygame.Rect


def calc_of(reg):
    """The receipt arithmetic of the open receipt (the facade's numbers), or None when it is empty."""
    if not reg.sale.receipt.lines:
        return None
    return reg.sale.receipt.calc(vat=reg.sale.vat_table())


class SaleScreen(Screen):
    id = "sale"
    title_key = "ui.sale.title"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.page = None               # None: stick to the last line
        self.cat_page = 0
        self.category: str | None = None
        self.query: str | None = None
        self.selected: int | None = None
        self.next_qty: str | None = None

    # ----- actions ------------------------------------------------------------------------------
    def on_scan(self, code: str) -> None:
        if self.app.guard(self.reg.sale.scan, code):
            self.page, self.selected = None, None

    def add(self, code: str) -> None:
        qty, self.next_qty = self.next_qty, None
        if self.app.guard(self.reg.sale.add_item, code, qty):
            self.page, self.selected = None, None

    def add_section(self, section: int, name: str) -> None:
        self.app.keypad(self.t("ui.sale.section_amount", name=name),
                        lambda v: self.app.guard(self.reg.sale.add_section, section, v), kind="money")

    def enter_code(self) -> None:
        def done(code: str) -> None:
            if len(code) >= 8:
                self.on_scan(code)
            else:
                self.add(code)
        self.app.keypad(self.t("ui.sale.code_prompt"), done, kind="int", max_len=14)

    def search(self) -> None:
        def done(text: str) -> None:
            self.query, self.cat_page = text, 0
            self.app.refresh()
        self.app.keyboard(self.t("ui.sale.search_prompt"), done, initial=self.query or "")

    def clear_search(self) -> None:
        self.query = None
        self.app.refresh()

    def show_category(self, cat: str | None) -> None:
        self.category, self.query, self.cat_page = cat, None, 0
        self.app.refresh()

    def quantity(self) -> None:
        if self.selected is not None and self.selected <= len(self.reg.sale.receipt.lines):
            self.edit_qty(self.selected)
            return
        def done(v: str) -> None:
            self.next_qty = v
            self.app.refresh()
        self.app.keypad(self.t("ui.sale.next_qty"), done, kind="qty")

    def select(self, line: int) -> None:
        self.selected = None if self.selected == line else line
        self.app.refresh()

    def line_menu(self, line: int) -> None:
        ln = self.reg.sale.receipt.lines[line - 1]
        self.selected = line
        self.app.context(f"{line}. {ln.name}", [
            ("line.qty", self.t("ui.line.qty"), lambda: self.edit_qty(line), "secondary"),
            ("line.discount_pct", self.t("ui.line.discount_pct"), lambda: self.discount(line, "percent"), "secondary"),
            ("line.discount_sum", self.t("ui.line.discount_sum"), lambda: self.discount(line, "amount"), "secondary"),
            ("line.remove", self.t("ui.line.remove"), lambda: self.remove(line), "danger"),
        ])

    def edit_qty(self, line: int) -> None:
        ln = self.reg.sale.receipt.lines[line - 1]
        self.app.keypad(self.t("ui.line.qty_for", name=ln.name), lambda v: self.app.guard(self.reg.sale.set_qty, line, v),
                        kind="qty")

    def discount(self, line: int | None, kind: str) -> None:
        title = self.t("ui.line.discount_pct" if kind == "percent" else "ui.line.discount_sum")

        def done(v: str) -> None:
            if line is None:
                self.app.guard(self.reg.sale.receipt_discount, {kind: v})
            else:
                self.app.guard(self.reg.sale.item_discount, line, {kind: v})
        self.app.keypad(title, done, kind="percent" if kind == "percent" else "money")

    def receipt_discount(self) -> None:
        self.app.context(self.t("ui.sale.receipt_discount"), [
            ("discount.percent", self.t("ui.line.discount_pct"), lambda: self.discount(None, "percent"), "secondary"),
            ("discount.amount", self.t("ui.line.discount_sum"), lambda: self.discount(None, "amount"), "secondary"),
            ("discount.card", self.t("ui.sale.discount_card"), self.discount_card, "secondary"),
        ])

    def discount_card(self) -> None:
        self.app.keypad(self.t("ui.sale.discount_card"), lambda v: self.app.guard(self.reg.sale.discount_card, v), kind="int")

    def remove(self, line: int) -> None:
        self.selected = None
        self.app.guard(self.reg.sale.remove_line, line)

    def cancel(self) -> None:
        self.app.confirm(self.t("ui.sale.cancel_title"), self.t("ui.sale.cancel_text"),
                         lambda: self.app.guard(self.reg.sale.cancel_receipt), self.t("ui.sale.cancel_yes"), danger=True)

    def pay(self) -> None:
        if not self.reg.sale.receipt.lines:
            self.app.message(self.t("ui.sale.empty_title"), self.t("ui.sale.empty_text"))
            return
        self.app.go("payment")

    def weigh(self) -> None:
        self.app.open(WeightOverlay(self.app, self))

    # ----- drawing -------------------------------------------------------------------------------
    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        if lay.portrait:
            receipt_r, cat_r = split_v(area, [0.42, 0], lay.pad)
        else:
            receipt_r, cat_r = split_h(area, [0.52, 0], lay.pad)
        self.draw_receipt(ui, lay, receipt_r)
        prompt = self.reg.marking.prompt()
        if prompt is not None:
            banner, cat_r = take_top(cat_r, ui.line_h("heading") + max(lay.btn, ui.line_h("strong")) + 2 * lay.pad, lay.gap)
            self.draw_marking_prompt(ui, lay, banner, prompt)
        self.draw_catalog(ui, lay, cat_r)

    def draw_marking_prompt(self, ui: Ui, lay: Layout, area: Rect, prompt) -> None:
        """A banner over the catalog while a marked line waits for its code: the item and how many codes are left."""
        ui.panel(area, "sheet", wid="sale.marking")
        inner = area.inflate(-2 * lay.pad, -2 * lay.pad)
        title, rest = take_top(inner, ui.line_h("heading"), 0)
        ui.label(title, self.t("ui.marking.prompt"), "heading", wid="sale.marking.title")
        key = "ui.marking.needed" if prompt.required else "ui.marking.optional"
        if prompt.required:
            ui.label(rest, self.t(key, name=prompt.name, count=prompt.needed), "strong", wid="sale.marking.item")
            return
        text_r, skip_r = split_h(rest, [0, min(lay.theme.px(140), rest.width // 3)], lay.gap)
        ui.label(text_r, self.t(key, name=prompt.name, count=prompt.needed), "strong", wid="sale.marking.item")
        ui.button("sale.marking.skip", skip_r, self.t("ui.marking.skip"), lambda: self.app.guard(self.reg.marking.skip))

    def draw_receipt(self, ui: Ui, lay: Layout, area: Rect) -> None:
        calc = calc_of(self.reg)
        total_h = ui.line_h("big") + ui.line_h("muted")
        pay_r, area = take_bottom(area, lay.btn, lay.gap)
        ui.button("sale.pay", pay_r, self.t("ui.sale.pay"), self.pay, style="go")
        totals, lines_r = take_bottom(area, total_h, lay.gap)
        ui.panel(totals, "card")
        lines = self.reg.sale.receipt.lines
        if not lines:
            ui.paragraph(lines_r.inflate(-8, -8), self.t("ui.sale.empty_hint"), "muted")
        calc_lines = calc.lines if calc else ()

        def row(r: Rect, ln, i: int) -> None:
            n = i + 1
            sums_w = min(int(r.width * 0.34), lay.theme.px(160))
            name_r, sums_r = split_h(r, [0, sums_w], lay.gap)
            mark = f" {self.reg.marking.receipt_mark}" if ln.marking and self.reg.marking.receipt_mark else ""
            ui.button(f"sale.line.{n}", name_r, f"{n}. {ln.name}{mark}", lambda: self.select(n),
                      on_long=lambda: self.line_menu(n), style="row_selected" if self.selected == n else "row")
            top, bottom = split_v(sums_r, [0.5, 0], 0)
            total = calc_lines[i].total if i < len(calc_lines) else 0
            ui.label(top, format_money(total), "strong_r")
            ui.label(bottom, f"{format_qty(ln.qty)} × {format_money(ln.price)}", "muted_r")
        self.paged(ui, lay, lines_r, lines, lay.row, row, "sale.lines", stick_to_end=True)
        inner = totals.inflate(-2 * lay.pad, 0)
        top, big = take_top(inner, ui.line_h("muted"), 0)
        discount = calc.discount_total if calc else 0
        info = self.t("ui.sale.count", n=len(lines))
        if discount:
            info += " · " + self.t("ui.sale.discount_total", sum=format_money(discount))
        if self.next_qty:
            info += " · " + self.t("ui.sale.next_qty_set", qty=self.next_qty)
        ui.label(top, info, "muted", wid="sale.info")
        label_w = min(big.width // 3, lay.theme.px(150))
        lab, val = split_h(big, [label_w, 0], 0)
        ui.label(lab, self.t("ui.sale.total"), "heading")
        ui.label(val, format_money(calc.total_due if calc else 0), "big", wid="sale.total")

    def draw_catalog(self, ui: Ui, lay: Layout, area: Rect) -> None:
        tools, rest = take_top(area, lay.btn, lay.gap)
        actions, rest = take_bottom(rest, lay.btn, lay.gap)
        names = [("sale.search", "ui.sale.search", self.search), ("sale.code", "ui.sale.code", self.enter_code),
                 ("sale.qty", "ui.sale.qty", self.quantity), ("sale.weight", "ui.sale.weight", self.weigh)]
        sum_mode = str(self.reg.session.mode) == "sum"
        if sum_mode:
            names = names[1:3]
        for (wid, key, fn), r in zip(names, split_h(tools, [0] * len(names), lay.gap)):
            ui.button(wid, r, self.t(key), fn)
        can_discount = self.reg.session.allowed("receipt_discount")
        acts = split_h(actions, [0, 0], lay.gap)
        ui.button("sale.discount", acts[0], self.t("ui.sale.receipt_discount"), self.receipt_discount,
                  enabled=can_discount is None and bool(self.reg.sale.receipt.lines),
                  reason=can_discount.reason if can_discount else self.t("ui.sale.empty_text"))
        ui.button("sale.cancel", acts[1], self.t("ui.sale.cancel"), self.cancel, enabled=bool(self.reg.sale.receipt.lines),
                  reason=self.t("ui.sale.empty_text"))
        if sum_mode:
            self.draw_sections(ui, lay, rest)
            return
        head, rest = take_top(rest, max(MIN_TARGET, ui.line_h("strong")), lay.gap)
        cat_w = min(lay.theme.px(150), head.width // 3)
        title_r, btn_r = split_h(head, [0, cat_w], lay.gap)
        if self.query:
            items = self.reg.goods.search(self.query, limit=60)
            ui.label(title_r, self.t("ui.sale.found", text=self.query, n=len(items)), "strong")
            ui.button("sale.search_clear", btn_r, self.t("ui.sale.search_clear"), self.clear_search)
        else:
            cats = self.reg.goods.categories()
            if self.category not in cats:
                self.category = cats[0] if cats else None
            items = self.reg.goods.in_category(self.category) if self.category else self.reg.goods.items(60)
            ui.label(title_r, self.category or "", "strong", wid="sale.category")
            ui.button("sale.categories", btn_r, self.t("ui.sale.categories"), self.app.toggle_side)
        self.draw_tiles(ui, lay, rest, items)

    def draw_tiles(self, ui: Ui, lay: Layout, area: Rect, items: list) -> None:
        tile_w = lay.theme.px(150)
        tile_h = lay.btn + ui.line_h("muted")
        cols = max(2, (area.width + lay.gap) // (tile_w + lay.gap))
        rows = max(1, (area.height + lay.gap) // (tile_h + lay.gap))
        per = cols * rows
        pages = max(1, -(-len(items) // per))
        if pages > 1:
            nav, area = take_bottom(area, lay.btn, lay.gap)
            per = cols * max(1, (area.height + lay.gap) // (tile_h + lay.gap))
            pages = max(1, -(-len(items) // per))
            up, info, down = split_h(nav, [0.3, 0, 0.3], lay.gap)
            self.cat_page = min(self.cat_page, pages - 1)
            ui.button("sale.items.prev", up, "◀", lambda: self.items_page(-1), enabled=self.cat_page > 0, style="nav")
            ui.label(info, f"{self.cat_page + 1}/{pages}", "muted_c")
            ui.button("sale.items.next", down, "▶", lambda: self.items_page(1), enabled=self.cat_page < pages - 1, style="nav")
        else:
            self.cat_page = 0
        rows = max(1, (area.height + lay.gap) // (tile_h + lay.gap))
        cells = grid(Rect(area.left, area.top, area.width, rows * (tile_h + lay.gap) - lay.gap), cols, rows, lay.gap)
        start = self.cat_page * per
        for item, cell in zip(items[start:start + per], cells):
            btn, price = take_top(cell, cell.height - ui.line_h("muted"), 0)
            ui.button(f"sale.item.{item.code}", btn, item.name, lambda c=item.code: self.add(c), style="tile")
            unit = self.t("ui.sale.per_kg") if item.weighed else ""
            ui.label(price, f"{format_money(item.price)}{unit}", "muted_c")
        if not items:
            ui.paragraph(area, self.t("ui.sale.nothing_found"), "muted")

    def items_page(self, delta: int) -> None:
        self.cat_page = max(0, self.cat_page + delta)
        self.app.refresh()

    def draw_sections(self, ui: Ui, lay: Layout, area: Rect) -> None:
        sections = self.reg.goods.sections()
        rows = max(1, min(len(sections), (area.height + lay.gap) // (lay.btn + lay.gap)))
        for sec, r in zip(sections, split_v(Rect(area.left, area.top, area.width, rows * (lay.btn + lay.gap)),
                                            [0] * rows, lay.gap)):
            ui.button(f"sale.section.{sec.code}", r, f"{sec.code}. {sec.name}",
                      lambda s=sec: self.add_section(int(s.code), s.name), style="tile")


class WeightOverlay(Overlay):
    """The scales: a live reading with a stable mark, and the weighed goods to put on the receipt."""

    id = "weight"
    POLL_S = 0.4

    def __init__(self, app, sale: SaleScreen) -> None:
        super().__init__(app)
        self.sale = sale
        self.reading = None
        self.problem: str | None = None
        self._latest: tuple = (None, None)
        self._stop = threading.Event()
        if not app.reg.hardware.has_scale:
            self.problem = self.app.t("ui.weight.no_scale")
        else:
            self._poller = threading.Thread(target=self._poll_loop, name="ui-scale", daemon=True)
            self._poller.start()

    def _poll_loop(self) -> None:
        """The scales are read off the UI thread; the loop only picks up the latest reading."""
        hardware = self.app.reg.hardware
        while not self._stop.is_set():
            try:
                self._latest = (hardware.read_scale(), None)
            except CodedError as e:
                self._latest = (None, e.message)
            self._stop.wait(self.POLL_S)

    def tick(self, now: float) -> bool:
        if not self.app.reg.hardware.has_scale:
            return False
        before = (self.reading, self.problem)
        self.reading, self.problem = self._latest
        return before != (self.reading, self.problem)

    def close(self) -> None:
        self._stop.set()
        super().close()

    def take(self, code: str) -> None:
        self.close()
        self.sale.add(code)

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        goods = self.app.reg.goods.weighed()
        cols = 2 if lay.w >= 700 else 1
        rows_n = max(1, -(-len(goods) // cols))
        height = (ui.line_h("heading") + ui.line_h("big_c") + ui.line_h("good") + (rows_n + 1) * (lay.btn + lay.gap)
                  + 4 * lay.pad + 3 * lay.gap)
        area = self.sheet(ui, lay, layer, lay.theme.px(640), min(lay.h, height))
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.app.t("ui.weight.title"), "heading", layer)
        disp, rest = take_top(rest, ui.line_h("big_c"), lay.gap)
        r = self.reading
        if self.problem or r is None:
            ui.label(disp, "—", "big_c", layer, wid="weight.value")
            mark, style = self.problem or "", "error"
        else:
            ui.label(disp, f"{format_qty(r.weight_g)} {self.app.t('ui.weight.kg')}", "big_c", layer, wid="weight.value")
            if r.overload:
                mark, style = self.app.t("ui.weight.overload"), "error"
            elif r.stable and r.weight_g > 0:
                mark, style = self.app.t("ui.weight.stable"), "good"
            else:
                mark, style = self.app.t("ui.weight.unstable"), "muted"
        status, rest = take_top(rest, ui.line_h(style), lay.gap)
        ui.label(status, mark, style, layer, wid="weight.status")
        cancel, rest = take_bottom(rest, lay.btn, lay.gap)
        ui.button("weight.cancel", cancel, self.app.t("ui.cancel"), self.close, style="secondary", layer=layer)
        rows = max(1, (rest.height + lay.gap) // (lay.btn + lay.gap))
        cells = grid(Rect(rest.left, rest.top, rest.width, rows * (lay.btn + lay.gap) - lay.gap), cols, rows, lay.gap)
        for item, cell in zip(goods, cells):
            ui.button(f"weigh.item.{item.code}", cell, f"{item.name} — {format_money(item.price)}",
                      lambda c=item.code: self.take(c), style="tile", layer=layer)
