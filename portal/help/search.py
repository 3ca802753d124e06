"""FAQ search on Whoosh. The only module that imports whoosh, so the engine can change.

Ranking: BM25F over two fields, ``head`` (title, aliases, tags: what an article is
about) boosted over ``content`` (everything), with Porter stemming and stop words. Each
query word, or synonym phrase, is a *concept* whose alternatives (synonyms, a typo
correction, completions of the last partial word) are OR-ed. Candidates are re-scored by
the idf-weighted share of the concepts they contain (coordination), so a page matching
more of what was asked beats one repeating a single word. When even the best page covers
too little of the query (MIN_COVERAGE) there is no good answer and nothing is returned.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.query import Phrase
from whoosh.support.charset import accent_map

from portal.help.content import Article
from portal.help.index_dirs import IndexDirs
from portal.help.query import (
    BUILTIN_SYNONYMS,
    STOP_WORDS,
    Concept,
    Synonyms,
    edit_distance,
    looks_like_stop_word,
    split_concepts,
    suggestion,
    words,
)
from portal.help.render import plain_text
from portal.help.snippets import snippet

SCHEMA_VERSION = "6"
HEAD_BOOST = 2.0  # final score x (1 + HEAD_BOOST x share of the query in title/aliases/tags)
K1, B = 1.2, 0.75
DISMAX_TIEBREAK = 0.1  # a page matching several synonyms of one word gains a little
SYNONYM_WEIGHT = 0.8
CORRECTION_WEIGHT = 0.85
COMPLETION_WEIGHT = 0.7
COORDINATION_POWER = 2.0
MIN_COVERAGE = 0.3  # below this share of the query the best page is "no good answer"
CANDIDATES = 60
UNKNOWN_WEIGHT = 0.6  # a word no page contains weighs this much of the rarest word's idf
PHRASE_CHECK_LIMIT = 200  # word pairs in more pages than this are not checked for adjacency
# How much of a concept a match through each kind of alternative answers, for coverage.
QUALITY = {1.0: 1.0, SYNONYM_WEIGHT: 0.9, CORRECTION_WEIGHT: 0.75, COMPLETION_WEIGHT: 0.75,
           SYNONYM_WEIGHT * CORRECTION_WEIGHT: 0.7}

_tokens = RegexTokenizer(r"\w+") | CharsetFilter(accent_map) | LowercaseFilter()
ANALYZER = _tokens | StopFilter(stoplist=STOP_WORDS, minsize=2) | StemFilter(cachesize=100000)
SPELL_ANALYZER = _tokens | StopFilter(stoplist=STOP_WORDS, minsize=3)


def make_schema() -> Schema:
    return Schema(
        slug=ID(stored=True, unique=True),
        category_key=ID(stored=True),
        title=STORED(),
        body=STORED(),
        head=TEXT(analyzer=ANALYZER, phrase=True),
        content=TEXT(analyzer=ANALYZER, phrase=True),
        spell=TEXT(analyzer=SPELL_ANALYZER, phrase=False),
    )


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    found = [t.text for t in ANALYZER(word)]
    return found[0] if found else word


def stem_phrase(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words(text))


def document(article: Article, category_title: str = "") -> dict[str, str]:
    body = plain_text(article.body)
    head = "\n".join([article.title, *article.aliases, *article.tags])
    category = category_title or (article.category or "").replace("-", " ")
    everything = "\n".join([head, article.summary, category, body])
    return {"slug": article.slug, "category_key": article.category or "",
            "title": article.title, "body": body, "head": head, "content": everything,
            "spell": everything}


@dataclass
class Hit:
    slug: str
    title: str
    score: float
    coverage: float
    snippet: str = ""
    category: str = ""
    category_title: str = ""


@dataclass
class Answer:
    query: str
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "Did you mean"
    is_no_answer: bool = False  # words given, but nothing covers enough of them


class Searcher:
    """Answers queries against the index currently published in an IndexDirs."""

    def __init__(self, dirs: IndexDirs, synonym_texts: Sequence[str] = ()) -> None:
        self.dirs = dirs
        builtin = BUILTIN_SYNONYMS.read_text(encoding="utf-8")
        self.synonyms = Synonyms.from_texts([builtin, *synonym_texts], key=stem_phrase)
        self._opened: tuple[object, index.Index] | None = None
        self._length_cache: tuple[object, tuple[list[int], float]] | None = None

    def open(self) -> index.Index | None:
        """The published index, reopened when another process has swapped in a new one."""
        folder = self.dirs.current()
        if folder is None:
            return None
        if self._opened is None or self._opened[0] != folder:
            try:
                self._opened = (folder, index.open_dir(str(folder)))
            except (OSError, index.EmptyIndexError):
                return self._opened[1] if self._opened else None  # swapped while opening
        return self._opened[1]

    def search(self, text: str, *, limit: int = 10, category: str | None = None,
               snippets: bool = True, min_coverage: float = MIN_COVERAGE) -> Answer:
        answer = Answer(query=text)
        ix = self.open()
        concepts = split_concepts(text, self.synonyms, key=stem, synonym_weight=SYNONYM_WEIGHT)
        if ix is None or not concepts:
            return answer
        with ix.searcher() as searcher:
            reader = searcher.reader()
            weighed = [(concept, self._expand(reader, concept)) for concept in concepts]
            # A word no page has that is one typo from a stop word says nothing about the
            # topic; left in, it would weigh like a rare word and sink the real ones.
            weighed = [(concept, weight) for concept, weight in weighed
                       if not (concept.is_unknown and len(concept.primary) == 1
                               and looks_like_stop_word(concept.primary[0]))]
            if not weighed:
                return answer
            concepts = [concept for concept, _weight in weighed]
            weights = [weight for _concept, weight in weighed]
            if any(c.correction for c in concepts):
                answer.suggestion = suggestion(text, concepts)
            scorer = _Scorer(searcher, self._lengths(ix, reader))
            ranked = scorer.rank(concepts, weights, category=category)
            if ranked and ranked[0][1] >= min_coverage:
                terms = scorer.terms(concepts) if snippets else set()
                for score, coverage, docnum in ranked[:limit]:
                    stored = reader.stored_fields(docnum)
                    answer.hits.append(Hit(
                        stored["slug"], stored["title"], score, coverage,
                        snippet(stored["body"], terms, stem) if snippets else "",
                        stored.get("category_key", ""),
                    ))
        answer.is_no_answer = not answer.hits
        return answer

    def _lengths(self, ix, reader) -> tuple[list[int], float]:
        """Every document's content length and their mean, read once per index version."""
        if self._length_cache is None or self._length_cache[0] is not ix:
            lengths = [reader.doc_field_length(n, "content", 0)
                       for n in range(reader.doc_count_all())]
            average = (sum(lengths) / len(lengths)) if lengths else 1.0
            self._length_cache = (ix, (lengths, average or 1.0))
        return self._length_cache[1]

    def _expand(self, reader, concept: Concept) -> float:
        """Add typo corrections / completions to a concept; return its idf weight."""
        n_docs = max(reader.doc_count(), 1)

        def df(phrase: Iterable[str]) -> int:
            return min((reader.doc_frequency("content", stem(w)) for w in phrase), default=0)

        if df(concept.primary) == 0 and len(concept.primary) == 1:
            word = concept.primary[0]
            if concept.is_last and len(word) >= 3:
                for _freq, completion in reader.most_frequent_terms("spell", 4, prefix=word):
                    completion = _text(completion)
                    if completion != word:
                        concept.alternatives.append(((completion,), COMPLETION_WEIGHT))
            fixed = _correct(reader, word) if len(word) >= 4 and not word.isdigit() else None
            if fixed and (fixed,) not in (alt for alt, _w in concept.alternatives):
                concept.correction = fixed
                concept.alternatives.append(((fixed,), CORRECTION_WEIGHT))
                _, more = self.synonyms.match([stem(fixed)], 0)
                concept.alternatives += [(tuple(m), SYNONYM_WEIGHT * CORRECTION_WEIGHT)
                                         for m in more]
        best = max([df(concept.primary)] + [df(alt) for alt, _w in concept.alternatives])
        concept.is_unknown = best == 0
        if best == 0:  # a word no page has: weighs like a fairly rare word
            return UNKNOWN_WEIGHT * math.log(1 + n_docs)
        return math.log(1 + n_docs / best)


