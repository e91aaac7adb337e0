"""The harness's own ceiling: a minimal client under the same rules, on the same simulator.

The politeness bound assumes a server that answers in exactly L and a client that costs
nothing. The simulator shares the machine's cores with whatever crawls it, so neither
holds exactly. This client does the least any crawler must: keep-alive connections, the
per-host and global limits of the rules, and each response read to its last byte; it
parses nothing and stores nothing. Its fraction of the bound is what the bench itself
allows, and the context for every other fraction in part 1.

    python -m bench.ceiling URLS_JSON GLOBAL PER_HOST DELAY
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from bench.bound import Politeness
from bench.measure import Window, article_window, run_measured
from bench.peers.run import interleaved_urls
from tests.simulator import Simulator

REPO = Path(__file__).resolve().parent.parent


class _Host:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.next_start = 0.0


async def crawl(urls: list[str], global_concurrency: int, per_host: int, delay: float) -> int:
    """GET every URL under the rules; returns how many answers were not 200."""
    paths: dict[tuple[str, int], list[str]] = defaultdict(list)
    for url in urls:
        parts = urlsplit(url)
        paths[(parts.hostname or "", parts.port or 80)].append(parts.path)
    slots = asyncio.Semaphore(global_concurrency)
    hosts = {key: _Host() for key in paths}
    failures = 0

    async def worker(host: str, port: int, todo: list[str]) -> None:
        nonlocal failures
        state = hosts[(host, port)]
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while todo:
                path = todo.pop(0)
                async with state.lock:  # request starts at least `delay` apart per host
                    wait = state.next_start - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    await slots.acquire()
                    state.next_start = time.monotonic() + delay
                try:
                    writer.write(
                        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                        "Accept-Encoding: gzip\r\n\r\n".encode()
                    )
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = _content_length(head)
                    await reader.readexactly(length)
                finally:
                    slots.release()
                if not head.startswith(b"HTTP/1.1 200"):
                    failures += 1
        finally:
            writer.close()

    await asyncio.gather(
        *(
            worker(host, port, todo)
            for (host, port), todo in paths.items()
            for todo in _split(todo, per_host)
        )
    )
    return failures


def run(sim: Simulator, rules: Politeness, *, timeout: float = 600.0) -> tuple[Window, int]:
    """Run the minimal client over every article of ``sim``; the server-side window, exit."""
    with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as tmp:
        urls = Path(tmp) / "urls.json"
        urls.write_text(json.dumps(interleaved_urls(sim)), encoding="utf-8")
        sim.clear_log()
        proc = run_measured(
            [
                sys.executable,
                "-m",
                "bench.ceiling",
                str(urls),
                str(rules.global_concurrency),
                str(rules.concurrency),
                f"{rules.delay:g}",
            ],
            cwd=REPO,
            timeout=timeout,
        )
    return article_window(sim.log), proc.returncode


def _split(items: list[str], n: int) -> list[list[str]]:
    """``n`` interleaved shares of one host's URLs, one per connection."""
    return [items[i::n] for i in range(max(1, n))]


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise SystemExit("ceiling client: a response without Content-Length")


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    urls = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    failures = asyncio.run(crawl(urls, int(argv[1]), int(argv[2]), float(argv[3])))
    return 3 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
