"""Every screen at every size and language: nothing overlaps or is cut, targets are ≥ 48 px, text has WCAG AA contrast.

CI renders a sample (each size once, each language at least once); `ZPOS_UI_ALL=1` renders
all 4 sizes × 3 languages.
"""
from __future__ import annotations

import itertools
import os

import pytest

import texts
from qa.screenshots import render_all

MIN_TARGET = 48
MIN_CONTRAST = 4.5              # WCAG 2.1 AA for text
SMALLEST_PX_AT_1024 = 16        # secondary text at 1024×600
EXPECTED = {"lock", "sko_pin", "login", "login_error", "change_password", "menu_cashier", "menu_admin", "side_menu",
            "sale_empty", "sale_lines", "sale_weight", "sale_long_press", "sale_code", "payment", "payment_change",
            "payment_card_progress", "cash", "cash_in", "receipts_shifts", "receipts_list", "receipt_detail", "refund",
            "refund_confirm", "reports", "report_preview", "goods_list", "goods_edit", "settings", "requisites",
            "parameters", "parameters_confirm", "users", "maintenance", "maintenance_dirs", "maintenance_date",
            "diagnostics", "help", "about", "error_dialog", "sale_favourites", "goods_exchange", "goods_exchange_places",
            "goods_exchange_files", "goods_import_preview", "goods_exchange_commerceml", "goods_exchange_cloudshop", "period_report",
            "period_report_payments", "period_report_turnover", "period_report_places"}
