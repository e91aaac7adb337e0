"""``scraper add URL``: write a working seed file for a new publisher, then check it.

The sources are found by :mod:`scraper.discover.onboarding` through the crawl's own fetcher
and robots.txt cache (address guard, per-host delay) under a budget of
:data:`MAX_REQUESTS` requests; the file is written whole or not at all, loaded back with
the seed loader, and checked as ``scraper check`` checks it.

Exit codes: 0 written and the check passed; 3 nothing to discover articles with (the
message names what was tried), the pattern's samples disagreed (the file is written with
``enabled = false``) or the check failed; 2 a bad URL, a refused address or an existing seed
without ``--force`` (nothing is overwritten).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scraper.discover import Findings, Onboarding
from scraper.errors import ConfigError, FetchError
from scraper.extract import extract_page
from scraper.fetch import Fetcher, RobotsCache
from scraper.models import HTML_TYPES
from scraper.seeds import load_seed, load_seeds
from scraper.settings import Settings

LOG = logging.getLogger("scraper.cli")
MAX_REQUESTS = 40  # every request onboarding makes, robots.txt included
CHROME_LINE_WORDS = 6  # a line this short is a menu item, a teaser or a label …
CHROME_SHARE = 0.5  # … and text mostly made of them is a listing, not an article


@dataclass
class BudgetedGet:
    """The :class:`~scraper.discover.onboarding.Get` of a real run: robots.txt, then fetch."""

    fetcher: Fetcher
    robots: RobotsCache
    budget: int
    max_bytes: int
    spent: int = 0
    notes: list[str] = field(default_factory=list)

    async def __call__(self, url: str, what: str, *, html: bool = False) -> bytes | None:
        if not await self.robots.allowed(url):
            self.notes.append(f"{what} {url}: disallowed by robots.txt")
            return None
        if self.spent >= self.budget:
            self.notes.append(f"{what} {url}: not fetched (budget of {self.budget} requests)")
            return None
        self.spent += 1
        try:
            page = await self.fetcher.fetch(
                url,
                urgent=True,
                max_tries=2,
                max_bytes=None if html else self.max_bytes,
                accept_types=HTML_TYPES if html else None,
            )
        except FetchError as exc:
            self.notes.append(f"{what} {url}: {exc.reason}")
            return None
        return page.body

    async def robots_facts(self, home: str) -> tuple[float | None, tuple[str, ...]]:
        """robots.txt's crawl delay and sitemaps; a refused address is a usage error."""
        policy = await self.robots.policy(home)
        self.spent += 1
        if policy.reason == "private_address":
            raise ConfigError(
                f"{home}: the host resolves to a private or loopback address "
                "(allow it with --allow-address ADDR)"
            )
        if policy.state != "parsed":
            self.notes.append(f"robots.txt: {policy.state} ({policy.reason})")
        elif not policy.sitemaps:
            self.notes.append("robots.txt: no Sitemap: lines")
        return policy.crawl_delay, policy.sitemaps


def add_cmd(settings: Settings, url: str, name: str | None, seeds_dir: Path, force: bool) -> int:
    """Discover, write ``seeds_dir/<slug>.toml``, check it; the exit code."""
    from scraper.fetch import parse_networks

    home, domain = home_of(url)
    parse_networks(settings.allow_addresses)
    if seeds_dir.exists() and not seeds_dir.is_dir():
        raise ConfigError(f"--seeds {seeds_dir}: not a folder")
    if name is not None:
        _refuse_existing(seeds_dir / f"{slug_of(name, domain)}.toml", force)
    found = asyncio.run(_discover(settings, home, domain))
    print("\n".join(describe(found)))
    if not found.discoverable:
        LOG.error(f"scraper: no way to discover articles at {home} found; tried: {tried(found)}")
        return 3
    name = name or found.page.name or domain
    path = seeds_dir / f"{slug_of(name, domain)}.toml"
    _refuse_existing(path, force)
    _refuse_taken_name(seeds_dir, name, path)
    samples_ok = all(s.ok for s in found.samples)
    write_atomically(path, render_seed(found, name, enabled=samples_ok))
    print(f"wrote {path}")
    if not samples_ok:
        LOG.error(
            f"scraper: {path}: the include pattern's sample pages disagree; the seed "
            "is written with enabled = false: look at it, fix include, remove that line"
        )
        return 3
    from scraper.crawl import run_check

    lines, ok = run_check([load_seed(path)], settings)
    print("\n".join(lines))
    return 0 if ok else 3


def home_of(url: str) -> tuple[str, str]:
    """The home page URL and the seed's domain; a bad URL is a usage error."""
    try:
        parts = urlsplit(url.strip())  # raises on a broken [IPv6] bracket
        host = (parts.hostname or "").lower().rstrip(".")
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ConfigError(f"not an http(s) URL of a publisher: {url!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not host or " " in url.strip():
        raise ConfigError(f"not an http(s) URL of a publisher: {url!r}")
    home = urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )
    return home, host.removeprefix("www.")


