"""``scraper health --html FILE``: publisher health as one self-contained dashboard page.

One HTML file with its CSS inline and its charts as inline SVG: no script, no font, no
image or stylesheet fetched, so it opens from a mail attachment or a file share as it is.
For each publisher (failing first, then degraded, then ok): its status and reasons, the
night it last stored a new article, and three small charts over the nights read
(``--runs``): new articles, the share of fetches that failed, the median text length.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from archive import PublisherRun
from scraper.crawl import health

WIDTH, HEIGHT = 240, 56  # one chart's drawing area (SVG user units, also CSS pixels)
PAD = 4  # room for the points' circles at the edges
STATUS_COLOURS = {
    health.Health.FAILING: "#c0392b",
    health.Health.DEGRADED: "#d9822b",
    health.Health.OK: "#2e8540",
}


@dataclass(frozen=True)
class Series:
    """One chart: a value per night (None: nothing to show that night) and how to draw it."""

    title: str
    values: tuple[float | None, ...]
    bars: bool = False  # bars (counts) or a line with a point per night
    ceiling: float | None = None  # a fixed top of the scale (shares: 1.0)
    unit: str = ""

    def label(self, value: float | None) -> str:
        """The value as the chart's caption shows it."""
        if value is None:
            return "–"
        if self.unit == "%":
            return f"{value:.0%}"
        return f"{value:,.0f}{self.unit}"


def failed_share(run: PublisherRun) -> float | None:
    """Failed fetches and extractions over all attempts of the night; None if none."""
    tried = run.fetched + run.failed
    return run.failed / tried if tried else None


def series_of(runs: Sequence[PublisherRun]) -> list[Series]:
    """The three charts of one publisher, oldest night first."""
    return [
        Series("New articles per night", tuple(float(r.new) for r in runs), bars=True),
        Series(
            "Share of fetches that failed",
            tuple(failed_share(r) for r in runs),
            ceiling=1.0,
            unit="%",
        ),
        Series(
            "Median text length",
            tuple(None if r.median_chars is None else float(r.median_chars) for r in runs),
            unit=" chars",
        ),
    ]


def render_health_page(
    verdicts: Sequence[health.Verdict],
    history: Mapping[str, Sequence[PublisherRun]],
    last_new: Mapping[str, str],
    *,
    generated: datetime,
    runs: int,
) -> str:
    """The whole page for ``verdicts`` (as ``health.judge_all`` gives them)."""
    ordered = health.order(verdicts)
    counts = {
        s: sum(v.status == s for v in verdicts)
        for s in (health.Health.FAILING, health.Health.DEGRADED, health.Health.OK)
    }
    tally = " · ".join(f'<span class="n {s}">{n} {s}</span>' for s, n in counts.items())
    cards = "\n".join(
        _card(v, history.get(v.name, [v.latest]), last_new.get(v.name)) for v in ordered
    )
    if not cards:
        cards = '<p class="empty">No crawl run has recorded publisher figures yet.</p>'
    return _PAGE.format(
        css=_CSS,
        generated=escape(generated.strftime("%Y-%m-%d %H:%M UTC")),
        runs=runs,
        count=len(verdicts),
        tally=tally,
        cards=cards,
    )


def _card(verdict: health.Verdict, runs: Sequence[PublisherRun], last_new: str | None) -> str:
    latest = verdict.latest
    reasons = "".join(f"<li>{escape(r)}</li>" for r in verdict.reasons)
    facts = (
        f"latest night {escape(_day(latest.started_at))}: {latest.new} new, "
        f"{latest.fetched} fetched, {latest.failed} failed, "
        f"{latest.documents_failed}/{latest.documents} discovery documents failed"
    )
    stored = (
        f"last stored a new article on <b>{escape(_day(last_new))}</b>"
        if last_new
        else "<b>has never stored a new article</b>"
    )
    charts = "".join(_chart(s, runs) for s in series_of(runs))
    return (
        f'<section class="card {escape(verdict.status)}" '
        f'data-publisher="{escape(verdict.name)}" data-status="{escape(verdict.status)}">'
        f"<header><h2>{escape(verdict.name)}</h2>"
        f'<span class="badge">{escape(verdict.status)}</span></header>'
        f'<ul class="reasons">{reasons}</ul>'
        f'<p class="facts">{stored} · {facts}</p>'
        f'<div class="charts">{charts}</div></section>'
    )


