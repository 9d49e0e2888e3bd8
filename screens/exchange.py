"""Товары → Импорт / Экспорт: format and source, a preview of the changes, then apply with progress; export likewise."""
from __future__ import annotations

import pygame

from screens.base import Layout, Screen, split_h, split_v, take_bottom, take_top
from screens.maintenance import size_text
from screens.widgets import Ui

Rect = pygame.Rect

FORMATS = ("csv", "commerceml", "bitrix24", "cloudshop")
EXPORTABLE = ("csv", "commerceml")
OFFICES = ("bitrix24", "cloudshop")


def relay(post):
    """The service's progress(text, fraction) as the job sheet's update."""
    return lambda text, fraction: post({"text": text, "fraction": fraction})


def place_text(screen: Screen, p) -> str:
    """«Касса (папка экспорта)», «KINGSTON · 14,6 ГБ, свободно 9,1 ГБ», «ftp://kassa:***@host/goods»."""
    t = screen.t
    if p.kind == "local":
        return t("ui.maint.local_free", free=size_text(t, p.free)) if p.size else t("ui.maint.local")
    if p.kind == "usb":
        return t("ui.maint.drive", name=p.label, size=size_text(t, p.size), free=size_text(t, p.free))
    return t("ui.exch.remote", name=p.label)