def slug_of(name: str, domain: str) -> str:
    """The seed's file name: the name in lower-case ASCII words joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or re.sub(r"[^a-z0-9]+", "-", domain).strip("-")


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path}: a seed already exists (nothing written; --force replaces it)")


def _refuse_taken_name(seeds_dir: Path, name: str, path: Path) -> None:
    if not seeds_dir.is_dir() or not any(seeds_dir.glob("*.toml")):
        return
    try:
        others = load_seeds(seeds_dir)
    except ConfigError:
        return  # another seed's own mistake is `scraper check`'s to report
    for seed in others:
        if seed.name == name and seed.path.resolve() != path.resolve():
            raise ConfigError(f"{seed.path}: already uses the name {name!r} (give --name)")


async def _discover(settings: Settings, home: str, domain: str) -> Findings:
    from scraper.crawl import build_fetcher  # the crawl's own construction

    async with build_fetcher(settings, []) as (fetcher, robots):
        get = BudgetedGet(fetcher, robots, MAX_REQUESTS, settings.max_feed_bytes)
        onboarding = Onboarding(
            get,
            get.robots_facts,
            _judge(settings),
            max_bytes=settings.max_feed_bytes,
            max_urls=settings.max_sitemap_urls,
        )
        found = await onboarding.run(home, domain)
    found.notes[:0] = get.notes
    found.notes.append(f"{get.spent} of {MAX_REQUESTS} requests used")
    return found


def _judge(settings: Settings):  # noqa: ANN202 - a Judge
    def judge(body: bytes, url: str) -> bool:
        text = extract_page(body, url).text
        lines = [line for line in text.splitlines() if line.strip()]
        short = sum(len(line.split()) < CHROME_LINE_WORDS for line in lines)
        teasers = len(lines) >= 5 and short / len(lines) >= CHROME_SHARE
        return len(text.strip()) >= settings.min_article_chars and not teasers

    return judge


def tried(found: Findings) -> str:
    """What was tried, in one line, for the failure message."""
    parts = [
        "robots.txt Sitemap: lines",
        f"{len(found.page.feeds)} feed(s) advertised by the home page",
        "the usual feed and sitemap places" if not found.page.feeds else "",
        f"{len(found.page.nav)} navigation link(s) as fronts",
    ]
    if found.include is not None and not found.include.patterns and found.include.articles:
        parts.append(
            f"no pattern keeps {found.include.articles} article URL(s) apart from the other pages"
        )
    return "; ".join(p for p in parts if p)


def describe(found: Findings) -> list[str]:
    """The lines printed: every source found, the pattern, the samples, the notes."""
    lines = [
        f"{found.home}: {found.page.name or '(no name)'}, language "
        f"{found.page.language or '?'}, crawl delay "
        f"{'none' if found.crawl_delay is None else f'{found.crawl_delay:g} s'}"
    ]
    for label, sources in (
        ("feed", found.feeds),
        ("sitemap", found.sitemaps),
        ("front", found.fronts),
    ):
        lines += [f"  {label} {s.url} ({s.how}; {s.urls} URLs)" for s in sources]
    inc = found.include
    if inc is not None:
        for pattern in inc.patterns:
            lines.append(f"  include {pattern}")
        lines.append(
            f"  include matches {inc.matched} of {inc.articles} article URLs and none "
            f"of {inc.others} other URLs"
        )
    for s in found.samples:
        got = (
            "not fetched"
            if s.looks_like_article is None
            else "extracts as an article"
            if s.looks_like_article
            else "no article"
        )
        side = "article" if s.article_side else "listing"
        lines.append(f"  {'ok  ' if s.ok else 'FAIL'} sample {side} {s.url}: {got}")
    lines += [f"  tried: {note}" for note in found.notes]
    return lines


def render_seed(found: Findings, name: str, *, enabled: bool = True) -> str:
    """The seed file's text, with a comment above each key saying where it came from."""
    today = datetime.now(UTC).date().isoformat()
    out = [f"# Written by `scraper add {found.home}` on {today}; edit freely."]
    if not enabled:
        out += [
            "# The include pattern's sample pages disagree (see `scraper add`'s output):",
            "# fix include, then remove the next line.",
            "enabled = false",
        ]
    source = "--name" if name != found.page.name else "the home page's og:site_name or <title>"
    out += [
        f"# name: {source}",
        f"name = {_quote(name)}",
        f"# domain: the host of {found.home}",
        f"domain = {_quote(found.domain)}",
    ]
    if found.page.language:
        out += [
            "# language: declared by the home page's <html lang>",
            f"language = {_quote(found.page.language)}",
        ]
    for key, sources in (
        ("feeds", found.feeds),
        ("sitemaps", found.sitemaps),
        ("start_urls", found.fronts),
    ):
        if sources:
            out.append(f"# {key}:")
            out += [f"#   {s.url}: {s.how} ({s.urls} URLs)" for s in sources]
            out += [f"{key} = ["] + [f"    {_quote(s.url)}," for s in sources] + ["]"]
    inc = found.include
    assert inc is not None  # discoverable
    out += [
        f"# include: inferred from the paths of {inc.articles} article URLs the sources "
        f"list; matches {inc.matched} of them and none of {inc.others} fronts, tag, author, "
        "search, about and date-archive URLs",
        "include = [" + ", ".join(map(_literal, inc.patterns)) + "]",
    ]
    if found.crawl_delay:
        out += [
            "# per_host_delay: Crawl-delay in robots.txt",
            f"per_host_delay = {found.crawl_delay:g}",
        ]
    return "\n".join(out) + "\n"


def _literal(pattern: str) -> str:
    """A regex as a TOML literal string (no escaping), or a basic one if it holds a quote."""
    return f"'{pattern}'" if "'" not in pattern else _quote(pattern)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all, after the seed loader accepts it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        load_seed(tmp)  # what we write must load
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
