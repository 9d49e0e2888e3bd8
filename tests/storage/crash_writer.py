"""Subprocess for the SIGKILL test: recovers pending documents, then commits documents in a loop forever.

Prints `R <number>` after each registration has committed (so the parent knows what must survive).
"""
from __future__ import annotations

import sys

from storage_helpers import FakeSko, sale

from storage.journal import Journal

SEED = 20240301


def main(path: str) -> None:
    j = Journal(path)
    last = j.last_document()
    sko = FakeSko(start=j.last_number() + 1, prev_signature=last.registration.signature if last else "", seed=SEED)
    for entry in j.pending():  # recovery: the SKO would answer the same registration again
        j.mark_registered(entry.op_id, sko.register(entry.doc))
        print(f"R {sko.number}", flush=True)
    print("READY", flush=True)
    while True:
        op = f"op-{j.last_number() + 1}"
        doc = sale(op, shift=1 + j.last_number() // 50)
        j.save_draft({"op": op})
        j.add_pending(doc)
        j.mark_registered(op, sko.register(doc))
        print(f"R {sko.number}", flush=True)
        if sko.number % 3:
            j.mark_printed(op)
        else:
            j.mark_print_failed(op, "paper out")


if __name__ == "__main__":
    main(sys.argv[1])
