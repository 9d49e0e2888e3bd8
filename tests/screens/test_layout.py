"""Every screen at every size: rendered headless from a scripted day, nothing overlaps, targets are big enough, text is translated."""
from __future__ import annotations

import pytest

import texts
from qa.screenshots import render_all

MIN_TARGET = 48
EXPECTED = {"lock", "sko_pin", "login", "login_error", "change_password", "menu_cashier", "menu_admin", "side_menu",
            "sale_empty", "sale_lines", "sale_weight", "sale_long_press", "payment", "payment_change",
            "payment_card_progress", "cash", "cash_in", "receipts_shifts", "receipts_list", "receipt_detail", "refund",
            "reports", "report_preview", "goods_list", "goods_edit", "settings", "requisites", "parameters", "users",
            "maintenance", "diagnostics", "help", "about", "error_dialog"}


def layout_problems(name: str, ui) -> list[str]:
    """Overlapping widgets of one layer, widgets off the screen, touch targets under 48 px."""
    app = ui.app
    screen = app.window.get_rect()
    out = []
    top = [w for w in app.ui.order if w.kind in ("button", "label", "image")]
    for w in top:
        if not screen.contains(w.rect):
            out.append(f"{name}: {w.id} {tuple(w.rect)} leaves the screen")
        if w.kind == "button" and w.style != "invisible" and (w.rect.width < MIN_TARGET or w.rect.height < MIN_TARGET):
            out.append(f"{name}: {w.id} is {w.rect.width}×{w.rect.height}, under {MIN_TARGET} px")
    for i, a in enumerate(top):
        for b in top[i + 1:]:
            if a.layer == b.layer and a.rect.clip(b.rect).width * a.rect.clip(b.rect).height > 0 \
                    and "invisible" not in (a.style, b.style):
                out.append(f"{name}: {a.id} {tuple(a.rect)} overlaps {b.id} {tuple(b.rect)}")
    return out


CASES = [((800, 480), "ru"), ((1024, 600), "be"), ((1366, 768), "en"), ((720, 1280), "ru")]


@pytest.mark.parametrize("size,lang", CASES, ids=[f"{w}x{h}-{lang}" for (w, h), lang in CASES])
def test_every_screen_renders_translated_and_without_overlap(size, lang, tmp_path, monkeypatch):
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
    assert not problems, "\n".join(problems[:20])
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
