"""ESC/POS encoder bytes (cross-checked with python-escpos's Dummy printer) and DLE EOT status decoding."""
import pytest
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.layout import Align
from hal.errors import PrinterError, ProtocolError
from hal.interfaces import PrinterStatus
from hal.printer_profiles import CodePage, CutMode, RealtimeClear
from hal.protocols import escpos
from hal.protocols.escpos import QrEc, StatusQuery


def dummy() -> Dummy:
    return Dummy()


def test_init_matches_python_escpos():
    d = dummy()
    d.hw("INIT")
    assert escpos.INIT == d.output == b"\x1b@"


def test_full_and_partial_cut_after_six_lines_match_python_escpos():
    d = dummy()
    d.cut()
    assert escpos.cut(CutMode.FULL, 6) == d.output
    d = dummy()
    d.cut(mode="PART")
    assert escpos.cut(CutMode.PARTIAL, 6) == d.output


def test_no_cutter_profile_only_feeds():
    assert escpos.cut(CutMode.NONE, 3) == b"\x1bd\x03"


def test_native_qr_matches_python_escpos():
    d = dummy()
    d.qr("https://example.by/?a=1", native=True, size=6, ec=1)   # python-escpos QR_ECLEVEL_M = 1
    assert escpos.qr("https://example.by/?a=1", 6, QrEc.M) == d.output


def test_qr_store_length_counts_the_three_header_bytes():
    out = escpos.qr("x" * 300)
    store = out.index(b"\x1d(k" + bytes((303 & 0xFF, 303 >> 8)) + b"1P0")
    assert out[store + 8:store + 308] == b"x" * 300


def test_qr_payload_too_long_is_refused_with_a_clear_error():
    with pytest.raises(PrinterError) as e:
        escpos.qr("x" * 2000)
    assert e.value.code == "PRINTER_BAD_DATA" and "2000" in e.value.detail


def test_ean13_barcode_matches_python_escpos_after_its_centering():
    d = dummy()
    d.barcode("4006381333931", "EAN13", height=80, width=2, function_type="B", check=False)
    assert d.output == b"\x1ba\x01" + escpos.barcode("4006381333931", height=80, module=2)


def test_code128_barcode_matches_python_escpos_in_code_set_b():
    d = dummy()
    d.barcode("{BZPOS-12", "CODE128", height=80, width=2, function_type="B", check=False)
    assert d.output == b"\x1ba\x01" + escpos.barcode("ZPOS-12", height=80, module=2)


def test_twelve_digits_get_their_ean13_check_digit():
    assert escpos.barcode("400638133393").endswith(b"\x1dkC\x0d4006381333931")


def test_thirteen_digits_with_a_wrong_check_digit_become_code128():
    assert escpos.barcode_kind("4006381333932") is escpos.BarcodeKind.CODE128


def test_barcode_with_cyrillic_is_refused():
    with pytest.raises(PrinterError) as e:
        escpos.barcode("Чек-1")
    assert e.value.code == "PRINTER_BAD_DATA"


def test_bold_align_and_double_size_match_python_escpos():
    d = dummy()
    d.set(bold=True)
    assert escpos.bold(True) == d.output
    d = dummy()
    d.set(align="center")
    assert escpos.align(Align.CENTER) == d.output
    d = dummy()
    d.set(custom_size=True, width=2, height=2)
    assert d.output.endswith(escpos.char_size(2, 2))
    assert escpos.char_size(2, 2) == b"\x1d!\x11"


def test_combined_print_mode_sets_the_documented_bits():
    assert escpos.print_mode(bold=True, double_height=True, double_width=True) == b"\x1b!\x38"
    assert escpos.print_mode(font_b=True, underline=True) == b"\x1b!\x81"


def test_drawer_kick_matches_python_escpos_pin_2():
    d = dummy()
    d.cashdraw(2)
    assert escpos.drawer_kick(2, 100, 100) == d.output == b"\x1bp\x0022"


