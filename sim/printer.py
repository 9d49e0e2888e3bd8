"""VirtualPrinter: an ESC/POS printer on a pty (and TCP 9100) that keeps every page as text and PNG, with faults."""
from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hal.interfaces import PrinterStatus
from hal.protocols.escpos import StatusQuery, status_byte
from sim import escpos_decoder as ev
from sim.paper import BarcodeBlock, CutMark, Item, PaperRenderer, QrBlock, RasterBlock, Span, TextLine, page_text
from sim.ptyport import PtyDevice

# ESC t slot -> codec, the union of the shipped profiles (hal/printer_profiles.py); 0 is PC437.
SLOT_CODECS = {0: "cp437", 2: "cp850", 6: "cp1251", 7: "cp866", 16: "cp1252", 17: "cp866", 46: "cp1251",
               59: "cp866", 73: "cp1251"}


class Fault(StrEnum):
    OK = "ok"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    CUTTER_JAM = "cutter_jam"
    OFFLINE = "offline"
    PAPER_OUT_MID_PRINT = "paper_out_mid_print"   # armed: paper runs out after a few lines, then PAPER_OUT
    NO_ANSWER = "no_answer"                       # prints, but never answers a status query
    GARBAGE = "garbage"                           # answers status queries with noise


@dataclass(frozen=True)
class PrintedPage:
    text: str
    png: Path | None
    qr: str | None
    cut: bool
    barcodes: tuple[str, ...] = ()


