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


def sha(path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_playlist(folder, version, *items):
    import json
    (folder / "playlist.json").write_text(json.dumps({"playlist_id": "p", "version": version, "items": list(items)}))


def test_a_playlist_plays_its_scheduled_images_by_priority_each_its_own_time(tmp_path):
    from datetime import datetime, timedelta, timezone
    for name in ("a.png", "b.png", "c.png"):
        picture(tmp_path / name)
    write_playlist(tmp_path, 1,
                   {"id": "a", "type": "image", "file": "a.png", "duration_s": 3, "sha256": sha(tmp_path / "a.png")},
                   {"id": "b", "type": "image", "file": "b.png", "duration_s": 5, "priority": 9},
                   {"id": "c", "type": "image", "file": "c.png", "time_from": "20:00", "time_to": "23:00"})
    wall = [datetime(2026, 3, 12, 12, 0, tzinfo=timezone(timedelta(hours=3)))]
    show = SlideShow(lambda: tmp_path, wall=lambda: wall[0])
    assert [show.current(t).name for t in (0, 4.9, 5, 7.9, 8)] == ["b.png", "b.png", "a.png", "a.png", "b.png"]
    wall[0] = wall[0].replace(hour=21)
    # the schedule is read again at the end of a round: c joins from the next one
    assert [show.current(t).name for t in (13, 16, 21, 24)] == ["a.png", "b.png", "a.png", "c.png"]


def test_a_playlist_image_that_does_not_match_its_checksum_and_a_video_are_skipped_with_a_log_line(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="zpos.customer")
    picture(tmp_path / "a.png")
    picture(tmp_path / "b.png", colour=(1, 2, 3))
    write_playlist(tmp_path, 1, {"id": "a", "type": "image", "file": "a.png", "sha256": "0" * 64},
                   {"id": "v", "type": "video", "file": "coffee.mp4"},
                   {"id": "b", "type": "image", "file": "b.png", "sha256": sha(tmp_path / "b.png")})
    show = SlideShow(lambda: tmp_path, seconds=1)
    assert [show.current(t).name for t in range(0, 24, 8)] == ["b.png"] * 3
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert any(m.endswith("a.png skipped: its sha256 is not the playlist's") for m in lines)
    assert any("v (coffee.mp4) skipped: this screen plays no video" in m for m in lines)


def test_a_broken_or_older_playlist_is_logged_and_the_last_good_one_goes_on(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="zpos.customer")
    picture(tmp_path / "a.png")
    picture(tmp_path / "b.png")
    write_playlist(tmp_path, 12, {"id": "a", "type": "image", "file": "a.png"})
    show = SlideShow(lambda: tmp_path)
    assert show.current(0).name == "a.png"
    (tmp_path / "playlist.json").write_text("{not json")
    assert [show.current(t).name for t in (8, 16)] == ["a.png", "a.png"]
    write_playlist(tmp_path, 11, {"id": "b", "type": "image", "file": "b.png"})
    assert show.current(24).name == "a.png"
    write_playlist(tmp_path, 13, {"id": "b", "type": "image", "file": "b.png"})
    assert show.current(32).name == "b.png"
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "playlist.json not used: not JSON" in lines[0] and "version 12 goes on" in lines[0]
    assert "version 11 is older than 12: not used" in lines[1]


def test_a_broken_playlist_with_no_good_one_before_plays_nothing_rather_than_guess(tmp_path):
    picture(tmp_path / "a.png")
    (tmp_path / "playlist.json").write_text('{"items": 5}')
    assert SlideShow(lambda: tmp_path).current(0) is None


def test_an_empty_folder_is_looked_at_again_within_two_seconds_not_every_frame(tmp_path):
    show = SlideShow(lambda: tmp_path)
    assert show.current(0) is None
    picture(tmp_path / "a.png")
    assert show.current(1.0) is None
    assert show.current(2.0).name == "a.png"
