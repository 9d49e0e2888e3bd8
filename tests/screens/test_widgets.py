"""Keypad input rules, quick-cash amounts, eliding, and the `zpos run` / `zpos screenshots` command edges."""
from __future__ import annotations

import glob

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.money import parse_money, parse_qty
from screens.dialogs import keypad_input
from screens.payment import quick_amounts
from zpos.cli import CliError, main
from zpos.commands.run import choose_video_driver, parse_size

KEYS = st.lists(st.sampled_from(list("0123456789.") + ["back", "clear"]), max_size=30)


def typed(keys: list[str], kind: str) -> str:
    value = ""
    for k in keys:
        value = keypad_input(value, k, kind)
    return value


@settings(max_examples=200, deadline=None)
@given(KEYS)
def test_a_money_keypad_only_ever_holds_a_sum_with_at_most_two_decimals(keys):
    value = typed(keys, "money")
    assert value.count(".") <= 1
    if value and not value.endswith("."):
        parse_money(value, exact=False)
        assert len(value.split(".")[1]) <= 2 if "." in value else True


@settings(max_examples=200, deadline=None)
@given(KEYS)
def test_a_quantity_keypad_holds_at_most_three_decimals(keys):
    value = typed(keys, "qty")
    if value and not value.endswith("."):
        parse_qty(value, exact=False)


@settings(max_examples=100, deadline=None)
@given(KEYS)
def test_a_pin_keypad_holds_digits_only(keys):
    assert typed(keys, "pin").isdigit() or typed(keys, "pin") == ""


def test_leading_zeros_and_a_lone_dot_are_normalised():
    assert typed(["0", "0", "5"], "money") == "5"
    assert typed(["."], "money") == "0."
    assert typed(["1", ".", "2", "3", "4"], "money") == "1.23"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=100_000_00))
def test_quick_cash_buttons_cover_the_amount_and_are_distinct(due):
    amounts = quick_amounts(due)
    assert len(amounts) == len(set(amounts)) <= 4
    assert all(a >= due for a in amounts)
    assert amounts == sorted(amounts)


def test_elide_cuts_with_an_ellipsis_to_fit():
    from screens.theme import elide, text_width
    spec = ("noto_sans", False, 18)
    long = "Сыр «Брест-Литовск» классический 200 г, нарезка"
    short = elide(long, spec, 120)
    assert short.endswith("…") and text_width(short, spec) <= 120
    assert elide("Хлеб", spec, 120) == "Хлеб"


@pytest.mark.parametrize("text", ["1024", "axb", "10x10", "1024x600x2", ""])
def test_a_bad_size_is_one_clear_error(text):
    with pytest.raises(CliError, match="--size"):
        parse_size(text)


def test_the_video_driver_follows_the_environment():
    assert choose_video_driver(False, {"SDL_VIDEODRIVER": "dummy"}) == "dummy"
    assert choose_video_driver(False, {"WAYLAND_DISPLAY": "wayland-0"}) == "wayland"
    assert choose_video_driver(False, {"DISPLAY": ":0"}) == "x11"
    expected = "kmsdrm" if glob.glob("/dev/dri/card*") else None
    assert choose_video_driver(True, {}) == expected


def test_zpos_run_without_a_display_says_so_in_one_line(monkeypatch, capsys, tmp_path):
    import zpos.commands.run as run_cmd
    monkeypatch.setattr(run_cmd.glob, "glob", lambda pattern: [])       # a terminal without DRM
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(var, raising=False)
    assert main(["run", "--sim", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no display" in err[0] and "zpos demo" in err[0]


def test_zpos_screenshots_rejects_a_bad_size(capsys, tmp_path):
    assert main(["screenshots", "--out", str(tmp_path), "--size", "big"]) == 2
    assert "--size" in capsys.readouterr().err


def test_every_icon_is_the_code_point_font_awesome_gives_it_and_renders_from_the_bundled_font():
    import re
    from importlib import resources

    import yaml

    from screens.icons import ICONS, font_path, glyph
    meta = resources.files("fontawesomefree") / "static" / "fontawesomefree" / "js-packages" / "@fortawesome" / \
        "fontawesome-free" / "metadata" / "icons.yml"
    icons = yaml.safe_load(meta.read_text(encoding="utf-8"))
    for name, cp in ICONS.items():
        assert int(icons[name]["unicode"], 16) == cp, name
        assert "solid" in icons[name]["styles"], name
    assert font_path().is_file()
    pic = glyph("cart-shopping", 32, "#1F3A5F")
    assert pic.get_height() >= 30 and pic.get_bounding_rect().width > 20        # ink, not an empty box
    used = set()
    for path in glob.glob("screens/*.py"):
        used |= set(re.findall(r'icon="([a-z-]+)"', open(path, encoding="utf-8").read()))
    assert used <= set(ICONS), used - set(ICONS)


def test_a_text_too_long_shrinks_then_wraps_and_only_then_is_cut(ui):
    w = ui.app.ui
    style, lines, cut = w.fit("Кефир «Бабушкина крынка» 2,5% 1 л", "tile", "label", 160, 200, 3)
    assert not cut and len(lines) >= 2 and style == "tile"
    style, lines, cut = w.fit("Кефир «Бабушкина крынка» 2,5% 1 л", "tile", "label", 40, 30, 1)
    assert cut and lines[0].endswith("…")


def test_help_names_no_vendor_phone_and_differs_per_screen():
    import texts
    for lang in ("ru", "be", "en"):
        cat = texts.catalogue(lang)
        assert "+375" not in cat["ui.help.text"] and "ecsat" not in cat["ui.help.text"].lower()
        assert cat["ui.help.screen.sale"] != cat["ui.help.screen.payment"]


def test_the_parameters_screen_names_the_language_the_screens_are_in(sim):
    from ui_steps import login, unlock

    from qa.headless import HeadlessUI
    ui = HeadlessUI(sim[0], lang="be")
    try:
        unlock(ui)
        login(ui, "admin", "7395")
        ui.tap("menu.settings")
        ui.tap("settings.parameters")
        assert ui.app.ui.widgets["param.language.aside1"].text == "Беларуская"
    finally:
        ui.close()


def test_rebuilding_a_screen_reuses_its_elements_and_keeps_no_lost_sprites(ui):
    app = ui.app
    app.refresh()
    app.step([])
    before = {id(w.element) for w in app.ui.order}
    for _ in range(30):
        app.refresh()
        app.step([])
    assert {id(w.element) for w in app.ui.order} == before          # nothing remade when nothing changed
    ui.type_digits("12")                                            # the value label changes, the rest stays
    assert len({id(w.element) for w in app.ui.order} - before) <= 2
    assert not app.manager.get_sprite_group().lostsprites
