"""Loading and validating articles: editors get `file:line: message`, never a crash."""

from __future__ import annotations

from pathlib import Path

from portal.help.content import load_collection, parse_article
from portal.help.render import broken_links, plain_text, render_markdown
from portal.store import StorePolicy, policy_variables
from tests.help.conftest import REAL_CONTENT, write_article

VARIABLES = policy_variables(StorePolicy())
CATEGORIES = {"returns": {}, "orders": {}}


def parse(tmp_path: Path, text: str, *, strict: bool = True, name: str = "a-thing.md"):
    path = write_article(tmp_path, name, text)
    return parse_article(path, display=name, variables=VARIABLES, categories=CATEGORIES,
                         strict=strict)


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def test_our_content_is_valid_and_large_enough() -> None:
    collection = load_collection(REAL_CONTENT, variables=VARIABLES)
    problems = list(collection.problems)
    for article in collection.articles.values():
        problems += broken_links(article, set(collection.articles))
    assert messages(problems) == []
    assert len(collection.published()) >= 40
    assert {a.category for a in collection.published()} == set(collection.categories)


def test_a_valid_article_is_loaded_with_its_front_matter(tmp_path: Path) -> None:
    article, problems = parse(tmp_path, """
        ---
        title: Returning things
        category: returns
        tags: [returns, labels]
        aliases: ["send it back"]
        summary: Within {{ return_window_days }} days.
        updated: 2026-01-02
        ---
        You have {{ return_window_days }} days and pay {{ return_shipping_fee }}.
    """)
    assert problems == []
    assert article.slug == "a-thing"
    assert article.title == "Returning things"
    assert article.tags == ("returns", "labels")
    assert article.aliases == ("send it back",)
    assert article.summary == "Within 30 days."
    assert "30 days and pay $4.95" in article.body
    assert article.body_line == 9
    assert not article.is_draft


def test_policy_numbers_come_from_the_configuration(tmp_path: Path) -> None:
    path = write_article(tmp_path, "p.md", "---\ntitle: T\n---\n{{ return_window_days }} days\n")
    changed = policy_variables(StorePolicy(return_window_days=45))
    article, _ = parse_article(path, variables=changed)
    assert article.body.strip() == "45 days"


def test_bad_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    article, problems = parse(tmp_path, """
        ---
        title: Fine
        summary: this: breaks
        ---
        Body.
    """)
    assert article is None
    assert messages(problems) == [
        "a-thing.md:3: front matter is not valid YAML: mapping values are not allowed here"
    ]


def test_missing_title_missing_front_matter_and_empty_body(tmp_path: Path) -> None:
    _, problems = parse(tmp_path, "---\ncategory: returns\n---\nBody\n")
    assert messages(problems) == ["a-thing.md:1: missing title in front matter"]
    _, problems = parse(tmp_path, "Just text, no front matter\n")
    assert "a-thing.md:1: missing front matter" in messages(problems)[0]
    _, problems = parse(tmp_path, "---\ntitle: T\n---\n\n   \n")
    assert messages(problems) == ["a-thing.md:4: empty body"]


def test_unknown_category_is_a_warning_on_its_line(tmp_path: Path) -> None:
    article, problems = parse(tmp_path, "---\ntitle: T\ncategory: gardening\n---\nBody\n")
    assert article is not None
    assert len(problems) == 1 and not problems[0].is_error
    assert str(problems[0]).startswith("a-thing.md:3: unknown category 'gardening'")


def test_unknown_variable_is_an_error_on_its_line(tmp_path: Path) -> None:
    article, problems = parse(tmp_path, "---\ntitle: T\n---\nLine one\nFee {{ handling_fee }}\n")
    assert article is None
    assert messages(problems) == ["a-thing.md:5: unknown variable '{{ handling_fee }}'"]


def test_lenient_mode_keeps_what_it_can(tmp_path: Path) -> None:
    article, problems = parse(tmp_path, "# A heading title\n\nSome text.\n", strict=False)
    assert article is not None and article.title == "A heading title"
    assert problems and not any(p.is_error for p in problems)


def test_duplicates_and_broken_links_are_reported(tmp_path: Path) -> None:
    write_article(tmp_path, "a/same.md", "---\ntitle: One\naliases: [lost parcel]\n---\nx\n")
    write_article(tmp_path, "b/same.md", "---\ntitle: Two\n---\nx\n")
    write_article(tmp_path, "other.md",
                  "---\ntitle: Three\naliases: [lost parcel]\n---\n\nSee [x](missing-one).\n")
    write_article(tmp_path, "_synonyms.txt", "a, b\n")
    collection = load_collection(tmp_path, variables=VARIABLES)
    found = messages(collection.problems)
    assert any("b/same.md:1: duplicate slug 'same'" in m for m in found)
    assert any("other.md:3: alias 'lost parcel' is also used by 'same'" in m for m in found)
    links = broken_links(collection.articles["other"], set(collection.articles))
    assert [str(p).split("/")[-1] for p in links] == [
        "other.md:6: link to missing article 'missing-one'"
    ]
    assert set(collection.articles) == {"same", "other"}


def test_rendering_uses_a_real_parser_and_sanitises(tmp_path: Path) -> None:
    article, _ = parse(tmp_path, """
        ---
        title: T
        ---
        ## Fees and times

        | a | b |
        |---|---|
        | 1 | 2 |

        See [the policy](return-policy#what-it-costs) or [us](https://example.com).
        <script>alert(1)</script><img src=x onerror=alert(1)>
    """)
    html = render_markdown(article, url_for_slug=lambda s: f"/help/{s}").html
    assert '<h2 id="fees-and-times">' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'href="/help/return-policy#what-it-costs"' in html
    assert 'href="https://example.com"' in html
    assert "<script" not in html and "onerror" not in html
    assert "Fees and times" in plain_text(article.body)
