"""The marking rules of one data dir: the shipped goods-group table and the administrator's DATA/store/marking.json."""
from __future__ import annotations

import json
import os
from importlib import resources
from typing import Any

from fiscal.errors import FiscalError
from fiscal.marking_rules import MarkingRules, parse_rules
from storage.errors import StorageError
from storage.fileops import atomic_write

OVERRIDE = os.path.join("store", "marking.json")


def shipped_table() -> dict:
    """fiscal/data/marking_groups.json as shipped with this version."""
    return json.loads(resources.files("fiscal").joinpath("data", "marking_groups.json").read_text(encoding="utf-8"))


def load_override(data_dir: str) -> dict:
    """The administrator's override ({} when there is none): groups, categories → group or rule, receipt_mark."""
    path = os.path.join(str(data_dir), OVERRIDE)
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StorageError("STORE_CORRUPT", f"{path}: cannot be read ({e})") from None
    if not isinstance(obj, dict):
        raise StorageError("STORE_CORRUPT", f"{path}: must be a JSON object")
    return obj


def load_rules(data_dir: str) -> MarkingRules:
    override = load_override(data_dir)
    try:
        return parse_rules(shipped_table(), override)
    except FiscalError as e:
        raise StorageError("STORE_CORRUPT", f"{os.path.join(str(data_dir), OVERRIDE)}: {e.detail}") from None


def save_override(data_dir: str, override: dict[str, Any]) -> MarkingRules:
    """Check the override against the shipped table, then write it atomically; the rules it makes come back.
    A bad override is StorageError BAD_SETTING naming the field, and nothing is written."""
    try:
        rules = parse_rules(shipped_table(), override)
    except FiscalError as e:
        raise StorageError("BAD_SETTING", e.detail, field=e.params.get("field", "marking")) from None
    path = os.path.join(str(data_dir), OVERRIDE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write(path, json.dumps(override, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
    return rules
