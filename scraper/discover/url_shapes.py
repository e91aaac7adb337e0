"""Article URL patterns inferred from the shapes of paths (``scraper add``'s ``include``).

Each path is cut into segments and each segment given a kind: a year (``2026``), a short
number (a month or a day), a long number (an id) or text. Article URLs of one publisher
share a shape (``/world/2026/01/15/some-slug/``, ``/business/some-slug-4711.html``); the
URLs of the same shape are one group, and each group becomes one anchored regex.

Every text segment can be written three ways, from general to specific: any segment, its
shape (a slug of at least *n* words, an id suffix, a file extension), or the values seen.
The most general regex that still matches none of the known non-article URLs (fronts, tag,
author, search, about and date-archive pages) wins, so an article of a section the sources
did not list is still matched, and a tag page of the same depth is not.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

MIN_GROUP_SHARE = 0.15  # a shape with fewer of the article URLs than this is noise …
MIN_GROUP_SIZE = 2  # … and so is one with fewer than this
MAX_GROUPS = 3
MAX_LITERALS = 8  # more distinct values than this at one position: slugs, not sections
_YEAR = re.compile(r"(?:19|20)\d\d")
_EXT = re.compile(r"\.[a-z]{2,5}$")
_ID_TAIL = re.compile(r"[-_]\d+$")


@dataclass(frozen=True)
class Inferred:
    """The include patterns, and how many article/non-article URLs each was judged on."""

    patterns: tuple[str, ...]
    articles: int  # article URLs the patterns were inferred from
    matched: int  # of those, matched by the patterns
    others: int  # non-article URLs the patterns had to reject (and did)
    dropped: tuple[str, ...] = ()  # shapes that could not be kept apart from non-articles


def target(url: str) -> str:
    """What a seed's include/exclude patterns are applied to: the path and the query."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


def kind(segment: str) -> str:
    """``year``, ``num`` (1-2 digits: month or day), ``id`` (3+ digits) or ``text``."""
    if _YEAR.fullmatch(segment):
        return "year"
    if segment.isdigit():
        return "num" if len(segment) <= 2 else "id"
    return "text"


def infer_include(articles: Iterable[str], others: Iterable[str]) -> Inferred:
    """Regexes that match the ``articles`` URLs (most of them) and none of ``others``."""
    arts = sorted(set(articles))
    negatives = [target(u) for u in sorted(set(others) - set(arts))]
    groups: dict[tuple[str, ...], list[list[str]]] = defaultdict(list)
    for url in arts:
        segs = segments(url)
        if segs:
            groups[tuple(kind(s) for s in segs)].append(segs)
    floor = max(MIN_GROUP_SIZE, MIN_GROUP_SHARE * len(arts))
    ranked = sorted(groups.values(), key=len, reverse=True)
    patterns: list[str] = []
    dropped: list[str] = []
    for members in [g for g in ranked if len(g) >= floor][:MAX_GROUPS]:
        pattern = _group_pattern(members, negatives)
        if pattern is None:
            dropped.append("/" + "/".join(members[0]))
        elif pattern not in patterns:
            patterns.append(pattern)
    compiled = [re.compile(p) for p in patterns]
    matched = sum(any(p.search(target(u)) for p in compiled) for u in arts)
    return Inferred(tuple(patterns), len(arts), matched, len(negatives), tuple(dropped))


def _group_pattern(members: list[list[str]], negatives: Sequence[str]) -> str | None:
    """The most general regex for one shape that matches none of ``negatives``."""
    columns = list(zip(*members, strict=True))
    options = [_choices(list(values)) for values in columns]
    combos = sorted(itertools.product(*(range(len(o)) for o in options)), key=sum)
    for combo in combos:
        body = "/".join(options[i][choice] for i, choice in enumerate(combo))
        pattern = f"^/{body}/?$"
        regex = re.compile(pattern)
        if not any(regex.search(n) for n in negatives):
            return pattern
    return None


def _choices(values: list[str]) -> list[str]:
    """The ways to write one position's segment, general first; each matches every value."""
    kinds = {kind(v) for v in values}
    if kinds == {"year"}:
        return [r"\d{4}"]
    if kinds <= {"num"}:
        return [r"\d{2}" if all(len(v) == 2 for v in values) else r"\d{1,2}"]
    if kinds <= {"id"}:
        return [r"\d+"]
    out = ["[^/]+"]
    for shaped in _shapes(values):
        if shaped not in out:
            out.append(shaped)
    distinct = sorted(set(values))
    if len(distinct) <= MAX_LITERALS:
        out.append("(?:" + "|".join(re.escape(v) for v in distinct) + ")")
    return out


def _shapes(values: list[str]) -> list[str]:
    """Slug shapes they all share, general first: the extension and id suffix (``-4711.html``),
    then a slug of two or more words, then of as many words as the shortest (up to four)."""
    exts = {m.group(0) if (m := _EXT.search(v)) else "" for v in values}
    raw_ext = exts.pop() if len(exts) == 1 else ""
    stems = [v.removesuffix(raw_ext) if raw_ext else v for v in values]
    ext = re.escape(raw_ext)
    tail = ""
    if all(_ID_TAIL.search(s) for s in stems):
        tail, stems = r"[-_]\d+", [_ID_TAIL.sub("", s) for s in stems]
    out = ["[^/]*" + tail + ext] if tail or ext else []
    words = min(len(re.split(r"[-_]", s)) for s in stems)
    for least in sorted({2, min(words, 4)}):
        if words >= least:
            out.append(rf"[^/\-_.]+(?:[-_][^/\-_.]+){{{least - 1},}}" + tail + ext)
    return out
