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


def build_bundle(register, path: Path) -> Path:
    from fsm.diagnostics import run_diagnostics
    reg = register
    facts: dict = {"zpos": metadata.version("zpos-by"), "python": platform.python_version(), "platform": platform.platform(),
                   "time": reg.now(), "state": reg.state, "shift": reg.shift_number, "shift_state": str(reg.shift_state),
                   "user": reg.user.login if reg.user else None, "parameters": reg.params.to_dict(),
                   "devices": reg.settings.devices(), "device_errors": reg.devices.errors}
    try:
        req = reg.settings.requisites()
        facts["requisites"] = asdict(req)
    except Exception as e:  # requisites not set yet is itself a useful fact
        facts["requisites"] = f"not set: {e}"
    v = reg.journal.verify(reg.journal.get_meta("sko_public_key"))
    facts["journal"] = {"ok": v.ok, "documents": v.count, "broken_number": v.broken_number, "reason": v.reason,
                        "pending": len(reg.journal.pending()), "not_printed": len(reg.journal.not_printed()),
                        "open_payment_intents": len(reg.journal.open_intents()), "last_number": reg.journal.last_number()}
    checks = [c.as_dict() for c in run_diagnostics(reg.devices, reg.data_dir, reg.journal, reg.now())]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("facts.json", json.dumps(facts, ensure_ascii=False, indent=1, default=str))
        z.writestr("diagnostics.json", json.dumps(checks, ensure_ascii=False, indent=1))
        logs = Path(reg.data_dir) / "logs"
        for f in sorted(logs.glob("*.log*"))[:8] if logs.is_dir() else []:
            z.write(f, f"logs/{f.name}")
    return path


def send_bundle(register, target: str) -> str:
    """Write the bundle to a directory (USB stick) or ftp://…; returns its file name."""
    from storage.targets import parse_target
    name = f"zpos-support-{register.now()[:19].replace(':', '').replace('-', '').replace('T', '-')}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        path = build_bundle(register, Path(tmp) / name)
        parse_target(target).put(str(path), name)
    return name
