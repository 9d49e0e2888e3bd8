"""Настройки: the settings menu, requisites («Заполнить из ПК» from the SKO) and working parameters."""
from __future__ import annotations

from dataclasses import asdict
from textwrap import shorten

import pygame

from fiscal.documents import Requisites
from screens.base import Layout, Screen, split_h, split_v, take_bottom, take_top
from screens.widgets import Ui

Rect = pygame.Rect

ITEMS = (("requisites", "requisites", "requisites"), ("parameters", "parameters", "parameters"),
         ("users", "users", "users"), ("maintenance", "maintenance", "maintenance"), ("bank", "bank_test", None))


SETTINGS_ICONS = {"requisites": "id-card", "parameters": "sliders", "users": "users", "maintenance": "hard-drive",
                  "bank": "credit-card"}


class SettingsScreen(Screen):
    id = "settings"
    title_key = "ui.settings.title"

    def bank_test(self) -> None:
        def run() -> None:
            names = []
            for name, res in self.reg.hardware.bank_test().items():
                names.append(f"{name}: {self.t('ui.diag.ok') if res.approved else res.message or res.status}")
            if not names:
                names.append(self.t("ui.settings.no_terminals"))
            self.app.message(self.t("ui.settings.bank"), "\n".join(names))
        self.app.guard(run)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        rows = split_v(Rect(area.left, area.top, area.width, min(area.height, len(ITEMS) * (lay.btn + lay.gap))),
                       [0] * len(ITEMS), lay.gap)
        for (name, rule, target), r in zip(ITEMS, rows):
            denial = self.reg.session.allowed(rule)
            fn = (lambda s=target: self.app.go(s)) if target else self.bank_test
            ui.button(f"settings.{name}", r, self.t(f"ui.settings.{name}"), fn, style="row", enabled=denial is None,
                      reason=denial.reason if denial else None, icon=SETTINGS_ICONS[name])


REQ_FIELDS = (("org_name", False), ("unp", False), ("ksa_number", False), ("shop_name", True),
              ("shop_address", True), ("sko_serial", False))


