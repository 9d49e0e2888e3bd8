"""VirtualPrinter: an ESC/POS printer on a pty (and TCP 9100) that keeps every page as text and PNG, with faults.

It behaves as the makers' command references describe (sources in `hal.printer_profiles` and
`hal.protocols.escpos`), not as our driver expects:
* everything but the real-time commands goes into a receive buffer and is printed in order while
  the printer can print; when it cannot (paper out, cover open, off-line...) the data waits there,
  and prints when the fault clears -- the rest of a job cut short by a paper end included;
* real-time commands act on arrival: DLE EOT n answers the status; DLE DC4 fn=8 clears the
  receive and print buffers and answers 37 25 00; DLE ENQ 2 does so only after a recoverable
  (cutter) error, as several manuals say (`enq2_clears_any_error` for models that always clear);
  DLE DC4 fn=1 pulses the drawer unless the printer is in an error state;
* GS r 1 / 2 are answered when the printer reaches them in the buffer;
* ESC t n selects the code page of the model's published table (escpos-printer-db).
"""
from __future__ import annotations

import select
import socket
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hal.interfaces import PrinterStatus
from hal.protocols.escpos import CLEAR_RESPONSE, StatusQuery, status_byte, transmit_status_byte
from sim import escpos_decoder as ev
from sim.paper import BarcodeBlock, Item, PaperRenderer, QrBlock, page_text
from sim.printer_head import PrintHead
from sim.ptyport import PtyDevice

RECEIVE_BUFFER = 64 * 1024      # commands held while the printer cannot print; beyond it data is lost


class Fault(StrEnum):
    OK = "ok"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    CUTTER_JAM = "cutter_jam"
    OFFLINE = "offline"
    PAPER_OUT_MID_PRINT = "paper_out_mid_print"   # armed: paper runs out after `after_lines` lines (0: before
                                                  # the next data), then PAPER_OUT
    NO_ANSWER = "no_answer"                       # prints, but never answers a status query
    GARBAGE = "garbage"                           # answers status queries with noise


