"""The configuration file (TOML) as typed sections: defaults per key, ranges, unknown keys refused, one line per problem.

Each section is a frozen dataclass built by a reader that asks for every key with its type and
range (zpos.config_fields); a key nobody asked for is a typo. A file (`load_config`) and a mapping
such as the simulator hub's device configuration (`from_mapping`) go through the same checks.
The reference of every key is docs/config.md.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zpos.config_fields import BAUD_RATES, ConfigError, Section, render_value

__all__ = ["ConfigError", "Config", "DevicesConfig", "SerialSettings", "SkoConfig", "PrinterConfig", "ScaleConfig",
           "ScannerConfig", "TerminalConfig", "OplatiConfig", "DisplayConfig", "BackupConfig",
           "load_config", "from_mapping", "parse_config", "data_dir", "cli_config", "GENERIC_PRINTER"]

MAX_FILE_BYTES = 1_000_000
MAX_TERMINALS = 8
GENERIC_PRINTER = "generic-80"         # the profile used when [devices.printer] names no model
SCALE_PROTOCOLS = ("cas", "massak", "mt8217")
# The line each scale protocol's documents give: Mettler Toledo 8217 is 7E1, Massa-K Protocol 100 57600 8N1.
SCALE_SERIAL = {"cas": (9600, 8, "N"), "massak": (57600, 8, "N"), "mt8217": (9600, 7, "E")}
DISPLAY_KINDS = ("pole", "screen")
POLE_PROTOCOLS = ("epson", "cd5220")


def printer_models() -> tuple[str, ...]:
    """The models the printer driver ships profiles for, plus the generic default."""
    from hal.printer_profiles import PROFILES
    return tuple(dict.fromkeys([GENERIC_PRINTER, *sorted(PROFILES)]))


@dataclass(frozen=True)
class SerialSettings:
    """The line of a serial device; ignored by a pty, a TCP or USB transport."""
    baud: int = 9600
    bytesize: int = 8
    parity: str = "N"          # N | E | O | M | S (pyserial)
    stopbits: float = 1


@dataclass(frozen=True)
class SkoConfig:
    address: str = "127.0.0.1:1829"
    timeout: float = 5.0
    token: str | None = None           # the SKO serial; None: the one the service lists (getTokens)
    printer_addr: str = "dummy"        # the service's printer for `printerAddr`: the register prints itself
    byte_order: str = "big"            # of the frame length (IKAPI does not say; docs/sko-protocol.md)
    data_as: str = "object"            # "string": `data` as a JSON-encoded string (IKAPI types it "$string")


@dataclass(frozen=True)
class PrinterConfig:
    url: str = "file:///dev/usb/lp0"
    model: str | None = None   # None: a generic 80 mm ESC/POS printer
    drawer_pin: int = 2        # ESC p m: connector pin 2 or 5
    drawer_on_ms: int = 100
    drawer_off_ms: int = 200
    drawer_sensor: str = "none"     # none | high_open | low_open: how the drawer's switch reads when open
    drawer_realtime: bool = False   # kick with DLE DC4 fn=1 (works while a job is held) instead of ESC p
    serial: SerialSettings = field(default_factory=SerialSettings)

    @property
    def profile(self) -> str:
        return self.model or GENERIC_PRINTER


@dataclass(frozen=True)
class ScaleConfig:
    url: str
    protocol: str = "cas"
    request: str | None = None      # CAS: dc1 (weight) | dc2 (weight and prices)
    crc: str | None = None          # Massa-K: vendor | ccitt-0000 | ccitt-ffff | auto
    serial: SerialSettings = field(default_factory=SerialSettings)


@dataclass(frozen=True)
class ScannerConfig:
    url: str
    mode: str = "serial"       # serial (USB-COM/CDC) | hid (keyboard wedge read through evdev)
    serial: SerialSettings = field(default_factory=SerialSettings)


@dataclass(frozen=True)
class TerminalConfig:
    name: str
    url: str
    ack_timeout: float = 1.0
    op_timeout: float = 120.0
    test_timeout: float = 10.0
    serial: SerialSettings = field(default_factory=lambda: SerialSettings(baud=115200))


@dataclass(frozen=True)
class OplatiConfig:
    url: str
    reg_num: str
    password: str
    timeout: float = 5.0
    poll_interval: float = 2.5     # how often a waiting payment is asked about (the published clients poll ~3 s)


@dataclass(frozen=True)
class DisplayConfig:
    kind: str = "pole"         # pole (a 2×20 serial customer display) | screen (a second monitor)
    url: str | None = None     # the pole display's port
    protocol: str = "epson"    # the pole display's command set: epson | cd5220
    screen: int = 1            # the second monitor's SDL display index
    codec: str = "cp866"       # the pole display's character table
    code_table: str | None = None   # hex bytes that select the table (ESC t n); None: the command set's default
    lang: str = "ru"           # the language of its fixed labels («Итого», «Сдача»)
    brightness: int | None = None
    serial: SerialSettings = field(default_factory=SerialSettings)


@dataclass(frozen=True)
class DevicesConfig:
    sko: SkoConfig = field(default_factory=SkoConfig)
    printer: PrinterConfig | None = field(default_factory=PrinterConfig)
    scale: ScaleConfig | None = None
    scanner: ScannerConfig | None = None
    terminals: tuple[TerminalConfig, ...] = ()
    oplati: OplatiConfig | None = None
    display: DisplayConfig | None = None

    def longest_blocking_call(self) -> float:
        """Seconds the UI may wait inside one device call: the watchdog must allow more than this."""
        waits = [self.sko.timeout] + [t.op_timeout for t in self.terminals]
        if self.oplati is not None:
            waits.append(self.oplati.timeout)
        return max(waits)


@dataclass(frozen=True)
class BackupConfig:
    target: str = ""           # "" (none) | a directory | ftp://user:password@host:port/dir


@dataclass(frozen=True)
class Config:
    source: str = "built-in defaults"
    data_dir: Path | None = None
    backup: BackupConfig = field(default_factory=BackupConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)


# ----- reading the sections -----------------------------------------------------------------------
def _serial(sec: Section, baud: int = 9600, bytesize: int = 8, parity: str = "N") -> SerialSettings:
    return SerialSettings(
        baud=sec.choice("baud", baud, BAUD_RATES, "a baud rate"),
        bytesize=sec.choice("bytesize", bytesize, (5, 6, 7, 8), "data bits"),
        parity=sec.choice("parity", parity, ("N", "E", "O", "M", "S"), "parity"),
        stopbits=float(sec.choice("stopbits", 1, (1, 1.5, 2), "stop bits")))


def _sko(sec: Section) -> SkoConfig:
    return SkoConfig(address=sec.address("address", SkoConfig.address),
                     timeout=sec.number("timeout", SkoConfig.timeout, 0.1, 60),
                     token=sec.text("token", None, what="the SKO serial, such as AVQ11169990670", max_len=40),
                     printer_addr=sec.text("printer_addr", SkoConfig.printer_addr, max_len=200),
                     byte_order=sec.choice("byte_order", SkoConfig.byte_order, ("big", "little")),
                     data_as=sec.choice("data_as", SkoConfig.data_as, ("object", "string")))


def _printer(sec: Section) -> PrinterConfig:
    model = sec.choice("model", None, printer_models(), "a printer model")
    return PrinterConfig(url=sec.device("url", PrinterConfig.url), model=model,
                         drawer_pin=sec.choice("drawer_pin", 2, (2, 5), "the drawer connector pin"),
                         drawer_on_ms=sec.integer("drawer_on_ms", 100, 2, 510, "a pulse in milliseconds"),
                         drawer_off_ms=sec.integer("drawer_off_ms", 200, 2, 510, "a pause in milliseconds"),
                         drawer_sensor=sec.choice("drawer_sensor", "none", ("none", "high_open", "low_open"),
                                                  "how the drawer's switch reads"),
                         drawer_realtime=sec.flag("drawer_realtime", False),
                         serial=_serial(sec))


def _scale(sec: Section) -> ScaleConfig:
    protocol = sec.choice("protocol", "cas", SCALE_PROTOCOLS, "a scale protocol")
    url = sec.device("url")
    request = sec.choice("request", None, ("dc1", "dc2"), "a CAS request") if protocol == "cas" else None
    crc = sec.choice("crc", None, ("vendor", "ccitt-0000", "ccitt-ffff", "auto"), "a Massa-K CRC") \
        if protocol == "massak" else None
    return ScaleConfig(url=url, protocol=protocol, request=request, crc=crc,
                       serial=_serial(sec, *SCALE_SERIAL[protocol]))


def _scanner(sec: Section) -> ScannerConfig:
    mode = sec.choice("mode", "serial", ("serial", "hid"), "a scanner mode")
    url = sec.device("url") if mode == "serial" else sec.text("url", None, required=True, max_len=300,
                                                                what="the scanner's event device such as /dev/zpos-scanner")
    return ScannerConfig(url=url, mode=mode, serial=_serial(sec))


def _terminals(devices: Section) -> tuple[TerminalConfig, ...]:
    rows = devices.tables("terminals", MAX_TERMINALS, "an array of tables [[devices.terminals]] with name and url")
    out: list[TerminalConfig] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        sec = Section(devices.source, f"devices.terminals #{i}", row)
        name = sec.text("name", None, required=True, max_len=40, what="the terminal's name shown to the cashier "
                        "(one line, up to 40 characters)")
        if name.casefold() in seen:
            raise sec.error("name", name, f"a name no other terminal has (terminal #{seen[name.casefold()]} has it)")
        seen[name.casefold()] = i
        out.append(TerminalConfig(name=name, url=sec.device("url"),
                                  ack_timeout=sec.number("ack_timeout", 1.0, 0.1, 60),
                                  op_timeout=sec.number("op_timeout", 120.0, 1, 600),
                                  test_timeout=sec.number("test_timeout", 10.0, 0.1, 120),
                                  serial=_serial(sec, baud=115200)))
        sec.finish()
    return tuple(out)


def _oplati(sec: Section) -> OplatiConfig:
    return OplatiConfig(url=sec.http_url("url"),
                        reg_num=sec.text("reg_num", None, required=True, max_len=64),
                        password=sec.text("password", None, required=True, max_len=200),
                        timeout=sec.number("timeout", 5.0, 0.1, 60),
                        poll_interval=sec.number("poll_interval", 2.5, 0.01, 30))


def _display(sec: Section) -> DisplayConfig:
    kind = sec.choice("kind", "pole", DISPLAY_KINDS, "a customer display kind")
    url = sec.device("url") if kind == "pole" else sec.device("url", required=False)
    table = sec.text("code_table", None, max_len=40, what="hex bytes such as 1B 74 11")
    if table is not None and not all(len(b) == 2 and all(c in "0123456789abcdefABCDEF" for c in b) for b in table.split()):
        raise sec.error("code_table", table, "hex bytes such as 1B 74 11")
    return DisplayConfig(kind=kind, url=url, protocol=sec.choice("protocol", "epson", POLE_PROTOCOLS, "a command set"),
                         screen=sec.integer("screen", 1, 0, 7, "a display index"),
                         codec=sec.choice("codec", "cp866", ("cp866", "cp1251", "cp437"), "a character table"),
                         code_table=table, lang=sec.choice("lang", "ru", ("ru", "be", "en"), "a language"),
                         brightness=sec.integer("brightness", None, 1, 4, "a brightness 1…4"),
                         serial=_serial(sec))


def _backup(sec: Section) -> BackupConfig:
    want = "a directory (a USB stick's mount point) or ftp://user:password@host:port/dir"
    target = sec.text("target", "", what=want, max_len=500, allow_empty=True)
    if target:
        from storage.errors import StorageError
        from storage.targets import parse_target
        try:
            parse_target(target)
        except StorageError:
            raise sec.error("target", target, want) from None
        if "://" not in target and not target.startswith("/"):
            raise sec.error("target", target, want.replace("a directory", "an absolute directory"))
    return BackupConfig(target=target)


_DEVICE_READERS = {"sko": _sko, "printer": _printer, "scale": _scale, "scanner": _scanner, "oplati": _oplati,
                   "display": _display}
_SECTIONS = ("data", "backup", "devices")


def from_mapping(mapping: Mapping, source: str = "configuration") -> Config:
    """A Config from a parsed document (or any mapping of the same shape), checked key by key."""
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"{source}: {render_value(mapping)}: expected a table of sections {', '.join(_SECTIONS)}")
    root = Section(source, "", mapping, known=_SECTIONS)
    data = root.child("data", always=True)
    folder = data.text("dir", "", max_len=500, allow_empty=True, what="a directory path")
    data.finish()
    backup = root.child("backup", always=True)
    backup_cfg = _backup(backup)
    backup.finish()
    devices = _devices(root.child("devices", always=True))
    root.finish()
    return Config(source=source, data_dir=Path(folder) if folder else None, backup=backup_cfg, devices=devices)


def devices_from_mapping(table: Mapping, source: str = "device configuration") -> DevicesConfig:
    """The [devices] section alone (the shape `sim.hub.SimHub.device_config()` hands out)."""
    root = Section(source, "", {"devices": table})
    return _devices(root.child("devices", always=True))


def _devices(devices: Section) -> DevicesConfig:
    made: dict[str, object] = {}
    for name, reader in _DEVICE_READERS.items():
        sec = devices.child(name, always=name in ("sko", "printer"))
        if sec is not None:
            made[name] = reader(sec)
            sec.finish()
    terminals = _terminals(devices)
    devices.finish()
    return DevicesConfig(terminals=terminals, **made)  # type: ignore[arg-type]


def parse_config(raw: bytes, source: str) -> Config:
    """A Config from the bytes of a TOML file; every problem is one ConfigError line starting with `source`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{source}: not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); "
                          "save the file as UTF-8") from None
    try:
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{source}: not valid TOML: {str(e).splitlines()[0] if str(e) else 'parse error'}") from None
    except RecursionError:
        raise ConfigError(f"{source}: not a configuration: arrays or tables nested too deeply") from None
    except ValueError:
        # tomllib turns digits into int(); past Python's 4300-digit limit that is a ValueError.
        raise ConfigError(f"{source}: not a configuration: a number with too many digits") from None
    return from_mapping(doc, source)


def load_config(path: Path | str | None) -> Config:
    """The configuration of the file (built-in defaults when `path` is None)."""
    if path is None:
        return Config()
    source = str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"{source}: cannot read: {e.strerror or e}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"{source}: larger than {MAX_FILE_BYTES // 1000} kB: not a configuration file")
    return parse_config(raw, source)


def data_dir(cli_value: Path | None, cfg: Config) -> Path:
    """--data, else the config, else $ZPOS_DATA, else the user's data directory."""
    if cli_value:
        return Path(cli_value)
    if cfg.data_dir is not None:
        return cfg.data_dir
    if os.environ.get("ZPOS_DATA"):
        return Path(os.environ["ZPOS_DATA"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zpos"


def cli_config(config: Path | None, data: Path | None) -> tuple[Config, Path]:
    """(configuration, data directory) for a command: --config, else $ZPOS_CONFIG; a bad file is one CliError line (exit 2)."""
    from zpos.errors import CliError
    path = config or (Path(os.environ["ZPOS_CONFIG"]) if os.environ.get("ZPOS_CONFIG") else None)
    try:
        cfg = load_config(path)
    except ConfigError as e:
        raise CliError(str(e), 2) from None
    return cfg, data_dir(data, cfg)
