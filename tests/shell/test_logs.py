"""Logs: rotating files in DATA/logs, traces apart; under systemd the journal gets each line with its priority."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from zpos.logs import stderr_is_journal

SCRIPT = """
import logging, sys
from zpos.logs import setup_logging
setup_logging(sys.argv[1])
logging.getLogger("zpos.sko").info("registered document 42")
logging.getLogger("zpos.printer").error("paper out")
logging.getLogger("zpos.trace.printer").debug("1b 40")
"""


def _run(tmp_path: Path, journal: bool) -> str:
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as f:
        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        if journal:
            st = os.fstat(f.fileno())
            env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"   # what systemd sets when stderr is the journal
        subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data")], stderr=f, env=env, check=True,
                       cwd=Path(__file__).resolve().parents[2], timeout=60)
    return err.read_text(encoding="utf-8")


def test_under_systemd_information_goes_to_the_journal_with_syslog_priorities(tmp_path):
    lines = _run(tmp_path, journal=True).splitlines()
    assert lines == ["<6>zpos.sko: registered document 42", "<3>zpos.printer: paper out"]


def test_on_a_terminal_only_warnings_reach_stderr(tmp_path):
    text = _run(tmp_path, journal=False)
    assert "paper out" in text and "registered document 42" not in text and not text.startswith("<")


def test_the_files_keep_everything_and_the_trace_apart(tmp_path):
    _run(tmp_path, journal=True)
    main = (tmp_path / "data" / "logs" / "zpos.log").read_text(encoding="utf-8")
    trace = (tmp_path / "data" / "logs" / "trace.log").read_text(encoding="utf-8")
    assert "registered document 42" in main and "paper out" in main and "1b 40" not in main
    assert "1b 40" in trace


def test_a_journal_stream_of_another_file_is_not_taken_for_stderr():
    assert stderr_is_journal({"JOURNAL_STREAM": "1:1"}) is False
    assert stderr_is_journal({}) is False
