"""The Yandex.Disk simulator answers as the REST API is documented: paths, 409 kinds, paging, links, auth, faults."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from sim.yadisk import Node, YandexDiskSim


@pytest.fixture
def disk():
    sim = YandexDiskSim(tokens=("t1",)).start()
    yield sim
    sim.stop()


def call(sim, method, route, token="t1", data=None, headers=None):
    req = urllib.request.Request(sim.url + route if route.startswith("/") else route, data=data, method=method,
                                 headers={**({"Authorization": f"OAuth {token}"} if token else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            body = r.read()
            return r.status, json.loads(body) if body and r.headers.get("Content-Type", "").startswith("application/json") else body
    except urllib.error.HTTPError as e:
        body = e.read()
        return e.code, json.loads(body) if body.startswith(b"{") else body


def test_errors_carry_message_description_and_a_stable_code(disk):
    status, body = call(disk, "GET", "/v1/disk", token="wrong")
    assert status == 401 and body == {"message": "Не авторизован.", "description": "Unauthorized", "error": "UnauthorizedError"}
    status, body = call(disk, "GET", "/v1/disk/resources?path=" + quote("disk:/nope"))
    assert status == 404 and body["error"] == "DiskNotFoundError"


def test_mkdir_is_one_level_and_says_which_409(disk):
    assert call(disk, "PUT", "/v1/disk/resources?path=" + quote("disk:/a/b"))[1]["error"] == "DiskPathDoesntExistsError"
    assert call(disk, "PUT", "/v1/disk/resources?path=" + quote("disk:/a"))[0] == 201
    assert call(disk, "PUT", "/v1/disk/resources?path=" + quote("/a"))[1]["error"] == \
        "DiskPathPointsToExistentDirectoryError"


def test_upload_link_then_put_without_token_and_overwrite_rules(disk):
    status, link = call(disk, "GET", "/v1/disk/resources/upload?path=" + quote("app:/x.txt"))
    assert status == 200 and link["method"] == "PUT" and "operation_id" in link
    assert call(disk, "PUT", link["href"], token=None, data=b"hello")[0] == 201
    assert disk.file("disk:/Приложения/zPOS/x.txt") == b"hello"
    status, body = call(disk, "GET", "/v1/disk/resources/upload?path=" + quote("app:/x.txt"))
    assert status == 409 and body["error"] == "DiskResourceAlreadyExistsError"
    assert call(disk, "GET", "/v1/disk/resources/upload?path=" + quote("app:/x.txt") + "&overwrite=true")[0] == 200
    meta = call(disk, "GET", "/v1/disk/resources?path=" + quote("app:/x.txt"))[1]
    assert meta["md5"] == "5d41402abc4b2a76b9719d911017c592" and meta["size"] == 5 and meta["type"] == "file"


def test_listing_defaults_to_20_and_pages_with_offset(disk):
    for i in range(25):
        disk.tree[f"disk:/f{i:02d}"] = Node(False, b"x")
    first = call(disk, "GET", "/v1/disk/resources?path=" + quote("disk:/"))[1]["_embedded"]
    assert len(first["items"]) == 20 and first["total"] == 26 and first["limit"] == 20   # + the Приложения folder
    rest = call(disk, "GET", "/v1/disk/resources?path=" + quote("disk:/") + "&offset=20")[1]["_embedded"]
    assert len(rest["items"]) == 6


def test_faults_a_full_disk_and_a_429(disk):
    disk.fail_next(429)
    assert call(disk, "GET", "/v1/disk")[0] == 429
    disk.total_space = 3
    link = call(disk, "GET", "/v1/disk/resources/upload?path=" + quote("app:/big"))[1]
    status, body = call(disk, "PUT", link["href"], token=None, data=b"four")
    assert status == 507 and body["error"] == "DiskInsufficientStorageError"


def test_download_link_serves_the_bytes(disk):
    link = call(disk, "GET", "/v1/disk/resources/upload?path=" + quote("disk:/d.bin"))[1]
    call(disk, "PUT", link["href"], token=None, data=b"\x00\x01")
    dl = call(disk, "GET", "/v1/disk/resources/download?path=" + quote("disk:/d.bin"))[1]
    assert call(disk, "GET", dl["href"], token=None)[1] == b"\x00\x01"
