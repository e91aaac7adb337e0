"""Ours beside bare trafilatura, page by page, in the same run: the figures ``scraper eval`` prints.

For every page the worker runs the crawl's extraction path and bare
``trafilatura.extract(html, include_comments=False)`` (each timed with
``time.process_time`` in that one process), plus trafilatura's own ``bare_extraction``
metadata (untimed), and scores both outputs the same way. Pages are split into two fixed
halves by the first hex digit of ``sha1(page id)``: even is A ("tune"), odd is B ("check").
Rules are studied on A and must not lower B.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scraper.extract.evaluate import (
    BodyScore,
    Extractor,
    SnippetScore,
    aggregate_body,
    aggregate_snippets,
    body_score,
    f1,
    meta_matches,
    meta_rates,
    normalise_space,
    snippet_score,
)
from scraper.models import Extraction

_WORD = re.compile(r"\w+")
_NAME_SPLIT = re.compile(r"\s*(?:[;,&]|\band\b|\bund\b)\s*", re.I)
MARGIN = 0.05  # a page is won or lost when the two F1s differ by more than this
WORST = 5
NOT_ARTICLE_TYPES = frozenset({"listing", "collection"})
# the metadata fields shown side by side; truth keys differ between sets
SIDE_FIELDS = (
    ("title", "title"),
    ("authors", "authors"),
    ("author names", "author names"),
    ("published day", "published_date"),
    ("published day", "date"),
)


@dataclass(frozen=True)
class WordScore:
    """WCXB's own page metric: lower-cased word multisets."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Side:
    """One extractor's output on one page and its scores."""

    text: str
    cpu_ms: float
    body: BodyScore | None
    snippets: SnippetScore | None
    words: WordScore | None
    meta: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class PairResult:
    """Ours and bare trafilatura on one page."""

    page_id: str
    half: str  # "A" (tune) or "B" (check)
    page_type: str | None
    ours: Side
    bare: Side


def half_of(page_id: str) -> str:
    """The fixed half a page belongs to: A when sha1(id)'s first hex digit is even."""
    return "A" if int(hashlib.sha1(page_id.encode("utf-8")).hexdigest()[0], 16) % 2 == 0 else "B"


