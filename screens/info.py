"""Помощь, О программе (the version of every module), Получить данные (the register's data), and Заказы."""
from __future__ import annotations

import platform

import pygame

from screens.base import Layout, Screen, take_bottom, take_top
from screens.widgets import Ui

Rect = pygame.Rect


class HelpScreen(Screen):
    id = "help"
    title_key = "ui.help.title"

    @property
    def parent(self) -> str:  # type: ignore[override]
        return "menu" if self.app.reg.user else "login"

    def send_support(self) -> None:
        """Service information for technical support, saved to a USB stick (or the export folder)."""
        from screens.maintenance import candidate_dirs

        def to(d) -> None:
            saved: list[str] = []

            def run() -> None:
                d.mkdir(parents=True, exist_ok=True)
                saved.append(self.reg.send_support_info(str(d)))
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
    import pygame_gui

    import zpos
    out = [("zPOS-BY", zpos.__version__)]
    for mod in ("fiscal", "storage", "hal", "sim", "fsm", "screens"):
        out.append((mod, zpos.__version__))
    out += [("Python", platform.python_version()), ("pygame-ce", pygame.version.ver),
            ("SDL", ".".join(map(str, pygame.get_sdl_version()))), ("pygame_gui", getattr(pygame_gui, "__version__", "?"))]
    try:
        info = reg.devices.sko.info()
        out.append(("СКО", info.serial))
        out += [(f"СКО {k}", v) for k, v in sorted(info.versions.items())]
    except Exception:  # the SKO is unreachable: the rest of the list is still useful
        out.append(("СКО", "—"))
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
        if reg.settings.has_requisites():
            req = reg.settings.requisites()
            rows += [(t("ui.req.org_name"), req.org_name), (t("ui.req.unp"), req.unp),
                     (t("ui.req.ksa_number"), req.ksa_number), (t("ui.req.shop_name"), req.shop_name),
                     (t("ui.req.shop_address"), req.shop_address)]
        try:
            st = reg.devices.sko.status(reg.now())
            rows += [(t("ui.info.shift"), str(st.shift_number)), (t("ui.info.next_number"), str(st.next_number)),
                     (t("ui.info.unsent"), str(st.unsent_count))]
        except Exception:  # the SKO is unreachable
            rows.append(("СКО", "—"))
        rows.append((t("ui.info.documents"), str(reg.journal.count())))
        rows.append((t("ui.info.mode"), t(f"ui.param.mode.{reg.params.accounting_mode}")))
        _kv(ui, lay, area, rows)


class OrdersScreen(Screen):
    """Заказы (courier mode): orders come from an external system; with none connected the list is empty."""

    id = "orders"
    title_key = "ui.menu.orders"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        ui.paragraph(area, self.t("ui.orders.none"), "muted")
