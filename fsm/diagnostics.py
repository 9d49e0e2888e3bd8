"""Diagnostics — the one set of checks behind both the diagnostics screen and `zpos diag`.

Each device, the SKO and its link to the operator, storage and the journal: OK or a problem,
with the reason in words a field engineer acts on. Checks only read state through the same
drivers the register uses; nothing is changed and nothing is sent outside the devices.
"""
from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from fiscal.sko_cheque import compare
from hal.errors import DeviceError
from hal.printer import error_for
from storage.journal import Journal
from storage.targets.check import check_configured
from texts import t


@dataclass(frozen=True)
class Check:
    id: str
    title: str           # what was checked (translated)
    ok: bool
    detail: str          # the reading when OK, the reason and what to do when not (translated)
    trace: str = ""      # what the wire said (ports, timings, frames): for the engineer's trace, in English

    def as_dict(self) -> dict:
        return asdict(self)


def _run(id_: str, title: str, fn) -> Check:
    try:
        ok, detail = fn()
    except DeviceError as e:
        return Check(id_, title, False, e.message, e.detail)
    except OSError as e:
        return Check(id_, title, False, t("error.STORAGE_IO"), str(e))
    return Check(id_, title, ok, detail)


def run_diagnostics(devices, data_dir: Path, journal=None, now: str | None = None,
                    offline_limit_hours: int = 72) -> list[Check]:
    """Every check, in the order a field engineer walks them. `journal` is the register's open one, if any."""
    dev = devices
    out: list[Check] = []

    def sko():
        info = dev.sko.info()
        st = dev.sko.status(now)
        return True, f"{info.serial}; " + t("ui.diag.sko_ok", unsent=st.unsent_count)
    out.append(_run("sko", t("ui.diag.sko"), sko))

    def uplink():
        st = dev.sko.status(now)
        oldest = st.oldest_unsent_at or _oldest_unsent(journal, data_dir, st.unsent_count)
        hours = _unsent_hours(oldest, now)
        if hours is not None and hours >= offline_limit_hours * 0.75:
            # The SKO stops taking documents once they wait for the operator too long (the parameter says when).
            return False, t("ui.diag.uplink_limit", hours=hours, left=max(0, offline_limit_hours - hours),
                            unsent=st.unsent_count)
        if st.uplink_online:
            return True, t("ui.diag.uplink_ok")
        return False, t("ui.diag.uplink_down", unsent=st.unsent_count)
    out.append(_run("uplink", t("ui.diag.internet"), uplink))

    def printer():
        if dev.printer is None:
            return False, dev.errors.get("printer") or t("ui.diag.not_configured")
        err = error_for(dev.printer.status())
        return (True, t("ui.diag.ready")) if err is None else (False, err.message)
    out.append(_run("printer", t("ui.diag.printer"), printer))

    def scale():
        if dev.scale is None:
            return False, dev.errors.get("scale") or t("ui.diag.not_configured")
        r = dev.scale.read()
        return True, t("ui.diag.scale_ok", kg=f"{r.weight_g // 1000}.{r.weight_g % 1000:03d}")
    out.append(_run("scale", t("ui.diag.scale"), scale))

    for name, term in dev.terminals.items():
        def terminal(term=term):
            res = term.test()
            return (True, t("ui.diag.bank_ok")) if res.approved else (False, res.message or str(res.status))
        out.append(_run(f"terminal:{name}", t("ui.diag.terminal", name=name), terminal))
    for key, why in dev.errors.items():
        if key.startswith("terminal"):
            out.append(Check(key, key, False, why))

    out.append(Check("scanner", t("ui.diag.scanner"), dev.scanner is not None,
                     t("ui.diag.connected") if dev.scanner is not None
                     else dev.errors.get("scanner") or t("ui.diag.not_configured")))

    def oplati():
        if dev.oplati is None:
            return False, t("ui.diag.not_configured")
        dev.oplati.report("diag")                        # the service answers (and accepts our credentials)
        return True, t("ui.diag.configured")
    out.append(_run("oplati", t("ui.diag.oplati"), oplati))

    def storage():
        free = shutil.disk_usage(data_dir).free // (1024 * 1024)
        if free < 200:
            return False, t("ui.diag.disk_low", mb=free)
        return True, t("ui.diag.disk_ok", mb=free, docs=_journal(journal, data_dir, lambda j: j.count()))
    out.append(_run("storage", t("ui.diag.storage"), storage))

    def chain():
        v = _journal(journal, data_dir, lambda j: j.verify(j.get_meta("sko_public_key")))
        if not v.ok:
            return False, t("ui.diag.journal_broken", number=v.broken_number, reason=v.reason)
        return True, t("ui.diag.journal_ok", docs=v.count)
    out.append(_run("journal", t("ui.diag.journal_chain"), chain))

    for r in check_configured(str(data_dir)):
        out.append(Check(f"target:{r.name}", t("ui.diag.target", name=r.name), r.ok, r.words, r.detail))

    def sko_figures():
        shift, differing = _journal(journal, data_dir, _sko_differences)
        if not differing:
            return True, t("ui.diag.sko_figures_ok", shift=shift)
        number, diffs = differing[-1]
        return False, t("ui.diag.sko_figures_differ", n=len(differing), shift=shift, number=number,
                        first=str(diffs[0]))
    out.append(_run("sko_figures", t("ui.diag.sko_figures"), sko_figures))

    def printed():
        n = _journal(journal, data_dir, lambda j: len(j.not_printed()))
        return (n == 0), (t("ui.diag.all_printed") if not n else t("ui.diag.not_printed", n=n))
    out.append(_run("not_printed", t("ui.diag.journal"), printed))
    return out


def _sko_differences(j) -> tuple[int, list]:
    """(the last shift, [(number, differences)]): its documents the SKO computed otherwise than the register
    (they were registered and printed as the SKO computed them; fsm.fiscal_path logs each one)."""
    last = j.last_document()
    if last is None:
        return 0, []
    out = []
    for e in j.shift_documents(last.shift):
        if e.registration is not None and (diffs := compare(e.doc, e.registration.cheque)):
            out.append((e.number, diffs))
    return last.shift, out


def _oldest_unsent(journal, data_dir: Path, unsent: int) -> str | None:
    """The SKO tells only how many documents wait (getStoredDocuments): they are the journal's last ones."""
    if unsent <= 0:
        return None

    def first_waiting(j):
        entry = j.by_number(j.last_number() - unsent + 1)
        return entry.registration.time if entry is not None and entry.registration is not None else None
    return _journal(journal, data_dir, first_waiting)


def _unsent_hours(oldest: str | None, now: str | None) -> int | None:
    if not oldest or not now:
        return None
    try:
        return int((datetime.fromisoformat(now) - datetime.fromisoformat(oldest)).total_seconds() // 3600)
    except ValueError:
        return None


def _journal(journal, data_dir: Path, fn):
    if journal is not None:
        return fn(journal)
    with Journal(Path(data_dir) / "journal.sqlite") as j:
        return fn(j)
