"""Pole display command sets, byte for byte as the Epson (XP8200 / DM-D110) and CD5220 tables give them."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import DisplayError
from hal.protocols import pole_display as pd


def test_the_epson_init_sequence_is_byte_exact():
    # ESC @, ESC t 17 (PC866), US MD1 (overwrite), US C 0 (cursor off)
    assert pd.init_sequence(pd.EPSON).hex(" ") == "1b 40 1b 74 11 1f 01 1f 43 00"


def test_the_cd5220_init_sequence_is_byte_exact_and_has_no_code_table_by_default():
    # ESC @, ESC DC1 (overwrite), ESC _ 0 (cursor off)
    assert pd.init_sequence(pd.CD5220).hex(" ") == "1b 40 1b 11 1b 5f 00"
    assert pd.init_sequence(pd.CD5220, bytes.fromhex("02 05 3c")).hex(" ") == "1b 40 02 05 3c 1b 11 1b 5f 00"


def test_cursor_moves_and_brightness_are_byte_exact():
    assert pd.EPSON.move(1, 2).hex(" ") == "1f 24 01 02"
    assert pd.CD5220.move(20, 1).hex(" ") == "1b 6c 14 01"
    assert pd.EPSON.brightness(2).hex(" ") == "1f 58 02"
    assert pd.CD5220.brightness(4).hex(" ") == "1b 2a 04"


def test_out_of_range_positions_and_brightness_are_refused():
    for call in (lambda: pd.EPSON.move(21, 1), lambda: pd.CD5220.move(1, 3), lambda: pd.EPSON.brightness(5),
                 lambda: pd.CD5220.brightness(0)):
        with pytest.raises(DisplayError) as e:
            call()
        assert e.value.code == "DISPLAY_BAD_CONFIG"


def test_a_frame_writes_both_lines_whole_from_their_starts():
    f = pd.frame(pd.EPSON, "Сок 1 л", "3.20".rjust(20))
    assert f == (b"\x1f\x24\x01\x01" + "Сок 1 л".ljust(20).encode("cp866")
                 + b"\x1f\x24\x01\x02" + b" " * 16 + b"3.20")


def test_the_cd5220_scroll_is_esc_q_d_with_at_most_40_characters():
    assert pd.CD5220.scroll(b"x" * 50) == b"\x1bQD" + b"x" * 40 + b"\r"
    assert pd.EPSON.scroll is None


def test_cp866_has_no_belarusian_i_so_it_goes_out_as_latin_i():
    assert pd.encode_text("Ікра і Ўў №", "cp866") == b"I" + "кра".encode("cp866") + b" i " + bytes((0xF6, 0xF7)) \
        + b" " + bytes((0xFC,))


def test_cp1251_keeps_the_belarusian_letters():
    assert pd.encode_text("Іі Ўў", "cp1251") == bytes((0xB2, 0xB3, 0x20, 0xA1, 0xA2))


def test_decomposed_letters_are_composed_first_and_control_characters_blanked():
    assert pd.encode_text("е\u0308\tх", "cp866") == "ё х".encode("cp866")


def test_an_unknown_code_page_is_refused():
    with pytest.raises(DisplayError) as e:
        pd.encode_text("x", "utf-8")
    assert e.value.code == "DISPLAY_BAD_CONFIG"


def test_pair_keeps_the_amount_whole_and_cuts_the_label():
    assert pd.pair("К ОПЛАТЕ", "12.34") == "К ОПЛАТЕ       12.34"
    assert pd.pair("ОЧЕНЬ ДЛИННАЯ НАДПИСЬ", "123456.78") == "ОЧЕНЬ ДЛИН 123456.78"
    assert len(pd.pair("x", "9" * 25)) == 20


@given(st.text(max_size=60))
@settings(max_examples=80)
def test_any_text_encodes_to_one_byte_per_character_never_utf8(text):
    for codec in pd.CODECS:
        out = pd.encode_text(text, codec)
        assert all(b >= 0x20 for b in out)
