"""`zpos install` / `uninstall` and deploy/install.sh into a throw-away root; the units checked by systemd-analyze."""
from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from zpos.cli import main
from zpos.config import load_config

REPO = Path(__file__).resolve().parents[2]
ZPOS = str(Path(sys.executable).with_name("zpos"))
UNITS = ("zpos.service", "zpos-backup.service", "zpos-backup.timer")


def _install(root: Path, *extra: str) -> int:
    return main(["install", "--root", str(root), "--zpos", ZPOS, *extra])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_install_writes_every_file_with_its_mode_and_says_what_it_would_run(tmp_path, capsys):
    root = tmp_path / "root"
    assert _install(root) == 0
    out = capsys.readouterr().out
    assert _mode(root / "var/lib/zpos") == 0o700
    assert _mode(root / "etc/zpos/config.toml") == 0o600
    for f in [*(f"etc/systemd/system/{u}" for u in UNITS), "etc/udev/rules.d/70-zpos.rules", "etc/zpos/devices.tsv"]:
        assert _mode(root / f) == 0o644, f
    assert "would run: useradd --system --user-group --home-dir /var/lib/zpos" in out
    assert "would run: usermod --append --groups dialout,lp,input,video,render zpos" in out
    assert "would run: systemctl enable zpos.service" in out
    assert "ownership not set under --root" in out and "nightly backup not enabled" in out


def test_the_units_start_zpos_as_the_service_user_with_the_watchdog(tmp_path):
    root = tmp_path / "root"
    assert _install(root, "--user", "kassa", "--data", "/srv/kassa", "--config", "/etc/kassa/zpos.toml") == 0
    unit = (root / "etc/systemd/system/zpos.service").read_text(encoding="utf-8")
    assert f"ExecStart={ZPOS} run --fullscreen --config /etc/kassa/zpos.toml --data /srv/kassa" in unit
    for line in ("User=kassa", "Type=notify", "WatchdogSec=180s", "Restart=always", "Environment=SDL_VIDEODRIVER=kmsdrm",
                 "StandardError=journal", "TTYPath=/dev/tty1", "Conflicts=getty@tty1.service",
                 "RestartPreventExitStatus=2"):
        assert line in unit.splitlines(), line
    backup = (root / "etc/systemd/system/zpos-backup.service").read_text(encoding="utf-8")
    assert f"ExecStart={ZPOS} backup --config /etc/kassa/zpos.toml --data /srv/kassa" in backup
    assert "@" not in "".join(line for line in unit.splitlines() if not line.startswith(("#", "Conflicts", "After")))
    cfg = load_config(root / "etc/kassa/zpos.toml")
    assert cfg.data_dir == Path("/srv/kassa") and cfg.backup.target == ""


@functools.cache
def _analyze_works() -> str | None:
    """None when systemd-analyze verify runs here; else why not (the reason the test is skipped)."""
    exe = shutil.which("systemd-analyze")
    if exe is None:
        return "systemd-analyze is not installed"
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"zpos-probe-{os.getpid()}.service"
    probe.write_text("[Service]\nType=oneshot\nExecStart=/bin/true\n", encoding="utf-8")
    try:
        p = subprocess.run([exe, "verify", str(probe)], capture_output=True, text=True, timeout=60)
    finally:
        probe.unlink()
    return None if p.returncode == 0 else f"systemd-analyze verify cannot run in this sandbox: {p.stderr.strip()[:200]}"


@pytest.mark.skipif(_analyze_works() is not None, reason=str(_analyze_works()))
def test_systemd_analyze_verify_accepts_the_units_without_a_warning(tmp_path):
    root = tmp_path / "root"
    assert _install(root, "--backup-target", "/media/usb") == 0
    units = [str(root / "etc/systemd/system" / u) for u in UNITS]
    p = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == "" and p.stderr.strip() == "", p.stderr


