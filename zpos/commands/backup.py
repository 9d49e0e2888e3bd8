"""`zpos backup`: one signed DB export to the configured [backup] target (what the nightly timer runs)."""
from __future__ import annotations

from pathlib import Path

from zpos.errors import CliError, refusal_line


def register(sub) -> None:
    p = sub.add_parser("backup", help="export the DB (signed archive) to the [backup] target of the config")
    p.add_argument("--config", type=Path, help="TOML configuration file (default $ZPOS_CONFIG)")
    p.add_argument("--data", type=Path, help="data directory (default: config, $ZPOS_DATA, user data dir)")
    p.set_defaults(func=run)


def run(args) -> int:
    from storage.archive import export_archive
    from storage.errors import StorageError
    from storage.keys import device_key, fingerprint, public_pem
    from storage.targets import parse_target
    from zpos.config import cli_config
    cfg, data = cli_config(args.config, args.data)
    if not cfg.backup.target:
        raise CliError(f"{cfg.source}: [backup] target is not set: nothing to export to "
                       "(a directory or ftp://user:password@host:port/dir)", 2)
    if not (data / "journal.sqlite").exists():
        raise CliError(f"data directory {data} holds no register (no journal.sqlite)", 2)
    try:
        name = export_archive(str(data), parse_target(cfg.backup.target))
        fp = fingerprint(public_pem(device_key(str(data))))
    except StorageError as e:
        raise CliError(refusal_line(e), 1) from None
    print(f"{name} exported to {_without_password(cfg.backup.target)} (signed by device key {fp})")
    return 0


def _without_password(target: str) -> str:
    """The target as it may appear in the journal: an FTP password is replaced by ***."""
    from urllib.parse import urlsplit
    if "://" not in target:
        return target
    u = urlsplit(target)
    if u.password is None:
        return target
    return target.replace(f":{u.password}@", ":***@", 1)
