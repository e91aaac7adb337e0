"""Ingest: the crawl's extraction into an archive, idempotent, resumable, local = Dask."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.extract.evaluate import default_extractor
from scraper.runtime.workerpool import WorkerPool
from scraper.seeds import Seed
from scraper.warc.dask_engine import ingest_dask
from scraper.warc.ingest import IngestOptions, IngestStats, ingest
from scraper.warc.writer import WarcWriter
from tests.paths import FIXTURES
from tests.warc.helpers import (
    ArchiveStore,
    DiesAfter,
    Killed,
    article_texts,
    chunked,
    exchange,
    open_store,
    sim_pages,
)

EVALSET = FIXTURES / "evalset" / "body"
SEED = Seed(
    name="Sim One",
    domain="127.0.0.2",
    path=Path("sim.toml"),
    feeds=("http://127.0.0.2:8080/feed.rss",),
)


@pytest.fixture
def warc_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "warcs"
    writer = WarcWriter(folder, max_bytes=12_000)  # several files
    for i, (url, _, html) in enumerate(sim_pages()):
        writer.write(exchange(url, html, i, encoded=bool(i % 2)))
    writer.close()
    assert len(writer.closed_files) >= 2
    return folder


async def _ingest(
    folder: Path, store: ArchiveStore, pool: WorkerPool, **options: object
) -> IngestStats:
    options = {"seeds": (SEED,), "batch_size": 3, **options}
    return await ingest([folder], store, pool, IngestOptions(**options))  # type: ignore[arg-type]


async def test_articles_stored_with_seed_or_host_as_site(
    warc_dir: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    store = open_store(tmp_path, "a")
    stats = await _ingest(warc_dir, store, pool)
    assert stats.pages == len(sim_pages()) and stats.failed == {}
    texts = article_texts(store.archive)
    assert sum(stats.stored.values()) == len(sim_pages())
    assert len(texts) == stats.stored["new"] >= 6
    for url, title, _ in sim_pages():  # each page's headline text made it in
        assert url in texts or stats.stored["duplicate"], title
    sites = dict(store.archive.conn.execute("SELECT url, site FROM articles").fetchall())
    assert {s for u, s in sites.items() if "127.0.0.2" in u} == {"Sim One"}
    assert {s for u, s in sites.items() if "127.0.0.3" in u} == {"127.0.0.3"}


async def test_only_seeds_skips_pages_no_seed_owns(
    warc_dir: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    store = open_store(tmp_path, "a")
    stats = await _ingest(warc_dir, store, pool, only_seeds=True)
    outside = sum("127.0.0.3" in u for u, _, _ in sim_pages())
    assert stats.outside_seeds == outside > 0
    urls = [u for (u,) in store.archive.conn.execute("SELECT url FROM articles")]
    assert urls and all("127.0.0.2" in u for u in urls)


async def test_same_files_twice_add_nothing(
    warc_dir: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    store = open_store(tmp_path, "a")
    first = await _ingest(warc_dir, store, pool)
    before = article_texts(store.archive)
    again = await _ingest(warc_dir, store, pool)  # finished files are skipped
    assert again.files_skipped == first.files_done >= 2 and again.pages == 0
    store.progress_file.unlink()  # progress lost: dedup still adds nothing
    third = await _ingest(warc_dir, store, pool)
    assert third.pages == first.pages and third.stored["new"] == 0
    assert article_texts(store.archive) == before


async def test_killed_ingest_resumes_where_it_stopped(
    warc_dir: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    reference = open_store(tmp_path, "ref")
    await _ingest(warc_dir, reference, pool)
    store = open_store(tmp_path, "a")
    dying = DiesAfter(store, 2)
    with pytest.raises(Killed):
        await _ingest(warc_dir, dying, pool)
    stored_before = len(article_texts(store.archive))
    assert 0 < stored_before < len(article_texts(reference.archive))
    resumed = await _ingest(warc_dir, store, pool)
    assert resumed.pages == len(sim_pages()) - dying.done  # no stored page read again
    assert article_texts(store.archive) == article_texts(reference.archive)


async def test_local_and_dask_give_the_same_articles(
    warc_dir: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    local = open_store(tmp_path, "local")
    await _ingest(warc_dir, local, pool)
    dask = open_store(tmp_path, "dask")
    stats = ingest_dask(
        [warc_dir], dask, IngestOptions(seeds=(SEED,), batch_size=3), workers=2, processes=False
    )
    assert stats.pages == len(sim_pages()) and stats.files_done >= 2
    assert article_texts(dask.archive) == article_texts(local.archive)
    again = ingest_dask([warc_dir], dask, IngestOptions(seeds=(SEED,)), workers=2, processes=False)
    assert again.pages == 0 and again.files_skipped == stats.files_done


_INGEST = """
import asyncio, sys, time
from pathlib import Path
from archive import Archive
from scraper.runtime.workerpool import WorkerPool
from scraper.warc.ingest import IngestOptions, ingest
from tests.warc.helpers import ArchiveStore

