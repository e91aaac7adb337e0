"""Dedup measured on a generated set: copies, variants and rewrites of the fixture articles."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.dedup import NEAR_JACCARD, ShingleCache, fingerprint
from archive.identity import (
    TRACKING_NAMES,
    TRACKING_PREFIXES,
    content_hash,
    is_tracking_param,
    jaccard,
    url_key,
)
from archive.records import ArticleRecord, StoreOutcome
from archive.store import Archive
from scraper.urls import canonicalize
from tests import paths

FIXTURES = paths.FIXTURES / "archive"
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
EXACT = ("copy_other_host", "mirror_reflowed", "tracking", "amp", "http_www")
NEAR = ("other_chrome", "words_edited", "byline", "paragraph_dropped", "trailing_cut")
# Three write-ups of one story each: they must stay three articles.
REWRITE_GROUPS = (
    ("water_council", "water_rewrite_a", "water_rewrite_b"),
    ("seed_000_80a2c0029f798d69", "seed_002_977739124ad0c336", "seed_003_e6c101b011df3c97"),
)


@dataclass(frozen=True)
class Case:
    """One record of the dedup set and what it should become."""

    base: str  # the fixture article it derives from
    kind: str  # original | one of EXACT, NEAR | teaser
    record: ArticleRecord


def load_bases() -> dict[str, str]:
    """Every fixture article text by name."""
    texts = {p.stem: p.read_text("utf-8") for p in sorted(FIXTURES.glob("articles/*.txt"))}
    texts |= {p.stem: p.read_text("utf-8") for p in sorted(FIXTURES.glob("seed_*.txt"))}
    return texts


def _paras(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _edit_words(text: str, n: int, rng: random.Random) -> str:
    tokens = text.split(" ")
    for i in rng.sample(range(len(tokens)), n):
        tokens[i] = rng.choice(["quickly", "however", "several", "reportedly", "local", "new"])
    return " ".join(tokens)


def _chrome(text: str, rng: random.Random) -> str:
    paras = _paras(text)
    paras.insert(1, "Advertisement")
    paras.insert(min(3, len(paras)), "Related: Council approves new parking rules downtown")
    paras.append("© 2024 Daily Example. All rights reserved. Share: Facebook Twitter Email")
    return "\n\n".join(paras)


def variants(name: str, text: str, rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """(kind, url, text) of every derived copy of one article."""
    paras = _paras(text)
    url = f"https://www.origin.example/news/{name}"
    yield "copy_other_host", f"https://syndic.example/wire/{name}", text
    reflowed = text.replace("\n\n", "\n \n").replace(" ", "\u00a0", 5).upper()
    yield "mirror_reflowed", f"https://mirror.example/{name}.html", reflowed
    yield "tracking", f"{url}?utm_source=feed&utm_medium=rss&fbclid=abc", text
    yield "amp", f"https://www.origin.example/amp/news/{name}", text
    yield "http_www", f"http://origin.example/news/{name}/", text
    yield "other_chrome", f"https://aggregator.example/{name}", _chrome(text, rng)
    yield "words_edited", f"https://copy.example/{name}", _edit_words(text, 6, rng)
    byline = f"By Jane Smith, Staff Writer\n\n{text}\n\nReporting by Ian Cole; editing by Mo Poe"
    yield "byline", f"https://partner.example/{name}", byline
    dropped = paras[: len(paras) // 2] + paras[len(paras) // 2 + 1 :]
    yield "paragraph_dropped", f"https://short.example/{name}", "\n\n".join(dropped)
    yield "trailing_cut", f"https://cut.example/{name}", "\n\n".join(paras[:-1])
    yield "teaser", f"https://teasers.example/{name}", paras[0] + "\n\nRead the full story."


def dedup_set(seed: int = 4) -> list[Case]:
    """Originals first, then every variant of every article, in a seeded shuffled order."""
    rng = random.Random(seed)
    originals, derived = [], []
    for i, (name, text) in enumerate(load_bases().items()):
        at = T0 + timedelta(minutes=i)
        url = f"https://www.origin.example/news/{name}"
        originals.append(Case(name, "original", _record(url, text, at, "origin")))
        for kind, vurl, vtext in variants(name, text, rng):
            site = "origin" if "origin.example" in vurl else vurl.split("/")[2]
            derived.append(Case(name, kind, _record(vurl, vtext, at + timedelta(hours=1), site)))
    rng.shuffle(derived)
    return originals + derived


def _record(url: str, text: str, at: datetime, site: str) -> ArticleRecord:
    return ArticleRecord(url=url, urls=(url,), text=text, fetched_at=at, site=site, title="t")


def root(archive: Archive, article_id: int) -> int:
    """The article a stored id resolves to."""
    dup = archive.db.table("articles").get(article_id)["duplicate_of"]
    return article_id if dup is None else int(dup)


def measure(archive: Archive, cases: list[Case]) -> dict[str, float]:
    """Store every case and count false merges, missed exact copies, near-dup recall."""
    ids: dict[tuple[str, str], int] = {}
    for case in cases:
        ids[(case.base, case.kind)] = archive.articles.store(case.record).article_id
    base_root = {b: root(archive, ids[(b, "original")]) for b, k in ids if k == "original"}
    owner = {}
    for (base, _), article_id in ids.items():
        owner.setdefault(root(archive, article_id), set()).add(base)
    false_merges = sum(len(bases) - 1 for bases in owner.values())
    exact = [(b, k) for b, k in ids if k in EXACT]
    near = [(b, k) for b, k in ids if k in NEAR]
    teaser = [(b, k) for b, k in ids if k == "teaser"]

    def linked(keys: list[tuple[str, str]]) -> int:
        return sum(root(archive, ids[key]) == base_root[key[0]] for key in keys)

    return {
        "articles": len(base_root),
        "false_merges": false_merges,
        "missed_exact": len(exact) - linked(exact),
        "near_recall": linked(near) / len(near),
        "teasers_linked": linked(teaser) / len(teaser),
        "stored": len(cases),
    }


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.db") as opened:
        yield opened


@pytest.mark.parametrize("seed", [4, 11])
def test_dedup_set_figures(archive: Archive, seed: int) -> None:
    figures = measure(archive, dedup_set(seed))
    print(f"\ndedup set (seed {seed}): {figures}")
    assert figures["false_merges"] == 0
    assert figures["missed_exact"] == 0
    assert figures["near_recall"] >= 0.95
    assert figures["teasers_linked"] >= 0.9


def test_rewrites_of_one_story_stay_distinct_even_when_stored_near_each_other(
    archive: Archive,
) -> None:
    texts = load_bases()
    for group in REWRITE_GROUPS:
        results = [
            archive.articles.store(_record(f"https://{n}.example/story", texts[n], T0, n))
            for n in group
        ]
        assert [r.outcome for r in results] == [StoreOutcome.NEW] * len(group)
    n_hits = len(archive.articles.search('"little giants"', limit=50))
    assert n_hits == 3  # the three seed rewrites, each its own search hit


def test_measured_gap_supports_threshold() -> None:
    """The distinct write-ups sit far below the near-duplicate threshold."""
    texts = load_bases()
    for group in REWRITE_GROUPS:
        prints = [set(fingerprint(texts[n]).shingles) for n in group]
        worst = max(jaccard(a, b) for i, a in enumerate(prints) for b in prints[i + 1 :])
        assert worst < NEAR_JACCARD / 4


def test_teaser_first_then_full_article_full_becomes_the_root(archive: Archive) -> None:
    text = load_bases()["wildfire"]
    teaser = _paras(text)[0] + "\n\nRead more on our site."
    first = archive.articles.store(_record("https://teaser.example/fire", teaser, T0, "agg"))
    full = archive.articles.store(_record("https://origin.example/fire", text, T0, "origin"))
    assert first.outcome is StoreOutcome.NEW
    assert full.outcome is StoreOutcome.NEW
    assert root(archive, first.article_id) == full.article_id
    hits = archive.articles.search("wildfire")
    assert [h.article_id for h in hits] == [full.article_id]
    later = archive.articles.store(_record("https://teaser2.example/fire", teaser, T0, "agg2"))
    assert later.duplicate_of == full.article_id


def test_exact_hash_ignores_case_width_and_whitespace_only() -> None:
    assert content_hash("Ａ  quick\u00a0Fox\n") == content_hash("a quick fox")
    assert content_hash("a quick fox") != content_hash("a quick fox.")


@pytest.mark.parametrize(
    "alias",
    [
        "http://www.example.com/news/a-1",
        "https://example.com/news/a-1/",
        "https://example.com/news/a-1?utm_source=x&utm_campaign=y#comments",
        "https://example.com/news/a-1/amp",
        "https://amp.example.com/news/a-1",
        "https://m.example.com/news/a-1?fbclid=1",
    ],
)
def test_url_aliases_fold_to_one_key(alias: str) -> None:
    assert url_key(alias) == url_key("https://example.com/news/a-1")


def test_url_key_keeps_identifying_query_and_path() -> None:
    assert url_key("https://example.com/a?id=1") != url_key("https://example.com/a?id=2")
    assert url_key("https://example.com/a") != url_key("https://example.org/a")
    assert url_key("https://example.com/news/amp-rally") != url_key("https://example.com/news")


def test_exact_copy_on_same_site_under_new_url_is_an_alias(archive: Archive) -> None:
    text = load_bases()["exoplanet"]
    first = archive.articles.store(_record("https://a.example/x/1", text, T0, "a"))
    again = archive.articles.store(_record("https://a.example/archive/1", text, T0, "a"))
    assert again.outcome is StoreOutcome.UNCHANGED
    assert again.article_id == first.article_id
    assert archive.urls.article_for("https://a.example/archive/1") == first.article_id
    assert set(archive.urls.of_article(first.article_id)) == {
        "https://a.example/x/1",
        "https://a.example/archive/1",
    }


def test_duplicate_survives_replace_of_its_fields(archive: Archive) -> None:
    text = load_bases()["football_final"]
    first = archive.articles.store(_record("https://a.example/f", text, T0, "a"))
    copy = replace(_record("https://b.example/f", text, T0, "b"), title="Other title")
    result = archive.articles.store(copy)
    assert result.outcome is StoreOutcome.DUPLICATE
    assert result.duplicate_of == first.article_id


def test_similarity_table_behind_the_threshold() -> None:
    """Jaccard (word 3-shingles) per variant kind: the figures in archive/dedup.py."""
    rng = random.Random(4)
    table: dict[str, list[float]] = {}
    for name, text in load_bases().items():
        base = set(fingerprint(text).shingles)
        for kind, _, vtext in variants(name, text, rng):
            table.setdefault(kind, []).append(jaccard(base, set(fingerprint(vtext).shingles)))
    texts = load_bases()
    for group in REWRITE_GROUPS:
        prints = [set(fingerprint(texts[n]).shingles) for n in group]
        table.setdefault("rewrite", []).extend(
            jaccard(a, b) for i, a in enumerate(prints) for b in prints[i + 1 :]
        )
    unrelated = [set(fingerprint(texts[n]).shingles) for n in ("wildfire", "exoplanet")]
    table["unrelated"] = [jaccard(*unrelated)]
    for kind, values in table.items():
        print(f"{kind:18} {min(values):.2f} … {max(values):.2f}")
    assert min(min(table[k]) for k in NEAR) > NEAR_JACCARD + 0.15
    assert max(table["rewrite"] + table["unrelated"]) < NEAR_JACCARD - 0.3
    assert max(table["teaser"]) < NEAR_JACCARD  # teasers need the lead-hash path


def test_candidate_cache_changes_no_decision_and_is_used(tmp_path: Path) -> None:
    """The verification cache (ShingleCache) only saves work: same roots as without it."""
    cases = dedup_set(4)
    roots = []
    for name, size in (("cached.db", 1024), ("uncached.db", 0)):
        with Archive.open(tmp_path / name) as opened:
            opened.articles._shingles = ShingleCache(size)
            ids = [opened.articles.store(case.record).article_id for case in cases]
            roots.append([root(opened, i) for i in ids])
            if size:
                assert opened.articles._shingles.hits > opened.articles._shingles.misses
    assert roots[0] == roots[1]


def test_candidate_cache_reshingles_a_root_whose_text_changed(archive: Archive) -> None:
    bases = load_bases()
    first = archive.articles.store(_record("https://a.example/1", bases["wildfire"], T0, "a"))
    cache = ShingleCache()
    before = dict(cache.shingles(archive.conn, [first.article_id]))[first.article_id]
    archive.articles.store(_record("https://a.example/1", bases["exoplanet"], T0, "a"))
    after = dict(cache.shingles(archive.conn, [first.article_id]))[first.article_id]
    assert set(after) == set(fingerprint(bases["exoplanet"]).shingles) != set(before)
    assert cache.misses == 2


def test_root_stored_this_session_is_verified_from_the_cache(archive: Archive) -> None:
    """A near copy of an article stored moments before is checked without re-reading it."""
    bases = load_bases()
    archive.articles._shingles = ShingleCache()
    first = archive.articles.store(_record("https://a.example/1", bases["wildfire"], T0, "a"))
    copy = bases["wildfire"].replace("fire", "blaze", 1) + " Updated."
    second = archive.articles.store(_record("https://b.example/2", copy, T0, "b"))
    assert second.duplicate_of == first.article_id
    assert (archive.articles._shingles.hits, archive.articles._shingles.misses) == (1, 0)


@pytest.mark.parametrize(
    "name", sorted(TRACKING_NAMES) + [f"{prefix}campaign" for prefix in TRACKING_PREFIXES]
)
def test_canonical_url_and_url_key_drop_the_same_tracking_parameters(name: str) -> None:
    tracked = f"https://example.com/news/a-1?id=7&{name}=x"
    assert canonicalize(tracked) == "https://example.com/news/a-1?id=7"
    assert url_key(tracked) == url_key("https://example.com/news/a-1?id=7")
    assert is_tracking_param(name.upper())


@pytest.mark.parametrize("name", ["ref", "source", "src", "cid", "share", "id", "page"])
def test_ambiguous_parameters_are_kept_by_both(name: str) -> None:
    """A parameter that names content on some sites keeps two pages apart in both forms."""
    one, two = (f"https://example.com/a?{name}={v}" for v in ("1", "2"))
    assert canonicalize(one) != canonicalize(two)
    assert url_key(one) != url_key(two)
