"""Яндекс.Диск target and device sign-in against the REST simulator, faults included."""
from __future__ import annotations

import pytest
from remote_servers import yadisk_sim  # noqa: F401

from storage.targets import ArchiveError, ExchangeSettings, YandexDiskTarget, parse_target
from storage.targets.yadisk import (
    poll_device_sign_in,
    refresh_access_token,
    sign_in_with_device_code,
    start_device_sign_in,
)


@pytest.fixture
def disk(yadisk_sim):  # noqa: F811
    return YandexDiskTarget("good-token", "app:/kassa-1", api=yadisk_sim.url, poll_interval=0.01)


def test_a_file_goes_up_under_a_temporary_name_and_lands_whole(tmp_path, yadisk_sim, disk):  # noqa: F811
    src = tmp_path / "zpos-db.zposdb"
    src.write_bytes(b"\x00archive" * 5000)
    disk.put(str(src), "db/zpos-db.zposdb")
    assert yadisk_sim.file("app:/kassa-1/db/zpos-db.zposdb") == src.read_bytes()
    assert disk.list("db") == ["zpos-db.zposdb"]
    e = disk.stat("db/zpos-db.zposdb")
    import hashlib
    assert e.size == src.stat().st_size and e.md5 == hashlib.md5(src.read_bytes()).hexdigest()
    uploads = [r for r in yadisk_sim.requests if r[1].startswith("/upload-target/")]
    assert uploads and not any(had_auth for _, _, had_auth in uploads)   # the uploader gets no token
    disk.get("db/zpos-db.zposdb", str(tmp_path / "back"))
    assert (tmp_path / "back").read_bytes() == src.read_bytes()
    assert disk.free_space() == yadisk_sim.total_space - yadisk_sim.used_space()


def test_listing_pages_through_more_than_one_answer(tmp_path, yadisk_sim, disk):  # noqa: F811
    src = tmp_path / "f"
    src.write_bytes(b"x")
    for i in range(130):
        disk.put(str(src), f"many/f{i:03d}.txt")
    assert len(disk.list("many")) == 130


def test_an_async_move_is_polled_until_done(tmp_path, yadisk_sim, disk):  # noqa: F811
    yadisk_sim.async_moves, yadisk_sim.operation_polls = True, 2
    src = tmp_path / "f"
    src.write_bytes(b"abc")
    disk.put(str(src), "a.txt")
    assert yadisk_sim.file("app:/kassa-1/a.txt") == b"abc"


@pytest.mark.parametrize("status,code", [(401, "TARGET_AUTH"), (429, "TARGET_BUSY"), (507, "TARGET_FULL"),
                                         (503, "TARGET_BUSY"), (500, "TARGET_FAILED")])
def test_service_refusals_become_coded_errors(tmp_path, yadisk_sim, disk, status, code):  # noqa: F811
    src = tmp_path / "f"
    src.write_bytes(b"abc")
    yadisk_sim.fail_next(status)
    with pytest.raises(ArchiveError) as e:
        disk.put(str(src), "a.txt")
    assert e.value.code == code and "good-token" not in e.value.detail


def test_a_full_disk_refuses_the_upload_itself(tmp_path, yadisk_sim, disk):  # noqa: F811
    yadisk_sim.total_space = 10
    src = tmp_path / "f"
    src.write_bytes(b"x" * 100)
    with pytest.raises(ArchiveError) as e:
        disk.put(str(src), "big.bin")
    assert e.value.code == "TARGET_FULL" and yadisk_sim.file("app:/kassa-1/big.bin") is None


def test_a_connection_dropped_mid_upload_leaves_no_file_and_a_retry_works(tmp_path, yadisk_sim, disk):  # noqa: F811
    src = tmp_path / "f"
    src.write_bytes(b"y" * 200_000)
    yadisk_sim.drop_next_uploads = 1
    with pytest.raises(ArchiveError) as e:
        disk.put(str(src), "z.json")
    assert e.value.code == "TARGET_UNAVAILABLE" and yadisk_sim.file("app:/kassa-1/z.json") is None
    disk.put(str(src), "z.json")
    assert yadisk_sim.file("app:/kassa-1/z.json") == src.read_bytes()


def test_missing_files_and_a_wrong_token(tmp_path, yadisk_sim, disk):  # noqa: F811
    assert disk.stat("nothing.txt") is None
    with pytest.raises(ArchiveError) as e:
        disk.get("nothing.zposdb", str(tmp_path / "x"))
    assert e.value.code == "NO_ARCHIVE"
    with pytest.raises(ArchiveError) as e:
        YandexDiskTarget("bad-token", api=yadisk_sim.url).list()
    assert e.value.code == "TARGET_AUTH" and "bad-token" not in repr(e.value.params) + e.value.detail


def test_the_device_flow_shows_a_code_then_gets_a_token(yadisk_sim, tmp_path):  # noqa: F811
    shown = []
    token = sign_in_with_device_code("cid", "secret", "dev-1", "zPOS касса", shown.append, oauth=yadisk_sim.url,
                                     sleep=lambda s: None)
    assert shown and shown[0].user_code and shown[0].verification_url == "https://ya.ru/device"
    assert token["access_token"] in yadisk_sim.tokens
    ExchangeSettings(str(tmp_path)).put("yadisk", {"token": token["access_token"], "api": yadisk_sim.url})
    assert (tmp_path / "exchange" / "yadisk.json").stat().st_mode & 0o777 == 0o600
    assert parse_target("yadisk:/kassa", str(tmp_path)).list() == []


def test_a_pending_sign_in_says_where_to_go(yadisk_sim):  # noqa: F811
    code = start_device_sign_in("cid", "dev-1", "zPOS", oauth=yadisk_sim.url)
    with pytest.raises(ArchiveError) as e:
        poll_device_sign_in(code, "cid", "secret", oauth=yadisk_sim.url)
    assert e.value.code == "SIGN_IN_PENDING" and e.value.params["code"] == code.user_code
    with pytest.raises(ArchiveError) as e:
        poll_device_sign_in(code, "cid", "secret", oauth=yadisk_sim.url, now=code.expires_at + 1)
    assert e.value.code == "SIGN_IN_EXPIRED"


def test_yadisk_without_a_token_is_a_sign_in_refusal(tmp_path):
    t = parse_target("yadisk:/x", str(tmp_path))        # a config may name it before the sign-in
    with pytest.raises(ArchiveError) as e:
        t.list()
    assert e.value.code == "TARGET_AUTH"
    assert parse_target("yadisk:/x").label == "yadisk:/x"


def test_a_refresh_token_gets_a_new_access_token(yadisk_sim):  # noqa: F811
    d = refresh_access_token("r_1", "cid", "secret", oauth=yadisk_sim.url)
    assert d["access_token"] in yadisk_sim.tokens and d["expires_in"] == 31536000
