"""The slideshow: the folder's images in name order, a fixed time each, re-read each round, bad files skipped."""
from __future__ import annotations

import logging
import os

import pygame
import pytest

from screens.customer_slides import MAX_IMAGE_BYTES, SlideShow, sniff

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


@pytest.fixture(autouse=True)
def _display():
    pygame.display.init()
    yield


def picture(path, colour=(10, 200, 10)):
    surf = pygame.Surface((40, 30))
    surf.fill(colour)
    pygame.image.save(surf, str(path))
    return path


def test_images_show_in_name_order_for_the_fixed_time_each_then_round_again(tmp_path):
    for name in ("b.png", "a.jpg", "c.bmp"):
        picture(tmp_path / name)
    show = SlideShow(lambda: tmp_path, seconds=8)
    assert [show.current(t).name for t in (0, 7.9, 8, 15.9, 16, 24)] == ["a.jpg", "a.jpg", "b.png", "b.png", "c.bmp",
                                                                          "a.jpg"]


def test_an_image_added_to_the_folder_shows_from_the_next_round(tmp_path):
    picture(tmp_path / "a.png")
    show = SlideShow(lambda: tmp_path, seconds=1)
    assert show.current(0).name == "a.png"
    picture(tmp_path / "b.png")
    assert [show.current(t).name for t in (1, 2, 3)] == ["a.png", "b.png", "a.png"]


def test_a_file_over_the_size_limit_or_not_an_image_is_skipped_once_with_a_log_line(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="zpos.customer")
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES)
    (tmp_path / "fake.jpg").write_bytes(b"<html>not found</html>")
    picture(tmp_path / "ok.png")
    show = SlideShow(lambda: tmp_path, seconds=1)
    assert [show.current(t).name for t in range(4)] == ["ok.png"] * 4
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "big.png skipped" in lines[0] and "over the 5242880-byte limit" in lines[0]
    assert "fake.jpg skipped" in lines[1] and "first bytes" in lines[1]


def test_a_fixed_file_is_tried_again(tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    show = SlideShow(lambda: tmp_path, seconds=1)
    assert show.current(0) is None
    picture(tmp_path / "a.png")
    os.utime(tmp_path / "a.png", ns=(1, 1))          # a new version of the file, whatever the clock's resolution
    assert show.current(1).name == "a.png"


def test_a_missing_or_unset_folder_shows_nothing(tmp_path):
    assert SlideShow(lambda: tmp_path / "none").current(0) is None
    assert SlideShow(lambda: None).current(0) is None


def test_restart_goes_back_to_the_first_image(tmp_path):
    for name in ("a.png", "b.png"):
        picture(tmp_path / name)
    show = SlideShow(lambda: tmp_path, seconds=1)
    show.current(0)
    assert show.current(1).name == "b.png"
    show.restart()
    assert show.current(1.5).name == "a.png"


@pytest.mark.parametrize("head,ok", [(b"\x89PNG\r\n\x1a\n....", True), (b"\xff\xd8\xff\xe1", True), (b"GIF89a", True),
                                     (b"BM6\0", True), (b"RIFF....WEBP", False), (b"", False), (b"<svg", False)])
def test_files_are_recognised_by_their_first_bytes(head, ok):
    assert sniff(head) is ok
