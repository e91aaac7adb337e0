"""Scrapy with trafilatura in an item pipeline, under the bench's per-host politeness.

DOWNLOAD_DELAY = d, CONCURRENT_REQUESTS_PER_DOMAIN = c, CONCURRENT_REQUESTS = G,
RANDOMIZE_DOWNLOAD_DELAY off, AutoThrottle off, robots.txt obeyed, and the scheduler
queue Scrapy's broad-crawl guide recommends (DownloaderAwarePriorityQueue). Extraction
runs in the pipeline, in Scrapy's reactor thread, as a typical project does it.

    python -m bench.peers.scrapy_runner urls.txt out.jsonl --delay 0.25 --concurrency 1
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from trafilatura import extract

from bench.peers.common import parse_args, read_urls, write_line


class UrlListSpider(scrapy.Spider):
    """Requests every URL of a list, yields the page for the pipeline."""

    name = "bench_urls"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: scrapy.http.Response) -> Iterator[dict[str, str]]:
        yield {"url": response.url, "html": response.text}


class TrafilaturaPipeline:
    """Extract each page's text with trafilatura and write it as a JSON line."""

    def __init__(self, out: str) -> None:
        self.path = Path(out)
        self.out: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> TrafilaturaPipeline:
        return cls(crawler.settings.get("BENCH_OUT"))

    def open_spider(self, spider: Any = None) -> None:
        self.out = self.path.open("w", encoding="utf-8")

    def close_spider(self, spider: Any = None) -> None:
        self.out.close()

    def process_item(self, item: dict[str, str], spider: Any = None) -> dict[str, str]:
        text = extract(item["html"], url=item["url"], include_comments=False)
        write_line(self.out, item["url"], text)
        return {"url": item["url"]}


def main() -> None:
    """Crawl the URL list with Scrapy."""
    args = parse_args(__doc__.splitlines()[0])
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    process = CrawlerProcess(
        settings={
            "BOT_NAME": "bench",
            "USER_AGENT": "newsarchiver-bench-scrapy",
            "ROBOTSTXT_OBEY": True,
            "DOWNLOAD_DELAY": args.delay,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS": args.global_,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
            "ITEM_PIPELINES": {TrafilaturaPipeline: 300},
            "BENCH_OUT": str(args.out),
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "COOKIES_ENABLED": False,
        }
    )
    process.crawl(UrlListSpider, urls=read_urls(args.urls))
    process.start()


if __name__ == "__main__":
    main()
