"""udev rules from the device table: a stable /dev/zpos-NAME per USB vendor:product id, with the groups the register needs.

The table (deploy/udev/devices.tsv, installed as /etc/zpos/devices.tsv) is data the field
engineer extends; the rules are generated from it, one rule per kernel interface a device of
that kind may appear as (a tty for USB-serial/CDC, the usblp node and the raw USB device for a
printer, the keyboard event node for a HID scanner). Rule syntax: udev(7).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

RULES_NAME = "70-zpos.rules"
KINDS = ("printer", "scale", "scanner", "display")
MAX_TERMINALS = 8
_HEX4 = re.compile(r"[0-9a-f]{4}")
_SERIAL = re.compile(r"[A-Za-z0-9._-]{1,64}")
_PORT = re.compile(r"\d+-\d+(\.\d+)*")


class TableError(ValueError):
    """A line of the device table that cannot become a rule: `file:line: what is wrong`."""


@dataclass(frozen=True)
class DeviceRow:
    name: str               # printer | scale | scanner | display | terminal-N
    vendor: str             # idVendor, 4 lower-case hex digits
    product: str            # idProduct
    serial: str | None = None
    port: str | None = None  # the USB device's kernel name, e.g. 1-1.2
    model: str = ""

    @property
    def node(self) -> str:
        return f"zpos-{self.name}"


def _valid_name(name: str) -> bool:
    if name in KINDS:
        return True
    m = re.fullmatch(r"terminal-(\d)", name)
    return bool(m) and 1 <= int(m.group(1)) <= MAX_TERMINALS


def parse_table(text: str, source: str = "devices.tsv") -> list[DeviceRow]:
    """Rows of the table; blank lines and # comments are skipped; a bad line is one TableError."""
    rows: list[DeviceRow] = []
    for n, line in enumerate(text.splitlines(), start=1):
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        cols = body.split(None, 4)
        where = f"{source}:{n}"
        if len(cols) < 4:
            raise TableError(f"{where}: expected NAME VENDOR PRODUCT MATCH [MODEL], got {body[:60]!r}")
        name, vendor, product, match = cols[0].lower(), cols[1].lower(), cols[2].lower(), cols[3]
        model = cols[4].strip() if len(cols) > 4 else ""
        if not _valid_name(name):
            raise TableError(f"{where}: name {cols[0]!r}: expected one of {', '.join(KINDS)}, terminal-1 … "
                             f"terminal-{MAX_TERMINALS}")
        for what, value in (("vendor", vendor), ("product", product)):
            if not _HEX4.fullmatch(value):
                raise TableError(f"{where}: {what} {value!r}: expected 4 hex digits as lsusb shows them")
        serial = port = None
        if match.startswith("serial="):
            serial = match[len("serial="):]
            if not _SERIAL.fullmatch(serial):
                raise TableError(f"{where}: {match!r}: expected serial= with letters, digits, . _ -")
        elif match.startswith("port="):
            port = match[len("port="):]
            if not _PORT.fullmatch(port):
                raise TableError(f"{where}: {match!r}: expected port= such as 1-1.2 (udevadm info -a shows KERNELS)")
        elif match != "-":
            raise TableError(f"{where}: match {match!r}: expected -, serial=XXXX or port=1-1.2")
        if '"' in model or "\\" in model:
            raise TableError(f"{where}: model {model[:40]!r}: no quotes or backslashes, please")
        rows.append(DeviceRow(name, vendor, product, serial, port, model))
    return rows


def _ids(row: DeviceRow, parent: bool) -> str:
    """The id match keys: ATTRS (a parent, for the tty, lp and event nodes) or ATTR (the USB device itself)."""
    a = "ATTRS" if parent else "ATTR"
    keys = [f'{a}{{idVendor}}=="{row.vendor}"', f'{a}{{idProduct}}=="{row.product}"']
    if row.serial:
        keys.append(f'{a}{{serial}}=="{row.serial}"')
    if row.port:
        keys.append(f'{"KERNELS" if parent else "KERNEL"}=="{row.port}"')
    return ", ".join(keys)


def rules_for(row: DeviceRow) -> list[str]:
    link = f'SYMLINK+="{row.node}"'
    out = [f'SUBSYSTEM=="tty", {_ids(row, True)}, {link}, GROUP="dialout", MODE="0660"']
    if row.name == "printer":
        out.append(f'SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", {_ids(row, True)}, {link}, GROUP="lp", MODE="0660"')
        # usb://VID:PID (pyusb) opens the device itself: the lp group may, with no name needed.
        out.append(f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", {_ids(row, False)}, GROUP="lp", MODE="0660"')
    if row.name == "scanner":
        out.append(f'SUBSYSTEM=="input", KERNEL=="event[0-9]*", ENV{{ID_INPUT_KEYBOARD}}=="1", {_ids(row, True)}, '
                   f'{link}, GROUP="input", MODE="0660"')
    return out


def render_rules(rows: list[DeviceRow], source: str = "/etc/zpos/devices.tsv") -> str:
    lines = [f"# zPOS-BY stable device names, written by `zpos install` from {source}.",
             "# Edit that table and run `zpos install` again; changes made here are overwritten.",
             'ACTION=="remove", GOTO="zpos_end"', ""]
    for row in rows:
        lines.append(f"# {row.node}: {row.model or 'no model given'} ({row.vendor}:{row.product})")
        lines += rules_for(row)
        lines.append("")
    lines.append('LABEL="zpos_end"')
    return "\n".join(lines) + "\n"
