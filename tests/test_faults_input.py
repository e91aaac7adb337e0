"""Hostile input (issue 21, part A): export paths, seeds, the run lock, dates, read-only and
damaged archives, non-HTML files and out-of-range options, through the real CLI."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.records import ArticleRecord
from archive.store import Archive
from scraper.discover.feeds import parse_feed_date as feed_date
from scraper.extract.extractor import extract_page
from scraper.runtime.lock import RunLock
from tests import paths

T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
ARTICLES = paths.FIXTURES / "archive" / "articles"
TEXTS = [
    (ARTICLES / f"{name}.txt").read_text("utf-8")
    for name in (
        "wildfire",
        "exoplanet",
        "earnings_chipmaker",
        "football_final",
        "school_strike",
        "water_council",
    )
]
TEXT = TEXTS[0]
SEED = """name = "Pub"
domain = "pub.example"
feeds = ["https://pub.example/feed.xml"]
"""


# Runs the CLI as the user "nobody" when the tests run as root (root ignores file modes):
# what the command needs is imported first, as the interpreter may live in root's home.
_AS_NOBODY = (
    "import os, sys\n"
    "import scraper.cli.commands\n"
    "from scraper.cli.main import main\n"
    "import archive, scraper.crawl.health, sqlite3, json, html, encodings.idna\n"
    "if os.geteuid() == 0:\n"
    "    os.setgid(65534)\n"
    "    os.setuid(65534)\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def run_cli(
    *args: str, cwd: Path = paths.ROOT, as_nobody: bool = False, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    start = ["-c", _AS_NOBODY] if as_nobody else ["-m", "scraper"]
    return subprocess.run(
        [sys.executable, *start, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        check=False,
    )


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An archive of two articles, each with its raw page."""
    path = tmp_path / "a.db"
    with Archive.open(path) as archive:
        for n in range(2):
            archive.articles.store(
                ArticleRecord(
                    url=f"https://pub.example/{n}",
                    urls=(),
                    text=TEXTS[n],
                    title=f"Fire {n}",
                    fetched_at=T0 + timedelta(hours=n),
                    site="Pub",
                    http_status=200,
                    raw_html=f"<html><body><p>{TEXTS[n]}</p></body></html>".encode(),
                    content_type="text/html; charset=utf-8",
                )
            )
    return path


def exported_urls(text: str) -> list[str]:
    return [json.loads(line)["url"] for line in text.splitlines()]


# -- 1: export writes through the path --------------------------------------------------