PRINTING = (Fault.OK, Fault.PAPER_OUT_MID_PRINT, Fault.NO_ANSWER, Fault.GARBAGE)


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
                 dots: int = 576, kanji_at_init: bool = True, model: str = "TM-T20III",
                 realtime_clear: tuple[str, ...] = ("dle_dc4_8", "dle_enq_2"), enq2_clears_any_error: bool = False,
                 drawer_open_level: str = "high") -> None:
        super().__init__(link)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        if self.out_dir:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self.columns = columns
        self.model = model
        self.realtime_clear = tuple(realtime_clear)
        self.enq2_clears_any_error = enq2_clears_any_error
        self.drawer_open_level = drawer_open_level
        self.renderer = PaperRenderer(dots, columns)
        self.drawer_kicks = 0
        self.drawer_open = False
        self.kicks: list[tuple[int, int, int]] = []     # (pin, on ms, off ms) of every pulse given
        self.paper_near_end = False
        self.unknown_commands: list[bytes] = []
        self.render_errors: list[str] = []
        self.buffer_clears = 0
        self.lost_bytes = 0
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._documents: list[PrintedPage] = []
        self._render_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sim-printer-png")
        self._renders: list[Future] = []
        self._fault = Fault.OK
        self._lines_left = 0
        self._queue: deque[tuple[ev.Event, Callable[[bytes], None]]] = deque()
        self._pty_decoder = ev.EscPosDecoder()
        self._tcp: socket.socket | None = None
        self._tcp_threads: list[threading.Thread] = []
        self.head = PrintHead(columns, model, kanji_at_init, self._printing, self._consumed, self._page_done)

    # --- faults, drawer and inspection -------------------------------------------------------------
    @property
    def fault(self) -> str:
        with self._lock:
            return self._fault.value

    def set_fault(self, name: str, *, after_lines: int = 3) -> None:
        """ok | paper_out | cover_open | cutter_jam | offline | paper_out_mid_print | no_answer | garbage.
        A fault that clears lets the printer go on with what it holds."""
        fault = Fault(name)
        with self._lock:
            self._fault = fault
            self._lines_left = after_lines
            self._drain()

    def close_drawer(self) -> None:
        """The cashier pushes the drawer shut."""
        with self._lock:
            self.drawer_open = False

    def open_drawer(self) -> None:
        """The drawer is opened by hand (with its key)."""
        with self._lock:
            self.drawer_open = True

    @property
    def held_commands(self) -> int:
        """Commands waiting in the receive buffer for the printer to be able to print."""
        with self._lock:
            return len(self._queue)

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

    def printer_status(self) -> PrinterStatus:
        with self._lock:
            s = self._status()
            return PrinterStatus(s.online, s.paper_end, s.paper_near_end, s.cover_open, s.cutter_error,
                                 s.unrecoverable, self.drawer_open)

    def _pin3_high(self) -> bool:
        return self.drawer_open if self.drawer_open_level == "high" else not self.drawer_open

    def _status(self) -> PrinterStatus:
        """The state as the printer's sensors give it; drawer_open here is connector pin 3 HIGH."""
        f = self._fault
        paper_end = f is Fault.PAPER_OUT
        return PrinterStatus(online=f in PRINTING, paper_end=paper_end, paper_near_end=self.paper_near_end or paper_end,
                             cover_open=f is Fault.COVER_OPEN, cutter_error=f is Fault.CUTTER_JAM,
                             drawer_open=self._pin3_high())

    def tear(self) -> PrintedPage | None:
        """Close the current page without a cut (printers without a cutter: the cashier tears it off)."""
        with self._lock:
            self.head.flush_line()
            if not self.head.items:
                return None
            self.head.finish(cut=False)
            return self._documents[-1]

    # --- transports -------------------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        self.feed(data, self._pty_decoder, self.send)

    def feed(self, data: bytes, decoder: ev.EscPosDecoder, reply: Callable[[bytes], None]) -> None:
        """Real-time commands act at once; the rest joins the receive buffer, printed while the printer can."""
        def safe(answer: bytes) -> None:
            try:
                reply(answer)
            except OSError:
                pass                       # the driver went away; nothing to answer to
        with self._lock:
            for event in decoder.feed(data):
                if isinstance(event, ev.REALTIME):
                    answer = self._realtime(event)
                    if answer:
                        safe(answer)
                elif len(self._queue) < RECEIVE_BUFFER:
                    self._queue.append((event, safe))
                else:
                    self.lost_bytes += 1
            self._drain()

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
    def _printing(self) -> bool:
        return self._fault in PRINTING

    def _realtime(self, e: ev.Event) -> bytes:
        if isinstance(e, ev.StatusRequest):
            if self._fault is Fault.NO_ANSWER or e.n not in (1, 2, 3, 4):
                return b""
            if self._fault is Fault.GARBAGE:
                return b"\xff"
            return bytes((status_byte(StatusQuery(e.n), self._status()),))
        if isinstance(e, ev.BufferClear):
            if "dle_dc4_8" not in self.realtime_clear:
                self.unknown_commands.append(b"\x10\x14\x08")
                return b""
            self._clear_buffers()
            if self._fault is Fault.CUTTER_JAM:      # a recoverable error is recovered from
                self._fault = Fault.OK
            return b"" if self._fault is Fault.NO_ANSWER else CLEAR_RESPONSE
        if isinstance(e, ev.RealtimeRequest):
            if e.n == 2 and "dle_enq_2" in self.realtime_clear and (
                    self._fault is Fault.CUTTER_JAM or (self.enq2_clears_any_error and not self._printing())):
                self._clear_buffers()
                if self._fault is Fault.CUTTER_JAM:
                    self._fault = Fault.OK
            return b""
        if isinstance(e, ev.RealtimePulse) and self._printing():
            self._kick(e.pin, e.on_ms, e.on_ms)
        return b""

    def _clear_buffers(self) -> None:
        self._queue.clear()
        self.head.clear_line()
        self.buffer_clears += 1

    def _kick(self, pin: int, on_ms: int, off_ms: int) -> None:
        self.drawer_kicks += 1
        self.kicks.append((pin, on_ms, off_ms))
        self.drawer_open = True

    def _drain(self) -> None:
        while self._queue and self._printing():
            if self._fault is Fault.PAPER_OUT_MID_PRINT and self._lines_left <= 0:
                self._fault = Fault.PAPER_OUT        # armed with after_lines=0: the roll ends before this data
                break
            event, reply = self._queue.popleft()
            if isinstance(event, ev.TransmitStatus):
                if self._fault is not Fault.NO_ANSWER and event.n in (1, 2, 49, 50):
                    b = (transmit_status_byte(self.paper_near_end) if event.n in (1, 49)
                         else int(self._pin3_high()))
                    reply(bytes((b,)))
            elif isinstance(event, ev.DrawerKick):
                self._kick(event.pin, event.on_ms, event.off_ms)
            elif isinstance(event, ev.Unknown):
                self.unknown_commands.append(event.data[:16])
            else:
                self.head.apply(event)

    def _consumed(self) -> None:
        if self._fault is Fault.PAPER_OUT_MID_PRINT:
            self._lines_left -= 1
            if self._lines_left <= 0:          # the roll ends here: the page stays uncut
                self._fault = Fault.PAPER_OUT
                self.head.finish(cut=False)

    def _page_done(self, items: list[Item], cut: bool) -> None:
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
        self._documents.append(PrintedPage(text, png, qrs[0] if qrs else None, cut, codes))
        self._changed.notify_all()

    def _render_png(self, items: list, png: Path) -> None:
        try:
            self.renderer.render(items, png)
        except Exception as e:  # noqa: BLE001 - a drawing bug must not kill the printer
            self.render_errors.append(f"{png.name}: {type(e).__name__}: {e}")
