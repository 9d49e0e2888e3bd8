"""Обслуживание (manual §4.2): DB export, import and clearing, to a removable drive (by label and size) or a remote target."""
from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pygame

from screens.base import Layout, Screen, split_h, split_v, take_bottom, take_top
from screens.dialogs import Overlay
from screens.widgets import Ui

Rect = pygame.Rect


def size_text(t, n: int) -> str:
    """Bytes for people: «14,6 ГБ», «512 МБ»."""
    sep = t("ui.unit.decimal")
    if n >= 10**9:
        return f"{n / 10**9:.1f}".replace(".", sep) + " " + t("ui.unit.gb")
    return f"{n // 10**6} {t('ui.unit.mb')}"


def drive_choices(screen: Screen, prefix: str, then) -> list:
    """The drives as a cashier reads them: «Касса (папка экспорта)», «KINGSTON · 14,6 ГБ, свободно 9,1 ГБ»."""
    t = screen.t
    out = []
    for i, d in enumerate(screen.reg.maintenance.removable_drives()[:6], 1):
        if not d.label:                        # the till's own folder: its free space is what matters
            text = t("ui.maint.local_free", free=size_text(t, d.free)) if d.size else t("ui.maint.local")
        else:
            text = t("ui.maint.drive", name=d.label, size=size_text(t, d.size), free=size_text(t, d.free))
        out.append((f"{prefix}.{i}", text, lambda p=d.path: then(Path(p)), "secondary"))
    return out


class DatePicker(Overlay):
    """A date by day, month and year steppers (no typing of eight digits)."""

    id = "date"

    def __init__(self, app, title: str, initial: dt.date, on_ok) -> None:
        super().__init__(app)
        self.title, self.value, self.on_ok = title, initial, on_ok

    def shift(self, part: str, delta: int) -> None:
        d = self.value
        if part == "day":
            d = d + dt.timedelta(days=delta)
        else:
            y, m = divmod(d.year * 12 + d.month - 1 + (12 * delta if part == "year" else delta), 12)
            d = dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))
        self.value = d
        self.app.refresh()

    def ok(self) -> None:
        self.close()
        self.on_ok(self.value)

    def build(self, ui: Ui, lay: Layout, layer: int) -> None:
        t = self.app.t
        h = 2 * ui.line_h("heading") + ui.line_h("muted") + 2 * lay.btn + 5 * lay.gap + 3 * lay.pad
        area = self.sheet(ui, lay, layer, lay.theme.px(560), h)
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, self.title, "heading", layer, wid="date.title", lines=2)
        names, rest = take_top(rest, ui.line_h("muted"), lay.gap)
        values, rest = take_top(rest, ui.line_h("heading"), lay.gap)
        steps, rest = take_top(rest, lay.btn, lay.gap)
        parts = [0.26, 0.42, 0]
        v = self.value
        for (part, shown), hr, vr, sr in zip((("day", f"{v.day:02d}"), ("month", t(f"ui.month.{v.month}")),
                                              ("year", str(v.year))), split_h(names, parts, lay.gap * 2),
                                             split_h(values, parts, lay.gap * 2), split_h(steps, parts, lay.gap * 2)):
            ui.label(hr, t(f"ui.date.{part}"), "muted_c", layer)
            ui.label(vr, shown, "heading_c", layer, wid=f"date.{part}")
            minus, plus = split_h(sr, [0, 0], lay.gap)
            ui.button(f"date.{part}.minus", minus, "", lambda p=part: self.shift(p, -1), style="stepper", icon="minus",
                      layer=layer)
            ui.button(f"date.{part}.plus", plus, "", lambda p=part: self.shift(p, 1), style="stepper", icon="plus",
                      layer=layer)
        no, yes = split_h(take_top(rest, lay.btn, 0)[0], [0, 0], lay.gap)
        ui.button("date.cancel", no, t("ui.cancel"), self.close, style="secondary", layer=layer)
        ui.button("date.ok", yes, "OK", self.ok, style="primary", layer=layer)


