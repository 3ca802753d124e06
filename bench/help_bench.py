"""Help center benchmark: index build time and search latency (p50/p95).

    .venv/bin/python -m bench.help_bench [--articles 10000] [--repeat 3]

Runs on our content/ and on a generated collection of N articles (default 10,000) made of
the words of our own articles, so term statistics look like real help text. Prints the
figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from eval.evaluate import load_cases
from portal.help.content import Article, load_collection
from portal.help.index_dirs import IndexDirs
from portal.help.query import words
from portal.help.render import plain_text
from portal.help.search import Searcher, update_index
from portal.store import StorePolicy, policy_variables

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def generated_articles(seed_articles: list[Article], count: int) -> list[Article]:
    """count articles whose titles and bodies are drawn from the vocabulary of real ones."""
    rng = random.Random(7)
    vocabulary = sorted({w for a in seed_articles for w in words(plain_text(a.body))})
    titles = [a.title for a in seed_articles]
    categories = sorted({a.category or "other" for a in seed_articles})
    articles = []
    for number in range(count):
        title = f"{rng.choice(titles)} ({' '.join(rng.sample(vocabulary, 2))})"
        paragraphs = [" ".join(rng.choices(vocabulary, k=rng.randint(25, 60))) + "."
                      for _ in range(rng.randint(2, 5))]
        articles.append(Article(
            slug=f"generated-{number:05d}", path="", title=title, body="\n\n".join(paragraphs),
            category=rng.choice(categories), tags=tuple(rng.sample(vocabulary, 3)),
            summary=" ".join(rng.sample(vocabulary, 12)), digest=str(number),
        ))
    return articles


def latencies(searcher: Searcher, queries: list[str], repeat: int) -> list[float]:
    searcher.search(queries[0])  # open the index outside the measurement
    found = []
    for _ in range(repeat):
        for query in queries:
            found.append(timed(lambda q=query: searcher.search(q, limit=10)) * 1000)
    return found


def report(name: str, articles: list[Article], queries: list[str], repeat: int,
           synonyms: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        dirs = IndexDirs(Path(scratch) / "index")
        build = timed(lambda: update_index(dirs, articles, full=True))
        changed = [replace(articles[0], body=articles[0].body + " edited"), *articles[1:]]
        incremental = timed(lambda: update_index(dirs, changed))
        unchanged = timed(lambda: update_index(dirs, changed))
        ms = latencies(Searcher(dirs, synonyms), queries, repeat)
    p50 = statistics.median(ms)
    p95 = statistics.quantiles(ms, n=20)[18]
    print(f"{name:<24} {len(articles):>6} articles | full build {build:7.2f} s | "
          f"1 changed {incremental:6.2f} s | no change {unchanged * 1000:6.1f} ms | "
          f"search p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({len(ms)} searches)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Help search benchmark")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    collection = load_collection(ROOT / "content", variables=policy_variables(StorePolicy()))
    queries = [case.query for case in load_cases(ROOT / "eval" / "queries.tsv")]
    print("Help center search (Whoosh), figures only:")
    report("our content", collection.published(), queries, args.repeat, [collection.synonyms])
    generated = generated_articles(collection.published(), args.articles)
    report("generated collection", generated, queries, 1, [collection.synonyms])


if __name__ == "__main__":
    main()
