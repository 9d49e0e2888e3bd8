"""`zpos screenshots`: every screen rendered headless with realistic data on simulated devices, one PNG each."""
from __future__ import annotations

import os
from pathlib import Path

from zpos.commands.run import parse_size
from zpos.errors import CliError


def register(sub) -> None:
    p = sub.add_parser("screenshots", help="render every screen to DIR/<screen>.png (headless)")
    p.add_argument("--out", type=Path, required=True, help="directory for the PNG files")
    p.add_argument("--size", default="1024x600", help="screen size WxH (default 1024x600)")
    p.add_argument("--lang", choices=("ru", "be", "en"), default="ru")
    p.add_argument("--all", action="store_true", help="every size × language, into DIR/<W>x<H>-<lang>/")
    p.set_defaults(func=run)


def run(args) -> int:
    size = parse_size(args.size)
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"--out {args.out}: cannot create the directory ({e.strerror})") from None
    from qa.screenshots import render_all, render_set
    if args.all:
        done = render_set(args.out, log=print)
        print(f"{sum(len(v) for v in done.values())} screenshots written to {args.out}")
        return 0
    names = render_all(args.out, size, args.lang)
    print(f"{len(names)} screens written to {args.out} at {size[0]}x{size[1]} ({args.lang})")
    return 0
