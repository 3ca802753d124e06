"""Ranking behaviours of the help search, on a small collection written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.help.content import load_collection
from portal.help.index_dirs import IndexDirs
from portal.help.search import Searcher, update_index
from tests.help.conftest import write_article

ARTICLES = {
    "refunds.md": """
        ---
        title: When will I get my refund?
        tags: [refund]
        ---
        We refund returned items within five days of receiving the parcel.
    """,
    "returns.md": """
        ---
        title: Returning an item
        summary: Start a return from your order page.
        ---
        Returns are accepted within thirty days. Print the label and drop the box off.
    """,
    "shipping-costs.md": """
        ---
        title: Shipping costs
        ---
        Shipping is charged by weight. Shipping is free for large orders. Shipping shipping.
    """,
    "international.md": """
        ---
        title: Delivery abroad
        ---
        International shipping reaches Canada in a week.
    """,
    "passwords.md": """
        ---
        title: Forgot your password
        ---
        Request a reset link from the sign-in page. <b>Bold</b> & friends.
    """,
    "draft.md": """
        ---
        title: Secret refund rules
        draft: true
        ---
        Unpublished refund text.
    """,
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for name, text in ARTICLES.items():
        write_article(root, name, text)
    return root


@pytest.fixture
def searcher(folder: Path, make_searcher) -> Searcher:
    return make_searcher(folder)


def slugs(searcher: Searcher, query: str) -> list[str]:
    return [hit.slug for hit in searcher.search(query, limit=5).hits]


def test_natural_questions_ignore_stop_words(searcher: Searcher) -> None:
    assert slugs(searcher, "how do I get my refund please")[0] == "refunds"
    assert searcher.search("how do I", limit=5).hits == []


def test_word_forms_match_by_stemming(searcher: Searcher) -> None:
    assert slugs(searcher, "returned items")[0] in {"returns", "refunds"}
    assert slugs(searcher, "refunding")[0] == "refunds"


def test_builtin_and_editor_synonyms_apply_at_query_time(folder: Path, make_searcher) -> None:
    assert slugs(make_searcher(folder), "money back")[0] == "refunds"
    assert "passwords" not in slugs(make_searcher(folder), "passphrase")
    write_article(folder, "_synonyms.txt", "passphrase, password\n")
    assert slugs(make_searcher(folder), "passphrase")[0] == "passwords"


def test_typos_are_corrected_with_did_you_mean(searcher: Searcher) -> None:
    answer = searcher.search("refnud", limit=5)
    assert answer.hits[0].slug == "refunds"
    assert answer.suggestion == "refund"
    assert searcher.search("pasword reset", limit=5).hits[0].slug == "passwords"
    assert searcher.search("refund", limit=5).suggestion is None


def test_misspelt_stop_words_do_not_sink_the_real_words(real_index: Path) -> None:
    searcher = Searcher(IndexDirs(real_index))
    assert "track-my-order" in slugs(searcher, "wher is my pakage")


def test_the_top_hit_decides_no_answer_and_close_ones_still_show(searcher: Searcher) -> None:
    hits = searcher.search("return the shipping label refund", limit=5).hits
    assert [hit.slug for hit in hits[:2]] == ["returns", "refunds"]
    assert all(hit.score >= 0.5 * hits[0].score for hit in hits)


def test_the_last_partial_word_is_completed(searcher: Searcher) -> None:
    assert slugs(searcher, "passw")[0] == "passwords"
    assert slugs(searcher, "internat")[0] == "international"


def test_matching_more_words_beats_repeating_one(searcher: Searcher) -> None:
    assert slugs(searcher, "international shipping")[0] == "international"


def test_title_weighs_more_than_body(searcher: Searcher) -> None:
    assert slugs(searcher, "shipping")[0] == "shipping-costs"


def test_nothing_relevant_is_no_answer(searcher: Searcher) -> None:
    answer = searcher.search("bitcoin wallet", limit=5)
    assert answer.hits == [] and answer.is_no_answer


def test_drafts_are_not_searchable(searcher: Searcher) -> None:
    assert "draft" not in slugs(searcher, "secret refund rules")


def test_category_filter(folder: Path, make_searcher) -> None:
    write_article(folder, "cat.md", "---\ntitle: Refund card\ncategory: billing\n---\nrefund\n")
    searcher = make_searcher(folder)
    hits = searcher.search("refund", limit=5, category="billing").hits
    assert [hit.slug for hit in hits] == ["cat"]


def test_snippets_highlight_and_escape(searcher: Searcher) -> None:
    hit = searcher.search("friends reset", limit=5).hits[0]
    assert "<mark>reset</mark>" in hit.snippet
    assert "<b>" not in hit.snippet


def test_reindex_touches_only_what_changed(folder: Path, tmp_path: Path) -> None:
    dirs = IndexDirs(tmp_path / "idx")
    first = update_index(dirs, load_collection(folder).published())
    assert first.added == 5 and first.is_full
    assert update_index(dirs, load_collection(folder).published()).folder == first.folder
    write_article(folder, "returns.md", "---\ntitle: Returning a kayak\n---\nKayaks.\n")
    (folder / "passwords.md").unlink()
    second = update_index(dirs, load_collection(folder).published())
    assert (second.added, second.removed, second.unchanged) == (1, 1, 3)
    assert not second.is_full and second.folder != first.folder
    assert [h.slug for h in Searcher(dirs).search("kayak").hits] == ["returns"]
    assert Searcher(dirs).search("password").hits == []


def test_an_editors_saved_file_is_searchable_without_restart(folder: Path, tmp_path: Path) -> None:
    from portal.help.center import HelpCenter

    center = HelpCenter(folder, tmp_path / "live-index", {}, check_interval=0)
    assert center.search("kayak").hits == []
    write_article(folder, "kayaks.md", "---\ntitle: Kayak delivery\n---\nKayaks ship by truck.\n")
    assert [hit.slug for hit in center.search("kayak").hits] == ["kayaks"]
    other_worker = HelpCenter(folder, tmp_path / "live-index", {}, check_interval=0)
    assert [hit.slug for hit in other_worker.search("kayak").hits] == ["kayaks"]
    write_article(folder, "kayaks.md", "---\ntitle: Canoe delivery\n---\nCanoes too.\n")
    assert center.search("kayak").hits == []
    (folder / "kayaks.md").write_text("---\ntitle: [broken\n---\nx\n")
    # A broken edit is reported and the last good version stays live.
    assert [hit.slug for hit in center.search("canoe").hits] == ["kayaks"]
    assert any("kayaks.md:2" in str(p) for p in center.collection.problems)
    assert center.search("refund").hits
