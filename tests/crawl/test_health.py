"""Publisher health judged on made-up histories: each rule, and the quiet night it spares."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import Archive, PublisherRun
from scraper.cli.main import main
from scraper.crawl import health

NORMAL = PublisherRun(
    "Daily",
    new=4,
    fetched=10,
    documents=4,
    median_chars=1800,
    missing_date=0.0,
    missing_author=0.0,
    unchanged=1,
)


def nights(latest: PublisherRun, earlier: int = 3) -> list[PublisherRun]:
    return [replace(NORMAL, run_id=i + 1) for i in range(earlier)] + [
        replace(latest, run_id=earlier + 1)
    ]


def test_a_normal_night_is_ok() -> None:
    verdict = health.judge("Daily", nights(replace(NORMAL, new=3)))
    assert verdict.status == "ok" and verdict.reasons == ()


def test_a_quiet_night_is_ok() -> None:
    # Feeds answered 304, nothing new, nothing failed: the publisher published nothing.
    quiet = replace(NORMAL, new=0, fetched=1, not_modified=3, median_chars=None)
    assert health.judge("Daily", nights(quiet)).status == "ok"


def test_every_feed_failing_is_failing_even_without_history() -> None:
    broken = replace(
        NORMAL,
        new=0,
        documents=2,
        documents_failed=2,
        failed_documents=("https://d.example/feed.rss", "https://d.example/map"),
    )
    for earlier in (0, 3):
        verdict = health.judge("Daily", nights(broken, earlier))
        assert verdict.status == "failing"
        assert any(
            "every feed and sitemap failed" in r and "feed.rss" in r for r in verdict.reasons
        )


def test_a_feed_that_worked_failing_is_degraded() -> None:
    moved = replace(NORMAL, documents_failed=1, failed_documents=("https://d.example/feed",))
    verdict = health.judge("Daily", nights(moved))
    assert verdict.status == "degraded"
    assert "1 of 4 discovery documents failed (https://d.example/feed)" in verdict.reasons[0]


def test_a_feed_that_always_fails_is_not_news() -> None:
    always = replace(NORMAL, documents_failed=1)
    runs = [replace(always, run_id=i) for i in range(4)]
    assert health.judge("Daily", runs).status == "ok"


def test_pages_without_article_mean_a_template_change() -> None:
    chrome = replace(NORMAL, new=0, unchanged=0, no_article=4, median_chars=None)
    verdict = health.judge("Daily", nights(chrome))
    assert verdict.status == "failing"
    assert verdict.reasons[0] == "no new articles where earlier runs had 4"
    assert "100% of article pages had no article" in verdict.reasons[1]


def test_text_length_collapsing_is_degraded() -> None:
    short = replace(NORMAL, median_chars=300)
    verdict = health.judge("Daily", nights(short))
    assert verdict.status == "degraded"
    assert "median text length fell to 300 characters (earlier runs: 1800)" in verdict.reasons


def test_a_rare_failure_becoming_common_is_degraded() -> None:
    runs = nights(replace(NORMAL, failed=6, failures={"timeout": 6}))
    runs[0] = replace(runs[0], failed=1, failures={"timeout": 1})
    verdict = health.judge("Daily", runs)
    assert verdict.status == "degraded"
    assert verdict.reasons == ("6 failures 'timeout' (earlier runs: 0.3 on average)",)


def test_one_earlier_run_is_too_little_to_judge() -> None:
    verdict = health.judge("Daily", nights(replace(NORMAL, new=0, no_article=4), earlier=1))
    assert verdict.status == "ok" and "too little history" in verdict.reasons[0]


def test_table_and_summary_name_the_publishers_not_ok() -> None:
    verdicts = [
        health.judge("Daily", nights(NORMAL)),
        health.judge("Weekly", nights(replace(NORMAL, median_chars=100))),
    ]
    lines = health.health_table(verdicts)
    assert lines[0].split()[:2] == ["publisher", "status"]
    assert lines[2].startswith("Weekly") and "degraded" in lines[2]
    assert lines[3].startswith("    - median text length fell")
    assert health.summary_line(verdicts).startswith("publisher health: Weekly degraded (")
    assert health.summary_line(verdicts[:1]) == "publisher health: all 1 ok"


def test_rows_round_trip_and_history_is_per_publisher(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        for night in range(1, 5):
            run_id = archive.runs.start(datetime.now(UTC))
            rows = [
                replace(
                    NORMAL,
                    run_id=run_id,
                    new=night,
                    failures={"timeout": night},
                    failed_documents=("https://d.example/feed",),
                ),
                replace(NORMAL, publisher="Weekly", run_id=run_id),
            ]
            archive.publisher_runs.record(rows[: 1 if night == 4 else 2])
        history = archive.publisher_runs.history(3)
    assert list(history) == ["Daily"]  # only publishers of the latest run are judged
    assert [r.new for r in history["Daily"]] == [2, 3, 4]
    assert history["Daily"][-1].failures == {"timeout": 4}
    assert history["Daily"][-1].failed_documents == ("https://d.example/feed",)


def test_cli_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.db"
    assert main(["health", "--db", str(db)]) == 2  # no archive: one line, exit 2
    assert "no archive at" in capsys.readouterr().err
    with Archive.open(db) as archive:
        for run in nights(replace(NORMAL, median_chars=200)):
            run_id = archive.runs.start(datetime.now(UTC))
            archive.publisher_runs.record([replace(run, run_id=run_id)])
    assert main(["health", "--db", str(db), "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    (pub,) = out["publishers"]
    assert pub["name"] == "Daily" and pub["status"] == "degraded"
    assert pub["median_chars"] == 200 and pub["earlier_runs"] == 3
    assert main(["health", "--db", str(db), "--runs", "2"]) == 2


def test_a_document_that_worked_the_night_before_failing_needs_no_more_history() -> None:
    moved = replace(NORMAL, documents_failed=1, failed_documents=("https://d.example/feed",))
    verdict = health.judge("Daily", nights(moved, earlier=1))
    assert verdict.status == "degraded" and "https://d.example/feed" in verdict.reasons[0]
    # ... but on the first night there is nothing it used to do.
    assert health.judge("Daily", nights(moved, earlier=0)).status == "ok"


def test_attention_names_what_is_not_ok_failing_first_and_lost_writes() -> None:
    verdicts = [
        health.judge("Aardvark", nights(replace(NORMAL, median_chars=100))),
        health.judge("Daily", nights(NORMAL)),
        health.judge("Zeitung", nights(replace(NORMAL, new=0, documents_failed=4))),
    ]
    assert health.attention(verdicts[1:2]) == []  # a normal night: nothing to look at
    items = health.attention(verdicts, store_failures=2)
    assert [i.split()[0:2] for i in items[:2]] == [["Zeitung", "failing"], ["Aardvark", "degraded"]]
    assert items[2] == "2 article(s) could not be written to the archive"


def test_health_judges_the_same_window_as_the_crawl_whatever_runs_it_reads() -> None:
    # A long-gone bad stretch beyond the judged window does not change the verdict.
    runs = [replace(NORMAL, run_id=i, median_chars=100) for i in range(20)]
    runs += [replace(NORMAL, run_id=20 + i) for i in range(health.DEFAULT_RUNS - 1)]
    runs.append(replace(NORMAL, run_id=99, median_chars=500))
    assert health.judge_all({"Daily": runs})[0].status == "degraded"
    assert health.judge("Daily", runs).status == "ok"  # all 30 would hide the collapse
