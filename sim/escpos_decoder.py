"""An incremental ESC/POS stream decoder for the virtual printer: bytes in, typed events out, never raises."""
from __future__ import annotations

from dataclasses import dataclass

from hal.protocols.escpos import DLE, ESC, FS, GS

MAX_BLOCK = 1 << 21     # a raster / GS ( k block claiming more than 2 MB is garbage, not a picture


@dataclass(frozen=True)
class Text:
    data: bytes          # printable bytes in the current code page, decoded by the printer state


@dataclass(frozen=True)
class LineFeed:
    lines: int = 1


@dataclass(frozen=True)
class Init:
    pass


@dataclass(frozen=True)
class Kanji:
    on: bool


@dataclass(frozen=True)
class CodeTable:
    slot: int


@dataclass(frozen=True)
class PrintMode:
    n: int               # ESC ! bits: 0x01 font B, 0x08 bold, 0x10 double height, 0x20 double width, 0x80 underline


@dataclass(frozen=True)
class Bold:
    on: bool


@dataclass(frozen=True)
class Underline:
    on: bool


@dataclass(frozen=True)
class CharSize:
    width: int
    height: int


@dataclass(frozen=True)
class Alignment:
    code: int            # 0 left, 1 centre, 2 right


@dataclass(frozen=True)
class QrCommand:
    fn: int              # 65 model, 67 module size, 69 error correction, 80 store, 81 print
    data: bytes


@dataclass(frozen=True)
class BarcodeSetting:
    what: str            # "height", "module", "hri", "hri_font"
    value: int


@dataclass(frozen=True)
class Barcode:
    kind: int            # GS k m
    data: bytes


@dataclass(frozen=True)
class Raster:
    width_bytes: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Cut:
    partial: bool
    feed: int = 0


@dataclass(frozen=True)
class DrawerKick:
    pin: int
    on_ms: int
    off_ms: int


@dataclass(frozen=True)
class StatusRequest:
    n: int               # DLE EOT n (real-time)


@dataclass(frozen=True)
class RealtimeRequest:
    n: int               # DLE ENQ n (real-time): 1 recover and resume, 2 clear the buffers and recover


@dataclass(frozen=True)
class BufferClear:
    pass                 # DLE DC4 fn=8 (real-time): clear the receive and print buffers, answer 37 25 00


@dataclass(frozen=True)
class RealtimePulse:
    pin: int             # DLE DC4 fn=1 m t (real-time): drawer pulse of t x 100 ms
    on_ms: int


@dataclass(frozen=True)
class TransmitStatus:
    n: int               # GS r n (buffered): 1 paper sensor, 2 drawer connector


REALTIME = (StatusRequest, RealtimeRequest, BufferClear, RealtimePulse)


@dataclass(frozen=True)
class Unknown:
    data: bytes


Event = (Text | LineFeed | Init | Kanji | CodeTable | PrintMode | Bold | Underline | CharSize | Alignment
         | QrCommand | BarcodeSetting | Barcode | Raster | Cut | DrawerKick | StatusRequest | RealtimeRequest
         | BufferClear | RealtimePulse | TransmitStatus | Unknown)
_CLEAR_TAIL = bytes((1, 3, 20, 1, 6, 2, 8))      # DLE DC4 8's fixed parameters

# ESC x n commands with one parameter byte, and what they become.
_ESC_1 = {0x21: lambda n: PrintMode(n), 0x45: lambda n: Bold(bool(n & 1)), 0x47: lambda n: Bold(bool(n & 1)),
          0x2D: lambda n: Underline(bool(n & 3)), 0x61: lambda n: Alignment(n % 48 if n >= 48 else n),
          0x74: lambda n: CodeTable(n), 0x64: lambda n: LineFeed(n), 0x4D: None, 0x4A: None, 0x33: None,
          0x20: None, 0x52: None, 0x7B: None, 0x56: None, 0x63: None}
_GS_SETTINGS = {0x68: "height", 0x77: "module", 0x48: "hri", 0x66: "hri_font"}
_GS_1 = {0x42, 0x62, 0x61, 0x49}                  # GS B/b/a/I n: accepted, no effect here
_GS_2 = {0x4C, 0x57}                              # GS L / GS W nL nH


