"""Archive at scale: insert-with-dedup throughput, near-duplicate lookup, size, FTS query time.

Grows a synthetic archive (random words from a fixed vocabulary, ~250 words in 5
paragraphs, a small HTML page kept as raw) through the archive's own store path; 1 % of
inserts are edited copies of an earlier article, so the dedup path is exercised too. At
each checkpoint it times inserts as the crawl makes them (group commit, ``STORE_BATCH``
articles per transaction), one article per transaction, near-duplicate lookups
(``find_near`` for edited copies of random archived articles) and FTS queries.

    .venv/bin/python -m bench.archive_scale --max 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive import Archive, ArticleRecord, fingerprint
from scraper.settings import Settings

STORE_BATCH = Settings().store_batch  # the crawl's group commit (scraper/runtime/archive_writer.py)

WORDS_PER_ARTICLE = 250
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def vocabulary(size: int = 30_000, seed: int = 7) -> list[str]:
    """Pronounceable pseudo-words; a Zipf-like pick makes some far more common than others."""
    rng = random.Random(seed)
    syll = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
    return ["".join(rng.choices(syll, k=rng.randint(1, 4))) for _ in range(size)]


class Generator:
    """Deterministic synthetic article number ``i`` (same text every time it is asked for)."""

    def __init__(self) -> None:
        self.vocab = vocabulary()
        self.weights = [1.0 / (r + 10) for r in range(len(self.vocab))]
        self.cum = list(_accumulate(self.weights))

    def text(self, i: int) -> str:
        rng = random.Random(i)
        words = rng.choices(self.vocab, cum_weights=self.cum, k=WORDS_PER_ARTICLE)
        step = WORDS_PER_ARTICLE // 5
        return "\n\n".join(" ".join(words[p : p + step]) for p in range(0, len(words), step))

    def edited(self, i: int, n: int = 6) -> str:
        rng = random.Random(-i - 1)
        tokens = self.text(i).split(" ")
        for k in rng.sample(range(len(tokens)), n):
            tokens[k] = rng.choice(self.vocab)
        return " ".join(tokens)

    def record(self, i: int, text: str, site: str = "synthetic") -> ArticleRecord:
        url = f"https://{site}.example/{i // 1000}/{i}"
        html = f"<html><head><title>a{i}</title></head><body><p>{text}</p></body></html>"
        return ArticleRecord(
            url=url, urls=(url,), text=text, fetched_at=T0 + timedelta(seconds=i),
            title=" ".join(text.split(" ", 6)[:6]), site=site, raw_html=html.encode(),
            http_status=200, content_type="text/html", extractor_version="bench",
        )  # fmt: skip


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out


def grow(
    archive: Archive, gen: Generator, start: int, stop: int, *, batch: int = 1
) -> tuple[float, float, int]:
    """Insert articles start..stop-1 (1 % as edited copies); return (store s, fingerprint s, dups).

    ``batch=1`` is one transaction per article (``store_article``); a larger batch uses
    ``store_many``, as the crawl's group commit and bulk imports do. Either way each record
    comes with the fingerprint its extraction worker computed, timed apart (in a crawl it
    runs on the other cores).
    Records are generated in chunks outside the timed part.
    """
    dups, spent, hashing = 0, 0.0, 0.0
    for chunk in range(start, stop, 1000):
        records = [_article(gen, i) for i in range(chunk, min(chunk + 1000, stop))]
        began = time.perf_counter()
        fps = [fingerprint(rec.text) for rec in records]
        hashing += time.perf_counter() - began
        began = time.perf_counter()
        if batch == 1:
            results = [
                archive.articles.store(r, fingerprint=f) for r, f in zip(records, fps, strict=True)
            ]
        else:
            results = []
            for k in range(0, len(records), batch):
                results.extend(
                    archive.articles.store_many(
                        records[k : k + batch], fingerprints=fps[k : k + batch]
                    )
                )
        spent += time.perf_counter() - began
        dups += sum(r.duplicate_of is not None for r in results)
    return spent, hashing, dups


def _article(gen: Generator, i: int) -> ArticleRecord:
    if i % 100 == 99:
        return gen.record(i, gen.edited(i - 50), site="copies")
    return gen.record(i, gen.text(i))


def probe(archive: Archive, gen: Generator, n_articles: int, probes: int = 200) -> dict:
    """Near-dup lookup and FTS query times (median, p95) at the current size.

    FTS queries, 50 of each kind: ``phrase`` is two adjacent words of a random archived
    article, quoted (what a user pastes); ``rare`` a word from the vocabulary's tail (rank
    beyond 20,000: a few hundred matches per million articles); ``common`` one of the ten
    most frequent words (it matches most of the archive: the bounded ranking's worst case).
    """
    rng = random.Random(n_articles)
    targets = [rng.randrange(n_articles) for _ in range(probes)]
    targets = [t for t in targets if t % 100 != 99]
    lookups, found = [], 0
    for t in targets:
        fp = fingerprint(gen.edited(t, n=10))
        began = time.perf_counter()
        match = archive.articles.nearest(fp)
        lookups.append(time.perf_counter() - began)
        found += match is not None
    queries = {
        "phrase": ['"{} {}"'.format(*gen.text(t).split(" ")[3:5]) for t in targets[:50]],
        "rare": [gen.vocab[rng.randrange(20_000, len(gen.vocab))] for _ in range(50)],
        "common": [gen.vocab[rng.randrange(10)] for _ in range(50)],
    }
    out = {"lookup_ms": _ms(lookups, 0.5), "lookup_p95_ms": _ms(lookups, 0.95),
           "lookup_found": found / len(lookups)}  # fmt: skip
    for kind, texts in queries.items():
        times = []
        for query in texts:
            began = time.perf_counter()
            archive.articles.search(query, limit=20)
            times.append(time.perf_counter() - began)
        out[f"fts_{kind}_ms"], out[f"fts_{kind}_p95_ms"] = _ms(times, 0.5), _ms(times, 0.95)
    out["fts_ms"] = out["fts_phrase_ms"]  # the headline figure (bench/parts.py reads it)
    return out


def _ms(times: list[float], q: float) -> float:
    """The q-quantile of ``times`` (seconds) in milliseconds (q=0.5: the median)."""
    if q == 0.5:
        return statistics.median(times) * 1000
    return sorted(times)[min(len(times) - 1, int(len(times) * q))] * 1000


def run(
    max_articles: int = 1_000_000,
    checkpoints: tuple[int, ...] = (10_000, 100_000, 1_000_000),
    path: Path | None = None,
    crawl_sample: int = 2_000,
    batch: int = 100,
    single_sample: int = 1_000,
) -> dict[int, dict]:
    """Grow an archive to ``max_articles`` and measure at each checkpoint reached.

    Growth between checkpoints runs in bulk mode (``batch`` per transaction) to reach 1M in
    reasonable time. At each checkpoint, ``single_sample`` more articles are stored one
    transaction each, then ``crawl_sample`` in the crawl's group commits of
    ``STORE_BATCH`` (fingerprints from the extraction workers); both rates are reported,
    with the crawl's rate if the writer fingerprinted each text itself. A kept ``path``
    holding an earlier bench archive is grown on from its size.
    """
    folder = None if path else tempfile.TemporaryDirectory(prefix="archive-bench-")
    db = path or Path(folder.name) / "archive.db"  # type: ignore[union-attr]
    gen, results = Generator(), {}
    with Archive.open(db) as archive:
        done = archive.db.table("articles").count
        wanted = sorted(c for c in checkpoints if done < c <= max_articles)
        for point in wanted or ([max_articles] if done < max_articles else []):
            start = max(done, point - crawl_sample)
            single = max(done, start - single_sample)
            bulk_s, _, dups = grow(archive, gen, done, single, batch=batch)
            one_s, _, more_1 = grow(archive, gen, single, start)
            crawl_s, hash_s, more = grow(archive, gen, start, point, batch=STORE_BATCH)
            bulk = (single - done) / bulk_s if bulk_s else float("nan")
            done = point
            _settle(archive)
            size = db.stat().st_size
            results[point] = {"insert_per_s": (point - start) / crawl_s, "bulk_per_s": bulk,
                              "insert_1tx_per_s": (start - single) / one_s
                              if one_s else float("nan"),
                              "insert_with_fp_per_s": (point - start) / (crawl_s + hash_s),
                              "dups_linked": dups + more_1 + more,
                              "bytes_per_article": size / point,
                              "load": "/".join(f"{x:.1f}" for x in os.getloadavg()),
                              **probe(archive, gen, point)}  # fmt: skip
            print(_row(point, results[point]), flush=True)
    if folder:
        folder.cleanup()
    return results


def _settle(archive: Archive) -> None:
    """Copy the whole WAL into the database file, so its size is the archive's size.

    The background checkpointer may hold the checkpoint lock: then SQLite answers busy.
    """
    for _ in range(100):
        if archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
            return
        time.sleep(0.05)


def _row(n: int, r: dict) -> str:
    return (
        f"| {n:>9,} | {r['insert_per_s']:>8,.0f} | {r['insert_with_fp_per_s']:>8,.0f} | "
        f"{r['insert_1tx_per_s']:>8,.0f} | {r['bulk_per_s']:>8,.0f} | "
        f"{r['lookup_ms']:>5.2f} / {r['lookup_p95_ms']:>5.2f} | {r['lookup_found']:>4.2f} | "
        f"{r['bytes_per_article']:>6,.0f} | "
        + " | ".join(f"{r[f'fts_{k}_ms']:>6.2f} / {r[f'fts_{k}_p95_ms']:>6.2f}"
                     for k in ("phrase", "rare", "common"))
        + f" | {r['load']} |"
    )  # fmt: skip


def main() -> None:
    """Command line: ``--max N`` to stop earlier, ``--db PATH`` to keep (or grow on) it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="keep (or grow on) this archive")
    parser.add_argument("--batch", type=int, default=100, help="articles per bulk transaction")
    args = parser.parse_args()
    points = tuple(p for p in (10_000, 100_000, 1_000_000) if p < args.max) + (args.max,)
    print(f"| articles | insert/s (crawl: group commit of {STORE_BATCH}, fingerprint from "
          "workers) | same, fingerprint in the writer | insert/s (1 per tx) | "
          "insert/s (bulk, 100 per tx, during growth) | "
          "near-dup lookup ms "
          "median / p95 | found | bytes/article | FTS phrase ms median / p95 | FTS rare term | "
          "FTS common term | load avg 1/5/15 min |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    run(args.max, points, args.db, batch=args.batch)


if __name__ == "__main__":
    main()
