"""Обслуживание (manual §4.2): DB export, import and clearing, with a directory chooser, confirmations and a progress bar."""
from __future__ import annotations

import os
from pathlib import Path

import pygame

from screens.base import Layout, Screen, split_h, split_v, take_top
from screens.widgets import Ui

Rect = pygame.Rect


def candidate_dirs(data_dir: Path) -> list[Path]:
    """Where an archive can go: removable media mounted under /media and /mnt, and the data dir's export folder."""
    out = [Path(data_dir) / "export"]
    for root in ("/media", "/mnt", f"/media/{os.environ.get('USER', '')}", f"/run/media/{os.environ.get('USER', '')}"):
        p = Path(root)
        if p.is_dir():
            try:
                out += sorted(c for c in p.iterdir() if c.is_dir() and os.access(c, os.W_OK))
            except OSError:
                continue
    return out


class MaintenanceScreen(Screen):
    id = "maintenance"
    title_key = "ui.maint.title"
    parent = "settings"

    # ----- export ------------------------------------------------------------------------------
    def choose_dir(self, then) -> None:
        dirs = candidate_dirs(self.reg.data_dir)
        self.app.context(self.t("ui.maint.choose_dir"),
                         [(f"maint.dir.{i}", str(d), lambda d=d: then(d), "secondary") for i, d in enumerate(dirs[:6], 1)])

    def export(self) -> None:
        def to(d: Path) -> None:
            def run() -> None:
                d.mkdir(parents=True, exist_ok=True)
                self.app.show_progress(self.t("ui.maint.export"), self.t("ui.maint.working"), 0.3)
                name = self.reg.maintenance.export_db(str(d))
                self.app.show_progress(self.t("ui.maint.export"), self.t("ui.maint.working"), 1.0)
                self.app.hide_progress()
                self.app.message(self.t("ui.cash.done"), self.t("ui.maint.exported", name=name, dir=str(d)))
            self.app.guard(run)
        self.choose_dir(to)

    # ----- import ------------------------------------------------------------------------------
    def import_(self) -> None:
        def from_dir(d: Path) -> None:
            target = str(d)
            found: list[str] = []
            if not self.app.guard(lambda: found.extend(self.reg.maintenance.list_archives(target))):
                return
            names = found[:6]
            if not names:
                self.app.message(self.t("ui.maint.import"), self.t("ui.maint.no_archives", dir=str(d)))
                return
            self.app.context(self.t("ui.maint.choose_archive"),
                             [(f"maint.archive.{i}", n, lambda n=n: self.confirm_import(target, n), "secondary")
                              for i, n in enumerate(names, 1)])
        self.choose_dir(from_dir)

    def confirm_import(self, target, name: str) -> None:
        def yes() -> None:
            def run() -> None:
                self.app.show_progress(self.t("ui.maint.import"), self.t("ui.maint.working"), 0.5)
                self.reg.maintenance.import_db(target, name)
                self.app.hide_progress()
                self.app.message(self.t("ui.cash.done"), self.t("ui.maint.imported"))
            self.app.guard(run)
        self.app.confirm(self.t("ui.maint.import"), self.t("ui.maint.import_warn", name=name), yes,
                         self.t("ui.maint.do_import"), danger=True)

    # ----- clear -------------------------------------------------------------------------------
    def clear(self) -> None:
        def date_entered(v: str) -> None:
            if len(v) != 8:
                self.app.fail("BAD_FIELD", self.t("ui.maint.bad_date"))
                return
            date = f"{v[4:8]}-{v[2:4]}-{v[0:2]}"
            self.app.confirm(self.t("ui.maint.clear"), self.t("ui.maint.clear_warn", date=f"{v[0:2]}.{v[2:4]}.{v[4:8]}"),
                             lambda: self.do_clear(date), self.t("ui.yes"), danger=True)
        self.app.keypad(self.t("ui.maint.clear_until"), date_entered, kind="int", max_len=8)

    def do_clear(self, date: str) -> None:
        def run() -> None:
            self.app.show_progress(self.t("ui.maint.clear"), self.t("ui.maint.working"), 0.5)
            res = self.reg.maintenance.clear_db(date)
            self.app.hide_progress()
            self.app.message(self.t("ui.cash.done"), self.t("ui.maint.cleared", n=getattr(res, "removed", "")))
        self.app.guard(run)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        ops = (("export", self.export), ("import", self.import_), ("clear", self.clear))
        rows = split_v(Rect(area.left, area.top, area.width, min(area.height, 3 * (lay.btn * 2 + lay.gap))),
                       [0, 0, 0], lay.gap * 2)
        for (name, fn), r in zip(ops, rows):
            ui.panel(r, "card")
            inner = r.inflate(-2 * lay.pad, -2 * lay.pad)
            text, btn = split_h(inner, [0, min(lay.theme.px(180), inner.width // 3)], lay.gap)
            head, rest = take_top(text, ui.line_h("strong"), 0)
            ui.label(head, self.t(f"ui.maint.{name}"), "strong")
            ui.paragraph(rest, self.t(f"ui.maint.{name}_what"), "muted")
            ui.button(f"maint.{name}", Rect(btn.left, btn.centery - lay.btn // 2, btn.width, lay.btn),
                      self.t("ui.maint.run"), fn, style="danger" if name == "clear" else "primary")
