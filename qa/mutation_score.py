"""`make mutation`'s summary: the mutation score of fiscal/ from mutmut's results, per module, and the survivors.

mutmut 3 leaves one `mutants/<path>.py.meta` per mutated file with the exit code of each mutant's
test run (1 or 3: killed; 0: survived; 33 or 5: no test reaches it; 24/36/152/255: timeout).
Killed and timed-out mutants count as caught; the score is caught / all mutants checked.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

CAUGHT = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def results(root: Path) -> dict[str, dict[str, int | None]]:
    """module → {mutant name: exit code} from the .meta files under `root` (mutmut's mutants/ directory)."""
    out = {}
    for meta in sorted(root.rglob("*.py.meta")):
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue              # a file mutmut is still writing
        codes = data.get("exit_code_by_key", {})
        if codes:
            out[str(meta.relative_to(root))[:-len(".py.meta")].replace("/", ".")] = codes
    return out


def summary(by_module: dict[str, dict[str, int | None]]) -> tuple[list[tuple[str, Counter]], list[str]]:
    rows, survivors = [], []
    for module, codes in by_module.items():
        c = Counter()
        for name, code in codes.items():
            if code is None:
                c["unchecked"] += 1
            elif code in CAUGHT:
                c["caught"] += 1
            elif code in SURVIVED:
                c["survived"] += 1
                survivors.append(name)
            elif code in NO_TESTS:
                c["no_tests"] += 1
                survivors.append(name)
            else:
                c["other"] += 1
        rows.append((module, c))
    return rows, survivors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mutants", type=Path, default=Path("mutants"), help="mutmut's output directory")
    p.add_argument("--survivors", action="store_true", help="list every mutant that was not caught")
    p.add_argument("--min", type=float, default=0.0, help="exit 1 when the score is below this percentage")
    args = p.parse_args(argv)
    if not args.mutants.is_dir():
        print(f"no {args.mutants}/: run `mutmut run` first", file=sys.stderr)
        return 2
    rows, survivors = summary(results(args.mutants))
    total = Counter()
    for module, c in rows:
        total.update(c)
        checked = c["caught"] + c["survived"] + c["no_tests"] + c["other"]
        pct = 100.0 * c["caught"] / checked if checked else 0.0
        print(f"{module:28} {c['caught']:5} caught {c['survived']:4} survived {c['no_tests']:4} untested "
              f"{c['unchecked']:4} unchecked  {pct:5.1f} %")
    checked = total["caught"] + total["survived"] + total["no_tests"] + total["other"]
    score = 100.0 * total["caught"] / checked if checked else 0.0
    print(f"{'fiscal/ total':28} {total['caught']:5} caught of {checked} checked: mutation score {score:.1f} %")
    if args.survivors:
        print("\n".join(survivors))
    return 1 if score < args.min else 0


if __name__ == "__main__":
    raise SystemExit(main())
