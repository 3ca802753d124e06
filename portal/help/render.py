"""Markdown to safe HTML: a real parser (tables, heading anchors), links between
articles resolved, and an HTML sanitiser as the last step before a page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from portal.help.content import Article, Problem

ARTICLE_LINK_RE = re.compile(
    r"^(?:/help/|(?:\.{1,2}/)*)(?P<slug>[A-Za-z0-9][A-Za-z0-9_-]*)(?:\.md)?/?(?P<anchor>#[\w-]*)?$"
)
ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"mark", "details", "summary"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href", "title", "hreflang"},
}


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
        .use(anchors_plugin, min_level=2, max_level=4)
    )


def article_target(href: str) -> tuple[str, str] | None:
    """(slug, '#anchor') when href points at another article, else None."""
    if not href or "://" in href or href.startswith(("mailto:", "tel:", "#", "//")):
        return None
    if href.startswith("/") and not href.startswith("/help/"):
        return None
    match = ARTICLE_LINK_RE.match(href)
    if not match:
        return None
    return match.group("slug"), match.group("anchor") or ""


def _links(tokens: Iterable[Token]) -> Iterable[tuple[Token, Token, int]]:
    """(block token, link token, 0-based line in body) for every link."""
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                yield token, child, token.map[0] if token.map else 0


def article_links(article: Article) -> list[tuple[str, int]]:
    """(target slug, line in the file) for every link to another article."""
    found = []
    for _block, link, line in _links(_parser().parse(article.body)):
        target = article_target(str(link.attrs.get("href", "")))
        if target:
            found.append((target[0], article.body_line + line))
    return found


def broken_links(article: Article, known_slugs: set[str]) -> list[Problem]:
    return [
        Problem(article.path, line, f"link to missing article '{slug}'", is_error=False)
        for slug, line in article_links(article)
        if slug not in known_slugs
    ]


def render_markdown(article: Article, *, url_for_slug: Callable[[str], str]) -> Rendered:
    """The article body as sanitised HTML, article links pointing at their pages."""
    tokens = _parser().parse(article.body)
    for _block, link, _line in _links(tokens):
        target = article_target(str(link.attrs.get("href", "")))
        if target:
            link.attrs["href"] = url_for_slug(target[0]) + target[1]
    headings = tuple(
        Heading(int(token.tag[1]), str(token.attrs.get("id", "")), tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.attrs.get("id")
    )
    raw = _parser().renderer.render(tokens, _parser().options, {})
    return Rendered(html=sanitize(raw), headings=headings)


def sanitize(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def plain_text(markdown: str) -> str:
    """The readable text of a Markdown body (for the index and snippets), no markup."""
    parts: list[str] = []
    for token in _parser().parse(markdown):
        if token.type == "inline":
            parts.append(
                "".join(
                    " " if child.type in {"softbreak", "hardbreak"} else child.content
                    for child in token.children or ()
                    if child.type in {"text", "code_inline", "softbreak", "hardbreak"}
                )
            )
        elif token.type in {"code_block", "fence"}:
            parts.append(token.content)
        elif token.type == "html_block":
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", token.content)))
    return "\n".join(part.strip() for part in parts if part.strip())
