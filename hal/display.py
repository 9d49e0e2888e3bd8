"""PoleDisplay: a serial 2x20 customer display (Epson or CD5220 command set) behind the CustomerDisplay interface.

What it shows (loyalty-courier-display.md §3.3.2, rule A-7): during a sale the last line's name
above and its amount right-aligned below; the total; at payment «К ОПЛАТЕ» and the amount due,
then the change; between customers the shop's text (scrolling on a CD5220 when longer than the
display). Labels come from the translation catalogue (`display.*`) in the display's language.
The init and code-table bytes go out on connect and again after every reconnect.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from fiscal.money import format_money
from hal.errors import DeviceError, DisplayError, TransportError
from hal.interfaces import DisplayLine
from hal.protocols import pole_display as pd
from hal.protocols.pole_display import COLS, CommandSet, PoleProtocol
from hal.transport import SerialParams, Transport, open_transport
from texts import LANGUAGES, t


def _hex(value: str) -> bytes:
    try:
        return bytes.fromhex(value.replace(",", " "))
    except ValueError:
        raise DisplayError("DISPLAY_BAD_CONFIG", f"pole display: code_table {value!r} is not hex bytes (e.g. '1B 74 11')",
                           "display") from None


class PoleDisplay:
    """A 2x20 VFD on a transport. `reopen` (optional) makes a fresh transport after the link drops."""

    def __init__(self, transport: Transport, protocol: str = "epson", *, codec: str = "cp866",
                 code_table: bytes | None = None, lang: str = "ru", brightness: int | None = None,
                 reopen: Callable[[], Transport] | None = None) -> None:
        try:
            self.cmds: CommandSet = pd.COMMAND_SETS[PoleProtocol(protocol)]
        except ValueError:
            raise DisplayError("DISPLAY_BAD_CONFIG", f"pole display: protocol {protocol!r} is not one of "
                               + ", ".join(p.value for p in PoleProtocol), "display") from None
        pd.encode_text("", codec)                      # refuses an unknown code page now, not at the first sale
        if lang not in LANGUAGES:
            raise DisplayError("DISPLAY_BAD_CONFIG", f"pole display: lang {lang!r} is not one of {', '.join(LANGUAGES)}",
                               "display")
        self.transport = transport
        self.codec = codec
        self.code_table = code_table
        self.lang = lang
        self.brightness = brightness
        self._reopen = reopen
        self._locked = False                           # CD5220 string mode after ESC Q D
        self.lines: tuple[str, str] = ("", "")
        self._send(self._connect_bytes(), connecting=True)

    def _connect_bytes(self) -> bytes:
        out = pd.init_sequence(self.cmds, self.code_table)
        if self.brightness is not None:
            out += self.cmds.brightness(self.brightness)
        return out

    def _send(self, data: bytes, *, connecting: bool = False) -> None:
        try:
            self.transport.write(data)
            return
        except TransportError as e:
            if self._reopen is None or connecting:
                raise DisplayError("DISPLAY_LINK_DOWN", f"pole display: {e.detail}", "display") from None
            first = e.detail
        try:
            self.transport.close()
        except Exception:  # noqa: BLE001 - the old link is gone either way
            pass
        try:
            self.transport = self._reopen()
            self._locked = False
            self.transport.write(self._connect_bytes() + data)
        except DeviceError as e:
            raise DisplayError("DISPLAY_LINK_DOWN", f"pole display: {first}; reconnect failed: {e.detail}", "display") from None

    def _unlock(self) -> bytes:
        if self._locked:
            self._locked = False
            return self.cmds.clear                     # CLR ends the CD5220 string mode
        return b""

    # --- CustomerDisplay --------------------------------------------------------------------------
    def show_text(self, upper: str, lower: str = "") -> None:
        self.lines = (pd.fit(upper), pd.fit(lower))
        self._send(self._unlock() + pd.frame(self.cmds, upper, lower, self.codec))

    def show_sale(self, lines: Sequence[DisplayLine], total: int) -> None:
        """The last line with its amount above, the receipt's total below (the customer sees both at once)."""
        if not lines:
            self.show_total(total)
            return
        last = lines[-1]
        self.show_text(pd.pair(last.name, format_money(last.amount)), pd.pair(t("display.total", self.lang),
                                                                             format_money(total)))

    def show_total(self, total: int) -> None:
        self.show_text(t("display.total", self.lang), pd.fit(format_money(total), COLS, "right"))

    def show_payment(self, due: int, paid: int = 0, change: int = 0, qr: str | None = None) -> None:
        """«К ОПЛАТЕ» and the amount due; once paid, «СДАЧА» and the change below. A pole shows no QR: while
        ОПЛАТИ waits it says where to pay instead."""
        upper = pd.pair(t("display.due", self.lang), format_money(due))
        if qr:
            lower = pd.fit(t("display.oplati", self.lang), COLS, "center")
        else:
            lower = pd.pair(t("display.change", self.lang), format_money(change)) if paid or change else ""
        self.show_text(upper, lower)

    def show_idle(self, text: str = "") -> None:
        """The shop's text: centred on one line, split over two, or scrolling on a CD5220 when longer."""
        text = " ".join((text or t("display.welcome", self.lang)).split())
        if len(text) <= COLS:
            self.show_text(pd.fit(text, COLS, "center"))
            return
        if len(text) > 2 * COLS and self.cmds.scroll is not None:
            self.lines = (pd.fit(text), "")
            self._send(self._unlock() + self.cmds.clear + self.cmds.scroll(pd.encode_text(text, self.codec)))
            self._locked = self.cmds.locks_after_string
            return
        cut = text.rfind(" ", 0, COLS + 1)
        cut = cut if cut > 0 else COLS
        self.show_text(text[:cut], text[cut:].strip())

    def clear(self) -> None:
        self.lines = ("", "")
        self._locked = False
        self._send(self.cmds.clear)

    def set_brightness(self, level: int) -> None:
        data = self.cmds.brightness(level)              # DISPLAY_BAD_CONFIG outside 1..4
        self.brightness = level
        self._send(self._unlock() + data)

    def close(self) -> None:
        self.transport.close()


