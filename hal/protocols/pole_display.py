"""Serial 2x20 pole displays (VFD): the Epson ESC/POS customer-display and the CD5220 command sets, as data.

Sources (loyalty-courier-display.md §3.2):
* Epson mode: POSX XP8200 manual §4.1.2 "EPSON Command Mode" (easymanua.ls/posx/xp8200/manual?p=12)
  and the Epson DM-D110 specification (ESC @, ESC t n with n = 0-5, 16-19, 254, 255): US $ x y
  moves the cursor (1 <= x <= 20, 1 <= y <= 2), US MD1 overwrite mode, US C n cursor, US X n
  brightness 1-4, CLR 0C, CAN 18, ESC t n code table.
* CD5220 (Partner Tech; "CD5220 technical reference", citing the CD5220 user's manual, and LCDproc
  server/drivers/serialPOS_cd5220.c): ESC @, ESC DC1 overwrite mode, ESC l x y cursor, ESC _ n
  cursor, ESC * n brightness 1-4, ESC Q A/B/D ... CR line and scroll strings. After ESC Q A/B the
  display ignores most commands until CLR or CAN; ESC Q D scrolls until any other command.
* Cyrillic: ESC/POS table 17 is PC866 (DM-D110 accepts it; check the self-test page). CP866 has
  Ё ё Ў ў № but no Belarusian І/і: they go out as Latin I/i, which look the same on a 5x7 matrix.
  The CD5220 set has no code-table command; Russian-market clones ship with PC866 as their table,
  and a clone-specific init string can be configured.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hal.errors import DisplayError

COLS, ROWS = 20, 2
SCROLL_MAX = 40                 # CD5220 ESC Q D takes up to 40 characters
ESC, US, CLR, CAN, CR = 0x1B, 0x1F, 0x0C, 0x18, 0x0D

# Characters a code table lacks, mapped to look-alikes before the codec turns the rest into "?".
FALLBACK = {
    "cp866": str.maketrans({"І": "I", "і": "i", "«": '"', "»": '"', "—": "-", "–": "-", "„": '"', "“": '"',
                            "”": '"', "‘": "'", "’": "'", "×": "x", "€": "E"}),
    "cp1251": str.maketrans({"“": '"', "”": '"', "×": "x"}),
    "cp437": str.maketrans({"«": '"', "»": '"', "—": "-", "–": "-", "×": "x"}),
}
CODECS = tuple(FALLBACK)


class PoleProtocol(StrEnum):
    EPSON = "epson"
    CD5220 = "cd5220"


def _u(name: str, n: int, lo: int, hi: int) -> int:
    if not lo <= n <= hi:
        raise DisplayError("DISPLAY_BAD_CONFIG", f"pole display: {name} {n} is outside {lo}..{hi}", "display")
    return n


@dataclass(frozen=True)
class CommandSet:
    """The bytes one command set uses for what the driver needs."""

    protocol: PoleProtocol
    init: bytes
    overwrite_mode: bytes
    cursor_off: bytes
    clear: bytes
    clear_line: bytes
    code_table: bytes                        # the default table selection (b"" where the set has none)
    move: Callable[[int, int], bytes]        # column 1..20, row 1..2
    brightness: Callable[[int], bytes]       # level 1..4
    scroll: Callable[[bytes], bytes] | None  # a continuously scrolling upper line, where the set has one
    locks_after_string: bool                 # ESC Q A/B/D leave a string mode that only CLR/CAN ends


EPSON = CommandSet(
    PoleProtocol.EPSON,
    init=bytes((ESC, 0x40)),
    overwrite_mode=bytes((US, 0x01)),
    cursor_off=bytes((US, 0x43, 0)),
    clear=bytes((CLR,)),
    clear_line=bytes((CAN,)),
    code_table=bytes((ESC, 0x74, 17)),       # PC866
    move=lambda x, y: bytes((US, 0x24, _u("column", x, 1, COLS), _u("row", y, 1, ROWS))),
    brightness=lambda n: bytes((US, 0x58, _u("brightness", n, 1, 4))),
    scroll=None,
    locks_after_string=False,
)

CD5220 = CommandSet(
    PoleProtocol.CD5220,
    init=bytes((ESC, 0x40)),
    overwrite_mode=bytes((ESC, 0x11)),
    cursor_off=bytes((ESC, 0x5F, 0)),
    clear=bytes((CLR,)),
    clear_line=bytes((CAN,)),
    code_table=b"",
    move=lambda x, y: bytes((ESC, 0x6C, _u("column", x, 1, COLS), _u("row", y, 1, ROWS))),
    brightness=lambda n: bytes((ESC, 0x2A, _u("brightness", n, 1, 4))),
    scroll=lambda text: bytes((ESC, 0x51, 0x44)) + text[:SCROLL_MAX] + bytes((CR,)),
    locks_after_string=True,
)

COMMAND_SETS = {PoleProtocol.EPSON: EPSON, PoleProtocol.CD5220: CD5220}


def encode_text(text: str, codec: str = "cp866") -> bytes:
    """Text for the display's table: NFC, look-alikes for what the table lacks (І->I, і->i in CP866),
    control characters as spaces, anything else missing as '?'. Never raw UTF-8."""
    if codec not in FALLBACK:
        raise DisplayError("DISPLAY_BAD_CONFIG", f"pole display: code page {codec!r} is not one of {', '.join(CODECS)}",
                           "display")
    clean = unicodedata.normalize("NFC", text).translate(FALLBACK[codec])
    clean = "".join(ch if ch >= " " else " " for ch in clean)
    return clean.encode(codec, errors="replace")


def fit(text: str, width: int = COLS, align: str = "left") -> str:
    """Cut or pad `text` to exactly `width` characters."""
    text = text[:width]
    return text.rjust(width) if align == "right" else text.center(width) if align == "center" else text.ljust(width)


def pair(label: str, value: str, width: int = COLS) -> str:
    """Label on the left, value on the right of one line; the value wins when both do not fit."""
    room = width - len(value) - 1
    return (label[:room] if room > 0 else "").ljust(width - len(value)) + value[-width:]


def frame(cmds: CommandSet, upper: str, lower: str, codec: str = "cp866") -> bytes:
    """Both lines, each written whole at its own start: nothing depends on where the cursor was."""
    return (cmds.move(1, 1) + encode_text(fit(upper), codec)
            + cmds.move(1, 2) + encode_text(fit(lower), codec))


def init_sequence(cmds: CommandSet, code_table: bytes | None = None) -> bytes:
    """Sent on connect and after every reconnect: initialise, code table, overwrite mode, cursor off."""
    table = cmds.code_table if code_table is None else code_table
    return cmds.init + table + cmds.overwrite_mode + cmds.cursor_off
