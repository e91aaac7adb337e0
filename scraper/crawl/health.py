"""Publisher health: each publisher's latest run judged against its own earlier runs.

The rules, in one place (each gives a reason in words):

- every discovery document failing (feeds, sitemaps, listings, robots.txt): ``failing``;
- some discovery documents failing where earlier runs had fewer (one earlier run is
  enough: a document that used to work fails): ``degraded``;
- the share of article pages with no article jumping (a template change): ``degraded``;
- the median text length of new articles collapsing: ``degraded``;
- a failure reason that was rare becoming common: ``degraded``;
- no new articles where earlier runs had several, *and* something went wrong this run
  (one of the above, or more failures or pages without an article than usual):
  ``failing``. No new articles with every document fetched (or 304) and nothing failing
  is a quiet night, not a fault.

Two earlier runs are enough to judge; with fewer the publisher is ``ok`` ("too little
history"), unless all its documents failed, which needs no history, or more of them failed
than in the one run before.

:func:`attention` turns the verdicts into the answer to "does a person need to look?":
the crawl's exit code and ``scraper health``'s are both 3 exactly when it names something.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from archive import PublisherRun

MIN_HISTORY = 2  # earlier runs needed to judge against
DEFAULT_RUNS = 10  # runs judged per publisher: the latest and up to 9 before it
SEVERAL_NEW = 2  # earlier runs' median of new articles from which "none" is suspicious
NO_ARTICLE_MIN_PAGES = 2  # pages extracted before a share of empty ones means anything
NO_ARTICLE_SHARE = 0.5  # ... at least this share, and this much above the usual share
NO_ARTICLE_JUMP = 0.3
TEXT_COLLAPSE = 0.4  # median text length below this fraction of the usual median
TEXT_MIN_NEW = 2  # new articles needed for a median text length to compare
COMMON_FAILURES = 3  # a reason this often this run, and over 3× its usual count
COMMON_FACTOR = 3.0


class Health(StrEnum):
    """A publisher's status after its latest run (``scraper health``, ``--json``'s status)."""

    OK = "ok"
    DEGRADED = "degraded"  # something went wrong that did not before: worth a look
    FAILING = "failing"  # no feed or sitemap works, or nothing new and something wrong


@dataclass(frozen=True)
class Verdict:
    """One publisher's health: its status, the reasons, and the figures judged."""

    name: str
    status: Health
    reasons: tuple[str, ...]
    latest: PublisherRun
    earlier: int  # runs judged against

    def as_json(self) -> dict[str, object]:
        """The object ``scraper health --json`` prints for this publisher."""
        r = self.latest
        return {
            "name": self.name, "status": self.status, "reasons": list(self.reasons),
            "run_id": r.run_id, "started_at": r.started_at, "earlier_runs": self.earlier,
            "discovered": r.discovered, "fetched": r.fetched, "new": r.new,
            "updated": r.updated, "unchanged": r.unchanged, "duplicate": r.duplicate,
            "no_article": r.no_article, "gone": r.gone, "failed": r.failed, "failures": r.failures,
            "median_chars": r.median_chars, "missing_date": r.missing_date,
            "missing_author": r.missing_author, "documents": r.documents,
            "documents_failed": r.documents_failed,
            "failed_documents": list(r.failed_documents), "not_modified": r.not_modified,
            "bytes": r.bytes, "duration": r.duration,
        }  # fmt: skip


def judge_all(history: dict[str, list[PublisherRun]], window: int = DEFAULT_RUNS) -> list[Verdict]:
    """Judge every publisher from its runs, oldest first (as ``PublisherRuns.history``),
    on the last ``window`` of them: the crawl and ``scraper health`` judge alike however
    many runs ``--runs`` reads for its charts."""
    return [judge(name, runs[-max(1, window) :]) for name, runs in sorted(history.items())]


def attention(verdicts: Sequence[Verdict], *, store_failures: int = 0) -> list[str]:
    """What a person should look at, one item each; empty for a quiet night.

    A publisher not ok (failing or degraded, with the reason), and articles the archive
    failed to store. A 404 article, a few timeouts or 5xx (retried next run) are not here.
    """
    items = [
        f"{v.name} {v.status} ({v.reasons[0]})" for v in order(verdicts) if v.status != Health.OK
    ]
    if store_failures:
        items.append(f"{store_failures} article(s) could not be written to the archive")
    return items


