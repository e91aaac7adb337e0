"""Metadata per field and half, ours beside trafilatura's ``bare_extraction``, page by page.

The metadata rows of ``scraper eval`` without its body scoring and bare text run: every
article page of the shared sets goes through ``extract_page`` and ``compare.bare_metadata``,
scored by ``compare.page_meta``. ``--jsonl FILE`` also writes each page's fields (ours, bare,
truth) for study: list the pages of half A whose field is wrong, group them by cause.

    PYTHONPATH=. .venv/bin/python -m bench.meta_fields [--sets fundus,trafilatura,wcxb-dev]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

FIELDS = ("title", "authors", "author", "published_date", "date")
SETS = ("fundus", "trafilatura", "wcxb-dev")


def _page(job: tuple[Path, str, dict[str, Any]]) -> dict[str, Any]:
    from scraper.extract.compare import bare_metadata, half_of, page_meta
    from scraper.extract.preload import extract_page

    folder, page_id, truth = job
    body = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
    url = truth.get("url") or ""
    ours, bare = extract_page(body, url), bare_metadata(body, url, truth)
    return {
        "set": folder.name,
        "id": page_id,
        "half": half_of(page_id),
        "ours": dict(page_meta(truth, ours)),
        "bare": dict(page_meta(truth, bare)),
        "our_authors": list(ours.authors),
        "bare_authors": list(bare.authors),
        "our_published": ours.published.isoformat() if ours.published else None,
        "our_source": ours.published_source,
        "truth_author": truth.get("authors") or truth.get("author"),
        "truth_date": truth.get("published") or truth.get("date"),
    }


def _jobs(eval_dir: Path, sets: list[str]) -> list[tuple[Path, str, dict[str, Any]]]:
    jobs = []
    for name in sets:
        folder = eval_dir / name
        truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
        for page_id, record in truth.items():
            html = folder / "html" / f"{page_id}.html.gz"
            if record.get("page_type") not in ("listing", "collection") and html.exists():
                jobs.append((folder, page_id, record))
    return jobs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--jsonl", type=Path, help="write every page's fields here")
    args = p.parse_args()
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    out = args.jsonl.open("w", encoding="utf-8") if args.jsonl else None
    with ProcessPoolExecutor(args.workers) as pool:
        for row in pool.map(_page, _jobs(args.eval_dir, args.sets.split(",")), chunksize=8):
            if out is not None:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            for field in FIELDS:
                if field in row["ours"]:
                    tally = counts[(row["set"], field, row["half"])]
                    tally[0] += 1
                    tally[1] += row["ours"][field]
                    tally[2] += row["bare"][field]
    if out is not None:
        out.close()
    for (name, field, half), (pages, ours, bare) in sorted(counts.items()):
        print(
            f"{name:12} {field:15} {half} pages {pages:4}  ours {ours / pages:.4f}  "
            f"trafilatura {bare / pages:.4f}"
        )


if __name__ == "__main__":
    main()