def test_drawer_kick_on_pin_5_matches_python_escpos():
    d = dummy()
    d.cashdraw(5)
    assert escpos.drawer_kick(5, 100, 100) == d.output == bytes((0x1B, 0x70, 0x01, 50, 50))


@pytest.mark.parametrize("pin,on_ms,off_ms,expected", [
    (2, 120, 240, "1b 70 00 3c 78"),        # ESC p m t1 t2: t x 2 ms
    (5, 50, 500, "1b 70 01 19 fa"),
    (2, 2, 510, "1b 70 00 01 ff"),          # the documented extremes of t1 and t2
    (2, 101, 101, "1b 70 00 32 32"),        # odd milliseconds round down to the 2 ms unit
])
def test_drawer_kick_bytes_are_exact_for_pin_and_pulse(pin, on_ms, off_ms, expected):
    assert escpos.drawer_kick(pin, on_ms, off_ms).hex(" ") == expected


@pytest.mark.parametrize("pin,on_ms,off_ms", [(3, 100, 100), (2, 0, 100), (2, 100, 600)])
def test_drawer_kick_out_of_range_is_refused(pin, on_ms, off_ms):
    with pytest.raises(PrinterError) as e:
        escpos.drawer_kick(pin, on_ms, off_ms)
    assert e.value.code == "PRINTER_BAD_DATA"


def test_the_real_time_drawer_pulse_is_dle_dc4_fn_1_in_100_ms_units():
    assert escpos.drawer_pulse_realtime(2, 200).hex(" ") == "10 14 01 00 02"
    assert escpos.drawer_pulse_realtime(5, 100).hex(" ") == "10 14 01 01 01"


def test_the_real_time_buffer_clears_are_the_documented_sequences():
    assert escpos.realtime_clear(RealtimeClear.DLE_DC4_8).hex(" ") == "10 14 08 01 03 14 01 06 02 08"
    assert escpos.realtime_clear(RealtimeClear.DLE_ENQ_2).hex(" ") == "10 05 02"
    assert escpos.CLEAR_RESPONSE == bytes((0x37, 0x25, 0x00))


def test_gs_r_answers_never_look_like_dle_eot_answers():
    assert escpos.transmit_status(1) == b"\x1dr\x01" and escpos.transmit_status(2) == b"\x1dr\x02"
    answers = [escpos.transmit_status_byte(n, e) for n in (False, True) for e in (False, True)]
    assert answers == [0x00, 0x0C, 0x03, 0x0F]
    assert all(escpos.is_transmit_status_answer(b) and not escpos.is_status_byte(b) for b in answers)
    assert not any(escpos.is_transmit_status_answer(b) for b in range(256) if escpos.is_status_byte(b))


def test_raster_packs_eight_dots_per_byte_msb_first():
    rows = [[True] + [False] * 8, [False] * 8 + [True]]
    assert escpos.raster(rows) == b"\x1dv0\x00\x02\x00\x02\x00" + bytes((0x80, 0, 0, 0x80))


def test_cp1251_keeps_belarusian_letters():
    assert escpos.encode_text("Ўі І№", CodePage.CP1251) == bytes((0xA1, 0xB3, 0x20, 0xB2, 0xB9))


def test_cp866_maps_belarusian_i_to_latin_and_keeps_u_short():
    assert escpos.encode_text("Іі Ўў", CodePage.CP866) == b"Ii " + bytes((0xF6, 0xF7))


def test_characters_a_code_page_lacks_become_question_marks():
    assert escpos.encode_text("€₽", CodePage.CP866) == b"??"
    assert escpos.encode_text("₽", CodePage.CP1251) == b"?"


@given(st.text(max_size=60))
@settings(max_examples=80)
def test_any_text_encodes_to_one_byte_per_character_without_error(text):
    for cp in CodePage:
        out = escpos.encode_text(text, cp)
        assert len(out) == len(text)
        assert all(b >= 0x20 or b == 0x0A for b in out)


# --- status ---------------------------------------------------------------------------------------

