"""`zpos demo`: a whole day through the real stack, and a second day on the same data going on from there."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from storage.journal import Journal


def demo(data, out, receipts=5, seed=3):
    return subprocess.run([sys.executable, "-m", "zpos.cli", "demo", "--data", str(data), "--out", str(out),
                           "--receipts", str(receipts), "--seed", str(seed)],
                          capture_output=True, text=True, timeout=180)


def test_a_demo_day_leaves_printed_documents_and_a_verified_journal(tmp_path):
    p = demo(tmp_path / "data", tmp_path / "out")
    assert p.returncode == 0, p.stdout + p.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["journal_ok"] and summary["not_printed"] == 0
    assert summary["sales"] >= 5 and summary["refunds"] >= 1 and summary["annulments"] == 1
    assert summary["drawer_agrees"] and summary["z_opening_cash"] == "0.00"
    texts = sorted((tmp_path / "out").glob("*.txt"))
    assert len(texts) == summary["printed_pages"] == len(list((tmp_path / "out").glob("*.png")))
    joined = "\n".join(t.read_text(encoding="utf-8") for t in texts)
    for needle in ("ЧЕК ПРОДАЖИ", "ЧЕК ВОЗВРАТА", "АННУЛИРОВАНИЯ", "ВНЕСЕНИЕ", "ИЗЪЯТИЕ", "X-ОТЧЕТ", "Z-ОТЧЕТ",
                   "УНП: 191234563", "Зав.№ СКО:", "ИТОГО К ОПЛАТЕ"):
        assert needle in joined, needle
    assert "progress" not in p.stderr and "shift 1 opened" in p.stdout


def test_a_second_day_on_the_same_data_continues_the_numbering_and_the_cash(tmp_path):
    assert demo(tmp_path / "data", tmp_path / "out1").returncode == 0
    day1 = json.loads((tmp_path / "out1" / "summary.json").read_text(encoding="utf-8"))
    with Journal(tmp_path / "data" / "journal.sqlite") as j:
        first = j.last_number()
    p = demo(tmp_path / "data", tmp_path / "out2", seed=4)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "shift 2 opened" in p.stdout
    day2 = json.loads((tmp_path / "out2" / "summary.json").read_text(encoding="utf-8"))
    # the cash carried over: day 2 opens with what day 1's Z left in the drawer, and its Z ends with the SKO's drawer
    assert day2["z_opening_cash"] == day1["z_closing_cash"] == day1["cash_in_drawer_at_close"] != "0.00"
    assert day2["drawer_agrees"]
    with Journal(tmp_path / "data" / "journal.sqlite") as j:
        assert j.last_number() > first
        assert j.verify(j.get_meta("sko_public_key")).ok
    v = subprocess.run([sys.executable, "-m", "zpos.cli", "journal", "verify", "--data", str(tmp_path / "data")],
                       capture_output=True, text=True, timeout=60)
    assert v.returncode == 0 and v.stdout.startswith("OK ")


@pytest.mark.parametrize("point", ["after_payment", "after_sko"])
def test_a_day_cut_by_a_power_loss_mid_card_sale_is_finished_by_the_next_demo(tmp_path, point):
    data = tmp_path / "data"
    assert demo(data, tmp_path / "out1", receipts=2).returncode == 0
    cut = subprocess.run([sys.executable, str(Path(__file__).with_name("crash_mid_card_sale.py")), str(data), point],
                         capture_output=True, text=True, timeout=120)
    assert "power lost" in cut.stdout, cut.stdout + cut.stderr
    p = demo(data, tmp_path / "out2", receipts=2, seed=4)
    assert p.returncode == 0, p.stdout + p.stderr
    said = "the receipt left open before the restart was finished" if point == "after_payment" else \
        "printed what the SKO registered before the restart: 1"
    assert said in p.stdout
    summary = json.loads((tmp_path / "out2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["journal_ok"] and summary["not_printed"] == 0 and summary["drawer_agrees"]
    with Journal(data / "journal.sqlite") as j:
        assert j.pending() == []
        by_documents = 0
        for n in range(1, j.last_number() + 1):
            e = j.by_number(n)
            sign = {"sale": 1, "refund": -1, "annulment": -1}.get(str(e.type), 0)
            by_documents += sign * sum(p.amount for p in getattr(e.doc, "payments", ()) if p.type.value == "card")
        # every card payment the terminal approved is in exactly one registered document: none charged twice
        assert j.intents.net_card_money() == by_documents > 0
