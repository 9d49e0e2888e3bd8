"""The typed configuration: defaults per key, one line naming file, key, value and what was expected; never a traceback."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.hub import SimHub
from zpos.config import (
    GENERIC_PRINTER,
    Config,
    ConfigError,
    TerminalConfig,
    data_dir,
    devices_from_mapping,
    from_mapping,
    load_config,
    parse_config,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = 3000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 60

# (file bytes, what the one line must contain)
HOSTILE = [
    (b"\xff\xfe[devices]\n", "not UTF-8 text"),
    (b"[devices.sko\n", "not valid TOML"),
    (b"this is not toml at all", "not valid TOML"),
    (b"a = " + b"[" * 50_000 + b"]" * 50_000 + b"\n", "nested too deeply"),
    (b"[" + b".".join([b"x"] * 3000) + b"]\n", "[x]: unknown section"),
    (b'[devices.sko]\ntimeout = "abc"\n', '[devices.sko] timeout = "abc": expected a number of seconds 0.1…60'),
    (b"[devices.sko]\naddress = 1829\n", "[devices.sko] address = 1829: expected host:port"),
    (b'[devices.sko]\naddress = "localhost"\n', '[devices.sko] address = "localhost": expected host:port'),
    (b"[devices]\nterminals = \"x\"\n", '[devices] terminals = "x": expected an array of tables [[devices.terminals]]'),
    (b'[[devices.terminals]]\nname = "A"\nurl = "/dev/ttyACM0"\n[[devices.terminals]]\nname = "A"\nurl = "/dev/ttyACM1"\n',
     '[devices.terminals #2] name = "A": expected a name no other terminal has (terminal #1 has it)'),
    (b"[devices.sko]\ntimeout = -3\n", "[devices.sko] timeout = -3: expected a number of seconds 0.1…60"),
    (b"[devices.sko]\ntimeout = 1e300\n", "[devices.sko] timeout = 1e+300: expected a number of seconds"),
    (b"[devices.sko]\ntimeout = nan\n", "[devices.sko] timeout = nan: expected"),
    (b"[devices.sko]\ntimeout = 99999999999999999999999999999999999999999999\n", "timeout = <a number of about"),
    (b"[devices.sko]\ntimeout = " + b"9" * 5000 + b"\n", "a number with too many digits"),
    (b"[devices.sko]\ntimeout = true\n", "[devices.sko] timeout = true: expected a number of seconds"),
    (b"[devices.sko]\ntimeout = 1979-05-27\n", "[devices.sko] timeout = 1979-05-27: expected a number"),
    (b"[devices.scale]\n", "[devices.scale] url is missing: expected a device path"),
    (b'[devices.scale]\nurl = "/dev/ttyUSB0"\nprotocol = "toledo"\n',
     '[devices.scale] protocol = "toledo": expected a scale protocol: one of "cas" | "massak" | "mt8217"'),
    (b'[devices.scale]\nurl = "/dev/ttyUSB0"\nbaud = 9601\n', "[devices.scale] baud = 9601: expected a baud rate: one of"),
    (b'[devices.printer]\nurl = "/dev/usb/lp0"\nmodle = "tm-t20iii"\n', '[devices.printer] modle = "tm-t20iii": unknown key'),
    (b'[devices.printer]\nurl = 5\n', "[devices.printer] url = 5: expected a device path"),
    (b'[devices.printer]\nurl = "tcp://printer"\n', '[devices.printer] url = "tcp://printer": expected a device path'),
    (b'[devices.printer]\nurl = "usb://04b8"\n', '[devices.printer] url = "usb://04b8": expected'),
    (b'[devices.printer]\nmodel = "epson"\n', '[devices.printer] model = "epson": expected a printer model: one of "generic-80"'),
    (b"[devices.printer]\ndrawer_pin = 3\n", "[devices.printer] drawer_pin = 3: expected the drawer connector pin: one of 2 | 5"),
    (b"[devices.printer]\ndrawer_on_ms = 1000\n", "[devices.printer] drawer_on_ms = 1000: expected a pulse in milliseconds 2…510"),
    (b"[devices]\nsko = 5\n", "[devices] sko = 5: expected a table [devices.sko]"),
    (b"[devicez.sko]\n", "[devicez]: unknown section (a typo?)"),
    (b"devices = [1, 2]\n", "devices = [1, 2]: expected a table [devices]"),
    (b'[devices.oplati]\nurl = "ftp://x"\nreg_num = "A"\npassword = "p"\n', '[devices.oplati] url = "ftp://x": expected an http'),
    (b'[devices.oplati]\nurl = "https://o.by"\n', "[devices.oplati] reg_num is missing"),
    (b'[devices.display]\nkind = "hologram"\n', '[devices.display] kind = "hologram": expected a customer display kind'),
    (b'[devices.display]\nkind = "pole"\n', "[devices.display] url is missing"),
    (b'[backup]\ntarget = "sftp://x"\n', '[backup] target = "sftp://x": expected a directory'),
    (b'[data]\ndir = ["a"]\n', '[data] dir = ["a"]: expected a directory path'),
    (b'[[devices.terminals]]\nname = "Line\\nbreak"\nurl = "/dev/ttyACM0"\n', '[devices.terminals #1] name = "Line\\nbreak": expected'),
    (b'[[devices.terminals]]\nname = "A"\nurl = "/dev/ttyACM0"\nop_timeout = 0\n',
     "[devices.terminals #1] op_timeout = 0: expected a number of seconds 1…600"),
]


@pytest.mark.parametrize("raw,needle", HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
def test_a_hostile_file_is_one_line_naming_the_file_the_key_and_what_was_expected(tmp_path, raw, needle):
    f = tmp_path / "config.toml"
    f.write_bytes(raw)
    with pytest.raises(ConfigError) as e:
        load_config(f)
    line = str(e.value)
    assert "\n" not in line and line.startswith(f"{f}: ")
    assert needle in line


@pytest.mark.parametrize("raw,needle", [HOSTILE[0], HOSTILE[3], HOSTILE[5], HOSTILE[8]])
def test_the_commands_print_the_line_and_exit_2_without_a_traceback(tmp_path, raw, needle):
    f = tmp_path / "config.toml"
    f.write_bytes(raw)
    for argv in (["diag", "--config", str(f), "--data", str(tmp_path)],
                 ["backup", "--config", str(f), "--data", str(tmp_path)]):
        p = subprocess.run([sys.executable, "-m", "zpos.cli", *argv], capture_output=True, text=True, timeout=60)
        assert p.returncode == 2, p.stderr
        assert "Traceback" not in p.stderr and needle in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_a_missing_file_or_a_directory_cannot_be_read(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    f = tmp_path / "config.toml"
    f.write_bytes(b"# " + b"x" * 2_000_000 + b"\n")
    with pytest.raises(ConfigError, match="larger than 1000 kB"):
        load_config(f)


def test_without_a_file_every_default_is_built_in():
    cfg = load_config(None)
    assert cfg.devices.sko.address == "127.0.0.1:1829" and cfg.devices.sko.timeout == 5.0
    assert cfg.devices.printer is not None and cfg.devices.printer.url == "file:///dev/usb/lp0"
    assert cfg.devices.scale is None and cfg.devices.terminals == () and cfg.backup.target == ""


def test_an_empty_sko_section_takes_the_defaults_key_by_key():
    cfg = parse_config(b"[devices.sko]\ntimeout = 2.5\n", "c.toml")
    assert cfg.devices.sko.address == "127.0.0.1:1829" and cfg.devices.sko.timeout == 2.5
    assert parse_config(b"[devices.sko]\n", "c.toml").devices.sko == load_config(None).devices.sko


def test_a_printer_without_a_model_is_the_generic_80_mm_printer():
    cfg = parse_config(b'[devices.printer]\nurl = "tcp://192.0.2.7:9100"\n', "c.toml")
    assert cfg.devices.printer.model is None and cfg.devices.printer.profile == GENERIC_PRINTER
    assert (cfg.devices.printer.drawer_pin, cfg.devices.printer.drawer_on_ms, cfg.devices.printer.drawer_off_ms) == (2, 100, 200)


def test_printer_models_compare_case_insensitively():
    cfg = parse_config(b'[devices.printer]\nmodel = "TM-T20III"\n', "c.toml")
    assert cfg.devices.printer.model == "tm-t20iii"


def test_the_serial_line_follows_the_scale_protocol_unless_set():
    mt = parse_config(b'[devices.scale]\nurl = "/dev/zpos-scale"\nprotocol = "mt8217"\n', "c.toml").devices.scale.serial
    assert (mt.baud, mt.bytesize, mt.parity, mt.stopbits) == (9600, 7, "E", 1)
    mk = parse_config(b'[devices.scale]\nurl = "/dev/zpos-scale"\nprotocol = "massak"\n', "c.toml").devices.scale.serial
    assert (mk.baud, mk.bytesize, mk.parity) == (57600, 8, "N")
    own = parse_config(b'[devices.scale]\nurl = "/dev/zpos-scale"\nprotocol = "mt8217"\nbaud = 4800\nparity = "o"\n',
                       "c.toml").devices.scale.serial
    assert (own.baud, own.bytesize, own.parity) == (4800, 7, "O")


def test_terminals_keep_their_order_and_timeouts():
    cfg = parse_config('[[devices.terminals]]\nname = "Беларусбанк"\nurl = "/dev/zpos-terminal-1"\n'
                       '[[devices.terminals]]\nname = "Приорбанк"\nurl = "tcp://10.0.0.5:2000"\nop_timeout = 90\n'
                       .encode(), "c.toml")
    assert [t.name for t in cfg.devices.terminals] == ["Беларусбанк", "Приорбанк"]
    assert cfg.devices.terminals[1].op_timeout == 90.0 and cfg.devices.terminals[0] == TerminalConfig(
        "Беларусбанк", "/dev/zpos-terminal-1")
    assert cfg.devices.terminals[0].serial.baud == 115200
    assert cfg.devices.longest_blocking_call() == 120.0


def test_duplicate_terminal_names_are_refused_whatever_their_case():
    with pytest.raises(ConfigError, match=r'\[devices.terminals #2\] name = "беларусбанк": expected a name no other'):
        devices_from_mapping({"terminals": [{"name": "Беларусбанк", "url": "/dev/a"},
                                            {"name": "беларусбанк", "url": "/dev/b"}]})


def test_a_display_section_has_pole_and_screen_kinds():
    pole = parse_config(b'[devices.display]\nurl = "/dev/zpos-display"\n', "c.toml").devices.display
    assert (pole.kind, pole.protocol, pole.serial.baud) == ("pole", "epson", 9600)
    screen = parse_config(b'[devices.display]\nkind = "screen"\nscreen = 2\n', "c.toml").devices.display
    assert (screen.kind, screen.url, screen.screen) == ("screen", None, 2)


def test_a_backup_target_is_a_directory_or_ftp():
    assert parse_config(b'[backup]\ntarget = "/media/usb"\n', "c.toml").backup.target == "/media/usb"
    assert parse_config(b'[backup]\ntarget = "ftp://u:p@192.0.2.1:21/zpos"\n', "c.toml").backup.target.startswith("ftp://")


def test_the_data_dir_comes_from_the_option_then_the_config_then_the_environment(tmp_path, monkeypatch):
    cfg = parse_config(f'[data]\ndir = "{tmp_path}/a"\n'.encode(), "c.toml")
    assert data_dir(tmp_path / "b", cfg) == tmp_path / "b"
    assert data_dir(None, cfg) == tmp_path / "a"
    monkeypatch.setenv("ZPOS_DATA", str(tmp_path / "c"))
    assert data_dir(None, Config()) == tmp_path / "c"


def test_the_simulator_hubs_mapping_goes_through_the_same_checks(tmp_path):
    with SimHub(tmp_path / "sim") as hub:
        devices = devices_from_mapping(hub.device_config(), "simulator")
    assert [t.name for t in devices.terminals] == ["Беларусбанк", "Приорбанк"]
    assert devices.terminals[0].ack_timeout == 0.3 and devices.oplati.reg_num == "OPL000011111"
    with pytest.raises(ConfigError, match=r"^simulator: \[devices.sko\] timeout = \"5\""):
        devices_from_mapping({"sko": {"address": "127.0.0.1:1", "timeout": "5"}}, "simulator")


def test_a_mapping_that_is_not_a_table_is_one_line():
    with pytest.raises(ConfigError, match="expected a table of sections"):
        from_mapping([1, 2], "m")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^m: <int key> = 1: unknown section"):
        from_mapping({1: 1}, "m")


def _readme_toml() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has a ```toml example"
    return blocks[0]


def test_the_readme_example_is_a_valid_config():
    cfg = parse_config(_readme_toml().encode("utf-8"), "README.md")
    assert cfg.devices.scale.protocol == "cas" and cfg.devices.terminals[0].name == "Беларусбанк"


def test_the_install_template_is_a_valid_config():
    text = (REPO / "deploy" / "config.toml.in").read_text(encoding="utf-8")
    for key, value in {"USER": "zpos", "DATA": "/var/lib/zpos", "CONFIG": "/etc/zpos/config.toml",
                       "ZPOS": "/opt/zpos/bin/zpos", "BACKUP_TARGET": '""'}.items():
        text = text.replace(f"@{key}@", value)
    cfg = parse_config(text.encode(), "config.toml")
    assert cfg.data_dir == Path("/var/lib/zpos") and cfg.devices.printer.url == "file:///dev/zpos-printer"


# ----- fuzzing: a Config or one ConfigError line, never another exception -----------------------------
SERIAL_KEYS = {"baud": 9600, "bytesize": 8, "parity": "E", "stopbits": 1}
TABLE_KEYS = {
    "data": {"dir": "/var/lib/zpos"},
    "backup": {"target": "/media/usb"},
    "sko": {"address": "127.0.0.1:1829", "timeout": 5},
    "printer": {"url": "file:///dev/usb/lp0", "model": "tm-t20iii", "drawer_pin": 5, "drawer_on_ms": 120,
                "drawer_off_ms": 240, **SERIAL_KEYS},
    "scale": {"url": "/dev/zpos-scale", "protocol": "mt8217", **SERIAL_KEYS},
    "scanner": {"url": "/dev/zpos-scanner", "mode": "hid", **SERIAL_KEYS},
    "oplati": {"url": "https://oplati.example/api", "reg_num": "OPL000011111", "password": "p", "timeout": 4.5},
    "display": {"kind": "pole", "url": "/dev/zpos-display", "protocol": "cd5220", "screen": 1, **SERIAL_KEYS},
    "terminal": {"name": "A", "url": "tcp://127.0.0.1:2000", "ack_timeout": 0.5, "op_timeout": 60,
                 "test_timeout": 10, **SERIAL_KEYS},
}
SCALARS = st.one_of(st.integers(min_value=-(10 ** 30), max_value=10 ** 30), st.floats(allow_nan=True),
                    st.booleans(), st.text(max_size=30), st.sampled_from(["cas", "A", "a", "/dev/ttyUSB0", "tcp://h:1",
                                                                         "127.0.0.1:1829", "N", "pole", "usb://04b8:0e03"]))
JUNK = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["url", "name", "x"]), inner, max_size=3), max_leaves=8)


def _table(kind: str):
    """A table of the section's own keys, each a good value or junk, now and then with a typo key."""
    keys = TABLE_KEYS[kind]
    table = st.fixed_dictionaries({}, optional={k: st.one_of(st.just(v), st.just(v), JUNK) for k, v in keys.items()})
    return st.tuples(table, st.integers(0, 9), JUNK).map(lambda t: {**t[0], "zzz": t[2]} if t[1] == 0 else t[0])


