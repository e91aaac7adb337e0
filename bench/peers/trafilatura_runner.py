"""trafilatura's own downloader, as ``trafilatura -i urls.txt --parallel N`` runs it.

Mirrors ``trafilatura.cli_utils.download_queue_processing`` through the public API:
a domain-aware ``UrlStore`` hands out at most one URL per host per round, and a host
again only after ``SLEEP_TIME`` (here the bench's per-host delay) since its last URL was
drawn; each round is downloaded by N threads and extracted in the main thread as results
arrive. Its politeness model has no per-host concurrency: at most one request per host
per round, whatever ``--concurrency`` says.

    python -m bench.peers.trafilatura_runner urls.txt out.jsonl --delay 0.25 --global 16
"""

from __future__ import annotations

import logging

from trafilatura import extract
from trafilatura.downloads import add_to_compressed_dict, buffered_downloads, load_download_buffer
from trafilatura.settings import Extractor, use_config

from bench.peers.common import parse_args, read_urls, write_line


def main() -> None:
    """Download and extract every URL of the list."""
    args = parse_args(__doc__.splitlines()[0])
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    config = use_config()
    config.set("DEFAULT", "SLEEP_TIME", f"{args.delay:g}")
    # trafilatura refuses non-public addresses by default; the bench site is on loopback.
    config.set("DEFAULT", "SSRF_PROTECTION", "off")
    options = Extractor(config=config)
    store = add_to_compressed_dict(read_urls(args.urls))
    with args.out.open("w", encoding="utf-8") as out:
        while not store.done:
            batch, store = load_download_buffer(store, args.delay)
            for url, html in buffered_downloads(batch, args.global_, options=options):
                text = extract(html, url=url, include_comments=False) if html else None
                write_line(out, url, text)


if __name__ == "__main__":
    main()
