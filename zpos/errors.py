"""The command line's error: one clear line on stderr and an exit code (kept apart so `python -m zpos.cli` sees one class)."""
from __future__ import annotations


class CliError(Exception):
    """Bad input at the command line: printed as one line on stderr, exit code `code`."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def refusal_line(e) -> str:
    """A coded refusal as one CLI line: the text in the user's language, then the technical detail."""
    text = e.message
    detail = getattr(e, "detail", "")
    return f"{text} ({detail})" if detail and detail not in text else text
