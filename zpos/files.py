"""Small file reads the commands share, each failing as one CliError line that names the file."""
from __future__ import annotations

from zpos.errors import CliError


def read_key(path: str, what: str) -> str:
    """A PEM key file's text (ASCII)."""
    try:
        with open(path, encoding="ascii") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise CliError(f"cannot read {what} {path}: {e}", 2) from None
