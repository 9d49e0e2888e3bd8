"""The side menu (left swipe or ☰): the main commands, Help, About, Get data, the user and tariff; in Продажа the categories."""
from __future__ import annotations

import pygame

from screens.base import Layout, take_top
from screens.dialogs import Overlay
from screens.menu import MENU
from screens.sale_view import SUB
from screens.widgets import Ui

Rect = pygame.Rect


class SideMenu(Overlay):
    id = "side_menu"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.page = 0

    def entries(self) -> list[tuple[str, str, object, bool, str | None]]:
        app, reg = self.app, self.app.reg
        out = []
        if app.screen.id == "sale" and str(reg.session.mode) == "differentiated":
            for i, cat in enumerate(app.screen.categories(), start=1):
                child = SUB in cat
                label = "    › " + cat.split(SUB)[-1] if child else app.screen.category_title(cat)
                out.append((f"side.cat.{i}", label, lambda c=cat: self.category(c), True, None))
        for name, rule, target in MENU:
            denial = reg.session.allowed(rule)
            out.append((f"side.{name}", app.t(f"ui.menu.{name}"), lambda s=target: app.go(s), denial is None,
                        denial.reason if denial else None))
        topic = app.screen.id
        out.append(("side.help", app.t("ui.side.help"), lambda: app.go("help", topic=topic), True, None))
        for name, target in (("about", "about"), ("getdata", "device_info")):
            out.append((f"side.{name}", app.t(f"ui.side.{name}"), lambda s=target: app.go(s), True, None))
        out.append(("side.logout", app.t("ui.menu.logout"), self.logout, True, None))
        return out

    def category(self, cat: str) -> None:
        self.close()
        self.app.screen.show_category(cat)

    def logout(self) -> None:
        self.close()
        self.app.guard(self.app.reg.session.logout)

    def on_vertical_swipe(self, delta: int) -> None:
        self.page = max(0, self.page + delta)
        self.app.refresh()

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        w = min(lay.theme.px(380), int(lay.w * 0.8))
        ui.dim(lay.screen, layer)
        ui.button("side.close", Rect(w, 0, lay.w - w, lay.h), "", self.close, style="invisible", layer=layer)
        panel = Rect(0, 0, w, lay.h)
        ui.panel(panel, "sheet", layer)
        area = panel.inflate(-2 * lay.pad, -2 * lay.pad)
        reg = self.app.reg
        who, area = take_top(area, ui.line_h("strong"), 0)
        name = reg.session.user.name if reg.session.user else ""
        role = self.app.t(f"ui.role.{reg.session.user.role}") if reg.session.user else ""
        ui.label(who, f"{name} · {role}", "strong", layer, wid="side.user")
        tariff, area = take_top(area, ui.line_h("muted"), lay.gap)
        ui.label(tariff, self.app.t("ui.side.tariff"), "muted", layer, wid="side.tariff")
        entries = self.entries()
        per = max(1, (area.height + lay.gap) // (lay.row + lay.gap))
        if len(entries) > per:
            per = max(1, (area.height - lay.btn) // (lay.row + lay.gap))
            pages = -(-len(entries) // per)
            self.page = min(self.page, pages - 1)
            nav = Rect(area.left, area.bottom - lay.btn, area.width, lay.btn)
            half = (nav.width - lay.gap) // 2
            ui.button("side.up", Rect(nav.left, nav.top, half, nav.height), "", lambda: self.on_vertical_swipe(-1),
                      style="nav", enabled=self.page > 0, layer=layer, icon="chevron-up")
            ui.button("side.down", Rect(nav.left + half + lay.gap, nav.top, half, nav.height), "",
                      lambda: self.on_vertical_swipe(1), enabled=self.page < pages - 1, layer=layer, style="nav",
                      icon="chevron-down")
        start = self.page * per
        y = area.top
        for wid, label, fn, enabled, reason in entries[start:start + per]:
            ui.button(wid, Rect(area.left, y, area.width, lay.row), label, self._go(fn), style="row",
                      enabled=enabled, reason=reason, layer=layer)
            y += lay.row + lay.gap

    def _go(self, fn):
        def run() -> None:
            self.close()
            fn()
        return run
