"""CPU per page of our extraction on the bench site's own article pages, against bare trafilatura.

At delay 0 the crawl bench is bound by the machine's 2 cores, shared by the simulator,
the crawl and the extraction workers: what one page's extraction costs there decides
the crawl's rate. This measures it without a crawl, in one process, with
``time.process_time`` (other load on the machine barely moves it):

    PYTHONPATH=. .venv/bin/python -m bench.site_extract [--hosts 20] [--articles 10]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import trafilatura

from bench.site import BenchSite, bench_config
from scraper.extract.extractor import extract_for_archive
from tests.simulator import pages

Pages = list[tuple[bytes, str]]


def site_pages(hosts: int, articles: int) -> Pages:
    """(HTML, URL) of every article page of a bench site, rendered as the simulator serves it."""
    site = BenchSite(bench_config(hosts=hosts, articles=articles))
    out = []
    for article in site.articles:
        pub = site.publisher(article.host)
        assert pub is not None
        base = f"http://{article.host}:8000"
        others = [o for o in site.articles_of(article.host) if o is not article][:4]
        html = pages.article_page(article, pub, base, others)
        out.append((html.encode(), base + article.path))
    return out


def cpu_ms_per_page(
    bodies: Pages, extract: Callable[[bytes, str], object], rounds: int = 3
) -> float:
    """Median over ``rounds`` of the CPU milliseconds per page of ``extract``."""
    for body, url in bodies[:5]:  # warm up: model loads, regex compiles
        extract(body, url)
    figures = []
    for _ in range(rounds):
        began = time.process_time()
        for body, url in bodies:
            extract(body, url)
        figures.append(1000 * (time.process_time() - began) / len(bodies))
    return sorted(figures)[len(figures) // 2]


def main() -> None:
    """Print ours and bare trafilatura's CPU per page on the bench site's pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--articles", type=int, default=10, help="articles per host")
    args = parser.parse_args()
    bodies = site_pages(args.hosts, args.articles)
    ours = cpu_ms_per_page(
        bodies, lambda b, u: extract_for_archive(b, u, "text/html; charset=utf-8")
    )
    bare = cpu_ms_per_page(
        bodies, lambda b, u: trafilatura.extract(b.decode(), url=u, include_comments=False)
    )
    print(
        f"{len(bodies)} bench-site pages, CPU ms per page (median of 3 rounds): "
        f"ours {ours:.2f} (extract_for_archive: extraction, cleaning, metadata, "
        f"fingerprint), bare trafilatura {bare:.2f}"
    )


if __name__ == "__main__":
    main()
