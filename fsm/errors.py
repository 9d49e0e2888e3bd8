"""The operation error: a stable code of contracts.md §3 and a translated message for the screen."""
from __future__ import annotations

from zpos.i18n import t


class OperationError(Exception):
    """A refused operation. Nothing fiscal changed when it is raised before the SKO step."""

    def __init__(self, code: str, message: str | None = None, **kw: object) -> None:
        self.code = code
        self.message = message if message is not None else t(f"error.{code}", **kw)
        super().__init__(f"{code}: {self.message}")
