"""glibc malloc settings: they apply on this (glibc) machine and a trim after collecting runs without error."""
from __future__ import annotations

import platform

import pytest

from screens.memory import trim_heap, tune_malloc


@pytest.mark.skipif(platform.system() != "Linux", reason="glibc only")
def test_the_mmap_threshold_is_fixed_and_the_heap_can_be_trimmed():
    assert tune_malloc() is True
    trim_heap()
    trim_heap(collect=False)
