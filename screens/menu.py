"""The main menu of manual §3.3: seven commands, grey when the permission table forbids them (a tap says why)."""
from __future__ import annotations

import pygame

from screens.base import Layout, Screen, grid, take_bottom
from screens.widgets import Ui

Rect = pygame.Rect

# widget id suffix, permission rule, target screen
MENU: tuple[tuple[str, str, str], ...] = (
    ("sale", "sale", "sale"), ("orders", "orders", "orders"), ("cash", "cash_menu", "cash"),
    ("receipts", "receipts_list", "receipts_shifts"), ("reports", "reports_menu", "reports"),
    ("goods", "goods_menu", "goods_list"), ("settings", "settings_menu", "settings"),
)


ICONS = {"sale": "cart-shopping", "orders": "truck", "cash": "cash-register", "receipts": "receipt",
         "reports": "chart-column", "goods": "boxes-stacked", "settings": "gear"}


class MenuScreen(Screen):
    id = "menu"
    title_key = "ui.menu.title"
    parent = None

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        info, rest = take_bottom(area, 2 * ui.line_h("muted"), lay.gap)
        cols, rows = (2, 4) if lay.portrait else (4, 2)
        cells = grid(rest, cols, rows, lay.gap * 2)
        for (name, rule, target), cell in zip(MENU, cells):
            denial = self.reg.session.allowed(rule)
            ui.button(f"menu.{name}", cell, self.t(f"ui.menu.{name}"), lambda s=target: self.app.go(s),
                      style="menu", enabled=denial is None, reason=denial.reason if denial else None, icon=ICONS[name])
        ui.button("menu.logout", cells[len(MENU)], self.t("ui.menu.logout"), self.logout, style="menu",
                  icon="right-from-bracket")
        ui.label(info, self.hint(), "muted", wid="menu.hint", lines=2)

    def hint(self) -> str:
        reg = self.reg
        if reg.session.role == "admin":
            return self.t("ui.menu.hint_admin")
        if str(reg.shifts.state) == "closed":
            return self.t("ui.menu.hint_closed")
        if str(reg.shifts.state) == "expired":
            return self.t("ui.menu.hint_expired")
        return self.t("ui.menu.hint_open")

    def logout(self) -> None:
        self.app.guard(self.reg.session.logout)
        self.app.refresh()
