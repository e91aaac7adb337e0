"""Every default in one frozen object, built from CLI flags and environment by the caller."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from scraper import __version__
from scraper.errors import ConfigError

CONTACT_URL = "https://github.com/newsarchiver/newsarchiver"
DEFAULT_USER_AGENT = f"newsarchiver/{__version__} (+{CONTACT_URL})"


@dataclass(frozen=True)
class Settings:
    """Crawl settings; nothing reads the environment except :meth:`from_env`."""

    db_path: Path = Path("data/archive.db")
    seeds_path: Path = Path("seeds")
    user_agent: str = DEFAULT_USER_AGENT
    # concurrency and politeness
    global_concurrency: int = 16
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    max_crawl_delay: float = 30.0
    # timeouts and budgets (seconds)
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    request_deadline: float = 60.0
    run_budget: float = 3 * 3600.0
    # retries
    max_tries: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 300.0
    # timeouts or connection failures in a row after which a host is suspended for the run
    host_failure_limit: int = 3
    # size guards (bytes)
    max_body_bytes: int = 10 * 1024 * 1024
    max_feed_bytes: int = 50 * 1024 * 1024
    max_robots_bytes: int = 500 * 1024
    max_redirects: int = 10
    max_encodings: int = 2
    # discovery
    max_sitemap_depth: int = 3
    max_sitemap_urls: int = 50_000
    max_sitemap_files: int = 500  # sitemap documents fetched per seed and run
    discovery_concurrency: int = 4  # discovery documents fetched at once per seed
    lastmod_window_days: float = 3.0
    max_pages: int | None = None
    frontier_window: int = 256  # URLs per host kept in memory; the rest wait in the archive
    # extraction
    extract_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    extract_timeout: float = 30.0
    extract_memory_mb: int = 1024
    # Niceness added to the extraction workers: a page's extraction can wait a few ms,
    # the event loop's next response cannot (bench, d=0 c=4: +2-4 % pages/s; 0 turns it off).
    extract_nice: int = 5
    min_article_chars: int = 200
    # live blogs: an archived one is fetched again (conditionally) once its last fetch is
    # this many hours old, while its newest entry is at most liveblog_active_days old
    liveblog_revisit_hours: float = 1.0
    liveblog_active_days: float = 2.0
    # archive writes: articles per transaction, and the longest an extracted one waits
    store_batch: int = 16
    store_interval: float = 0.5
    # connections: pools kept (one per origin; idle ones beyond this are closed), the
    # longest an idle keep-alive connection is kept (s), and how long a resolved address
    # is reused within a run (s)
    max_pools: int = 128
    keepalive_expiry: float = 5.0
    dns_cache_ttl: float = 300.0
    # the longest the archive writer may take over one group commit before the run fails
    writer_timeout: float = 300.0
    # network guard: addresses (IP or CIDR) explicitly allowed although private/loopback
    allow_addresses: tuple[str, ...] = ()
    # WARC out: every fetched response, with its request, into this folder (None: off);
    # files are rotated at warc_max_bytes (1 GB, the customary size)
    warc_dir: Path | None = None
    warc_max_bytes: int = 1_000_000_000

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ConfigError naming the flag or variable of the first value out of range."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                problem = _out_of_range(f.name, value)
                if problem:
                    raise ConfigError(f"{_source(f.name)}: {problem}, got {value!r}")
        if _CONTROL.search(self.user_agent):  # CR/LF would split the header: every request fails
            raise ConfigError(
                f"{_source('user_agent')}: must be one line of printable "
                f"characters, got {self.user_agent!r}"
            )
        if not self.robots_token:
            raise ConfigError(
                f"{_source('user_agent')}: must start with a product token "
                f"(letters, '_' or '-'; RFC 9309 §2.2.1), got {self.user_agent!r}"
            )
        if self.warc_dir is not None and self.warc_dir.exists() and not self.warc_dir.is_dir():
            raise ConfigError(f"{_source('warc_dir')}: not a folder: {self.warc_dir}")

    @property
    def robots_token(self) -> str:
        """The product token robots.txt groups are matched against: the user agent's first."""
        match = _PRODUCT_TOKEN.match(self.user_agent.strip())
        return match.group(0) if match else ""

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with the non-None ``changes`` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``SCRAPER_<FIELD>`` variables (e.g. SCRAPER_PER_HOST_DELAY)."""
        environ = os.environ if environ is None else environ
        changes: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(f"SCRAPER_{f.name.upper()}")
            if raw is None:
                continue
            changes[f.name] = _coerce(f.name, str(f.type), raw)
        return cls(**changes)  # type: ignore[arg-type]


# RFC 9309 §2.2.1: a product token is letters, underscores and hyphens.
_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What a user types for a field besides its SCRAPER_ variable (scraper.cli.main).
_FLAGS = {
    "per_host_delay": "--delay",
    "run_budget": "--budget",
    "max_pages": "--max-pages",
    "user_agent": "--user-agent",
    "warc_dir": "--warc-dir",
}
# Numeric fields by the range they must lie in; a field in none may be any finite number.
# 0 is allowed where it means something: no delay, no redirects, no cache, no niceness.
_AT_LEAST_ONE = frozenset(
    {
        "global_concurrency",
        "per_host_concurrency",
        "max_tries",
        "max_body_bytes",
        "max_feed_bytes",
        "max_robots_bytes",
        "max_sitemap_urls",
        "max_sitemap_files",
        "discovery_concurrency",
        "frontier_window",
        "extract_workers",
        "extract_memory_mb",
        "store_batch",
        "max_pools",
        "host_failure_limit",
        "warc_max_bytes",
    }
)
_POSITIVE = frozenset(
    {
        "connect_timeout",
        "read_timeout",
        "request_deadline",
        "run_budget",
        "extract_timeout",
        "writer_timeout",
    }
)
_NOT_NEGATIVE = frozenset(
    {
        "per_host_delay",
        "max_crawl_delay",
        "backoff_base",
        "backoff_max",
        "max_retry_after",
        "max_redirects",
        "max_encodings",
        "max_sitemap_depth",
        "max_pages",
        "min_article_chars",
        "store_interval",
        "keepalive_expiry",
        "dns_cache_ttl",
        "liveblog_revisit_hours",
        "liveblog_active_days",
    }
)
_NICE_MAX = 19  # the largest niceness increment that still changes anything (nice(2))
# Upper bounds where a huge value is a typo that would exhaust the machine or stall a run:
# 99999999999 connections to one host is memory, not politeness; an hour between requests
# is a publisher that is never crawled.
_AT_MOST = {
    "per_host_concurrency": 64,
    "global_concurrency": 4096,
    "discovery_concurrency": 64,
    "extract_workers": 256,
    "per_host_delay": 3600.0,
    "max_crawl_delay": 3600.0,
}


def out_of_range(name: str, value: object) -> str:
    """Why ``value`` is not a valid ``name`` (a Settings field), or "" if it is.

    The one range check behind flags, ``SCRAPER_*`` variables and seed keys alike.
    """
    kind = next(f.type for f in fields(Settings) if f.name == name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    if "int" in str(kind) and not isinstance(value, int):
        return "must be a whole number"
    return _out_of_range(name, value)


def _out_of_range(name: str, value: float) -> str:
    if not math.isfinite(value):
        return "must be a finite number"
    if name in _AT_MOST and value > _AT_MOST[name]:
        return f"must be at most {_AT_MOST[name]:g}"
    if name in _AT_LEAST_ONE and value < 1:
        return "must be at least 1"
    if name in _POSITIVE and value <= 0:
        return "must be more than 0"
    if name in _NOT_NEGATIVE and value < 0:
        return "must be 0 or more"
    if name == "extract_nice" and not 0 <= value <= _NICE_MAX:
        return f"must be between 0 and {_NICE_MAX}"
    return ""


def _source(name: str) -> str:
    env = f"SCRAPER_{name.upper()}"
    return f"{_FLAGS[name]} / {env}" if name in _FLAGS else env


def _coerce(name: str, type_name: str, raw: str) -> object:
    try:
        if "Path" in type_name:
            return Path(raw)
        if "tuple" in type_name:
            return tuple(p for p in raw.replace(",", " ").split() if p)
        if type_name.startswith("int"):
            return int(raw)
        if type_name.startswith("float"):
            return float(raw)
        return raw
    except ValueError as exc:
        raise ConfigError(f"SCRAPER_{name.upper()}: not a valid {type_name}: {raw!r}") from exc
