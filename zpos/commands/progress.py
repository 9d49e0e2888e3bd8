"""A progress line on stderr for anything that takes over a second (imports, exports, uploads)."""
from __future__ import annotations

import sys
import time

_PHASES = {"read": "reading", "check": "checking", "apply": "applying", "write": "writing", "fetch": "fetching"}


class ProgressLine:
    """Call it as a storage progress callback: (phase, done, total or None)."""

    def __init__(self, stream=sys.stderr, after_s: float = 1.0) -> None:
        self.stream, self.after = stream, after_s
        self.t0 = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.t0 < self.after or now - self.last < 0.2 and done != total:
            return
        self.last = now
        what = _PHASES.get(phase, phase)
        text = f"{what} {done}/{total} ({done * 100 // total}%)" if total else f"{what} {done}"
        self.stream.write(f"\r{text:<40}")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 40 + "\r")
            self.stream.flush()