class GoodsExchangeScreen(Screen):
    id = "goods_exchange"
    title_key = "ui.exch.title"
    parent = "goods_list"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.fmt = str(params.get("fmt", "csv"))
        self.remove_missing = True

    @property
    def ex(self):
        return self.reg.exchange

    def set_fmt(self, fmt: str) -> None:
        self.fmt = fmt
        self.app.refresh()

    def toggle_remove(self) -> None:
        self.remove_missing = not self.remove_missing
        self.app.refresh()

    def choose_place(self, title: str, then) -> None:
        places = self.ex.places()[:6]
        self.app.context(title, [(f"exch.place.{i}", place_text(self, p), lambda p=p: then(p), "secondary")
                                 for i, p in enumerate(places, 1)])

    # ----- import ------------------------------------------------------------------------------
    def import_(self) -> None:
        if self.fmt in OFFICES:
            if not self.ex.office_ready(self.fmt):
                self.app.message(self.t("ui.exch.import"), self.t(f"ui.exch.not_configured.{self.fmt}"), problem=True)
                return
            self.run_preview(f"{self.fmt}:")
            return
        self.choose_place(self.t("ui.exch.from_where"), self.pick_file)

    def pick_file(self, place) -> None:
        fmt = self.fmt

        def listed(names: list) -> None:
            if not names:
                self.app.message(self.t("ui.exch.import"), self.t(f"ui.exch.no_files.{fmt}",
                                                                  place=place_text(self, place)))
                return
            choices = [(f"exch.file.{i}", self.t("ui.exch.folder") if n == "." else n,
                        lambda n=n: self.run_preview(self.ex.source_of(place.spec, n)), "secondary")
                       for i, n in enumerate(names[:6], 1)]
            self.app.context(self.t("ui.exch.choose_file"), choices)
        self.app.work(lambda post: self.ex.files(place.spec, fmt), title=self.t("ui.exch.import"),
                      text=self.t("ui.exch.listing"), on_done=listed)

    def run_preview(self, source: str) -> None:
        fmt, remove = self.fmt, self.remove_missing
        self.app.work(lambda post: self.ex.preview(source, fmt, remove_missing=remove, progress=relay(post)),
                      title=self.t("ui.exch.checking"), text=self.t("ui.exch.reading"),
                      on_done=lambda _p: self.app.go("goods_import_preview"))

    # ----- export ------------------------------------------------------------------------------
    def export(self) -> None:
        fmt = self.fmt

        def to(place) -> None:
            now = str(self.reg.now())

            def done(res) -> None:
                name, n = res
                self.app.message(self.t("ui.cash.done"), self.t("ui.exch.exported", n=n, name=name,
                                                                place=place_text(self, place)))
            self.app.work(lambda post: self.ex.export(place.spec, fmt, now, progress=relay(post)),
                          title=self.t("ui.exch.export"), text=self.t("ui.exch.writing"), on_done=done)
        self.choose_place(self.t("ui.exch.to_where"), to)

    # ----- drawing -----------------------------------------------------------------------------
    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        t = self.t
        if self.reg.exchange.pending is not None and not self.app.busy:
            self.reg.exchange.discard()        # back here from the preview without «Загрузить»: nothing is kept
        fmts, area = take_top(area, lay.btn, lay.gap)
        for fmt, r in zip(FORMATS, split_h(fmts, [0] * len(FORMATS), lay.gap)):
            ui.button(f"exch.fmt.{fmt}", r, t(f"ui.exch.fmt.{fmt}"), lambda f=fmt: self.set_fmt(f),
                      style="selected" if fmt == self.fmt else "secondary")
        opt, area = take_top(area, lay.btn, lay.gap * 2)
        ui.button("exch.remove_missing", opt, t("ui.exch.remove_missing." + ("yes" if self.remove_missing else "no")),
                  self.toggle_remove, style="row", icon="trash-can" if self.remove_missing else "folder-open")
        imp = self.reg.session.allowed("goods_import")
        exp = self.reg.session.allowed("goods_export")
        cards = (("import", self.import_, "file-import", imp.reason if imp else None),
                 ("export", self.export, "file-export",
                  exp.reason if exp else (None if self.fmt in EXPORTABLE else t("ui.exch.export_formats"))))
        card_h = min((area.height - lay.gap * 2) // 2, lay.btn * 2 + (lay.btn + lay.gap if lay.portrait else 0))
        rows = split_v(Rect(area.left, area.top, area.width, 2 * card_h + lay.gap * 2), [0, 0], lay.gap * 2)
        if self.fmt == "cloudshop":            # its API is known only from third-party code: the screen says so
            note = Rect(area.left, rows[-1].bottom + lay.gap * 2, area.width, area.bottom - rows[-1].bottom - lay.gap * 2)
            if note.height >= 2 * ui.line_h("muted"):
                ui.paragraph(Rect(note.left, note.top, note.width, 2 * ui.line_h("muted")),
                             t("goods.source.cloudshop_undocumented"), "muted")
        for (name, fn, icon, reason), r in zip(cards, rows):
            ui.panel(r, "card")
            inner = r.inflate(-2 * lay.pad, -2 * lay.pad)
            if lay.portrait:
                btn, text = take_bottom(inner, lay.btn, lay.gap)
                bw = min(btn.width, lay.theme.px(240))
                btn = Rect(btn.right - bw, btn.top, bw, btn.height)
            else:
                text, btn = split_h(inner, [0, min(lay.theme.px(200), inner.width // 3)], lay.gap)
            head, rest = take_top(text, ui.line_h("strong"), 0)
            ui.label(head, t(f"ui.exch.{name}"), "strong")
            what = t(f"ui.exch.{name}_what.{self.fmt}")
            ui.paragraph(rest, what, "muted")
            ui.button(f"exch.{name}", Rect(btn.left, btn.centery - lay.btn // 2, btn.width, lay.btn),
                      t(f"ui.exch.run_{name}"), fn, style="primary", icon=icon, enabled=reason is None, reason=reason)


KIND_STYLE = {"new": "good_r", "changed": "strong_r", "removed": "neg_r"}


class ImportPreviewScreen(Screen):
    id = "goods_import_preview"
    title_key = "ui.exch.preview_title"
    parent = "goods_exchange"

    def discard(self) -> None:
        self.reg.exchange.discard()
        self.app.back()

    def apply(self) -> None:
        ex = self.reg.exchange

        def done(res) -> None:
            self.app.back()
            self.app.message(self.t("ui.cash.done"), self.t("ui.exch.applied", new=res.new, changed=res.changed,
                                                            removed=res.removed))
        self.app.work(lambda post: ex.apply(progress=relay(post)), title=self.t("ui.exch.applying"),
                      text=self.t("ui.exch.reading"), on_done=done)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        t = self.t
        p = self.reg.exchange.pending
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        no, yes = split_h(bottom, [0.4, 0], lay.gap)
        ui.button("exch.discard", no, t("ui.cancel"), self.discard, style="secondary", icon="xmark")
        ui.button("exch.apply", yes, t("ui.exch.apply"), self.apply, style="primary", icon="circle-check",
                  enabled=p is not None, reason=t("ui.exch.nothing"))
        if p is None:
            ui.paragraph(area, t("ui.exch.nothing"), "muted")
            return
        src, area = take_top(area, ui.line_h("muted"), lay.gap)
        ui.label(src, t("ui.exch.source_of", source=p.source, total=p.total), "muted", wid="exch.source")
        tiles_h = ui.line_h("big") + lay.theme.px(6) + ui.line_h("muted") + 2 * lay.pad
        tiles, area = take_top(area, tiles_h, lay.gap)
        for kind, n, r in zip(("new", "changed", "removed"), (p.new, p.changed, p.removed),
                              split_h(tiles, [0, 0, 0], lay.gap)):
            ui.panel(r, "card")
            inner = r.inflate(-2 * lay.pad, -2 * lay.pad)
            num, cap = take_top(inner, ui.line_h("big") + lay.theme.px(6), 0)
            ui.label(num, str(n), "big_c", wid=f"exch.count.{kind}")
            ui.label(cap, t(f"ui.exch.count.{kind}"), "muted_c")
        samples = list(p.samples)
        if not samples:
            ui.paragraph(area, t("ui.exch.no_changes") if not (p.new or p.changed or p.removed) else "", "muted")
            return

        def row(r: Rect, s, i: int) -> None:
            ui.button(f"exch.sample.{i + 1}", r, s.name or s.code, None, style="row",
                      sub=t("ui.exch.code", code=s.code),
                      aside=((t(f"ui.exch.kind.{s.kind}"), KIND_STYLE.get(s.kind, "muted_r")),))
        self.paged(ui, lay, area, samples, max(lay.row, 2 * ui.line_h("muted")), row, "exch.samples")