def word_score(predicted: str, truth: str) -> WordScore:
    """WCXB word precision/recall/F1; an empty output for an empty reference scores 1."""
    pred = Counter(_WORD.findall(predicted.lower()))
    true = Counter(_WORD.findall(truth.lower()))
    if not pred and not true:
        return WordScore(1.0, 1.0, 1.0)
    overlap = sum((pred & true).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(true.values()) if true else 0.0
    return WordScore(precision, recall, f1(precision, recall))


def author_names_match(want: object, got: tuple[str, ...]) -> bool:
    """The names we give are the truth's, in its order's first place (roles in it ignored)."""
    text = "; ".join(map(str, want)) if isinstance(want, list) else str(want)
    pieces = [p.casefold() for p in _NAME_SPLIT.split(normalise_space(text)) if p]
    names = [normalise_space(a).casefold() for a in got]
    if not pieces or not names:
        return False
    return names[0] == pieces[0] and all(n in pieces for n in names)


def page_meta(truth: dict[str, Any], got: Extraction) -> tuple[tuple[str, bool], ...]:
    """The harness's exact-match fields plus the lenient author-names check."""
    found = list(meta_matches(truth, got))
    want = truth.get("authors") or truth.get("author")
    if want:
        found.append(("author names", author_names_match(want, got.authors)))
    return tuple(found)


def score_side(text: str, cpu_ms: float, truth: dict[str, Any], got: Extraction) -> Side:
    """Every metric the truth allows, for one output."""
    body = body_score(text, truth["articleBody"]) if "articleBody" in truth else None
    words = word_score(text, truth["articleBody"]) if "page_type" in truth else None
    snips = None
    if "with" in truth or "without" in truth:
        snips = snippet_score(text, truth.get("with", []), truth.get("without", []))
    return Side(text, cpu_ms, body, snips, words, page_meta(truth, got))


def bare_metadata(body: bytes, url: str, truth: dict[str, Any]) -> Extraction:
    """trafilatura's own metadata as an Extraction (its date at noon in the truth's zone)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        body, url=url or None, include_comments=False, with_metadata=True
    )
    author = getattr(doc, "author", None) or ""
    published = None
    if day := getattr(doc, "date", None):
        want = _zone_of(truth)
        try:
            published = datetime.fromisoformat(str(day)[:10]).replace(hour=12, tzinfo=want)
        except ValueError:
            published = None
    return Extraction(
        text="",
        title=getattr(doc, "title", None),
        authors=tuple(a.strip() for a in author.split(";") if a.strip()),
        published=published,
    )


def _zone_of(truth: dict[str, Any]) -> Any:
    try:
        return datetime.fromisoformat(str(truth.get("published") or "")).tzinfo
    except ValueError:
        return None


def score_pair(
    page_id: str, html_path: Path, truth: dict[str, Any], extractor: Extractor
) -> PairResult:
    """Run both extractors on one page (a process-pool target)."""
    import trafilatura

    body = gzip.decompress(html_path.read_bytes())
    url = truth.get("url") or ""
    start = time.process_time()
    got = extractor(body, url)
    ours_ms = (time.process_time() - start) * 1000
    start = time.process_time()
    bare_text = trafilatura.extract(body, url=url or None, include_comments=False) or ""
    bare_ms = (time.process_time() - start) * 1000
    bare_meta = bare_metadata(body, url, truth)
    return PairResult(
        page_id,
        half_of(page_id),
        truth.get("page_type"),
        score_side(got.text, ours_ms, truth, got),
        score_side(bare_text, bare_ms, truth, bare_meta),
    )


# ---------------------------------------------------------------- summaries


def page_f1(side: Side) -> float | None:
    """One page's F1 under the set's main metric (body, else snippets)."""
    if side.body is not None:
        return f1(side.body.precision or 0.0, side.body.recall)
    if side.snippets is not None:
        s = side.snippets
        if not s.tp + s.fn:
            return None
        precision = s.tp / (s.tp + s.fp) if s.tp + s.fp else 0.0
        return f1(precision, s.tp / (s.tp + s.fn))
    return None


def side_summary(sides: list[Side]) -> dict[str, Any]:
    """Body, word, snippet, CPU and metadata figures of one extractor over some pages."""
    out: dict[str, Any] = {"pages": len(sides)}
    bodies = [s.body for s in sides if s.body is not None]
    if bodies:
        out["body"] = aggregate_body(bodies)
    snippets = [s.snippets for s in sides if s.snippets is not None]
    if snippets:
        out["snippets"] = aggregate_snippets(snippets)
        if not bodies:
            low = sum(1 for s in snippets if s.tp + s.fp and s.tp / (s.tp + s.fp) < 0.8)
            out["snippets"]["share_precision_below_0.8"] = low / len(snippets)
    words = [s.words for s in sides if s.words is not None]
    if words:
        out["wcxb_words"] = {
            k: statistics.fmean(getattr(w, k) for w in words) for k in ("precision", "recall", "f1")
        }
    times = [s.cpu_ms for s in sides]
    out["cpu_ms_median"] = statistics.median(times) if times else 0.0
    out["cpu_ms_mean"] = statistics.fmean(times) if times else 0.0
    out["empty_outputs"] = sum(1 for s in sides if not s.text.strip())
    out["metadata"] = meta_rates(sides)
    return out


def group_summary(results: list[PairResult]) -> dict[str, Any]:
    """Both sides over a group of pages; articles only when the set has page types."""
    typed = any(r.page_type for r in results)
    articles = [r for r in results if r.page_type not in NOT_ARTICLE_TYPES]
    out: dict[str, Any] = {
        "pages": len(results),
        "scored_pages": len(articles),
        "ours": side_summary([r.ours for r in articles]),
        "trafilatura": side_summary([r.bare for r in articles]),
    }
    out.update(_wins(articles))
    if typed:
        out["by_type"] = {
            kind: {
                "pages": len(pages),
                "ours": side_summary([r.ours for r in pages]),
                "trafilatura": side_summary([r.bare for r in pages]),
                "no_article_share": _empty_share(pages),
            }
            for kind in sorted({r.page_type or "?" for r in results})
            if (pages := [r for r in results if (r.page_type or "?") == kind])
        }
        not_articles = [r for r in results if r.page_type in NOT_ARTICLE_TYPES]
        out["no_article"] = {
            "not_articles": _empty_share(not_articles),
            "articles": _empty_share(articles),
        }
    return out


def _empty_share(results: list[PairResult]) -> float:
    return sum(1 for r in results if not r.ours.text.strip()) / len(results) if results else 0.0


def _wins(results: list[PairResult]) -> dict[str, Any]:
    diffs = []
    for r in results:
        ours, bare = page_f1(r.ours), page_f1(r.bare)
        if ours is not None and bare is not None:
            diffs.append((ours - bare, r.page_id))
    diffs.sort()
    return {
        "worse_by_0.05": sum(1 for d, _ in diffs if d < -MARGIN),
        "better_by_0.05": sum(1 for d, _ in diffs if d > MARGIN),
        "worst": [f"{pid} {d:+.3f}" for d, pid in diffs[:WORST] if d < -MARGIN],
    }


def compare(results: list[PairResult]) -> dict[str, Any]:
    """The whole set and each half."""
    return {
        "all": group_summary(results),
        "A": group_summary([r for r in results if r.half == "A"]),
        "B": group_summary([r for r in results if r.half == "B"]),
    }


# ---------------------------------------------------------------- printing

_GROUPS = (("all", "all"), ("A", "A tune"), ("B", "B check"))


def format_compare(name: str, report: dict[str, Any]) -> str:
    """A table: one row per figure, ours | trafilatura for the whole set and each half."""
    head = "  ".join(f"{label:>15}" for _, label in _GROUPS)
    lines = [
        f"{name}: ours | bare trafilatura, same run "
        f"(pages: all {report['all']['pages']}, A {report['A']['pages']}, "
        f"B {report['B']['pages']})",
        f"  {'':<28}{head}",
    ]
    for label, pick in _rows(report["all"]):
        cells = []
        for key, _ in _GROUPS:
            ours, bare = pick(report[key])
            ms = "ms" in label
            cells.append(f"{_cell(ours, ms):>7}|{_cell(bare, ms):<7}")
        lines.append(f"  {label:<28}" + "  ".join(f"{c:>15}" for c in cells))
    for key, label in _GROUPS:
        worst = ", ".join(report[key]["worst"]) or "none"
        lines.append(f"  worst ({label}): {worst}")
    ratio = [
        report[k]["ours"]["cpu_ms_mean"] / (report[k]["trafilatura"]["cpu_ms_mean"] or 1)
        for k, _ in _GROUPS
    ]
    pairs = zip(_GROUPS, ratio, strict=True)
    lines.append(
        "  CPU mean ratio ours/trafilatura: "
        + ", ".join(f"{label} {r:.2f}x" for (_, label), r in pairs)
    )
    return "\n".join(lines)


def _cell(value: float | int | None, ms: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}" if ms else f"{value:.4f}"


Pick = Any


def _rows(sample: dict[str, Any]) -> list[tuple[str, Pick]]:
    """(label, group → (ours, trafilatura)) for the figures this set has."""
    rows: list[tuple[str, Pick]] = []

    def both(*path: str) -> Pick:
        return lambda g: (_dig(g["ours"], path), _dig(g["trafilatura"], path))

    if "body" in sample["ours"]:
        rows += [
            ("body F1", both("body", "f1")),
            ("body precision", both("body", "precision")),
            ("body recall", both("body", "recall")),
            ("share precision < 0.8", both("body", "share_precision_below_0.8")),
        ]
    if "snippets" in sample["ours"]:
        rows.append(("snippet F1", both("snippets", "f1")))
        if "body" not in sample["ours"]:
            rows.append(("share precision < 0.8", both("snippets", "share_precision_below_0.8")))
    for kind in sample.get("by_type", {}):
        rows.append(
            (
                f"WCXB word F1 {kind}",
                lambda g, k=kind: (
                    _dig(g["by_type"].get(k, {}).get("ours", {}), ("wcxb_words", "f1")),
                    _dig(g["by_type"].get(k, {}).get("trafilatura", {}), ("wcxb_words", "f1")),
                ),
            )
        )
    rows += [
        ("CPU ms/page median", both("cpu_ms_median")),
        ("CPU ms/page mean", both("cpu_ms_mean")),
    ]
    for field in sample["ours"]["metadata"]:
        if field in {"title", "authors", "author", "author names", "published_date", "date"}:
            rows.append((f"meta {field}", both("metadata", field)))
    if "no_article" in sample:
        rows += [
            ("no article: listing+collection", lambda g: (g["no_article"]["not_articles"], None)),
            ("no article: articles", lambda g: (g["no_article"]["articles"], None)),
        ]
        for kind in sorted(NOT_ARTICLE_TYPES & set(sample.get("by_type", {}))):
            rows.append(
                (
                    f"no article: {kind}",
                    lambda g, k=kind: (
                        g["by_type"].get(k, {}).get("no_article_share"),
                        None,
                    ),
                )
            )
    rows += [
        ("pages worse by > 0.05", lambda g: (g["worse_by_0.05"], None)),
        ("pages better by > 0.05", lambda g: (g["better_by_0.05"], None)),
    ]
    return rows


def _dig(tree: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node
