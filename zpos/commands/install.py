"""`zpos install` / `zpos uninstall`: the register as a boot-time service on a Debian-based POS terminal.

From the deploy kit (deploy/: systemd unit templates, the udev device table, the config
template) it creates the service user, the data directory (0700), the config (0600, never
overwritten), the units and the udev rules, and prints one line per thing it did. With
`--root DIR` it writes the same files under DIR and prints the commands (useradd, systemctl,
udevadm) it would run on a live system: an image build, or a preview.
"""
from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from zpos.errors import CliError

UNITS = ("zpos.service", "zpos-backup.service", "zpos-backup.timer")
UNIT_DIR = "/etc/systemd/system"
RULES_DIR = "/etc/udev/rules.d"
# dialout: serial ports; lp: usblp and raw USB printers; input: HID scanner, touch screen and keys
# (SDL's kmsdrm reads evdev); video, render: the DRM/GBM display.
GROUPS = ("dialout", "lp", "input", "video", "render")
_USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_TTY = re.compile(r"tty\d{1,2}")


def register(sub) -> None:
    p = sub.add_parser("install", help="install the register as a systemd service (user, data dir, config, units, "
                                       "udev rules); --root DIR writes into a directory instead")
    _common(p)
    p.add_argument("--zpos", help="the zpos executable the units start (default: this one)")
    p.add_argument("--kit", type=Path, help="the deploy/ folder with the templates (default: the one of this source tree)")
    p.add_argument("--tty", default="tty1", help="the console the workstation takes (default tty1)")
    p.add_argument("--backup-target", default="", help="a new config's [backup] target (a directory or ftp://…)")
    p.add_argument("--now", action="store_true", help="start the workstation at once instead of at the next boot")
    p.set_defaults(func=run_install)
    u = sub.add_parser("uninstall", help="remove the service, timer and udev rules; the data directory stays "
                                         "unless --remove-data")
    _common(u)
    u.add_argument("--remove-config", action="store_true", help="also remove the config and the device table")
    u.add_argument("--remove-data", action="store_true", help="also remove the data directory: the fiscal journal "
                                                              "and every document (export it first: zpos backup)")
    u.add_argument("--remove-user", action="store_true", help="also remove the service user")
    u.set_defaults(func=run_uninstall)


def _common(p) -> None:
    p.add_argument("--root", type=Path, default=Path("/"), help="install into this directory instead of the system")
    p.add_argument("--user", default="zpos", help="the unprivileged user the service runs as (default zpos)")
    p.add_argument("--data", default="/var/lib/zpos", help="the data directory on the target (default /var/lib/zpos)")
    p.add_argument("--config", default="/etc/zpos/config.toml", help="the config file on the target")


class Host:
    """Where the files go (ROOT + target path) and whether commands run (live) or are only printed."""

    def __init__(self, root: Path, user: str) -> None:
        self.root = root.resolve()
        self.live = self.root == Path("/")
        self.user = user
        if self.live and os.geteuid() != 0:
            raise CliError("run it as root (sudo), or give --root DIR to write the files into a directory", 2)

    def path(self, target: str | Path) -> Path:
        return self.root / Path(target).relative_to("/")

    def say(self, text: str) -> None:
        print(text, flush=True)

    def run(self, *argv: str, check: bool = True) -> None:
        shown = shlex.join(argv)
        if not self.live:
            self.say(f"would run: {shown}")
            return
        self.say(f"run: {shown}")
        p = subprocess.run(argv, capture_output=True, text=True)
        if p.returncode != 0 and check:
            why = (p.stderr or p.stdout).strip().splitlines()
            raise CliError(f"{shown}: exit {p.returncode}: {why[-1] if why else 'no message'}", 1)

    def owner(self, path: Path) -> None:
        """Give `path` to the service user (live only; --root leaves ownership to the image's own install)."""
        if not self.live:
            return
        pw = pwd.getpwnam(self.user)
        os.chown(path, pw.pw_uid, pw.pw_gid)

    def write(self, target: str, text: str, mode: int, *, owned: bool = False) -> Path:
        """Write atomically with `mode` from the start (a secret is never readable by others, even briefly)."""
        path = self.path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            if owned:
                self.owner(Path(tmp))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


