"""The shop's slideshow for the customer screen: images from a folder in the data dir, in name order, a fixed time each.

The administrator puts JPEG, PNG, BMP or GIF files into the folder of the parameter
`customer_slides_dir` (loyalty-courier-display.md §3.3.2: playback uses local files only, A-3;
images show for `duration_s`, default 8, A-4). The folder is read again once a round, so
images added or removed show up without a restart. A file is checked by its first bytes (A-2:
the magic bytes, not only the extension) and its size (5 MB, the manifest's `max_image_bytes`);
a file that is too big, is not an image or fails to load is skipped with one log line per
version of the file, never a crash. No image at all → `current()` is None and the screen shows
the shop's welcome text instead (A-5: never blank).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pygame

log = logging.getLogger("zpos.customer")

SLIDE_SECONDS = 8.0                      # an image's default duration
MAX_IMAGE_BYTES = 5 * 1024 * 1024        # the manifest's limits.max_image_bytes
EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


@dataclass(frozen=True)
class Slide:
    name: str                    # the file's name in the folder
    picture: pygame.Surface      # as loaded, full size


def sniff(head: bytes) -> bool:
    """Whether the first bytes are those of a PNG, JPEG, GIF or BMP file."""
    return any(head.startswith(m) for m in MAGIC)


class SlideShow:
    """`current(now)` is the slide to show at monotonic time `now` (None: nothing showable in the folder)."""

    def __init__(self, folder: Callable[[], Path | None], seconds: float = SLIDE_SECONDS) -> None:
        self._folder = folder
        self.seconds = seconds
        self._names: list[str] = []
        self._index = -1
        self._shown: Slide | None = None
        self._until = 0.0
        self._refused: set[tuple[str, int, int]] = set()    # (name, size, mtime) already logged as unusable
        self.skipped: list[str] = []                        # names skipped so far (tests, diagnostics)

    def restart(self) -> None:
        """From the first image again (the till has just become idle)."""
        self._index, self._shown, self._until = -1, None, 0.0

    def current(self, now: float) -> Slide | None:
        if self._shown is not None and now < self._until:
            return self._shown
        self._shown = self._next()
        self._until = now + self.seconds
        return self._shown

    def _next(self) -> Slide | None:
        if self._index + 1 >= len(self._names):        # a round is over: read the folder again
            self._names, self._index = self._scan(), -1
        for _ in range(len(self._names)):
            self._index = (self._index + 1) % len(self._names)
            slide = self._load(self._names[self._index])
            if slide is not None:
                return slide
        return None

    def _scan(self) -> list[str]:
        folder = self._folder()
        if folder is None:
            return []
        try:
            return sorted(e.name for e in os.scandir(folder) if e.is_file() and e.name.lower().endswith(EXTENSIONS)
                          and not e.name.startswith("."))
        except FileNotFoundError:
            return []
        except OSError as e:
            log.warning("customer slides: cannot read the folder %s: %s", folder, e.strerror)
            return []

    def _load(self, name: str) -> Slide | None:
        folder = self._folder()
        if folder is None:
            return None
        path = Path(folder) / name
        try:
            st = path.stat()
        except OSError:
            return None                                  # removed since the scan
        key = (name, st.st_size, st.st_mtime_ns)
        if key in self._refused:
            return None
        why = None
        if st.st_size > MAX_IMAGE_BYTES:
            why = f"{st.st_size} bytes is over the {MAX_IMAGE_BYTES}-byte limit"
        else:
            try:
                with open(path, "rb") as f:
                    head = f.read(16)
                if not sniff(head):
                    why = "not a PNG, JPEG, GIF or BMP file (its first bytes)"
                else:
                    return Slide(name, pygame.image.load(str(path)))
            except (OSError, pygame.error, ValueError) as e:
                why = f"does not load ({e})"
        self._refused.add(key)
        self.skipped.append(name)
        log.warning("customer slides: %s skipped: %s", path, why)
        return None
