"""The virtual printer's mechanism: print modes, code tables, line layout and the items of the page on the roll."""
from __future__ import annotations

from collections.abc import Callable

from hal.protocols.escpos_codepages import codec
from sim import escpos_decoder as ev
from sim.paper import BarcodeBlock, CutMark, Item, QrBlock, RasterBlock, Span, TextLine


class PrintHead:
    """Turns buffered ESC/POS commands into page items. `paper()` says whether there is paper under the
    head; `consumed()` is told of every item that reached the paper (the roll may end there);
    `page_done(items, cut)` gets each finished page."""

    def __init__(self, columns: int, model: str, kanji_at_init: bool,
                 paper: Callable[[], bool], consumed: Callable[[], None],
                 page_done: Callable[[list[Item], bool], None]) -> None:
        self.columns = columns
        self.model = model
        self.kanji_at_init = kanji_at_init
        self._paper, self._consumed, self._page_done = paper, consumed, page_done
        self.items: list[Item] = []
        self.codepage_misses: list[int] = []
        self.reset_modes()

    def reset_modes(self) -> None:
        self.codec = "cp437"
        self.kanji = self.kanji_at_init
        self._mode = 0                      # ESC ! bits
        self._bold = False                  # ESC E
        self._underline = False
        self._size = (1, 1)                 # GS !
        self._align = 0
        self._qr_module, self._qr_ec, self._qr_data = 3, 49, b""
        self.barcode = {"height": 162, "module": 3, "hri": 0, "hri_font": 0}
        self.line: list[Span] = []

    def clear_line(self) -> None:
        """The print buffer of the line being composed (what a buffer clear discards)."""
        self.line = []

    def apply(self, e: ev.Event) -> None:
        if isinstance(e, ev.Init):
            self.reset_modes()
        elif isinstance(e, ev.Kanji):
            self.kanji = e.on
        elif isinstance(e, ev.CodeTable):
            found = codec(self.model, e.slot)
            if found is None:
                self.codepage_misses.append(e.slot)
            self.codec = found or "cp437"
        elif isinstance(e, ev.PrintMode):
            self._mode = e.n
        elif isinstance(e, ev.Bold):
            self._bold = e.on
        elif isinstance(e, ev.Underline):
            self._underline = e.on
        elif isinstance(e, ev.CharSize):
            self._size = (e.width, e.height)
        elif isinstance(e, ev.Alignment):
            self._align = e.code if e.code in (0, 1, 2) else self._align
        elif isinstance(e, ev.BarcodeSetting):
            self.barcode[e.what] = e.value
        elif isinstance(e, ev.QrCommand):
            self._qr(e)
        elif self._paper():
            self._print(e)

    def _span_style(self) -> tuple[bool, int, int, bool]:
        w = max(self._size[0], 2 if self._mode & 0x20 else 1)
        h = max(self._size[1], 2 if self._mode & 0x10 else 1)
        return self._bold or bool(self._mode & 0x08), w, h, self._underline or bool(self._mode & 0x80)

    def _qr(self, e: ev.QrCommand) -> None:
        if e.fn == 0x43 and e.data:
            self._qr_module = max(1, min(e.data[0], 16))
        elif e.fn == 0x45 and e.data:
            self._qr_ec = e.data[0]
        elif e.fn == 0x50:
            self._qr_data = e.data[1:]
        elif e.fn == 0x51 and self._paper() and self._qr_data:
            self.flush_line()
            self._add(QrBlock(self._qr_data.decode("utf-8", errors="replace"), self._qr_module, self._qr_ec, self._align))

    def _print(self, e: ev.Event) -> None:
        if isinstance(e, ev.Text):
            self._text(e.data)
        elif isinstance(e, ev.LineFeed):
            if e.lines == 0:
                self.flush_line()
                return
            self.flush_line(force=True)
            for _ in range(e.lines - 1):
                self._add(TextLine(()))
        elif isinstance(e, ev.Barcode):
            self.flush_line()
            b = self.barcode
            self._add(BarcodeBlock(e.kind, e.data, b["height"], b["module"], b["hri"], self._align))
        elif isinstance(e, ev.Raster):
            self.flush_line()
            self._add(RasterBlock(e.width_bytes, e.height, e.data, self._align))
        elif isinstance(e, ev.Cut):
            self.flush_line()
            self.items.append(CutMark(e.partial))
            self.finish(cut=True)

    def _text(self, data: bytes) -> None:
        text = data.decode("gb18030" if self.kanji and any(b >= 0x80 for b in data) else self.codec, errors="replace")
        bold, w, h, ul = self._span_style()
        for ch in text:
            used = sum(len(s.text) * s.width for s in self.line)
            if used + w > self.columns:
                self.flush_line()
                if not self._paper():
                    return
            last = self.line[-1] if self.line else None
            if last is not None and (last.bold, last.width, last.height, last.underline) == (bold, w, h, ul):
                self.line[-1] = Span(last.text + ch, bold, w, h, ul)
            else:
                self.line.append(Span(ch, bold, w, h, ul))

    def flush_line(self, force: bool = False) -> None:
        if self.line or force:
            line, self.line = TextLine(tuple(self.line), self._align), []
            self._add(line)

    def _add(self, item: Item) -> None:
        if not self._paper():
            return
        self.items.append(item)
        self._consumed()

    def finish(self, cut: bool) -> None:
        items, self.items = self.items, []
        self._page_done(items, cut)
