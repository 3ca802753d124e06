"""The semantic retriever beside Whoosh: meaning without shared words, vectors reused,
and search that carries on without the model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from portal.auth.models import Role
from portal.help import embedding
from portal.help.content import load_collection
from portal.help.index_dirs import IndexDirs
from portal.help.search import Searcher, update_index
from tests.factories import make_customer
from tests.help.conftest import write_article

ARTICLES = {
    "change-address.md": "---\ntitle: Change the delivery address\n---\n"
                         "Until the parcel is packed, edit the address on the order page.\n",
    "complaints.md": "---\ntitle: Complaints about a courier\n---\n"
                     "Tell us what went wrong with the driver and we will take it up.\n",
    "refunds.md": "---\ntitle: Refund timing\naliases: [when do i get my money]\n---\n"
                  "Refunds reach your card within five working days.\n\n"
                  "## Gift cards\n\nAn order paid by gift card is refunded to the gift card.\n",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in ARTICLES.items():
        write_article(tmp_path / "content", name, text)
    return tmp_path / "content"


def test_a_question_sharing_no_word_with_the_article_finds_it(folder: Path, make_searcher) -> None:
    searcher = make_searcher(folder)
    answer = searcher.search("reroute my package", limit=3)
    assert answer.is_semantic
    assert answer.hits[0].slug == "change-address"
    assert searcher.search("I want to moan about the driver", limit=3).hits[0].slug \
        == "complaints"


def test_a_heading_section_is_found_on_its_own(folder: Path, make_searcher) -> None:
    hits = make_searcher(folder).search("paid with a voucher card, where does the money go",
                                        limit=3).hits
    assert hits[0].slug == "refunds"


def test_an_unrelated_question_gets_no_answer(folder: Path, make_searcher) -> None:
    answer = make_searcher(folder).search("what is the capital of peru", limit=3)
    assert answer.hits == [] and answer.is_no_answer


def test_a_rebuild_embeds_only_the_changed_article(folder: Path, tmp_path: Path) -> None:
    dirs = IndexDirs(tmp_path / "index")
    articles = load_collection(folder).published()
    assert update_index(dirs, articles).embedded == 3
    changed = [replace(a, body=a.body + " Edited.") if a.slug == "refunds" else a
               for a in articles]
    assert update_index(dirs, changed).embedded == 1
    assert Searcher(dirs).search("reroute my package").hits[0].slug == "change-address"


def test_dictionary_words_are_not_corrected_into_index_words(folder: Path, make_searcher) -> None:
    searcher = make_searcher(folder)
    assert searcher.search("which courier wore the refund", limit=3).suggestion is None
    assert searcher.search("refnd timing", limit=3).suggestion == "refund timing"


def test_without_the_model_search_uses_whoosh_alone(folder: Path, tmp_path: Path,
                                                    monkeypatch, caplog) -> None:
    monkeypatch.setattr(embedding, "_encoder", [])
    monkeypatch.setattr(embedding, "_failure", [])
    monkeypatch.setattr(embedding, "Encoder", _broken_encoder)
    dirs = IndexDirs(tmp_path / "index")
    update_index(dirs, load_collection(folder).published())
    answer = Searcher(dirs).search("refund timing", limit=3)
    assert answer.hits[0].slug == "refunds" and not answer.is_semantic
    assert "Whoosh alone" in caplog.text
    assert "model files are gone" in (embedding.unavailable_reason() or "")


def _broken_encoder(_folder: Path):
    raise OSError("model files are gone")


def test_the_staff_content_screen_warns_without_the_model(client, session, login,
                                                          monkeypatch) -> None:
    monkeypatch.setenv(embedding.DISABLE_VARIABLE, "off")
    login(client, make_customer(session, role=Role.STAFF))
    page = client.get("/staff/content").get_data(as_text=True)
    assert "matching words only" in page and "PORTAL_SEARCH_MODEL=off" in page
    assert client.get("/help/search?q=reroute+my+package").status_code == 200
