"""The help center of one process: the loaded articles and the search index, kept fresh.

Each request calls :meth:`HelpCenter.refresh`, which at most every few seconds compares a
cheap fingerprint of the content folder (names, sizes, mtimes). When an editor saved a
file, the folder is reloaded and only the changed articles are reindexed into a new
index folder that is swapped in atomically, so the change is searchable within seconds
and every gunicorn worker picks up the new index on its next search.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from portal.help.content import Article, Collection, Problem, fingerprint, load_collection
from portal.help.embedding import unavailable_reason
from portal.help.index_dirs import IndexDirs
from portal.help.render import Rendered, broken_links, render_markdown
from portal.help.search import Answer, Searcher, update_index

log = logging.getLogger(__name__)
CHECK_INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    description: str
    articles: tuple[Article, ...]


class HelpCenter:
    def __init__(self, content_dir: Path | str, index_dir: Path | str,
                 variables: dict[str, str], *, check_interval: float = CHECK_INTERVAL_SECONDS,
                 strict: bool = True) -> None:
        self.content_dir = Path(content_dir)
        self.dirs = IndexDirs(index_dir)
        self.variables = variables
        self.check_interval = check_interval
        self.strict = strict
        self.collection = Collection(root=self.content_dir)
        self.searcher = Searcher(self.dirs)
        self._fingerprint: str | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._rendered: dict[tuple[str, str], Rendered] = {}

    def refresh(self, *, force: bool = False) -> bool:
        """Reload and reindex if the folder changed; True when something was reloaded."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_interval:
            return False
        with self._lock:
            self._checked_at = now
            current = fingerprint(self.content_dir)
            if current == self._fingerprint and not force:
                return False
            collection = load_collection(self.content_dir, variables=self.variables,
                                         strict=self.strict)
            self._keep_last_good(collection)
            collection.problems.extend(self._link_problems(collection))
            for problem in collection.problems:
                log.warning("help content: %s", problem)
            titles = {key: info["title"] for key, info in collection.categories.items()}
            stats = update_index(self.dirs, collection.published(), categories=titles)
            if stats.added or stats.removed:
                log.info("help index: %d added, %d removed, %d unchanged",
                         stats.added, stats.removed, stats.unchanged)
            self.searcher = Searcher(self.dirs, [collection.synonyms])
            self.collection = collection
            self._fingerprint = current
            return True

    def _keep_last_good(self, collection: Collection) -> None:
        """An article whose new version is broken stays live in its last good version.

        One typo in front matter must not take a page offline (shoppers would get a 404
        and links to it would break); the problem stays listed for the editors until fixed.
        A file removed on purpose has no problem reported, so it does go away.
        """
        broken = {Path(problem.path).stem for problem in collection.problems
                  if problem.is_error and problem.path.endswith(".md")}
        for slug in sorted(broken - set(collection.articles)):
            previous = self.collection.articles.get(slug)
            if previous is not None:
                collection.articles[slug] = previous
                collection.problems.append(Problem(
                    previous.path, 1, "shoppers still see the last good version of this "
                    "article until the file is fixed", is_error=False))

    @staticmethod
    def _link_problems(collection: Collection) -> list[Problem]:
        known = set(collection.articles)
        problems: list[Problem] = []
        for article in collection.articles.values():
            problems.extend(broken_links(article, known))
        return problems

    def search(self, text: str, *, limit: int = 10, category: str | None = None,
               snippets: bool = True, floor: float = 0.0, context: str = "") -> Answer:
        """Search; floor drops hits scoring below that share of the best (noise on pages).

        context: optional words about the shopper's situation that are not their question,
        such as the chosen order's state and the contact topic ("order shipped; topic:
        returns"). It steers the semantic side only, so it never matches words by itself.
        """
        self.refresh()
        answer = self.searcher.search(text, limit=limit, category=category or None,
                                      snippets=snippets, context=context)
        if answer.hits and floor:
            best = answer.hits[0].score
            answer.hits = [hit for hit in answer.hits if hit.score >= floor * best]
        for hit in answer.hits:
            hit.category_title = self.category_title(hit.category)
        return answer

    @staticmethod
    def search_warning() -> str | None:
        """A sentence for staff when search runs without its semantic model, else None."""
        reason = unavailable_reason()
        if reason is None:
            return None
        return ("Help search is matching words only, without understanding meaning: the "
                f"sentence-embedding model is not available ({reason}).")

    def article(self, slug: str, *, include_drafts: bool = False) -> Article | None:
        self.refresh()
        article = self.collection.articles.get(slug)
        if article is None or (article.is_draft and not include_drafts):
            return None
        return article

    def render(self, article: Article, url_for_slug: Callable[[str], str]) -> Rendered:
        key = (article.slug, article.digest)
        if key not in self._rendered:
            self._rendered[key] = render_markdown(article, url_for_slug=url_for_slug)
        return self._rendered[key]

    def categories(self) -> list[Category]:
        """Categories in the editors' order, then any others articles name, with articles."""
        self.refresh()
        published = sorted(self.collection.published(), key=lambda a: a.title.lower())
        keys = list(self.collection.categories)
        keys += sorted({a.category or "other" for a in published} - set(keys))
        found = []
        for key in keys:
            info = self.collection.categories.get(key, {})
            members = tuple(a for a in published if (a.category or "other") == key)
            if members:
                title = info.get("title") or key.replace("-", " ").capitalize()
                found.append(Category(key, title, info.get("description", ""), members))
        return found

    def error_count(self) -> int:
        """Content problems an editor must fix (warnings not counted)."""
        self.refresh()
        return sum(1 for problem in self.collection.problems if problem.is_error)

    def category_title(self, key: str | None) -> str:
        info = self.collection.categories.get(key or "")
        return info["title"] if info else (key or "Other").replace("-", " ").capitalize()

    def related(self, article: Article, *, limit: int = 4) -> list[Article]:
        """Articles answering nearby questions: a search on the title and tags, then siblings."""
        query = " ".join([article.title, *article.tags])
        found: list[Article] = []
        for hit in self.searcher.search(query, limit=limit + 1, snippets=False,
                                        answer_all=True).hits:
            other = self.collection.articles.get(hit.slug)
            if other and other.slug != article.slug and not other.is_draft:
                found.append(other)
        for other in self.collection.published():
            if len(found) >= limit:
                break
            if other.category == article.category and other.slug != article.slug \
                    and other not in found:
                found.append(other)
        return found[:limit]


_create_lock = threading.Lock()


def get_help_center() -> HelpCenter:
    """The application's HelpCenter, created on first use from its configuration."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    center = app.extensions.get("help_center")
    if center is None:
        with _create_lock:
            center = app.extensions.get("help_center")
            if center is None:
                from portal.store import current_policy, policy_variables

                center = HelpCenter(
                    app.config["CONTENT_DIR"], app.config["INDEX_DIR"],
                    policy_variables(current_policy()),
                    check_interval=float(app.config.get("HELP_CHECK_INTERVAL",
                                                        CHECK_INTERVAL_SECONDS)),
                )
                app.extensions["help_center"] = center
    return center
