"""USB drives: mounted removable media found from /proc/mounts and /sys/block (by label and size), never any folder under /mnt."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from storage.targets.base import ArchiveError, Entry, ListMixin
from storage.targets.local import DirTarget


@dataclass(frozen=True)
class UsbDrive:
    label: str          # the filesystem label (or the mount point's name when it has none)
    device: str         # /dev/sdb1
    mountpoint: str
    size: int | None    # bytes
    fstype: str


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _disk_of(part: str, sys_block: str) -> str | None:
    """The whole disk a partition belongs to (sdb1 → sdb, mmcblk0p1 → mmcblk0), as named under /sys/block."""
    if os.path.isdir(os.path.join(sys_block, part)):
        return part
    for disk in os.listdir(sys_block) if os.path.isdir(sys_block) else ():
        if os.path.isdir(os.path.join(sys_block, disk, part)):
            return disk
    return None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def _labels(by_label: str) -> dict[str, str]:
    """device basename → label, from the udev links /dev/disk/by-label/<label> → ../../sdb1."""
    out = {}
    if os.path.isdir(by_label):
        for name in os.listdir(by_label):
            target = os.path.basename(os.readlink(os.path.join(by_label, name))) \
                if os.path.islink(os.path.join(by_label, name)) else None
            if target:
                out[target] = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), name)
    return out


def find_usb_drives(root: str = "/") -> list[UsbDrive]:
    """Mounted filesystems on removable or USB-attached disks; `root` lets tests pass a fake /proc, /sys and /dev."""
    mounts = os.path.join(root, "proc", "mounts")
    sys_block = os.path.join(root, "sys", "block")
    labels = _labels(os.path.join(root, "dev", "disk", "by-label"))
    drives = []
    try:
        with open(mounts, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split()
        if len(parts) < 3 or not parts[0].startswith("/dev/"):
            continue
        dev, mountpoint, fstype = parts[0], _unescape(parts[1]), parts[2]
        part = os.path.basename(dev)
        disk = _disk_of(part, sys_block)
        if disk is None:
            continue
        removable = _read(os.path.join(sys_block, disk, "removable")) == "1"
        on_usb = "/usb" in os.path.realpath(os.path.join(sys_block, disk))
        if not (removable or on_usb):
            continue
        sectors = _read(os.path.join(sys_block, disk, part, "size") if part != disk
                        else os.path.join(sys_block, disk, "size"))
        size = int(sectors) * 512 if sectors and sectors.isdigit() else None
        drives.append(UsbDrive(labels.get(part) or os.path.basename(mountpoint.rstrip("/")) or part, dev,
                               mountpoint, size, fstype))
    return drives


@dataclass(frozen=True)
class UsbTarget(ListMixin):
    """`usb:LABEL/path`: the drive is looked up at each use, so a stick can be swapped between operations."""
    drive_label: str = ""        # empty: the only USB drive there is
    folder: str = ""
    root: str = "/"

    @property
    def label(self) -> str:
        return f"usb:{self.drive_label}/{self.folder}".rstrip("/")

    def _dir(self) -> DirTarget:
        drives = find_usb_drives(self.root)
        if self.drive_label:
            drives = [d for d in drives if d.label == self.drive_label]
        if len(drives) != 1:
            raise ArchiveError("NO_USB", f"{len(drives)} USB drives match {self.drive_label or 'any label'} "
                               f"(mounted removable media in {self.root}proc/mounts)", label=self.drive_label or "USB")
        path = os.path.join(drives[0].mountpoint, *[p for p in self.folder.split("/") if p])
        os.makedirs(path, exist_ok=True)
        return DirTarget(path)

    def entries(self, folder: str = "") -> list[Entry]:
        return self._dir().entries(folder)

    def get(self, name: str, local_path: str) -> None:
        self._dir().get(name, local_path)

    def put(self, local_path: str, name: str) -> None:
        self._dir().put(local_path, name)

    def mkdir(self, folder: str) -> None:
        self._dir().mkdir(folder)

    def stat(self, name: str) -> Entry | None:
        return self._dir().stat(name)

    def free_space(self) -> int | None:
        return self._dir().free_space()
