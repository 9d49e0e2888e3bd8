"""Диагностика (the key button on the login screen): each device, the SKO and its uplink, storage; green or red with why.

The checks only read device status through the same drivers the register uses; nothing is
changed. `zpos diag` can reuse `run_checks`.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass

import pygame

from screens.base import Layout, Screen, split_v, take_bottom
from screens.widgets import Ui
from zpos.i18n import t

Rect = pygame.Rect


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _try(name: str, fn) -> Check:
    from hal.errors import DeviceError
    try:
        ok, detail = fn()
    except DeviceError as e:
        return Check(name, False, e.message)
    except OSError as e:
        return Check(name, False, str(e))
    return Check(name, ok, detail)


def run_checks(reg) -> list[Check]:
    """Every check, in the order a field engineer walks them."""
    dev = reg.devices
    out: list[Check] = []

    def sko():
        st = dev.sko.status(reg.now())
        return True, t("ui.diag.sko_ok", unsent=st.unsent_count)

    def uplink():
        st = dev.sko.status(reg.now())
        if st.uplink_online:
            return True, t("ui.diag.uplink_ok")
        return False, t("ui.diag.uplink_down", unsent=st.unsent_count)

    out.append(_try(t("ui.diag.sko"), sko))
    out.append(_try(t("ui.diag.internet"), uplink))

    def printer():
        from hal.printer import error_for
        if dev.printer is None:
            return False, dev.errors.get("printer") or t("ui.diag.not_configured")
        err = error_for(dev.printer.status())
        return (True, t("ui.diag.ready")) if err is None else (False, err.message)
    out.append(_try(t("ui.diag.printer"), printer))

    def scale():
        if dev.scale is None:
            return False, dev.errors.get("scale") or t("ui.diag.not_configured")
        r = dev.scale.read()
        return True, t("ui.diag.scale_ok", kg=f"{r.weight_g // 1000}.{r.weight_g % 1000:03d}")
    out.append(_try(t("ui.diag.scale"), scale))
    for name, term in dev.terminals.items():
        def terminal(term=term):
            res = term.test()
            return (True, t("ui.diag.bank_ok")) if res.approved else (False, res.message or str(res.status))
        out.append(_try(t("ui.diag.terminal", name=name), terminal))
    for key, why in dev.errors.items():
        if key.startswith("terminal"):
            out.append(Check(key, False, why))
    out.append(Check(t("ui.diag.scanner"), dev.scanner is not None,
                     t("ui.diag.connected") if dev.scanner is not None else dev.errors.get("scanner")
                     or t("ui.diag.not_configured")))
    out.append(Check(t("ui.diag.oplati"), dev.oplati is not None,
                     t("ui.diag.configured") if dev.oplati is not None else t("ui.diag.not_configured")))

    def storage():
        free = shutil.disk_usage(reg.data_dir).free // (1024 * 1024)
        if free < 200:
            return False, t("ui.diag.disk_low", mb=free)
        return True, t("ui.diag.disk_ok", mb=free, docs=reg.journal.count())
    out.append(_try(t("ui.diag.storage"), storage))
    not_printed = len(reg.journal.not_printed())
    out.append(Check(t("ui.diag.journal"), not_printed == 0,
                     t("ui.diag.all_printed") if not not_printed else t("ui.diag.not_printed", n=not_printed)))
    return out


class DiagnosticsScreen(Screen):
    id = "diagnostics"
    title_key = "ui.diag.title"
    parent = "login"
    side_menu = False

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.checks = run_checks(self.reg)

    def again(self) -> None:
        self.checks = run_checks(self.reg)
        self.app.refresh()

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        ui.button("diag.refresh", bottom, self.t("ui.diag.refresh"), self.again, style="primary")

        def row(r: Rect, c: Check, i: int) -> None:
            ui.panel(r, "card")
            inner = r.inflate(-2 * lay.pad, -4)
            a, b = split_v(inner, [0.5, 0], 0)
            mark = self.t("ui.diag.ok") if c.ok else self.t("ui.diag.problem")
            ui.label(a, f"{c.name}: {mark}", "good" if c.ok else "error", wid=f"diag.{i}")
            ui.label(b, c.detail, "body")
        row_h = max(lay.row, 2 * ui.line_h("body") + 4)
        self.paged(ui, lay, area, self.checks, row_h, row, "diag")
