"""PoleDisplay against the simulated 2x20 display over a real pty: what the customer sees, and the bytes on the line."""
import time

import pytest

from hal.display import PoleDisplay, display_from_config, open_display
from hal.errors import DisplayError
from hal.interfaces import DisplayLine
from hal.transport import open_transport
from sim.pole_display import SimPoleDisplay


def settled(sim, lines, timeout=2.0):
    deadline = time.monotonic() + timeout
    while sim.lines() != lines and time.monotonic() < deadline:
        time.sleep(0.01)
    return sim.lines()


@pytest.fixture(params=["epson", "cd5220"])
def rig(request):
    sim = SimPoleDisplay(request.param).start()
    display = open_display(sim.address, request.param)
    yield sim, display
    display.close()
    sim.stop()


def test_a_sold_line_shows_with_its_amount_above_and_the_receipt_total_below(rig):
    sim, display = rig
    display.show_sale([DisplayLine("Хлеб", 1000, 120), DisplayLine("Сок яблочный 1 л, пакет", 1000, 320)], 440)
    want = ["Сок яблочный 1  3.20", "ИТОГО           4.40"]
    assert settled(sim, want) == want
    assert sim.unknown == [] and sim.ignored == []


def test_the_total_and_the_payment_with_change(rig):
    sim, display = rig
    display.show_total(1234)
    assert settled(sim, ["ИТОГО               ", "               12.34"])[0].startswith("ИТОГО")
    display.show_payment(1234)
    assert settled(sim, ["К ОПЛАТЕ       12.34", " " * 20]) == ["К ОПЛАТЕ       12.34", " " * 20]
    display.show_payment(1234, paid=2000, change=766)
    assert settled(sim, ["К ОПЛАТЕ       12.34", "СДАЧА           7.66"])[1] == "СДАЧА           7.66"


def test_while_oplati_waits_the_pole_says_to_scan_the_code_not_a_change_of_zero(rig):
    sim, display = rig
    display.show_payment(289, 0, 0, qr="https://oplati.by/pay?x=1")
    want = ["К ОПЛАТЕ        2.89", "   ОПЛАТИ: QR-КОД   "]
    assert settled(sim, want) == want


def test_belarusian_labels_lose_only_the_i_dot_on_a_cp866_display():
    sim = SimPoleDisplay("epson").start()
    display = open_display(sim.address, "epson", lang="be")
    try:
        display.show_idle()
        assert settled(sim, ["      ВIТАЕМ!       ", " " * 20])[0] == "      ВIТАЕМ!       "
        display.show_text("Ікра", "Ўсё")
        assert settled(sim, ["Iкра" + " " * 16, "Ўсё" + " " * 17]) == ["Iкра" + " " * 16, "Ўсё" + " " * 17]
    finally:
        display.close()
        sim.stop()


def test_the_connect_bytes_are_sent_first_byte_exact(rig):
    sim, display = rig
    display.show_text("A")
    expected = {"epson": "1b 40 1b 74 11 1f 01 1f 43 00", "cd5220": "1b 40 1b 11 1b 5f 00"}[sim.protocol]
    deadline = time.monotonic() + 2
    while len(sim.raw_log()) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.raw_log().hex(" ").startswith(expected + " ")


def test_the_epson_show_text_bytes_are_exact():
    sent = bytearray()

    class Sink:
        name = "sink"
        def write(self, data): sent.extend(data)
        def close(self): pass
    d = PoleDisplay(Sink(), "epson")
    sent.clear()
    d.show_text("ИТОГО", "1.20")
    assert bytes(sent) == (bytes.fromhex("1f 24 01 01") + "ИТОГО".ljust(20).encode("cp866")
                           + bytes.fromhex("1f 24 01 02") + b"1.20".ljust(20))
    sent.clear()
    d.set_brightness(1)
    d.clear()
    assert bytes(sent).hex(" ") == "1f 58 01 0c"


def test_a_long_idle_text_scrolls_on_a_cd5220_and_the_next_frame_starts_with_clr():
    sim = SimPoleDisplay("cd5220").start()
    display = open_display(sim.address, "cd5220")
    try:
        text = "Скидка 10% на всё молочное до конца недели!"
        display.show_idle(text)
        deadline = time.monotonic() + 2
        while not sim.state()["scroll"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sim.state()["scroll"] == text[:40]
        display.show_total(500)
        assert settled(sim, ["ИТОГО" + " " * 15, "5.00".rjust(20)]) == ["ИТОГО" + " " * 15, "5.00".rjust(20)]
        assert b"\x0d\x0c\x1b\x6c\x01\x01" in sim.raw_log()           # CR ends the string, CLR, then ESC l 1 1
    finally:
        display.close()
        sim.stop()


def test_idle_text_between_20_and_40_characters_is_split_at_a_space(rig):
    sim, display = rig
    display.show_idle("Добро пожаловать в Магазин №1")
    assert settled(sim, ["Добро пожаловать в  ", "Магазин №1          "]) == ["Добро пожаловать в  ", "Магазин №1          "]


def test_brightness_changes_on_both_command_sets(rig):
    sim, display = rig
    display.set_brightness(2)
    deadline = time.monotonic() + 2
    while sim.state()["brightness"] != 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.state()["brightness"] == 2
    with pytest.raises(DisplayError):
        display.set_brightness(9)


def test_after_the_link_drops_the_init_and_code_table_are_sent_again(tmp_path):
    link = str(tmp_path / "pole")
    sim = SimPoleDisplay("epson", link).start()
    display = open_display(link, "epson")
    sim2 = None
    try:
        display.show_text("one")
        sim.stop()                                    # unplugged: writing to the old pty now fails (EIO)
        sim2 = SimPoleDisplay("epson", link).start()  # plugged back in on the same path
        display.show_text("two")
        assert settled(sim2, ["two" + " " * 17, " " * 20])[0].startswith("two")
        assert sim2.state()["inits"] == 1 and sim2.state()["table"] == 17
        assert sim2.raw_log().startswith(bytes.fromhex("1b 40 1b 74 11"))
    finally:
        display.close()
        if sim2 is not None:
            sim2.stop()


def test_a_missing_port_and_bad_settings_are_display_errors():
    with pytest.raises(DisplayError) as e:
        open_display("/dev/nonexistent-pole", "epson")
    assert e.value.code == "DISPLAY_NOT_CONNECTED"
    for section in ({"url": "loop://", "protocol": "aedex"}, {"url": "loop://", "codec": "koi8"},
                    {"url": "loop://", "code_table": "zz"}, {"url": "loop://", "brightness": "max"},
                    {"url": "loop://", "lang": "de"}, {"url": "loop://", "baud": 1234}):
        with pytest.raises(DisplayError) as e:
            display_from_config(section)
        assert e.value.code == "DISPLAY_BAD_CONFIG", section


def test_the_config_section_with_a_clone_init_string():
    t = open_transport("loop://")
    d = PoleDisplay(t, "cd5220", code_table=bytes.fromhex("02 05 3c"))
    try:
        assert t.read(64, 0.5) == bytes.fromhex("1b 40 02 05 3c 1b 11 1b 5f 00")
    finally:
        d.close()
