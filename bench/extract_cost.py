"""Extraction at trafilatura's cost: CPU per page and start-up, ours against bare trafilatura.

Two figures (issue 23, item 7), over the pages of ``../shared/eval`` sets:

- **CPU per page, one process, same run.** Every page goes through our ``extract_page`` and
  bare ``trafilatura.extract(body, url=…, include_comments=False)`` one after the other
  (the order alternating per page), each timed with ``time.process_time``. Median and mean
  ms per page of both and their ratios; the target is at most 1.25× on both.
- **Start-up included** (``--startup N``): the wall clock of ``scraper eval``'s run over the
  first N pages of a set (its own worker processes, imports, models) against one fresh
  process of bare trafilatura over the same pages, imports included. The target is at least
  1.5×. Our side runs as ``python -m scraper eval DIR --ours-only``: the CLI, pool, preload
  and scoring of ``scraper eval``, without the bare trafilatura run that ``scraper eval``
  otherwise puts beside every page for its comparison (timed, that would count
  trafilatura's work on our side too).

``--dump FILE`` writes every page's full extraction (the JSON ``scraper extract`` prints)
and ``--compare OLD NEW`` lists the pages whose extraction differs: how a change to how the
chain runs is shown not to change what it outputs.

    PYTHONPATH=. .venv/bin/python -m bench.extract_cost [--sets fundus,trafilatura,wcxb-dev]
    PYTHONPATH=. .venv/bin/python -m bench.extract_cost --startup 200 --sets fundus
    PYTHONPATH=. .venv/bin/python -m bench.extract_cost --dump build/before.json
    PYTHONPATH=. .venv/bin/python -m bench.extract_cost --compare build/before.json build/after.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SETS = ("fundus", "trafilatura", "wcxb-dev")
_BARE_SCRIPT = """
import gzip, json, sys
from pathlib import Path
import trafilatura
folder = Path(sys.argv[1])
truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
for pid, rec in sorted(truth.items()):
    body = gzip.decompress((folder / "html" / f"{pid}.html.gz").read_bytes())
    trafilatura.extract(body, url=rec.get("url") or None, include_comments=False)
"""


def load_pages(folder: Path, limit: int = 0) -> list[tuple[str, bytes, str]]:
    """(id, raw bytes, URL) of a set's pages in id order; ``limit`` > 0 keeps the first ones."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for page_id in sorted(truth):
        path = folder / "html" / f"{page_id}.html.gz"
        if path.is_file():
            out.append(
                (page_id, gzip.decompress(path.read_bytes()), truth[page_id].get("url") or "")
            )
    return out[:limit] if limit > 0 else out


def _cpu_ms(call: Callable[[], object]) -> float:
    began = time.process_time()
    call()
    return 1000 * (time.process_time() - began)


def cpu_per_page(pages: list[tuple[str, bytes, str]]) -> dict[str, float]:
    """Median and mean CPU ms per page of ours and of bare trafilatura, measured together."""
    import trafilatura

    from scraper.extract.extractor import extract_page

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    _, body, url = pages[0]  # warm both: imports, models, compiled patterns
    extract_page(body, url)
    trafilatura.extract(body, url=url or None, include_comments=False)
    ours, bare = [], []
    for i, (_, body, url) in enumerate(pages):
        run_ours = lambda b=body, u=url: extract_page(b, u)  # noqa: E731
        run_bare = lambda b=body, u=url: trafilatura.extract(  # noqa: E731
            b, url=u or None, include_comments=False
        )
        if i % 2:
            bare.append(_cpu_ms(run_bare))
            ours.append(_cpu_ms(run_ours))
        else:
            ours.append(_cpu_ms(run_ours))
            bare.append(_cpu_ms(run_bare))
    figures = {
        "pages": float(len(pages)),
        "ours_median": statistics.median(ours),
        "bare_median": statistics.median(bare),
        "ours_mean": statistics.fmean(ours),
        "bare_mean": statistics.fmean(bare),
    }
    figures["ratio_median"] = figures["ours_median"] / figures["bare_median"]
    figures["ratio_mean"] = figures["ours_mean"] / figures["bare_mean"]
    return figures