class VirtualPrinter(PtyDevice):
    """Decodes what the driver sends, answers DLE EOT from its fault state, and closes a page at each cut."""

    name = "printer"

    def __init__(self, out_dir: Path | None = None, *, link: str | None = None, columns: int = 48,
                 dots: int = 576, kanji_at_init: bool = True) -> None:
        super().__init__(link)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        if self.out_dir:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self.columns = columns
        self.renderer = PaperRenderer(dots, columns)
        self.kanji_at_init = kanji_at_init        # Chinese clones: GB18030 mode until FS .
        self.drawer_kicks = 0
        self.drawer_open = False
        self.paper_near_end = False
        self.unknown_commands: list[bytes] = []
        self.render_errors: list[str] = []
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._documents: list[PrintedPage] = []
        self._render_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sim-printer-png")
        self._renders: list[Future] = []
        self._fault = Fault.OK
        self._lines_left = 0
        self._pty_decoder = ev.EscPosDecoder()
        self._tcp: socket.socket | None = None
        self._tcp_threads: list[threading.Thread] = []
        self._items: list[Item] = []
        self._reset_modes()

    # --- faults and inspection --------------------------------------------------------------------
    @property
    def fault(self) -> str:
        with self._lock:
            return self._fault.value

    def set_fault(self, name: str, *, after_lines: int = 3) -> None:
        """ok | paper_out | cover_open | cutter_jam | offline | paper_out_mid_print | no_answer | garbage."""
        fault = Fault(name)
        with self._lock:
            self._fault = fault
            self._lines_left = after_lines

    @property
    def documents(self) -> list[PrintedPage]:
        with self._lock:
            return list(self._documents)

    def last_text(self) -> str:
        with self._lock:
            return self._documents[-1].text if self._documents else ""

    def wait_for_documents(self, count: int, timeout: float = 2.0) -> bool:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._documents) >= count, timeout):
                return False
            renders = list(self._renders)
        wait_futures(renders, timeout=timeout)
        return True

    def _render_png(self, items: list, png: Path) -> None:
        try:
            self.renderer.render(items, png)
        except Exception as e:  # noqa: BLE001 - a drawing bug must not kill the printer
            self.render_errors.append(f"{png.name}: {type(e).__name__}: {e}")

    def printer_status(self) -> PrinterStatus:
        with self._lock:
            return self._status()

    def _status(self) -> PrinterStatus:
        f = self._fault
        paper_end = f is Fault.PAPER_OUT
        return PrinterStatus(online=f in (Fault.OK, Fault.PAPER_OUT_MID_PRINT, Fault.NO_ANSWER, Fault.GARBAGE),
                             paper_end=paper_end, paper_near_end=self.paper_near_end or paper_end,
                             cover_open=f is Fault.COVER_OPEN, cutter_error=f is Fault.CUTTER_JAM,
                             drawer_open=self.drawer_open)

    def tear(self) -> PrintedPage | None:
        """Close the current page without a cut (printers without a cutter: the cashier tears it off)."""
        with self._lock:
            self._flush_line()
            return self._finish(cut=False) if self._items else None

    # --- transports -------------------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        self.feed(data, self._pty_decoder, self.send)

    def feed(self, data: bytes, decoder: ev.EscPosDecoder, reply: Callable[[bytes], None]) -> None:
        with self._lock:
            for event in decoder.feed(data):
                answer = self._apply(event)
                if answer:
                    try:
                        reply(answer)
                    except OSError:
                        pass                       # the driver went away; nothing to answer to

    def serve_tcp(self, port: int = 0) -> tuple[str, int]:
        """Listen on 127.0.0.1:`port` (0 = any free port) like a network printer on 9100."""
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._tcp.bind(("127.0.0.1", port))
        self._tcp.listen(4)
        t = threading.Thread(target=self._accept_loop, name="sim-printer-tcp", daemon=True)
        t.start()
        self._tcp_threads.append(t)
        return self.tcp_address

    @property
    def tcp_address(self) -> tuple[str, int]:
        if self._tcp is None:
            raise RuntimeError("serve_tcp() was not called")
        host, port = self._tcp.getsockname()[:2]
        return host, port

    @property
    def tcp_url(self) -> str:
        host, port = self.tcp_address
        return f"tcp://{host}:{port}"

    def _accept_loop(self) -> None:
        assert self._tcp is not None
        while not self._stop.is_set():
            r, _, _ = select.select([self._tcp], [], [], 0.05)
            if not r:
                continue
            try:
                conn, _ = self._tcp.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve_conn, args=(conn,), name="sim-printer-conn", daemon=True)
            t.start()
            self._tcp_threads.append(t)

    def _serve_conn(self, conn: socket.socket) -> None:
        decoder = ev.EscPosDecoder()
        with conn:
            while not self._stop.is_set():
                r, _, _ = select.select([conn], [], [], 0.05)
                if not r:
                    continue
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                self.feed(data, decoder, conn.sendall)

    def stop(self) -> None:
        self._stop.set()
        for t in self._tcp_threads:
            t.join(timeout=2)
        if self._tcp is not None:
            self._tcp.close()
        super().stop()
        self._render_pool.shutdown(wait=True)      # every page's picture is on disk when stop returns

    # --- the printer ------------------------------------------------------------------------------
    def _reset_modes(self) -> None:
        self._codec = "cp437"
        self._kanji = self.kanji_at_init
        self._mode = 0                      # ESC ! bits
        self._bold = False                  # ESC E
        self._underline = False
        self._size = (1, 1)                 # GS !
        self._align = 0
        self._qr_module, self._qr_ec, self._qr_data = 3, 49, b""
        self._bc = {"height": 162, "module": 3, "hri": 0, "hri_font": 0}
        self._line: list[Span] = []

    def _span_style(self) -> tuple[bool, int, int, bool]:
        w = max(self._size[0], 2 if self._mode & 0x20 else 1)
        h = max(self._size[1], 2 if self._mode & 0x10 else 1)
        return self._bold or bool(self._mode & 0x08), w, h, self._underline or bool(self._mode & 0x80)

    def _printing(self) -> bool:
        return self._fault in (Fault.OK, Fault.PAPER_OUT_MID_PRINT, Fault.NO_ANSWER, Fault.GARBAGE)

    def _apply(self, e: ev.Event) -> bytes:
        if isinstance(e, ev.StatusRequest):
            if self._fault is Fault.NO_ANSWER or e.n not in (1, 2, 3, 4):
                return b""
            if self._fault is Fault.GARBAGE:
                return b"\xff"
            return bytes((status_byte(StatusQuery(e.n), self._status()),))
        if isinstance(e, ev.Init):
            self._reset_modes()
        elif isinstance(e, ev.Kanji):
            self._kanji = e.on
        elif isinstance(e, ev.CodeTable):
            self._codec = SLOT_CODECS.get(e.slot, "cp437")
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
            self._bc[e.what] = e.value
        elif isinstance(e, ev.QrCommand):
            self._qr(e)
        elif isinstance(e, ev.DrawerKick):
            self.drawer_kicks += 1
            self.drawer_open = True
        elif isinstance(e, ev.Unknown):
            self.unknown_commands.append(e.data[:16])
        elif self._printing():
            self._print(e)
        return b""

    def _qr(self, e: ev.QrCommand) -> None:
        if e.fn == 0x43 and e.data:
            self._qr_module = max(1, min(e.data[0], 16))
        elif e.fn == 0x45 and e.data:
            self._qr_ec = e.data[0]
        elif e.fn == 0x50:
            self._qr_data = e.data[1:]
        elif e.fn == 0x51 and self._printing() and self._qr_data:
            self._flush_line()
            self._add(QrBlock(self._qr_data.decode("utf-8", errors="replace"), self._qr_module, self._qr_ec, self._align))

    def _print(self, e: ev.Event) -> None:
        if isinstance(e, ev.Text):
            self._text(e.data)
        elif isinstance(e, ev.LineFeed):
            if e.lines == 0:
                self._flush_line()
                return
            self._flush_line(force=True)
            for _ in range(e.lines - 1):
                self._add(TextLine(()))
        elif isinstance(e, ev.Barcode):
            self._flush_line()
            self._add(BarcodeBlock(e.kind, e.data, self._bc["height"], self._bc["module"], self._bc["hri"], self._align))
        elif isinstance(e, ev.Raster):
            self._flush_line()
            self._add(RasterBlock(e.width_bytes, e.height, e.data, self._align))
        elif isinstance(e, ev.Cut):
            self._flush_line()
            self._items.append(CutMark(e.partial))
            self._finish(cut=True)

    def _text(self, data: bytes) -> None:
        codec = "gb18030" if self._kanji and any(b >= 0x80 for b in data) else self._codec
        text = data.decode(codec, errors="replace")
        bold, w, h, ul = self._span_style()
        for ch in text:
            used = sum(len(s.text) * s.width for s in self._line)
            if used + w > self.columns:
                self._flush_line()
                if not self._printing():
                    return
            if self._line and (self._line[-1].bold, self._line[-1].width, self._line[-1].height,
                               self._line[-1].underline) == (bold, w, h, ul):
                last = self._line.pop()
                self._line.append(Span(last.text + ch, bold, w, h, ul))
            else:
                self._line.append(Span(ch, bold, w, h, ul))

    def _flush_line(self, force: bool = False) -> None:
        if self._line or force:
            line, self._line = TextLine(tuple(self._line), self._align), []
            self._add(line)

    def _add(self, item: Item) -> None:
        if not self._printing():
            return
        self._items.append(item)
        if self._fault is Fault.PAPER_OUT_MID_PRINT:
            self._lines_left -= 1
            if self._lines_left <= 0:          # the roll ends here: the page stays uncut
                self._fault = Fault.PAPER_OUT
                self._finish(cut=False)

    def _finish(self, cut: bool) -> PrintedPage:
        items, self._items = self._items, []
        text = page_text(items, self.columns)
        png: Path | None = None
        number = len(self._documents) + 1
        if self.out_dir is not None:
            (self.out_dir / f"{number:04d}.txt").write_text(text, encoding="utf-8")
            png = self.out_dir / f"{number:04d}.png"
            # Drawing the paper takes tens of ms; a real printer still answers DLE EOT at once,
            # so the picture is drawn off the line thread and waited for by wait_for_documents/stop.
            self._renders.append(self._render_pool.submit(self._render_png, items, png))
        qrs = [i.data for i in items if isinstance(i, QrBlock)]
        codes = tuple(i.label for i in items if isinstance(i, BarcodeBlock))
        page = PrintedPage(text, png, qrs[0] if qrs else None, cut, codes)
        self._documents.append(page)
        self._changed.notify_all()
        return page
