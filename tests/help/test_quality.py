"""Search quality as a regression floor (eval/evaluate.py); quality only, never timing."""

from __future__ import annotations

from eval.evaluate import ROOT, evaluate, load_cases

# Floors a little under the figures at the time of writing (see eval/README.md).
FLOORS = {"keyword": 0.95, "question": 0.9, "paraphrase": 0.6, "typo": 0.85, "synonym": 0.8}


def test_search_quality_floor() -> None:
    report = evaluate(ROOT / "content", load_cases(ROOT / "eval" / "queries.tsv"))
    portal = report["portal"]
    for kind, floor in FLOORS.items():
        assert portal[kind]["mrr"] >= floor, (kind, portal[kind])
    assert portal["answerable"]["hit"] >= 0.9
    assert portal["answerable"]["empty"] <= 0.05
    assert portal["unanswerable"]["no_answer"] >= 0.4
    for baseline in ("whoosh-default", "fts5-bm25"):
        assert portal["answerable"]["mrr"] > report[baseline]["answerable"]["mrr"]


def test_ranking_carries_over_to_articles_written_in_another_style() -> None:
    """eval/foreign: title-only front matter, another shop; written without tuning to it."""
    report = evaluate(ROOT / "eval" / "foreign", load_cases(ROOT / "eval" / "foreign-queries.tsv"))
    assert report["portal"]["answerable"]["mrr"] >= 0.8
    assert report["portal"]["answerable"]["mrr"] > report["fts5-bm25"]["answerable"]["mrr"]
