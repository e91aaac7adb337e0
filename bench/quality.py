"""Text quality of a crawl's output against the simulator's known article texts.

Uses the project's body metric (``scraper.extract.evaluate.body_score``: 4-token shingles), so
"identical or better text" between us and a peer is the same measure ``make eval`` uses.
An article the tool did not return counts with recall 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from scraper.extract.evaluate import aggregate_body, body_score
from scraper.urls import canonicalize
from tests.simulator import Simulator


@dataclass(frozen=True)
class Quality:
    """Mean body precision/recall/F1 over the site's articles and how many were returned."""

    articles: int
    returned: int
    precision: float
    recall: float
    f1: float
    exact: float


def score_texts(texts: dict[str, str], sim: Simulator) -> Quality:
    """Score ``url → text`` (any URL spelling) against every article of ``sim``'s site."""
    by_url = {canonicalize(u) or u: t for u, t in texts.items()}
    scores, returned = [], 0
    for article in sim.site.articles:
        url = sim.article_url(article)
        text = by_url.get(canonicalize(url) or url)
        returned += text is not None
        scores.append(body_score(text or "", article.text))
    agg = aggregate_body(scores)
    return Quality(
        len(scores), returned, agg["precision"], agg["recall"], agg["f1"], agg["accuracy"]
    )