DEVICES = st.fixed_dictionaries({}, optional={
    **{k: st.one_of(_table(k), _table(k), JUNK) for k in ("sko", "printer", "scale", "scanner", "oplati", "display")},
    "terminals": st.one_of(st.lists(_table("terminal"), max_size=3), st.lists(_table("terminal"), max_size=3), JUNK),
})
SECTIONS = st.fixed_dictionaries({}, optional={"data": _table("data"), "backup": _table("backup"), "devices": DEVICES})


def _one_line_or_config(fn) -> None:
    try:
        cfg = fn()
    except ConfigError as e:
        assert "\n" not in str(e) and str(e).startswith("fuzz: ")
    else:
        assert isinstance(cfg, Config)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SECTIONS)
def test_random_values_per_key_give_a_config_or_one_line(doc):
    _one_line_or_config(lambda: from_mapping(doc, "fuzz"))


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v == float("inf") else "-inf" if v == float("-inf") else repr(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in v
                             if not 0xD800 <= ord(c) <= 0xDFFF) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml(doc: dict) -> str:
    """The document as TOML: tables as [sections], terminals as [[devices.terminals]], junk as inline values."""
    lines, loose = [], []
    for section, table in doc.items():
        if section != "devices":
            lines += [f"[{section}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
            continue
        for name, sub in table.items():
            if isinstance(sub, dict):
                lines += [f"[devices.{name}]"] + [f"{k} = {_toml_value(v)}" for k, v in sub.items()]
            elif name == "terminals" and isinstance(sub, list) and all(isinstance(t, dict) for t in sub):
                for t in sub:
                    lines += ["[[devices.terminals]]"] + [f"{k} = {_toml_value(v)}" for k, v in t.items()]
            else:
                loose.append(f"{name} = {_toml_value(sub)}")
    # Plain keys of [devices] go before any [devices.x] table (TOML: a table's keys come first).
    head = ["[devices]", *loose] if loose else []
    return "\n".join(head + lines) + "\n"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SECTIONS)