class MaintenanceScreen(Screen):
    id = "maintenance"
    title_key = "ui.maint.title"
    parent = "settings"

    # ----- export ------------------------------------------------------------------------------
    def choose_dir(self, then) -> None:
        """The drives, then the remote targets an engineer configured (FTP, WebDAV, Яндекс.Диск): `then(Path | Place)`."""
        choices = drive_choices(self, "maint.dir", then)
        remote = [p for p in self.reg.exchange.places() if p.kind == "remote"][:max(0, 7 - len(choices))]
        choices += [(f"maint.dir.{i}", self.t("ui.exch.remote", name=p.label), lambda p=p: then(p), "secondary")
                    for i, p in enumerate(remote, len(choices) + 1)]
        self.app.context(self.t("ui.maint.choose_dir"), choices)

    def export(self) -> None:
        maint = self.reg.maintenance

        def to(d) -> None:
            local = isinstance(d, Path)

            def run(post) -> str:
                if local:
                    d.mkdir(parents=True, exist_ok=True)
                return maint.export_db(str(d) if local else d.spec)
            shown = str(d) if local else d.label
            self.app.work(run, title=self.t("ui.maint.export"), text=self.t("ui.maint.working"),
                          on_done=lambda name: self.app.message(self.t("ui.cash.done"),
                                                                self.t("ui.maint.exported", name=name, dir=shown)))
        self.choose_dir(to)

    # ----- import ------------------------------------------------------------------------------
    def import_(self) -> None:
        def from_dir(d) -> None:
            target, shown = (str(d), str(d)) if isinstance(d, Path) else (d.spec, d.label)

            def listed(found: list) -> None:
                names = found[:6]
                if not names:
                    self.app.message(self.t("ui.maint.import"), self.t("ui.maint.no_archives", dir=shown))
                    return
                self.app.context(self.t("ui.maint.choose_archive"),
                                 [(f"maint.archive.{i}", n, lambda n=n: self.confirm_import(target, n), "secondary")
                                  for i, n in enumerate(names, 1)])
            # a remote target answers over the network: listed in a job, the screen keeps drawing
            self.app.work(lambda post: self.reg.maintenance.list_archives(target), title=self.t("ui.maint.import"),
                          text=self.t("ui.maint.working"), on_done=listed)
        self.choose_dir(from_dir)

    def confirm_import(self, target, name: str) -> None:
        maint = self.reg.maintenance

        def yes() -> None:
            self.app.work(lambda post: maint.import_db(target, name), title=self.t("ui.maint.import"),
                          text=self.t("ui.maint.working"),
                          on_done=lambda _r: self.app.message(self.t("ui.cash.done"), self.t("ui.maint.imported")))
        self.app.confirm(self.t("ui.maint.import"), self.t("ui.maint.import_warn", name=name), yes,
                         self.t("ui.maint.do_import"), danger=True)

    # ----- clear -------------------------------------------------------------------------------
    def clear(self) -> None:
        today = dt.date.fromisoformat(str(self.reg.now())[:10])
        start = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) else \
            today - dt.timedelta(days=365)

        def picked(d: dt.date) -> None:
            if d >= today:
                self.app.message(self.t("ui.maint.clear"), self.t("ui.maint.date_future"), problem=True)
                return
            self.app.confirm(self.t("ui.maint.clear"), self.t("ui.maint.clear_warn", date=d.strftime("%d.%m.%Y")),
                             lambda: self.do_clear(d.isoformat()), self.t("ui.maint.clear_yes"), danger=True)
        self.app.open(DatePicker(self.app, self.t("ui.maint.clear_until_title"), start, picked))

    def do_clear(self, date: str) -> None:
        maint = self.reg.maintenance
        self.app.work(lambda post: maint.clear_db(date), title=self.t("ui.maint.clear"), text=self.t("ui.maint.working"),
                      on_done=lambda res: self.app.message(self.t("ui.cash.done"),
                                                           self.t("ui.maint.cleared", n=getattr(res, "removed", ""))))

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        ops = (("export", self.export, "file-export"), ("import", self.import_, "file-import"),
               ("clear", self.clear, "broom"))
        card_h = lay.btn * 2 + (lay.btn + lay.gap if lay.portrait else 0)
        rows = split_v(Rect(area.left, area.top, area.width, min(area.height, 3 * (card_h + lay.gap))),
                       [0, 0, 0], lay.gap * 2)
        for (name, fn, icon), r in zip(ops, rows):
            ui.panel(r, "card")
            inner = r.inflate(-2 * lay.pad, -2 * lay.pad)
            if lay.portrait:                   # the text takes the whole width, the button goes under it
                btn, text = take_bottom(inner, lay.btn, lay.gap)
                btn = Rect(btn.right - min(btn.width, lay.theme.px(240)), btn.top, min(btn.width, lay.theme.px(240)),
                           btn.height)
            else:
                text, btn = split_h(inner, [0, min(lay.theme.px(200), inner.width // 3)], lay.gap)
            head, rest = take_top(text, ui.line_h("strong"), 0)
            ui.label(head, self.t(f"ui.maint.{name}"), "strong")
            ui.paragraph(rest, self.t(f"ui.maint.{name}_what"), "muted")
            ui.button(f"maint.{name}", Rect(btn.left, btn.centery - lay.btn // 2, btn.width, lay.btn),
                      self.t("ui.maint.run"), fn, style="danger" if name in ("clear", "import") else "primary", icon=icon)
