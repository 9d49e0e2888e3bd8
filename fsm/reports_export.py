"""«Выгрузка отчетов при закрытии смены»: the Z report as text and JSON to a directory or FTP after the shift closes."""
from __future__ import annotations

import json
import logging
import os
import tempfile

from fiscal.layout import plain_text, render
from storage.errors import StorageError

log = logging.getLogger("zpos.reports")


def export_z(register, entry) -> str | None:
    """Put `z-SHIFT.txt` and `z-SHIFT.json` on the configured target; returns a notice when it could not.

    The shift is already closed and registered: a failed upload is reported to the cashier,
    never turned into a refusal."""
    spec = register.params.reports_target
    if not spec:
        return None
    from storage.targets import parse_target
    doc, reg = entry.doc, entry.registration
    text = plain_text(render(doc, reg, register.settings.requisites(), register.params.printer_width))
    body = {"shift": doc.shift, "number": reg.number, "uid": reg.uid, "closed": doc.created, "counters": doc.counters}
    try:
        target = parse_target(spec)
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in ((f"z-{doc.shift:05d}.txt", text.encode("utf-8")),
                               (f"z-{doc.shift:05d}.json", json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))):
                path = os.path.join(tmp, name)
                with open(path, "wb") as f:
                    f.write(data)
                target.put(path, name)
    except (StorageError, OSError) as e:
        log.warning("Z report of shift %s not exported to %s: %s", doc.shift, spec, e)
        return register.t("notice.reports_not_exported", why=getattr(e, "message", str(e)))
    return None