def _check_args(args) -> None:
    if not _USER.fullmatch(args.user):
        raise CliError(f"--user {args.user!r}: expected a user name such as zpos (a-z, 0-9, _ and -)", 2)
    for opt in ("data", "config"):
        value = getattr(args, opt)
        # Unit files treat % as a specifier and whitespace as a separator: refuse rather than quote.
        if not value.startswith("/") or re.search(r"[\s%\"'\\]", value) or ".." in Path(value).parts:
            raise CliError(f"--{opt} {value!r}: expected an absolute path without spaces, quotes or %", 2)


def _kit(args) -> Path:
    kit = args.kit or Path(__file__).resolve().parents[2] / "deploy"
    needed = [kit / "config.toml.in", kit / "udev" / "devices.tsv", *(kit / "systemd" / f"{u}.in" for u in UNITS)]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise CliError(f"the deploy kit is incomplete or not found ({missing[0]}): give --kit DIR, the deploy/ folder "
                       "of the zPOS-BY source", 2)
    return kit


def _zpos_executable(value: str | None) -> str:
    if value:
        exe = value
    else:
        sibling = Path(sys.executable).with_name("zpos")
        exe = str(sibling) if sibling.is_file() else (shutil.which("zpos") or "")
    if not exe or not exe.startswith("/") or re.search(r"[\s%\"'\\]", exe):
        raise CliError(f"--zpos {exe!r}: expected the absolute path of the zpos executable (without spaces)", 2)
    return exe


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    left = re.search(r"@[A-Z_]+@", template)
    if left:
        raise CliError(f"template placeholder {left.group(0)} has no value", 2)
    return template


def run_install(args) -> int:
    from zpos.config import ConfigError, load_config, parse_config
    from zpos.udev_rules import RULES_NAME, TableError, parse_table, render_rules
    _check_args(args)
    if not _TTY.fullmatch(args.tty):
        raise CliError(f"--tty {args.tty!r}: expected a console such as tty1", 2)
    host = Host(args.root, args.user)
    kit, exe = _kit(args), _zpos_executable(args.zpos)
    values = {"USER": args.user, "DATA": args.data, "CONFIG": args.config, "ZPOS": exe, "TTY": args.tty,
              "BACKUP_TARGET": json.dumps(args.backup_target, ensure_ascii=False)}
    config_path = host.path(args.config)
    # Check everything that can be wrong before changing anything.
    try:
        if config_path.exists():
            cfg = load_config(config_path)
            new_config = None
        else:
            new_config = _fill((kit / "config.toml.in").read_text(encoding="utf-8"), values)
            cfg = parse_config(new_config.encode("utf-8"), str(args.config))
    except ConfigError as e:
        raise CliError(f"{e} (fix the config, then install again)", 2) from None
    table_target = str(Path(args.config).parent / "devices.tsv")
    table_path = host.path(table_target)
    table_text = table_path.read_text(encoding="utf-8") if table_path.exists() else \
        (kit / "udev" / "devices.tsv").read_text(encoding="utf-8")
    try:
        rows = parse_table(table_text, table_target)
    except TableError as e:
        raise CliError(str(e), 2) from None

    host.say(f"installing zPOS-BY {'on this system' if host.live else f'into {host.root}'}")
    _user(host, args.data)
    data = host.path(args.data)
    existed = data.exists()
    data.mkdir(parents=True, exist_ok=True)
    os.chmod(data, 0o700)
    host.owner(data)
    host.say(f"{'kept' if existed else 'created'} data directory {args.data} (0700)")
    if new_config is None:
        host.say(f"kept {args.config} (it exists and is valid)")
    else:
        host.write(args.config, new_config, 0o600, owned=True)
        host.say(f"wrote {args.config} (0600) from the template: set the devices of this terminal there")
    if table_path.exists():
        host.say(f"kept {table_target} ({len(rows)} devices)")
    else:
        host.write(table_target, table_text, 0o644)
        host.say(f"wrote {table_target} ({len(rows)} devices): add your models there")
    host.write(f"{RULES_DIR}/{RULES_NAME}", render_rules(rows, table_target), 0o644)
    host.say(f"wrote {RULES_DIR}/{RULES_NAME} (/dev/zpos-* names for {len(rows)} devices)")
    for unit in UNITS:
        host.write(f"{UNIT_DIR}/{unit}", _fill((kit / "systemd" / f"{unit}.in").read_text(encoding="utf-8"), values),
                   0o644)
        host.say(f"wrote {UNIT_DIR}/{unit}")
    if not host.live:
        host.say(f"ownership not set under --root: on the target, chown {args.user}:{args.user} {args.data} {args.config}")
    host.run("systemctl", "daemon-reload")
    host.run("udevadm", "control", "--reload-rules")
    host.run("udevadm", "trigger")
    host.run("systemctl", "enable", *(["--now"] if args.now else []), "zpos.service")
    if cfg.backup.target:
        host.run("systemctl", "enable", "--now", "zpos-backup.timer")
    else:
        host.say(f"nightly backup not enabled: set [backup] target in {args.config}, then "
                 "systemctl enable --now zpos-backup.timer")
    host.say("done: " + ("the workstation starts on " + args.tty if args.now else
                         f"check the devices with `runuser -u {args.user} -- {exe} diag --config {args.config}`, "
                         "then reboot or systemctl start zpos"))
    return 0


