"""glibc malloc settings for a process that runs for days and remakes screens all day (no-ops elsewhere).

Measured on the soak (sales by taps): the Python heap holds no more after a thousand sales than
before, yet RSS climbed ~20 MB per 1,000 sales. The freed pages of rebuilt screens (pygame surfaces
of 50 KB–2.5 MB: button faces, the frozen screen under a progress sheet) stayed mapped: glibc raises
its mmap threshold after the first large free, so later surfaces come from the heap and fragment it.
A fixed threshold sends large surfaces to mmap (returned on free). pygame_gui's text layouts
(TextBoxLayout ↔ rows ↔ chunks, ~75 per sale) and panels (↔ their container) are reference cycles, so
a killed screen's text waits for a full garbage collection, which comes seldom; `Ui.panel` therefore
draws an image, and at each change of screen the App collects (≈ 10–20 ms) and trims the heap.
"""
from __future__ import annotations

import ctypes
import gc

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def _libc():
    try:
        lib = ctypes.CDLL(None)
        return lib if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else None
    except OSError:
        return None


_LIB = _libc()


def tune_malloc(mmap_threshold: int = 128 * 1024) -> bool:
    """Fix glibc's mmap threshold (and the trim threshold with it); False where there is no glibc."""
    if _LIB is None:
        return False
    return bool(_LIB.mallopt(M_MMAP_THRESHOLD, mmap_threshold)) and bool(_LIB.mallopt(M_TRIM_THRESHOLD, 2 * mmap_threshold))


def trim_heap(collect: bool = True) -> None:
    """Free the cycles of killed elements (`collect`) and give glibc's free pages back to the system."""
    if collect:
        gc.collect()
    if _LIB is not None:
        _LIB.malloc_trim(0)
