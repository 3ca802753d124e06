"""Help center benchmark: index build time, search latency (p50/p95), worker memory.

    .venv/bin/python -m bench.help_bench [--articles 10000] [--repeat 3]

Runs on our content/ and on a generated collection of N articles (default 10,000) made of
the words of our own articles, so term statistics look like real help text. A build
includes embedding every article's views with the sentence model, and a search includes
embedding the query. Also measures the resident memory of a fresh process that has
loaded the help center and the model and answered one search, as a web worker would.
Prints the figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from eval.evaluate import load_cases
from portal.help.content import Article, load_collection
from portal.help.embedding import get_encoder
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


def cpu_timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): CPU stays meaningful on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


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


def latencies(searcher: Searcher, queries: list[str], repeat: int) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) per search of 10 results with snippets, as the search page does."""
    searcher.search(queries[0])  # open the index outside the measurement
    found = []
    for _ in range(repeat):
        for query in queries:
            wall, cpu = cpu_timed(lambda q=query: searcher.search(q, limit=10))
            found.append((wall * 1000, cpu * 1000))
    return found


def percentiles(values: list[float]) -> str:
    return f"{statistics.median(values):6.1f} / {statistics.quantiles(values, n=20)[18]:6.1f}"


def report(name: str, articles: list[Article], queries: list[str], repeat: int,
           synonyms: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        dirs = IndexDirs(Path(scratch) / "index")
        built: list = []
        build = cpu_timed(lambda: built.append(update_index(dirs, articles, full=True)))
        stats = built[0]
        changed = [replace(articles[0], body=articles[0].body + " edited"), *articles[1:]]
        incremental = cpu_timed(lambda: update_index(dirs, changed))
        unchanged = cpu_timed(lambda: update_index(dirs, changed))
        ms = latencies(Searcher(dirs, synonyms), queries, repeat)
    print(f"{name}: {len(articles)} articles, {len(ms)} searches (wall / CPU)")
    print(f"  full build        {build[0]:8.2f} s / {build[1]:8.2f} s"
          f"   ({stats.embedded} articles embedded)")
    print(f"  1 article changed {incremental[0]:8.2f} s / {incremental[1]:8.2f} s")
    print(f"  nothing changed   {unchanged[0] * 1000:8.1f} ms / {unchanged[1] * 1000:6.1f} ms")
    print(f"  search p50 / p95  wall {percentiles([w for w, _c in ms])} ms   "
          f"CPU {percentiles([c for _w, c in ms])} ms")


WORKER = """
import resource, sys, tempfile
from portal.help.center import HelpCenter
from portal.store import StorePolicy, policy_variables
center = HelpCenter(sys.argv[1], tempfile.mkdtemp(), policy_variables(StorePolicy()))
answer = center.search("where is my parcel")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, answer.is_semantic)
"""


def worker_memory(model: bool) -> str:
    """Peak resident MB of a fresh process that loaded the help center and searched once."""
    env = {**os.environ, "PORTAL_SEARCH_MODEL": "on" if model else "off"}
    done = subprocess.run([sys.executable, "-c", WORKER, str(ROOT / "content")], env=env,
                          capture_output=True, text=True, check=True, cwd=ROOT)
    megabytes, semantic = done.stdout.split()
    return f"{megabytes} MB ({'with' if semantic == 'True' else 'without'} the model)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Help search benchmark")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    collection = load_collection(ROOT / "content", variables=policy_variables(StorePolicy()))
    queries = [case.query for case in load_cases(ROOT / "eval" / "queries.tsv")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    model = "Whoosh + " + get_encoder().fingerprint if get_encoder() else "Whoosh alone"
    print(f"Help center search ({model}), figures only; load average {load:.1f} "
          f"on {os.cpu_count()} CPUs (wall times include waiting for a busy CPU):")
    print(f"  worker peak memory: {worker_memory(True)}, {worker_memory(False)}")
    report("our content", collection.published(), queries, args.repeat, [collection.synonyms])
    generated = generated_articles(collection.published(), args.articles)
    report("generated collection", generated, queries, 1, [collection.synonyms])


if __name__ == "__main__":
    main()
