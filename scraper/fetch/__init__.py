"""Fetching: one guarded, polite HTTP fetch at a time.

``fetcher`` (size caps, own redirects, deadline, retries) reads each response through
``responses`` (type and length gates, capped body) and ``decoding`` (capped
Content-Encoding), and reports every exchange (``exchange``: what crossed the wire, for
the WARC copy). Under it the run's one httpx client (``client``: our own transport on
httpx's and httpcore's public API, one httpcore pool per origin in ``transport``,
connections made by the guarded backend in ``backend`` over ``streams``, names resolved
through ``dns``). Around it: ``guard`` (which addresses may be reached), ``politeness``
(per-host delay, counted from the end of the previous response, and concurrency),
``robots`` (RFC 9309) and ``retry`` (the policy as data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.lazy import front_door

if TYPE_CHECKING:
    from scraper.fetch.client import build_client
    from scraper.fetch.decoding import CappedDecoder
    from scraper.fetch.dns import DnsCache
    from scraper.fetch.exchange import Exchange, Headers
    from scraper.fetch.fetcher import Fetcher
    from scraper.fetch.guard import AddressGuard, parse_networks, refuse_private_addresses
    from scraper.fetch.politeness import HostScheduler
    from scraper.fetch.robots import RobotsCache, RobotsState, origin_of


# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "build_client": "client",
    "CappedDecoder": "decoding",
    "DnsCache": "dns",
    "Exchange": "exchange",
    "Headers": "exchange",
    "Fetcher": "fetcher",
    "AddressGuard": "guard",
    "parse_networks": "guard",
    "refuse_private_addresses": "guard",
    "HostScheduler": "politeness",
    "RobotsCache": "robots",
    "RobotsState": "robots",
    "origin_of": "robots",
}
__all__ = [
    "AddressGuard",
    "CappedDecoder",
    "DnsCache",
    "Exchange",
    "Fetcher",
    "Headers",
    "HostScheduler",
    "RobotsCache",
    "RobotsState",
    "build_client",
    "origin_of",
    "parse_networks",
    "refuse_private_addresses",
]


__getattr__ = front_door(__name__, _HOMES)
