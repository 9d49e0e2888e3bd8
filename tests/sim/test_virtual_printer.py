"""The virtual printer: its ESC/POS stream decoder, page text, clone quirks and faults, fed raw bytes."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.printer_profiles import CodePage, CutMode
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


def test_an_offline_printer_discards_what_it_is_sent(vp):
    vp.set_fault("offline")
    feed(vp, b"lost\n" + CUT)
    assert vp.documents == [] and vp.fault == "offline"


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
