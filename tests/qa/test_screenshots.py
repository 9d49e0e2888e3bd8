"""`zpos screenshots`: the customer's side is in the set — the second screen in each state and the pole display's lines."""
from __future__ import annotations

import os

import pygame

os.environ["SDL_VIDEODRIVER"] = "dummy"

CUSTOMER = {"customer_welcome", "customer_idle_slideshow", "customer_lines", "customer_payment_change",
            "customer_oplati_qr", "customer_after_sale_slideshow"}
POLE = {"pole_lines", "pole_payment_change", "pole_oplati_qr"}


def lit(path) -> int:
    """How many pixels are brighter than the background (the VFD's characters, an image's content)."""
    surf = pygame.image.load(str(path))
    return sum(1 for x in range(0, surf.get_width(), 2) for y in range(0, surf.get_height(), 2)
               if sum(surf.get_at((x, y))[:3]) > 300)


def test_the_screenshot_set_shows_the_customer_screen_and_the_pole_display_in_each_state(tmp_path):
    from qa.screenshots import render_all
    names = render_all(tmp_path, (800, 480), "ru")
    assert CUSTOMER | POLE | {"payment_oplati_qr"} <= set(names), sorted((CUSTOMER | POLE) - set(names))
    for n in CUSTOMER:
        assert pygame.image.load(str(tmp_path / f"{n}.png")).get_size() == (800, 480)
    for n in POLE:
        assert lit(tmp_path / f"{n}.png") > 50, f"{n}: the pole display shows nothing"
    # while ОПЛАТИ waits the pole says where to pay, not «СДАЧА 0.00» (its lower line has text, not a figure)
    assert lit(tmp_path / "pole_oplati_qr.png") != lit(tmp_path / "pole_payment_change.png")
    slide = pygame.image.load(str(tmp_path / "customer_idle_slideshow.png"))
    welcome = pygame.image.load(str(tmp_path / "customer_welcome.png"))
    assert slide.get_at((400, 240)) != welcome.get_at((400, 240))      # the slide, not the welcome page
