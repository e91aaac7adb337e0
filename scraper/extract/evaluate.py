"""Extraction quality harness: body and snippet metrics over an evaluation dataset.

Dataset format (the sets themselves live outside the repository; ``make eval`` reads them
from ``EVAL_DIR``): ``ground-truth.json`` mapping id → record and ``html/<id>.html.gz``,
the page as fetched. Records with ``articleBody`` are scored with the body metric (4-token
shingles, multiset), records with ``with``/``without`` snippets with the snippet metric.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from scraper.models import Extraction

_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
SHINGLE = 4
# U+00AD is invisible: a reader sees "Brennpunkt" where the markup (and the references
# copied from it) may hold "Brenn\u00adpunkt". Both sides are compared without it.
_SOFT_HYPHEN = "\u00ad"

Extractor = Callable[[bytes, str], Extraction]
# workers forked from a parent that has loaded the extractor start at once (spawn elsewhere)
_FORK = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else None
)


@dataclass(frozen=True)
class BodyScore:
    """Body metric for one page; precision is None when the output is empty."""

    precision: float | None
    recall: float
    exact: bool


@dataclass(frozen=True)
class SnippetScore:
    """Snippet metric counts for one page."""

    tp: int
    fn: int
    fp: int
    tn: int


@dataclass(frozen=True)
class PageResult:
    """One page's extraction outcome and scores (what the harness aggregates)."""

    page_id: str
    text: str
    cpu_ms: float
    body: BodyScore | None
    snippets: SnippetScore | None
    meta: tuple[tuple[str, bool], ...]  # (field, exact match) for fields the truth has


def tokens(text: str) -> list[str]:
    """Unicode word tokens, case kept, punctuation dropped; soft hyphens do not split words."""
    return _TOKEN.findall(text.replace(_SOFT_HYPHEN, ""))


