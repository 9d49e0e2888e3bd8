"""«Помощь → отправить служебную информацию»: one zip a field engineer or the support desk can read.

It holds what explains a problem and nothing that would leak money or secrets: the
diagnostics, the journal's check and counts, versions, parameters, device settings, the
last log files, the printer's and SKO's state. No password hashes, no private key, no
receipt contents.
"""
from __future__ import annotations

import json
import platform
import tempfile
import zipfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from fsm.diagnostics import run_diagnostics
from storage.errors import StorageError
from storage.targets import parse_target


def build_bundle(facts: dict, stores, devices, now: str, path: Path) -> Path:
    journal = stores.journal
    facts = {"zpos": metadata.version("zpos-by"), "python": platform.python_version(), "platform": platform.platform(),
             "time": now, **facts, "parameters": stores.params.to_dict(), "devices": stores.settings.devices(),
             "device_errors": devices.errors}
    try:
        facts["requisites"] = asdict(stores.settings.requisites())
    except StorageError as e:  # requisites not set yet is itself a useful fact
        facts["requisites"] = f"not set: {e.code}"
    v = journal.verify(journal.get_meta("sko_public_key"))
    facts["journal"] = {"ok": v.ok, "documents": v.count, "broken_number": v.broken_number, "reason": v.reason,
                        "pending": len(journal.pending()), "not_printed": len(journal.not_printed()),
                        "open_payment_intents": len(journal.intents.open()), "last_number": journal.last_number()}
    checks = [c.as_dict() for c in run_diagnostics(devices, stores.data_dir, journal, now)]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("facts.json", json.dumps(facts, ensure_ascii=False, indent=1, default=str))
        z.writestr("diagnostics.json", json.dumps(checks, ensure_ascii=False, indent=1))
        logs = Path(stores.data_dir) / "logs"
        for f in sorted(logs.glob("*.log*"))[:8] if logs.is_dir() else []:
            z.write(f, f"logs/{f.name}")
    return path


def send_bundle(facts: dict, stores, devices, now: str, target: str) -> str:
    """Write the bundle to a directory (USB stick) or ftp://…; returns its file name."""
    name = f"zpos-support-{now[:19].replace(':', '').replace('-', '').replace('T', '-')}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        path = build_bundle(facts, stores, devices, now, Path(tmp) / name)
        parse_target(target).put(str(path), name)
    return name
