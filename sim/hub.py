"""Every simulated device at once: the SKO emulator, printer, scales, pole display, card terminals, scanner, ОПЛАТИ.

The hub hands out a device configuration (pty paths, host:port, URLs) that the workstation
opens with its real drivers, and one `control(command, *args)` entry for faults and
actions, used by `zpos sim ctl`, scenario steps and tests.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from fiscal.money import format_money
from hal.protocols.oplati import OplatiStatus
from sim.card import MODES as CARD_MODES
from sim.card import SimTerminal
from sim.oplati import MODES as OPLATI_MODES
from sim.oplati import REVERSAL_MODES, SimOplati
from sim.pole_display import SimPoleDisplay
from sim.printer import VirtualPrinter
from sim.scale import SimScale
from sim.scanner import SimScanner
from sim.sko import SkoEmulator
from sim.sko_rules import SkoType

TERMINALS = ("Беларусбанк", "Приорбанк")
# Printer width -> (the driver's profile key, the escpos-printer-db model the virtual printer plays,
# the real-time clears that model's references document).
PRINTER_MODELS = {32: ("generic-58", "POS-5890", ("dle_enq_2",)),
                  42: ("tm-t88v", "TM-T88V", ("dle_dc4_8", "dle_enq_2")),
                  48: ("tm-t20iii", "TM-T20III", ("dle_dc4_8", "dle_enq_2"))}
OPLATI_REG_NUM = "OPL000011111"
OPLATI_PASSWORD = "sim-secret"


@dataclass
class SimOptions:
    org_name: str = "ООО «Ромашка»"
    unp: str = "191234563"
    ksa_number: str = "123456789"
    serial: str = "AVQ11169990670"
    pin: str = "123456"
    puk: str = "12345678"
    printer_columns: int = 42
    scale_protocol: str = "cas"
    scale_crc: str = "vendor"             # Massa-K CRC variant the simulated scale uses
    display_protocol: str = "epson"       # the pole display's command set: epson | cd5220
    terminals: tuple[str, ...] = TERMINALS
    oplati_confirm_after: float = 0.05
    oplati_confirm_window: float = 300.0  # the service ends a payment nobody confirmed (status 4) after this
    unsent_limit_hours: int | None = 72
    unsent_limit_count: int | None = None
    sko_kind: SkoType | None = None   # what the simulated SKO does where iKassa's text is silent (the limits above win)
    sko_clock: Callable[[], datetime] | None = None   # the SKO's own clock (default: real time); scenarios share theirs
    sko_port: int = 0
    links: bool = False               # publish stable symlinks under the sim dir (for `zpos sim`)
    printed_dir: Path | None = None   # where the virtual printer leaves NNNN.txt / NNNN.png (default ROOT/printed)
    keep_paper: bool = True           # False: pages stay in memory only (benchmarks measure the register, not drawing)


class ControlError(ValueError):
    """An unknown simulator command or a bad argument; the message says what is accepted."""


@dataclass
class SimHub:
    root: Path
    options: SimOptions = field(default_factory=SimOptions)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.sko: SkoEmulator | None = None
        self.printer: VirtualPrinter | None = None
        self.scale: SimScale | None = None
        self.display: SimPoleDisplay | None = None
        self.scanner: SimScanner | None = None
        self.terminals: dict[str, SimTerminal] = {}
        self.oplati: SimOplati | None = None

    def _link(self, name: str) -> str | None:
        return str(self.root / name) if self.options.links else None

    def start(self) -> "SimHub":
        o = self.options
        kind = replace(o.sko_kind or SkoType(), unsent_limit_hours=o.unsent_limit_hours,
                       unsent_limit_count=o.unsent_limit_count)
        self.sko = SkoEmulator(self.root / "sko", serial=o.serial, org_name=o.org_name, unp=o.unp,
                               ksa_number=o.ksa_number, pin=o.pin, puk=o.puk, port=o.sko_port, kind=kind,
                               clock=o.sko_clock).start()
        paper = (o.printed_dir or self.root / "printed") if o.keep_paper else None
        _, model, clears = PRINTER_MODELS[o.printer_columns]
        self.printer = VirtualPrinter(paper, link=self._link("printer"), columns=o.printer_columns,
                                      dots=384 if o.printer_columns == 32 else 576, model=model,
                                      realtime_clear=clears).start()
        self.scale = SimScale(o.scale_protocol, link=self._link("scale"), crc=o.scale_crc).start()
        self.display = SimPoleDisplay(o.display_protocol, link=self._link("display")).start()
        self.scanner = SimScanner(link=self._link("scanner")).start()
        for i, name in enumerate(o.terminals):
            self.terminals[name] = SimTerminal(name, link=self._link(f"terminal{i + 1}")).start()
        self.oplati = SimOplati(reg_num=OPLATI_REG_NUM, password=OPLATI_PASSWORD,
                                confirm_after=o.oplati_confirm_after, confirm_window=o.oplati_confirm_window,
                                state_path=self.root / "oplati.json").start()
        return self

    def stop(self) -> None:
        for dev in (self.oplati, *self.terminals.values(), self.scanner, self.display, self.scale, self.printer, self.sko):
            if dev is not None:
                try:
                    dev.stop()
                except Exception:  # one device failing to stop must not keep the others running
                    pass

    def __enter__(self) -> "SimHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def device_config(self) -> dict:
        """What the workstation's drivers open: the same shape as the [devices] section of the config file."""
        cfg = self.config_from_addresses(dict(self.addresses()), self.options.printer_columns)
        cfg["scale"]["protocol"] = self.options.scale_protocol
        if self.options.scale_protocol == "massak":
            cfg["scale"]["crc"] = self.options.scale_crc
        if "display" in cfg:
            cfg["display"]["protocol"] = self.options.display_protocol
        return cfg

    @staticmethod
    def config_from_addresses(addresses: dict[str, str], printer_columns: int = 42) -> dict:
        """The device configuration for a hub running in another process (`zpos sim` printed these lines)."""
        model = PRINTER_MODELS[printer_columns][0]
        cfg = {
            "sko": {"address": addresses["sko"], "timeout": 5},
            # The virtual printer's drawer has a switch on pin 3, HIGH when open.
            "printer": {"url": addresses["printer"], "model": model, "drawer_sensor": "high_open"},
            "scale": {"url": addresses["scale"], "protocol": "cas"},
            "scanner": {"url": addresses["scanner"]},
            # A simulated customer enters the PIN at once: short timeouts keep a "timeout" fault brief.
            "terminals": [{"name": k.split(":", 1)[1], "url": v, "ack_timeout": 0.3, "op_timeout": 1.5,
                           "test_timeout": 1.5} for k, v in addresses.items() if k.startswith("terminal:")],
            # The simulated service answers at once: a short poll keeps tests brief (the product default is 2.5 s).
            "oplati": {"url": addresses["oplati"], "reg_num": OPLATI_REG_NUM, "password": OPLATI_PASSWORD,
                       "poll_interval": 0.05},
        }
        if "display" in addresses:
            cfg["display"] = {"url": addresses["display"], "protocol": "epson"}
        return cfg

    def addresses(self) -> list[tuple[str, str]]:
        out = [("sko", self.sko.address), ("printer", self.printer.address), ("scale", self.scale.address),
               ("display", self.display.address), ("scanner", self.scanner.address)]
        out += [(f"terminal:{n}", t.address) for n, t in self.terminals.items()]
        out.append(("oplati", self.oplati.base_url))
        return out

    # ----- control ---------------------------------------------------------------------
    def control(self, device: str, *args: str) -> str:
        """`printer paper_out`, `scale weight 1.234`, `card decline`, `sko offline`, `scan 4810000000012`, ..."""
        try:
            handler = getattr(self, f"_ctl_{device}")
        except AttributeError:
            raise ControlError(f"unknown device {device!r}; use one of: sko, printer, scale, display, card, scan, "
                               "oplati") from None
        return handler(*args)

    def _ctl_sko(self, *words: str) -> str:
        from sim.sko_ctl import apply_ctl
        try:
            return apply_ctl(self.sko, list(words))
        except ValueError as e:
            raise ControlError(str(e)) from None

    def _ctl_printer(self, what: str = "") -> str:
        faults = ("ok", "paper_out", "cover_open", "cutter_jam", "offline", "paper_out_mid_print")
        actions = {"drawer_open": self.printer.open_drawer, "drawer_closed": self.printer.close_drawer,
                   "paper_near_end": lambda: setattr(self.printer, "paper_near_end", True),
                   "paper_ok": lambda: setattr(self.printer, "paper_near_end", False)}
        if what in actions:
            actions[what]()
            return f"printer {what}"
        if what not in faults:
            raise ControlError(f"printer: one of {' | '.join(faults + tuple(actions))}")
        self.printer.set_fault(what)
        return f"printer {what}"

    def _ctl_scale(self, what: str = "", *rest: str) -> str:
        from fiscal.errors import FiscalError
        from fiscal.money import parse_qty
        if what in ("weight", "tare") and rest:
            try:
                grams = parse_qty(rest[0], what, exact=False)   # kg with up to 3 decimals → grams
                settle = float(rest[2]) if len(rest) >= 3 and rest[1] == "settle" else 0.0
            except (FiscalError, ValueError) as e:
                raise ControlError(f"scale {what}: {getattr(e, 'message', e)}") from None
            if len(rest) not in (1, 3) or (len(rest) == 3 and rest[1] != "settle") or not 0 <= settle <= 60:
                raise ControlError("scale: weight KG [settle SECONDS] | tare KG")
            if what == "tare":
                self.scale.set_tare(grams)
                return f"scale tare {rest[0]}"
            self.scale.set_fault("ok")
            self.scale.put(grams, stable=True, settle_s=settle)
            return f"scale weight {' '.join(rest)}"
        faults = ("ok", "unstable", "overload", "no_answer", "bad_checksum", "negative")
        if what not in faults:
            raise ControlError(f"scale: weight KG [settle SECONDS] | tare KG | {' | '.join(faults)}")
        self.scale.set_fault(what)
        return f"scale {what}"

    def card_net(self, terminal: str | None = None) -> int:
        """What the terminals hold for the current batch: approved sales − refunds − cancels (kopecks)."""
        targets = [self._terminal(terminal)] if terminal else list(self.terminals.values())
        return sum(t.net for t in targets)

    def _terminal(self, name: str) -> SimTerminal:
        if name not in self.terminals:
            raise ControlError(f"card: no terminal {name!r}; there are: {', '.join(self.terminals)}")
        return self.terminals[name]

    def _ctl_display(self, what: str = "lines") -> str:
        if what != "lines":
            raise ControlError("display: lines")
        return " | ".join(self.display.lines())

    def _ctl_card(self, what: str = "", terminal: str | None = None) -> str:
        words = (*CARD_MODES, "replay", "net")
        if what not in words:
            raise ControlError(f"card: one of {' | '.join(words)} [TERMINAL]")
        targets = [self._terminal(terminal)] if terminal else list(self.terminals.values())
        if what == "net":
            return "card net " + "; ".join(f"{t.terminal_name} {format_money(t.net)}" for t in targets) + \
                f"; total {format_money(sum(t.net for t in targets))}"
        for t in targets:
            if what == "replay":
                t.replay_last()
            else:
                t.set_mode(what)
        return f"card {what}"

    def _ctl_scan(self, code: str = "", *flags: str) -> str:
        if not code or set(flags) - {"no_gs", "aim"}:
            raise ControlError("scan: a barcode, e.g. scan 4810000000012; a DataMatrix with \\x1d or <GS> for its "
                               "separators, then no_gs (a keyboard-mode scanner) and/or aim (the ]d2 prefix)")
        code = code.replace("\\x1d", "\x1d").replace("<GS>", "\x1d")
        self.scanner.scan_marking(code, keep_gs="no_gs" not in flags, aim="aim" in flags)
        return f"scan {code}".replace("\x1d", "<GS>")

    def _ctl_oplati(self, what: str = "", *rest: str) -> str:
        usage = (f"oplati: {' | '.join(OPLATI_MODES)} | offline | online | lose_answer | "
                 f"reversal {'|'.join(REVERSAL_MODES)} | resolve ID|last {'|'.join(_RESOLVE)}")
        if what in ("offline", "online"):
            self.oplati.set_offline(what == "offline")
        elif what in OPLATI_MODES and not rest:
            self.oplati.set_mode(what)
        elif what == "lose_answer" and not rest:
            self.oplati.lose_next_answer()
        elif what == "reversal" and len(rest) == 1 and rest[0] in REVERSAL_MODES:
            self.oplati.set_reversal_mode(rest[0])
        elif what == "resolve" and len(rest) == 2 and rest[1] in _RESOLVE:
            pid = self.oplati.last_payment_id() if rest[0] == "last" else (int(rest[0]) if rest[0].isdigit() else None)
            if pid is None or self.oplati.payment(pid) is None:
                raise ControlError(f"oplati resolve: no payment {rest[0]!r}")
            self.oplati.resolve(pid, OplatiStatus[_RESOLVE[rest[1]]])
            return f"oplati resolve {pid} {rest[1]}"
        else:
            raise ControlError(usage)
        return " ".join(("oplati", what, *rest))


_RESOLVE = {"confirm": "OK", "decline": "DECLINE", "not_enough": "NOT_ENOUGH", "timeout": "TIMEOUT"}
