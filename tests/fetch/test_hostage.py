"""No run held hostage: a deadline is retried once, an unanswering host is suspended.

respx answers for the network; a try that runs into the deadline is a response slower
than a deadline of a few milliseconds, so these tests take well under a second.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from scraper.errors import (
    ConfigError,
    DeferredError,
    HTTPStatusError,
    TimeoutError_,
    TransportError,
)
from scraper.fetch.politeness import HostScheduler
from scraper.fetch.retry import RetryPolicy
from scraper.settings import Settings
from tests.mockfetch import make_fetcher

DEADLINE = 0.05


TARPIT_CALLS: list[str] = []  # respx counts a call only once it has answered


async def _tarpit(request: httpx.Request) -> httpx.Response:
    TARPIT_CALLS.append(str(request.url))
    await asyncio.sleep(2)  # far past the deadline: the fetcher gives up first
    return httpx.Response(200, content=b"<p>late</p>")


def _settings(**changes: object) -> Settings:
    base: dict[str, object] = {
        "max_tries": 4,
        "max_body_bytes": 10_000,
        "per_host_delay": 0.0,
        "request_deadline": DEADLINE,
    }
    return Settings(**{**base, **changes})  # type: ignore[arg-type]


async def test_a_request_that_ran_into_its_deadline_is_tried_once_more_only(respx_mock):
    respx_mock.route().mock(side_effect=_tarpit)
    fetcher = make_fetcher(settings=_settings(host_failure_limit=10))
    TARPIT_CALLS.clear()
    with pytest.raises(TimeoutError_) as info:
        await fetcher.fetch("http://tarpit.example/a")
    assert info.value.reason == "deadline"
    assert len(TARPIT_CALLS) == 2  # not max_tries (4): a tarpit costs two deadlines


async def test_a_deadline_then_an_answer_returns_the_page(respx_mock):
    answers = iter([None, httpx.Response(200, content=b"<p>ok</p>")])

    async def once_slow(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        return answer if answer is not None else await _tarpit(request)

    respx_mock.route().mock(side_effect=once_slow)
    page = await make_fetcher(settings=_settings()).fetch("http://slow.example/a")
    assert page.body == b"<p>ok</p>"


async def test_timeouts_short_of_the_deadline_keep_every_try(respx_mock):
    script = respx_mock.route().mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TimeoutError_) as info:
        await make_fetcher(settings=_settings(host_failure_limit=10)).fetch("http://a.example/")
    assert info.value.reason == "timeout"
    assert script.call_count == 4


async def test_a_host_failing_three_times_in_a_row_is_suspended_for_the_run(
    respx_mock, caplog: pytest.LogCaptureFixture
):
    dead = respx_mock.route(host="dead.example").mock(
        side_effect=httpx.ConnectError("Connection refused")
    )
    alive = respx_mock.route(host="alive.example").mock(
        return_value=httpx.Response(200, content=b"<p>ok</p>")
    )
    fetcher = make_fetcher(settings=_settings())
    with caplog.at_level(logging.WARNING, logger="scraper"):
        with pytest.raises(DeferredError) as first:  # 3 refused tries, the 4th not made
            await fetcher.fetch("http://dead.example/a")
        with pytest.raises(DeferredError) as second:  # queued URL: no request at all
            await fetcher.fetch("http://dead.example/b")
    assert first.value.reason == second.value.reason == "host_unresponsive"
    assert dead.call_count == 3
    assert (await fetcher.fetch("http://alive.example/")).status == 200  # others go on
    assert alive.call_count == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "dead.example" in warnings[0], warnings


async def test_an_answer_resets_the_count_of_failures(respx_mock):
    refused = httpx.ConnectError("Connection refused")
    script = respx_mock.route().mock(
        side_effect=[
            refused,
            refused,
            httpx.Response(200),
            refused,
            refused,
            httpx.Response(404),
            refused,
            refused,
            httpx.Response(200),
        ]
    )
    fetcher = make_fetcher(settings=_settings())
    assert (await fetcher.fetch("http://flaky.example/a")).status == 200
    with pytest.raises(HTTPStatusError):
        await fetcher.fetch("http://flaky.example/b")
    assert (await fetcher.fetch("http://flaky.example/c")).status == 200
    assert script.call_count == 9  # 6 failures, never 3 in a row: an error page answers too
    assert not fetcher.scheduler.suspended("flaky.example")


async def test_the_failure_limit_is_a_setting(respx_mock):
    script = respx_mock.route().mock(side_effect=httpx.ConnectError("Connection refused"))
    fetcher = make_fetcher(settings=_settings(host_failure_limit=1))
    with pytest.raises(DeferredError):
        await fetcher.fetch("http://dead.example/a")
    assert script.call_count == 1


async def test_a_suspended_host_is_final_for_the_run_even_with_the_last_try(respx_mock):
    script = respx_mock.route().mock(side_effect=httpx.ConnectError("Connection refused"))
    fetcher = make_fetcher(settings=_settings(max_tries=3))
    with pytest.raises(TransportError):  # the third try was the last one anyway
        await fetcher.fetch("http://dead.example/a")
    with pytest.raises(DeferredError):
        await fetcher.fetch("http://dead.example/b")
    assert script.call_count == 3


async def test_requests_already_waiting_for_the_host_are_deferred_when_it_is_suspended():
    sched = HostScheduler(
        global_concurrency=4, per_host_concurrency=1, per_host_delay=0.0, failure_limit=2
    )
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with sched.slot("h.example"):
            holding.set()
            await release.wait()

    async def waiting() -> None:
        async with sched.slot("h.example"):
            raise AssertionError("a suspended host got a request slot")

    one = asyncio.ensure_future(first())
    await holding.wait()
    two = asyncio.ensure_future(waiting())
    await asyncio.sleep(0)
    assert [sched.unresponsive("h.example") for _ in range(3)] == [False, True, False]
    release.set()
    await one
    with pytest.raises(DeferredError) as info:
        await two
    assert info.value.reason == "host_unresponsive"
    assert sched.suspended("h.example") and not sched.suspended("other.example")


def test_host_failure_limit_is_validated():
    with pytest.raises(ConfigError, match="SCRAPER_HOST_FAILURE_LIMIT: must be at least 1"):
        Settings(host_failure_limit=0)
    assert Settings.from_env({"SCRAPER_HOST_FAILURE_LIMIT": "5"}).host_failure_limit == 5


def test_the_retry_policy_allows_one_try_after_a_deadline():
    policy = RetryPolicy(max_tries=4)
    ran_out = TimeoutError_("no complete response", reason="deadline")
    assert policy.should_retry(ran_out, deadlines=1)
    assert not policy.should_retry(ran_out, deadlines=2)
    assert policy.should_retry(TimeoutError_("read timeout"), deadlines=0)
