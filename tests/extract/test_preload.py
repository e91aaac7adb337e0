"""The extraction workers' entry module loads the language model before any worker forks."""

from __future__ import annotations

import subprocess
import sys

from scraper.runtime.workerpool import EXTRACT_TARGET

_PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
from scraper.extract.language import _identifier
print(_identifier.cache_info().currsize)
"""


def _model_loaded_by_import(module: str) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, module],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.strip() == "1"


def test_crawl_workers_fork_with_the_model_loaded() -> None:
    # the pool's forkserver imports the target's module: the model must be in it then,
    # or every worker unpacks it again (~0.55 s of CPU each) during the crawl
    module = EXTRACT_TARGET.partition(":")[0]
    assert _model_loaded_by_import(module)


def test_the_extractor_alone_still_loads_the_model_lazily() -> None:
    assert not _model_loaded_by_import("scraper.extract.extractor")


def test_the_target_is_the_extraction_with_its_fingerprint() -> None:
    from scraper.extract import extractor, preload

    module, _, name = EXTRACT_TARGET.partition(":")
    assert module == preload.__name__
    assert getattr(preload, name) is extractor.extract_for_archive
