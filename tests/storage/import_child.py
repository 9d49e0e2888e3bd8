"""Run by test_goods_import: stage a big CSV and apply it, pausing inside the transaction so the parent can SIGKILL it."""
import sys
import time

sys.path.insert(0, sys.argv[3])

from storage.goods_csv import CsvSource  # noqa: E402
from storage.goods_import import stage  # noqa: E402


def progress(phase, done, total):
    if phase == "apply" and done and done < (total or 0):
        print(f"apply {done} {total}", flush=True)
        time.sleep(30)          # the parent kills us here, in the middle of the transaction


staged = stage(sys.argv[1], CsvSource(sys.argv[2]))
staged.apply(progress)
print("applied", flush=True)
