"""`zpos scenario FILE... [--data DIR] [--out DIR] [--json]`: run QA scenario files headless on simulated devices."""
from __future__ import annotations

from pathlib import Path

from zpos.errors import CliError


def register(sub) -> None:
    p = sub.add_parser("scenario", help="run scenario files (contracts.md §3) on simulated devices")
    p.add_argument("files", nargs="+", type=Path, help="scenario YAML files (a folder: every *.yaml in it)")
    p.add_argument("--data", type=Path, help="keep each scenario's data directory under DIR")
    p.add_argument("--out", type=Path, help="copy each scenario's printed documents under DIR")
    p.add_argument("--json", action="store_true", help="print the results as JSON after the summary")
    p.set_defaults(func=run)


def run(args) -> int:
    from qa.scenario import results_json, run_files
    files = [g for f in args.files for g in (sorted(f.glob("*.yaml")) if f.is_dir() else [f])]   # a folder: its files
    missing = [str(f) for f in files if not f.is_file()]
    if missing or not files:
        raise CliError(f"no such scenario file: {missing[0] if missing else args.files[0]}")
    results = run_files(files, args.data, args.out)
    for r in results:
        print(r.line(), flush=True)
    passed = sum(r.passed for r in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    if args.json:
        print(results_json(results))
    return 0 if passed == len(results) else 1
