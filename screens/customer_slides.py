"""The shop's slideshow for the customer screen: images from a folder in the data dir, in name order, a fixed time each.

The administrator puts JPEG, PNG, BMP or GIF files into the folder of the parameter
`customer_slides_dir` (loyalty-courier-display.md §3.3.2: playback uses local files only, A-3;
images show for `duration_s`, default 8, A-4). The folder is read again once a round, so
images added or removed show up without a restart. A file is checked by its first bytes (A-2:
the magic bytes, not only the extension) and its size (5 MB, the manifest's `max_image_bytes`);
a file that is too big, is not an image or fails to load is skipped with one log line per
version of the file, never a crash. No image at all → `current()` is None and the screen shows
the shop's welcome text instead (A-5: never blank).

When the folder holds a `playlist.json` (screens.customer_playlist), it decides instead: the
items scheduled now in Europe/Minsk, by priority, each its own time, each file checked against
its sha256. A manifest that cannot be used, or an older version than the one playing, is
logged and the last good one goes on playing (A-2).
"""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pygame

from screens.customer_playlist import MANIFEST, Manifest, ManifestError, read_manifest

log = logging.getLogger("zpos.customer")

SLIDE_SECONDS = 8.0                      # an image's default duration
MAX_IMAGE_BYTES = 5 * 1024 * 1024        # the manifest's limits.max_image_bytes
EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


@dataclass(frozen=True)
class Slide:
    name: str                    # the file's name in the folder
    picture: pygame.Surface      # as loaded, full size
    seconds: float = SLIDE_SECONDS


@dataclass(frozen=True)
class Entry:
    """A file to show next: its name, how long, and what it must be (from the playlist, else the defaults)."""
    name: str
    seconds: float = SLIDE_SECONDS
    sha256: str | None = None
    max_bytes: int = MAX_IMAGE_BYTES


def sniff(head: bytes) -> bool:
    """Whether the first bytes are those of a PNG, JPEG, GIF or BMP file."""
    return any(head.startswith(m) for m in MAGIC)


class SlideShow:
    """`current(now)` is the slide to show at monotonic time `now` (None: nothing showable in the folder)."""

    def __init__(self, folder: Callable[[], Path | None], seconds: float = SLIDE_SECONDS,
                 wall: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._folder = folder
        self.seconds = seconds
        self._wall = wall                                   # the playlist's schedules are in wall-clock time
        self._names: list[Entry] = []
        self._good: Manifest | None = None                  # the playlist last used
        self._logged: set[tuple] = set()                    # manifest problems already logged
        self._index = -1
        self._shown: Slide | None = None
        self._until = 0.0
        self._refused: set[tuple] = set()                   # (name, size, mtime, sha256) already logged as unusable
        self._asked = False                                 # whether `_until` holds for what is shown (even nothing)
        self.skipped: list[str] = []                        # names skipped so far (tests, diagnostics)

    def restart(self) -> None:
        """From the first image again (the till has just become idle)."""
        self._index, self._shown, self._until, self._asked = -1, None, 0.0, False

    def current(self, now: float) -> Slide | None:
        if self._asked and now < self._until:
            return self._shown
        self._shown, self._asked = self._next(), True
        # with nothing to show the folder is looked at again soon: a first image appears within two seconds
        self._until = now + (self._shown.seconds if self._shown else min(2.0, self.seconds))
        return self._shown

    def _next(self) -> Slide | None:
        if self._index + 1 >= len(self._names):        # a round is over: read the folder (and the schedule) again
            self._names, self._index = self._scan(), -1
        for _ in range(len(self._names)):
            self._index = (self._index + 1) % len(self._names)
            slide = self._load(self._names[self._index])
            if slide is not None:
                return slide
        return None

    def _scan(self) -> list[Entry]:
        folder = self._folder()
        if folder is None:
            return []
        manifest = self._manifest(Path(folder))
        if manifest is not None:
            out = []
            for item in manifest.playing(self._wall()):
                if item.type != "image":
                    self._once(("video", item.id), "customer slides: %s (%s) skipped: this screen plays no video",
                               item.id, item.file)
                    continue
                out.append(Entry(item.file, item.duration_s, item.sha256, manifest.max_image_bytes))
            return out
        try:
            return [Entry(n, self.seconds) for n in sorted(
                e.name for e in os.scandir(folder) if e.is_file() and e.name.lower().endswith(EXTENSIONS)
                and not e.name.startswith("."))]
        except FileNotFoundError:
            return []
        except OSError as e:
            log.warning("customer slides: cannot read the folder %s: %s", folder, e.strerror)
            return []

    def _once(self, key: tuple, msg: str, *args) -> None:
        if key not in self._logged:
            self._logged.add(key)
            log.warning(msg, *args)

    def _manifest(self, folder: Path) -> Manifest | None:
        """The playlist to follow: the folder's, unless it is unusable or older than the one playing."""
        try:
            st = (folder / MANIFEST).stat()
            version_key = (st.st_size, st.st_mtime_ns)
        except OSError:
            version_key = None
        try:
            found = read_manifest(folder)
        except ManifestError as e:
            self._once(("manifest", version_key), "customer slides: %s not used: %s%s", folder / MANIFEST, e,
                       f"; version {self._good.version} goes on" if self._good else "; no image is shown until it is fixed")
            # with no good playlist before it, nothing plays: the folder may hold images out of their dates
            return self._good or Manifest("", 0, ())
        if found is None:
            return self._good
        if self._good is not None and found.version < self._good.version:
            self._once(("rollback", version_key), "customer slides: %s version %d is older than %d: not used",
                       folder / MANIFEST, found.version, self._good.version)
            return self._good
        self._good = found
        return found

    def _load(self, entry: Entry) -> Slide | None:
        folder = self._folder()
        if folder is None:
            return None
        name = entry.name
        path = Path(folder) / name
        try:
            st = path.stat()
        except OSError:
            return None                                  # removed since the scan
        key = (name, st.st_size, st.st_mtime_ns, entry.sha256)
        if key in self._refused:
            return None
        why = None
        if st.st_size > entry.max_bytes:
            why = f"{st.st_size} bytes is over the {entry.max_bytes}-byte limit"
        else:
            try:
                data = path.read_bytes()
                if not sniff(data[:16]):
                    why = "not a PNG, JPEG, GIF or BMP file (its first bytes)"
                elif entry.sha256 and hashlib.sha256(data).hexdigest() != entry.sha256:
                    why = "its sha256 is not the playlist's"
                else:
                    return Slide(name, pygame.image.load(str(path)), entry.seconds)
            except (OSError, pygame.error, ValueError) as e:
                why = f"does not load ({e})"
        self._refused.add(key)
        self.skipped.append(name)
        log.warning("customer slides: %s skipped: %s", path, why)
        return None
