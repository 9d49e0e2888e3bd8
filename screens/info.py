"""Помощь, О программе (the version of every module), Получить данные (the register's data), and Заказы."""
from __future__ import annotations

import platform
from importlib import metadata

import pygame

import texts
from screens.base import Layout, Screen, take_bottom, take_top
from screens.widgets import Ui

Rect = pygame.Rect


class HelpScreen(Screen):
    id = "help"
    title_key = "ui.help.title"

    @property
    def parent(self) -> str:  # type: ignore[override]
        return "menu" if self.app.reg.session.user else "login"

    def send_support(self) -> None:
        """Service information for technical support, saved to a USB stick (or the export folder)."""
        from screens.maintenance import candidate_dirs

        def to(d) -> None:
            saved: list[str] = []

            def run() -> None:
                d.mkdir(parents=True, exist_ok=True)
                saved.append(self.reg.maintenance.send_support_info(str(d)))
            if self.app.guard(run):
                self.app.message(self.t("ui.help.support"), self.t("ui.help.support_done", name=saved[0], dir=str(d)))
        dirs = candidate_dirs(self.reg.data_dir)
        self.app.context(self.t("ui.maint.choose_dir"),
                         [(f"help.dir.{i}", str(d), lambda d=d: to(d), "secondary") for i, d in enumerate(dirs[:6], 1)])

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        ui.button("help.support", bottom, self.t("ui.help.support"), self.send_support, style="secondary")
        ui.paragraph(area, self.t("ui.help.text"), "body")


def versions(reg) -> list[tuple[str, str]]:
    out = [("zPOS-BY", metadata.version("zpos-by")), ("Python", platform.python_version()),
           ("pygame-ce", pygame.version.ver), ("SDL", ".".join(map(str, pygame.get_sdl_version()))),
           ("pygame_gui", metadata.version("pygame_gui"))]
    sko = reg.hardware.sko_facts()
    out.append((texts.t("ui.info.sko"), sko.serial if sko.reachable else "—"))
    out += [(f"{texts.t('ui.info.sko')} {k}", v) for k, v in sorted(sko.versions.items())]
    return out


def _kv(ui: Ui, lay: Layout, area: Rect, rows: list[tuple[str, str]]) -> None:
    lh = ui.line_h("body")
    key_w = min(area.width // 2, lay.theme.px(260))
    y = area.top
    for k, v in rows:
        if y + lh > area.bottom:
            break
        ui.label(Rect(area.left, y, key_w, lh), k, "muted")
        ui.label(Rect(area.left + key_w, y, area.width - key_w, lh), v, "body")
        y += lh


class AboutScreen(Screen):
    id = "about"
    title_key = "ui.about.title"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.t("ui.about.product"), "heading")
        _kv(ui, lay, rest, versions(self.reg))


class DeviceInfoScreen(Screen):
    id = "device_info"
    title_key = "ui.side.getdata"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        reg, t = self.reg, self.t
        rows: list[tuple[str, str]] = []
        if reg.admin.requisites() is not None:
            req = reg.admin.requisites()
            rows += [(t("ui.req.org_name"), req.org_name), (t("ui.req.unp"), req.unp),
                     (t("ui.req.ksa_number"), req.ksa_number), (t("ui.req.shop_name"), req.shop_name),
                     (t("ui.req.shop_address"), req.shop_address)]
        sko = reg.hardware.sko_facts()
        if sko.reachable:
            rows += [(t("ui.info.shift"), str(sko.shift_number)), (t("ui.info.next_number"), str(sko.next_number)),
                     (t("ui.info.unsent"), str(sko.unsent_count))]
        else:
            rows.append((t("ui.info.sko"), "—"))
        rows.append((t("ui.info.documents"), str(reg.docs.count())))
        rows.append((t("ui.info.mode"), t(f"ui.param.mode.{reg.admin.params.accounting_mode}")))
        _kv(ui, lay, area, rows)


class OrdersScreen(Screen):
    """Заказы (courier mode): orders come from an external system; with none connected the list is empty."""

    id = "orders"
    title_key = "ui.menu.orders"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        ui.paragraph(area, self.t("ui.orders.none"), "muted")
