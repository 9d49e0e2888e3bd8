"""udev rules from the device table, read back by a small parser of udev(7) rule syntax (keys, attributes, operators)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from zpos.udev_rules import DeviceRow, TableError, parse_table, render_rules, rules_for

TABLE = Path(__file__).resolve().parents[2] / "deploy" / "udev" / "devices.tsv"

# udev(7): keys that only match, keys that only assign, and keys that may do both; which take {attribute}.
MATCH_ONLY = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTRS",
              "TAGS", "TEST", "PROGRAM", "RESULT", "CONST"}
ASSIGN_ONLY = {"OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS", "WAIT_FOR"}
BOTH = {"NAME", "SYMLINK", "ATTR", "SYSCTL", "ENV", "TAG"}
WITH_ATTRIBUTE = {"ATTR", "ATTRS", "SYSCTL", "ENV", "TEST", "IMPORT", "RUN", "SECLABEL", "CONST"}
MATCH_OPS, ASSIGN_OPS = {"==", "!="}, {"=", "+=", "-=", ":="}
PAIR = re.compile(r'\s*([A-Z_]+)(?:\{([^}]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def parse_rule(line: str) -> list[tuple[str, str | None, str, str]]:
    """One rule line → (key, attribute, operator, value); AssertionError naming what udev would reject."""
    pairs, pos = [], 0
    while pos < len(line):
        m = PAIR.match(line, pos)
        assert m, f"cannot parse at column {pos}: {line[pos:pos + 40]!r}"
        key, attr, op, value = m.groups()
        assert key in MATCH_ONLY | ASSIGN_ONLY | BOTH, f"unknown key {key}"
        assert (attr is not None) == (key in WITH_ATTRIBUTE), f"{key} {'needs' if attr is None else 'takes no'} {{attribute}}"
        if key in MATCH_ONLY:
            assert op in MATCH_OPS, f"{key} only matches, not {op}"
        elif key in ASSIGN_ONLY:
            assert op in ASSIGN_OPS, f"{key} only assigns, not {op}"
        else:
            assert op in MATCH_OPS | ASSIGN_OPS
        pairs.append((key, attr, op, value))
        pos = m.end()
    assert pairs, "empty rule"
    return pairs


def parse_rules(text: str) -> list[list[tuple[str, str | None, str, str]]]:
    rules = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                rules.append(parse_rule(line))
            except AssertionError as e:
                raise AssertionError(f"line {n}: {e}") from None
    return rules


def test_the_parser_refuses_what_udev_refuses():
    for bad in ('SUBSYSTEM="tty", SYMLINK+="x"', 'FOO=="1", MODE="0660"', 'ATTRS=="1"', 'GROUP=="lp"',
                'SUBSYSTEM=="tty" MODE="0660"x', 'KERNEL{x}=="1"', 'MODE=0660'):
        with pytest.raises(AssertionError):
            parse_rule(bad)
    assert parse_rule('SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", SYMLINK+="zpos-scale", MODE="0660"')[1] == (
        "ATTRS", "idVendor", "==", "0403")


def test_every_rule_from_the_shipped_table_is_valid_udev_syntax():
    rows = parse_table(TABLE.read_text(encoding="utf-8"), "devices.tsv")
    rules = parse_rules(render_rules(rows))
    assert len(rows) >= 12 and len(rules) == 1 + sum(len(rules_for(r)) for r in rows) + 1
    gotos = {v for r in rules for k, _, _, v in r if k == "GOTO"}
    labels = {v for r in rules for k, _, _, v in r if k == "LABEL"}
    assert gotos == labels == {"zpos_end"}
    for rule in rules[1:-1]:
        keys = {k: v for k, _, op, v in rule if op in ASSIGN_OPS}
        assert keys["GROUP"] in ("dialout", "lp", "input") and keys["MODE"] == "0660"
        assert "SYMLINK" not in keys or re.fullmatch(r"zpos-(printer|scale|scanner|display|terminal-[1-8])", keys["SYMLINK"])
        assert any(k == "SUBSYSTEM" for k, _, _, _ in rule)


def test_each_kind_gets_the_interfaces_it_may_appear_as():
    def subsystems(row):
        return [dict((k, v) for k, _, _, v in parse_rule(line))["SUBSYSTEM"] for line in rules_for(row)]
    assert subsystems(DeviceRow("printer", "04b8", "0e03")) == ["tty", "usbmisc", "usb"]
    assert subsystems(DeviceRow("scanner", "05e0", "1200")) == ["tty", "input"]
    assert subsystems(DeviceRow("scale", "0403", "6001")) == ["tty"]
    assert subsystems(DeviceRow("terminal-2", "11ca", "0207")) == ["tty"]


def test_a_serial_number_or_a_port_tells_identical_adapters_apart():
    rows = parse_table("scale 0403 6001 serial=A50285BI FTDI on the scale\ndisplay 0403 6001 port=1-1.3 FTDI\n")
    scale, display = (parse_rule(rules_for(r)[0]) for r in rows)
    assert ("ATTRS", "serial", "==", "A50285BI") in scale and ("SYMLINK", None, "+=", "zpos-scale") in scale
    assert ("KERNELS", None, "==", "1-1.3") in display and ("SYMLINK", None, "+=", "zpos-display") in display
    raw_usb = parse_rule(rules_for(DeviceRow("printer", "04b8", "0202", port="2-1"))[2])
    assert ("KERNEL", None, "==", "2-1") in raw_usb and ("ATTR", "idVendor", "==", "04b8") in raw_usb


@pytest.mark.parametrize("line,needle", [
    ("printer 04b8", "expected NAME VENDOR PRODUCT MATCH"),
    ("drawer 04b8 0e03 -", "name 'drawer'"),
    ("terminal-9 11ca 0207 -", "name 'terminal-9'"),
    ("printer 4b8 0e03 -", "vendor '4b8'"),
    ("printer 04b8 0e0g -", "product '0e0g'"),
    ("scale 0403 6001 serial=a\"b", "expected serial="),
    ("scale 0403 6001 port=usb1", "expected port="),
    ("scale 0403 6001 any", "match 'any'"),
    ('scale 0403 6001 - Model "X"', "no quotes"),
])
def test_a_bad_table_line_is_named_by_file_and_line(line, needle):
    with pytest.raises(TableError) as e:
        parse_table(f"# comment\n\n{line}\n", "/etc/zpos/devices.tsv")
    assert str(e.value).startswith("/etc/zpos/devices.tsv:3: ") and needle in str(e.value)


def test_ids_are_read_in_any_case_and_written_lower_case():
    (row,) = parse_table("PRINTER 04B8 0E03 - Epson # TM-T20")
    assert (row.name, row.vendor, row.product, row.model) == ("printer", "04b8", "0e03", "Epson # TM-T20")
