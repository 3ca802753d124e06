"""Search quality on our own help center, per kind of query, against two baselines.

    .venv/bin/python -m eval.evaluate              # the table, in Markdown (test half)
    .venv/bin/python -m eval.evaluate --json       # the figures, for the regression test
    .venv/bin/python -m eval.evaluate --split tune # the half that may be looked at

Every query file is split in two halves (``split_of``): ranking may be tuned by looking at
the "tune" half only; figures are reported on the held-out "test" half.

Systems compared on the same articles and queries (eval/queries.tsv):
- portal: the help center's search (portal/help/search.py), through the same code path
  as the site and the batch interface;
- whoosh-default: Whoosh out of the box (one field, no stemming, AND of terms);
- fts5-bm25: SQLite FTS5 with its bm25() ranking (title weighted 3x), terms OR-ed.

Metrics on answerable queries: MRR@5 (1/rank of the first expected article in the top
five, else 0) and hit@5. On unanswerable queries the right answer is *no* result: the
portal says "no good answer" when the best page covers too little of the query
(search.MIN_COVERAGE), and "no-answer" is the share of them answered with an empty list.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from portal.help.content import load_collection
from portal.help.index_dirs import IndexDirs
from portal.help.query import words
from portal.help.render import plain_text
from portal.help.search import Searcher, default_whoosh_search, update_index
from portal.store import StorePolicy, policy_variables

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["keyword", "question", "paraphrase", "typo", "synonym", "message", "unanswerable"]
LIMIT = 5


SPLITS = ("test", "tune", "all")


@dataclass(frozen=True)
class Case:
    kind: str
    query: str
    expected: frozenset[str]


def load_cases(path: Path, split: str = "all") -> list[Case]:
    """The cases of a query file, or one half of them (see :func:`split_of`)."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, query, *rest = line.split("\t")
        expected = frozenset(s for s in (rest[0] if rest else "").split("|") if s)
        cases.append(Case(kind, query, expected))
    if split == "all":
        return cases
    halves = split_of(cases)
    return [case for case in cases if halves[case] == split]


def split_of(cases: list[Case]) -> dict[Case, str]:
    """Each case's half, "tune" or "test": within each kind, cases ordered by a hash of
    their text alternate between the halves. Deterministic, the same on every machine,
    independent of the file's order, and balanced per kind; adding a query moves few others.
    """
    halves: dict[Case, str] = {}
    for kind in {case.kind for case in cases}:
        ordered = sorted((c for c in cases if c.kind == kind),
                         key=lambda c: hashlib.sha256(c.query.encode()).hexdigest())
        for position, case in enumerate(ordered):
            halves[case] = "tune" if position % 2 == 0 else "test"
    return halves


def portal_system(content: Path, scratch: Path) -> Callable[[str], list[str]]:
    collection = load_collection(content, variables=policy_variables(StorePolicy()))
    dirs = IndexDirs(scratch / "portal")
    titles = {key: info["title"] for key, info in collection.categories.items()}
    update_index(dirs, collection.published(), categories=titles)
    searcher = Searcher(dirs, [collection.synonyms])
    return lambda q: [h.slug for h in searcher.search(q, limit=LIMIT, snippets=False).hits]


def whoosh_default_system(content: Path, scratch: Path) -> Callable[[str], list[str]]:
    collection = load_collection(content, variables=policy_variables(StorePolicy()))
    folder = scratch / "whoosh-default"
    folder.mkdir()
    return default_whoosh_search(collection.published(), str(folder), LIMIT)


def fts5_system(content: Path, _scratch: Path) -> Callable[[str], list[str]]:
    collection = load_collection(content, variables=policy_variables(StorePolicy()))
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(slug UNINDEXED, title, body)")
    db.executemany(
        "INSERT INTO docs VALUES (?, ?, ?)",
        [(a.slug, a.title, " ".join([a.summary, *a.tags, *a.aliases, plain_text(a.body)]))
         for a in collection.published()],
    )

    def run(text: str) -> list[str]:
        terms = [f'"{w}"' for w in words(text)]
        if not terms:
            return []
        rows = db.execute(
            "SELECT slug FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 3.0, 1.0) LIMIT ?",
            (" OR ".join(terms), LIMIT),
        )
        return [row[0] for row in rows]

    return run


SYSTEMS = {"portal": portal_system, "whoosh-default": whoosh_default_system,
           "fts5-bm25": fts5_system}


def evaluate(content: Path, cases: list[Case]) -> dict[str, dict[str, dict[str, float]]]:
    """{system: {kind: {"mrr": .., "hit": .., "n": ..}}}, plus an "all answerable" kind."""
    report: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, build in SYSTEMS.items():
            run = build(content, Path(scratch))
            sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
            for case in cases:
                slugs = run(case.query)[:LIMIT]
                for kind in (case.kind, "answerable" if case.expected else None):
                    if kind is None:
                        continue
                    bucket = sums[kind]
                    bucket["n"] += 1
                    if not case.expected:
                        bucket["no_answer"] += 0 if slugs else 1
                        continue
                    rank = next((i for i, s in enumerate(slugs, 1) if s in case.expected), 0)
                    bucket["mrr"] += 1 / rank if rank else 0
                    bucket["hit"] += 1 if rank else 0
                    bucket["empty"] += 0 if slugs else 1
            report[name] = {
                kind: {key: (value if key == "n" else value / bucket["n"])
                       for key, value in bucket.items()}
                for kind, bucket in sums.items()
            }
    return report


def markdown(report: dict[str, dict[str, dict[str, float]]]) -> str:
    systems = list(report)
    head = "| kind | n | " + " | ".join(f"{s} MRR@5 | {s} hit@5" for s in systems) + " |"
    lines = [head, "|" + "---|" * (2 + 2 * len(systems))]
    for kind in [*KINDS[:-1], "answerable"]:
        n = int(report[systems[0]].get(kind, {}).get("n", 0))
        if not n:
            continue
        cells = []
        for system in systems:
            figures = report[system].get(kind, {})
            cells += [f"{figures.get('mrr', 0):.3f}", f"{figures.get('hit', 0):.3f}"]
        label = "**all answerable**" if kind == "answerable" else kind
        lines.append(f"| {label} | {n} | " + " | ".join(cells) + " |")
    unanswerable = [report[s].get("unanswerable", {}) for s in systems]
    n = int(unanswerable[0].get("n", 0))
    cells = " | ".join(f"no-answer {u.get('no_answer', 0):.3f} | " for u in unanswerable)
    lines.append(f"| unanswerable | {n} | {cells}|")
    empty = " | ".join(
        f"empty {report[s].get('answerable', {}).get('empty', 0):.3f} | " for s in systems
    )
    lines.append(f"| answerable, no result | | {empty}|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--queries", type=Path, default=ROOT / "eval" / "queries.tsv")
    parser.add_argument("--split", choices=SPLITS, default="test",
                        help="the held-out half (default), the half tuned on, or all")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = evaluate(args.content, load_cases(args.queries, args.split))
    print(json.dumps(report, indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
