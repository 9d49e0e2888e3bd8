"""Password rules of manual §2.3 and the growing wait after each wrong attempt."""
from __future__ import annotations

import time
from collections.abc import Callable

from fsm.errors import OperationError


def check_new_password(pw: str) -> None:
    """At least 4 digits, not all the same, not ascending (1234, 3456789). Raises WEAK_PASSWORD."""
    if not isinstance(pw, str) or not pw.isdigit() or not pw.isascii():
        raise OperationError("WEAK_PASSWORD", variant="WEAK_PASSWORD.digits")
    if len(pw) < 4:
        raise OperationError("WEAK_PASSWORD", variant="WEAK_PASSWORD.short")
    if len(set(pw)) == 1:
        raise OperationError("WEAK_PASSWORD", variant="WEAK_PASSWORD.same")
    if all(int(b) - int(a) == 1 for a, b in zip(pw, pw[1:])):
        raise OperationError("WEAK_PASSWORD", variant="WEAK_PASSWORD.ascending")


class Backoff:
    """Unlimited attempts (manual §2.3), but each wrong one in a row waits longer: 0.25 s doubling up to 4 s."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep, base: float = 0.25, cap: float = 4.0) -> None:
        self._sleep = sleep
        self._base = base
        self._cap = cap
        self.failures = 0

    def delay(self) -> float:
        return 0.0 if self.failures == 0 else min(self._cap, self._base * 2 ** (self.failures - 1))

    def failed(self) -> None:
        self.failures += 1
        self._sleep(self.delay())

    def succeeded(self) -> None:
        self.failures = 0
