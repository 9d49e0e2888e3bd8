"""Logs: rotating files in the data directory plus warnings on stderr; protocol traces in their own file."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(data_dir: Path, *, verbose: bool = False) -> Path:
    """zpos.log (1 MB × 5) for everything, trace.log (2 MB × 3) for `zpos.trace.*`; returns the log folder."""
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("zpos")
    root.setLevel(logging.DEBUG)
    for h in list(root.handlers):
        root.removeHandler(h)
    main = logging.handlers.RotatingFileHandler(folder / "zpos.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    main.setLevel(logging.INFO)
    main.setFormatter(logging.Formatter(FORMAT))
    main.addFilter(lambda r: not r.name.startswith("zpos.trace"))
    trace = logging.handlers.RotatingFileHandler(folder / "trace.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    trace.setLevel(logging.DEBUG)
    trace.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    trace.addFilter(lambda r: r.name.startswith("zpos.trace"))
    err = logging.StreamHandler()
    err.setLevel(logging.DEBUG if verbose else logging.WARNING)
    err.setFormatter(logging.Formatter(FORMAT))
    for h in (main, trace, err):
        root.addHandler(h)
    return folder
