"""The publisher simulator behaves like the web it claims to be (feeds, 304s, faults)."""

from __future__ import annotations

import asyncio
import gzip
import html
import json
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree
from protego import Protego

from scraper.seeds import load_seeds
from tests.simulator import Simulator, Site, SiteConfig, bombs, with_host
from tests.simulator.content import CHARSET_PARAGRAPHS
from tests.simulator.site import MISSING_PATH, PRIVATE_PATH, TRACKING_QUERY
from tests.simulator.texts import TEXTS_DIR

NS = {
    "rss_dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
MakeSim = Callable[..., Simulator]


def _xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def _raw_get(sim: Simulator, path: str, timeout: float = 5.0) -> bytes:
    """Send one GET on a raw socket; return whatever arrives until close (or raise)."""
    with socket.create_connection((sim.hosts[0], sim.port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
        return b"".join(chunks)


def test_feeds_list_every_article_of_their_host(simulator: Simulator) -> None:
    host = simulator.hosts[0]
    expected = {simulator.article_url(a) for a in simulator.site.articles_of(host)}
    with httpx.Client() as client:
        rss = _xml(client.get(simulator.url("/feed.rss", host)).content)
        atom = _xml(client.get(simulator.url("/atom.xml", host)).content)
    rss_links = [e.text for e in rss.iterfind("channel/item/link")]
    assert {link.split("?")[0] for link in rss_links} == expected
    assert any(link.endswith("?" + TRACKING_QUERY) for link in rss_links)
    for date in rss.iterfind("channel/item/pubDate"):
        assert date.text.endswith("GMT")
    atom_links = {e.get("href") for e in atom.iterfind("atom:entry/atom:link", NS)}
    assert atom_links == expected


def test_sitemap_index_leads_to_news_and_gzipped_archive(simulator: Simulator) -> None:
    host = simulator.hosts[1]
    articles = simulator.site.articles_of(host)
    with httpx.Client() as client:
        index = _xml(client.get(simulator.url("/sitemap_index.xml", host)).content)
        locs = [e.text for e in index.iterfind("sm:sitemap/sm:loc", NS)]
        assert [loc.rsplit("/", 1)[1] for loc in locs] == [
            "sitemap-news.xml",
            "sitemap-archive.xml.gz",
        ]
        news = _xml(client.get(locs[0]).content)
        archive = client.get(locs[1])
    dates = [e.text for e in news.iterfind("sm:url/news:news/news:publication_date", NS)]
    assert len(dates) == len(articles)
    assert all(datetime.fromisoformat(d).tzinfo is not None for d in dates)
    assert "content-encoding" not in archive.headers  # a .gz file, not a transfer coding
    urlset = _xml(gzip.decompress(archive.content))
    assert len(urlset.findall("sm:url/sm:lastmod", NS)) == len(articles)


def test_article_page_has_the_body_and_the_chrome(simulator: Simulator) -> None:
    article = simulator.site.articles_of(simulator.hosts[0])[0]
    with httpx.Client() as client:
        page = client.get(simulator.article_url(article)).text
    for para in article.paragraphs:
        assert html.escape(para, quote=True) in page
    found = re.search(r'application/ld\+json">(.*?)</script>', page)
    assert found is not None
    ld = json.loads(found.group(1))
    assert (ld["@type"], ld["headline"]) == ("NewsArticle", article.title)
    assert ld["author"]["name"] == article.author
    assert f'<link rel="canonical" href="{simulator.article_url(article)}">' in page
    for chrome in ("By <a", "Related Article:", "Read Also:", "All rights reserved.", "og:url"):
        assert chrome in page
    assert "Related Article" not in article.text and "©" not in article.text


def test_amp_twin_points_back_at_the_article(simulator: Simulator) -> None:
    article = simulator.site.articles_of(simulator.hosts[0])[0]
    with httpx.Client() as client:
        amp = client.get(simulator.url(article.amp_path, article.host))
    assert amp.status_code == 200
    assert f'<link rel="canonical" href="{simulator.article_url(article)}">' in amp.text


def test_listing_links_variants_and_traps(simulator: Simulator) -> None:
    host = simulator.hosts[0]
    with httpx.Client() as client:
        listing = client.get(simulator.url("/", host)).text
        missing = client.get(simulator.url(MISSING_PATH, host))
    hrefs = set(re.findall(r'href="([^"]+)"', listing))
    assert {MISSING_PATH, PRIVATE_PATH} <= hrefs
    assert any(h.startswith("/amp/") for h in hrefs)
    assert any(h.endswith(TRACKING_QUERY) for h in hrefs)
    assert missing.status_code == 404


def test_etag_and_last_modified_give_304_and_are_logged(simulator: Simulator) -> None:
    article = simulator.site.articles[0]
    url = simulator.article_url(article)
    with httpx.Client() as client:
        first = client.get(url)
        by_etag = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        by_date = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
        stale = client.get(url, headers={"If-None-Match": 'W/"something-else"'})
    assert (first.status_code, by_etag.status_code, by_date.status_code) == (200, 304, 304)
    assert stale.status_code == 200 and by_etag.content == b""
    log = simulator.requests_for(article.host, article.path)
    assert [e.status for e in log] == [200, 304, 304, 200]
    assert log[1].header("If-None-Match") == first.headers["etag"]
    assert log[2].header("if-modified-since") == first.headers["last-modified"]
    assert all(e.end is not None and e.end >= e.start for e in log)
    assert len({e.conn for e in log}) == 1  # one kept-alive connection served all four


def test_a_gate_holds_the_answer_until_it_is_released(make_simulator: MakeSim) -> None:
    sim = make_simulator(SiteConfig.uniform(publishers=1, articles=1))
    gate = sim.gate("/news/", host=sim.hosts[0])
    answers: list[int] = []

    def fetch(url: str) -> None:
        with httpx.Client() as client:
            answers.append(client.get(url).status_code)

    held = threading.Thread(target=fetch, args=(sim.article_url(sim.site.articles[0]),))
    held.start()
    assert gate.wait_held()
    fetch(sim.url("/robots.txt"))  # other paths pass
    assert answers == [200] and [e.end for e in sim.requests_for(path_prefix="/news/")] == [None]
    gate.release()
    held.join(timeout=30)
    assert answers == [200, 200]


def test_log_measures_concurrency_and_gaps(make_simulator: MakeSim) -> None:
    sim = make_simulator(SiteConfig.uniform(publishers=1, articles=3), latency=0.3)
    url = sim.url("/robots.txt")
    gate = sim.gate("/robots.txt")  # all three are in flight at once, however slow to start

    def fetch() -> None:
        with httpx.Client() as client:
            client.get(url)

    threads = [threading.Thread(target=fetch) for _ in range(3)]
    for t in threads:
        t.start()
    assert gate.wait_held(3)
    gate.release()
    for t in threads:
        t.join()
    assert sim.max_concurrency(sim.hosts[0]) == 3
    sim.clear_log()
    with httpx.Client() as client:
        client.get(url)
        time.sleep(0.2)
        client.get(url)
    assert sim.max_concurrency(sim.hosts[0]) == 1
    gap = sim.min_gap(sim.hosts[0])
    assert gap is not None and gap >= 0.5  # 0.3 s latency + 0.2 s pause between arrivals


def test_latency_is_the_whole_response_time_not_added_to_the_work(
    make_simulator: MakeSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bench's bound assumes each answer takes exactly L: building it is inside L."""
    from tests.simulator import routes

    real = routes.handle

    async def slow_handle(*args: object) -> object:
        await asyncio.sleep(0.15)  # rendering a page that takes its time
        return await real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(routes, "handle", slow_handle)
    sim = make_simulator(SiteConfig.uniform(publishers=1, articles=3), latency=0.3)
    with httpx.Client() as client:
        assert client.get(sim.article_url(sim.site.articles[0])).status_code == 200
    (entry,) = sim.log
    assert entry.end is not None
    assert 0.3 <= entry.end - entry.start < 0.4  # not 0.3 + 0.15


def test_robots_disallows_private_and_sets_crawl_delay(simulator: Simulator) -> None:
    with httpx.Client() as client:
        body = client.get(simulator.url("/robots.txt")).text
    robots = Protego.parse(body)
    assert not robots.can_fetch(simulator.url(PRIVATE_PATH), "newsarchiver")
    assert robots.can_fetch(simulator.article_url(simulator.site.articles[0]), "newsarchiver")
    assert robots.crawl_delay("newsarchiver") == 0.2
    assert f"Sitemap: {simulator.url('/sitemap_index.xml')}" in body


@pytest.mark.parametrize(("mode", "status"), [("404", 404), ("500", 500), ("429", 429)])
def test_robots_error_modes(make_simulator: MakeSim, mode: str, status: int) -> None:
    sim = make_simulator(with_host(SiteConfig.uniform(1, 2), 0, robots=mode))
    with httpx.Client() as client:
        assert client.get(sim.url("/robots.txt")).status_code == status


def test_allow_news_robots_lets_articles_through_only(make_simulator: MakeSim) -> None:
    sim = make_simulator(with_host(SiteConfig.uniform(1, 2), 0, robots="allow-news"))
    with httpx.Client() as client:
        robots = Protego.parse(client.get(sim.url("/robots.txt")).text)
    assert robots.can_fetch(sim.article_url(sim.site.articles[0]), "bot")
    assert not robots.can_fetch(sim.url("/"), "bot")


def test_503_then_200_article(simulator: Simulator) -> None:
    article = next(a for a in simulator.site.articles if a.fails_first)
    with httpx.Client() as client:
        first = client.get(simulator.article_url(article))
        second = client.get(simulator.article_url(article))
    assert (first.status_code, first.headers["retry-after"]) == (503, "1")
    assert second.status_code == 200 and article.paragraphs[-1][:40] in html.unescape(second.text)


def test_flaky_and_status_faults(simulator: Simulator) -> None:
    with httpx.Client() as client:
        codes = [
            client.get(simulator.url("/fault/flaky/k1?fails=2&code=502")).status_code
            for _ in range(3)
        ]
        limited = client.get(simulator.url("/fault/status/429?retry_after_date=30"))
        junk = client.get(simulator.url("/fault/status/503?retry_after=soon-ish"))
    assert codes == [502, 502, 200]
    assert limited.status_code == 429 and limited.headers["retry-after"].endswith("GMT")
    assert junk.headers["retry-after"] == "soon-ish"


def test_reset_and_refused_are_real_socket_errors(simulator: Simulator) -> None:
    with pytest.raises(ConnectionResetError):
        _raw_get(simulator, "/fault/reset")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", simulator.closed_port), timeout=2).close()
    assert simulator.requests_for(path_prefix="/fault/reset")[0].status == 0


@pytest.mark.parametrize(
    "path", ["/fault/short-body", "/fault/chunked/truncated", "/fault/chunked/bad-size"]
)
def test_truncated_bodies_break_the_client(simulator: Simulator, path: str) -> None:
    with httpx.Client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.get(simulator.url(path))


def test_drip_is_slow_and_hang_sends_nothing(simulator: Simulator) -> None:
    started = time.monotonic()
    body = _raw_get(simulator, "/fault/drip?bytes=4&interval=0.3")
    assert time.monotonic() - started >= 0.9 and body.endswith(b"\r\n\r\n<!DO")
    with httpx.Client(timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.get(simulator.url("/fault/hang?hold=2"))


def test_stop_ends_held_connections_promptly(make_simulator: MakeSim) -> None:
    sim = make_simulator(SiteConfig.uniform(1, 1))
    sock = socket.create_connection((sim.hosts[0], sim.port), timeout=5)
    with sock:
        sock.sendall(b"GET /fault/hang?hold=60 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.1)
        started = time.monotonic()
        sim.stop()
        assert sock.recv(10) == b""
    assert time.monotonic() - started < 3


def test_gzip_bomb_is_small_on_the_wire_and_inflates_past_1_gib(simulator: Simulator) -> None:
    with (
        httpx.Client(timeout=30) as client,
        client.stream("GET", simulator.url("/fault/bomb/gzip")) as resp,
    ):
        wire = b"".join(resp.iter_raw())
    assert resp.headers["content-encoding"] == "gzip" and len(wire) < 2 * 1024 * 1024
    assert int.from_bytes(wire[-4:], "little") == (1 << 30) & 0xFFFFFFFF  # ISIZE (RFC 1952)
    assert zlib.decompressobj(31).decompress(wire, 1 << 20) == b" " * (1 << 20)
    # The same builder at 16 MiB, decoded in full: CRC and size check out, 1000:1 ratio.
    small = bombs.gzip_bomb(16 << 20)
    assert len(gzip.decompress(small)) == 16 << 20 and len(small) < (16 << 20) // 1000


def test_stacked_encoding_needs_five_decodes(simulator: Simulator) -> None:
    with httpx.Client() as client, client.stream("GET", simulator.url("/fault/stacked")) as resp:
        body = b"".join(resp.iter_raw())
    assert resp.headers["content-encoding"] == "gzip, gzip, gzip, gzip, gzip"
    for _ in range(5):
        body = gzip.decompress(body)
    assert body.startswith(b"<!DOCTYPE html>")


def test_redirect_faults(simulator: Simulator) -> None:
    with httpx.Client(follow_redirects=True) as client:
        chain = client.get(simulator.url("/fault/chain/3"))
        with pytest.raises(httpx.TooManyRedirects):
            client.get(simulator.url("/fault/loop/a"))
    assert chain.status_code == 200 and len(chain.history) == 3
    with httpx.Client() as client:
        meta = client.get(simulator.url("/fault/redirect/metadata"))
        anywhere = client.get(simulator.url("/fault/redirect?to=file:///etc/passwd&code=301"))
    assert (meta.status_code, meta.headers["location"]) == (
        302,
        "http://169.254.169.254/latest/meta-data/",
    )
    assert (anywhere.status_code, anywhere.headers["location"]) == (301, "file:///etc/passwd")


@pytest.mark.parametrize(
    ("case", "codec"),
    [
        ("meta-only", "cp1252"),
        ("header-lies", "cp1252"),
        ("unknown", "utf-8"),
        ("bom", "utf-8-sig"),
    ],
)
def test_charset_pages_decode_with_the_right_codec_only(
    simulator: Simulator, case: str, codec: str
) -> None:
    with httpx.Client() as client:
        raw = client.get(simulator.url(f"/fault/charset/{case}")).content
    text = html.unescape(raw.decode(codec))
    assert all(p in text for p in CHARSET_PARAGRAPHS)
    if codec == "cp1252":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")


def test_xxe_feed_points_at_a_local_secret(simulator: Simulator) -> None:
    with httpx.Client() as client:
        feed = client.get(simulator.url("/fault/feed/xxe")).text
    assert f'SYSTEM "file://{simulator.xxe_path}"' in feed
    assert simulator.xxe_secret not in feed
    assert Path(simulator.xxe_path).read_text(encoding="utf-8").strip() == simulator.xxe_secret


def test_non_html_types(simulator: Simulator) -> None:
    with httpx.Client() as client:
        pdf = client.get(simulator.url("/fault/type/pdf"))
        png = client.get(simulator.url("/fault/type/image"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert png.headers["content-type"] == "image/png" and png.content[1:4] == b"PNG"


def test_written_seeds_load_and_match_the_site(simulator: Simulator, tmp_path: Path) -> None:
    seeds = load_seeds(simulator.write_seeds(tmp_path)[0].parent)
    assert [s.domain for s in seeds] == list(simulator.hosts)
    for seed in seeds:
        articles = simulator.site.articles_of(seed.domain)
        assert all(seed.is_article_url(simulator.article_url(a)) for a in articles)
        assert seed.is_article_url(simulator.url(PRIVATE_PATH, seed.domain))
        assert not seed.is_article_url(simulator.url("/section/world/", seed.domain))
        assert all(seed.owns(u) for u in seed.feeds + seed.sitemaps + seed.start_urls)


def test_site_is_deterministic_and_articles_are_distinct() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    config = SiteConfig(hosts=SiteConfig.uniform(3, 12).hosts, now=now)
    first, second = Site(config), Site(config)
    assert first.articles == second.articles
    assert len({a.path for a in first.articles}) == len({a.title for a in first.articles}) == 36
    bodies = [set(a.paragraphs) for a in first.articles]
    for i, a in enumerate(bodies):
        assert all(len(a & b) <= 2 for b in bodies[i + 1 :])
    assert {a.lang for a in first.articles} == {"en", "de"}


def test_aggregator_seed_text_has_its_quotes_back() -> None:
    text = (TEXTS_DIR / "002_977739124ad0c336.clean.txt").read_text(encoding="utf-8")
    assert "In today’s China" in text and "“It’s an honor" in text
    assert not re.search(r"\b(Thats|theyre|dont|didnt|Chinas)\b", text)


def test_hosts_outside_loopback_are_refused() -> None:
    with pytest.raises(ValueError, match="127.0.0.0/8"):
        Simulator(hosts=["10.0.0.5"])


def test_hostile_sitemaps(simulator: Simulator) -> None:
    with httpx.Client(timeout=30) as client:
        index = client.get(simulator.url("/fault/sitemap/self-index")).text
        huge = client.get(simulator.url("/fault/sitemap/huge-count")).content
        with client.stream("GET", simulator.url("/fault/sitemap/gz-bomb")) as resp:
            wire = b"".join(resp.iter_raw())
    assert simulator.url("/fault/sitemap/self-index") in index
    assert huge.count(b"<url>") > 50_000 and _xml(huge) is not None
    assert len(wire) < 2 * 1024 * 1024 and "content-encoding" not in resp.headers
    assert zlib.decompressobj(31).decompress(wire, 200).startswith(b"<?xml")


def test_oversized_robots_hides_a_rule_past_500_kib(make_simulator: MakeSim) -> None:
    sim = make_simulator(with_host(SiteConfig.uniform(1, 2), 0, robots="oversized"))
    with httpx.Client() as client:
        body = client.get(sim.url("/robots.txt")).content
    cut = 500 * 1024
    assert len(body) > cut and b"Disallow: /private/" in body[:cut]
    assert b"Disallow: /\n" not in body[:cut] and body.endswith(b"Disallow: /\n")


def test_host_feed_mode_serves_the_hostile_feed(make_simulator: MakeSim) -> None:
    sim = make_simulator(with_host(SiteConfig.uniform(2, 2), 1, feed="billion-laughs"))
    with httpx.Client() as client:
        good = client.get(sim.url("/feed.rss", sim.hosts[0])).content
        bad = client.get(sim.url("/feed.rss", sim.hosts[1])).content
    assert b"<!ENTITY" not in good and b'<!ENTITY lol9 "&lol8;' in bad


def test_size_faults_announce_or_stream_more_than_any_cap(simulator: Simulator) -> None:
    with httpx.Client(timeout=10) as client:
        with client.stream("GET", simulator.url("/fault/huge-length")) as resp:
            assert int(resp.headers["content-length"]) >= 10**12
        with client.stream("GET", simulator.url("/fault/endless")) as resp:
            got = 0
            for chunk in resp.iter_raw():
                got += len(chunk)
                if got > 4 * 1024 * 1024:
                    break
    assert resp.headers["transfer-encoding"] == "chunked" and got > 4 * 1024 * 1024


def test_monster_and_empty_pages(simulator: Simulator) -> None:
    with httpx.Client(timeout=30) as client:
        nested = client.get(simulator.url("/fault/monster/nested")).content
        empty = client.get(simulator.url("/fault/empty")).text
    assert nested.count(b"<div>") == 100_000
    assert "Coming soon." in empty and "<article" not in empty
