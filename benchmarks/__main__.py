"""`make bench`: run every benchmarks/bench_*.py, merge their figures, write benchmarks/results.json."""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

import benchmarks


def main(argv: list[str]) -> int:
    only = set(argv)
    results: dict = {}
    failed = []
    for mod in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if not mod.name.startswith("bench_") or (only and mod.name not in only):
            continue
        t0 = time.perf_counter()
        print(f"# {mod.name} ...", file=sys.stderr, flush=True)
        try:
            figures = importlib.import_module(f"benchmarks.{mod.name}").run()
        except Exception as e:  # one broken benchmark must not hide the others' figures
            failed.append(f"{mod.name}: {e!r}")
            continue
        results.update(figures)
        print(f"#   {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if failed:
        results["failed"] = failed
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps(results, indent=2, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