def _user(host: Host, home: str) -> None:
    try:
        exists = host.live and bool(pwd.getpwnam(host.user))
    except KeyError:
        exists = False
    if exists:
        host.say(f"user {host.user} exists")
    else:
        host.run("useradd", "--system", "--user-group", "--home-dir", home, "--no-create-home",
                 "--shell", "/usr/sbin/nologin", "--comment", "zPOS-BY cash register", host.user)
    groups = [g for g in GROUPS if not host.live or _group_exists(g)]
    for g in sorted(set(GROUPS) - set(groups)):
        host.say(f"no group {g} on this system: skipped (the devices it grants may stay closed to {host.user})")
    host.run("usermod", "--append", "--groups", ",".join(groups), host.user)


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def run_uninstall(args) -> int:
    from zpos.udev_rules import RULES_NAME
    _check_args(args)
    host = Host(args.root, args.user)
    host.say(f"uninstalling zPOS-BY {'from this system' if host.live else f'from {host.root}'}")
    host.run("systemctl", "disable", "--now", "zpos.service", "zpos-backup.timer", check=False)
    for target in [f"{UNIT_DIR}/{u}" for u in UNITS] + [f"{RULES_DIR}/{RULES_NAME}"]:
        _remove(host, target)
    host.run("systemctl", "daemon-reload")
    host.run("udevadm", "control", "--reload-rules")
    table = str(Path(args.config).parent / "devices.tsv")
    if args.remove_config:
        for target in (args.config, table):
            _remove(host, target)
        folder = host.path(Path(args.config).parent)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    else:
        host.say(f"kept {args.config} and {table} (--remove-config removes them)")
    data = host.path(args.data)
    if args.remove_data and data.exists():
        shutil.rmtree(data)
        host.say(f"removed data directory {args.data}: the fiscal journal and every document")
    elif data.exists():
        host.say(f"kept data directory {args.data}: the fiscal journal (--remove-data removes it)")
    if args.remove_user:
        host.run("userdel", args.user, check=False)
    return 0


def _remove(host: Host, target: str) -> None:
    path = host.path(target)
    if path.exists() or path.is_symlink():
        path.unlink()
        host.say(f"removed {target}")
