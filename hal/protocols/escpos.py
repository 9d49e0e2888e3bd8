"""ESC/POS: the command encoder (text, styles, QR, barcodes, raster, cut, drawer), real-time commands and status decoding.

Command bytes follow devices.md §1.1; the status bit layout follows devices.md §1.3. Real-time
commands (DLE EOT, DLE ENQ, DLE DC4) are executed by the printer the moment they arrive, even
off-line; everything else waits its turn in the receive buffer (see `hal.printer_profiles` for
the sources). Both the driver (`hal.printer`) and the virtual printer (`sim.printer`) use these
definitions.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from fiscal.layout import Align
from hal.errors import PrinterError, ProtocolError
from hal.interfaces import PrinterStatus
from hal.printer_profiles import CodePage, CutMode, RealtimeClear

ESC, GS, FS, DLE, EOT, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x04, 0x0A

INIT = b"\x1b@"                 # ESC @
CANCEL_KANJI = b"\x1c."         # FS .  (clones boot in GB18030 double-byte mode)
KANJI_ON = b"\x1c&"             # FS &

ALIGN_CODE = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}

# Characters a code page lacks, mapped to look-alikes before the codec turns the rest into "?".
_CP866_FALLBACK = str.maketrans({"І": "I", "і": "i", "«": '"', "»": '"', "—": "-", "–": "-",
                                 "„": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "×": "x"})
_CP1251_FALLBACK = str.maketrans({"“": '"', "”": '"', "×": "x"})


def _u8(name: str, n: int, lo: int = 0, hi: int = 255) -> int:
    if not lo <= n <= hi:
        raise PrinterError("PRINTER_BAD_DATA", f"escpos: {name}={n} is outside {lo}..{hi}")
    return n


def encode_text(text: str, code_page: CodePage) -> bytes:
    """Text in the printer's code page; CP866 gets І→I, і→i; anything else missing becomes '?'."""
    table = _CP866_FALLBACK if code_page is CodePage.CP866 else _CP1251_FALLBACK
    clean = "".join(ch if ch >= " " or ch == "\n" else " " for ch in text.translate(table))
    return clean.encode(code_page.value, errors="replace")


def select_code_page(slot: int) -> bytes:
    return bytes((ESC, 0x74, _u8("code page slot", slot)))


def print_mode(*, font_b: bool = False, bold: bool = False, double_height: bool = False,
               double_width: bool = False, underline: bool = False) -> bytes:
    """ESC ! n, the combined print mode."""
    n = (font_b and 0x01) | (bold and 0x08) | (double_height and 0x10) | (double_width and 0x20) | (underline and 0x80)
    return bytes((ESC, 0x21, int(n)))


def bold(on: bool) -> bytes:
    return bytes((ESC, 0x45, 1 if on else 0))


def underline(dots: int) -> bytes:
    return bytes((ESC, 0x2D, _u8("underline", dots, 0, 2)))


def char_size(width: int = 1, height: int = 1) -> bytes:
    """GS ! n: width and height multipliers 1..8."""
    return bytes((GS, 0x21, (_u8("width", width, 1, 8) - 1) << 4 | (_u8("height", height, 1, 8) - 1)))


def align(a: Align) -> bytes:
    return bytes((ESC, 0x61, ALIGN_CODE[a]))


def feed(lines: int) -> bytes:
    return bytes((ESC, 0x64, _u8("feed lines", lines)))


def cut(mode: CutMode, feed_lines: int = 4) -> bytes:
    """Feed so the last line clears the cutter, then cut (nothing but the feed without a cutter)."""
    out = feed(feed_lines) if feed_lines else b""
    if mode is CutMode.FULL:
        return out + b"\x1dV\x00"
    if mode is CutMode.PARTIAL:
        return out + b"\x1dV\x01"
    return out


DRAWER_PINS = {2: 0, 5: 1}          # connector pin -> m of ESC p / DLE DC4 fn=1


