"""Search quality as a regression floor (eval/evaluate.py); quality only, never timing.

Only the held-out "test" half of each query file is measured here: the "tune" half is the
one anyone may look at while changing ranking, so a floor on it would prove nothing.
"""

from __future__ import annotations

from eval.evaluate import ROOT, evaluate, load_cases

# Floors a little under the test-half figures at the time of writing (see eval/README.md).
FLOORS = {"keyword": 0.9, "question": 0.9, "paraphrase": 0.6, "typo": 0.85, "synonym": 0.8}


def test_search_quality_floor_on_the_held_out_half() -> None:
    report = evaluate(ROOT / "content", load_cases(ROOT / "eval" / "queries.tsv", "test"))
    portal = report["portal"]
    for kind, floor in FLOORS.items():
        assert portal[kind]["mrr"] >= floor, (kind, portal[kind])
    assert portal["answerable"]["hit"] >= 0.9
    assert portal["answerable"]["empty"] <= 0.05
    assert portal["unanswerable"]["no_answer"] >= 0.4
    for baseline in ("whoosh-default", "fts5-bm25"):
        assert portal["answerable"]["mrr"] > report[baseline]["answerable"]["mrr"]


def test_ranking_carries_over_to_articles_written_in_another_style() -> None:
    """eval/foreign: title-only front matter, another shop; its held-out half."""
    cases = load_cases(ROOT / "eval" / "foreign-queries.tsv", "test")
    report = evaluate(ROOT / "eval" / "foreign", cases)
    assert report["portal"]["answerable"]["mrr"] >= 0.8
    assert report["portal"]["answerable"]["mrr"] > report["fts5-bm25"]["answerable"]["mrr"]


def test_the_halves_are_disjoint_balanced_and_cover_every_query() -> None:
    path = ROOT / "eval" / "queries.tsv"
    everything, test, tune = (load_cases(path, split) for split in ("all", "test", "tune"))
    assert not set(test) & set(tune)
    assert set(test) | set(tune) == set(everything)
    for kind in {case.kind for case in everything}:
        in_test = sum(case.kind == kind for case in test)
        in_tune = sum(case.kind == kind for case in tune)
        assert abs(in_test - in_tune) <= 1, kind
