"""Diagnostics of each configured target and external system: ok with figures, or the reason in words."""
from __future__ import annotations

from remote_servers import yadisk_sim  # noqa: F401

from storage.outbox import Outbox
from storage.targets import DirTarget, ExchangeSettings
from storage.targets.check import check_configured, check_outbox, check_target


def test_a_working_yandex_disk_says_signed_in_and_free_space(tmp_path, yadisk_sim):  # noqa: F811
    ExchangeSettings(str(tmp_path)).put("yadisk", {"token": "good-token", "api": yadisk_sim.url})
    r = check_target("yadisk:/", str(tmp_path), "ru")
    assert r.ok and "вход выполнен" in r.words and "ГБ" in r.words and r.free_bytes > 0


def test_a_revoked_token_and_a_down_ftp_are_named_with_what_to_do(tmp_path, yadisk_sim):  # noqa: F811
    ExchangeSettings(str(tmp_path)).put("yadisk", {"token": "revoked", "api": yadisk_sim.url})
    ExchangeSettings(str(tmp_path)).put("ftp", {"target": "ftp://kassa:pw9@127.0.0.1:1/z"})
    results = check_configured(str(tmp_path), "ru")
    yd, ftp, box = results
    assert not yd.ok and "войдите заново" in yd.words
    assert not ftp.ok and "недоступно" in ftp.words and "pw9" not in ftp.words + ftp.detail + ftp.name
    assert box.ok and box.name == "outbox"


def test_stuck_uploads_show_in_diagnostics(tmp_path):
    now = [1e9]
    box = Outbox(str(tmp_path), clock=lambda: now[0], target_factory=lambda s: DirTarget(str(tmp_path / "gone")))
    box.enqueue("usb:KASSA", "reports/Z/z.txt", b"z")
    box.run_once()
    now[0] += 5 * 3600
    r = check_outbox(str(tmp_path), "ru", outbox=box)
    assert not r.ok and "reports/Z/z.txt" in r.words and "usb:KASSA" in r.words