WINDOW_BG = "#F7F8FA"


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def contrast(fg: str, bg: str) -> float:
    """The WCAG contrast ratio of two #RRGGBB colours."""
    def lum(colour: str) -> float:
        def ch(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
        r, g, b = (ch(v) for v in _rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _background(app, w) -> str:
    """What a text is drawn on: its button (for a part), else the topmost panel or button of its layer under it."""
    theme, widgets = app.theme, app.ui.widgets
    if w.part_of:
        owner = widgets[w.part_of]
        return theme.colour(owner.style, "normal_bg" if owner.enabled else "disabled_bg", "button")
    if w.kind == "button":
        return theme.colour(w.shown_style or w.style, "normal_bg" if w.enabled else "disabled_bg", "button")
    under = WINDOW_BG
    for o in app.ui.order:
        if o is w:
            break
        if o.layer == w.layer and o.kind in ("panel", "button") and not o.part_of and o.rect.collidepoint(w.rect.center):
            under = theme.colour(o.style, "dark_bg", "panel") if o.kind == "panel" else \
                theme.colour(o.style, "normal_bg" if o.enabled else "disabled_bg", "button")
    return under


def layout_problems(name: str, ui) -> list[str]:
    """Overlaps within a layer, widgets off the screen, targets under 48 px, cut texts, low contrast, tiny text."""
    app = ui.app
    screen = app.window.get_rect()
    out = []
    top = [w for w in app.ui.order if w.kind in ("button", "label", "image", "icon")]
    for w in top:
        if not screen.contains(w.rect):
            out.append(f"{name}: {w.id} {tuple(w.rect)} leaves the screen")
        if w.kind == "button" and w.style != "invisible" and (w.rect.width < MIN_TARGET or w.rect.height < MIN_TARGET):
            out.append(f"{name}: {w.id} is {w.rect.width}×{w.rect.height}, under {MIN_TARGET} px")
        if w.cut and w.layer >= app.ui.modal_layer:
            out.append(f"{name}: {w.id} cut: {w.text!r}")
    for i, a in enumerate(top):
        for b in top[i + 1:]:
            related = a.id in (b.part_of, b.id) or b.id == a.part_of or (a.part_of and a.part_of == b.part_of)
            if a.layer == b.layer and not related and a.rect.clip(b.rect).width * a.rect.clip(b.rect).height > 0 \
                    and "invisible" not in (a.style, b.style):
                out.append(f"{name}: {a.id} {tuple(a.rect)} overlaps {b.id} {tuple(b.rect)}")
    theme = app.theme
    for w in app.ui.order:
        text_shown = w.kind == "label" or (w.kind == "button" and not any(p.part_of == w.id for p in top))
        if not text_shown or not w.text.strip() or w.layer < app.ui.modal_layer or not w.enabled:
            continue          # dimmed under a sheet, or a grey (inactive) control: WCAG exempts both
        kind = "label" if w.kind == "label" else "button"
        fg = theme.colour(w.shown_style or w.style, "normal_text", kind)
        bg = _background(app, w)
        ratio = contrast(fg, bg)
        if ratio < MIN_CONTRAST:
            out.append(f"{name}: {w.id} {w.text!r} contrast {ratio:.2f} ({fg} on {bg})")
        if tuple(app.size) == (1024, 600):
            px = theme.font_of(w.shown_style or w.style, kind)[2]
            if px < SMALLEST_PX_AT_1024:
                out.append(f"{name}: {w.id} {w.text!r} drawn at {px} px")
    return out


SIZES = [(800, 480), (1024, 600), (1366, 768), (720, 1280)]
LANGS = ["ru", "be", "en"]
SAMPLE = [((800, 480), "ru"), ((1024, 600), "be"), ((1366, 768), "en"), ((720, 1280), "be")]
CASES = list(itertools.product(SIZES, LANGS)) if os.environ.get("ZPOS_UI_ALL") else SAMPLE


@pytest.mark.parametrize("size,lang", CASES, ids=[f"{w}x{h}-{lang}" for (w, h), lang in CASES])
def test_every_screen_renders_translated_uncut_readable_and_without_overlap(size, lang, tmp_path, monkeypatch):
    problems: list[str] = []
    missing: set[str] = set()
    real = texts.t

    def spy(key, lang_=None, **kw):
        if key.startswith("ui.") and key not in texts.catalogue(lang_ or lang):
            missing.add(key)
        return real(key, lang_, **kw)
    monkeypatch.setattr(texts, "t", spy)
    names = render_all(tmp_path, size, lang, check=lambda n, ui: problems.extend(layout_problems(n, ui)))
    assert EXPECTED <= set(names), f"missing screens: {EXPECTED - set(names)}"
    assert not problems, "\n".join(problems[:30])
    assert not missing, sorted(missing)
    assert all((tmp_path / f"{n}.png").stat().st_size > 1000 for n in names)


def test_the_overlap_check_finds_an_overlap(ui):
    from pygame import Rect
    ui.app.ui.button("a", Rect(0, 0, 100, 60), "A")
    ui.app.ui.button("b", Rect(50, 10, 100, 60), "B")
    ui.app.ui.button("c", Rect(300, 300, 20, 20), "C")
    found = layout_problems("x", ui)
    assert any("a" in p and "overlaps b" in p for p in found)
    assert any("c is 20×20" in p for p in found)


def test_the_cut_check_finds_an_elided_text(ui):
    from pygame import Rect
    ui.app.ui.reset()
    ui.app.ui.label(Rect(10, 10, 60, 30), "Кефир «Бабушкина крынка» 2,5% 1 л", "body", wid="long")
    assert any("long cut" in p for p in layout_problems("x", ui))


def test_the_contrast_check_finds_grey_on_white():
    assert contrast("#9AA5B1", "#FFFFFF") < MIN_CONTRAST <= contrast("#5B6878", "#FFFFFF")
    assert round(contrast("#000000", "#FFFFFF"), 1) == 21.0


def test_a_dialog_sheet_is_drawn_above_its_veil(ui):
    """The veil dims the screen under a dialog, never the dialog itself (it sits below the sheet's layer)."""
    ui.app.message("T", "text")
    ui.app.step([])
    veil = next(w for w in ui.app.ui.order if w.kind == "veil")
    sheet = next(w for w in ui.app.ui.order if w.kind == "panel" and w.style == "sheet")
    assert veil.element.layer < sheet.element.layer
    ui.app.render_frame()
    assert ui.app.window.get_at(sheet.rect.move(4, 4).topleft)[:3] == (255, 255, 255)
