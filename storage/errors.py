"""The storage layer's exception: one class with stable codes and a message a person can act on."""
from __future__ import annotations


class StorageError(Exception):
    """A refused storage operation or a damaged file. `code` is stable; `message` says what to do."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message or code
