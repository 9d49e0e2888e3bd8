"""USB drives are mounted removable media found by label and size from a (fake) /proc/mounts, /sys/block and /dev."""
from __future__ import annotations

import os

import pytest

from storage.targets import ArchiveError, find_usb_drives, parse_target


def fake_root(tmp_path, drives):
    """drives: (device, disk, removable, label, sectors, on_usb) — builds proc/mounts, sys/block, dev/disk/by-label."""
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    (root / "dev" / "disk" / "by-label").mkdir(parents=True)
    lines = ["sysfs /sys sysfs rw 0 0", "/dev/nvme0n1p2 / ext4 rw 0 0", "tmpfs /mnt/ramdisk tmpfs rw 0 0"]
    (root / "sys" / "block" / "nvme0n1" / "nvme0n1p2").mkdir(parents=True)
    (root / "sys" / "block" / "nvme0n1" / "removable").write_text("0\n")
    for dev, disk, removable, label, sectors, on_usb in drives:
        mnt = tmp_path / "media" / (label or dev)
        mnt.mkdir(parents=True)
        real = root / "sys" / "devices" / ("usb1/1-1" if on_usb else "pci0") / disk
        (real / dev).mkdir(parents=True)
        (real / "removable").write_text(f"{int(removable)}\n")
        (real / dev / "size").write_text(f"{sectors}\n")
        os.symlink(real, root / "sys" / "block" / disk)
        if label:
            os.symlink(f"../../{dev}", root / "dev" / "disk" / "by-label" / label.replace(" ", "\\x20"))
        lines.append(f"/dev/{dev} {str(mnt).replace(' ', chr(92) + '040')} vfat rw 0 0")
    (root / "proc" / "mounts").write_text("\n".join(lines) + "\n")
    return str(root) + "/"


def test_only_removable_or_usb_attached_mounted_disks_are_drives(tmp_path):
    root = fake_root(tmp_path, [("sdb1", "sdb", True, "KASSA USB", 7_800_000, True),
                                ("sdc1", "sdc", False, "BACKUP", 1_000_000, True),
                                ("sdd1", "sdd", False, "INTERNAL", 500, False)])
    drives = {d.label: d for d in find_usb_drives(root)}
    assert set(drives) == {"KASSA USB", "BACKUP"}
    assert drives["KASSA USB"].size == 7_800_000 * 512 and drives["KASSA USB"].mountpoint.endswith("KASSA USB")


def test_a_usb_url_writes_into_the_labelled_drive(tmp_path):
    root = fake_root(tmp_path, [("sdb1", "sdb", True, "KASSA", 1000, True)])
    src = tmp_path / "a.zposdb"
    src.write_bytes(b"data")
    t = parse_target("usb:KASSA/zpos", usb_root=root)
    t.put(str(src), "a.zposdb")
    assert (tmp_path / "media" / "KASSA" / "zpos" / "a.zposdb").read_bytes() == b"data"
    assert t.list() == ["a.zposdb"] and t.free_space() > 0


def test_no_drive_or_the_wrong_label_is_said_plainly(tmp_path):
    root = fake_root(tmp_path, [("sdb1", "sdb", True, "KASSA", 1000, True)])
    with pytest.raises(ArchiveError) as e:
        parse_target("usb:OTHER/x", usb_root=root).list()
    assert e.value.code == "NO_USB" and e.value.params["label"] == "OTHER"
    assert len(find_usb_drives(str(tmp_path / "empty"))) == 0
