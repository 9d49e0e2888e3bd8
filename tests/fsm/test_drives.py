"""Removable drives from a /proc/mounts and a /sys/block laid out as Linux lays them out."""
from __future__ import annotations

from fsm.drives import removable_drives


def _sys(tmp_path, disk: str, removable: str, parts: tuple[str, ...] = ()):
    d = tmp_path / "sys" / disk
    d.mkdir(parents=True)
    (d / "removable").write_text(removable + "\n")
    for p in parts:
        (d / p).mkdir()


def test_only_writable_mounts_on_removable_disks_are_offered_with_their_label_and_size(tmp_path):
    stick = tmp_path / "media" / "KINGSTON 16"
    stick.mkdir(parents=True)
    _sys(tmp_path, "sda", "0", ("sda1",))
    _sys(tmp_path, "sdb", "1", ("sdb1",))
    _sys(tmp_path, "mmcblk0", "1", ("mmcblk0p1",))
    labels = tmp_path / "by-label"
    labels.mkdir()
    (labels / "KINGSTON\\x2016").symlink_to("/dev/sdb1")
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw,relatime 0 0\n"
        f"/dev/sdb1 {str(stick).replace(' ', chr(92) + '040')} vfat rw,relatime 0 0\n"
        f"/dev/mmcblk0p1 {tmp_path} vfat ro,relatime 0 0\n"
        f"tmpfs /mnt tmpfs rw 0 0\n")
    drives = removable_drives(mounts, tmp_path / "sys", labels)
    assert [(d.path, d.label) for d in drives] == [(str(stick), "KINGSTON 16")]
    assert drives[0].size > 0 and 0 <= drives[0].free <= drives[0].size


def test_no_mounts_file_means_no_drives(tmp_path):
    assert removable_drives(tmp_path / "none", tmp_path, tmp_path) == []