def _stems(phrase: Sequence[str]) -> list[str]:
    return [stem(w) for w in phrase if w not in STOP_WORDS] or [stem(w) for w in phrase]


def _weights(matcher) -> Iterable[tuple[int, float]]:
    """(docnum, term frequency) for a posting list, a whole block at a time when possible.

    The block-at-a-time path reads Whoosh 3 leaf matcher internals (several times faster
    than one call per posting); any other matcher (e.g. one hiding deleted documents) takes
    the public, slower path.
    """
    needed = ("_read_ids", "_read_weights", "_next_block", "_blocklength", "_atend")
    if type(matcher).__name__ != "W3LeafMatcher" or not all(hasattr(matcher, a) for a in needed):
        yield from matcher.items_as("weight")
        return
    while not matcher._atend:
        matcher._read_ids()
        matcher._read_weights()
        yield from zip(matcher._ids, matcher._weights, strict=False)
        matcher._next_block()


class _Scorer:
    """BM25 on the content field straight from the postings, plus coverage and a head bonus.

    Scoring from postings in plain dicts is several times faster than Whoosh's matcher tree
    for queries with many alternatives; phrases still use Whoosh's Phrase query.
    """

    def __init__(self, searcher, lengths: tuple[list[int], float]) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.lengths, self.average = lengths
        self.n_docs = max(self.reader.doc_count(), 1)
        self._postings: dict[str, dict[int, float]] = {}

    def term_scores(self, term: str) -> dict[int, float]:
        """docnum -> BM25 of one stemmed term in the content field."""
        if term not in self._postings:
            scores: dict[int, float] = {}
            if ("content", term) in self.reader:
                df = self.reader.doc_frequency("content", term)
                idf = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
                lengths, average = self.lengths, self.average
                for docnum, tf in _weights(self.reader.postings("content", term)):
                    norm = K1 * (1 - B + B * lengths[docnum] / average)
                    scores[docnum] = idf * tf * (K1 + 1) / (tf + norm)
            self._postings[term] = scores
        return self._postings[term]

    def phrase_scores(self, phrase: Sequence[str]) -> dict[int, float]:
        """docnum -> summed BM25 of the words, halved where they are not near each other."""
        stems = _stems(phrase)
        if len(stems) == 1:
            return self.term_scores(stems[0])
        parts = [self.term_scores(s) for s in stems]
        together = set.intersection(*(set(p) for p in parts))
        if len(together) > PHRASE_CHECK_LIMIT:  # checking positions would cost too much
            return {d: sum(p[d] for p in parts) * 0.75 for d in together}
        near = set(self.searcher.docs_for_query(Phrase("content", stems, slop=2)))
        return {d: sum(p[d] for p in parts) * (1.0 if d in near else 0.5) for d in together}

    def head_docs(self, phrase: Sequence[str]) -> set[int]:
        sets = []
        for term in _stems(phrase):
            found = ("head", term) in self.reader
            sets.append(set(self.reader.postings("head", term).all_ids()) if found else set())
        return set.intersection(*sets) if sets else set()

    def rank(self, concepts: Sequence[Concept], weights: Sequence[float], *,
             category: str | None) -> list[tuple[float, float, int]]:
        """(final score, coverage, docnum), best first."""
        total_weight = sum(weights) or 1.0
        bm25: dict[int, float] = defaultdict(float)
        coverage: dict[int, float] = defaultdict(float)
        in_head: dict[int, float] = defaultdict(float)
        for concept, weight in zip(concepts, weights, strict=True):
            best: dict[int, float] = {}
            rest: dict[int, float] = defaultdict(float)
            quality: dict[int, float] = {}
            head_quality: dict[int, float] = {}
            for phrase, alt_weight in [(concept.primary, 1.0), *concept.alternatives]:
                q = QUALITY.get(alt_weight, 0.9)
                for docnum, score in self.phrase_scores(phrase).items():
                    score *= alt_weight
                    previous = best.get(docnum, 0.0)
                    best[docnum] = max(previous, score)
                    rest[docnum] += min(previous, score)
                    quality[docnum] = max(quality.get(docnum, 0.0), q)
                for docnum in self.head_docs(phrase):
                    head_quality[docnum] = max(head_quality.get(docnum, 0.0), q)
            for docnum, score in best.items():
                bm25[docnum] += score + DISMAX_TIEBREAK * rest[docnum]
            for docnum, q in quality.items():
                coverage[docnum] += weight * q / total_weight
            for docnum, q in head_quality.items():
                in_head[docnum] += weight * q / total_weight
        allowed = None
        if category:
            allowed = set(self.reader.postings("category_key", category).all_ids()) \
                if ("category_key", category) in self.reader else set()
        ranked = [
            (score * coverage[d] ** COORDINATION_POWER * (1 + HEAD_BOOST * in_head[d]),
             coverage[d], d)
            for d, score in bm25.items() if allowed is None or d in allowed
        ]
        top = heapq.nsmallest(CANDIDATES, ranked, key=lambda item: (-item[0], item[2]))
        return top

    def terms(self, concepts: Sequence[Concept]) -> set[str]:
        """Every stemmed word searched for, for highlighting."""
        return {s for c in concepts for phrase, _w in [(c.primary, 1.0), *c.alternatives]
                for s in _stems(phrase)}


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _correct(reader, word: str) -> str | None:
    """The most common indexed word within one edit (two for long words), swaps counting one."""
    allowed = 2 if len(word) >= 7 else 1
    candidates = []
    for candidate in reader.terms_within("spell", word, 2, prefix=1):
        distance = edit_distance(word, candidate)
        if candidate != word and distance <= allowed:
            candidates.append((distance, -reader.doc_frequency("spell", candidate), candidate))
    return min(candidates)[2] if candidates else None


