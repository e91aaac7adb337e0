"""docs/hardening.md scenarios 9-18: size caps, decoding, redirects, address guard, types, charsets.

The bombs (10, 11, 13) each get a crawl of their own so the crawler's peak RSS
(``getrusage`` in the subprocess) can be held against the cap: peak minus the peak of an
ordinary one-article crawl. Everything else shares one crawl whose only allowed address is
127.0.0.2; the simulator also listens on 127.0.0.1 as a trap that must never be reached.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest

from scraper.errors import FetchError, RedirectError, RefusedError, TooLargeError
from scraper.extract.extractor import extract_page
from scraper.fetch.decoding import CappedDecoder
from scraper.models import HTML_TYPES
from tests.faultkit import (
    MIB,
    CrawlResult,
    UrlRow,
    archived,
    article_texts,
    baseline_peak_mib,
    consistency_problems,
    crawl,
    crawl_env,
    fast_site,
    links_seed,
    raw_seed,
    real_fetcher,
    requests_to,
    runs,
    url_rows,
)
from tests.resolver import NameTable
from tests.simulator import Simulator
from tests.simulator.content import CHARSET_PARAGRAPHS

CAP = 8 * MIB  # max_body_bytes of the memory crawls
ALLOWED = "127.0.0.2"
TRAP = "127.0.0.1"
SCHEMES = ("file", "ftp", "data", "javascript")
PRIVATE = ("metadata", "mapped", "integer", "octal", "private", "loopback", "localhost")
TYPES = ("pdf", "image", "octet")
CHARSETS = ("meta-only", "header-lies", "unknown", "bom")
CONTENT_TARGETS = [
    "/fault/huge-length",
    "/fault/stacked?layers=5",
    "/fault/stacked?layers=2",
    "/fault/loop/a",
    "/fault/chain/15",
    "/fault/chain/3",
    *(f"/fault/redirect/{n}" for n in SCHEMES + PRIVATE),
    *(f"/fault/type/{t}" for t in (*TYPES, "mislabeled")),
    *(f"/fault/charset/{c}" for c in CHARSETS),
]


@dataclass
class ContentRun:
    sim: Simulator
    db: Path
    result: CrawlResult
    rows: dict[str, UrlRow]


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContentRun]:
    tmp = tmp_path_factory.mktemp("content")
    with Simulator(fast_site(), hosts=[ALLOWED, TRAP]) as sim:
        seeds = tmp / "seeds"
        links_seed(seeds, sim, ALLOWED, CONTENT_TARGETS)
        # A publisher whose host name resolves to loopback: refused by resolved address.
        raw_seed(seeds, "local", "localhost", feeds=[f"http://localhost:{sim.port}/feed.rss"])
        db = tmp / "content.db"
        result = crawl(seeds, db, env=crawl_env(max_tries=2), allow=[f"{ALLOWED}/32"])
        yield ContentRun(sim, db, result, url_rows(db))


@pytest.fixture(scope="module")
def baseline_mib(tmp_path_factory: pytest.TempPathFactory) -> float:
    return baseline_peak_mib(str(tmp_path_factory.mktemp("baseline")))


def _outcome(run: ContentRun, path: str) -> tuple[str | None, str | None]:
    row = run.rows[path]
    return row.outcome, row.reason


def memory_crawl(tmp: Path, path: str) -> tuple[CrawlResult, dict[str, UrlRow]]:
    """One crawl fetching ``path`` as its only article, body cap CAP.

    The cap, not a clock, must end each of these pages: the deadlines are generous, so that
    on a busy machine a slow page is not failed for its time (the 5 s of FAST_ENV did).
    """
    with Simulator(fast_site()) as sim:
        links_seed(tmp / "seeds", sim, sim.hosts[0], [path])
        env = crawl_env(max_body_bytes=CAP, request_deadline=60, read_timeout=20)
        result = crawl(tmp / "seeds", tmp / "m.db", env=env)
    return result, url_rows(tmp / "m.db")


def test_content_crawl_is_partial_whole_and_never_touches_the_trap(content: ContentRun) -> None:
    assert content.result.returncode == 3, content.result.output
    assert "Traceback" not in content.result.output
    assert runs(content.db)[-1][0] == "partial"
    assert consistency_problems(content.db) == []
    assert content.sim.requests_for(TRAP) == []  # nothing ever connected to 127.0.0.1


# -- 9-13: size and decoding ------------------------------------------------------------


async def test_s09_content_length_over_cap_refused_before_the_body(
    simulator: Simulator, content: ContentRun
) -> None:
    async with real_fetcher(max_body_bytes=MIB) as fetcher:
        with pytest.raises(TooLargeError) as info:
            await fetcher.fetch(simulator.url("/fault/huge-length"))
    # Reading would have met the early close (truncated): the header alone decided.
    assert "Content-Length" in str(info.value) and info.value.reason == "too_large"
    assert requests_to(simulator, "/fault/huge-length") == 1  # not retried
    assert _outcome(content, "/fault/huge-length") == ("failed", "too_large")
    assert requests_to(content.sim, "/fault/huge-length") == 1


def test_s10_endless_body_cut_at_the_cap(tmp_path: Path, baseline_mib: float) -> None:
    result, rows = memory_crawl(tmp_path, "/fault/endless")
    assert result.returncode == 0, result.output  # one bad page: counted, not a night to look at
    assert (rows["/fault/endless"].outcome, rows["/fault/endless"].reason) == (
        "failed",
        "too_large",
    )
    grown = result.peak_mib - baseline_mib
    print(
        f"\nS10 endless: peak {result.peak_mib:.1f} MiB = baseline {baseline_mib:.1f} "
        f"+ {grown:.1f} MiB (cap {CAP / MIB:.0f} MiB + one chunk)"
    )
    assert grown < CAP / MIB + 3  # the cap plus a network chunk and a decode step


@pytest.mark.parametrize("kind", ["gzip", "deflate", "deflate-raw", "br"])
def test_s11_bomb_cut_at_decoded_cap_memory_under_twice_the_cap(
    tmp_path: Path, baseline_mib: float, kind: str
) -> None:
    path = f"/fault/bomb/{kind}?size_mb=256"
    result, rows = memory_crawl(tmp_path, path)
    assert result.returncode == 0, result.output  # one bad page: counted, not a night to look at
    assert (rows[path].outcome, rows[path].reason) == ("failed", "too_large")
    grown = result.peak_mib - baseline_mib
    print(
        f"\nS11 {kind} bomb (256 MiB decoded): peak {result.peak_mib:.1f} MiB = baseline "
        f"{baseline_mib:.1f} + {grown:.1f} MiB (cap: under 2 x {CAP / MIB:.0f} MiB)"
    )
    assert grown < 2 * CAP / MIB


@pytest.mark.parametrize("kind", ["gzip", "deflate", "deflate-raw", "br"])
async def test_s11_bomb_refused_by_the_fetcher(simulator: Simulator, kind: str) -> None:
    async with real_fetcher(max_body_bytes=MIB) as fetcher:
        with pytest.raises(TooLargeError):
            await fetcher.fetch(simulator.url(f"/fault/bomb/{kind}?size_mb=256"))
    assert requests_to(simulator, f"/fault/bomb/{kind}?size_mb=256") == 1


def test_s11_real_compressed_bodies_up_to_the_cap_decode_exactly() -> None:
    body = b"<p>news text</p>" * 50_000 + os.urandom(200_000) + b" " * 1_500_000
    for encoding, data in (
        ("gzip", gzip.compress(body)),
        ("deflate", zlib.compress(body)),
        ("deflate", zlib.compress(body)[2:-4]),
        ("br", brotli.compress(body)),
        ("gzip, br", brotli.compress(gzip.compress(body))),
    ):
        decoder = CappedDecoder(encoding, len(body))
        parts = [decoder.feed(data[i : i + 65536]) for i in range(0, len(data), 65536)]
        assert b"".join(parts) + decoder.finish() == body, encoding
        short = CappedDecoder(encoding, len(body) - 1)
        with pytest.raises(TooLargeError):
            for i in range(0, len(data), 65536):
                short.feed(data[i : i + 65536])
            short.finish()


async def test_s12_stacked_encodings_refused(simulator: Simulator, content: ContentRun) -> None:
    async with real_fetcher() as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(simulator.url("/fault/stacked?layers=5"))
        two = await fetcher.fetch(simulator.url("/fault/stacked?layers=2"))
    assert info.value.reason == "stacked_encoding"
    assert two.body.startswith(b"<!DOCTYPE html>")  # the allowed depth still decodes
    assert _outcome(content, "/fault/stacked?layers=5") == ("failed", "stacked_encoding")
    assert requests_to(content.sim, "/fault/stacked?layers=5") == 1
    assert "/fault/stacked?layers=2" in archived(content.db)


def test_s13_redirect_body_bomb_never_decoded(tmp_path: Path, baseline_mib: float) -> None:
    result, rows = memory_crawl(tmp_path, "/fault/redirect-bomb")
    assert result.returncode == 0, result.output
    assert rows["/fault/redirect-bomb"].outcome == "new"  # followed to /fault/article
    assert rows["/fault/article"].article_id == rows["/fault/redirect-bomb"].article_id
    grown = result.peak_mib - baseline_mib
    print(
        f"\nS13 302 with a 1 GiB gzip body: peak {result.peak_mib:.1f} MiB = baseline "
        f"{baseline_mib:.1f} + {grown:.1f} MiB (cap: flat, under 4 MiB)"
    )
    assert grown < 4


# -- 14-16: redirects and addresses ------------------------------------------------------


async def test_s14_redirect_loop_and_hop_cap(simulator: Simulator, content: ContentRun) -> None:
    async with real_fetcher(max_redirects=10) as fetcher:
        with pytest.raises(RedirectError) as loop:
            await fetcher.fetch(simulator.url("/fault/loop/a"))
        with pytest.raises(RedirectError) as chain:
            await fetcher.fetch(simulator.url("/fault/chain/15"))
        ok = await fetcher.fetch(simulator.url("/fault/chain/3"))
    assert loop.value.reason == "redirect_loop" and chain.value.reason == "too_many_redirects"
    assert requests_to(simulator, "/fault/loop/a") == requests_to(simulator, "/fault/loop/b") == 1
    hops = [requests_to(simulator, f"/fault/chain/{n}") for n in range(15, 3, -1)]
    assert hops == [1] * 11 + [0]  # 15 … 5 asked once each, then the cap; 4 never asked
    assert ok.status == 200 and len(ok.redirects) == 3
    assert _outcome(content, "/fault/loop/a") == ("failed", "redirect_loop")
    assert _outcome(content, "/fault/chain/15") == ("failed", "too_many_redirects")
    assert requests_to(content.sim, "/fault/loop/a") == 1  # not retried
    assert "/fault/chain/3" in archived(content.db)


@pytest.mark.parametrize("scheme", SCHEMES)
async def test_s15_redirect_to_other_schemes_refused(
    simulator: Simulator, content: ContentRun, scheme: str
) -> None:
    async with real_fetcher() as fetcher:
        with pytest.raises(RefusedError) as info:
            await fetcher.fetch(simulator.url(f"/fault/redirect/{scheme}"))
    assert info.value.reason == "bad_redirect"
    assert _outcome(content, f"/fault/redirect/{scheme}") == ("failed", "bad_redirect")


@pytest.mark.parametrize("name", PRIVATE)
async def test_s16_redirect_to_internal_addresses_refused_before_connecting(
    make_simulator, content: ContentRun, name: str
) -> None:
    sim = make_simulator(fast_site(), hosts=[ALLOWED, TRAP])
    async with real_fetcher(allow=[f"{ALLOWED}/32"]) as fetcher:
        with pytest.raises(RefusedError) as info:
            await fetcher.fetch(sim.url(f"/fault/redirect/{name}", ALLOWED))
    # httpx cannot even parse an octal host: that Location is refused as a bad redirect.
    reason = "bad_redirect" if name == "octal" else "private_address"
    assert info.value.reason == reason, info.value
    assert sim.requests_for(TRAP) == []
    assert requests_to(sim, f"/fault/redirect/{name}") == 1  # refused, so not retried
    assert _outcome(content, f"/fault/redirect/{name}") == ("failed", reason)


async def test_s16_internal_address_allowed_explicitly_and_resolved_names(
    make_simulator, content: ContentRun
) -> None:
    sim = make_simulator(fast_site(), hosts=[ALLOWED, TRAP])
    async with real_fetcher(allow=["127.0.0.0/8"]) as fetcher:
        page = await fetcher.fetch(sim.url("/fault/redirect/loopback", ALLOWED))
    assert page.status == 200 and [e.host for e in sim.requests_for(TRAP)] == [TRAP]

    async def evil_dns(host: str, port: int) -> list[str]:
        return ["169.254.169.254"] if host == "metadata.example" else ["127.0.0.1"]

    async with real_fetcher(allow=[f"{ALLOWED}/32"], resolver=evil_dns) as fetcher:
        for url in ("http://metadata.example/latest/", "http://innocent.example/"):
            with pytest.raises(RefusedError) as info:
                await fetcher.fetch(url)
            assert info.value.reason == "private_address"
    # In the run: a publisher named "localhost" is refused by its resolved address.
    assert runs(content.db)[-1][1].get("failed_robots_private_address") == 1
    assert "robots_private_address" in content.result.stdout


async def test_s16_dns_answer_changed_after_the_check_is_refused_at_connect(make_simulator) -> None:
    sim = make_simulator(fast_site(), hosts=["127.0.0.1"])

    # Public when the guard checks the URL, 127.0.0.1 when the connection looks the name
    # up again (no DNS cache here, so the second lookup really happens).
    rebinding = NameTable({"localhost": [["93.184.216.34"], ["127.0.0.1"]]})

    async with real_fetcher(allow=[], resolver=rebinding) as fetcher:
        with pytest.raises(RefusedError) as info:
            await fetcher.fetch(f"http://localhost:{sim.port}/fault/article")
    assert info.value.reason == "private_address" and "127.0.0.1" in str(info.value)
    assert rebinding.lookups == ["localhost", "localhost"]
    assert sim.log == []  # refused before connecting: nothing reached the simulator
    assert requests_to(sim, "/fault/article") == 0


# -- 17, 18: content types and charsets --------------------------------------------------


@pytest.mark.parametrize("kind", TYPES)
async def test_s17_non_html_skipped_by_content_type(
    simulator: Simulator, content: ContentRun, kind: str
) -> None:
    async with real_fetcher() as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(simulator.url(f"/fault/type/{kind}"), accept_types=HTML_TYPES)
    assert info.value.reason == "not_html"
    path = f"/fault/type/{kind}"
    assert _outcome(content, path) == ("failed", "not_html")
    assert requests_to(content.sim, path) == 1 and path not in archived(content.db)


def test_s17_pdf_labelled_html_is_no_article(content: ContentRun) -> None:
    assert content.rows["/fault/type/mislabeled"].outcome == "no_article"
    assert "/fault/type/mislabeled" not in archived(content.db)


@pytest.mark.parametrize("case", CHARSETS)
async def test_s18_charset_traps_give_the_right_text(
    simulator: Simulator, content: ContentRun, case: str
) -> None:
    async with real_fetcher() as fetcher:
        page = await fetcher.fetch(simulator.url(f"/fault/charset/{case}"))
    text = extract_page(page.body, page.final_url, page.content_type).text
    assert "\ufffd" not in text
    for paragraph in CHARSET_PARAGRAPHS:
        assert " ".join(paragraph.split()) in " ".join(text.split())
    stored = article_texts(content.db)[archived(content.db)[f"/fault/charset/{case}"]]
    assert "\ufffd" not in stored and CHARSET_PARAGRAPHS[1][:60] in stored