def test_export_through_a_symlink_replaces_its_target_and_keeps_its_mode(db: Path, tmp_path: Path):
    target = tmp_path / "real" / "out.jsonl"
    target.parent.mkdir()
    target.write_text("yesterday's export\n")
    target.chmod(0o640)
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    result = run_cli("export", "--db", str(db), "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == target  # still the user's symlink
    assert exported_urls(target.read_text()) == ["https://pub.example/0", "https://pub.example/1"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["out.jsonl"]  # no temp file left


def test_export_keeps_an_existing_files_mode_and_owner(db: Path, tmp_path: Path):
    out = tmp_path / "shared.csv"
    out.write_text("old\n")
    out.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(out, 4321, 4321)  # another user's job reads it
    before = out.stat()
    result = run_cli("export", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    after = out.stat()
    assert stat.S_IMODE(after.st_mode) == 0o644 and after.st_ino != before.st_ino
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert out.read_text().startswith("id,url,")


def test_export_new_file_gets_the_umasks_mode_not_0600(db: Path, tmp_path: Path):
    out = tmp_path / "new.jsonl"
    umask = os.umask(0o022)
    try:
        result = run_cli("export", "--db", str(db), "-o", str(out))
    finally:
        os.umask(umask)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


@pytest.mark.parametrize("fmt", ["jsonl", "warc"])
def test_export_into_a_fifo_streams_and_leaves_the_fifo(db: Path, tmp_path: Path, fmt: str):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()  # blocks in open() until the export opens the other end
    result = run_cli("export", "--db", str(db), "--format", fmt, "-o", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    if fmt == "jsonl":
        assert len(exported_urls(got[0].decode())) == 2
    else:
        assert got[0][:2] == b"\x1f\x8b" and b"pub.example/1" in gzip.decompress(got[0])


def test_export_to_standard_output_and_a_device(db: Path):
    result = run_cli("export", "--db", str(db), "-o", "-")
    assert result.returncode == 0 and len(exported_urls(result.stdout)) == 2, result.stderr
    null = run_cli("export", "--db", str(db), "-o", "/dev/null")
    assert null.returncode == 0, null.stderr
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def _dev_full_fills() -> bool:
    try:
        with Path("/dev/full").open("wb", buffering=0) as full:
            full.write(b"x")
    except OSError:
        return True
    return False  # some sandboxes (gVisor) make /dev/full a /dev/null


@pytest.mark.skipif(not _dev_full_fills(), reason="this kernel's /dev/full accepts writes")
@pytest.mark.parametrize("fmt", ["jsonl", "warc"])
def test_export_to_a_full_device_is_a_fatal_error_not_a_usage_error(db: Path, fmt: str):
    result = run_cli("export", "--db", str(db), "--format", fmt, "-o", "/dev/full")
    assert result.returncode == 1, result.stderr
    assert "No space left" in one_error(result)
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)


def add_articles(db: Path, count: int) -> None:
    """``count`` more articles of 400 words each (different enough not to be duplicates)."""
    with Archive.open(db) as archive:
        for n in range(2, count + 2):
            words = " ".join(random.Random(n).sample(" ".join(TEXTS).split(), 400))
            archive.articles.store(
                ArticleRecord(
                    url=f"https://pub.example/{n}",
                    urls=(),
                    text=words,
                    fetched_at=T0,
                    raw_html=f"<p>{words}</p>".encode(),
                    http_status=200,
                    content_type="text/html",
                )
            )


@pytest.mark.parametrize("name", ["x.warc.gz", "x.jsonl"])
def test_export_to_a_full_disk_exits_1_and_leaves_the_old_file(db: Path, tmp_path: Path, name: str):
    add_articles(db, 40)
    out = tmp_path / name
    out.write_bytes(b"the last good export")
    env_run = subprocess.run(  # files may not grow past 40 kB (the -shm index is 32 kB)
        [
            sys.executable,
            "-c",
            "import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, "
            "(40_000, 40_000)); from scraper.cli.main import main; sys.exit(main(sys.argv[1:]))",
            "export",
            "--db",
            str(db),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=paths.ROOT,
        check=False,
        env={**os.environ, "PYTHONPATH": str(paths.ROOT)},
    )
    assert env_run.returncode == 1, env_run.stderr
    assert "too large" in one_error(env_run)  # EFBIG, as ENOSPC on a full disk
    assert out.read_bytes() == b"the last good export" and list(tmp_path.glob(".*")) == []


def test_export_to_a_folder_or_socket_is_refused_with_nothing_written(db: Path, tmp_path: Path):
    folder = tmp_path / "out.jsonl"
    folder.mkdir()
    result = run_cli("export", "--db", str(db), "-o", str(folder))
    assert result.returncode == 2 and "a folder" in one_error(result)
    assert list(folder.iterdir()) == []


# -- 3: one lock per archive ------------------------------------------------------------


def test_crawl_through_a_symlinked_archive_path_is_locked_out(db: Path, tmp_path: Path):
    seeds = tmp_path / "pub.toml"
    seeds.write_text(SEED)
    link = tmp_path / "elsewhere.db"
    link.symlink_to(db)
    with RunLock(db):
        for path, cwd in ((str(link), paths.ROOT), ("./a.db", tmp_path)):
            result = run_cli("crawl", "--seeds", str(seeds), "--db", path, cwd=cwd)
            assert result.returncode == 75, result.stderr
            assert "locked" in one_error(result)


# -- 8, 4, 9, 13, 15: seeds checked like flags, nothing written -------------------------


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("per_host_delay = inf", "per_host_delay"),
        ("per_host_delay = nan", "per_host_delay"),
        ("per_host_concurrency = 99999999999999999", "per_host_concurrency"),
        ('enabled = "false"', "enabled"),
        ("cookies = 1", "cookies"),
        ("deep = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)
def test_a_bad_seed_value_is_exit_2_naming_file_and_key_with_nothing_written(
    tmp_path: Path, line: str, key: str
):
    seeds = tmp_path / "pub.toml"
    seeds.write_text(SEED + line + "\n")
    db = tmp_path / "data" / "a.db"
    result = run_cli("crawl", "--seeds", str(seeds), "--db", str(db))
    assert result.returncode == 2, result.stderr
    message = one_error(result)
    assert str(seeds) in message and key in message
    assert not db.parent.exists()


def test_seed_numbers_have_the_same_range_as_their_variable(tmp_path: Path):
    seeds = tmp_path / "pub.toml"
    seeds.write_text(SEED)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scraper",
            "crawl",
            "--seeds",
            str(seeds),
            "--db",
            str(tmp_path / "a.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=paths.ROOT,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": str(paths.ROOT),
            "SCRAPER_PER_HOST_CONCURRENCY": "99999999999999999",
        },
    )
    assert result.returncode == 2 and "at most 64" in one_error(result)
    seeds.write_text(SEED + "per_host_concurrency = 65\n")
    result = run_cli("crawl", "--seeds", str(seeds), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and "at most 64" in one_error(result)


@pytest.mark.parametrize(
    "feed",
    [
        "http://127.0.0.1:8080/feed",
        "http://10.0.0.7/rss",
        "http://2130706433/feed",
    ],
)
def test_a_private_feed_address_is_refused_when_the_seeds_load(tmp_path: Path, feed: str):
    host = feed.split("/")[2].split(":")[0]
    seeds = tmp_path / "pub.toml"
    seeds.write_text(f'name = "Pub"\ndomain = "{host}"\nfeeds = ["{feed}"]\n')
    db = tmp_path / "data" / "a.db"
    result = run_cli("crawl", "--seeds", str(seeds), "--db", str(db))
    assert result.returncode == 2, result.stderr
    assert str(seeds) in one_error(result) and "--allow-address" in one_error(result)
    assert not db.parent.exists()


# -- 10: dates are sane -----------------------------------------------------------------


def test_a_far_future_or_ancient_date_is_dropped_for_the_next_source():
    page = (
        '<html><head><script type=\'application/ld+json\'>{"@type": "NewsArticle", '
        '"datePublished": "9999-12-31T23:59:59-14:00", '
        '"dateModified": "1970-01-01T00:00:00Z"}</script>'
        "<meta property='article:published_time' content='2024-05-01T06:00:00+02:00'>"
        "<meta property='article:modified_time' content='2024-05-02T08:00:00Z'>"
        f"</head><body><article><p>{TEXT}</p></article></body></html>"
    )
    ext = extract_page(page.encode(), "https://pub.example/a")
    assert ext.published is not None and ext.published.isoformat() == "2024-05-01T06:00:00+02:00"
    assert ext.published_source == "meta"
    assert ext.modified is not None and ext.modified.year == 2024


def test_a_feed_date_in_year_9999_or_tomorrow_plus_two_days_is_no_date():
    assert feed_date("9999-12-31T23:59:59-14:00") is None
    assert feed_date("Fri, 31 Dec 9999 23:59:59 -1400") is None
    soon = datetime.now(UTC) + timedelta(days=2)
    assert feed_date(soon.isoformat()) is None
    assert feed_date("1989-12-31T00:00:00Z") is None
    assert feed_date("2024-05-01T06:00:00Z") == T0


# -- 11: reading needs only read access -------------------------------------------------


@pytest.fixture
def read_only_archive(db: Path) -> Iterator[Path]:
    """``db`` copied into a folder nobody may write (a reporting user's view of it)."""
    folder = Path(tempfile.mkdtemp(prefix="ro-archive-"))
    try:
        copy = folder / "archive.db"
        shutil.copy(db, copy)
        copy.chmod(0o444)
        folder.chmod(0o555)  # no -shm or -wal can be created beside it
        yield copy
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_archive_can_be_searched_exported_and_judged(read_only_archive: Path):
    before = read_only_archive.read_bytes()
    found = run_cli("search", "Fire", "--db", str(read_only_archive), "--json", as_nobody=True)
    assert found.returncode == 0, found.stderr
    assert {json.loads(line)["url"] for line in found.stdout.splitlines()} == {
        "https://pub.example/0",
        "https://pub.example/1",
    }
    exported = run_cli("export", "--db", str(read_only_archive), "-o", "-", as_nobody=True)
    assert exported.returncode == 0 and len(exported_urls(exported.stdout)) == 2, exported.stderr
    health = run_cli("health", "--db", str(read_only_archive), as_nobody=True)
    assert health.returncode == 0 and "no crawl run" in health.stdout, health.stderr
    assert read_only_archive.read_bytes() == before
    assert sorted(p.name for p in read_only_archive.parent.iterdir()) == ["archive.db"]


def test_a_reader_never_writes_even_where_it_may(db: Path):
    before = db.read_bytes()
    with Archive.open_reader(db) as archive:
        assert [h.url for h in archive.articles.search("Fire", limit=5)]
        with pytest.raises(Exception, match="readonly|read-only"):
            archive.conn.execute("DELETE FROM articles")
    assert db.read_bytes() == before


# -- 12: a damaged archive is refused before any write ----------------------------------


def test_a_crawl_refuses_a_damaged_archive_before_writing_anything(db: Path, tmp_path: Path):
    add_articles(db, 58)  # enough pages that one in the middle is an article's
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(bytes(random.Random(12).randbytes(4096)))
    before = db.read_bytes()
    seeds = tmp_path / "pub.toml"
    seeds.write_text('name = "Pub"\ndomain = "127.0.0.1"\nfeeds = ["http://127.0.0.1:9/f"]\n')
    result = run_cli(
        "crawl", "--seeds", str(seeds), "--db", str(db), "--allow-address", "127.0.0.1"
    )
    assert result.returncode == 1, result.stderr
    assert "damaged" in one_error(result) and str(db) in one_error(result)
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists()


# -- 14, 15: unvalidated CLI input ------------------------------------------------------


@pytest.mark.parametrize(
    "body", [random.Random(14).randbytes(4096), Path(sys.executable).resolve().read_bytes()[:65536]]
)
def test_extract_of_random_bytes_or_a_program_is_refused(tmp_path: Path, body: bytes):
    page = tmp_path / "page.html"
    page.write_bytes(body)
    result = run_cli("extract", str(page))
    assert result.returncode == 2 and result.stdout == ""
    assert "not HTML" in one_error(result)


def test_a_user_agent_with_a_line_break_is_refused(tmp_path: Path):
    seeds = tmp_path / "pub.toml"
    seeds.write_text(SEED)
    result = run_cli(
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        str(tmp_path / "a.db"),
        "--user-agent",
        "newsarchiver/1\r\nX-Injected: 1",
    )
    assert result.returncode == 2 and "--user-agent" in one_error(result)
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("export", "--since", "99999999999d"),
        ("search", "fire", "--limit", "100000000000000000000"),
        ("search", "fire", "--limit", "1e20"),
        ("health", "--runs", "100000000000000000000"),
        ("health", "--runs", "1e20"),
    ],
)
def test_out_of_range_options_are_usage_errors(db: Path, args: tuple[str, ...]):
    result = run_cli(*args, "--db", str(db))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "fatal" not in result.stderr


def test_ingest_of_a_device_says_it_is_not_a_warc_file(tmp_path: Path):
    result = run_cli("ingest", "/dev/zero", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2
    message = one_error(result)
    assert "not a WARC file" in message and "no such" not in message
