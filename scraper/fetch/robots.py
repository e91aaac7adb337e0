"""robots.txt per RFC 9309, fetched once per host and cached for the run.

- 2xx: parsed with Protego (longest match wins; ``Allow: /news/`` beats ``Disallow: /``),
  only the first 500 KiB (RFC 9309 §2.5 lets a parser stop there);
- 4xx (404, 410, 401, 403 …): "unavailable", everything allowed (§2.3.1.3);
- 5xx, 429, a timeout or a network error: "unreachable", the host is treated as fully
  disallowed for this run (§2.3.1.4). Protego would happily parse a 503 error page as
  robots.txt and allow everything (``docs/hardening.md``, "robots.txt"), so only 2xx
  bodies reach it;
- Crawl-delay is honoured but capped (Protego returns 86400 unchanged);
- the group that applies is the one for our product token (``Settings.robots_token``: the
  configured user agent's first word, RFC 9309 §2.2.1), else ``*``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from protego import Protego

from scraper.errors import FetchError, HTTPStatusError, RefusedError
from scraper.fetch.fetcher import Fetcher
from scraper.urls import host_key


class RobotsState(StrEnum):
    """What became of a host's robots.txt this run."""

    PARSED = "parsed"  # a 2xx body, parsed: its rules apply
    UNAVAILABLE = "unavailable"  # a 4xx: everything allowed (RFC 9309 §2.3.1.3)
    UNREACHABLE = "unreachable"  # a 5xx, 429 or network failure: nothing allowed (§2.3.1.4)


@dataclass(frozen=True)
class RobotsPolicy:
    """What one host's robots.txt says for us."""

    origin: str
    state: RobotsState
    parser: Protego | None = None
    crawl_delay: float | None = None
    sitemaps: tuple[str, ...] = ()
    reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def allows(self, url: str, agent: str) -> bool:
        if self.state == RobotsState.UNREACHABLE:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, agent))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class RobotsCache:
    """Fetches each origin's robots.txt once per run and answers ``allowed(url)``."""

    def __init__(
        self, fetcher: Fetcher, *, max_bytes: int, max_crawl_delay: float, agent: str | None = None
    ) -> None:
        self._fetcher = fetcher
        self._max_bytes = max_bytes
        self._max_delay = max_crawl_delay
        # The fetcher's settings send the User-Agent, so they name our group too.
        self._agent = agent or fetcher.settings.robots_token
        self._tasks: dict[str, asyncio.Task[RobotsPolicy]] = {}

    async def policy(self, url: str) -> RobotsPolicy:
        origin = origin_of(url)
        task = self._tasks.get(origin)
        if task is None:  # one fetch per origin even when many callers ask at once
            task = asyncio.ensure_future(self._load(origin))
            self._tasks[origin] = task
        return await asyncio.shield(task)

    async def allowed(self, url: str) -> bool:
        return (await self.policy(url)).allows(url, self._agent)

    async def _load(self, origin: str) -> RobotsPolicy:
        try:
            # A 429 asking for longer than the longest crawl delay we honour is not waited
            # out: the host is unreachable for this run, and its URLs wait for the next.
            page = await self._fetcher.fetch(
                origin + "/robots.txt",
                max_bytes=self._max_bytes,
                truncate=True,
                max_tries=2,
                urgent=True,
                longest_retry_after=self._max_delay,
            )
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                return RobotsPolicy(origin, RobotsState.UNAVAILABLE, reason=exc.reason)
            return RobotsPolicy(origin, RobotsState.UNREACHABLE, reason=exc.reason)
        except RefusedError as exc:
            return RobotsPolicy(origin, RobotsState.UNREACHABLE, reason=exc.reason)
        except FetchError as exc:
            return RobotsPolicy(origin, RobotsState.UNREACHABLE, reason=exc.reason)
        text = page.body[: self._max_bytes].decode("utf-8", errors="replace")
        parser = Protego.parse(text)
        delay = parser.crawl_delay(self._agent)
        if delay is not None:
            delay = max(0.0, min(float(delay), self._max_delay))
            self._fetcher.scheduler.configure(host_key(origin), delay=delay)
        return RobotsPolicy(origin, RobotsState.PARSED, parser, delay, tuple(parser.sitemaps))