def shingles(toks: list[str], size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of ``size``-token runs; a shorter non-empty text is one shorter shingle."""
    if not toks:
        return Counter()
    if len(toks) < size:
        return Counter([tuple(toks)])
    # zip over shifted copies: the same runs as slicing at every offset, a third of the CPU
    return Counter(zip(*(toks[i:] for i in range(size)), strict=False))


def body_score(predicted: str, truth: str) -> BodyScore:
    """Shingle precision/recall of one page (scaling tp+fp+fn to 1 leaves both unchanged)."""
    pred_toks, true_toks = tokens(predicted), tokens(truth)
    exact = pred_toks == true_toks
    counted = _shingle_counts(pred_toks, true_toks)
    if counted is None:  # a text shorter than a shingle, or a vocabulary too large to pack
        pred, true = shingles(pred_toks), shingles(true_toks)
        common = list(pred.keys() & true.keys())
        tp = sum(map(min, map(pred.__getitem__, common), map(true.__getitem__, common)))
        n_pred, n_true = pred.total(), true.total()
    else:
        tp, n_pred, n_true = counted
    precision = tp / n_pred if n_pred else None
    recall = tp / n_true if n_true else 1.0
    return BodyScore(precision, recall, exact)


def _shingle_counts(pred_toks: list[str], true_toks: list[str]) -> tuple[int, int, int] | None:
    """(shared, predicted, true) shingle counts of the two multisets, or None.

    The same counts as :func:`shingles` gives, without a tuple per shingle: each word gets
    a number, each run of :data:`SHINGLE` numbers is packed into one 64-bit integer (one
    to one while the vocabulary stays under ~55,000 words), and numpy counts and
    intersects them. Scoring is part of what ``scraper eval`` times.
    """
    if len(pred_toks) < SHINGLE or len(true_toks) < SHINGLE:
        return None
    vocab = {word: i for i, word in enumerate(dict.fromkeys(pred_toks + true_toks))}
    base = len(vocab)
    if base**SHINGLE >= 2**63:
        return None
    pred, true = (_packed(list(map(vocab.__getitem__, t)), base) for t in (pred_toks, true_toks))
    pred_keys, pred_n = np.unique(pred, return_counts=True)
    true_keys, true_n = np.unique(true, return_counts=True)
    _, i, j = np.intersect1d(pred_keys, true_keys, assume_unique=True, return_indices=True)
    return int(np.minimum(pred_n[i], true_n[j]).sum()), len(pred), len(true)


def _packed(ids: list[int], base: int) -> Any:
    """Each run of :data:`SHINGLE` word numbers as one integer in base ``base``."""
    arr = np.asarray(ids, dtype=np.int64)
    runs = len(arr) - SHINGLE + 1
    code = arr[:runs].copy()
    for k in range(1, SHINGLE):
        code *= base
        code += arr[k : runs + k]
    return code


def snippet_score(predicted: str, with_: Iterable[str], without: Iterable[str]) -> SnippetScore:
    """Count ``with`` snippets found (tp) / missed (fn) and ``without`` found (fp) / not (tn)."""
    text = normalise_space(predicted)
    found_with = [normalise_space(s) in text for s in with_]
    found_without = [normalise_space(s) in text for s in without]
    return SnippetScore(
        tp=sum(found_with),
        fn=len(found_with) - sum(found_with),
        fp=sum(found_without),
        tn=len(found_without) - sum(found_without),
    )


def normalise_space(text: str) -> str:
    """Collapse whitespace runs to one space and strip; drop soft hyphens."""
    return _SPACE.sub(" ", text.replace(_SOFT_HYPHEN, "")).strip()


def f1(precision: float, recall: float) -> float:
    """Harmonic mean; 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def aggregate_body(scores: list[BodyScore]) -> dict[str, float]:
    """Mean precision over non-empty outputs, mean recall over all pages, F1 of the means."""
    precisions = [s.precision for s in scores if s.precision is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(s.recall for s in scores) if scores else 0.0
    low = sum(1 for p in precisions if p < 0.8)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "accuracy": sum(s.exact for s in scores) / len(scores) if scores else 0.0,
        "share_precision_below_0.8": low / len(scores) if scores else 0.0,
    }


def aggregate_snippets(scores: list[SnippetScore]) -> dict[str, float]:
    """Micro-averaged snippet precision/recall/F1 plus the raw counts."""
    tp, fn = sum(s.tp for s in scores), sum(s.fn for s in scores)
    fp, tn = sum(s.fp for s in scores), sum(s.tn for s in scores)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "accuracy": (tp + tn) / (tp + tn + fp + fn) if tp + tn + fp + fn else 0.0,
        "with_found": tp,
        "with_missed": fn,
        "without_found": fp,
        "without_absent": tn,
    }


# ---------------------------------------------------------------- metadata


def meta_matches(truth: dict[str, Any], got: Extraction) -> tuple[tuple[str, bool], ...]:
    """Exact-match checks for the metadata fields the ground truth carries."""
    out: list[tuple[str, bool]] = []
    if truth.get("title"):
        out.append(("title", normalise_space(truth["title"]) == normalise_space(got.title or "")))
    if isinstance(truth.get("authors"), list) and truth["authors"]:
        out.append(("authors", [normalise_space(a) for a in truth["authors"]] == list(got.authors)))
    if truth.get("author"):
        # trafilatura's set joins several authors with "; " (a few records use a list)
        want = truth["author"]
        want = "; ".join(want) if isinstance(want, list) else str(want)
        out.append(("author", normalise_space(want) == "; ".join(got.authors)))
    if truth.get("published"):
        out.extend(_published_matches(_parse_instant(truth["published"]), got))
    if truth.get("date"):
        got_date = got.published.date().isoformat() if got.published else None
        ok = got_date == str(truth["date"])[:10]
        out.append(("date", ok))
        out.append((f"date via {got.published_source or 'none'}", ok))
        want_day = _parse_instant(str(truth["date"])[:10])
        out.extend(_modified_kept_apart(want_day.date() if want_day else None, got))
    if truth.get("language_hint") and truth["language_hint"] != "?":
        out.append(("language", _same_language(truth["language_hint"], got.language)))
        if got.language_source:
            out.append(
                (
                    f"language {got.language_source}",
                    _same_language(truth["language_hint"], got.language),
                )
            )
    return tuple(out)


