"""Background WAL checkpoints: the WAL stays bounded under a stream of commits, and closing
the archive ends the thread and leaves a complete database file."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import checkpoint
from archive.records import ArticleRecord
from archive.store import Archive

T0 = datetime(2024, 5, 1, tzinfo=UTC)
PAGE = 4096 + 24  # a WAL frame: page plus frame header


def _article(i: int) -> ArticleRecord:
    words = " ".join(f"w{(i * 7919 + k * 104729) % 100003}" for k in range(120))
    url = f"https://stream.example/{i}"
    return ArticleRecord(url=url, urls=(url,), text=words, fetched_at=T0 + timedelta(seconds=i))


def _checkpoint_threads(
    others: frozenset[threading.Thread] = frozenset(),
) -> list[threading.Thread]:
    """Checkpoint threads running, less ``others`` (archives of earlier tests in this
    process, which a parallel run may have put before this one)."""
    return [t for t in threading.enumerate() if t.name == "archive-checkpoint" and t not in others]


def test_wal_is_copied_and_rewound_while_the_writer_keeps_committing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small marks so a few hundred commits cross them many times; the writer's own
    # autocheckpoint is pushed out of reach, so only the background thread can bound the WAL.
    monkeypatch.setattr(checkpoint, "POLL_SECONDS", 0.005)
    monkeypatch.setattr(checkpoint, "REWIND_FRAMES", 100)
    monkeypatch.setattr(checkpoint, "REWIND_BACKLOG", 100)
    path = tmp_path / "a.db"
    wal = Path(f"{path}-wal")
    others = frozenset(_checkpoint_threads())
    with Archive.open(path) as archive:
        archive.conn.execute("PRAGMA wal_autocheckpoint = 1000000")
        largest = 0
        for i in range(400):
            archive.articles.store(_article(i))
            largest = max(largest, wal.stat().st_size)
            time.sleep(0.001)  # a crawl's pace, far above it; lets the thread get the GIL
        assert len(_checkpoint_threads(others)) == 1
    # 400 articles write ~10,000 frames; rewinding keeps the file to a few hundred
    assert largest < 1_500 * PAGE
    assert not _checkpoint_threads(others) and not wal.exists()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 400
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()


def test_a_reading_archive_starts_no_thread(tmp_path: Path) -> None:
    others = frozenset(_checkpoint_threads())
    with Archive.open(tmp_path / "a.db") as archive:
        archive.articles.search("anything")
        assert not _checkpoint_threads(others)
