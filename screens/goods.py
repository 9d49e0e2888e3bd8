"""Товары: the catalog list by category or search, an item's card to add, edit or delete it, and category renaming."""
from __future__ import annotations

from dataclasses import replace

import pygame

from fiscal.money import format_money, format_qty, parse_money, parse_qty
from screens.base import Layout, Screen, split_h, take_bottom, take_top
from screens.sale_view import qty_text
from screens.widgets import Ui

Rect = pygame.Rect
VATS = ("20", "10", "0", "25", "none")


class GoodsScreen(Screen):
    id = "goods_list"
    title_key = "ui.goods.title"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.category: str | None = None
        self.query: str | None = None

    def header_buttons(self) -> list:
        """«Импорт / Экспорт» for whoever may load or unload goods (the administrator)."""
        s = self.reg.session
        if s.allowed("goods_import") is None or s.allowed("goods_export") is None:
            return [("goods.exchange", self.t("ui.exch.title"), lambda: self.app.go("goods_exchange"))]
        return []

    def pick_category(self) -> None:
        cats = self.reg.goods.categories()
        choices = [("goods.cat.all", self.t("ui.goods.all"), lambda: self.set_cat(None), "secondary")]
        choices += [(f"goods.cat.{i}", c, lambda c=c: self.set_cat(c), "secondary") for i, c in enumerate(cats[:8], 1)]
        self.app.context(self.t("ui.goods.categories"), choices)

    def set_cat(self, cat: str | None) -> None:
        self.category, self.query, self.page = cat, None, 0
        self.app.refresh()

    def search(self) -> None:
        def done(text: str) -> None:
            self.query, self.page = text or None, 0
            self.app.refresh()
        self.app.keyboard(self.t("ui.sale.search_prompt"), done, initial=self.query or "", allow_empty=True)

    def rename(self) -> None:
        old = self.category
        if not old:
            return
        def done(new: str) -> None:
            if self.app.guard(self.reg.admin.rename_category, old, new):
                self.category = new
        self.app.keyboard(self.t("ui.goods.rename_prompt", name=old), done, initial=old)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        tools, area = take_top(area, lay.btn, lay.gap)
        ren = self.reg.session.allowed("category_rename")
        cells = split_h(tools, [0, 0, 0, 0], lay.gap)
        ui.button("goods.categories", cells[0], self.category or self.t("ui.goods.all"), self.pick_category)
        ui.button("goods.search", cells[1], self.query or self.t("ui.sale.search"), self.search)
        ui.button("goods.cat_rename", cells[2], self.t("ui.goods.rename"), self.rename,
                  enabled=ren is None and self.category is not None,
                  reason=ren.reason if ren else self.t("ui.goods.pick_category"))
        edit = self.reg.session.allowed("goods_edit")
        ui.button("goods.add", cells[3], self.t("ui.goods.add"), lambda: self.app.go("goods_edit"), style="primary",
                  enabled=edit is None, reason=edit.reason if edit else None)
        cat = self.reg.goods
        items = cat.search(self.query, limit=200) if self.query else (
            cat.in_category(self.category) if self.category else cat.items()[:500])

        favourites = set(self.reg.admin.params.favourites)
        t = self.t

        def row(r: Rect, item, _i: int) -> None:
            unit = t("ui.unit.kg") if item.weighed else t("ui.unit.pcs")
            price = t("ui.goods.price_of", price=format_money(item.price), unit=unit)
            stock = t("ui.goods.stock_none") if item.stock is None else \
                t("ui.goods.stock_of", qty=qty_text(t, item.stock, item.weighed))
            sub = t("ui.goods.code_of", code=item.code, category=(item.category or "—").replace(" / ", " › "))
            if item.code in favourites:
                sub += " · " + t("ui.goods.in_favourites")
            ui.button(f"goods.item.{item.code}", r, item.name, lambda: self.app.go("goods_edit", code=item.code),
                      style="row", sub=sub,
                      aside=((price, "strong_r"), (stock, "muted_r")))
        if not items:
            ui.paragraph(area, self.t("ui.sale.nothing_found"), "muted")
        self.paged(ui, lay, area, items, max(lay.row, 2 * ui.line_h("muted")), row, "goods")


