"""The address guard refuses non-public targets in every spelling, unless allowed."""

from __future__ import annotations

import pytest

from scraper.errors import ConfigError, RefusedError, TransportError
from scraper.fetch.guard import AddressGuard, literal_address, parse_networks


async def resolver(host: str, port: int) -> list[str]:
    table = {
        "public.example": ["93.184.216.34"],
        "rebind.example": ["93.184.216.34", "10.1.2.3"],
        "v6.example": ["::1"],
    }
    if host not in table:
        raise OSError("Name or service not known")
    return table[host]


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"],
)
def test_legacy_and_mapped_spellings_of_loopback(host):
    assert str(literal_address(host)) == "127.0.0.1"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost.localdomain.invalid/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://2130706433/",
        "http://rebind.example/",
        "http://v6.example/",
    ],
)
async def test_non_public_refused(url):
    with pytest.raises((RefusedError, TransportError)):
        await AddressGuard(resolver=resolver).check(url)


async def test_public_allowed_and_scheme_checked():
    guard = AddressGuard(resolver=resolver)
    await guard.check("https://public.example/a")
    with pytest.raises(RefusedError) as info:
        await guard.check("ftp://public.example/a")
    assert info.value.reason == "bad_scheme"


async def test_explicit_allow_list():
    guard = AddressGuard(["127.0.0.0/8"], resolver=resolver)
    await guard.check("http://127.0.0.5:8080/x")
    with pytest.raises(RefusedError):
        await guard.check("http://10.0.0.1/")


def test_bad_allow_value_is_a_config_error():
    with pytest.raises(ConfigError, match="--allow-address"):
        parse_networks(["not-an-ip"])
