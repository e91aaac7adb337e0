"""pytest fixtures for the publisher simulator (loaded from ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.simulator.server import Simulator
from tests.simulator.site import Site, SiteConfig

SMALL_SITE = SiteConfig.uniform(publishers=3, articles=5)


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    """A running simulator: 3 publishers (2 English, 1 German) × 5 articles, no latency."""
    with Simulator(Site(SMALL_SITE)) as sim:
        yield sim


@pytest.fixture
def make_simulator() -> Iterator[Callable[..., Simulator]]:
    """Factory: ``make_simulator(SiteConfig(...), hosts=..., latency=...)``, stopped at teardown."""
    started: list[Simulator] = []

    def make(config: SiteConfig | Site | None = None, **kwargs: object) -> Simulator:
        sim = Simulator(config, **kwargs).start()  # type: ignore[arg-type]
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator_seeds(simulator: Simulator, tmp_path: Path) -> Path:
    """A folder of seed TOMLs pointing at the running ``simulator``."""
    folder = tmp_path / "seeds"
    simulator.write_seeds(folder)
    return folder
