"""The simulated pole display fed raw bytes from the Epson and CD5220 command tables: the 2x20 text it shows."""
import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.pole_display import SimPoleDisplay


@pytest.fixture
def epson():
    d = SimPoleDisplay("epson")            # not started: bytes are fed directly
    yield d
    d.stop()


@pytest.fixture
def cd5220():
    d = SimPoleDisplay("cd5220")
    yield d
    d.stop()


def test_epson_cursor_positioning_and_cp866_text(epson):
    epson.feed(bytes.fromhex("1b 40 1b 74 11 1f 24 05 02") + "Сдача".encode("cp866"))
    assert epson.lines() == [" " * 20, "    Сдача           "]
    assert epson.state()["table"] == 17 and epson.state()["cursor"] == (10, 2)


def test_epson_home_bottom_line_end_and_clear_line(epson):
    epson.feed(b"ABC" + bytes.fromhex("1f 42") + b"D" + bytes.fromhex("1f 0d") + b"E" + bytes.fromhex("0b") + b"Z")
    assert epson.lines() == ["ZBC" + " " * 17, "D" + " " * 18 + "E"]
    epson.feed(bytes.fromhex("18"))
    assert epson.lines()[0] == " " * 20


def test_overwrite_mode_wraps_from_the_lower_right_to_home_and_vertical_scroll_moves_lines_up(epson):
    epson.feed(b"a" * 20 + b"b" * 20 + b"c")
    assert epson.lines() == ["c" + "a" * 19, "b" * 20]
    epson.feed(bytes.fromhex("0c 1f 02") + b"1" * 20 + b"2" * 20)
    assert epson.lines() == ["1" * 20, "2" * 20]          # full, but nothing scrolls until the next character
    epson.feed(b"3")
    assert epson.lines() == ["2" * 20, "3" + " " * 19]


def test_epson_brightness_cursor_and_a_table_outside_its_range(epson):
    epson.feed(bytes.fromhex("1f 58 02 1f 43 00 1b 74 2e"))
    s = epson.state()
    assert (s["brightness"], s["cursor_on"]) == (2, False)
    assert epson.unknown == [bytes.fromhex("1b 74 2e")]        # the DM-D110 has no page 46


def test_user_defined_characters_are_skipped_whole(epson):
    # ESC & s=1 n=0x41 m=0x42, then per character a=5 and five pattern bytes
    epson.feed(bytes.fromhex("1b 26 01 41 42 05 01 02 03 04 05 05 06 07 08 09 0a") + b"OK")
    assert epson.lines()[0].startswith("OK") and epson.unknown == []


def test_cd5220_cursor_positioning_and_brightness(cd5220):
    cd5220.feed(bytes.fromhex("1b 40 1b 11 1b 6c 10 01") + b"3.20" + bytes.fromhex("1b 2a 01"))
    assert cd5220.lines()[0] == " " * 15 + "3.20" + " "
    assert cd5220.state()["brightness"] == 1


def test_cd5220_string_mode_locks_until_clr_as_the_manual_warns(cd5220):
    cd5220.feed(bytes.fromhex("1b 51 41") + b"ITEM" + bytes.fromhex("0d"))
    assert cd5220.lines()[0].startswith("ITEM") and cd5220.state()["locked"]
    cd5220.feed(bytes.fromhex("1b 6c 01 02") + b"LOST")          # ignored while locked
    assert cd5220.lines()[1] == " " * 20 and len(cd5220.ignored) == 5
    cd5220.feed(bytes.fromhex("0c 1b 6c 01 02") + b"SEEN")
    assert cd5220.lines() == [" " * 20, "SEEN" + " " * 16]


def test_the_lock_can_be_switched_off_for_firmware_that_has_none():
    d = SimPoleDisplay("cd5220", string_mode_lock=False)
    try:
        d.feed(bytes.fromhex("1b 51 42") + b"LOW" + bytes.fromhex("0d 1b 6c 01 01") + b"UP")
        assert d.lines() == ["UP" + " " * 18, "LOW" + " " * 17]
    finally:
        d.stop()


def test_cd5220_scroll_runs_until_any_other_command(cd5220):
    cd5220.feed(bytes.fromhex("1b 51 44") + b"Welcome to our shop, come again soon!!" + bytes.fromhex("0d"))
    assert cd5220.state()["scroll"].startswith("Welcome") and cd5220.lines()[0] == "Welcome to our shop,"
    cd5220.feed(bytes.fromhex("1b 6c 01 02") + b"x")
    assert cd5220.state()["scroll"] == "" and cd5220.lines() == [" " * 20, "x" + " " * 19]


def test_unknown_commands_are_counted_not_fatal(cd5220):
    cd5220.feed(bytes.fromhex("1b 99 07") + b"ok")
    assert cd5220.unknown == [bytes.fromhex("1b 99"), bytes.fromhex("07")] and cd5220.lines()[0].startswith("ok")


def test_the_display_renders_a_picture_of_its_two_lines(epson, tmp_path):
    epson.feed(bytes.fromhex("1b 40") + "ИТОГО".encode("cp866"))
    png = epson.render_png(tmp_path / "pole.png")
    img = pygame.image.load(str(png))
    assert img.get_size() == (22 * 24, 2 * 38 + 24)
    lit = sum(1 for x in range(0, img.get_width(), 2) for y in range(0, img.get_height(), 2) if img.get_at((x, y)).g > 100)
    assert lit > 20


@given(st.binary(max_size=200), st.sampled_from(["epson", "cd5220"]))
@settings(max_examples=60, deadline=None)
def test_any_bytes_leave_two_lines_of_twenty(data, protocol):
    d = SimPoleDisplay(protocol)
    try:
        d.feed(data)
        assert [len(line) for line in d.lines()] == [20, 20]
    finally:
        d.stop()
