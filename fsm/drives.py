"""Mounted removable drives (USB sticks, SD cards) by label and size, read from /proc/mounts and /sys/block."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Drive:
    path: str            # the mount point
    label: str           # the file system's label, else the mount point's name
    size: int            # bytes
    free: int            # bytes


def _unescape(field: str) -> str:
    """/proc/mounts writes a space as \\040 (and tab, newline, backslash likewise in octal)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _disk_of(dev: str, sys_block: Path) -> str | None:
    """The whole disk a block device belongs to: sdb1 → sdb, mmcblk0p1 → mmcblk0."""
    if (sys_block / dev).is_dir():
        return dev
    try:
        for disk in os.listdir(sys_block):
            if (sys_block / disk / dev).is_dir():
                return disk
    except OSError:
        return None
    return None


def _removable(disk: str, sys_block: Path) -> bool:
    try:
        if (sys_block / disk / "removable").read_text().strip() == "1":
            return True
        return "/usb" in os.path.realpath(sys_block / disk)       # USB disks that call themselves fixed
    except OSError:
        return False


def _labels(by_label: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        for name in os.listdir(by_label):
            out[os.path.basename(os.path.realpath(by_label / name))] = _unescape(name.replace("\\x20", " "))
    except OSError:
        pass
    return out


def removable_drives(mounts: str | Path = "/proc/mounts", sys_block: str | Path = "/sys/block",
                     by_label: str | Path = "/dev/disk/by-label") -> list[Drive]:
    """Writable mounted file systems on removable disks, in mount order."""
    sys_block, labels = Path(sys_block), _labels(Path(by_label))
    try:
        rows = Path(mounts).read_text().splitlines()
    except OSError:
        return []
    out: list[Drive] = []
    for row in rows:
        parts = row.split()
        if len(parts) < 4 or not parts[0].startswith("/dev/"):
            continue
        dev, mount, options = os.path.basename(parts[0]), _unescape(parts[1]), parts[3].split(",")
        disk = _disk_of(dev, sys_block)
        if disk is None or not _removable(disk, sys_block) or "ro" in options:
            continue
        try:
            st = os.statvfs(mount)
        except OSError:
            continue
        out.append(Drive(mount, labels.get(dev) or os.path.basename(mount.rstrip("/")) or mount,
                         st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize))
    return out
