"""The Bitrix24 simulator follows the documented REST: paging, required fields, filters, batch, limits, auth."""
from __future__ import annotations

import json
import urllib.request

import pytest

from sim.bitrix24 import Bitrix24Sim, php_query_to_dict


def post(url, body):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture
def portal():
    sim = Bitrix24Sim()
    for i in range(1, 121):
        sim.add("products", id=i, iblockId=23, name=f"Товар {i}", active="Y", quantity=i)
    sim.start()
    yield sim
    sim.stop()


def test_lists_page_by_50_with_total_and_next(portal):
    status, body = post(portal.webhook + "catalog.product.list.json",
                        {"select": ["id", "iblockId", "name"], "filter": {"iblockId": 23}, "start": 50})
    assert status == 200 and body["total"] == 120 and body["next"] == 100
    assert [p["id"] for p in body["result"]["products"]][:2] == [51, 52] and "time" in body
    _, fast = post(portal.webhook + "catalog.product.list", {"select": ["id", "iblockId"], "filter": {"iblockId": 23,
                                                                                              ">id": 100}, "start": -1})
    assert "total" not in fast and len(fast["result"]["products"]) == 20


def test_select_and_filter_must_name_id_and_iblock(portal):
    status, body = post(portal.webhook + "catalog.product.list", {"select": ["name"], "filter": {"iblockId": 23}})
    assert status == 400 and body["error"] == 0


def test_wrong_code_unknown_method_and_free_plan(portal):
    assert post(portal.webhook.replace(portal.secret, "nope") + "catalog.product.list", {})[1]["error"] == "NO_AUTH_FOUND"
    assert post(portal.webhook + "catalog.nothing.list", {})[0] == 404
    portal.commercial = False
    assert post(portal.webhook + "catalog.vat.list", {}) [1]["error"] == "ACCESS_DENIED"


def test_the_leaky_bucket_refuses_with_query_limit_exceeded(portal):
    portal.bucket_size, portal.drain_per_s = 3, 0.0
    answers = [post(portal.webhook + "catalog.vat.list", {})[0] for _ in range(5)]
    assert answers == [200, 200, 200, 503, 503] and portal.limited == 2


def test_batch_runs_php_query_sub_calls(portal):
    status, body = post(portal.webhook + "batch", {"halt": 0, "cmd": {
        "a": "catalog.product.list?select[]=id&select[]=iblockId&filter[iblockId]=23&filter[@id][0]=5&filter[@id][1]=7",
        "b": "catalog.product.list?select[]=id"}})
    assert status == 200 and [p["id"] for p in body["result"]["result"]["a"]["products"]] == [5, 7]
    assert body["result"]["result_error"]["b"]["error"] == 0


def test_php_queries_become_nested_values():
    assert php_query_to_dict("filter[>id]=5&order[id]=asc&select[]=id&select[]=name") == \
        {"filter": {">id": "5"}, "order": {"id": "asc"}, "select": ["id", "name"]}
