"""The virtual printer's paper: barcode patterns (checked against python-barcode) and the PNG of the roll."""
import barcode as pybarcode
import pygame
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import escpos_decoder as ev
from sim.paper import (
    MARGIN,
    BarcodeBlock,
    CutMark,
    PaperRenderer,
    QrBlock,
    RasterBlock,
    Span,
    TextLine,
    code128_modules,
    code128_values,
    ean13_modules,
    page_text,
)
from sim.printer import VirtualPrinter


def bits(mods):
    return "".join("1" if m else "0" for m in mods)


def test_ean13_bars_match_python_barcode():
    for code in ("400638133393", "481000000001", "2012345001234"):
        assert bits(ean13_modules(code)) == pybarcode.get("ean13", code[:12]).build()[0]


def test_code128_in_code_set_b_matches_python_barcode_for_letters():
    ref = pybarcode.get("code128", "ZPOS-Kassa")
    assert code128_values(b"{BZPOS-Kassa") == ref._build()
    assert bits(code128_modules(b"{BZPOS-Kassa")) == ref.build()[0]


def test_code128_code_set_c_packs_digit_pairs():
    assert code128_values(b"{C" + bytes((12, 34))) == [105, 12, 34]


def test_not_a_barcode_gives_no_bars():
    assert ean13_modules("12345") is None and code128_modules(b"") is None


def png(tmp_path, items, name="p.png", dots=576, columns=48):
    path = tmp_path / name
    PaperRenderer(dots, columns).render(items, path)
    return pygame.image.load(str(path))


def dark(surface) -> int:
    w, h = surface.get_size()
    return sum(1 for x in range(0, w, 2) for y in range(0, h, 2) if surface.get_at((x, y)).r < 128)


def test_the_png_is_576_dots_wide_with_a_cut_line(tmp_path):
    img = png(tmp_path, [TextLine((Span("Итого 3,35"),)), CutMark(False)])
    assert img.get_width() == 576
    cut_y = img.get_height() - MARGIN - 12
    assert img.get_at((2, cut_y)).r < 200 and img.get_at((13, cut_y)).r == 255


def test_the_qr_on_paper_is_the_matrix_of_its_payload(tmp_path):
    data, mod = "https://check.example.by/?n=17", 6
    img = png(tmp_path, [QrBlock(data, mod, 49, 1)])
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    q.add_data(data)
    q.make(fit=True)
    m = q.get_matrix()
    x0 = (576 - len(m) * mod) // 2
    for y, row in enumerate(m):
        for x, black in enumerate(row):
            px = img.get_at((x0 + x * mod + mod // 2, MARGIN + y * mod + mod // 2))
            assert (px.r < 128) == black


def test_bold_text_is_darker_and_double_text_is_twice_as_tall(tmp_path):
    normal = png(tmp_path, [TextLine((Span("ИТОГО 123,45"),))], "n.png")
    bold = png(tmp_path, [TextLine((Span("ИТОГО 123,45", bold=True),))], "b.png")
    double = png(tmp_path, [TextLine((Span("ИТОГО 123,45", width=2, height=2),))], "d.png")
    assert dark(bold) > dark(normal) * 1.1
    assert double.get_height() - 2 * MARGIN == 2 * (normal.get_height() - 2 * MARGIN)


def test_right_aligned_text_ends_at_the_right_edge(tmp_path):
    img = png(tmp_path, [TextLine((Span("9,99"),), 2)])
    right = [x for x in range(576) for y in range(MARGIN, img.get_height() - MARGIN) if img.get_at((x, y)).r < 128]
    assert max(right) > 576 - 12 and min(right) > 576 - 4 * 12 - 2


def test_a_raster_logo_is_drawn_dot_for_dot(tmp_path):
    img = png(tmp_path, [RasterBlock(1, 2, bytes((0x80, 0x01)), 0)])
    assert img.get_at((0, MARGIN)).r == 0 and img.get_at((1, MARGIN)).r == 255
    assert img.get_at((7, MARGIN + 1)).r == 0


def test_a_58mm_roll_is_384_dots_wide(tmp_path):
    assert png(tmp_path, [TextLine((Span("x" * 32),))], dots=384, columns=32).get_width() == 384


def test_page_text_shows_codes_in_brackets():
    text = page_text([QrBlock("q"), BarcodeBlock(73, b"{BAB-1"), CutMark(True)], 10)
    assert text == "[QR: q]\n[CODE128: AB-1]\n---------- (partial cut)\n"


@given(st.binary(max_size=160))
@settings(max_examples=25, deadline=None)
def test_any_bytes_render_to_a_png_without_a_drawing_error(tmp_path_factory, data):
    out = tmp_path_factory.mktemp("fuzz")
    printer = VirtualPrinter(out)
    try:
        printer.feed(data + b"\n\x1dV\x01", ev.EscPosDecoder(), lambda b: None)
        assert printer.wait_for_documents(len(printer.documents), timeout=10)   # pictures are drawn off-thread
        assert printer.render_errors == []
        assert all(p.png is not None and p.png.exists() for p in printer.documents)
    finally:
        printer.stop()
