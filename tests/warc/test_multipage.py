"""Ingest joins a multi-page article's pages, in any order and file, into one article."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.runtime.workerpool import WorkerPool
from scraper.seeds import Seed
from scraper.warc.dask_engine import ingest_dask
from scraper.warc.ingest import IngestOptions, IngestStats, ingest
from tests.simulator import HostConfig, SiteConfig, specials
from tests.simulator.pages import article_page
from tests.simulator.site import Article, Site
from tests.warc.helpers import ArchiveStore, DiesAfter, Killed, article_texts, open_store

SEED = Seed(name="Sim One", domain="127.0.0.2", path=Path("sim.toml"))


@cache
def _site() -> Site:
    hosts = (HostConfig(articles=5, crawl_delay=None, specials=("paged", "paged")),)
    site = Site(SiteConfig(hosts=hosts))
    site.port = 8080
    return site


def _paged(which: int = 0) -> Article:
    return [a for a in _site().articles if a.special == "paged"][which]


def page_url(article: Article, number: int) -> str:
    return _site().url(article) + (f"?page={number}" if number > 1 else "")


def _html(article: Article, number: int = 1) -> bytes:
    site = _site()
    pub = site.publisher(article.host)
    assert pub is not None
    base, others = site.base_url(article.host), site.articles_of(article.host)[:4]
    if article.special:
        return specials.page(article, pub, base, others, number=number).encode()
    return article_page(article, pub, base, others).encode()


def _plain() -> list[Article]:
    return [a for a in _site().articles if not a.special]


def write_warc(path: Path, pages: list[tuple[Article, int]]) -> None:
    """A warcio-written WARC of the pages given as (article, page number), in that order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for article, number in pages:
            body = _html(article, number)
            writer.write_record(
                writer.create_warc_record(
                    page_url(article, number),
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=StatusAndHeaders(
                        "200 OK",
                        [
                            ("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(body))),
                        ],
                        protocol="HTTP/1.1",
                    ),
                )
            )


@pytest.fixture
def warcs(tmp_path: Path) -> Path:
    """Page 3 and 1 in one file, page 2 in the next, ordinary articles around them."""
    art, (a, b, c) = _paged(), _plain()
    folder = tmp_path / "warcs"
    write_warc(folder / "1.warc.gz", [(a, 1), (art, 3), (b, 1), (art, 1)])
    write_warc(folder / "2.warc.gz", [(c, 1), (art, 2)])
    return folder


def _options(**options: object) -> IngestOptions:
    return IngestOptions(**{"seeds": (SEED,), "batch_size": 2, **options})  # type: ignore[arg-type]


async def _ingest(
    folder: Path, store: ArchiveStore, pool: WorkerPool, **options: object
) -> IngestStats:
    return await ingest([folder], store, pool, _options(**options))


def _ws(text: str) -> str:
    return " ".join(text.split())


def _row(store: ArchiveStore, url: str) -> tuple[int, list[str]]:
    """(pages, every URL) of the article at ``url``."""
    conn = store.archive.conn
    article_id, pages = conn.execute(
        "SELECT id, pages FROM articles WHERE url = ?", (url,)
    ).fetchone()
    urls = [
        u
        for (u,) in conn.execute("SELECT url FROM article_urls WHERE article_id = ?", (article_id,))
    ]
    return pages, urls


def assert_joined(store: ArchiveStore) -> None:
    """One article for the three pages: the text in page order, every page an alias."""
    art = _paged()
    texts = article_texts(store.archive)
    assert set(texts) == {_site().url(a) for a in (art, *_plain())}  # no page 2 or 3 alone
    text = _ws(texts[_site().url(art)])
    assert text == _ws(art.text)
    at = [text.index(_ws(" ".join(part))) for part in specials.page_parts(art)]
    assert at == sorted(at)
    pages, urls = _row(store, _site().url(art))
    assert pages == 3 and {page_url(art, n) for n in (1, 2, 3)} <= set(urls)
    # every page's HTML is archived, page 1 in raw_pages and the others after it
    raw = {p.url: p for p in store.archive.articles.raw_pages()}[page_url(art, 1)]
    assert raw.html == _html(art, 1)
    assert [(p.url, p.body) for p in raw.parts] == [
        (page_url(art, n), _html(art, n)) for n in (2, 3)
    ]


async def test_pages_out_of_order_in_two_files_make_one_article(
    warcs: Path,
    tmp_path: Path,
    pool: WorkerPool,
) -> None:
    store = open_store(tmp_path, "a")
    stats = await _ingest(warcs, store, pool)
    assert_joined(store)
    assert (stats.joined, stats.pages_unjoined, stats.stored["new"]) == (1, 0, 4)
    assert [store.progress(f).finished for f in store._all()] == [True, True]


def test_dask_joins_them_too(warcs: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path, "dask")
    stats = ingest_dask([warcs], store, _options(), workers=2, processes=False)
    assert_joined(store)
    assert stats.joined == 1 and stats.files_done == 2


async def test_a_second_ingest_adds_nothing(warcs: Path, tmp_path: Path, pool: WorkerPool) -> None:
    store = open_store(tmp_path, "a")
    await _ingest(warcs, store, pool)
    before = article_texts(store.archive)
    again = await _ingest(warcs, store, pool)
    assert again.pages == 0 and again.files_skipped == 2
    store.progress_file.unlink()  # progress lost: the joined article is unchanged
    third = await _ingest(warcs, store, pool)
    assert third.joined == 1 and third.stored["new"] == 0
    assert third.stored["unchanged"] == 4
    assert article_texts(store.archive) == before
    assert_joined(store)


async def test_a_killed_ingest_resumes_without_losing_the_article(
    warcs: Path,
    tmp_path: Path,
    pool: WorkerPool,
) -> None:
    for batches in range(4):  # killed at each point: after 0, 1, 2 or 3 stored batches
        store = open_store(tmp_path, f"k{batches}")
        with pytest.raises(Killed):
            await _ingest(warcs, DiesAfter(store, batches), pool, batch_size=1)
        await _ingest(warcs, store, pool, batch_size=1)
        assert_joined(store)
        assert all(store.progress(f).finished for f in store._all()), batches


async def test_without_its_first_page_an_article_is_not_stored(
    tmp_path: Path, pool: WorkerPool
) -> None:
    art, plain = _paged(), _plain()[0]
    write_warc(tmp_path / "w" / "a.warc.gz", [(art, 3), (plain, 1), (art, 2)])
    store = open_store(tmp_path, "a")
    stats = await _ingest(tmp_path / "w", store, pool)
    assert set(article_texts(store.archive)) == {_site().url(plain)}
    assert stats.pages_unjoined == 2 and stats.joined == 0
    assert store.progress(str((tmp_path / "w" / "a.warc.gz").resolve())).finished


async def test_a_missing_middle_page_ends_the_text_the_later_page_an_alias(
    tmp_path: Path,
    pool: WorkerPool,
) -> None:
    art = _paged()
    write_warc(tmp_path / "w" / "a.warc.gz", [(art, 3), (art, 1)])
    store = open_store(tmp_path, "a")
    await _ingest(tmp_path / "w", store, pool)
    texts = article_texts(store.archive)
    assert list(texts) == [_site().url(art)]
    first, _, last = (_ws(" ".join(p)) for p in specials.page_parts(art))
    assert first in _ws(texts[_site().url(art)]) and last not in _ws(texts[_site().url(art)])
    pages, urls = _row(store, _site().url(art))
    assert pages == 1 and page_url(art, 3) in urls
    assert store.archive.db.table("raw_page_parts").count == 0  # its text is not the article's


async def test_past_the_cap_the_oldest_article_is_joined_with_what_it_has(
    tmp_path: Path,
    pool: WorkerPool,
) -> None:
    one, two = _paged(0), _paged(1)
    write_warc(
        tmp_path / "w" / "a.warc.gz", [(one, 1), (two, 1), (one, 2), (two, 2), (one, 3), (two, 3)]
    )
    store = open_store(tmp_path, "a")
    stats = await _ingest(tmp_path / "w", store, pool, open_articles=1)
    texts = article_texts(store.archive)
    assert set(texts) == {_site().url(one), _site().url(two)}
    assert _ws(texts[_site().url(two)]) == _ws(two.text)  # whole
    assert _ws(texts[_site().url(one)]) == _ws(" ".join(specials.page_parts(one)[0]))
    assert (stats.joined, stats.pages_late, stats.pages_unjoined) == (1, 2, 0)  # one's 2, 3
