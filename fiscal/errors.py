"""The fiscal layer's exception: one class, stable codes from contracts.md §2 and §3."""
from __future__ import annotations


class FiscalError(Exception):
    """A rejected fiscal input or operation. `code` is stable; `message` is for people."""

    def __init__(self, code: str, message: str, item: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.item = item

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "item": self.item}}
