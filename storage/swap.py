"""Replacing the live data with imported data so that a kill at any instant leaves one whole set, never none.

The swap writes a marker (`.import-swap.json`) before it moves anything and updates it after
each step, fsyncing the directory: `moving_out` → `moving_in` → `placed`. At the next start
`recover` reads the marker: before `placed` it puts the old data back from the backup; at
`placed` it verifies the new journal and only then deletes the backup. The backup is never
deleted before the new state is verified, and a missing journal is never replaced by an
empty one: `check_present` refuses to start instead.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable

from storage.errors import StorageError

LIVE = ("journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm", "store")
MARKER = ".import-swap.json"
BACKUP = ".import-backup"
STAGING = ".import-staging"


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_marker(data_dir: str, phase: str) -> None:
    path = os.path.join(data_dir, MARKER)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"phase": phase}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(data_dir)


def _phase(data_dir: str) -> str | None:
    path = os.path.join(data_dir, MARKER)
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return str(json.load(f).get("phase"))
    except (OSError, ValueError):
        return "moving_out"          # a torn marker: nothing was placed for sure, so put the old data back


def swap_in(data_dir: str, staging: str, verify: Callable[[str], None]) -> None:
    """Move the live data aside and the staged data in; `verify(data_dir)` checks the result before the
    backup is dropped. Any failure puts the old data back; a kill is finished or undone by `recover`."""
    backup = os.path.join(data_dir, BACKUP)
    if os.path.exists(backup) or _phase(data_dir) is not None:
        raise StorageError("IMPORT_FAILED", f"an earlier import in {data_dir} was interrupted; restart the register "
                           "so it is finished or undone first")
    os.makedirs(backup)
    _write_marker(data_dir, "moving_out")
    try:
        for n in LIVE:
            if os.path.exists(os.path.join(data_dir, n)):
                os.replace(os.path.join(data_dir, n), os.path.join(backup, n))
        _fsync_dir(backup)
        _write_marker(data_dir, "moving_in")
        for n in ("journal.sqlite", "store"):
            if os.path.exists(os.path.join(staging, n)):
                os.replace(os.path.join(staging, n), os.path.join(data_dir, n))
        _fsync_dir(data_dir)
        _write_marker(data_dir, "placed")
        verify(data_dir)
    except (OSError, StorageError) as e:
        _roll_back(data_dir)
        if isinstance(e, StorageError):
            raise
        raise StorageError("IMPORT_FAILED", f"the data could not be put in place ({e}); the old data was restored") from None
    _finish(data_dir)


def _roll_back(data_dir: str) -> None:
    backup = os.path.join(data_dir, BACKUP)
    if os.path.isdir(backup):
        for n in LIVE:
            src = os.path.join(backup, n)
            if os.path.exists(src):
                dst = os.path.join(data_dir, n)
                if os.path.isdir(dst):
                    shutil.rmtree(dst)
                elif os.path.exists(dst):
                    os.unlink(dst)
                os.replace(src, dst)
            else:
                dst = os.path.join(data_dir, n)   # placed by the swap, absent before it: remove
                if n.startswith("journal.sqlite-") and os.path.exists(dst):
                    os.unlink(dst)
        _fsync_dir(data_dir)
        shutil.rmtree(backup, ignore_errors=True)
    _clear_leftovers(data_dir)


def _clear_leftovers(data_dir: str) -> None:
    for name in (MARKER, MARKER + ".tmp"):
        if os.path.exists(os.path.join(data_dir, name)):
            os.unlink(os.path.join(data_dir, name))
    shutil.rmtree(os.path.join(data_dir, STAGING), ignore_errors=True)
    _fsync_dir(data_dir)


def _finish(data_dir: str) -> None:
    shutil.rmtree(os.path.join(data_dir, BACKUP), ignore_errors=True)
    _clear_leftovers(data_dir)


def recover(data_dir: str, verify: Callable[[str], None]) -> str | None:
    """At start-up: finish or undo an import a kill interrupted. Returns what was done, or None."""
    phase = _phase(data_dir)
    if phase is None:
        if os.path.isdir(os.path.join(data_dir, BACKUP)):
            _roll_back(data_dir)          # cut before its first marker: nothing was placed, the old data goes back
            return "rolled back"
        if os.path.exists(os.path.join(data_dir, STAGING)) or os.path.exists(os.path.join(data_dir, MARKER + ".tmp")):
            _clear_leftovers(data_dir)
        return None
    if phase == "placed":
        try:
            verify(data_dir)
        except StorageError:
            _roll_back(data_dir)
            return "rolled back"
        _finish(data_dir)
        return "finished"
    _roll_back(data_dir)
    return "rolled back"


JOURNAL_SEEN = "journal.seen"       # written once a journal exists here: its absence later means it was lost


def check_present(data_dir: str) -> None:
    """A data dir whose journal existed once and is gone lost it: refuse to start rather than begin an
    empty one (a fresh install has neither the journal nor the mark)."""
    journal = os.path.join(data_dir, "journal.sqlite")
    seen = os.path.join(data_dir, JOURNAL_SEEN)
    if os.path.exists(journal):
        if not os.path.exists(seen):
            with open(seen, "w", encoding="ascii") as f:
                f.write("the fiscal journal of this register lives in journal.sqlite\n")
                f.flush()
                os.fsync(f.fileno())
            _fsync_dir(data_dir)
        return
    if os.path.exists(seen):
        raise StorageError("JOURNAL_MISSING", f"{journal} is missing (it existed before)", path=str(data_dir))
