"""The run's one HTTP client: httpx transports per origin, guarded connections, proxies."""

from __future__ import annotations

from collections.abc import Iterable
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from scraper.errors import ConfigError
from scraper.fetch.backend import GuardedBackend
from scraper.fetch.decoding import ACCEPT_ENCODING
from scraper.fetch.guard import AddressGuard
from scraper.fetch.transport import PerOriginTransport, proxy_mounts
from scraper.settings import Settings


def build_client(
    settings: Settings, guard: AddressGuard, cookie_domains: Iterable[str] = ()
) -> httpx.AsyncClient:
    """The one shared client of a run; redirects and decoding are ours to decide.

    Every connection goes to an address ``guard`` checked (DNS rebinding included). Proxies
    come from the environment. Cookies are kept and sent back only for ``cookie_domains``
    (and their subdomains): the seeds that opt in; other publishers' are dropped.
    """
    # Requests in flight are capped by the HostScheduler, not here; a pool per origin keeps
    # up to global_concurrency idle connections, the most a host can have in flight.
    limits = httpx.Limits(
        max_connections=None,
        max_keepalive_connections=settings.global_concurrency,
        keepalive_expiry=settings.keepalive_expiry,
    )
    transport = PerOriginTransport(
        limits=limits, backend=GuardedBackend(guard), max_pools=settings.max_pools
    )
    try:
        mounts = proxy_mounts(transport, limits)
    except (ValueError, ImportError, httpx.InvalidURL) as exc:
        raise ConfigError(f"proxy settings in the environment: {exc}") from None
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=True,  # proxies (mounted above), SSL_CERT_FILE/SSL_CERT_DIR
        timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
        transport=transport,
        mounts=mounts,
        cookies=cookie_jar(cookie_domains),  # the jar itself, so its policy applies
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )


def cookie_jar(domains: Iterable[str]) -> CookieJar:
    """A jar that keeps cookies of ``domains`` and their subdomains only (none by default).

    A shared jar holding every publisher's cookies costs ~2 ms of loop CPU per request once
    a few hundred hosts set them, and replays trackers' state nobody asked for.
    """
    allowed = [d for domain in domains for d in (domain, "." + domain)]
    return CookieJar(DefaultCookiePolicy(allowed_domains=allowed))
