"""The virtual printer: its ESC/POS stream decoder, page text, clone quirks and faults, fed raw bytes."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.printer_profiles import CodePage, CutMode, RealtimeClear
from hal.protocols import escpos
from sim import escpos_decoder as ev
from sim.printer import VirtualPrinter

CUT = escpos.cut(CutMode.PARTIAL, 2)


@pytest.fixture
def vp():
    printer = VirtualPrinter()          # not started: tests feed bytes directly, no thread involved
    yield printer
    printer.stop()


def feed(vp: VirtualPrinter, data: bytes) -> bytes:
    answers = bytearray()
    vp.feed(data, ev.EscPosDecoder(), answers.extend)
    return bytes(answers)


def test_the_decoder_splits_a_job_into_typed_commands():
    job = (escpos.INIT + escpos.CANCEL_KANJI + escpos.select_code_page(46) + escpos.bold(True) + b"AB\n"
           + escpos.qr("q") + escpos.barcode("4006381333931") + escpos.drawer_kick() + b"\x10\x04\x01" + CUT)
    events = ev.EscPosDecoder().feed(job)
    kinds = [type(e).__name__ for e in events]
    assert kinds[:6] == ["Init", "Kanji", "CodeTable", "Bold", "Text", "LineFeed"]
    assert events[4] == ev.Text(b"AB")
    assert ev.QrCommand(0x50, b"0q") in events
    assert ev.Barcode(67, b"4006381333931") in events
    assert ev.DrawerKick(2, 100, 100) in events and ev.StatusRequest(1) in events
    assert events[-1] == ev.Cut(partial=True)


def test_a_command_split_across_reads_waits_for_its_remaining_bytes():
    job = escpos.qr("https://check.example.by/") + escpos.raster([[True] * 16] * 3)
    whole = ev.EscPosDecoder().feed(job)
    d = ev.EscPosDecoder()
    pieces = [e for i in range(len(job)) for e in d.feed(job[i:i + 1])]
    assert pieces == whole and d.pending == 0


@given(st.binary(max_size=300), st.integers(1, 50))
@settings(max_examples=150, deadline=None)
def test_the_decoder_never_raises_on_any_bytes_in_any_chunks(data, chunk):
    d = ev.EscPosDecoder()
    for i in range(0, len(data), chunk):
        d.feed(data[i:i + chunk])
    assert d.pending <= len(data)


@given(st.binary(max_size=200))
@settings(max_examples=100, deadline=None)
def test_the_virtual_printer_never_raises_on_garbage(data):
    printer = VirtualPrinter()
    try:
        feed(printer, data + CUT)
        assert len(printer.documents) <= data.count(b"\x1dV") + data.count(b"\x1bi") + data.count(b"\x1bm") + 1
    finally:
        printer.stop()


def test_a_huge_raster_header_is_skipped_not_awaited():
    d = ev.EscPosDecoder()
    events = d.feed(b"\x1dv0\x00\xff\xff\xff\xff" + b"hi\n")
    assert isinstance(events[0], ev.Unknown) and ev.Text(b"hi") in events and d.pending == 0


def test_text_in_cp1251_is_printed_with_belarusian_letters(vp):
    feed(vp, escpos.INIT + escpos.CANCEL_KANJI + escpos.select_code_page(46)
         + escpos.encode_text("Ўсё і ўсё №5", CodePage.CP1251) + b"\n" + CUT)
    assert vp.last_text().startswith("Ўсё і ўсё №5\n")


def test_a_clone_without_fs_dot_prints_hieroglyphs(vp):
    feed(vp, escpos.INIT + escpos.select_code_page(17) + escpos.encode_text("Привет", CodePage.CP866) + b"\n" + CUT)
    assert "Привет" not in vp.last_text()
    feed(vp, escpos.INIT + escpos.CANCEL_KANJI + escpos.select_code_page(17)
         + escpos.encode_text("Привет", CodePage.CP866) + b"\n" + CUT)
    assert vp.last_text().startswith("Привет")


def test_alignment_and_double_width_are_laid_out_in_columns(vp):
    feed(vp, escpos.align(escpos.Align.RIGHT) + b"12,50\n" + escpos.align(escpos.Align.CENTER)
         + escpos.char_size(2, 2) + b"OK\n" + CUT)
    lines = vp.last_text().splitlines()
    assert lines[0] == " " * 43 + "12,50"
    assert lines[1] == " " * 22 + "OK"


def test_a_line_longer_than_the_paper_wraps(vp):
    feed(vp, b"x" * 50 + b"\n" + CUT)
    assert vp.last_text().splitlines()[:2] == ["x" * 48, "xx"]


def test_status_queries_are_answered_from_the_fault_state(vp):
    assert feed(vp, b"\x10\x04\x01\x10\x04\x04") == b"\x12\x12"
    vp.set_fault("cover_open")
    assert feed(vp, b"\x10\x04\x01\x10\x04\x02") == b"\x1a\x16"
    vp.set_fault("cutter_jam")
    assert feed(vp, b"\x10\x04\x03") == b"\x1a"
    vp.set_fault("paper_out")
    assert feed(vp, b"\x10\x04\x02\x10\x04\x04") == b"\x32\x7e"


def test_an_offline_printer_holds_what_it_is_sent_and_prints_it_when_back_on_line(vp):
    vp.set_fault("offline")
    feed(vp, b"held\n" + CUT)
    assert vp.documents == [] and vp.fault == "offline" and vp.held_commands == 4    # text, LF, feed, cut
    vp.set_fault("ok")
    assert vp.last_text().startswith("held") and vp.held_commands == 0


def test_the_rest_of_a_job_cut_short_by_a_paper_end_prints_on_the_new_roll(vp):
    vp.set_fault("paper_out_mid_print", after_lines=2)
    feed(vp, b"one\ntwo\nthree\nfour\n" + CUT)
    [partial] = vp.documents
    assert not partial.cut and partial.text.splitlines() == ["one", "two"]
    vp.set_fault("ok")
    assert vp.documents[1].cut and vp.documents[1].text.splitlines()[:2] == ["three", "four"]


def test_status_is_answered_at_once_even_while_data_waits(vp):
    vp.set_fault("paper_out_mid_print", after_lines=1)
    feed(vp, b"one\ntwo\n" + CUT)
    assert vp.held_commands > 0
    answers = feed(vp, b"\x10\x04\x01\x10\x04\x04")
    assert answers == b"\x1a\x7e"                   # off-line (paper end stops printing), paper end and near end


def test_a_real_time_query_overtakes_data_sent_before_it(vp):
    vp.set_fault("paper_out_mid_print", after_lines=1)
    # In one chunk the status is answered on arrival, before the buffered lines reach the paper end.
    assert feed(vp, b"one\ntwo\n" + CUT + b"\x10\x04\x01") == b"\x12"
    assert vp.fault == "paper_out"


def test_dle_dc4_8_clears_both_buffers_and_answers_its_clear_response(vp):
    vp.set_fault("paper_out_mid_print", after_lines=1)
    feed(vp, b"one\ntwo\nthr")
    assert feed(vp, escpos.realtime_clear(RealtimeClear.DLE_DC4_8)) == b"\x37\x25\x00"
    assert vp.held_commands == 0 and vp.buffer_clears == 1
    vp.set_fault("ok")
    feed(vp, b"next\n" + CUT)
    assert vp.last_text().splitlines()[0] == "next"           # nothing of the old job came out


def test_dle_enq_2_clears_only_after_a_cutter_error_as_the_manuals_say(vp):
    vp.set_fault("paper_out")
    feed(vp, b"kept\n" + CUT + escpos.realtime_clear(RealtimeClear.DLE_ENQ_2))
    assert vp.held_commands == 4 and vp.buffer_clears == 0
    vp.set_fault("cutter_jam")
    assert feed(vp, escpos.realtime_clear(RealtimeClear.DLE_ENQ_2)) == b""
    assert vp.held_commands == 0 and vp.fault == "ok"       # cleared and recovered


def test_a_model_whose_dle_enq_2_always_clears(tmp_path):
    printer = VirtualPrinter(enq2_clears_any_error=True)
    try:
        printer.set_fault("paper_out")
        feed(printer, b"gone\n" + CUT + escpos.realtime_clear(RealtimeClear.DLE_ENQ_2))
        assert printer.held_commands == 0 and printer.fault == "paper_out"
    finally:
        printer.stop()


def test_a_model_without_dle_dc4_8_does_not_answer_it(tmp_path):
    printer = VirtualPrinter(realtime_clear=("dle_enq_2",))
    try:
        assert feed(printer, escpos.realtime_clear(RealtimeClear.DLE_DC4_8)) == b""
        assert printer.unknown_commands == [b"\x10\x14\x08"]
    finally:
        printer.stop()


def test_gs_r_is_answered_in_turn_not_in_real_time(vp):
    vp.paper_near_end = True
    assert feed(vp, escpos.transmit_status(1) + b"a\n" + escpos.transmit_status(1)) == b"\x03\x03"
    vp.set_fault("paper_out_mid_print", after_lines=1)
    assert feed(vp, escpos.transmit_status(1) + b"a\nb\n" + escpos.transmit_status(1)) == b"\x03"
    vp.set_fault("ok")
    assert vp.held_commands == 0


def test_esc_p_is_a_buffered_kick_and_dle_eot_1_reads_the_drawer_switch(vp):
    assert feed(vp, b"\x10\x04\x01") == b"\x12"
    feed(vp, escpos.drawer_kick(5, 120, 240))
    assert vp.drawer_kicks == 1 and vp.kicks == [(5, 120, 240)] and vp.drawer_open
    assert feed(vp, b"\x10\x04\x01") == b"\x16"          # pin 3 HIGH: open
    vp.close_drawer()
    assert feed(vp, b"\x10\x04\x01") == b"\x12"
    vp.set_fault("paper_out")
    feed(vp, escpos.drawer_kick(2, 100, 100))
    assert vp.drawer_kicks == 1                               # held behind the paper end


def test_the_real_time_pulse_is_ignored_in_an_error_state(vp):
    vp.set_fault("cover_open")
    feed(vp, escpos.drawer_pulse_realtime(2, 100))
    assert vp.drawer_kicks == 0
    vp.set_fault("ok")
    feed(vp, escpos.drawer_pulse_realtime(2, 100))
    assert vp.drawer_kicks == 1 and vp.held_commands == 0


def test_esc_t_selects_the_page_of_the_models_published_table():
    for model, slot, expected in (("RP326", 7, "Привет"), ("TM-T20III", 7, None), ("NT-80-V-UL", 59, "Привет")):
        printer = VirtualPrinter(model=model)
        try:
            feed(printer, escpos.INIT + escpos.CANCEL_KANJI + escpos.select_code_page(slot)
                 + escpos.encode_text("Привет", CodePage.CP866) + b"\n" + CUT)
            shown = printer.last_text().splitlines()[0]
            assert (shown == expected) if expected else (shown != "Привет" and printer.head.codepage_misses == [slot])
        finally:
            printer.stop()


def test_an_unknown_fault_name_is_refused(vp):
    with pytest.raises(ValueError):
        vp.set_fault("on_fire")


def test_every_cut_makes_a_page_and_files_are_numbered(tmp_path):
    printer = VirtualPrinter(tmp_path)
    try:
        feed(printer, b"one\n" + CUT + b"two\n" + CUT)
    finally:
        printer.stop()
    assert [p.text.splitlines()[0] for p in printer.documents] == ["one", "two"]
    assert sorted(os.listdir(tmp_path)) == ["0001.png", "0001.txt", "0002.png", "0002.txt"]


def test_the_pty_link_symlink_points_at_the_slave(tmp_path):
    link = str(tmp_path / "printer")
    printer = VirtualPrinter(link=link)
    try:
        assert printer.address == link and os.path.realpath(link) == printer.port.path
    finally:
        printer.stop()
    assert not os.path.exists(link)
