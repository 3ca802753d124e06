"""FAQ articles: Markdown files with YAML front matter, loaded without ever raising.

A content folder holds one ``*.md`` file per article (subfolders allowed; the slug is the
file name). Files and folders whose name starts with ``_`` or ``.`` are not articles:
``_categories.yml`` lists the categories and ``_synonyms.txt`` the search synonyms.
Every problem becomes a :class:`Problem` (``file:line: message``); an *error* keeps the
article off the site, a *warning* does not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from portal.help.frontmatter import (
    date_value,
    first_heading,
    list_value,
    split_front_matter,
    text_value,
)
from portal.help.frontmatter import (
    key_lines as find_key_lines,
)

CATEGORIES_FILE = "_categories.yml"
SYNONYMS_FILE = "_synonyms.txt"
KNOWN_KEYS = {"title", "category", "tags", "summary", "updated", "draft", "aliases"}
# Names other tools give the same fields; accepted (with a warning) so foreign folders work.
KEY_SYNONYMS = {"question": "title", "name": "title", "heading": "title",
                "keywords": "tags", "labels": "tags", "description": "summary",
                "excerpt": "summary", "abstract": "summary", "synonyms": "aliases",
                "questions": "aliases", "also_known_as": "aliases", "date": "updated",
                "last_updated": "updated", "modified": "updated", "section": "category",
                "topic": "category"}
NOT_ARTICLES = {"readme.md", "changelog.md", "license.md", "contributing.md"}
VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    is_error: bool = True

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Article:
    slug: str
    path: str
    title: str
    body: str
    category: str | None = None
    tags: tuple[str, ...] = ()
    summary: str = ""
    aliases: tuple[str, ...] = ()
    updated: date | None = None
    is_draft: bool = False
    body_line: int = 1
    digest: str = ""


@dataclass
class Collection:
    """Everything loaded from one content folder."""

    root: Path
    articles: dict[str, Article] = field(default_factory=dict)
    categories: dict[str, dict[str, str]] = field(default_factory=dict)
    synonyms: str = ""
    problems: list[Problem] = field(default_factory=list)

    def published(self) -> list[Article]:
        return [a for a in self.articles.values() if not a.is_draft]


def article_files(root: Path) -> list[Path]:
    """The article files under root, in a stable order, skipping ``_*`` and ``.*`` names."""
    files = []
    for path in root.rglob("*.md"):
        parts = path.relative_to(root).parts
        if any(part.startswith(("_", ".")) for part in parts) or path.name.lower() in NOT_ARTICLES:
            continue
        if path.is_file():
            files.append(path)
    return sorted(files)


def fingerprint(root: Path) -> str:
    """A cheap signature of the folder (names, sizes, mtimes): changes when any file does."""
    digest = hashlib.sha1(usedforsecurity=False)
    try:
        entries = sorted(p for p in root.rglob("*") if p.is_file())
    except OSError:
        return ""
    for path in entries:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def load_collection(
    root: Path | str,
    *,
    variables: Mapping[str, str] | None = None,
    strict: bool = True,
) -> Collection:
    """Load every article under root; problems are collected, never raised.

    strict=False is for foreign folders (the batch search): missing titles, unknown
    categories and unknown variables become warnings and the article is still used.
    """
    root = Path(root)
    collection = Collection(root=root)
    if not root.is_dir():
        collection.problems.append(Problem(str(root), 1, "content folder not found"))
        return collection
    collection.categories = _load_categories(root, collection.problems)
    synonyms_path = root / SYNONYMS_FILE
    if synonyms_path.is_file():
        collection.synonyms = synonyms_path.read_text(encoding="utf-8", errors="replace")
    seen_paths: dict[str, str] = {}
    for path in article_files(root):
        display = _display_path(path)
        article, problems = parse_article(
            path,
            display=display,
            variables=variables,
            categories=collection.categories,
            strict=strict,
        )
        collection.problems.extend(problems)
        if article is None:
            continue
        if article.slug in seen_paths:
            other = seen_paths[article.slug]
            collection.problems.append(
                Problem(display, 1, f"duplicate slug '{article.slug}' (also {other})")
            )
            continue
        seen_paths[article.slug] = display
        collection.articles[article.slug] = article
    collection.problems.extend(_duplicate_aliases(collection))
    return collection


def parse_article(
    path: Path,
    *,
    display: str | None = None,
    variables: Mapping[str, str] | None = None,
    categories: Mapping[str, object] | None = None,
    strict: bool = True,
) -> tuple[Article | None, list[Problem]]:
    """One file to an Article (or None when it must be skipped) and its problems."""
    display = display or str(path)
    problems: list[Problem] = []

    def report(line: int, message: str, *, error: bool = True) -> None:
        problems.append(Problem(display, line, message, is_error=error and strict))

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, 1, f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report(line, "file is not valid UTF-8")
        text = raw.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body, body_line, front_problem = split_front_matter(text)
    if front_problem:
        report(*front_problem)
        if strict:
            return None, problems
    slug = path.stem
    if not SLUG_RE.match(slug):
        report(1, f"file name '{path.name}' should be lowercase letters, digits and dashes",
               error=False)
    key_lines = find_key_lines(text)
    for other, key in KEY_SYNONYMS.items():
        if other in meta and key not in meta:
            meta[key] = meta[other]
            key_lines.setdefault(key, key_lines.get(other, 1))
            report(key_lines.get(other, 1), f"'{other}' read as '{key}'", error=False)

    title = text_value(meta.get("title"))
    if not title:
        report(1, "missing title in front matter")
        if strict:
            return None, problems
        title = first_heading(body) or slug.replace("-", " ").replace("_", " ").capitalize()
    for key in meta:
        if key not in KNOWN_KEYS and key not in KEY_SYNONYMS:
            report(key_lines.get(key, 1), f"unknown front matter key '{key}'", error=False)
    category = text_value(meta.get("category")) or None
    if category and categories is not None and category not in categories:
        known = ", ".join(sorted(categories)) or "none defined"
        report(key_lines.get("category", 1), f"unknown category '{category}' (known: {known})",
               error=False)
    if not body.strip():
        report(body_line, "empty body")
        if strict:
            return None, problems
    updated, bad_date = date_value(meta.get("updated"))
    if bad_date:
        report(key_lines.get("updated", 1), f"'updated' is not a date: {bad_date!r}", error=False)

    unknown: list[tuple[int, str]] = []

    def substitute(value: str, line: int) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if variables is not None and name in variables:
                return variables[name]
            unknown.append((line + value[: match.start()].count("\n"), name))
            return match.group(0)

        return VARIABLE_RE.sub(replace, value)

    article = Article(
        slug=slug,
        path=display,
        title=substitute(title, key_lines.get("title", 1)),
        body=substitute(body, body_line),
        category=category,
        tags=tuple(list_value(meta.get("tags"))),
        summary=substitute(text_value(meta.get("summary")), key_lines.get("summary", 1)),
        aliases=tuple(list_value(meta.get("aliases"))),
        updated=updated,
        is_draft=meta.get("draft") is True or str(meta.get("draft")).lower() in {"yes", "true"},
        body_line=body_line,
        digest=hashlib.sha256(raw).hexdigest(),
    )
    for line, name in unknown:
        report(line, f"unknown variable '{{{{ {name} }}}}'")
    if unknown and strict:
        return None, problems
    return article, problems


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load_categories(root: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    path = root / CATEGORIES_FILE
    if not path.is_file():
        return {}
    display = _display_path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(display, mark.line + 1 if mark else 1, "not valid YAML"))
        return {}
    categories: dict[str, dict[str, str]] = {}
    for key, value in (data or {}).items() if isinstance(data, dict) else []:
        info = value if isinstance(value, dict) else {"title": str(value)}
        categories[str(key)] = {
            "title": str(info.get("title") or str(key).replace("-", " ").title()),
            "description": str(info.get("description") or ""),
        }
    return categories


def _duplicate_aliases(collection: Collection) -> list[Problem]:
    problems = []
    owners: dict[str, str] = {}
    for article in collection.articles.values():
        for alias in article.aliases:
            key = " ".join(alias.lower().split())
            if key in owners and owners[key] != article.slug:
                line = _line_of(Path(article.path), alias)
                problems.append(
                    Problem(article.path, line,
                            f"alias '{alias}' is also used by '{owners[key]}'", is_error=False)
                )
            owners.setdefault(key, article.slug)
    return problems


def _line_of(path: Path, needle: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return 1
    return next((number for number, line in enumerate(lines, 1) if needle in line), 1)