def test_random_toml_documents_give_a_config_or_one_line(doc):
    _one_line_or_config(lambda: parse_config(_toml(doc).encode("utf-8"), "fuzz"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_random_bytes_give_a_config_or_one_line(raw):
    _one_line_or_config(lambda: parse_config(raw, "fuzz"))


def _doc_sections() -> dict[str, str]:
    text = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.M)
    return {p.split("\n", 1)[0].strip(): p for p in parts[1:]}


@pytest.mark.parametrize("label,mapping", [
    ("[data]", {"data": {"zzz": 1}}),
    ("[backup]", {"backup": {"zzz": 1}}),
    ("[devices.sko]", {"devices": {"sko": {"zzz": 1}}}),
    ("[devices.printer]", {"devices": {"printer": {"zzz": 1}}}),
    ("[devices.scale]", {"devices": {"scale": {"url": "/dev/x", "zzz": 1}}}),
    ("[devices.scanner]", {"devices": {"scanner": {"url": "/dev/x", "zzz": 1}}}),
    ("[[devices.terminals]]", {"devices": {"terminals": [{"name": "A", "url": "/dev/x", "zzz": 1}]}}),
    ("[devices.oplati]", {"devices": {"oplati": {"url": "https://o.by", "reg_num": "R", "password": "P", "zzz": 1}}}),
    ("[devices.display]", {"devices": {"display": {"url": "/dev/x", "zzz": 1}}}),
])
def test_docs_config_md_names_every_key_the_loader_reads(label, mapping):
    with pytest.raises(ConfigError) as e:
        from_mapping(mapping, "doc")
    known = str(e.value).split("known keys: ", 1)[1].split(", ")
    section = _doc_sections()[label]
    serial = {"baud", "bytesize", "parity", "stopbits"}
    for key in known:
        assert f"`{key}`" in section or (key in serial and "serial line" in section), f"{label} {key}"


def test_the_docs_example_is_a_valid_config():
    block = re.findall(r"```toml\n(.*?)```", (REPO / "docs" / "config.md").read_text(encoding="utf-8"), flags=re.S)[0]
    cfg = parse_config(block.encode("utf-8"), "docs/config.md")
    assert len(cfg.devices.terminals) == 2 and cfg.devices.scale.serial.parity == "E"