class EscPosDecoder:
    """Feed bytes in any chunks; `feed` returns the complete commands so far and keeps the rest."""

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        events: list[Event] = []
        while self._buf:
            step = self._one(self._buf)
            if step is None:
                break
            used, ev = step
            del self._buf[:used]
            if ev is not None:
                events.append(ev)
        return events

    def _one(self, b: bytearray) -> tuple[int, Event | None] | None:
        """(bytes used, event) for the command at the start of `b`, or None when it is not complete yet."""
        c = b[0]
        if c == 0x0A:
            return 1, LineFeed(1)
        if c >= 0x20 or c == 0x09:
            end = 1
            while end < len(b) and (b[end] >= 0x20 or b[end] == 0x09):
                end += 1
            return end, Text(bytes(b[:end]).replace(b"\t", b" "))
        if c == ESC:
            return self._esc(b)
        if c == GS:
            return self._gs(b)
        if c == FS:
            if len(b) < 2:
                return None
            if b[1] == 0x2E:
                return 2, Kanji(False)
            if b[1] == 0x26:
                return 2, Kanji(True)
            return 2, Unknown(bytes(b[:2]))
        if c == DLE:
            return self._dle(b)
        return 1, None if c == 0x0D else Unknown(bytes(b[:1]))

    @staticmethod
    def _dle(b: bytearray) -> tuple[int, Event | None] | None:
        """Real-time commands. The decoder finds them at command boundaries only; a printer also acts
        on them inside other data (its manuals warn about bit images), which the driver never sends."""
        if len(b) < 3:
            return None
        if b[1] == 0x04:
            return 3, StatusRequest(b[2])
        if b[1] == 0x05:
            return 3, RealtimeRequest(b[2])
        if b[1] == 0x14 and b[2] == 0x01:
            if len(b) < 5:
                return None
            return 5, RealtimePulse(5 if b[3] & 1 else 2, b[4] * 100)
        if b[1] == 0x14 and b[2] == 0x08:
            if len(b) < 10:
                return None
            return 10, (BufferClear() if bytes(b[3:10]) == _CLEAR_TAIL else Unknown(bytes(b[:10])))
        return 3, Unknown(bytes(b[:3]))

    def _esc(self, b: bytearray) -> tuple[int, Event | None] | None:
        if len(b) < 2:
            return None
        cmd = b[1]
        if cmd == 0x40:
            return 2, Init()
        if cmd == 0x70:
            if len(b) < 5:
                return None
            return 5, DrawerKick(5 if b[2] & 1 else 2, b[3] * 2, b[4] * 2)
        if cmd in _ESC_1:
            if len(b) < 3:
                return None
            make = _ESC_1[cmd]
            return 3, (make(b[2]) if make else None)
        if cmd in (0x32, 0x69, 0x6D):            # ESC 2 (line spacing), ESC i / ESC m (old cut)
            return 2, (Cut(True) if cmd != 0x32 else None)
        return 2, Unknown(bytes(b[:2]))

    def _gs(self, b: bytearray) -> tuple[int, Event | None] | None:
        if len(b) < 2:
            return None
        cmd = b[1]
        if cmd == 0x21:
            if len(b) < 3:
                return None
            return 3, CharSize((b[2] >> 4 & 7) + 1, (b[2] & 7) + 1)
        if cmd in _GS_SETTINGS:
            if len(b) < 3:
                return None
            return 3, BarcodeSetting(_GS_SETTINGS[cmd], b[2])
        if cmd == 0x72:
            return (3, TransmitStatus(b[2])) if len(b) >= 3 else None
        if cmd in _GS_1:
            return (3, None) if len(b) >= 3 else None
        if cmd in _GS_2:
            return (4, None) if len(b) >= 4 else None
        if cmd == 0x56:
            if len(b) < 3:
                return None
            m = b[2]
            if m in (0x41, 0x42, 0x61, 0x62, 0x67, 0x68):
                if len(b) < 4:
                    return None
                return 4, Cut(partial=m in (0x42, 0x62, 0x68), feed=b[3])
            return 3, Cut(partial=m in (0x01, 0x31))
        if cmd == 0x6B:
            return self._barcode(b)
        if cmd == 0x28:
            if len(b) < 5:
                return None
            n = b[3] | b[4] << 8
            if n > MAX_BLOCK:
                return 5, Unknown(bytes(b[:5]))
            if len(b) < 5 + n:
                return None
            if b[2] == 0x6B and n >= 2 and b[5] == 0x31:
                return 5 + n, QrCommand(b[6], bytes(b[7:5 + n]))
            return 5 + n, Unknown(bytes(b[:5 + n]))
        if cmd == 0x76:
            if len(b) < 8:
                return None
            if b[2] != 0x30:
                return 3, Unknown(bytes(b[:3]))
            wb, h = b[4] | b[5] << 8, b[6] | b[7] << 8
            if wb == 0 or h == 0 or wb * h > MAX_BLOCK or wb > 256:
                return 8, Unknown(bytes(b[:8]))
            if len(b) < 8 + wb * h:
                return None
            return 8 + wb * h, Raster(wb, h, bytes(b[8:8 + wb * h]))
        return 2, Unknown(bytes(b[:2]))

    @staticmethod
    def _barcode(b: bytearray) -> tuple[int, Event | None] | None:
        if len(b) < 3:
            return None
        m = b[2]
        if m <= 6:                                # function A: NUL-terminated
            end = b.find(0, 3)
            if end < 0:
                return (3, Unknown(bytes(b[:3]))) if len(b) > 3 + 255 else None
            return end + 1, Barcode(m, bytes(b[3:end]))
        if len(b) < 4:
            return None
        n = b[3]
        if len(b) < 4 + n:
            return None
        return 4 + n, Barcode(m, bytes(b[4:4 + n]))
