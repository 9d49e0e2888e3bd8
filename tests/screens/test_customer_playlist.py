"""The playlist manifest: its fields checked by name, and rule A-4's schedule in Europe/Minsk time."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screens.customer_playlist import ManifestError, minsk_time, parse_manifest

MINSK = timezone(timedelta(hours=3))


def manifest(*items, **top) -> bytes:
    return json.dumps({"playlist_id": "store-1-main", "version": 12, "timezone": "Europe/Minsk",
                       "items": list(items), **top}).encode()


SUMMER = {"id": "img-summer", "type": "image", "url": "https://bo.example/media/summer.jpg", "duration_s": 10,
          "valid_from": "2025-06-01", "valid_to": "2025-08-31", "weekdays": [1, 2, 3, 4, 5, 6, 7],
          "time_from": "08:00", "time_to": "22:00", "priority": 10}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MINSK)


def test_the_design_documents_example_item_is_read_with_its_file_from_the_url():
    m = parse_manifest(manifest(SUMMER, {"id": "vid-coffee", "type": "video", "url": "https://bo.example/coffee.mp4",
                                         "max_play_s": 30, "muted": True, "priority": 5}))
    assert m.playlist_id == "store-1-main" and m.version == 12
    assert [(i.id, i.file, i.duration_s, i.priority) for i in m.items] == [("img-summer", "summer.jpg", 10.0, 10),
                                                                             ("vid-coffee", "coffee.mp4", 8.0, 5)]


@pytest.mark.parametrize("moment,shown", [("2025-06-02T07:59:59", False), ("2025-06-02T08:00:00", True),
                                          ("2025-06-02T21:59:59", True), ("2025-06-02T22:00:00", False),
                                          ("2025-08-31T12:00:00", True), ("2025-09-01T12:00:00", False),
                                          ("2025-05-31T12:00:00", False)])
def test_the_schedule_boundaries_of_an_item(moment, shown):
    m = parse_manifest(manifest(SUMMER))
    assert bool(m.playing(at(moment))) is shown


def test_an_item_valid_through_the_last_day_plays_until_its_last_minute():
    m = parse_manifest(manifest({"id": "a", "type": "image", "file": "a.png", "valid_to": "2025-08-31"}))
    assert m.playing(at("2025-08-31T23:59:00")) and not m.playing(at("2025-09-01T00:00:00"))


def test_a_window_crossing_midnight_belongs_to_the_day_it_began():
    night = {"id": "n", "type": "image", "file": "n.png", "time_from": "22:00", "time_to": "02:00", "weekdays": [5]}
    m = parse_manifest(manifest(night))
    assert m.playing(at("2025-06-06T23:00:00"))          # Friday night
    assert m.playing(at("2025-06-07T01:30:00"))          # Saturday 01:30: still Friday's window
    assert not m.playing(at("2025-06-07T02:00:00"))
    assert not m.playing(at("2025-06-07T23:00:00"))      # Saturday night is not listed
    assert not m.playing(at("2025-06-06T01:00:00"))      # Friday 01:30 is Thursday's window


def test_the_schedule_is_read_in_minsk_time_whatever_the_clock_zone():
    m = parse_manifest(manifest(SUMMER))
    assert m.playing(datetime(2025, 6, 2, 5, 0, tzinfo=UTC))          # 08:00 in Minsk
    assert not m.playing(datetime(2025, 6, 2, 4, 59, tzinfo=UTC))
    assert minsk_time(datetime(2025, 1, 1, 0, 0, tzinfo=UTC)).utcoffset() == timedelta(hours=3)


def test_items_go_by_priority_then_manifest_order():
    items = [{"id": x, "type": "image", "file": f"{x}.png", "priority": p} for x, p in (("a", 1), ("b", 5), ("c", 1),
                                                                                          ("d", 5))]
    assert [i.id for i in parse_manifest(manifest(*items)).playing(at("2025-06-02T12:00:00"))] == ["b", "d", "a", "c"]


@pytest.mark.parametrize("change,named", [
    ({"timezone": "Europe/Moscow"}, "timezone"), ({"items": "x"}, "items"), ({"version": "12"}, "version"),
    ({"items": [{"type": "audio", "file": "a.png"}]}, "type"), ({"items": [{"type": "image"}]}, "file"),
    ({"items": [{"type": "image", "file": "../../etc/passwd"}]}, "file"),
    ({"items": [{"type": "image", "file": "a.png", "sha256": "abc"}]}, "sha256"),
    ({"items": [{"type": "image", "file": "a.png", "weekdays": [0]}]}, "weekdays"),
    ({"items": [{"type": "image", "file": "a.png", "time_from": "8 am"}]}, "time_from"),
    ({"items": [{"type": "image", "file": "a.png", "valid_to": "31.08.2025"}]}, "valid_to"),
    ({"items": [{"type": "image", "file": "a.png", "duration_s": 0}]}, "duration_s"),
    ({"limits": []}, "limits")])
def test_a_bad_manifest_field_is_refused_by_name(change, named):
    d = json.loads(manifest(SUMMER))
    d.update(change)
    with pytest.raises(ManifestError, match=named):
        parse_manifest(json.dumps(d).encode())


@settings(max_examples=60)
@given(st.binary(max_size=200))
def test_any_bytes_are_a_manifest_or_one_clear_refusal(data):
    try:
        parse_manifest(data)
    except ManifestError as e:
        assert str(e)