def order(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Failing publishers first, then degraded, then ok; by name within each."""
    rank = {Health.FAILING: 0, Health.DEGRADED: 1, Health.OK: 2}
    return sorted(verdicts, key=lambda v: (rank.get(v.status, 0), v.name))


def judge(name: str, runs: Sequence[PublisherRun]) -> Verdict:
    """Judge the last of ``runs`` (oldest first) against the ones before it."""
    latest, earlier = runs[-1], list(runs[:-1])
    failing: list[str] = []
    degraded: list[str] = []
    if latest.documents_failed and latest.documents_failed >= latest.documents:
        failing.append(
            f"every feed and sitemap failed ({latest.documents_failed} of "
            f"{latest.documents}: {_urls(latest)})"
        )
    if latest.documents_failed and earlier and not failing:
        usual = statistics.median(r.documents_failed for r in earlier)
        if latest.documents_failed > usual:
            degraded.append(
                f"{latest.documents_failed} of {latest.documents} discovery "
                f"documents failed ({_urls(latest)}); earlier runs: "
                f"{_count(usual)}"
            )
    if len(earlier) < MIN_HISTORY:
        return _verdict(name, latest, earlier, failing, degraded)
    degraded += _no_article_jump(latest, earlier) + _text_collapse(latest, earlier)
    degraded += _common_failures(latest, earlier)
    usual_new = statistics.median(r.new for r in earlier)
    usual_failed = statistics.median(r.failed for r in earlier)
    usual_empty = statistics.median(r.no_article for r in earlier)
    troubled = bool(
        failing or degraded or latest.failed > usual_failed or latest.no_article > usual_empty
    )
    if latest.new == 0 and usual_new >= SEVERAL_NEW and troubled:
        failing.insert(0, f"no new articles where earlier runs had {_count(usual_new)}")
    return _verdict(name, latest, earlier, failing, degraded)


def _verdict(
    name: str,
    latest: PublisherRun,
    earlier: list[PublisherRun],
    failing: list[str],
    degraded: list[str],
) -> Verdict:
    status = Health.FAILING if failing else Health.DEGRADED if degraded else Health.OK
    reasons = [*failing, *degraded]
    if not reasons and len(earlier) < MIN_HISTORY:
        reasons.append(
            f"too little history to judge ({len(earlier)} earlier run(s), {MIN_HISTORY} needed)"
        )
    return Verdict(name, status, tuple(reasons), latest, len(earlier))


def _no_article_share(run: PublisherRun) -> float | None:
    return run.no_article / run.pages if run.pages else None


def _no_article_jump(latest: PublisherRun, earlier: list[PublisherRun]) -> list[str]:
    share = _no_article_share(latest)
    if share is None or latest.pages < NO_ARTICLE_MIN_PAGES or share < NO_ARTICLE_SHARE:
        return []
    shares = [s for r in earlier if (s := _no_article_share(r)) is not None]
    usual = statistics.median(shares) if shares else 0.0
    if share - usual < NO_ARTICLE_JUMP:
        return []
    return [
        f"{share:.0%} of article pages had no article ({latest.no_article} of "
        f"{latest.pages}; earlier runs: {usual:.0%}): a template change?"
    ]


def _text_collapse(latest: PublisherRun, earlier: list[PublisherRun]) -> list[str]:
    if latest.median_chars is None or latest.new < TEXT_MIN_NEW:
        return []
    lengths = [r.median_chars for r in earlier if r.median_chars is not None]
    if not lengths:
        return []
    usual = statistics.median(lengths)
    if latest.median_chars >= TEXT_COLLAPSE * usual:
        return []
    return [
        f"median text length fell to {latest.median_chars} characters (earlier runs: {usual:.0f})"
    ]


def _common_failures(latest: PublisherRun, earlier: list[PublisherRun]) -> list[str]:
    out = []
    for reason, count in sorted(latest.failures.items()):
        usual = statistics.fmean(r.failures.get(reason, 0) for r in earlier)
        if count >= COMMON_FAILURES and count > COMMON_FACTOR * usual:
            out.append(f"{count} failures '{reason}' (earlier runs: {_count(usual)} on average)")
    return out


def _urls(run: PublisherRun) -> str:
    shown = ", ".join(run.failed_documents[:3])
    more = run.documents_failed - min(3, len(run.failed_documents))
    return shown + (f" and {more} more" if more > 0 else "")


def _count(value: float) -> str:
    if value == 0:
        return "none"
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def health_table(verdicts: Sequence[Verdict]) -> list[str]:
    """The human form of ``scraper health``: one row per publisher, then its reasons."""
    head = (
        "publisher",
        "status",
        "new",
        "fetched",
        "no article",
        "gone",
        "failed",
        "docs failed",
        "median chars",
    )
    rows = [head] + [
        (
            v.name,
            v.status,
            str(v.latest.new),
            str(v.latest.fetched),
            str(v.latest.no_article),
            str(v.latest.gone),
            str(v.latest.failed),
            f"{v.latest.documents_failed}/{v.latest.documents}",
            str(v.latest.median_chars if v.latest.median_chars is not None else "-"),
        )
        for v in verdicts
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i:
            lines.extend(f"    - {reason}" for reason in verdicts[i - 1].reasons)
    return lines


def summary_line(verdicts: Sequence[Verdict]) -> str:
    """One line for the end of a crawl: the publishers that are not ok, or that all are."""
    bad = attention(verdicts)
    if not bad:
        return f"publisher health: all {len(verdicts)} ok"
    return "publisher health: " + "; ".join(bad)