class Slow(ArchiveStore):
    def store(self, items):
        results = super().store(items)
        print("batch", flush=True)
        time.sleep(0.3)  # the kill lands while later batches are still to come
        return results

async def main():
    tmp = Path(sys.argv[1])
    pool = WorkerPool("scraper.extract.extractor:extract_for_archive", workers=1,
                      timeout=60, memory_mb=0)
    store = Slow(Archive.open(tmp / "a.db"), tmp / "a.json")
    await ingest([tmp / "warcs"], store, pool, IngestOptions(batch_size=2))

asyncio.run(main())
"""


async def test_sigkilled_ingest_process_resumes(
    warc_dir: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    reference = open_store(tmp_path, "ref")
    await _ingest(warc_dir, reference, pool, seeds=())
    proc = subprocess.Popen(
        [sys.executable, "-c", _INGEST, str(tmp_path)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdout is not None
    assert [proc.stdout.readline().strip() for _ in range(2)] == [b"batch", b"batch"]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    store = open_store(tmp_path, "a")
    done = len(article_texts(store.archive))
    assert 0 < done < len(sim_pages())
    resumed = await ingest([warc_dir], store, pool, IngestOptions(batch_size=2))
    assert resumed.stored["new"] == len(sim_pages()) - done
    assert resumed.pages <= len(sim_pages()) - done + 2  # at most one batch read again
    assert article_texts(store.archive) == article_texts(reference.archive)


def test_dask_on_a_scheduler_address_with_worker_processes(warc_dir: Path, tmp_path: Path) -> None:
    """Real worker processes: chunks (records, fingerprints) cross a process boundary."""
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        memory_limit="1GiB",
    ) as cluster:
        store = open_store(tmp_path, "dask")
        stats = ingest_dask(
            [warc_dir],
            store,
            IngestOptions(seeds=(SEED,), batch_size=3),
            scheduler=cluster.scheduler_address,
        )
    assert stats.pages == len(sim_pages()) and stats.failed == {}
    sites = {s for (s,) in store.archive.conn.execute("SELECT site FROM articles")}
    assert sites == {"Sim One", "127.0.0.3"}


def write_eval_warc(dataset: Path, path: Path) -> dict[str, bytes]:
    """An eval set's pages as another crawler writes them: WARC/1.0, chunked and gzipped."""
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        rec["url"]: gzip.decompress((dataset / "html" / f"{pid}.html.gz").read_bytes())
        for pid, rec in truth.items()
        if (dataset / "html" / f"{pid}.html.gz").is_file()
    }
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True, warc_version="1.0")
        for url, html in pages.items():
            body = chunked(gzip.compress(html))
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=StatusAndHeaders(
                        "200 OK",
                        [
                            ("Content-Type", "text/html"),
                            ("Content-Encoding", "gzip"),
                            ("Transfer-Encoding", "chunked"),
                        ],
                        protocol="HTTP/1.1",
                    ),
                )
            )
    return pages


async def test_foreign_warc_gives_the_text_scraper_eval_scores(
    tmp_path: Path, pool: WorkerPool
) -> None:
    """Pages no crawl here fetched, in another tool's WARC: the text eval measures."""
    pages = write_eval_warc(EVALSET, tmp_path / "eval.warc.gz")
    store = open_store(tmp_path, "eval")
    stats = await ingest(
        [tmp_path / "eval.warc.gz"], store, pool, IngestOptions(min_article_chars=0)
    )
    assert stats.pages == len(pages) >= 2
    texts = article_texts(store.archive)
    assert texts == {url: default_extractor(html, url).text for url, html in pages.items()}
