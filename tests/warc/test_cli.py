"""WARC through the real CLI: crawl --warc-dir, ingest (local, Dask), export --format warc.

The issue's test: a crawl of loopback publishers leaves WARC files that an independent
reader (warcio, digests checked) validates, and ingesting them into a fresh archive gives
the same articles (URLs and text) as the crawl stored, with either engine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from scraper.warc.writer import REVISIT_PROFILE, WarcWriter
from tests.simulator import HostConfig, Simulator, SiteConfig
from tests.test_e2e import crawl, run_cli
from tests.warc.helpers import exchange, sim_pages


@dataclass
class Crawled:
    sim: Simulator
    seeds: Path
    db: Path
    warcs: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    served: list  # (url, status) the simulator answered, both runs


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("warc-e2e")
    # a three-page article (found from its first page, and from page 2 alone): ingest
    # must join its pages from the WARC as the crawl joined them
    hosts = tuple(
        HostConfig(
            articles=5,
            crawl_delay=None,
            lang=lang,
            specials=("paged", "paged-2") if lang == "en" else (),
        )
        for lang in ("en", "de")
    )
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        seeds = tmp / "seeds"
        sim.write_seeds(seeds, per_host_delay=0.05)
        db, warcs = tmp / "archive.db", tmp / "warc"
        first = crawl(seeds, db, "--warc-dir", str(warcs))
        second = crawl(seeds, db, "--warc-dir", str(warcs))  # conditional: 304s
        served = [(f"http://{e.host}{e.target}", e.status) for e in sim.log]
        yield Crawled(sim, seeds, db, warcs, first, second, served)


def read_warcs(folder: Path) -> list[tuple[str, dict[str, str], int | None, bytes]]:
    """(type, WARC headers, HTTP status, payload) of every record, digests checked."""
    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                payload = record.content_stream().read()
                status = record.http_headers.get_statuscode() if record.http_headers else None
                out.append(
                    (
                        record.rec_type,
                        dict(record.rec_headers.headers),
                        int(status) if status and record.rec_type != "request" else None,
                        payload,
                    )
                )
    return out


def _without_port(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{parts.path}" + (
        f"?{parts.query}" if parts.query else ""
    )


def root_articles(db: Path) -> dict[str, str]:
    with Database(db) as reader:
        rows = reader.table("articles").rows_where("duplicate_of IS NULL", select="url, text")
        return {r["url"]: r["text"] for r in rows}


def test_crawl_leaves_valid_warc_pairs_one_response_per_fetch(crawled: Crawled):
    assert crawled.first.returncode in (0, 3), crawled.first.stderr
    files = sorted(crawled.warcs.iterdir())
    assert files and all(f.name.endswith(".warc.gz") for f in files)  # closed, no .open
    records = read_warcs(crawled.warcs)  # raises on a wrong block or payload digest
    kinds = Counter(kind for kind, *_ in records)
    assert kinds["warcinfo"] == len(files) == 2  # one per file (one file per run here)
    ids = {h["WARC-Record-ID"]: (kind, h) for kind, h, *_ in records}
    answers = [h for kind, h, *_ in records if kind in ("response", "revisit")]
    requests = [h for kind, h, *_ in records if kind == "request"]
    assert len(requests) == len(answers)
    for request in requests:  # each request names its response, same URL and peer
        kind, answer = ids[request["WARC-Concurrent-To"]]
        assert kind in ("response", "revisit")
        assert answer["WARC-Target-URI"] == request["WARC-Target-URI"]
        assert answer["WARC-IP-Address"] == request["WARC-IP-Address"].split(":")[0]
    for answer in answers:
        assert answer["WARC-Date"].endswith("Z") and answer["WARC-IP-Address"].startswith("127.")
        assert "WARC-Block-Digest" in answer
    recorded = Counter(
        (_without_port(h["WARC-Target-URI"]), status)
        for kind, h, status, _ in records
        if kind in ("response", "revisit")
    )
    # Every 200/304 the simulator served is one record; errors (the 404) are not recorded.
    served = Counter(
        (url, status)
        for url, status in crawled.served
        if status in (200, 304) or 300 <= status < 400
    )
    assert recorded == served


def test_304s_are_revisit_records(crawled: Crawled):
    revisits = [
        (h, payload) for kind, h, status, payload in read_warcs(crawled.warcs) if kind == "revisit"
    ]
    assert revisits, "the second crawl asked its feeds conditionally"
    for headers, payload in revisits:
        assert headers["WARC-Profile"] == REVISIT_PROFILE
        assert headers["WARC-Refers-To-Target-URI"] == headers["WARC-Target-URI"]
        assert payload == b""


def test_article_responses_keep_the_raw_body_as_received(crawled: Crawled):
    stored = root_articles(crawled.db)
    pages = {
        h["WARC-Target-URI"]: payload
        for kind, h, status, payload in read_warcs(crawled.warcs)
        if kind == "response" and status == 200
    }
    assert set(stored) <= set(pages)
    assert all(b"<html" in pages[url].lower() for url in stored)


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_ingest_of_the_crawl_warcs_gives_the_crawls_articles(
    crawled: Crawled, tmp_path: Path, engine: str
):
    db = tmp_path / "ingested.db"
    ingest = ("ingest", str(crawled.warcs), "--db", str(db), "--seeds", str(crawled.seeds))
    result = run_cli(*ingest, "--engine", engine, "--quiet", timeout=180)
    assert result.returncode == 0, result.stderr
    assert root_articles(db) == root_articles(crawled.db) != {}
    # "paged" and "paged-2": one article each, as crawled (their pages that the crawl
    # fetched twice are captured twice: "already stored")
    assert "multi-page articles joined 2; pages left out: no first page 0" in result.stdout
    again = run_cli(*ingest, "--engine", engine, "--quiet", timeout=180)
    assert again.returncode == 0, again.stderr
    assert "files: 0 ingested, 2 already done" in again.stdout
    assert "articles: none" in again.stdout
    with Database(db) as reader:
        runs = [r["status"] for r in reader.table("runs").rows]
        finished = [r["finished"] for r in reader.table("ingest_progress").rows]
    assert runs == ["ok", "ok"] and finished == [1, 1]


def test_ingest_bad_input_is_one_line_and_exit_2(tmp_path: Path):
    not_warc = tmp_path / "page.warc.gz"
    not_warc.write_bytes(b"<html>not a WARC</html>")
    db = tmp_path / "a.db"
    for args, says in [
        ((str(tmp_path / "missing.warc.gz"),), "no such WARC file"),
        ((str(not_warc),), "not a WARC file"),
        ((str(tmp_path), "--only-seeds"), "--only-seeds needs --seeds"),
        ((str(tmp_path), "--workers", "3"), "are for --engine dask"),
    ]:
        result = run_cli("ingest", *args, "--db", str(db))
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr
    assert not db.exists()  # nothing written


def test_ingest_without_dask_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import importlib.util

    from scraper.cli.main import main

    folder = tmp_path / "w"
    writer = WarcWriter(folder)
    writer.write(exchange(*sim_pages()[0][::2]))
    writer.close()
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "distributed" else real(name, *a),
    )
    code = main(["ingest", str(folder), "--db", str(tmp_path / "a.db"), "--engine", "dask"])
    assert code == 2
    assert "needs Dask: pip install -e '.[dask]'" in capsys.readouterr().err


def test_sigkilled_ingest_resumes_and_ends_with_every_article(tmp_path: Path):
    folder = tmp_path / "w"
    writer = WarcWriter(folder)
    pages = sim_pages(per_host=15, hosts=2)
    for i, (url, _, html) in enumerate(pages):
        writer.write(exchange(url, html, i))
    writer.close()
    db = tmp_path / "a.db"
    env = {"SCRAPER_STORE_BATCH": "1", "SCRAPER_EXTRACT_WORKERS": "1"}
    args = [sys.executable, "-m", "scraper", "ingest", str(folder), "--db", str(db), "-q"]
    proc = subprocess.Popen(
        args,
        env={**os.environ, **env},
        cwd=Path(__file__).parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _progress(db) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    offset, finished = _progress(db) or (None, True)
    assert offset is not None and not finished, "killed before its first batch, or after all"
    done = len(root_articles(db))
    resumed = run_cli("ingest", str(folder), "--db", str(db), "-q", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert len(root_articles(db)) == len(pages) > done
    assert _progress(db) == (_progress(db) or (0, 0))[:1] + (1,)


def _progress(db: Path) -> tuple[int | None, int] | None:
    if not db.exists():
        return None
    try:
        with Database(db) as reader:
            row = reader.execute("SELECT offset, finished FROM ingest_progress").fetchone()
    except Exception:  # noqa: BLE001 - the file is being created
        return None
    return None if row is None else (row[0], row[1])


def test_export_warc_round_trips_through_ingest(crawled: Crawled, tmp_path: Path):
    out = tmp_path / "export.warc.gz"
    result = run_cli("export", "--db", str(crawled.db), "--format", "warc", "-o", str(out))
    assert result.returncode == 0, result.stderr
    records = read_warcs(tmp_path)  # digests checked
    kinds = Counter(kind for kind, *_ in records)
    with Database(crawled.db) as reader:
        paged = {r["url"] for r in reader.table("articles").rows_where("pages > 1")}
        pages = reader.table("raw_pages").count + reader.table("raw_page_parts").count
    assert len(paged) == 2 and kinds == {"warcinfo": 1, "response": pages}
    # every page of a multi-page article is its own response, in page order
    uris = [h["WARC-Target-URI"] for kind, h, *_ in records if kind == "response"]
    for url in paged:
        at = uris.index(url)
        assert uris[at : at + 3] == [url, f"{url}?page=2", f"{url}?page=3"]
    db = tmp_path / "again.db"
    result = run_cli("ingest", str(out), "--db", str(db), "--seeds", str(crawled.seeds), "-q")
    assert result.returncode == 0, result.stderr
    # the ingest joins them back: the crawl's articles, multi-page ones whole
    assert root_articles(db) == root_articles(crawled.db) != {}
    with Database(db) as reader:
        assert {r["url"] for r in reader.table("articles").rows_where("pages > 1")} == paged
    later = run_cli(
        "export",
        "--db",
        str(crawled.db),
        "--format",
        "warc",
        "-o",
        str(tmp_path / "none"),
        "--since",
        "2999-01-01",
    )
    assert later.returncode == 0 and not list((tmp_path / "none").glob("*.warc.gz"))
    no_output = run_cli("export", "--db", str(crawled.db), "--format", "warc")
    assert no_output.returncode == 2 and "needs -o PATH" in no_output.stderr


def test_ingest_while_a_run_holds_the_lock_exits_75(tmp_path: Path):
    from scraper.runtime.lock import RunLock

    folder = tmp_path / "w"
    writer = WarcWriter(folder)
    writer.write(exchange(*sim_pages()[0][::2]))
    writer.close()
    db = tmp_path / "a.db"
    with RunLock(db):
        result = run_cli("ingest", str(folder), "--db", str(db))
    assert result.returncode == 75 and "locked" in result.stderr


def test_warc_dir_that_is_a_file_is_one_line_exit_2(tmp_path: Path):
    taken = tmp_path / "taken"
    taken.write_text("a file")
    result = run_cli(
        "crawl", "--seeds", str(tmp_path), "--db", str(tmp_path / "a.db"), "--warc-dir", str(taken)
    )
    assert result.returncode == 2
    assert f"--warc-dir / SCRAPER_WARC_DIR: not a folder: {taken}" in result.stderr


async def test_a_failed_warc_write_is_one_warning_and_the_crawl_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    from scraper.crawl.warcout import WarcRecorder
    from scraper.settings import Settings

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    recorder = WarcRecorder(Settings(warc_dir=tmp_path / "file" / "warc"))
    url, _, html = sim_pages()[0]
    for i in range(3):
        recorder(exchange(url, html, i))
    assert await recorder.close() == []
    warnings = [r.getMessage() for r in caplog.records if "WARC output stopped" in r.getMessage()]
    assert len(warnings) == 1 and "cannot create a WARC file" in warnings[0]
    assert recorder.records == 0 and recorder.failed is not None
