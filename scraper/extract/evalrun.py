"""``scraper eval``: the crawl's extraction path scored on a dataset, bare trafilatura beside it.

Metrics live in :mod:`scraper.extract.evaluate`, the side-by-side run and its halves in
:mod:`scraper.extract.compare`; this module runs them and prints the report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from scraper.extract.compare import compare, format_compare, score_pair
from scraper.extract.evaluate import (
    PageResult,
    format_summary,
    run_dataset,
    score_page,
    summarise,
)


def run_eval_cli(
    dataset_dir: Path,
    output: Path | None,
    as_json: bool,
    *,
    workers: int | None = None,
    beside_bare: bool = True,
) -> int:
    """``scraper eval``: score the crawl's extraction path on a dataset; exit code.

    ``beside_bare=False`` (``--ours-only``) runs our path alone, as the crawl does (no bare
    trafilatura run beside each page): what ``bench.extract_cost --startup`` times.
    """
    try:
        if beside_bare:
            pairs = run_dataset(dataset_dir, workers=workers, score=score_pair)
        else:
            results = run_dataset(dataset_dir, workers=workers, score=score_page)
    except ValueError as exc:
        print(f"scraper eval: {exc}", file=sys.stderr)
        return 2
    if beside_bare:
        results = [
            PageResult(
                p.page_id, p.ours.text, p.ours.cpu_ms, p.ours.body, p.ours.snippets, p.ours.meta
            )
            for p in pairs
        ]
        summary = {**summarise(results), "compare": compare(pairs)}
    else:
        summary = summarise(results)
    if output is not None:
        payload = {r.page_id: {"articleBody": r.text} for r in results}
        try:
            output.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
        except OSError as exc:
            print(f"scraper eval: cannot write {output}: {exc.strerror}", file=sys.stderr)
            return 2
    if as_json:
        print(json.dumps({"dataset": dataset_dir.name, **summary}, sort_keys=True))
    else:
        print(format_summary(dataset_dir.name, summary))
        if beside_bare:
            print(format_compare(dataset_dir.name, summary["compare"]))
    return 0
