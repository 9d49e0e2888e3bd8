"""The command line's error: one clear line on stderr and an exit code (kept apart so `python -m zpos.cli` sees one class)."""
from __future__ import annotations


class CliError(Exception):
    """Bad input at the command line: printed as one line on stderr, exit code `code`."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
