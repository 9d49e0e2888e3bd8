"""Продажа: the receipt being built (lines with a +/− stepper, discounts, the total on the pay button) beside the catalog."""
from __future__ import annotations

import pygame

from fiscal.money import format_qty
from screens.base import Layout, Screen, split_h, split_v, take_top
from screens.sale_view import SUB, draw_catalog, draw_receipt
from screens.weight import WeightOverlay
from screens.widgets import Ui

Rect = pygame.Rect
FAVOURITES = "\u2605"            # the pseudo-category of the administrator's favourites


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
        self.focus: int | None = None  # a line to bring into view once
        self.code_mode = False         # the catalog area shows the code keypad
        self.code = ""
        self._favs: tuple[str, ...] | None = None

    # ----- adding ---------------------------------------------------------------------------
    def on_scan(self, code: str) -> None:
        """A scanner or a keyboard (digits, Enter): short numbers are item codes, long ones barcodes."""
        code = code.strip()
        if code.isdigit() and len(code) < 8:
            self.add(code)
            return
        item = self.reg.goods.by_barcode(code)
        if item is not None and item.weighed:        # the scales are read off the UI thread, in the sheet
            self.app.open(WeightOverlay(self.app, self, pending=item.code))
            return
        before = list(self.reg.sale.receipt.lines)
        if self.app.guard(self.reg.sale.scan, code):
            self.after_add(before)

    def on_qty(self, qty: str) -> None:
        """«3*» typed on a keyboard: the quantity of the next goods."""
        self.next_qty = qty
        self.app.refresh()

    def add(self, code: str, qty: str | None = None) -> None:
        if qty is None:
            item = self.reg.goods.item(code)
            if item is not None and item.weighed:            # weighed goods wait for the scales, off the UI thread
                self.app.open(WeightOverlay(self.app, self, pending=code))
                return
            qty, self.next_qty = self.next_qty, None
        before = list(self.reg.sale.receipt.lines)
        if self.app.guard(self.reg.sale.add_item, code, qty):
            self.after_add(before)

    def after_add(self, before: list) -> None:
        """The line just added or increased is shown and selected (so its stepper is at hand)."""
        lines = self.reg.sale.receipt.lines
        changed = next((i + 1 for i, (a, b) in enumerate(zip(before, lines)) if a is not b), None)
        self.selected = changed or len(lines) or None
        self.page, self.focus = None, (self.selected - 1) if self.selected else None

    def add_section(self, section: int, name: str) -> None:
        self.app.keypad(self.t("ui.sale.section_amount", name=name),
                        lambda v: self.app.guard(self.reg.sale.add_section, section, v), kind="money")

    def toggle_code(self) -> None:
        self.code_mode, self.code = not self.code_mode, ""
        self.app.refresh()

    def code_key(self, key: str) -> None:
        if key == "ok":
            code, self.code = self.code, ""
            if code:
                self.on_scan(code)
        elif key == "times":
            if self.code:
                self.next_qty, self.code = self.code, ""
        elif key == "back":
            self.code = self.code[:-1]
        elif key == "clear":
            self.code = ""
        elif len(self.code) < 14:
            self.code += key
        self.app.refresh()

    # ----- browsing ---------------------------------------------------------------------------
    def search(self) -> None:
        def done(text: str) -> None:
            self.query, self.cat_page, self.code_mode = text, 0, False
            self.app.refresh()
        self.app.keyboard(self.t("ui.sale.search_prompt"), done, initial=self.query or "")

    def clear_search(self) -> None:
        self.query = None
        self.app.refresh()

    def show_category(self, cat: str | None) -> None:
        self.category, self.query, self.cat_page, self.code_mode = cat, None, 0, False
        self.app.refresh()

    def favourite_codes(self) -> tuple[str, ...]:
        """The administrator's favourites, read once per frame (each read of the parameters parses the file)."""
        if self._favs is None:
            self._favs = tuple(self.reg.admin.params.favourites)
        return self._favs

    def favourites(self) -> list:
        goods = self.reg.goods
        return [i for i in (goods.item(c) for c in self.favourite_codes()) if i is not None]

    def categories(self) -> list[str]:
        """The categories to browse: the favourites first (when the administrator has arranged any)."""
        cats = set(self.reg.goods.categories())
        cats |= {c.split(SUB)[0] for c in cats if SUB in c}          # a parent with only subcategories is listed
        return ([FAVOURITES] if self.favourite_codes() else []) + sorted(cats)

    def items_of(self, cat: str) -> list:
        if cat == FAVOURITES:
            return self.favourites()
        goods = self.reg.goods
        out = list(goods.in_category(cat))
        for sub in goods.categories():
            if sub.startswith(cat + SUB):
                out += goods.in_category(sub)
        return out

    def category_title(self, cat: str | None) -> str:
        if cat == FAVOURITES:
            return self.t("ui.sale.favourites")
        return (cat or "").replace(SUB, " › ")

    def items_page(self, delta: int) -> None:
        self.cat_page = max(0, self.cat_page + delta)
        self.app.refresh()

    # ----- editing lines ---------------------------------------------------------------------------
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

    def step_qty(self, line: int, delta: int) -> None:
        """The stepper: one piece more or less on a counted line (1 is the least; «Удалить» removes it)."""
        ln = self.reg.sale.receipt.lines[line - 1]
        new = ln.qty + delta * 1000
        if new >= 1000:
            self.app.guard(self.reg.sale.set_qty, line, format_qty(new))

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
        self._favs = None
        if lay.portrait:
            receipt_r, cat_r = split_v(area, [0.52, 0], lay.pad)
        else:
            receipt_r, cat_r = split_h(area, [0.45 if lay.w >= 1200 or lay.w < 900 else 0.5, 0], lay.pad)
        draw_receipt(self, ui, lay, receipt_r)
        prompt = self.reg.marking.prompt()
        if prompt is not None:        # a marked line waits for its code: ask for it above the goods
            banner, cat_r = take_top(cat_r, ui.line_h("heading") + max(lay.btn, ui.line_h("strong")) + 2 * lay.pad,
                                     lay.gap)
            self.draw_marking_prompt(ui, lay, banner, prompt)
        draw_catalog(self, ui, lay, cat_r)

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