def _published_matches(want: datetime | None, got: Extraction) -> list[tuple[str, bool]]:
    """The instant and the day of ``published``, the day also per source it was read from."""
    got_at = got.published
    if want is not None and got_at is not None:
        # a zone-less truth is a local wall time: compare ours in its own offset
        got_at = (
            got_at.replace(tzinfo=None) if want.tzinfo is None else got_at.astimezone(want.tzinfo)
        )
    day_ok = want is not None and got_at is not None and want.date() == got_at.date()
    out = [
        (
            "published",
            want is not None and got_at is not None and abs((want - got_at).total_seconds()) < 1,
        ),
        ("published_date", day_ok),
        (f"published_date via {got.published_source or 'none'}", day_ok),
    ]
    return out + _modified_kept_apart(want.date() if want else None, got)


_DECLARED = ("json-ld", "meta", "time element")


def _modified_kept_apart(want: date | None, got: Extraction) -> list[tuple[str, bool]]:
    """On pages modified on another day than published: was the modified day kept out?

    A publication date the page declares as one is the page's word, even when it falls on
    the modified day; a guess (URL, text) that lands on the modified day took it.
    """
    if want is None or got.modified is None or got.modified.date() == want:
        return []
    taken = (
        got.published is not None
        and got.published.date() == got.modified.date()
        and got.published_source not in _DECLARED
    )
    return [("modified kept out of published", not taken)]


_LANGUAGE_ALIASES = {"nb": "no", "nn": "no"}  # Norwegian Bokmål/Nynorsk: one code here


def _same_language(want: str, got: str | None) -> bool:
    """ISO 639-1 codes compared, Norwegian's variants as one."""
    if got is None:
        return False
    want, got = want.lower().split("-")[0], got.lower().split("-")[0]
    return _LANGUAGE_ALIASES.get(want, want) == _LANGUAGE_ALIASES.get(got, got)


def _parse_instant(value: str) -> datetime | None:
    """The truth's timestamp: aware if it names a zone, else naive (a local wall time)."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# ---------------------------------------------------------------- running


def default_extractor(body: bytes, url: str) -> Extraction:
    """The crawl's full extraction path (imported lazily: workers import it themselves)."""
    from scraper.extract.extractor import extract_page

    return extract_page(body, url)


def score_page(
    page_id: str, html_path: Path, truth: dict[str, Any], extractor: Extractor
) -> PageResult:
    """Extract one page and score it against its ground truth."""
    body = gzip.decompress(html_path.read_bytes())
    start = time.process_time()  # CPU time of this process: one core, unaffected by contention
    got = extractor(body, truth.get("url") or "")
    cpu_ms = (time.process_time() - start) * 1000
    body_s = body_score(got.text, truth["articleBody"]) if "articleBody" in truth else None
    snip_s = None
    if "with" in truth or "without" in truth:
        snip_s = snippet_score(got.text, truth.get("with", []), truth.get("without", []))
    return PageResult(page_id, got.text, cpu_ms, body_s, snip_s, meta_matches(truth, got))


def load_dataset(dataset_dir: Path) -> dict[str, dict[str, Any]]:
    """Read ``ground-truth.json``; raises ValueError with a one-line message if unusable."""
    truth_file = dataset_dir / "ground-truth.json"
    if not dataset_dir.is_dir():
        raise ValueError(f"{dataset_dir}: not a dataset folder")
    try:
        data = json.loads(truth_file.read_text(encoding="utf-8"))
    except OSError:
        raise ValueError(f"{truth_file}: missing or unreadable") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{truth_file}: not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError(f"{truth_file}: expected an object of id → record objects")
    return data


