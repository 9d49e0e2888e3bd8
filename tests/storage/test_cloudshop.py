"""CloudShop's undocumented Connect API v4 (as third-party clients use it) against a small loopback stand-in; NWP refuses."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from storage.cloudshop import UNDOCUMENTED, CloudShopSource
from storage.errors import StorageError
from storage.nwp import NwpSource

PRODUCTS = [{"id": f"p{i}", "code": f"{i}", "barcode": f"48100000{i:05d},2000000000008", "unit": "кг" if i == 3 else "шт",
             "price": 2.5 + i, "tags": ["Напитки"], "stock": {"st1": i, "st2": 1}, "options": {"name": f"Товар {i}"}}
            for i in range(1, 1502)]


@pytest.fixture
def api():
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            u = urlsplit(self.path)
            if self.headers.get("X-CloudShop-API-Access-Token") != "key-1":
                self.send_response(302)
                self.send_header("Location", "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            q = parse_qs(u.query)
            off, lim = int(q["offset"][0]), int(q["limit"][0])
            raw = json.dumps({"data": PRODUCTS[off:off + lim]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/api/v4"
    srv.shutdown()


def test_products_are_paged_and_mapped_with_the_configured_vat_and_store(api):
    got = {v["code"]: v for _, v in CloudShopSource("key-1", "20", "st1", api=api).rows()}
    assert len(got) == 1501 and UNDOCUMENTED
    assert got["3"] == {"code": "3", "barcode": "4810000000003", "name": "Товар 3", "price": 550, "vat": "20",
                        "unit": "кг", "weighed": True, "category": "Напитки", "stock": 3000}


def test_a_bad_key_answered_by_a_redirect_is_a_sign_in_refusal(api):
    with pytest.raises(StorageError) as e:
        list(CloudShopSource("wrong", "20", api=api).rows())
    assert e.value.code == "TARGET_AUTH"


def test_without_a_vat_rate_the_source_is_refused():
    with pytest.raises(StorageError) as e:
        CloudShopSource("key-1", "")
    assert e.value.code == "BAD_SETTING"


def test_nwp_says_it_has_no_public_format():
    with pytest.raises(StorageError) as e:
        list(NwpSource().rows())
    assert e.value.code == "BAD_SOURCE" and "CSV" in e.value.detail