class RequisitesScreen(Screen):
    id = "requisites"
    title_key = "ui.settings.requisites"
    parent = "settings"

    def current(self) -> Requisites:
        if self.reg.admin.requisites() is not None:
            return self.reg.admin.requisites()
        return Requisites(org_name="", unp="", ksa_number="")

    def fill(self) -> None:
        def run() -> None:
            self.reg.admin.fill_requisites_from_sko()
            self.app.message(self.t("ui.cash.done"), self.t("ui.req.filled"))
        self.app.guard(run, retry=True)

    def edit(self, field: str) -> None:
        def done(v: str) -> None:
            self.app.guard(lambda: self.reg.admin.update_requisites(**{field: v}))
        self.app.keyboard(self.t(f"ui.req.{field}"), done, initial=getattr(self.current(), field))

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        ui.button("req.fill", bottom, self.t("ui.req.fill"), self.fill, style="primary")
        hint, area = take_bottom(area, ui.line_h("muted") * 2, lay.gap)
        ui.paragraph(hint, self.t("ui.req.hint"), "muted")
        values = asdict(self.current())
        cols = 1 if lay.portrait else 2
        per_col = -(-len(REQ_FIELDS) // cols)
        row_h = max(48, min(lay.row, (area.height - lay.gap * (per_col - 1)) // per_col))
        columns = split_h(area, [0] * cols, lay.gap * 2)
        for i, (field, editable) in enumerate(REQ_FIELDS):
            col = columns[i // per_col]
            r = Rect(col.left, col.top + (i % per_col) * (row_h + lay.gap), col.width, row_h)
            text = f"{self.t(f'ui.req.{field}')}: {values.get(field) or '—'}"
            if editable:
                ui.button(f"req.edit.{field}", r, text + "  ›", lambda f=field: self.edit(f), style="row")
            else:
                ui.panel(r, "card")
                ui.label(r.inflate(-20, 0), text, "body", wid=f"req.{field}")


class ParametersScreen(Screen):
    id = "parameters"
    title_key = "ui.settings.parameters"
    parent = "settings"

    CONFIRMED = ("accounting_mode", "printer_width", "self_service_enabled", "forbid_negative_stock", "merge_lines",
                 "vat_rates")          # changes that alter how the till works: asked before they are made

    def save(self, **kw) -> None:
        self.app.guard(lambda: self.reg.admin.save_parameters(**kw))

    def change(self, field: str, new, shown_old: str, shown_new: str) -> None:
        if field not in self.CONFIRMED:
            self.save(**{field: new})
            return
        self.app.confirm(self.t("ui.param.confirm_title"),
                         self.t("ui.param.confirm_text", name=self.t(f"ui.param.{field}"), old=shown_old, new=shown_new),
                         lambda: self.save(**{field: new}), self.t("ui.param.confirm_yes"))

    def cycle(self, field: str, options: tuple, shown) -> None:
        cur = getattr(self.reg.admin.params, field)
        new = options[(options.index(cur) + 1) % len(options)] if cur in options else options[0]
        self.change(field, new, shown(cur), shown(new))

    def toggle(self, field: str) -> None:
        cur = getattr(self.reg.admin.params, field)
        yn = lambda v: self.t("ui.yes" if v else "ui.no")  # noqa: E731
        self.change(field, not cur, yn(cur), yn(not cur))

    def toggle_vat(self, rate: str) -> None:
        rates = list(self.reg.admin.params.vat_rates)
        new = [r for r in rates if r != rate] if rate in rates else rates + [rate]
        shown = lambda rs: ", ".join(self.t("ui.vat.none") if r == "none" else f"{r}%" for r in rs) or "—"  # noqa: E731
        self.change("vat_rates", tuple(new), shown(rates), shown(new))

    def language(self) -> None:
        """The language of the screens: it changes at once (and is kept for the next start)."""
        order = ("ru", "be", "en")
        new = order[(order.index(self.app.lang) + 1) % 3] if self.app.lang in order else "ru"
        if self.app.guard(lambda: self.reg.admin.save_parameters(language=new)):
            self.app.set_language(new)

    def number(self, field: str) -> None:
        self.app.keypad(self.t(f"ui.param.{field}"), lambda v: self.save(**{field: int(v)}), kind="int", max_len=3)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        p, t = self.reg.admin.params, self.t
        yn = lambda v: t("ui.yes" if v else "ui.no")  # noqa: E731
        mode = lambda m: t(f"ui.param.mode.{m}")  # noqa: E731
        rows = [
            ("accounting_mode", mode(p.accounting_mode),
             lambda: self.cycle("accounting_mode", ("differentiated", "sum"), mode)),
            ("printer_width", str(p.printer_width), lambda: self.cycle("printer_width", (32, 42, 48), str)),
            ("forbid_negative_stock", yn(p.forbid_negative_stock), lambda: self.toggle("forbid_negative_stock")),
            ("merge_lines", yn(p.merge_lines), lambda: self.toggle("merge_lines")),
            ("self_service_enabled", yn(p.self_service_enabled), lambda: self.toggle("self_service_enabled")),
            ("language", t(f"ui.lang.{self.app.lang}"), self.language),
            ("offline_limit_hours", str(p.offline_limit_hours), lambda: self.number("offline_limit_hours")),
            ("shift_max_hours", str(p.shift_max_hours), lambda: self.number("shift_max_hours")),
            ("receipt_footer", shorten(p.receipt_footer, 18) or "—",
             lambda: self.app.keyboard(t("ui.param.receipt_footer"), lambda v: self.save(receipt_footer=v.strip()),
                                       initial=p.receipt_footer, allow_empty=True)),
            ("customer_slides_dir", p.customer_slides_dir or "—",
             lambda: self.app.keyboard(t("ui.param.customer_slides_dir"),
                                       lambda v: self.save(customer_slides_dir=v.strip()),
                                       initial=p.customer_slides_dir, allow_empty=True, layout="lat")),
        ]
        vat_r, area = take_bottom(area, lay.btn + ui.line_h("muted"), lay.gap)
        head, btns = take_top(vat_r, ui.line_h("muted"), 0)
        ui.label(head, t("ui.param.vat_rates"), "muted")
        for rate, r in zip(("20", "10", "0", "25", "none"), split_h(btns, [0] * 5, lay.gap)):
            on = rate in p.vat_rates
            label = t("ui.vat.none") if rate == "none" else f"{rate}%"
            ui.button(f"param.vat.{rate}", r, label, lambda x=rate: self.toggle_vat(x),
                      style="selected" if on else "secondary")
        cols = 1 if lay.portrait else 2
        per_col = -(-len(rows) // cols)
        row_h = max(48, min(lay.row + 8, (area.height - lay.gap * (per_col - 1)) // per_col))
        columns = split_h(area, [0] * cols, lay.gap * 2)
        for i, (field, value, fn) in enumerate(rows):
            col = columns[i // per_col]
            r = Rect(col.left, col.top + (i % per_col) * (row_h + lay.gap), col.width, row_h)
            ui.button(f"param.{field}", r, t(f"ui.param.{field}"), fn, style="row", aside=((value, "strong_r"),),
                      lines=2)
