"""Refuse requests to loopback, private, link-local and other non-public addresses.

httpx follows a redirect from a public host to 127.0.0.1 without complaint
(``docs/hardening.md``, "Redirects"), so every hop is checked here, by the *resolved*
address, before connecting. Hosts written as integers (``2130706433``), hex or octal
quads, short quads (``127.1``) and IPv4-mapped IPv6 (``::ffff:127.0.0.1``) are normalised
first, so they cannot slip past. Addresses the operator allows explicitly
(``--allow-address``, an IP or a CIDR network) pass; tests and the demo allow their
loopback addresses that way.

Connections are made by :mod:`scraper.fetch.backend` to addresses this guard returned,
never to a name resolved again, so a DNS answer that changes between the check and the
connection (rebinding) cannot reach a private address either.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from archive import Reason
from scraper.errors import ConfigError, RefusedError, TransportError
from scraper.fetch.dns import Resolver, system_resolve
from scraper.seeds import Seed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(
    values: Iterable[str],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Parse ``--allow-address`` values (IPs or CIDRs); ConfigError on a bad one."""
    nets = []
    for value in values:
        try:
            nets.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ConfigError(f"--allow-address: not an IP address or network: {value!r}") from None
    return tuple(nets)


def literal_address(host: str) -> IPAddress | None:
    """The IP a host string denotes literally, including legacy integer/hex/octal forms."""
    host = host.strip("[]")
    try:
        return _unmap(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        try:  # inet_aton accepts 2130706433, 0x7f000001, 0177.0.0.1 and 127.1, as libc does
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _unmap(addr: IPAddress) -> IPAddress:
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return addr.ipv4_mapped
        if addr.sixtofour is not None:
            return addr.sixtofour
    return addr


def is_public(addr: IPAddress) -> bool:
    """True for globally routable unicast addresses."""
    addr = _unmap(addr)
    return not (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    )


class AddressGuard:
    """Checks each URL's scheme and resolved address before a connection is made."""

    def __init__(self, allow: Iterable[str] = (), resolver: Resolver | None = None) -> None:
        self._allowed = parse_networks(allow)
        self._resolve = resolver or system_resolve

    def allowed(self, addr: IPAddress) -> bool:
        """True if ``addr`` may be contacted: public, or explicitly allowed."""
        addr = _unmap(addr)
        if any(addr in net for net in self._allowed):
            return True
        return is_public(addr)

    async def check(self, url: str) -> None:
        """Raise RefusedError unless ``url`` is http(s) to an allowed address."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise RefusedError(
                f"scheme {parts.scheme or '(none)'!r} refused: {url[:200]}",
                reason=Reason.BAD_SCHEME,
            )
        host = parts.hostname
        if not host:
            raise RefusedError(f"no host in URL: {url[:200]}", reason=Reason.BAD_URL)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise RefusedError(f"bad port in URL: {url[:200]}", reason=Reason.BAD_URL) from None
        await self.addresses(host, port, url)

    async def addresses(self, host: str, port: int, url: str = "") -> list[IPAddress]:
        """``host``'s addresses (its literal, or resolved), every one of them allowed.

        RefusedError (``private_address``) if any is not: a name answering public and
        private addresses at once is refused as a whole.
        """
        literal = literal_address(host)
        if literal is not None:
            return [self._require(literal, url or host)]
        try:
            answers = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise TransportError(f"cannot resolve {host}: {exc}", reason=Reason.DNS) from None
        if not answers:
            raise RefusedError(f"{host} resolves to no address", reason=Reason.DNS)
        return [self._require(ipaddress.ip_address(a.split("%")[0]), url or host) for a in answers]

    def _require(self, addr: IPAddress, url: str) -> IPAddress:
        if not self.allowed(addr):
            raise RefusedError(
                f"address {addr} is not public (allow it with --allow-address): {url[:200]}",
                reason=Reason.PRIVATE_ADDRESS,
            )
        return addr


def refuse_private_addresses(seeds: Iterable[Seed], allow: tuple[str, ...]) -> None:
    """ConfigError for the first feed, sitemap or start URL written as a non-public address
    (``127.0.0.1``, ``10.1.2.3``, ``2130706433``) that ``--allow-address`` does not allow:
    refused when the seeds load, before an archive is opened.

    Names (``localhost`` too) are not resolved here (no network at load): the guard refuses
    each URL by its resolved address when it is fetched.
    """
    guard = AddressGuard(allow)
    for seed in seeds:
        for key in ("feeds", "sitemaps", "start_urls"):
            for url in getattr(seed, key):
                addr = literal_address((urlsplit(url).hostname or "").rstrip("."))
                if addr is not None and not guard.allowed(addr):
                    raise ConfigError(
                        f"{seed.path}: {key}: {url} is on the non-public address "
                        f"{addr}; allow it with --allow-address {addr}"
                    )
