"""The ad playlist manifest (`playlist.json` in the slides folder): which images play now, in what order, for how long.

The shape is the design of loyalty-courier-display.md §3.3.1 (a back office would send it; the
images are the local files it names, A-3: playback never touches the network). Rule A-4: an
item plays when today is within `valid_from`…`valid_to` (inclusive), its weekday (1 = Monday)
is listed and `time_from` ≤ now < `time_to` (a window may cross midnight), all in Europe/Minsk
local time; eligible items go by `priority` descending, then manifest order; an image shows
`duration_s` (default 8). A-2: an item whose file does not match its `sha256` or is over
`limits.max_image_bytes` is not played. Videos are not played by this screen (no video
decoder in pygame): they are skipped with a log line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

MANIFEST = "playlist.json"
TIMEZONE = "Europe/Minsk"
DEFAULT_DURATION_S = 8.0
DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024


def minsk_time(moment: datetime) -> datetime:
    """`moment` (timezone-aware) in Europe/Minsk; without the tz database, UTC+3 (Minsk's offset since 2011,
    with no summer time)."""
    try:
        from zoneinfo import ZoneInfo
        zone = ZoneInfo(TIMEZONE)
    except Exception:  # noqa: BLE001 - ZoneInfoNotFoundError, or no tzdata at all on a stripped-down system
        zone = timezone(timedelta(hours=3))
    return moment.astimezone(zone)


class ManifestError(ValueError):
    """The manifest cannot be used; the message names the field."""


@dataclass(frozen=True)
class Item:
    id: str
    type: str                          # image | video
    file: str                          # the file's name in the slides folder
    sha256: str | None = None
    bytes: int | None = None
    duration_s: float = DEFAULT_DURATION_S
    valid_from: date | None = None
    valid_to: date | None = None
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
    time_from: time | None = None
    time_to: time | None = None
    priority: int = 0

    def eligible(self, local: datetime) -> bool:
        """Rule A-4 at Minsk local time `local`."""
        day = local.date()
        if self.valid_from and day < self.valid_from or self.valid_to and day > self.valid_to:
            return False
        now = local.time().replace(tzinfo=None)
        start, end = self.time_from or time(0), self.time_to
        if end is None or start == end:
            in_window = now >= start if end is None else True
            weekday = day.isoweekday()
        elif start < end:
            in_window = start <= now < end
            weekday = day.isoweekday()
        else:                              # crosses midnight: 22:00–02:00 at 01:00 belongs to yesterday's window
            in_window = now >= start or now < end
            weekday = day.isoweekday() if now >= start else (day - timedelta(days=1)).isoweekday()
        return in_window and weekday in self.weekdays


@dataclass(frozen=True)
class Manifest:
    playlist_id: str
    version: int
    items: tuple[Item, ...]
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES

    def playing(self, moment: datetime) -> list[Item]:
        """The items eligible at `moment`, by priority (highest first), then in manifest order."""
        local = minsk_time(moment)
        ready = [(i, it) for i, it in enumerate(self.items) if it.eligible(local)]
        return [it for _, it in sorted(ready, key=lambda p: (-p[1].priority, p[0]))]


def _field(d: dict, key: str, kind, where: str, default=None, required: bool = False):
    if key not in d:
        if required:
            raise ManifestError(f"{where}: {key!r} is missing")
        return default
    value = d[key]
    if kind is int and (type(value) is not int) or kind is float and (type(value) not in (int, float)) \
            or kind is str and not isinstance(value, str) or kind is list and not isinstance(value, list):
        raise ManifestError(f"{where}: {key!r} = {value!r} is not {kind.__name__}")
    return value


def _date(d: dict, key: str, where: str) -> date | None:
    text = _field(d, key, str, where)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ManifestError(f"{where}: {key!r} = {text!r} is not a date YYYY-MM-DD") from None


def _time(d: dict, key: str, where: str) -> time | None:
    text = _field(d, key, str, where)
    if text is None:
        return None
    try:
        hh, mm = text.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise ManifestError(f"{where}: {key!r} = {text!r} is not a time HH:MM") from None


def _item(d: object, n: int) -> Item:
    where = f"items[{n}]"
    if not isinstance(d, dict):
        raise ManifestError(f"{where} is not an object")
    kind = _field(d, "type", str, where, required=True)
    if kind not in ("image", "video"):
        raise ManifestError(f"{where}: type {kind!r} is not image or video")
    url = _field(d, "url", str, where, "")
    file = _field(d, "file", str, where) or url.rsplit("/", 1)[-1]
    if not file or "/" in file or "\\" in file or file.startswith("."):
        raise ManifestError(f"{where}: 'file' (or the end of 'url') must name a file in the slides folder")
    sha = _field(d, "sha256", str, where)
    if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha.lower())):
        raise ManifestError(f"{where}: sha256 {sha!r} is not 64 hex digits")
    weekdays = _field(d, "weekdays", list, where, [1, 2, 3, 4, 5, 6, 7])
    if not weekdays or any(type(w) is not int or not 1 <= w <= 7 for w in weekdays):
        raise ManifestError(f"{where}: weekdays {weekdays!r} must be numbers 1 (Monday) … 7 (Sunday)")
    duration = float(_field(d, "duration_s", float, where, DEFAULT_DURATION_S))
    if not 1 <= duration <= 3600:
        raise ManifestError(f"{where}: duration_s {duration!r} is not 1…3600 seconds")
    return Item(id=str(_field(d, "id", str, where, f"item-{n}")), type=kind, file=file,
                sha256=sha.lower() if sha else None, bytes=_field(d, "bytes", int, where),
                duration_s=duration, valid_from=_date(d, "valid_from", where), valid_to=_date(d, "valid_to", where),
                weekdays=tuple(weekdays), time_from=_time(d, "time_from", where), time_to=_time(d, "time_to", where),
                priority=_field(d, "priority", int, where, 0))


def parse_manifest(data: bytes) -> Manifest:
    """A manifest from its JSON bytes; ManifestError naming what is wrong."""
    try:
        d = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ManifestError(f"not JSON ({e})") from None
    if not isinstance(d, dict):
        raise ManifestError("not a JSON object")
    tz = _field(d, "timezone", str, "manifest", TIMEZONE)
    if tz != TIMEZONE:
        raise ManifestError(f"timezone {tz!r}: only {TIMEZONE} is used by the till")
    limits = d.get("limits", {})
    if not isinstance(limits, dict):
        raise ManifestError("'limits' is not an object")
    max_img = _field(limits, "max_image_bytes", int, "limits", DEFAULT_MAX_IMAGE_BYTES)
    items = _field(d, "items", list, "manifest", required=True)
    return Manifest(playlist_id=str(_field(d, "playlist_id", str, "manifest", "")),
                    version=_field(d, "version", int, "manifest", 0),
                    items=tuple(_item(it, n) for n, it in enumerate(items)), max_image_bytes=max_img)


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, None when it has none; ManifestError when it has one that cannot be used."""
    path = Path(folder) / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ManifestError(f"cannot read it ({e.strerror})") from None
    return parse_manifest(data)