def _chart(series: Series, runs: Sequence[PublisherRun]) -> str:
    known = [v for v in series.values if v is not None]
    top = series.ceiling or max(known, default=0.0) or 1.0
    shapes = _bars(series.values, top) if series.bars else _line(series.values, top)
    first, last = (
        (_day(runs[0].started_at)[5:], _day(runs[-1].started_at)[5:]) if runs else ("", "")
    )  # month, day and time: the year would crowd the scale
    latest = series.values[-1] if series.values else None
    return (
        f'<figure class="chart"><figcaption>{escape(series.title)} '
        f"<b>{escape(series.label(latest))}</b></figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">'
        f"<title>{escape(series.title)}, {len(series.values)} nights</title>"
        f'<line class="axis" x1="0" y1="{HEIGHT - 0.5}" x2="{WIDTH}" y2="{HEIGHT - 0.5}"/>'
        f"{shapes}</svg>"
        f'<div class="scale"><span>{escape(first)}</span>'
        f"<span>max {escape(series.label(top if known or series.ceiling else None))}</span>"
        f"<span>{escape(last)}</span></div></figure>"
    )


def _x(index: int, count: int) -> float:
    """The centre of night ``index``'s slot."""
    return (index + 0.5) * WIDTH / max(1, count)


def _y(value: float, top: float) -> float:
    return HEIGHT - PAD - (HEIGHT - 2 * PAD) * min(value, top) / top


def _bars(values: Sequence[float | None], top: float) -> str:
    slot = WIDTH / max(1, len(values))
    width = max(1.0, slot * 0.7)
    out = []
    for i, value in enumerate(values):
        height = max(1.0, (HEIGHT - PAD) * (value or 0.0) / top)  # a zero still shows
        latest = " latest" if i == len(values) - 1 else ""
        out.append(
            f'<rect class="pt{latest}" x="{_x(i, len(values)) - width / 2:.1f}" '
            f'y="{HEIGHT - height:.1f}" width="{width:.1f}" height="{height:.1f}"/>'
        )
    return "".join(out)


def _line(values: Sequence[float | None], top: float) -> str:
    last = len(values) - 1
    points = [
        (_x(i, len(values)), _y(v, top), " latest" if i == last else "")
        for i, v in enumerate(values)
        if v is not None
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
    dots = "".join(
        f'<circle class="pt{latest}" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>' for x, y, latest in points
    )
    return (f'<polyline points="{path}"/>' if len(points) > 1 else "") + dots


def _day(iso: str) -> str:
    """An ISO 8601 timestamp to the minute (runs can be minutes apart), or the text as is."""
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def write_health_page(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file in the same folder,
    then a rename (a reader never sees half a page; a failure leaves the old one)."""
    folder = path.parent if str(path.parent) else Path()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        Path(tmp).chmod(0o644)  # mkstemp's 0600 would hide the page from a web server
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Publisher health</title>
<style>{css}</style>
</head>
<body>
<header class="top">
<h1>Publisher health</h1>
<p>{count} publisher(s): {tally} · the last {runs} nights · generated {generated}</p>
</header>
<main>
{cards}
</main>
</body>
</html>
"""

_CSS = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
       background: #f4f5f7; color: #1d2330; }
header.top { background: #1d2330; color: #fff; padding: 16px 24px; }
header.top h1 { margin: 0 0 4px; font-size: 20px; }
header.top p { margin: 0; color: #c9ced8; }
.n { font-weight: 600; }
.n.failing { color: #ff8a7a; } .n.degraded { color: #ffc266; } .n.ok { color: #8fd19e; }
main { padding: 16px 24px; display: grid; gap: 12px; }
.card { background: #fff; border-radius: 6px; padding: 12px 16px;
        border-left: 6px solid #2e8540; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.card.failing { border-left-color: #c0392b; }
.card.degraded { border-left-color: #d9822b; }
.card > header { display: flex; align-items: center; gap: 10px; }
.card h2 { margin: 0; font-size: 16px; }
.badge { font-size: 12px; font-weight: 600; text-transform: uppercase; color: #fff;
         padding: 1px 8px; border-radius: 10px; background: #2e8540; }
.failing .badge { background: #c0392b; } .degraded .badge { background: #d9822b; }
.reasons { margin: 6px 0; padding-left: 18px; }
.ok .reasons { color: #5b6474; }
.facts { margin: 4px 0 8px; color: #5b6474; font-size: 13px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
.chart { margin: 0; }
.chart figcaption { font-size: 12px; color: #5b6474; margin-bottom: 2px; }
.chart figcaption b { color: #1d2330; margin-left: 4px; }
.chart svg { display: block; background: #f8f9fb; border-radius: 3px; }
.chart .axis { stroke: #c9ced8; stroke-width: 1; }
.chart rect.pt { fill: #3b6fb6; }
.chart polyline { fill: none; stroke: #3b6fb6; stroke-width: 1.5; }
.chart circle.pt { fill: #3b6fb6; }
.failing .chart .pt.latest { fill: #c0392b; }
.degraded .chart .pt.latest { fill: #d9822b; }
.scale { display: flex; justify-content: space-between; font-size: 11px; color: #8a93a3;
         width: 240px; }
.empty { color: #5b6474; }
"""
