"""URL canonicalisation: one spelling per article so the archive can de-duplicate by URL.

Rules (RFC 3986 §6 "syntax-based normalisation" plus common crawler practice):
lowercase scheme and host, IDN host to punycode (UTS #46, as browsers do), drop userinfo,
default port and fragment, decode percent-escapes of unreserved characters and upper-case
the rest, remove dot segments, empty path → ``/``, drop tracking parameters and sort the
remaining query parameters by name (stable, so repeated names keep their order).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import idna

from archive import is_tracking_param

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_PATH_SAFE = _UNRESERVED | _SUB_DELIMS | frozenset(":@/")
_KEY_SAFE = (_UNRESERVED | _SUB_DELIMS | frozenset(":@/?")) - frozenset("&=")
_VALUE_SAFE = _KEY_SAFE | frozenset("=")
_HEX = frozenset("0123456789abcdefABCDEF")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_HOST_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


# An absolute http(s) URL with a host: resolving it against a base changes nothing, so the
# base is left out (no urljoin, half the cost of a canonicalisation; one cache entry for
# the URL whichever page links it).
_ABSOLUTE = re.compile(r"https?://[^/?#\s][^\t\r\n]*\Z", re.IGNORECASE)


def canonicalize(url: str, base: str | None = None) -> str | None:
    """Return the canonical http(s) form of ``url`` (resolved against ``base``), else None."""
    try:
        return _cached(url, None if base is None or _ABSOLUTE.match(url) else base)
    except TypeError:  # not a string (unhashable, or refused by urlsplit)
        return None


@lru_cache(maxsize=8192)  # a crawl asks for the same URLs again and again (~30 µs each)
def _cached(url: str, base: str | None) -> str | None:
    try:
        return _canonicalize(url, base)
    except (ValueError, UnicodeError, TypeError):
        return None


def _canonicalize(url: str, base: str | None) -> str | None:
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    host = normalize_host(parts.hostname or "")
    if host is None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = _remove_dot_segments(_normalize_escapes(parts.path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    return urlunsplit((scheme, netloc, path, _normalize_query(parts.query), ""))


def normalize_host(host: str) -> str | None:
    """Lowercase, punycode and validate a host name or IP literal; None when invalid."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if ":" in host:  # only an IPv6 literal may contain a colon once urlsplit removed the port
        return str(ipaddress.IPv6Address(host.split("%", 1)[0]))
    if not host.isascii():
        host = _to_punycode(host)
    return host if len(host) <= 253 and _HOST_RE.fullmatch(host) else None


def _to_punycode(host: str) -> str:
    # UTS #46 non-transitional mapping is what browsers apply (ß stays ß → xn--zca).
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:
        return host.encode("idna").decode("ascii")  # IDNA 2003 fallback, e.g. for emoji


def _normalize_escapes(text: str, safe: frozenset[str]) -> str:
    """Decode escapes of unreserved characters, upper-case others, escape unsafe characters."""
    if "%" not in text and safe.issuperset(text):
        return text  # most paths and parameters: nothing to decode or escape
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 2 < len(text) and text[i + 1] in _HEX and text[i + 2] in _HEX:
            decoded = chr(int(text[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
            i += 3
            continue
        out.append(ch if ch in safe else _escape(ch))
        i += 1
    return "".join(out)


def _escape(ch: str) -> str:
    # Lone surrogates cannot be UTF-8 encoded; "replace" turns them into "?" (then %3F).
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "replace"))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: resolve ``.`` and ``..`` segments."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for seg in segments[1:] if path.startswith("/") else segments:
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
    if segments[-1] in (".", ".."):
        out.append("")  # "/a/b/.." means the directory "/a/", keep the trailing slash
    return "/" + "/".join(out)


def _normalize_query(query: str) -> str:
    pairs: list[tuple[str, str | None]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = _normalize_escapes(key, _KEY_SAFE)
        if is_tracking_param(key):
            continue
        pairs.append((key, _normalize_escapes(value, _VALUE_SAFE) if sep else None))
    pairs.sort(key=lambda kv: kv[0])
    return "&".join(k if v is None else f"{k}={v}" for k, v in pairs)


def host_of(url: str) -> str:
    """The canonical (lower-case, punycode) host of ``url``, or "" when it has none."""
    try:
        return normalize_host(urlsplit(url.strip()).hostname or "") or ""
    except (ValueError, UnicodeError, TypeError):
        return ""


def host_key(url: str) -> str:
    """The crawl's key for the host of ``url``: its lower-cased netloc (host and port).

    One key for everything kept per host: queues, the scheduler's delay and slots, a
    robots.txt Crawl-delay, failure counts and suspensions, the per-host table. Unlike
    :func:`host_of` it keeps the port, so two servers on one name are two hosts.
    """
    return urlsplit(url).netloc.lower() or host_of(url)


def same_site(url: str, domain: str) -> bool:
    """True when ``url``'s host is ``domain`` or one of its subdomains."""
    host = host_of(url)
    try:
        dom = normalize_host(domain) or ""
    except (ValueError, UnicodeError):
        return False
    return bool(host and dom) and (host == dom or host.endswith("." + dom))


def pick_canonical(fetched_url: str, canonical: str | None, domain: str) -> str:
    """Prefer the page's rel=canonical/og:url when it is a safe, specific on-site URL."""
    fetched = canonicalize(fetched_url) or fetched_url
    if not canonical:
        return fetched
    chosen = canonicalize(canonical, base=fetched_url)
    if chosen is None or not same_site(chosen, domain):
        return fetched
    # Some CMSs point every page's canonical at the home page: ignore that unless the
    # fetched URL is itself the site root.
    if _is_root(chosen) and not _is_root(fetched):
        return fetched
    return chosen


def _is_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query
