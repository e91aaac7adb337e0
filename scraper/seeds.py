"""Publisher seeds: one TOML file per publisher in ``seeds/``, validated at load.

A seed file looks like::

    name = "TechTimes"
    domain = "techtimes.com"               # host, or parent domain of every host used
    feeds = ["https://www.techtimes.com/rss/tech.xml"]
    sitemaps = ["https://www.techtimes.com/sitemap_news.xml"]
    start_urls = ["https://www.techtimes.com/"]
    include = ['^/articles/\\d+/']          # path regexes an article URL must match (any)
    exclude = ['/video/']                   # path regexes that rule a URL out
    per_host_delay = 2.0                    # optional, seconds; raises the global default
    language = "en"                         # optional: the language the site declares
    cookies = true                          # optional: keep and send back its cookies
    pagination = ['/seite-(\\d+)$']          # optional: its page-number pattern (group 1)
    [extract]
    drop_selectors = [".related-article"]   # CSS selectors removed before extraction

Any error names the file and the key in one line (:class:`~scraper.errors.ConfigError`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scraper.errors import ConfigError
from scraper.settings import out_of_range

_KNOWN_KEYS = {
    "name",
    "domain",
    "feeds",
    "sitemaps",
    "start_urls",
    "include",
    "exclude",
    "per_host_delay",
    "per_host_concurrency",
    "extract",
    "enabled",
    "cookies",
    "pagination",
    "language",
}
_EXTRACT_KEYS = {"drop_selectors", "body_selectors"}


@dataclass(frozen=True)
class Seed:
    """One publisher's crawl configuration."""

    name: str
    domain: str
    path: Path
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    per_host_delay: float | None = None
    per_host_concurrency: int | None = None
    drop_selectors: tuple[str, ...] = ()
    body_selectors: tuple[str, ...] = ()
    enabled: bool = True
    cookies: bool = False  # keep the publisher's cookies and send them back (opt-in)
    # the publisher's own page-number patterns of a multi-page article (group 1: number)
    pagination: tuple[re.Pattern[str], ...] = ()
    language: str | None = None  # declared by the site (<html lang>); informative

    def owns(self, url: str) -> bool:
        """True if ``url``'s host is the seed's domain or one of its subdomains."""
        host = (urlsplit(url).hostname or "").lower()
        return host == self.domain or host.endswith("." + self.domain)

    def is_article_url(self, url: str) -> bool:
        """Apply the include/exclude path regexes (query included) to ``url``."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if any(p.search(target) for p in self.exclude):
            return False
        return not self.include or any(p.search(target) for p in self.include)


def load_seeds(path: Path) -> list[Seed]:
    """Load one ``.toml`` file, or every ``*.toml`` in a folder (sorted by name)."""
    if not path.exists():
        raise ConfigError(f"{path}: no such seeds file or folder")
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not files:
        raise ConfigError(f"{path}: no *.toml seed files in this folder")
    seeds = [load_seed(f) for f in files]
    names: dict[str, Path] = {}
    for seed in seeds:
        if seed.name in names:
            raise ConfigError(
                f"{seed.path}: name: {seed.name!r} already used by {names[seed.name]}"
            )
        names[seed.name] = seed.path
    return [s for s in seeds if s.enabled]


def load_seed(file: Path) -> Seed:
    """Parse and validate one seed file."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{file}: not valid TOML: nested too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    return _build(file, data)


def _build(file: Path, data: dict[str, Any]) -> Seed:
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{file}: {unknown[0]}: unknown key")
    name = _string(file, data, "name")
    domain = _string(file, data, "domain").lower().strip(".")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]*", domain):
        raise ConfigError(f"{file}: domain: give a host name, not a URL: {domain!r}")
    extract = data.get("extract", {})
    if not isinstance(extract, dict):
        raise ConfigError(f"{file}: extract: must be a table")
    bad = sorted(set(extract) - _EXTRACT_KEYS)
    if bad:
        raise ConfigError(f"{file}: extract.{bad[0]}: unknown key")
    seed = Seed(
        name=name,
        domain=domain,
        path=file,
        feeds=_urls(file, data, "feeds"),
        sitemaps=_urls(file, data, "sitemaps"),
        start_urls=_urls(file, data, "start_urls"),
        include=_regexes(file, data, "include"),
        exclude=_regexes(file, data, "exclude"),
        per_host_delay=_number(file, data, "per_host_delay", float),
        per_host_concurrency=_number(file, data, "per_host_concurrency", int),
        drop_selectors=_strings(file, extract, "extract.drop_selectors", "drop_selectors"),
        body_selectors=_strings(file, extract, "extract.body_selectors", "body_selectors"),
        enabled=_flag(file, data, "enabled", default=True),
        cookies=_flag(file, data, "cookies"),
        pagination=_regexes(file, data, "pagination"),
        language=_string(file, data, "language") if "language" in data else None,
    )
    if not (seed.feeds or seed.sitemaps or seed.start_urls):
        raise ConfigError(f"{file}: feeds: give at least one of feeds, sitemaps, start_urls")
    for url in seed.feeds + seed.sitemaps + seed.start_urls:
        if not seed.owns(url):
            raise ConfigError(f"{file}: {url}: host is outside domain {seed.domain!r}")
    return seed


def _string(file: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{file}: {key}: required, a non-empty string")
    return value.strip()


def _strings(
    file: Path, data: dict[str, Any], label: str, key: str | None = None
) -> tuple[str, ...]:
    value = data.get(key or label, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{file}: {label}: must be a list of non-empty strings")
    return tuple(value)


def _urls(file: Path, data: dict[str, Any], key: str) -> tuple[str, ...]:
    urls = _strings(file, data, key)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{file}: {key}: not an http(s) URL: {url!r}")
    return urls


def _regexes(file: Path, data: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for pattern in _strings(file, data, key):
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(f"{file}: {key}: bad regex {pattern!r}: {exc}") from None
        if key == "pagination" and out[-1].groups < 1:
            raise ConfigError(f"{file}: {key}: {pattern!r} needs a group for the page number")
    return tuple(out)


def _flag(file: Path, data: dict[str, Any], key: str, *, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):  # "false" is a string, and bool("false") is True
        raise ConfigError(
            f"{file}: {key}: must be true or false (a TOML boolean, unquoted), got {value!r}"
        )
    return value


def _number(file: Path, data: dict[str, Any], key: str, kind: type) -> Any:
    """A seed's override of the Settings field ``key``, in the same range as its flag and
    ``SCRAPER_*`` variable (:func:`scraper.settings.out_of_range`)."""
    value = data.get(key)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    problem = out_of_range(key, value)
    if problem:
        raise ConfigError(f"{file}: {key}: {problem}, got {value!r}")
    return kind(value)
