"""Shared pytest configuration: fixture modules, and the Hypothesis profiles of the fuzz tests.

``default`` (``make test``) runs each property a few hundred times; ``long`` (``make
test-long``: ``--hypothesis-profile=long``, or ``HYPOTHESIS_PROFILE=long``) 25 times as many.
No deadline: a parse's CPU time varies with the machine's load, not with the code.
``--hypothesis-show-statistics`` prints how many examples each property ran and how long.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["tests.simulator.fixtures"]

settings.register_profile(
    "default",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("long", settings.get_profile("default"), max_examples=5_000)
# The plugin's --hypothesis-profile, applied after this file is read, wins over the variable.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _fresh_loggers() -> Iterator[None]:
    """A test that runs ``scraper.cli.main`` in-process leaves no handler on a closed stream."""
    yield
    import logging

    from scraper import logs

    for name in (logs.LOGGER, logs.SUMMARY):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()


def pytest_collection_modifyitems(items: list) -> None:
    """Under the ``long`` profile a property may run for many minutes: lift its timeout."""
    if settings.get_current_profile_name() != "long":
        return
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.timeout(1800))


# Unpacked language model (scraper.extract.language): kept inside the checkout, shared by the
# test processes and runs, never in the user's own cache folder.
os.environ.setdefault(
    "SCRAPER_CACHE_DIR", str(Path(__file__).resolve().parent.parent / ".pytest_cache" / "scraper")
)
