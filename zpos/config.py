"""The configuration file (TOML): devices and data directory. Defaults built in; an unknown key is an error."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

DEFAULTS: dict = {
    "data": {"dir": ""},
    "devices": {
        "sko": {"address": "127.0.0.1:1829", "timeout": 5},
        "printer": {"url": "/dev/usb/lp0", "model": "tm-t20iii"},
    },
}
# Every key a section may hold; anything else is reported as a typo with its path.
ALLOWED = {
    "data": {"dir"},
    "devices": {"sko", "printer", "scale", "scanner", "terminals", "oplati"},
    "devices.sko": {"address", "timeout", "token", "printer_addr", "byte_order", "data_as"},
    "devices.printer": {"url", "model"},
    "devices.scale": {"url", "protocol"},
    "devices.scanner": {"url"},
    "devices.terminals": {"name", "url", "ack_timeout", "op_timeout", "test_timeout"},
    "devices.oplati": {"url", "reg_num", "password"},
}


class ConfigError(ValueError):
    """One line naming the file, the key and what is wrong."""


def _check(where: str, table: dict, path: Path) -> None:
    allowed = ALLOWED.get(where)
    if allowed is None:
        return
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(f"{path}: unknown key [{where}].{key} (allowed: {', '.join(sorted(allowed))})")
        sub = f"{where}.{key}"
        if isinstance(value, dict):
            _check(sub, value, path)
        elif isinstance(value, list) and sub in ALLOWED:
            for i, row in enumerate(value):
                if not isinstance(row, dict):
                    raise ConfigError(f"{path}: [{sub}] entry {i + 1} must be a table")
                _check(sub, row, path)


def load_config(path: Path | None) -> dict:
    """The merged configuration: built-in defaults overlaid with the file (when given)."""
    cfg = {"data": dict(DEFAULTS["data"]), "devices": {k: dict(v) for k, v in DEFAULTS["devices"].items()}}
    if path is None:
        return cfg
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    unknown = sorted(set(raw) - set(ALLOWED) - {"devices", "data"})
    if unknown:
        raise ConfigError(f"{path}: unknown section [{unknown[0]}]")
    for section in ("data", "devices"):
        _check(section, raw.get(section, {}), path)
    cfg["data"].update(raw.get("data", {}))
    for name, value in raw.get("devices", {}).items():
        cfg["devices"][name] = value
    for name in ("sko", "printer"):
        if "url" not in cfg["devices"].get(name, {}) and name == "printer":
            raise ConfigError(f"{path}: [devices.printer] needs url")
    return cfg


def data_dir(cli_value: Path | None, cfg: dict) -> Path:
    """--data, else the config, else $ZPOS_DATA, else the user's data directory."""
    if cli_value:
        return Path(cli_value)
    if cfg.get("data", {}).get("dir"):
        return Path(cfg["data"]["dir"])
    if os.environ.get("ZPOS_DATA"):
        return Path(os.environ["ZPOS_DATA"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zpos"


def cli_config(config: Path | None, data: Path | None) -> tuple[dict, Path]:
    """(configuration, data directory) for a command; a bad file is one CliError line."""
    from zpos.errors import CliError
    try:
        cfg = load_config(config)
    except ConfigError as e:
        raise CliError(str(e)) from None
    return cfg, data_dir(data, cfg)
