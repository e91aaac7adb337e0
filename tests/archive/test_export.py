"""Export for analysis: fields, --since, duplicates, CSV/Parquet, streaming memory."""

from __future__ import annotations

import csv
import io
import json
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.export import COLUMNS, export, parse_since
from archive.records import ArticleRecord
from archive.store import Archive
from tests import paths

FIXTURES = paths.FIXTURES / "archive" / "articles"
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
FIRE = (FIXTURES / "wildfire.txt").read_text("utf-8")
PLANET = (FIXTURES / "exoplanet.txt").read_text("utf-8")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "a.db") as opened:
        fire = ArticleRecord(
            url="https://n.example/fire", urls=("https://n.example/fire?utm_source=x",),
            text=FIRE, fetched_at=T0, title="Fire “east”", authors=("Rosa Díaz", "Li Wei"),
            published=datetime(2024, 4, 30, 22, 0, tzinfo=UTC), language="en", site="n",
        )  # fmt: skip
        opened.articles.store(fire)
        opened.articles.store(ArticleRecord(
            url="https://copy.example/fire", urls=(), text=FIRE, fetched_at=T0, site="copy",
        ))  # fmt: skip
        opened.articles.store(ArticleRecord(
            url="https://n.example/planet", urls=(), text=PLANET, fetched_at=T0 + timedelta(days=2),
            title="Planet", site="n",
        ))  # fmt: skip
        yield opened


def lines(archive: Archive, **kw: object) -> list[dict[str, object]]:
    """Export as JSON Lines and parse it back."""
    out = io.StringIO()
    count = export(archive, out, **kw)  # type: ignore[arg-type]
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(rows)
    return rows


def test_jsonl_has_every_field_and_skips_duplicates(archive: Archive) -> None:
    rows = lines(archive)
    assert [r["url"] for r in rows] == ["https://n.example/fire", "https://n.example/planet"]
    fire = rows[0]
    assert set(fire) == set(COLUMNS)
    assert fire["urls"] == ["https://n.example/fire", "https://n.example/fire?utm_source=x"]
    assert fire["authors"] == ["Rosa Díaz", "Li Wei"]
    assert fire["title"] == "Fire “east”"
    assert fire["published"] == "2024-04-30T22:00:00+00:00"
    assert fire["fetched_at"] == "2024-05-01T06:00:00.000000+00:00"
    assert (fire["text"], fire["version"], fire["duplicate_of"]) == (FIRE, 1, None)
    assert len(str(fire["content_hash"])) == 64


def test_include_duplicates_links_copies(archive: Archive) -> None:
    rows = lines(archive, include_duplicates=True)
    by_url = {r["url"]: r for r in rows}
    assert (
        by_url["https://copy.example/fire"]["duplicate_of"]
        == by_url["https://n.example/fire"]["id"]
    )


def test_since_takes_only_what_changed(archive: Archive) -> None:
    rows = lines(archive, since=T0 + timedelta(days=1))
    assert [r["url"] for r in rows] == ["https://n.example/planet"]
    later = ArticleRecord(url="https://n.example/fire", urls=(), text=FIRE + " Update.",
                          fetched_at=T0 + timedelta(days=3))  # fmt: skip
    archive.articles.store(later)
    rows = lines(archive, since=T0 + timedelta(days=2, hours=1))
    assert [(r["url"], r["version"]) for r in rows] == [("https://n.example/fire", 2)]


def test_csv_round_trips_text_with_newlines_and_quotes(archive: Archive, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert export(archive, target, fmt="csv") == 2
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["text"] == FIRE
    assert json.loads(rows[0]["authors"]) == ["Rosa Díaz", "Li Wei"]


def test_binary_stream_gets_utf8(archive: Archive) -> None:
    out = io.BytesIO()
    export(archive, out)
    assert "Rosa Díaz".encode() in out.getvalue()
    assert not out.closed


def test_parquet_without_pyarrow_says_how_to_install(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ArchiveError, match=r"pip install 'newsarchiver\[parquet\]'"):
        export(archive, tmp_path / "x.parquet", fmt="parquet")


def test_parquet_when_pyarrow_is_installed(archive: Archive, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "x.parquet"
    assert export(archive, target, fmt="parquet", include_duplicates=True) == 3
    table = pq.read_table(target).to_pylist()
    assert table[0]["authors"] == ["Rosa Díaz", "Li Wei"]
    assert table[1]["duplicate_of"] == table[0]["id"]


def test_parquet_has_timestamps_and_large_row_groups(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "x.parquet"
    assert export(archive, target, fmt="parquet", include_duplicates=True) == 3
    meta = pq.read_metadata(target)
    assert meta.num_row_groups == 1  # one group for the export, not one per cursor batch
    schema = pq.read_schema(target)
    for column in ("fetched_at", "updated_at", "published"):
        assert schema.field(column).type == pa.timestamp("us", tz="UTC")
    first = pq.read_table(target).to_pylist()[0]
    assert first["published"] == datetime(2024, 4, 30, 22, 0, tzinfo=UTC)
    assert first["fetched_at"] == T0 and "description" in first
    monkeypatch.setattr(sys.modules["archive.export"], "ROW_GROUP_ROWS", 2)  # a group closes
    assert export(archive, target, fmt="parquet", include_duplicates=True) == 3
    assert pq.read_metadata(target).num_row_groups == 2


def test_unknown_format_is_clear(archive: Archive) -> None:
    with pytest.raises(ArchiveError, match="unknown export format"):
        export(archive, io.StringIO(), fmt="xml")


def test_export_memory_stays_flat(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "big.db") as archive:
        with archive.transaction() as conn:  # bulk rows straight in: only export is measured
            conn.executemany(
                "INSERT INTO articles (url, text, fetched_at, content_hash, updated_at) "
                "VALUES (?, ?, '2024', ?, '2024')",
                ((f"https://b.example/{i}", f"{i} " + "x" * 4000, str(i)) for i in range(3000)),
            )
        sink = _NullText()
        tracemalloc.start()
        count = export(archive, sink)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert count == 3000 and sink.written > 12_000_000
    assert peak < 3_000_000  # a quarter of the exported text; a list of rows would need all


class _NullText(io.TextIOBase):
    def __init__(self) -> None:
        self.written = 0

    def write(self, s: str) -> int:
        self.written += len(s)
        return len(s)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T06:30:00+02:00", datetime(2024, 5, 1, 4, 30, tzinfo=UTC)),
        ("2024-05-01T06:30Z", datetime(2024, 5, 1, 6, 30, tzinfo=UTC)),
    ],
)
def test_parse_since_absolute(text: str, expected: datetime) -> None:
    assert parse_since(text) == expected


def test_parse_since_relative() -> None:
    moment = parse_since("24h")
    assert abs((datetime.now(UTC) - moment) - timedelta(hours=24)) < timedelta(seconds=5)
    assert abs(datetime.now(UTC) - parse_since("7d") - timedelta(days=7)) < timedelta(seconds=5)


@pytest.mark.parametrize("text", ["yesterday", "24", "h24", "2024-13-01"])
def test_parse_since_rejects_with_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match="expected an ISO date"):
        parse_since(text)
