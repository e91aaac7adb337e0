"""PageChain: an article's pages fetched in order and joined; loops, strays and the cap stop it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scraper.crawl.jobs import FetchedPage, Job
from scraper.crawl.processing import PageChain
from scraper.extract.extractor import extract_for_archive
from scraper.extract.pagination import MAX_PAGES
from scraper.models import Candidate, Page, SourceKind
from scraper.seeds import Seed

URL = "https://news.example/2024/05/council-votes.html"
SEED = Seed(name="News", domain="news.example", path=Path("news.toml"))
T0 = datetime(2024, 5, 1, tzinfo=UTC)


def _para(n: int) -> str:
    return (
        f"Page {n} of the council story goes on with the vote and what the members said "
        "about it afterwards in the long evening session at the town hall. "
    ) * 2


def _html(n: int, nxt: str | None) -> str:
    link = f'<link rel="next" href="{nxt}">' if nxt else ""
    return (
        f"<html><head><title>Council</title>{link}</head><body><article>"
        f"<h1>Council</h1><p>{_para(n)}</p></article></body></html>"
    )


class FakeFetching:
    """Answers from a dict of URL → (final URL, HTML); records what was asked."""

    def __init__(self, pages: dict[str, tuple[str, str]]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    async def article(self, job: Job) -> Page | None:
        self.asked.append(job.url)
        found = self.pages.get(job.url)
        if found is None:
            return None  # the fetch failed: FetchStage records it and gives None
        final, html = found
        return Page(job.url, final, 200, {"content-type": "text/html"}, html.encode(), T0)


class InProcessPool:
    """The worker target, run in this process."""

    async def run(self, *args: object, **kwargs: object) -> object:
        return extract_for_archive(*args, **kwargs)  # type: ignore[arg-type]


def _page(n: int) -> str:
    return URL if n == 1 else f"{URL}?page={n}"


def _site(count: int, *, last_next: str | None = None) -> dict[str, tuple[str, str]]:
    return {
        _page(n): (_page(n), _html(n, _page(n + 1) if n < count else last_next))
        for n in range(1, count + 1)
    }


async def _complete(site: dict[str, tuple[str, str]], start: int = 1):
    fetching = FetchedPage(
        Job(Candidate(_page(start), "News", SourceKind.FEED, "feed"), SEED),
        Page(_page(start), _page(start), 200, {}, site[_page(start)][1].encode(), T0),
    )
    fake = FakeFetching(site)
    chain = PageChain(fake, InProcessPool())  # type: ignore[arg-type]
    ext, fp = extract_for_archive(fetching.page.body, _page(start))
    return await chain.complete(fetching, ext, fp), fake.asked


async def test_three_pages_are_joined_in_order() -> None:
    whole, asked = await _complete(_site(3))
    assert whole is not None
    assert whole.urls == (_page(1), _page(2), _page(3))
    at = [whole.extraction.text.index(f"Page {n} of") for n in (1, 2, 3)]
    assert at == sorted(at)
    assert asked == [_page(2), _page(3)]
    # the later pages as fetched, in order: the archive keeps them beside the first
    assert [(p.final_url, p.body) for p in whole.later] == [
        (_page(n), _html(n, _page(3) if n == 2 else None).encode()) for n in (2, 3)
    ]


async def test_a_link_back_to_an_earlier_page_ends_the_chain() -> None:
    site = _site(3)
    site[_page(3)] = (_page(3), _html(3, f"{URL}?page=4"))
    site[f"{URL}?page=4"] = (f"{URL}?page=4", _html(4, _page(2)))  # 4 → 2: a loop
    whole, asked = await _complete(site)
    assert whole is not None and len(whole.urls) == 4
    assert asked.count(_page(2)) == 1


async def test_a_page_that_redirects_outside_the_article_is_not_joined() -> None:
    site = _site(3)
    site[_page(3)] = ("https://news.example/2024/05/other-story.html", _html(9, None))
    whole, _ = await _complete(site)
    assert whole is not None and whole.urls == (_page(1), _page(2))
    assert [p.final_url for p in whole.later] == [_page(2)]  # the stray page is not kept
    assert "Page 9 of" not in whole.extraction.text


async def test_the_chain_is_capped() -> None:
    whole, asked = await _complete(_site(MAX_PAGES + 5))
    assert whole is not None and len(whole.urls) == MAX_PAGES
    assert len(asked) == MAX_PAGES - 1


async def test_a_later_page_whose_first_page_fails_is_not_an_article() -> None:
    site = _site(3)
    site[_page(2)] = (
        _page(2),
        _html(2, _page(3)).replace("<title>", f'<link rel="prev" href="{URL}"><title>'),
    )
    del site[_page(1)]
    whole, asked = await _complete(site, start=2)
    assert whole is None and asked == [_page(1)]


async def test_a_later_page_found_alone_starts_from_the_first() -> None:
    site = _site(3)
    site[_page(2)] = (
        _page(2),
        _html(2, _page(3)).replace("<title>", f'<link rel="prev" href="{URL}"><title>'),
    )
    whole, asked = await _complete(site, start=2)
    assert whole is not None and whole.urls == (_page(1), _page(2), _page(3))
    assert whole.fetched.page.final_url == _page(1)
    assert asked == [_page(1), _page(3)]  # page 2 is not fetched twice
    assert [p.body for p in whole.later] == [site[_page(n)][1].encode() for n in (2, 3)]


def test_an_article_listed_by_its_first_and_second_page_is_fetched_once(
    tmp_path: Path,
) -> None:
    # The simulator's "paged-2" article is listed by its page 2 in one place and its page 1
    # in another: one walk of its three pages, not one per listed page.
    from collections import Counter

    from tests.simulator import HostConfig, Simulator, SiteConfig
    from tests.test_e2e import articles, crawl

    hosts = (HostConfig(articles=4, crawl_delay=None, specials=("paged", "paged-2")),)
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        sim.write_seeds(tmp_path / "seeds")
        result = crawl(tmp_path / "seeds", tmp_path / "a.db")
        article = next(a for a in sim.site.articles if a.special == "paged-2")
        asked = Counter(e.target for e in sim.log if e.path == article.path)
    assert result.returncode == 0, result.stderr  # the site's one dead link: gone
    pages = [article.path, f"{article.path}?page=2", f"{article.path}?page=3"]
    assert asked == Counter(pages)
    assert len([u for u, _ in articles(tmp_path / "a.db") if article.slug in u]) == 1
