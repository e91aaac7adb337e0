"""``python -m bench`` (``make bench``): crawl speed, peers, extraction, memory, archive, WARC.

Loopback only: every site is the publisher simulator on 127.0.0.x. Prints a Markdown
table and writes it, with the machine and the command, to ``--out`` for BENCHMARKS.md.

    python -m bench                    # everything, 3 runs each, medians
    python -m bench --quick            # a small subset in about two minutes
    python -m bench --parts 1,3        # only some parts
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench import parts, warc_part
from bench.report import table, write_results

PART_NAMES = {
    1: "crawl vs politeness bound",
    2: "peers side by side",
    3: "extraction throughput",
    4: "memory over a long run",
    5: "archive scale",
    6: "WARC ingest and writer",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--parts", default="1,2,3,4,5,6", help="comma-separated part numbers 1-6")
    p.add_argument(
        "--quick",
        action="store_true",
        help="1 run each, 5 hosts x 40 pages, 100 eval pages, 2,000-page long run",
    )
    p.add_argument("--repeats", type=int, default=None, help="runs per measurement (3)")
    p.add_argument("--latency", type=float, default=0.05, help="server latency, s (0.05)")
    p.add_argument("--hosts", type=int, default=None, help="publisher hosts (20)")
    p.add_argument("--articles", type=int, default=None, help="articles per host (100)")
    p.add_argument(
        "--long-pages", type=int, default=None, help="pages of the long memory run (20000)"
    )
    p.add_argument(
        "--extract-pages", type=int, default=None, help="evaluation pages for part 3, 0 = all (400)"
    )
    p.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    p.add_argument(
        "--archive-max",
        type=int,
        default=None,
        help="articles for part 5 (100000; 1000000 for the full figure)",
    )
    p.add_argument(
        "--warc-pages", type=int, default=None, help="pages of the WARC ingested in part 6 (600)"
    )
    p.add_argument("--timeout", type=float, default=900.0, help="bound per crawl run, s")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("build/bench/latest.md"),
        help="Markdown results for BENCHMARKS.md (build/bench/latest.md)",
    )
    return p


def options(args: argparse.Namespace) -> parts.Options:
    """Options from the command line; --quick changes only what was not given."""
    quick: dict[str, object] = {}
    if args.quick:
        quick = dict(
            repeats=1,
            hosts=5,
            articles=40,
            long_pages=2_000,
            extract_pages=100,
            archive_max=10_000,
            warc_pages=200,
        )
    given = {
        k: getattr(args, k)
        for k in (
            "repeats",
            "hosts",
            "articles",
            "long_pages",
            "extract_pages",
            "archive_max",
            "warc_pages",
        )
    }
    opts = parts.Options(latency=args.latency, eval_dir=args.eval_dir, timeout=args.timeout)
    opts = replace(opts, **quick)  # type: ignore[arg-type]
    opts = replace(opts, **{k: v for k, v in given.items() if v is not None})
    return opts


def selected(spec: str) -> list[int]:
    """Part numbers from ``1,2,5``; SystemExit with one line on anything else."""
    try:
        chosen = sorted({int(x) for x in spec.split(",") if x.strip()})
    except ValueError:
        raise SystemExit(f"bench: --parts wants numbers 1-6, got {spec!r}") from None
    if not chosen or any(n not in PART_NAMES for n in chosen):
        raise SystemExit(f"bench: --parts wants numbers 1-6, got {spec!r}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Run the selected parts, print the table, write the results file."""
    args = build_parser().parse_args(argv)
    chosen, opts = selected(args.parts), options(args)
    if opts.repeats < 1 or opts.hosts < 1 or opts.articles < 1:
        raise SystemExit("bench: --repeats, --hosts and --articles must be at least 1")
    result, began = parts.Result(), time.monotonic()
    # Other work on the machine moves every wall-clock figure: record it at both ends.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    result.notes.append(f"load average at start (1/5/15 min): {load}")

    def log(message: str) -> None:
        print(f"[{time.monotonic() - began:6.0f}s] {message}", file=sys.stderr, flush=True)

    steps = [
        (
            1 in chosen or 2 in chosen,
            lambda: parts.crawl_and_peers(opts, result, with_peers=2 in chosen, log=log),
        ),
        (3 in chosen, lambda: parts.extraction_speed(opts, result, log)),
        (4 in chosen, lambda: parts.memory(opts, result, log)),
        (5 in chosen, lambda: parts.archive_scale(opts, result, log)),
        (6 in chosen, lambda: warc_part.warc(opts, result, log)),
    ]
    for wanted, step in steps:
        if wanted:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - one broken part must not lose the others
                result.notes.append(f"a part failed: {type(exc).__name__}: {exc}"[:300])
    result.notes.append(f"bench wall time {time.monotonic() - began:.0f}s")
    command = "python -m bench " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    print(table(result.rows))
    for note in result.notes:
        print(f"note: {note}")
    write_results(args.out, command.strip(), result.rows, result.notes)
    print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
