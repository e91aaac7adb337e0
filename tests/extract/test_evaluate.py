"""The evaluation metrics on hand-made cases, and the harness on a tiny hand-written set."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.extract.evalrun import run_eval_cli
from scraper.extract.evaluate import (
    BodyScore,
    aggregate_body,
    aggregate_snippets,
    body_score,
    meta_matches,
    shingles,
    snippet_score,
    tokens,
)
from tests.paths import FIXTURES

EVALSET = FIXTURES / "evalset"


def test_tokens_drop_punctuation_keep_case_and_unicode() -> None:
    assert tokens("Größe, naïve — It's 5€!") == ["Größe", "naïve", "It", "s", "5"]


def test_short_text_is_one_shorter_shingle() -> None:
    assert shingles(["a", "b"]) == {("a", "b"): 1}
    assert shingles([]) == {}
    assert sum(shingles(list("abcdef")).values()) == 3


def test_identical_text_scores_perfectly() -> None:
    score = body_score("one two three four five", "one two three four five")
    assert score == BodyScore(1.0, 1.0, True)


def test_extra_boilerplate_lowers_precision_only() -> None:
    truth = "alpha beta gamma delta epsilon"  # 2 shingles
    got = body_score(truth + " read more elsewhere now", truth)  # 2 true + 4 extra shingles
    assert got.recall == 1.0
    assert got.precision == pytest.approx(2 / 6)
    assert not got.exact


def test_missing_half_lowers_recall_only() -> None:
    truth = "a b c d e f g h"  # 5 shingles
    got = body_score("a b c d e", truth)  # 2 shingles, both true
    assert got.precision == 1.0
    assert got.recall == pytest.approx(2 / 5)


def test_repeated_body_is_penalised_as_multiset() -> None:
    truth = "w x y z"
    got = body_score("w x y z w x y z", truth)
    # shingles of the doubled text: wxyz, xyzw, yzwx, zwxy, wxyz → 1 tp of 5
    assert got.precision == pytest.approx(1 / 5)


def _counted_by_tuples(predicted: str, truth: str) -> tuple[float | None, float]:
    """The metric as defined: multisets of 4-word tuples, intersected."""
    pred, true = shingles(tokens(predicted)), shingles(tokens(truth))
    tp = sum((pred & true).values())
    return (tp / pred.total() if pred else None), (tp / true.total() if true else 1.0)


_WORDS = st.lists(st.sampled_from(["a", "b", "c", "Größe", "d1", "x"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_WORDS, _WORDS)
def test_packed_shingles_count_as_the_tuples_do(pred: list[str], truth: list[str]) -> None:
    # small vocabularies repeat shingles, so multiset counts above 1 are exercised
    predicted, reference = " ".join(pred), " ".join(truth)
    got = body_score(predicted, reference)
    precision, recall = _counted_by_tuples(predicted, reference)
    assert got.precision == (None if precision is None else pytest.approx(precision))
    assert got.recall == pytest.approx(recall)


def test_empty_output_counts_for_recall_not_precision() -> None:
    scores = [body_score("", "a b c d"), body_score("a b c d", "a b c d")]
    summary = aggregate_body(scores)
    assert summary["precision"] == 1.0
    assert summary["recall"] == 0.5
    assert summary["f1"] == pytest.approx(2 / 3)
    assert summary["accuracy"] == 0.5


def test_low_precision_share() -> None:
    scores = [
        BodyScore(0.5, 1.0, False),
        BodyScore(0.9, 1.0, False),
        BodyScore(1.0, 1.0, True),
        BodyScore(None, 0.0, False),
    ]
    assert aggregate_body(scores)["share_precision_below_0.8"] == 0.25


def test_snippets_are_whitespace_normalised_and_summed() -> None:
    page = snippet_score("The  quick\nbrown fox.", ["quick brown", "lazy dog"], ["fox.", "Home"])
    assert (page.tp, page.fn, page.fp, page.tn) == (1, 1, 1, 1)
    summary = aggregate_snippets([page, snippet_score("x", ["x"], [])])
    assert summary["precision"] == pytest.approx(2 / 3)
    assert summary["recall"] == pytest.approx(2 / 3)
    assert summary["without_found"] == 1


def test_harness_on_body_set_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run_eval_cli(EVALSET / "body", out, True, workers=1) == 0
    report = json.loads(capsys.readouterr().out)
    for key in (
        "pages",
        "precision",
        "recall",
        "f1",
        "accuracy",
        "ms_per_page",
        "share_precision_below_0.8",
    ):
        assert key in report
    assert report["pages"] == 2
    assert report["f1"] > 0.95  # teaser and copyright lines must be gone
    assert report["metadata_exact"]["title"] == 1.0
    written = json.loads(out.read_text("utf-8"))
    assert set(written) == {"bakery", "harbour"}
    assert "Read more" not in written["harbour"]["articleBody"]
    assert "Lebkuchen" in written["bakery"]["articleBody"]


def test_ours_only_run_scores_the_same_without_trafilatura_beside_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # what bench.extract_cost --startup times: our path alone, the same figures
    assert run_eval_cli(EVALSET / "body", None, True, workers=1) == 0
    beside = json.loads(capsys.readouterr().out)
    assert run_eval_cli(EVALSET / "body", None, True, workers=1, beside_bare=False) == 0
    alone = json.loads(capsys.readouterr().out)
    assert "compare" in beside and "compare" not in alone
    assert (alone["pages"], alone["f1"]) == (beside["pages"], beside["f1"])


def test_scraper_eval_ours_only_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from scraper.cli.main import main

    assert main(["eval", str(EVALSET / "body"), "--json", "--ours-only"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == 2 and report["f1"] > 0.95
    assert "compare" not in report  # no bare trafilatura run beside ours


def test_harness_on_snippet_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_eval_cli(EVALSET / "snippets", None, False, workers=1) == 0
    text = capsys.readouterr().out
    assert "snippet metric" in text
    assert "without-snippets found 0" in text


def test_missing_dataset_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run_eval_cli(tmp_path / "nope", None, True) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a dataset folder" in err
    (tmp_path / "ground-truth.json").write_text("{oops", "utf-8")
    assert run_eval_cli(tmp_path, None, True) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_published_match_respects_zones_and_zone_less_truth() -> None:
    from scraper.models import Extraction

    def dates(truth: dict[str, str], got: Extraction) -> dict[str, bool]:
        found = dict(meta_matches(truth, got))
        return {k: found[k] for k in ("published", "published_date")}

    berlin = timezone(timedelta(hours=2))
    got = Extraction(text="", published=datetime(2024, 4, 24, 22, 58, 49, tzinfo=berlin))
    naive = dates({"published": "2024-04-24 22:58:49"}, got)
    assert naive == {"published": True, "published_date": True}  # same local wall time
    aware = dates({"published": "2024-04-24T20:58:49+00:00"}, got)
    assert aware == {"published": True, "published_date": True}  # same instant
    wrong = Extraction(text="", published=datetime(2024, 4, 24, 12, 0, tzinfo=UTC))
    assert dates({"published": "2024-04-24T22:58:49+02:00"}, wrong) == {
        "published": False,
        "published_date": True,
    }


def test_dates_scored_per_source_and_modified_kept_apart() -> None:
    from scraper.models import Extraction

    modified = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
    right = Extraction(
        text="",
        published=datetime(2024, 4, 30, 8, 0, tzinfo=UTC),
        published_source="meta",
        modified=modified,
    )
    found = dict(meta_matches({"published": "2024-04-30T08:00:00+00:00"}, right))
    assert found["published_date via meta"] is True
    assert found["modified kept out of published"] is True
    crossed = Extraction(text="", published=modified, published_source="text", modified=modified)
    found = dict(meta_matches({"date": "2024-04-30"}, crossed))
    assert found["date via text"] is False
    assert found["modified kept out of published"] is False
    declared = Extraction(
        text="", published=modified, published_source="json-ld", modified=modified
    )  # the page's own word: not a crossing
    assert (
        dict(meta_matches({"date": "2024-04-30"}, declared))["modified kept out of published"]
        is True
    )


def test_language_scored_against_hint_with_norwegian_as_one() -> None:
    from scraper.models import Extraction

    got = Extraction(text="", language="no", language_source="detected")
    assert dict(meta_matches({"language_hint": "nb"}, got)) == {
        "language": True,
        "language detected": True,
    }
    assert dict(meta_matches({"language_hint": "de"}, got))["language"] is False
    assert meta_matches({"language_hint": "?"}, got) == ()


def test_eval_puts_ours_beside_bare_trafilatura_per_half_and_page_type(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_eval_cli(EVALSET / "typed", None, True, workers=1) == 0
    report = json.loads(capsys.readouterr().out)["compare"]
    assert report["all"]["pages"] == report["A"]["pages"] + report["B"]["pages"] == 2
    whole = report["all"]
    assert whole["no_article"] == {"not_articles": 1.0, "articles": 0.0}
    assert set(whole["by_type"]) == {"article", "listing"}
    assert whole["trafilatura"]["cpu_ms_mean"] > 0
    for side in ("ours", "trafilatura"):
        assert 0 < whole[side]["wcxb_words"]["f1"] <= 1
    # the listing scores for neither side's article figures: only the article page counts
    assert whole["ours"]["pages"] == whole["trafilatura"]["pages"] == 1


def test_eval_text_report_names_both_halves(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_eval_cli(EVALSET / "typed", None, False, workers=1) == 0
    text = capsys.readouterr().out
    assert "A tune" in text and "B check" in text
    assert "no article: listing+collection" in text
    assert "no article: listing " in text  # each kind of page that is not an article
    assert "WCXB word F1 listing" in text


def test_wcxb_word_metric_and_fixed_halves() -> None:
    from scraper.extract.compare import author_names_match, half_of, word_score

    assert word_score("", "").f1 == 1.0
    assert word_score("", "some words").f1 == 0.0
    score = word_score("The cat sat", "the cat sat down")
    assert score.precision == 1.0 and score.recall == 0.75
    assert half_of("0001") == half_of("0001") and {half_of(str(i)) for i in range(20)} == {"A", "B"}
    assert author_names_match("Mike Marshall, Shipping Expert", ("Mike Marshall",))
    assert not author_names_match("Mike Marshall", ("Shipping Expert",))
