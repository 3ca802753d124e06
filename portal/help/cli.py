"""``flask faq ...``: check articles, rebuild the index, and search (also in batch).

``faq search --content DIR`` needs neither the database nor our configuration: it loads
any folder of articles leniently (problems become warnings on stderr), builds an index
in a fresh temporary folder of its own, answers, and removes it.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.help.center import HelpCenter, get_help_center
from portal.help.content import load_collection
from portal.help.index_dirs import IndexDirs
from portal.help.render import broken_links
from portal.help.search import update_index


def _variables() -> dict[str, str]:
    from portal.store import current_policy, policy_variables

    return policy_variables(current_policy())


@click.group("faq")
def faq() -> None:
    """The help center's articles and search index."""


@faq.command("check")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of articles (default: the configured content folder).")
@with_appcontext
def check(content_dir: Path | None) -> None:
    """Validate every article; print file:line: message per problem, exit 1 if any."""
    collection = load_collection(content_dir or current_app.config["CONTENT_DIR"],
                                 variables=_variables(), strict=True)
    problems = list(collection.problems)
    known = set(collection.articles)
    for article in collection.articles.values():
        problems.extend(broken_links(article, known))
    problems.sort(key=lambda p: (p.path, p.line, p.message))
    for problem in problems:
        click.echo(str(problem))
    drafts = sum(1 for a in collection.articles.values() if a.is_draft)
    summary = f"{len(collection.articles)} articles ({drafts} drafts), {len(problems)} problems"
    click.echo(summary, err=True)
    if problems:
        sys.exit(1)


@faq.command("reindex")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def reindex(content_dir: Path | None, index_dir: Path | None) -> None:
    """Rebuild the whole search index from the content folder and publish it."""
    collection = load_collection(content_dir or current_app.config["CONTENT_DIR"],
                                 variables=_variables(), strict=True)
    for problem in collection.problems:
        click.echo(f"warning: {problem}", err=True)
    titles = {key: info["title"] for key, info in collection.categories.items()}
    stats = update_index(IndexDirs(index_dir or current_app.config["INDEX_DIR"]),
                         collection.published(), categories=titles, full=True)
    click.echo(f"Indexed {stats.added} articles into {stats.folder}")


@faq.command("replay")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@with_appcontext
def replay(days: int) -> None:
    """Ask the current index again the searches that found nothing in the last days."""
    from datetime import timedelta

    from portal.db import new_session, utcnow
    from portal.help.replay import replay_failed_searches

    center = get_help_center()
    center.refresh(force=True)
    with new_session() as session:
        result = replay_failed_searches(session, center=center,
                                        since=utcnow() - timedelta(days=days))
    click.echo(f"{len(result.answered)} of {len(result.results)} searches that found nothing "
               f"in the last {days} days now find an answer.")
    for item in result.answered:
        click.echo(f"  answered  {item.query!r} ({item.times}x) -> {item.answer_slug}")
    for item in result.still_failing:
        click.echo(f"  failing   {item.query!r} ({item.times}x)")


@faq.command("search")
@click.argument("query", required=False)
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Index this folder into a private temporary index and search it.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="One JSON array of slugs per line.")
@click.option("--category", default=None, help="Only articles of this category.")
@with_appcontext
def search(query: str | None, content_dir: Path | None, limit: int, as_json: bool,
           category: str | None) -> None:
    """Answer QUERY, or every line of stdin (batch mode) in order."""
    scratch = None
    try:
        if content_dir is not None:
            scratch = Path(tempfile.mkdtemp(prefix="faq-search-"))
            center = HelpCenter(content_dir, scratch, _variables(), strict=False,
                                check_interval=float("inf"))
            center.refresh(force=True)  # problems are logged to stderr as warnings
        else:
            center = get_help_center()
        queries = [query] if query is not None else (line.rstrip("\n") for line in sys.stdin)
        for text in queries:
            answer = center.search(text, limit=limit, category=category, snippets=not as_json)
            if as_json:
                click.echo(json.dumps([hit.slug for hit in answer.hits]))
                sys.stdout.flush()
                continue
            if answer.suggestion:
                click.echo(f"Did you mean: {answer.suggestion}")
            if not answer.hits:
                click.echo(f"{text!r}: no good answer")
            for rank, hit in enumerate(answer.hits, 1):
                click.echo(f"{rank}. {hit.slug}  ({hit.score:.2f}, covers {hit.coverage:.0%})")
            sys.stdout.flush()
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
