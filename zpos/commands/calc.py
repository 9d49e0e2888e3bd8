"""`zpos calc [FILE|-]`: the receipt arithmetic, one JSON document in, one out."""
from __future__ import annotations

import json
import sys

from fiscal.calc_json import run_calc
from fiscal.errors import FiscalError


def register(sub) -> None:
    p = sub.add_parser("calc", help="receipt arithmetic: JSON in, JSON out (contracts.md §2)")
    p.add_argument("file", nargs="?", default="-", help="input JSON file, or - for stdin")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        if args.file == "-":
            text = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as f:
                text = f.read()
    except OSError as e:
        code, out = 2, FiscalError("BAD_JSON", f"cannot read {args.file}: {e.strerror}").as_json()
    else:
        code, out = run_calc(text)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return code