def startup(folder: Path, limit: int, repeats: int) -> dict[str, float]:
    """Wall seconds of ``scraper eval`` and of one bare process over the first ``limit`` pages."""
    folder = folder.resolve()  # the subset's links point at the pages from another folder
    with tempfile.TemporaryDirectory(prefix="extract-cost-") as tmp:
        subset = Path(tmp) / folder.name
        (subset / "html").mkdir(parents=True)
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        keep = [p for p in sorted(truth) if (folder / "html" / f"{p}.html.gz").is_file()][:limit]
        for pid in keep:
            (subset / "html" / f"{pid}.html.gz").symlink_to(folder / "html" / f"{pid}.html.gz")
        (subset / "ground-truth.json").write_text(json.dumps({p: truth[p] for p in keep}))
        ours_cmd = [sys.executable, "-m", "scraper", "eval", str(subset), "--json", "--ours-only"]
        bare_cmd = [sys.executable, "-c", _BARE_SCRIPT, str(subset)]
        ours, bare = [], []
        for _ in range(repeats):
            bare.append(_wall(bare_cmd))
            ours.append(_wall(ours_cmd))
    ours_s, bare_s = (statistics.median(w for w, _ in runs) for runs in (ours, bare))
    ours_cpu, bare_cpu = (statistics.median(c for _, c in runs) for runs in (ours, bare))
    return {
        "pages": float(len(keep)),
        "ours_s": ours_s,
        "bare_s": bare_s,
        "speedup": bare_s / ours_s,
        "ours_cpu": ours_cpu,
        "bare_cpu": bare_cpu,
    }


def _wall(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command's whole process tree) of one run."""
    cpu_before = _children_cpu()
    began = time.perf_counter()
    subprocess.run(
        cmd,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=1800,
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
    )
    return time.perf_counter() - began, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def dump(folders: list[Path], out: Path) -> None:
    """Every page's full extraction, keyed ``set/id``, for :func:`compare`."""
    from scraper.extract.extractor import extract_page, extraction_json

    found = {}
    for folder in folders:
        for page_id, body, url in load_pages(folder):
            got = extract_page(body, url)
            found[f"{folder.name}/{page_id}"] = {
                **extraction_json(got, url),
                "warnings": list(got.warnings),
            }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(found, ensure_ascii=False, sort_keys=True, indent=0), "utf-8")


def compare(old: Path, new: Path) -> int:
    """Print the pages whose extraction differs, field by field; 0 when none does."""
    before = json.loads(old.read_text(encoding="utf-8"))
    after = json.loads(new.read_text(encoding="utf-8"))
    differ = 0
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        differ += 1
        fields = sorted(
            k for k in set(a or {}) | set(b or {}) if (a or {}).get(k) != (b or {}).get(k)
        )
        print(f"{key}: differs in {', '.join(fields) or 'presence'}")
    print(f"{len(before)} pages before, {len(after)} after, {differ} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    """Print the figures; see the module docstring."""
    p = argparse.ArgumentParser(
        prog="python -m bench.extract_cost", description=__doc__.splitlines()[0]
    )
    p.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--limit", type=int, default=0, help="first N pages of each set (0: all)")
    p.add_argument(
        "--startup",
        type=int,
        default=0,
        help="also time scraper eval of the first N pages against bare (200)",
    )
    p.add_argument("--repeats", type=int, default=3, help="start-up runs, median (3)")
    p.add_argument("--dump", type=Path, help="write every page's extraction here and stop")
    p.add_argument("--compare", type=Path, nargs=2, metavar=("OLD", "NEW"))
    args = p.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    folders = [args.eval_dir / name for name in args.sets.split(",") if name]
    missing = [str(f) for f in folders if not (f / "ground-truth.json").is_file()]
    if missing:
        print(f"extract_cost: no dataset at {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.dump:
        dump(folders, args.dump)
        return 0
    for folder in folders:
        if args.startup:
            s = startup(folder, args.startup, args.repeats)
            print(
                f"{folder.name}: start-up included, {s['pages']:.0f} pages: scraper eval "
                f"{s['ours_s']:.2f} s, one bare process {s['bare_s']:.2f} s: "
                f"{s['speedup']:.2f}x as fast (median of {args.repeats}); CPU of the "
                f"process trees {s['ours_cpu']:.2f} s / {s['bare_cpu']:.2f} s"
            )
            continue
        c = cpu_per_page(load_pages(folder, args.limit))
        print(
            f"{folder.name}: {c['pages']:.0f} pages, CPU ms/page ours / bare: median "
            f"{c['ours_median']:.1f} / {c['bare_median']:.1f} ({c['ratio_median']:.2f}x), "
            f"mean {c['ours_mean']:.1f} / {c['bare_mean']:.1f} ({c['ratio_mean']:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
