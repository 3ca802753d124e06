"""An editor's broken edit: the right line is named, the last good version stays live."""

from __future__ import annotations

import os
from pathlib import Path

from portal.help.center import HelpCenter
from portal.help.frontmatter import split_front_matter
from tests.help.conftest import write_article

GOOD = "---\ntitle: Gift wrap\ncategory: orders\ntags: [gift, wrap]\n---\nWe wrap gifts for free.\n"
# The bracket opened on line 4 is never closed; YAML only notices on line 5.
BROKEN = ("---\ntitle: Gift wrap, now with ribbons\ncategory: orders\ntags: [gift, wrap\n"
          "summary: Ribbons too\n---\nWe wrap gifts with ribbons.\n")


def test_an_unclosed_bracket_is_reported_on_the_line_that_opened_it() -> None:
    line, message = split_front_matter(BROKEN)[3]  # type: ignore[misc]
    assert line == 4
    assert message.startswith("front matter is not valid YAML")


def test_an_unclosed_quote_is_reported_on_its_line() -> None:
    text = "---\ntitle: Gift wrap\nsummary: \"We wrap\ntags: gift\n---\nBody\n"
    assert split_front_matter(text)[3][0] == 3  # type: ignore[index]


def _save(path: Path, text: str) -> None:
    """Writes like an editor saving later: the folder's fingerprint changes for sure."""
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_a_broken_edit_keeps_the_last_good_version_live(tmp_path: Path) -> None:
    content = tmp_path / "content"
    path = write_article(content, "gift-wrap.md", GOOD)
    center = HelpCenter(content, tmp_path / "index", {}, check_interval=0)
    assert center.article("gift-wrap").title == "Gift wrap"  # type: ignore[union-attr]
    _save(path, BROKEN)
    center.refresh(force=True)
    article = center.article("gift-wrap")
    assert article is not None and article.body.strip() == "We wrap gifts for free."
    problems = [str(p) for p in center.collection.problems]
    assert any(p.endswith("gift-wrap.md:4: front matter is not valid YAML: expected ',' or ']', "
                          "but got ':'") for p in problems), problems
    assert any("last good version" in p for p in problems)
    assert center.error_count() == 1
    assert center.search("wrap gifts").hits[0].slug == "gift-wrap"
    _save(path, GOOD.replace("free", "free, always"))
    center.refresh(force=True)
    assert "always" in center.article("gift-wrap").body  # type: ignore[union-attr]
    assert center.error_count() == 0


def test_a_deleted_article_does_go_away(tmp_path: Path) -> None:
    content = tmp_path / "content"
    path = write_article(content, "gift-wrap.md", GOOD)
    center = HelpCenter(content, tmp_path / "index", {}, check_interval=0)
    assert center.article("gift-wrap") is not None
    path.unlink()
    center.refresh(force=True)
    assert center.article("gift-wrap") is None