def run_dataset(
    dataset_dir: Path,
    extractor: Extractor = default_extractor,
    workers: int | None = None,
    score: Callable[[str, Path, dict[str, Any], Extractor], Any] = score_page,
) -> list[Any]:
    """Score every page of a dataset (pages missing their HTML file are skipped).

    ``score`` is the per-page job: :func:`score_page`, or ours beside trafilatura
    (scraper.extract.compare.score_pair).
    """
    truth = load_dataset(dataset_dir)
    jobs = [
        (pid, dataset_dir / "html" / f"{pid}.html.gz", rec)
        for pid, rec in sorted(truth.items())
        if (dataset_dir / "html" / f"{pid}.html.gz").is_file()
    ]
    workers = workers or min(2, os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < 8:
        return [score(pid, path, rec, extractor) for pid, path, rec in jobs]
    if extractor is default_extractor:
        # loaded here once, the forked workers share it: imports and the language model
        # cost ~1.1 s of CPU per process, a fifth of a 200-page run's CPU with 2 workers
        import scraper.extract.preload  # noqa: F401
    with ProcessPoolExecutor(max_workers=workers, mp_context=_FORK) as pool:
        futures = [pool.submit(score, pid, path, rec, extractor) for pid, path, rec in jobs]
        return [f.result() for f in futures]


def summarise(results: list[PageResult]) -> dict[str, Any]:
    """One JSON-ready summary of a dataset run."""
    bodies = [r.body for r in results if r.body is not None]
    snippets = [r.snippets for r in results if r.snippets is not None]
    summary: dict[str, Any] = {"pages": len(results)}
    if bodies:
        summary.update(aggregate_body(bodies))
        summary["metric"] = "body"
    elif snippets:
        summary.update(aggregate_snippets(snippets))
        summary["metric"] = "snippet"
        summary["share_precision_below_0.8"] = _snippet_low_share(snippets)
    times = [r.cpu_ms for r in results]
    summary["ms_per_page"] = statistics.median(times) if times else 0.0
    summary["ms_per_page_mean"] = statistics.fmean(times) if times else 0.0
    summary["empty_outputs"] = sum(1 for r in results if not r.text.strip())
    summary["replacement_chars"] = sum(r.text.count("\ufffd") for r in results)
    summary["metadata_exact"] = meta_rates(results)
    return summary


def _snippet_low_share(scores: list[SnippetScore]) -> float:
    """Share of pages whose own snippet precision is below 0.8 (pages with any hit)."""
    low = sum(1 for s in scores if s.tp + s.fp and s.tp / (s.tp + s.fp) < 0.8)
    return low / len(scores) if scores else 0.0


class _HasMeta(Protocol):
    @property
    def meta(self) -> tuple[tuple[str, bool], ...]: ...


def meta_rates(results: Iterable[_HasMeta]) -> dict[str, float]:
    """Per metadata field, the share of pages (with that field in the truth) matched exactly."""
    seen: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for r in results:
        for name, ok in r.meta:
            seen[name] += 1
            hits[name] += ok
    return {name: hits[name] / seen[name] for name in sorted(seen)}


def format_summary(name: str, s: dict[str, Any]) -> str:
    """Human-readable report lines."""
    lines = [f"dataset {name}: {s['pages']} pages, {s.get('metric', 'no')} metric"]
    lines.append(
        f"  precision {s.get('precision', 0):.3f}  recall {s.get('recall', 0):.3f}  "
        f"F1 {s.get('f1', 0):.3f}  accuracy {s.get('accuracy', 0):.3f}"
    )
    if s.get("metric") == "snippet":
        lines.append(
            f"  without-snippets found {s['without_found']}, "
            f"with-snippets missed {s['with_missed']}"
        )
    lines.append(f"  share precision < 0.8: {s.get('share_precision_below_0.8', 0):.1%}")
    lines.append(
        f"  ms/page (one core, CPU): median {s['ms_per_page']:.1f}, "
        f"mean {s['ms_per_page_mean']:.1f}"
    )
    lines.append(f"  empty outputs {s['empty_outputs']}, U+FFFD in output {s['replacement_chars']}")
    meta = ", ".join(f"{k} {v:.1%}" for k, v in s["metadata_exact"].items())
    lines.append(f"  metadata exact match: {meta or 'none in ground truth'}")
    return "\n".join(lines)