@pytest.mark.skipif(_analyze_works() is not None, reason=str(_analyze_works()))
def test_systemd_analyze_would_catch_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt key in a copy of our unit is reported."""
    root = tmp_path / "root"
    assert _install(root) == 0
    unit = root / "etc/systemd/system/zpos.service"
    unit.write_text(unit.read_text(encoding="utf-8").replace("WatchdogSec=", "WatchdogSecs="), encoding="utf-8")
    p = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120)
    assert "Unknown key 'WatchdogSecs'" in p.stderr


def test_a_backup_target_enables_the_nightly_timer(tmp_path, capsys):
    root = tmp_path / "root"
    assert _install(root, "--backup-target", "ftp://kassa:pw@192.0.2.10/zpos") == 0
    assert "would run: systemctl enable --now zpos-backup.timer" in capsys.readouterr().out
    assert load_config(root / "etc/zpos/config.toml").backup.target == "ftp://kassa:pw@192.0.2.10/zpos"
    timer = (root / "etc/systemd/system/zpos-backup.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 02:30:00" in timer and "Persistent=true" in timer


def test_a_reinstall_keeps_the_config_and_the_engineers_table(tmp_path, capsys):
    root = tmp_path / "root"
    assert _install(root) == 0
    config = root / "etc/zpos/config.toml"
    config.write_text('[devices.scale]\nurl = "/dev/zpos-scale"\nprotocol = "mt8217"\n', encoding="utf-8")
    table = root / "etc/zpos/devices.tsv"
    table.write_text("scale 0403 6001 serial=FT12345 our scale\n", encoding="utf-8")
    capsys.readouterr()
    assert _install(root) == 0
    out = capsys.readouterr().out
    assert "kept /etc/zpos/config.toml" in out and "kept /etc/zpos/devices.tsv (1 devices)" in out
    assert load_config(config).devices.scale.protocol == "mt8217"
    rules = (root / "etc/udev/rules.d/70-zpos.rules").read_text(encoding="utf-8")
    assert 'ATTRS{serial}=="FT12345"' in rules and "04b8" not in rules


def test_a_broken_existing_config_stops_the_install_before_anything_changes(tmp_path, capsys):
    root = tmp_path / "root"
    (root / "etc/zpos").mkdir(parents=True)
    (root / "etc/zpos/config.toml").write_text('[devices.sko]\ntimeout = "abc"\n', encoding="utf-8")
    assert _install(root) == 2
    err = capsys.readouterr().err
    assert '[devices.sko] timeout = "abc": expected a number of seconds 0.1…60' in err
    assert not (root / "etc/systemd").exists() and not (root / "var").exists()


def test_a_bad_line_in_the_device_table_is_named(tmp_path, capsys):
    root = tmp_path / "root"
    (root / "etc/zpos").mkdir(parents=True)
    (root / "etc/zpos/devices.tsv").write_text("# mine\nprinter 04b8 zzzz -\n", encoding="utf-8")
    assert _install(root) == 2
    assert "/etc/zpos/devices.tsv:2: product 'zzzz'" in capsys.readouterr().err


@pytest.mark.parametrize("argv,needle", [
    (["--user", "Root Admin"], "--user 'Root Admin'"),
    (["--data", "var/lib/zpos"], "--data 'var/lib/zpos': expected an absolute path"),
    (["--config", "/etc/zpos/my config.toml"], "expected an absolute path without spaces"),
    (["--data", "/var/lib/%h"], "--data '/var/lib/%h'"),
    (["--tty", "pts/3"], "--tty 'pts/3'"),
    (["--kit", "/nonexistent"], "the deploy kit is incomplete or not found"),
])
def test_bad_options_are_one_line_and_exit_2(tmp_path, capsys, argv, needle):
    assert _install(tmp_path / "root", *argv) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "root" / "etc").exists()


def test_uninstall_leaves_the_data_and_the_config_unless_asked(tmp_path, capsys):
    root = tmp_path / "root"
    assert _install(root) == 0
    (root / "var/lib/zpos/journal.sqlite").write_bytes(b"fiscal")
    capsys.readouterr()
    assert main(["uninstall", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert not any((root / "etc/systemd/system" / u).exists() for u in UNITS)
    assert not (root / "etc/udev/rules.d/70-zpos.rules").exists()
    assert (root / "var/lib/zpos/journal.sqlite").read_bytes() == b"fiscal" and (root / "etc/zpos/config.toml").exists()
    assert "would run: systemctl disable --now zpos.service zpos-backup.timer" in out
    assert "kept data directory /var/lib/zpos" in out
    assert main(["uninstall", "--root", str(root), "--remove-data", "--remove-config", "--remove-user"]) == 0
    assert not (root / "var/lib/zpos").exists() and not (root / "etc/zpos").exists()
    assert "would run: userdel zpos" in capsys.readouterr().out


def test_install_sh_installs_into_a_root_with_a_given_zpos(tmp_path):
    root = tmp_path / "root"
    env = {**os.environ, "ZPOS": ZPOS}
    p = subprocess.run(["sh", str(REPO / "deploy/install.sh"), "--root", str(root)], capture_output=True, text=True,
                       env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "wrote /etc/systemd/system/zpos.service" in p.stdout
    assert _mode(root / "etc/zpos/config.toml") == 0o600 and _mode(root / "var/lib/zpos") == 0o700


def test_install_sh_without_a_zpos_for_a_root_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ZPOS"}
    env["PATH"] = "/usr/bin:/bin"
    p = subprocess.run(["sh", str(REPO / "deploy/install.sh"), f"--root={tmp_path / 'root'}"], capture_output=True,
                       text=True, env=env, timeout=60)
    assert p.returncode == 2 and "set ZPOS=/path/to/zpos" in p.stderr and not (tmp_path / "root").exists()


def test_install_sh_is_valid_posix_shell():
    assert subprocess.run(["sh", "-n", str(REPO / "deploy/install.sh")], capture_output=True).returncode == 0
