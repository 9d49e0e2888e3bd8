"""The injected clock: real time in production, a movable simulated time in tests and scenarios."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol

MINSK = timezone(timedelta(hours=3))


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(MINSK).replace(microsecond=0)


class SimClock:
    """Starts at a given moment; moves only when told, plus one second per reading so times stay ordered."""

    def __init__(self, start: datetime | str = "2026-01-15T09:00:00+03:00", tick_seconds: int = 1) -> None:
        self._now = datetime.fromisoformat(start) if isinstance(start, str) else start
        if self._now.tzinfo is None:
            self._now = self._now.replace(tzinfo=MINSK)
        self._tick = timedelta(seconds=tick_seconds)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self._now += self._tick
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


_DURATION = re.compile(r"^(\d+)([smhd])$")


def parse_duration(text: str) -> timedelta:
    """'25h' -> 25 hours; also s, m, d."""
    m = _DURATION.match(str(text).strip())
    if not m:
        raise ValueError(f"{text!r} is not a duration such as 30s, 15m, 25h or 2d")
    n, unit = int(m.group(1)), m.group(2)
    return {"s": timedelta(seconds=n), "m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n)}[unit]


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")
