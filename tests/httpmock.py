"""Fetchers on httpx.MockTransport for unit tests (real-socket faults use the simulator)."""

from __future__ import annotations

import random

import httpx

from scraper.fetch.fetcher import Fetcher
from scraper.fetch.guard import AddressGuard
from scraper.fetch.politeness import HostScheduler
from scraper.settings import Settings

PUBLIC = "93.184.216.34"


async def _public_resolver(host: str, port: int) -> list[str]:
    return {"evil.example": ["127.0.0.1"], "meta.example": ["169.254.169.254"]}.get(host, [PUBLIC])


def make_fetcher(handler, *, sleeps=None, settings=None, run_deadline=None, clock=None):
    settings = settings or Settings(max_tries=3, max_body_bytes=10_000, per_host_delay=0.0)
    sleeps = sleeps if sleeps is not None else []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False)
    scheduler = HostScheduler(global_concurrency=4, per_host_concurrency=2, per_host_delay=0.0,
                              sleep=fake_sleep, **({"clock": clock} if clock else {}))
    kwargs = {"clock": clock} if clock else {}
    return Fetcher(client, settings, guard=AddressGuard(resolver=_public_resolver),
                   scheduler=scheduler, sleep=fake_sleep, run_deadline=run_deadline,
                   rng=random.Random(1), **kwargs)


class RawStream(httpx.AsyncByteStream):
    """Body bytes as a network stream (httpx.Response(content=...) is pre-read)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self):
        for i in range(0, len(self.data), 4096):
            yield self.data[i:i + 4096]


def resp(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> httpx.Response:
    return httpx.Response(status, headers=headers, stream=RawStream(body))


class Script:
    """A handler answering from a list of responses, recording requests."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]


