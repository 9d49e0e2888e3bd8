"""Помощь (per screen), О программе (for people), Получить данные (the register's data), and Заказы."""
from __future__ import annotations

from importlib import metadata

import pygame

import texts
from screens.base import Layout, Screen, take_bottom, take_top
from screens.widgets import Ui

Rect = pygame.Rect


class HelpScreen(Screen):
    """Help for the screen it was opened from (`topic`), then the gestures; and the support bundle."""

    id = "help"
    title_key = "ui.help.title"

    @property
    def parent(self) -> str:  # type: ignore[override]
        return "menu" if self.app.reg.session.user else "login"

    def send_support(self) -> None:
        """Service information for technical support, saved to a removable drive (or the export folder)."""
        from screens.maintenance import drive_choices
        maint = self.reg.maintenance

        def to(d) -> None:
            def run(post) -> str:
                d.mkdir(parents=True, exist_ok=True)
                return maint.send_support_info(str(d))
            self.app.work(run, title=self.t("ui.help.support"), text=self.t("ui.maint.working"),
                          on_done=lambda name: self.app.message(self.t("ui.help.support"),
                                                                self.t("ui.help.support_done", name=name, dir=str(d))))
        self.app.context(self.t("ui.maint.choose_dir"), drive_choices(self, "help.dir", to))

    def topic_text(self) -> str:
        topic = str(self.params.get("topic") or "")
        if not topic:
            return ""
        key = f"ui.help.screen.{topic}"
        text = self.t(key)
        return "" if text == key else text

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        ui.button("help.support", bottom, self.t("ui.help.support"), self.send_support, style="secondary",
                  icon="screwdriver-wrench")
        topic = self.topic_text()
        if topic:
            used = ui.paragraph(area, topic, "body")
            area = Rect(area.left, area.top + used + lay.pad, area.width, area.height - used - lay.pad)
        ui.paragraph(area, self.t("ui.help.text"), "body")


def versions(reg) -> list[tuple[str, str]]:
    """What a person asks «which version is this?» about: the program, the shop and the SKO (no library table)."""
    t = texts.t
    out = [(t("ui.about.version"), metadata.version("zpos-by"))]
    req = reg.admin.requisites()
    if req is not None:
        out += [(t("ui.req.org_name"), req.org_name), (t("ui.req.unp"), req.unp), (t("ui.req.ksa_number"), req.ksa_number)]
    sko = reg.hardware.sko_facts()
    out.append((t("ui.info.sko"), sko.serial if sko.reachable else t("ui.about.sko_unreachable")))
    out.append((t("ui.about.icons"), "Font Awesome Free (CC BY 4.0)"))
    return out


def _kv(ui: Ui, lay: Layout, area: Rect, rows: list[tuple[str, str]]) -> None:
    lh = ui.line_h("body")
    key_w = min(area.width // 2, lay.theme.px(300))
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
        what, rest = take_top(rest, 2 * ui.line_h("body"), lay.gap)
        ui.paragraph(what, self.t("ui.about.what"), "body")
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
