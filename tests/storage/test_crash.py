"""Crash safety for real: a writer process is SIGKILLed at random moments; nothing registered is ever lost."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from crash_writer import SEED
from storage_helpers import FakeSko

from storage.journal import Journal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _run_and_kill(path: str, delay: float) -> int:
    """Start the writer, let it commit for `delay` seconds after start-up, SIGKILL it; the highest acked number."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, HERE]))
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "crash_writer.py"), path],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    acked = 0
    try:
        for line in proc.stdout:  # recovery lines, then READY
            if line.startswith(b"R "):
                acked = int(line.split()[1])
            if line.strip() == b"READY":
                break
        else:
            raise AssertionError(f"writer died: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        for line in proc.stdout.read().splitlines():
            if line.startswith(b"R "):
                acked = int(line.split()[1])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    return acked


def test_sigkill_at_random_moments_never_loses_or_breaks_a_document(tmp_path):
    path = str(tmp_path / "journal.sqlite")
    rng = random.Random(7)
    sko_key = FakeSko(seed=SEED).public_pem
    acked_ever = 0
    for _ in range(22):
        acked_ever = max(acked_ever, _run_and_kill(path, rng.uniform(0.0, 0.25)))
        with Journal(path) as j:
            result = j.verify(sko_key)
            assert result.ok, result
            assert result.count == j.last_number() >= acked_ever  # gap-free prefix, nothing acked is lost
            assert len(j.pending()) <= 1
    assert acked_ever > 22
    cli = subprocess.run([sys.executable, "-m", "zpos.cli", "journal", "verify", "--data", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert cli.returncode == 0 and cli.stdout.startswith("OK ")