@dataclass
class BuildStats:
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    folder: str = ""
    is_full: bool = False


def update_index(dirs: IndexDirs, articles: Iterable[Article], *,
                 categories: dict[str, str] | None = None, full: bool = False) -> BuildStats:
    """Bring the published index in line with articles, rebuilding only what changed.

    Builds a copy in a fresh folder and publishes it atomically; a no-op when nothing changed.
    """
    categories = categories or {}
    by_slug = {a.slug: a for a in articles}
    hashes = {slug: _article_hash(a, categories.get(a.category or "", ""))
              for slug, a in by_slug.items()}
    with dirs.lock():
        manifest = dirs.manifest()
        old = manifest.get("docs", {}) if manifest.get("schema") == SCHEMA_VERSION else None
        if old == hashes and not full:
            return BuildStats(unchanged=len(hashes), folder=str(dirs.current()))
        folder = None if full or old is None else dirs.copy_of_current()
        stats = BuildStats(is_full=folder is None)
        try:
            if folder is None:
                folder, old = dirs.new_folder(), {}
                ix = index.create_in(str(folder), make_schema())
            else:
                ix = index.open_dir(str(folder))
            writer = ix.writer(limitmb=256)
            for slug in set(old) - set(hashes):
                writer.delete_by_term("slug", slug)
                stats.removed += 1
            for slug, digest in sorted(hashes.items()):
                if old.get(slug) == digest:
                    stats.unchanged += 1
                    continue
                article = by_slug[slug]
                doc = document(article, categories.get(article.category or "", ""))
                # a fresh index has nothing to replace: add_document skips the lookup
                (writer.add_document if stats.is_full else writer.update_document)(**doc)
                stats.added += 1
            writer.commit(merge=True)
            ix.close()
            dirs.publish(folder, {"schema": SCHEMA_VERSION, "docs": hashes})
        except BaseException:
            if folder is not None:
                dirs.discard(folder)
            raise
        stats.folder = str(folder)
        return stats


def _article_hash(article: Article, category_title: str) -> str:
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for part in (article.title, article.body, article.summary, article.category or "",
                 category_title, *article.tags, "\0", *article.aliases):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def default_whoosh_search(articles: Iterable[Article], folder: str, limit: int = 5):
    """The baseline of the evaluation: Whoosh out of the box, to compare ranking against.

    One text field with the StandardAnalyzer (no stemming), the default QueryParser (AND of
    terms), default BM25F. Returns a function query -> [slugs].
    """
    from whoosh.qparser import QueryParser

    schema = Schema(slug=ID(stored=True), content=TEXT())
    ix = index.create_in(folder, schema)
    with ix.writer() as writer:
        for article in articles:
            writer.add_document(slug=article.slug, content=document(article)["content"])
    parser = QueryParser("content", schema)

    def run(text: str) -> list[str]:
        with ix.searcher() as searcher:
            return [hit["slug"] for hit in searcher.search(parser.parse(text), limit=limit)]

    return run