def drawer_kick(pin: int = 2, on_ms: int = 100, off_ms: int = 100) -> bytes:
    """ESC p m t1 t2: pulse the drawer solenoid on connector pin 2 (m=0) or 5 (m=1); t1, t2 in 2 ms units
    (Epson: ON t1 x 2 ms, OFF t2 x 2 ms), so odd milliseconds round down. Buffered: it waits its turn."""
    if pin not in DRAWER_PINS:
        raise PrinterError("PRINTER_BAD_DATA", f"escpos: drawer pin must be 2 or 5, not {pin}")
    return bytes((ESC, 0x70, DRAWER_PINS[pin], _u8("pulse on (ms / 2)", on_ms // 2, 1),
                  _u8("pulse off (ms / 2)", off_ms // 2, 1)))


def drawer_pulse_realtime(pin: int = 2, on_ms: int = 100) -> bytes:
    """DLE DC4 fn=1 m t: the same pulse in real time (t x 100 ms on and off, t = 1..8), also when off-line."""
    if pin not in DRAWER_PINS:
        raise PrinterError("PRINTER_BAD_DATA", f"escpos: drawer pin must be 2 or 5, not {pin}")
    return bytes((DLE, 0x14, 1, DRAWER_PINS[pin], _u8("real-time pulse (100 ms)", max(on_ms // 100, 1), 1, 8)))


BUFFER_CLEAR = {
    RealtimeClear.DLE_DC4_8: bytes((DLE, 0x14, 0x08, 1, 3, 20, 1, 6, 2, 8)),
    RealtimeClear.DLE_ENQ_2: bytes((DLE, 0x05, 0x02)),
}
CLEAR_RESPONSE = b"\x37\x25\x00"     # DLE DC4 fn=8's answer: header 37h, identifier 25h, NUL


def realtime_clear(kind: RealtimeClear) -> bytes:
    return BUFFER_CLEAR[RealtimeClear(kind)]


def transmit_status(n: int = 1) -> bytes:
    """GS r n (1: paper sensor, 2: drawer connector): answered when the printer reaches it in the buffer."""
    if n not in (1, 2, 49, 50):
        raise PrinterError("PRINTER_BAD_DATA", f"escpos: GS r n must be 1, 2, 49 or 50, not {n}")
    return bytes((GS, 0x72, n))


def is_transmit_status_answer(b: int) -> bool:
    """A GS r answer has bits 4 and 7 fixed at 0, so it never looks like a DLE EOT answer (bit 4 = 1)."""
    return 0 <= b <= 255 and not b & 0x90


def transmit_status_byte(paper_near_end: bool = False, paper_end: bool = False) -> int:
    """The answer to GS r 1: bits 0-1 near end, bits 2-3 paper end (a printer out of paper never sends it)."""
    return (0x03 if paper_near_end else 0) | (0x0C if paper_end else 0)


class QrEc(IntEnum):
    L = 48
    M = 49
    Q = 50
    H = 51


QR_MAX_BYTES = 1021  # the smallest limit across models (devices.md §1.1)


def _gs_k(fn: int, payload: bytes) -> bytes:
    n = len(payload) + 2
    return bytes((GS, 0x28, 0x6B, n & 0xFF, n >> 8, 0x31, fn)) + payload


def qr(data: str, module: int = 6, ec: QrEc = QrEc.M) -> bytes:
    """The five GS ( k sub-commands: model 2, module size, error correction, store, print."""
    raw = data.encode("utf-8")
    if not raw or len(raw) > QR_MAX_BYTES:
        raise PrinterError("PRINTER_BAD_DATA", f"escpos: QR payload of {len(raw)} bytes; allowed 1..{QR_MAX_BYTES}")
    return (_gs_k(0x41, b"\x32\x00") + _gs_k(0x43, bytes((_u8("QR module", module, 1, 16),)))
            + _gs_k(0x45, bytes((ec,))) + _gs_k(0x50, b"\x30" + raw) + _gs_k(0x51, b"\x30"))


class BarcodeKind(IntEnum):
    """GS k function B type numbers."""

    EAN13 = 67
    CODE128 = 73


def ean13_check_digit(first12: str) -> int:
    s = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - s % 10) % 10


def barcode_kind(data: str) -> BarcodeKind:
    """EAN-13 for 12 or 13 digits with a right check digit, else CODE128 for printable ASCII."""
    if data.isdigit() and data.isascii() and len(data) in (12, 13):
        if len(data) == 12 or ean13_check_digit(data[:12]) == int(data[12]):
            return BarcodeKind.EAN13
    if data and all(" " <= c <= "~" for c in data) and len(data) <= 80:
        return BarcodeKind.CODE128
    raise PrinterError("PRINTER_BAD_DATA",
                       f"escpos: barcode {data[:40]!r} is neither EAN-13 nor printable ASCII for CODE128 (≤80 chars)")


def barcode(data: str, height: int = 80, module: int = 2, hri_below: bool = True) -> bytes:
    """GS h / GS w / GS f / GS H then GS k (function B). CODE128 data is sent in code set B ({B)."""
    kind = barcode_kind(data)
    if kind is BarcodeKind.EAN13:
        body = data[:12].encode("ascii") + str(ean13_check_digit(data[:12])).encode("ascii")
    else:
        body = b"{B" + data.replace("{", "{{").encode("ascii")
    setup = bytes((GS, 0x68, _u8("barcode height", height, 1), GS, 0x77, _u8("barcode module", module, 1, 6),
                   GS, 0x66, 0, GS, 0x48, 2 if hri_below else 0))
    return setup + bytes((GS, 0x6B, kind, len(body))) + body


def raster(rows: Sequence[Sequence[bool]]) -> bytes:
    """GS v 0 normal-density raster of a bitmap given as rows of booleans (True = black dot)."""
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    if not height or not width or height > 0xFFFF or width > 0xFFFF * 8:
        raise PrinterError("PRINTER_BAD_DATA", f"escpos: raster image {width}x{height} is empty or too big")
    wb = (width + 7) // 8
    data = bytearray(wb * height)
    for y, row in enumerate(rows):
        for x, dot in enumerate(row):
            if dot:
                data[y * wb + x // 8] |= 0x80 >> (x % 8)
    return bytes((GS, 0x76, 0x30, 0, wb & 0xFF, wb >> 8, height & 0xFF, height >> 8)) + bytes(data)


# --- real-time status: DLE EOT n ----------------------------------------------------------------

class StatusQuery(IntEnum):
    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER = 4


def status_request(n: StatusQuery) -> bytes:
    return bytes((DLE, EOT, int(n)))


def is_status_byte(b: int) -> bool:
    """Every DLE EOT answer has the fixed pattern 0xx1xx10."""
    return (b & 0x93) == 0x12


@dataclass(frozen=True)
class StatusBits:
    """What one answer byte says; only the flags its query defines are ever set."""

    query: StatusQuery
    offline: bool = False
    drawer_high: bool = False
    cover_open: bool = False
    feed_button: bool = False
    paper_end: bool = False
    error: bool = False
    cutter_error: bool = False
    mechanical_error: bool = False
    unrecoverable: bool = False
    auto_recoverable: bool = False
    paper_near_end: bool = False


def decode_status_byte(query: StatusQuery, b: int) -> StatusBits:
    """Decode the answer to DLE EOT `query`, or ProtocolError PRINTER_BAD_STATUS for a byte that is not one."""
    if not 0 <= b <= 255 or not is_status_byte(b):
        raise ProtocolError("PRINTER_BAD_STATUS",
                            f"printer: answer 0x{b & 0xFF:02X} to DLE EOT {int(query)} is not a status byte "
                            "(garbage on the line: check the baud rate, the cable and the printer model)")
    q = StatusQuery(query)
    if q is StatusQuery.PRINTER:
        return StatusBits(q, offline=bool(b & 0x08), drawer_high=bool(b & 0x04))
    if q is StatusQuery.OFFLINE_CAUSE:
        return StatusBits(q, cover_open=bool(b & 0x04), feed_button=bool(b & 0x08),
                          paper_end=bool(b & 0x20), error=bool(b & 0x40))
    if q is StatusQuery.ERROR_CAUSE:
        return StatusBits(q, mechanical_error=bool(b & 0x04), cutter_error=bool(b & 0x08),
                          unrecoverable=bool(b & 0x20), auto_recoverable=bool(b & 0x40))
    return StatusBits(q, paper_near_end=bool(b & 0x0C), paper_end=bool(b & 0x60))


DRAWER_SENSORS = ("none", "high_open", "low_open")


def combine_status(parts: Sequence[StatusBits], drawer_sensor: str = "none") -> PrinterStatus:
    """One PrinterStatus from the answers to DLE EOT 1 (required) and any of 2, 3, 4.

    The drawer state is DLE EOT 1 bit 2 (connector pin 3), whose polarity depends on the drawer:
    `drawer_sensor` says which level means open, or "none" when the drawer has no switch."""
    def any_of(attr: str) -> bool:
        return any(getattr(p, attr) for p in parts)
    high = any_of("drawer_high")
    drawer = None if drawer_sensor == "none" else (high if drawer_sensor == "high_open" else not high)
    return PrinterStatus(online=not any_of("offline"), paper_end=any_of("paper_end"),
                         paper_near_end=any_of("paper_near_end"), cover_open=any_of("cover_open"),
                         cutter_error=any_of("cutter_error"),
                         unrecoverable=any_of("unrecoverable") or any_of("mechanical_error"),
                         drawer_open=drawer)


def status_byte(query: StatusQuery, s: PrinterStatus) -> int:
    """The byte a printer in state `s` answers to DLE EOT `query` (used by the virtual printer)."""
    b = 0x12
    q = StatusQuery(query)
    if q is StatusQuery.PRINTER:
        b |= (0x08 if not s.online else 0) | (0x04 if s.drawer_open else 0)
    elif q is StatusQuery.OFFLINE_CAUSE:
        b |= (0x04 if s.cover_open else 0) | (0x20 if s.paper_end else 0)
        b |= 0x40 if (s.cutter_error or s.unrecoverable) else 0
    elif q is StatusQuery.ERROR_CAUSE:
        b |= (0x08 if s.cutter_error else 0) | (0x20 if s.unrecoverable else 0)
    else:
        b |= (0x0C if s.paper_near_end or s.paper_end else 0) | (0x60 if s.paper_end else 0)
    return b
