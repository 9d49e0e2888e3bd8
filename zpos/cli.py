"""`zpos` command line: one sub-command per module in zpos.commands; errors are one clear line."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import zpos.commands
from zpos.errors import CliError

__all__ = ["CliError", "main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zpos", description="zPOS-BY cash register (программная касса)")
    parser.add_argument("--version", action="version", version=f"zpos {zpos.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(zpos.commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"zpos.commands.{mod.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CliError as e:
        print(f"zpos {args.command}: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