STATUS_TABLE = [
    (StatusQuery.PRINTER, 0x12, {}),
    (StatusQuery.PRINTER, 0x1A, {"offline": True}),
    (StatusQuery.PRINTER, 0x16, {"drawer_high": True}),
    (StatusQuery.OFFLINE_CAUSE, 0x16, {"cover_open": True}),
    (StatusQuery.OFFLINE_CAUSE, 0x32, {"paper_end": True}),
    (StatusQuery.OFFLINE_CAUSE, 0x52, {"error": True}),
    (StatusQuery.OFFLINE_CAUSE, 0x1A, {"feed_button": True}),
    (StatusQuery.ERROR_CAUSE, 0x1A, {"cutter_error": True}),
    (StatusQuery.ERROR_CAUSE, 0x32, {"unrecoverable": True}),
    (StatusQuery.ERROR_CAUSE, 0x52, {"auto_recoverable": True}),
    (StatusQuery.PAPER, 0x1E, {"paper_near_end": True}),
    (StatusQuery.PAPER, 0x72, {"paper_end": True}),
    (StatusQuery.PAPER, 0x7E, {"paper_end": True, "paper_near_end": True}),
]


@pytest.mark.parametrize("query,byte,flags", STATUS_TABLE)
def test_status_bytes_decode_to_the_documented_flags(query, byte, flags):
    assert escpos.decode_status_byte(query, byte) == escpos.StatusBits(query, **flags)


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x41, 0x13, 0x92, 0x10])
def test_bytes_outside_the_status_pattern_are_rejected_as_garbage(byte):
    with pytest.raises(ProtocolError) as e:
        escpos.decode_status_byte(StatusQuery.PRINTER, byte)
    assert e.value.code == "PRINTER_BAD_STATUS" and f"0x{byte:02X}" in e.value.detail


@given(st.sampled_from(list(StatusQuery)), st.integers(0, 255))
@settings(max_examples=300)
def test_any_status_byte_either_decodes_or_is_rejected(query, byte):
    try:
        bits = escpos.decode_status_byte(query, byte)
    except ProtocolError as e:
        assert e.code == "PRINTER_BAD_STATUS" and not escpos.is_status_byte(byte)
    else:
        assert escpos.is_status_byte(byte) and bits.query == query


@given(st.builds(PrinterStatus, online=st.booleans(), paper_end=st.booleans(), paper_near_end=st.booleans(),
                 cover_open=st.booleans(), cutter_error=st.booleans(), unrecoverable=st.booleans(),
                 drawer_open=st.booleans()))
@settings(max_examples=100)
def test_status_bytes_a_printer_sends_decode_back_to_its_state(s):
    parts = [escpos.decode_status_byte(q, escpos.status_byte(q, s)) for q in StatusQuery]
    back = escpos.combine_status(parts, "high_open")
    assert back.online == s.online and back.cover_open == s.cover_open and back.paper_end == s.paper_end
    assert back.cutter_error == s.cutter_error and back.drawer_open == s.drawer_open
    assert back.paper_near_end == (s.paper_near_end or s.paper_end)


def test_paper_near_end_is_bits_2_and_3_of_dle_eot_4():
    parts = [escpos.decode_status_byte(StatusQuery.PRINTER, 0x12), escpos.decode_status_byte(StatusQuery.PAPER, 0x1E)]
    s = escpos.combine_status(parts)
    assert s.paper_near_end and not s.paper_end and s.ready


@pytest.mark.parametrize("sensor,pin3_high,expected", [
    ("none", True, None), ("none", False, None),
    ("high_open", True, True), ("high_open", False, False),
    ("low_open", True, False), ("low_open", False, True),
])
def test_the_drawer_state_is_pin_3_read_with_the_drawers_polarity(sensor, pin3_high, expected):
    first = escpos.decode_status_byte(StatusQuery.PRINTER, 0x16 if pin3_high else 0x12)
    assert escpos.combine_status([first], sensor).drawer_open is expected
