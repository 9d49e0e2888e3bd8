"""Logs: rotating files in the data directory, stderr (the journal under systemd); protocol traces in their own file."""
from __future__ import annotations

import logging
import logging.handlers
import os
from collections.abc import Mapping
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# sd-daemon(3) priority prefixes: the journal reads "<N>" at the start of a stderr line as its syslog level.
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class JournalFormatter(logging.Formatter):
    """`<6>zpos.sko: message`: the journal stamps the time itself and keeps the level as the entry's priority."""

    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        prio = _PRIORITY.get(record.levelno, 7 if record.levelno < logging.INFO else 3)
        return f"<{prio}>{super().format(record)}"


def stderr_is_journal(env: Mapping[str, str] | None = None) -> bool:
    """True when systemd connected stderr to the journal: $JOURNAL_STREAM names stderr's device:inode (systemd.exec(5))."""
    value = (os.environ if env is None else env).get("JOURNAL_STREAM", "")
    try:
        st = os.fstat(2)
    except OSError:
        return False
    return value == f"{st.st_dev}:{st.st_ino}"


def setup_logging(data_dir: Path, *, verbose: bool = False, journal: bool | None = None) -> Path:
    """zpos.log (1 MB × 5) for everything, trace.log (2 MB × 3) for `zpos.trace.*`; returns the log folder.

    On stderr: warnings (everything with `verbose`); when stderr is the journal (`journal`, detected
    when None), information too, each line with its syslog priority, so `journalctl -u zpos` has the
    same story as DATA/logs/zpos.log without the hex traces."""
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("zpos")
    root.setLevel(logging.DEBUG)
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    main = logging.handlers.RotatingFileHandler(folder / "zpos.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    main.setLevel(logging.INFO)
    main.setFormatter(logging.Formatter(FORMAT))
    main.addFilter(lambda r: not r.name.startswith("zpos.trace"))
    trace = logging.handlers.RotatingFileHandler(folder / "trace.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    trace.setLevel(logging.DEBUG)
    trace.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    trace.addFilter(lambda r: r.name.startswith("zpos.trace"))
    err = logging.StreamHandler()
    if stderr_is_journal() if journal is None else journal:
        err.setLevel(logging.DEBUG if verbose else logging.INFO)
        err.setFormatter(JournalFormatter())
        err.addFilter(lambda r: not r.name.startswith("zpos.trace"))
    else:
        err.setLevel(logging.DEBUG if verbose else logging.WARNING)
        err.setFormatter(logging.Formatter(FORMAT))
    for h in (main, trace, err):
        root.addHandler(h)
    return folder