DEFAULT_SERIAL = SerialParams(9600, 8, "N", 1)     # both command sets' factory setting (CD5220 manual, XP8200)


def open_display(url: str, protocol: str = "epson", *, serial: SerialParams | None = None, codec: str = "cp866",
                 code_table: bytes | None = None, lang: str = "ru", brightness: int | None = None) -> PoleDisplay:
    """A pole display on `url`; DisplayError DISPLAY_NOT_CONNECTED when the port cannot be opened."""
    params = serial or DEFAULT_SERIAL

    def connect() -> Transport:
        try:
            return open_transport(url, params)
        except DeviceError as e:
            raise DisplayError("DISPLAY_NOT_CONNECTED", f"pole display: {e.detail}", "display") from None
    transport = connect()
    try:
        return PoleDisplay(transport, protocol, codec=codec, code_table=code_table, lang=lang, brightness=brightness,
                           reopen=connect)
    except DeviceError:
        transport.close()
        raise


def display_from_config(section: Mapping[str, object]) -> PoleDisplay:
    """The display of a `[devices.display]` section: url, protocol, codec, code_table (hex), lang, brightness
    and the serial line keys."""
    if not section.get("url"):
        raise DisplayError("DISPLAY_BAD_CONFIG", "pole display: [devices.display] needs url", "display")
    try:
        serial = SerialParams.from_section(section, DEFAULT_SERIAL)
    except DeviceError as e:
        raise DisplayError("DISPLAY_BAD_CONFIG", f"pole display: {e.detail}", "display") from None
    table = section.get("code_table")
    brightness = section.get("brightness")
    try:
        level = int(brightness) if brightness is not None else None        # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DisplayError("DISPLAY_BAD_CONFIG", f"pole display: brightness {brightness!r} is not 1..4", "display") from None
    return open_display(str(section["url"]), str(section.get("protocol", "epson")), serial=serial,
                        codec=str(section.get("codec", "cp866")),
                        code_table=_hex(str(table)) if table is not None else None,
                        lang=str(section.get("lang", "ru")), brightness=level)