class GoodsEditScreen(Screen):
    id = "goods_edit"
    title_key = "ui.goods.edit_title"
    parent = "goods_list"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        code = params.get("code")
        existing = self.reg.goods.item(str(code)) if code else None
        self.new = existing is None
        self.item = existing or self.reg.admin.blank_item()

    def title(self) -> str:
        return self.t("ui.goods.new_title" if self.new else "ui.goods.edit_title")

    def set(self, **kw) -> None:
        self.item = replace(self.item, **kw)
        self.app.refresh()

    def edit(self, field: str) -> None:
        t, item = self.t, self.item
        label = t(f"ui.goods.f.{field}")
        if field in ("name", "category"):
            self.app.keyboard(label, lambda v: self.set(**{field: v}), initial=getattr(item, field) or "",
                              allow_empty=field == "category")
        elif field in ("code", "barcode"):
            self.app.keypad(label, lambda v: self.set(**{field: v}), kind="int", initial=getattr(item, field) or "",
                            max_len=14)
        elif field == "price":        # a refusal (e.g. «0.») is a dialog with the catalogue's words, via guard
            self.app.keypad(label, lambda v: self.app.guard(lambda: self.set(price=parse_money(v, "price", exact=False))),
                            kind="money")
        elif field == "stock":
            self.app.keypad(label, lambda v: self.app.guard(lambda: self.set(stock=parse_qty(v, "stock", exact=False))),
                            kind="qty")
        elif field == "vat":
            self.set(vat=VATS[(VATS.index(item.vat) + 1) % len(VATS)] if item.vat in VATS else "20")
        elif field == "weighed":
            self.set(weighed=not item.weighed)

    def value(self, field: str) -> str:
        v = getattr(self.item, field)
        if field == "price":
            return format_money(v)
        if field == "stock":
            return "—" if v is None else format_qty(v)
        if field == "vat":
            return self.t("ui.vat.none") if v == "none" else f"{v}%"
        if field == "weighed":
            return self.t("ui.yes" if v else "ui.no")
        return v or "—"

    def save(self) -> None:
        if self.app.guard(self.reg.admin.save_item, self.item, self.new):
            self.app.back()

    def favourite(self, where: int | None) -> None:
        """★: on the sale screen's favourites page, at a place the administrator picks (first … last), or off it."""
        favs = [c for c in self.reg.admin.params.favourites if c != self.item.code]
        if where is not None:
            favs.insert(max(0, min(len(favs), where)), self.item.code)
        self.app.guard(lambda: self.reg.admin.save_parameters(favourites=tuple(favs)))

    def favourite_menu(self) -> None:
        favs = list(self.reg.admin.params.favourites)
        here = favs.index(self.item.code) if self.item.code in favs else None
        t = self.t
        choices = [("fav.first", t("ui.goods.fav_first"), lambda: self.favourite(0), "secondary"),
                   ("fav.last", t("ui.goods.fav_last"), lambda: self.favourite(len(favs)), "secondary")]
        if here is not None:
            choices = [("fav.left", t("ui.goods.fav_left"), lambda: self.favourite(here - 1), "secondary"),
                       ("fav.right", t("ui.goods.fav_right"), lambda: self.favourite(here + 1), "secondary")] + choices
            choices.append(("fav.off", t("ui.goods.fav_off"), lambda: self.favourite(None), "danger"))
        self.app.context(t("ui.goods.fav_title", pos=(here + 1) if here is not None else "—", n=len(favs)), choices)

    def delete(self) -> None:
        def yes() -> None:
            if self.app.guard(self.reg.admin.delete_item, self.item.code):
                self.app.back()
        self.app.confirm(self.t("ui.goods.delete_title"), self.t("ui.goods.delete_text", name=self.item.name), yes,
                         self.t("ui.goods.delete"), danger=True)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        a, f, b = split_h(bottom, [0.3, 0.3, 0], lay.gap)
        ui.button("goods.delete", a, self.t("ui.goods.delete"), self.delete, style="danger", enabled=not self.new,
                  reason=self.t("ui.goods.not_saved"), icon="trash-can")
        fav = self.item.code in self.reg.admin.params.favourites
        can = self.reg.session.allowed("parameters")
        ui.button("goods.favourite", f, self.t("ui.goods.favourite"), self.favourite_menu,
                  style="selected" if fav else "secondary", icon="star", enabled=not self.new and can is None,
                  reason=can.reason if can else self.t("ui.goods.not_saved"))
        ui.button("goods.save", b, self.t("ui.save"), self.save, style="primary", icon="circle-check")
        fields = ["name", "code", "barcode", "price", "vat", "category", "stock", "weighed"]
        if not self.new:
            fields.remove("code")
        cols = 1 if lay.portrait else 2
        per_col = -(-len(fields) // cols)
        row_h = min(lay.row * 8 // 5, (area.height - lay.gap * (per_col - 1)) // per_col)
        row_h = max(48, row_h)
        columns = split_h(area, [0] * cols, lay.gap * 2)
        for i, f in enumerate(fields):
            col = columns[i // per_col]
            r = Rect(col.left, col.top + (i % per_col) * (row_h + lay.gap), col.width, row_h)
            if r.bottom > area.bottom:
                break
            ui.button(f"goods.field.{f}", r, f"{self.t(f'ui.goods.f.{f}')}: {self.value(f)}", lambda f=f: self.edit(f),
                      style="row", lines=2)
