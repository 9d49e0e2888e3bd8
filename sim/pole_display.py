"""A simulated 2x20 pole display on a pty: decodes the Epson or CD5220 command stream into the text it would show.

Follows the command tables of loyalty-courier-display.md §3.2 (POSX XP8200 "EPSON Command Mode",
Epson DM-D110, the CD5220 technical reference / user's manual), not our driver: every documented
command is parsed with its full length; what the display would ignore is ignored (the CD5220
string-mode lock after ESC Q A/B, which only CLR or CAN end); anything unknown is logged and
counted so a test can insist on none. `lines()` is the 2x20 text, `render_png()` a picture of it.
"""
from __future__ import annotations

import threading
from pathlib import Path

from hal.protocols.escpos_codepages import codec as escpos_codec
from hal.protocols.pole_display import COLS, ROWS, PoleProtocol
from sim.paper import RENDER_LOCK, mono_font
from sim.ptyport import PtyDevice

ESC, US, BS, HT, LF, HOM, CLR, CR, CAN = 0x1B, 0x1F, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x18
EPSON_TABLES = (0, 1, 2, 3, 4, 5, 16, 17, 18, 19)       # DM-D110 ESC t n range (254, 255: user pages)


class SimPoleDisplay(PtyDevice):
    """A VFD that speaks one command set (`protocol`), showing characters of `codec` until ESC t picks another."""

    name = "display"

    def __init__(self, protocol: str = "epson", link: str | None = None, *, codec: str = "cp866",
                 string_mode_lock: bool = True) -> None:
        super().__init__(link)
        self.protocol = PoleProtocol(protocol)
        self.default_codec = codec
        self.string_mode_lock = string_mode_lock
        self._lock = threading.Lock()
        self._buf = bytearray()
        self.raw = bytearray()
        self.unknown: list[bytes] = []
        self.ignored: list[bytes] = []          # commands swallowed by the CD5220 string-mode lock
        self.inits = 0
        self._reset()

    def _reset(self) -> None:
        self.cells = [[" "] * COLS for _ in range(ROWS)]
        self.x, self.y = 0, 0
        self.mode = "overwrite"
        self.brightness = 4
        self.cursor = True
        self.codec = self.default_codec
        self.table: int | None = None
        self.locked = False
        self.scroll = ""
        self.string_line: int | None = None
        self.blink = 0

    # --- inspection -------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        with self._lock:
            if self.scroll:
                top = (self.scroll + " " * COLS)[:COLS]
                return [top, "".join(self.cells[1])]
            return ["".join(r) for r in self.cells]

    def state(self) -> dict:
        with self._lock:
            return {"cursor": (min(self.x, COLS - 1) + 1, self.y + 1), "mode": self.mode, "brightness": self.brightness,
                    "cursor_on": self.cursor, "codec": self.codec, "table": self.table, "locked": self.locked,
                    "scroll": self.scroll, "inits": self.inits}

    def raw_log(self) -> bytes:
        with self._lock:
            return bytes(self.raw)

    def render_png(self, path: Path, cell: int = 24) -> Path:
        """The two lines as a VFD shows them: cyan-green characters on black, dimmer at lower brightness."""
        import pygame
        rows = self.lines()
        level = self.state()["brightness"]
        colour = tuple(int(c * (0.4 + 0.15 * level)) for c in (80, 255, 200))
        w, h = COLS * cell + 2 * cell, ROWS * int(cell * 1.6) + cell
        with RENDER_LOCK:
            font = mono_font()
            surf = pygame.Surface((w, h))
            surf.fill((8, 12, 10))
            for r, text in enumerate(rows):
                for c, ch in enumerate(text):
                    font.render_to(surf, (cell + c * cell, cell + r * int(cell * 1.6) + int(cell * 0.9)), ch, colour,
                                   size=cell / 0.6)
            pygame.image.save(surf, str(path))
        return Path(path)

    # --- the wire ---------------------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        self.feed(data)

    def feed(self, data: bytes) -> None:
        with self._lock:
            self.raw += data
            self._buf += data
            while self._buf:
                used = self._step(self._buf)
                if used is None:
                    break
                del self._buf[:used]

    def _step(self, b: bytearray) -> int | None:
        c = b[0]
        if self.string_line is not None:            # inside ESC Q A/B/D ... CR
            if c == CR:
                self.string_line = None
                return 1
            self._string_char(c)
            return 1
        if self.scroll and c != CR:
            self.scroll = ""                        # any command stops the scroll, clears the line, homes
            self.cells[0] = [" "] * COLS
            self.x = self.y = 0
        if c >= 0x20:
            if self.locked and self.string_mode_lock:
                self.ignored.append(bytes(b[:1]))
                return 1
            self._put(bytes([c]).decode(self.codec, errors="replace"))
            return 1
        if self.protocol is PoleProtocol.EPSON:
            return self._epson(b)
        return self._cd5220(b)

    # --- characters and cursor --------------------------------------------------------------------
    def _put(self, ch: str) -> None:
        if self.x >= COLS:                           # past the end of a line: wrap when the next character comes
            self.x = 0
            if self.y == 0:
                self.y = 1
            elif self.mode == "vscroll":
                self.cells = [self.cells[1], [" "] * COLS]
            else:
                self.y = 0                           # overwrite: from the lower right back to home
        self.cells[self.y][self.x] = ch
        self.x += 1

    def _string_char(self, c: int) -> None:
        line = self.string_line
        if line == 2:
            self.scroll += bytes([c]).decode(self.codec, errors="replace")
            return
        if self.x < COLS:
            self.cells[line][self.x] = bytes([c]).decode(self.codec, errors="replace")
            self.x += 1

    def _move(self, x: int, y: int) -> None:
        if 1 <= x <= COLS and 1 <= y <= ROWS:
            self.x, self.y = x - 1, y - 1

    def _control(self, c: int) -> bool:
        """The single-byte controls both sets share; False when `c` is none of them."""
        if c == BS:
            self.x = max(min(self.x, COLS) - 1, 0)
        elif c == HT:
            self.x = min(self.x + 1, COLS - 1)
        elif c == LF:
            if self.y == 0:
                self.y = 1
            elif self.mode == "vscroll":
                self.cells = [self.cells[1], [" "] * COLS]
        elif c == HOM:
            self.x = self.y = 0
        elif c == CR:
            self.x = 0
        elif c == CLR:
            self.cells = [[" "] * COLS for _ in range(ROWS)]
            self.x = self.y = 0
            self.locked = False
        elif c == CAN:
            self.cells[self.y] = [" "] * COLS
            self.x = 0
            self.locked = False
        else:
            return False
        return True

    def _unknown(self, data: bytes) -> int:
        self.unknown.append(data)
        return len(data)

    # --- Epson ESC/POS display set ----------------------------------------------------------------
    def _epson(self, b: bytearray) -> int | None:
        c = b[0]
        if self._control(c):
            return 1
        if c == US:
            if len(b) < 2:
                return None
            cmd = b[1]
            if cmd in (0x01, 0x02, 0x03):
                self.mode = {1: "overwrite", 2: "vscroll", 3: "hscroll"}[cmd]
                return 2
            if cmd == LF:
                self.y = 0
                return 2
            if cmd == CR:
                self.x = COLS - 1
                return 2
            if cmd == 0x42:
                self.x, self.y = 0, ROWS - 1
                return 2
            if cmd == 0x24:
                if len(b) < 4:
                    return None
                self._move(b[2], b[3])
                return 4
            if cmd in (0x43, 0x58, 0x45, 0x72, 0x2E, 0x2C, 0x3B):
                if len(b) < 3:
                    return None
                if cmd == 0x43:
                    self.cursor = bool(b[2] & 1)
                elif cmd == 0x58 and 1 <= b[2] <= 4:
                    self.brightness = b[2]
                elif cmd == 0x45:
                    self.blink = b[2]
                return 3
            if cmd == 0x23:
                return 4 if len(b) >= 4 else None
            return self._unknown(bytes(b[:2]))
        if c == ESC:
            return self._esc_common(b, tables=EPSON_TABLES)
        return self._unknown(bytes(b[:1]))

    def _esc_common(self, b: bytearray, tables: tuple[int, ...] | None) -> int | None:
        if len(b) < 2:
            return None
        cmd = b[1]
        if cmd == 0x40:
            self._reset()
            self.inits += 1
            return 2
        if cmd in (0x74, 0x52, 0x25, 0x3F, 0x3D, 0x66):
            if len(b) < 3:
                return None
            if cmd == 0x74:
                found = escpos_codec("default", b[2]) if tables is None or b[2] in tables else None
                if found is None:
                    return self._unknown(bytes(b[:3]))
                self.codec, self.table = found, b[2]
            return 3
        if cmd == 0x26:                              # ESC & s n m, then per character: a, then a x s bytes
            if len(b) < 5:
                return None
            s, n, m = b[2], b[3], b[4]
            i = 5
            for _ in range(max(m - n + 1, 0)):
                if len(b) <= i:
                    return None
                i += 1 + b[i] * max(s, 1)
            return i if len(b) >= i else None
        return self._unknown(bytes(b[:2]))

    # --- CD5220 set -------------------------------------------------------------------------------
    def _cd5220(self, b: bytearray) -> int | None:
        c = b[0]
        if self.locked and self.string_mode_lock and c not in (CLR, CAN):
            used = self._cd5220_length(b)
            if used is not None:
                self.ignored.append(bytes(b[:used]))
            return used
        if self._control(c):
            return 1
        if c != ESC:
            return self._unknown(bytes(b[:1]))
        if len(b) < 2:
            return None
        cmd = b[1]
        if cmd in (0x11, 0x12, 0x13):
            self.mode = {0x11: "overwrite", 0x12: "vscroll", 0x13: "hscroll"}[cmd]
            return 2
        if cmd == 0x6C:
            if len(b) < 4:
                return None
            self._move(b[2], b[3])
            return 4
        if cmd in (0x5F, 0x2A):
            if len(b) < 3:
                return None
            if cmd == 0x5F:
                self.cursor = bool(b[2] & 1)
            elif 1 <= b[2] <= 4:
                self.brightness = b[2]
            return 3
        if cmd == 0x51:
            if len(b) < 3:
                return None
            which = {0x41: 0, 0x42: 1, 0x44: 2}.get(b[2])
            if which is None:
                return self._unknown(bytes(b[:3]))
            if which == 2:
                self.scroll = ""
            else:
                self.cells[which] = [" "] * COLS
                self.x, self.y = 0, which
                self.locked = True
            self.string_line = which
            return 3
        if cmd == 0x5B:                              # ESC [ H / L / B / K ...
            if len(b) < 3:
                return None
            {0x48: lambda: self._control(HOM), 0x4C: lambda: self._control(CR),
             0x42: lambda: self._control(LF), 0x4B: lambda: self._move(1, 2)}.get(b[2], lambda: None)()
            return 3
        if cmd == 0x73:
            return 3 if len(b) >= 3 else None
        if cmd == 0x26 and len(b) >= 5 and b[2] == 0x01:   # ESC & 1 n m, then per character 05 + 5 bytes
            count = max(b[4] - b[3] + 1, 0)
            need = 5 + 6 * count
            return need if len(b) >= need else None
        return self._esc_common(b, tables=None)

    def _cd5220_length(self, b: bytearray) -> int | None:
        """How many bytes a command takes, to swallow it whole while the string mode is locked."""
        if b[0] != ESC:
            return 1
        if len(b) < 2:
            return None
        n = {0x6C: 4, 0x5F: 3, 0x2A: 3, 0x51: 3, 0x5B: 3, 0x73: 3, 0x74: 3, 0x66: 3, 0x25: 3, 0x3F: 3}.get(b[1], 2)
        return n if len(b) >= n else None
