"""FAQ search on Whoosh. The only module that imports whoosh, so the engine can change.

Ranking: BM25F over weighted fields (title > aliases > tags > summary > body), Porter
stemming and stop words, each query word (or synonym phrase) an OR-ed *concept* whose
alternatives are its synonyms, typo corrections and, for the last word, completions.
Results are re-scored by idf-weighted coverage of the concepts (coordination), so a page
matching more of what was asked beats one repeating a single word; when the best page
covers too little of the query there is no good answer and nothing is returned.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import nh3
from whoosh import highlight, index, matching, scoring
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import And, DisjunctionMax, Or, Phrase, Query, Term
from whoosh.support.charset import accent_map

from portal.help.content import Article
from portal.help.index_dirs import IndexDirs
from portal.help.query import (
    BUILTIN_SYNONYMS,
    STOP_WORDS,
    Concept,
    Synonyms,
    split_concepts,
    words,
)
from portal.help.render import plain_text

SCHEMA_VERSION = "5"
FIELD_BOOSTS = {"title": 3.0, "aliases": 2.6, "tags": 2.2, "summary": 1.6,
                "category": 0.8, "body": 1.0}
DISMAX_TIEBREAK = 0.35
SYNONYM_WEIGHT = 0.8
CORRECTION_WEIGHT = 0.85
COMPLETION_WEIGHT = 0.7
COORDINATION_POWER = 2.0
MIN_COVERAGE = 0.3  # below this share of the query the best page is "no good answer"
CANDIDATES = 60
# How much of a concept a match through each kind of alternative answers, for coverage.
QUALITY = {SYNONYM_WEIGHT: 0.9, CORRECTION_WEIGHT: 0.75, COMPLETION_WEIGHT: 0.75,
           SYNONYM_WEIGHT * CORRECTION_WEIGHT: 0.7}

_tokens = RegexTokenizer(r"\w+") | CharsetFilter(accent_map) | LowercaseFilter()
ANALYZER = _tokens | StopFilter(stoplist=STOP_WORDS, minsize=2) | StemFilter(cachesize=100000)
SPELL_ANALYZER = _tokens | StopFilter(stoplist=STOP_WORDS, minsize=3)


def make_schema() -> Schema:
    text = {name: TEXT(analyzer=ANALYZER, phrase=True) for name in FIELD_BOOSTS}
    text["title"] = TEXT(analyzer=ANALYZER, phrase=True, stored=True)
    text["body"] = TEXT(analyzer=ANALYZER, phrase=True, stored=True)
    return Schema(
        slug=ID(stored=True, unique=True),
        category_key=ID(stored=True),
        summary_text=ID(stored=True),
        content=TEXT(analyzer=ANALYZER, phrase=True),
        spell=TEXT(analyzer=SPELL_ANALYZER, phrase=False),
        **text,
    )


def stem(word: str) -> str:
    found = [t.text for t in ANALYZER(word)]
    return found[0] if found else word


def stem_phrase(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words(text))


def document(article: Article, category_title: str = "") -> dict[str, str]:
    body = plain_text(article.body)
    aliases = " ; ".join(article.aliases)
    tags = " ; ".join(article.tags)
    category = category_title or (article.category or "").replace("-", " ")
    everything = "\n".join([article.title, aliases, tags, article.summary, category, body])
    return {
        "slug": article.slug, "category_key": article.category or "",
        "summary_text": article.summary, "title": article.title, "aliases": aliases,
        "tags": tags, "summary": article.summary, "category": category, "body": body,
        "content": everything, "spell": everything,
    }


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
        with ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2, title_B=0.4)) as searcher:
            weights = [self._expand(searcher.reader(), concept) for concept in concepts]
            if any(c.correction for c in concepts):
                answer.suggestion = _suggestion(text, concepts)
            query = Or([self._concept_query(c) for c in concepts])
            filter_ = Term("category_key", category) if category else None
            results = searcher.search(query, limit=CANDIDATES, terms=True, filter=filter_)
            ranked = _coordinate(results, concepts, weights)
            if ranked and ranked[0][1] >= min_coverage:
                for score, coverage, hit in ranked[:limit]:
                    if coverage >= min_coverage:
                        answer.hits.append(Hit(
                            hit["slug"], hit["title"], score, coverage,
                            _snippet(hit) if snippets else "", hit.get("category_key", ""),
                        ))
        answer.is_no_answer = not answer.hits
        return answer

    def _expand(self, reader, concept: Concept) -> float:
        """Add typo corrections / completions to a concept; return its idf weight."""
        n_docs = max(reader.doc_count(), 1)

        def df(phrase: Iterable[str]) -> int:
            return min((reader.doc_frequency("content", stem(w)) for w in phrase), default=0)

        known = df(concept.primary) > 0
        if not known and len(concept.primary) == 1:
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
        freqs = [df(concept.primary)] + [df(alt) for alt, _w in concept.alternatives]
        best = max(freqs)
        concept.is_unknown = best == 0
        if best == 0:  # a word no page has: weighs like a fairly rare word
            return 0.6 * math.log(1 + n_docs)
        return math.log(1 + n_docs / best)

    def _concept_query(self, concept: Concept) -> Query:
        options = [_phrase_query(concept.primary, 1.0)]
        options += [_phrase_query(alt, weight) for alt, weight in concept.alternatives]
        return _Max(options, tiebreak=0.1)


class _MaxMatcher(matching.UnionMatcher):
    """Best sub-score plus tiebreak * the others, counting only sub-matchers on this doc.

    (Whoosh's own DisjunctionMaxMatcher scores sub-matchers sitting on other documents.)
    """

    def __init__(self, a, b, tiebreak: float = 0.0) -> None:
        super().__init__(a, b)
        self.tiebreak = tiebreak

    def copy(self):
        return self.__class__(self.a.copy(), self.b.copy(), tiebreak=self.tiebreak)

    def supports_block_quality(self) -> bool:
        return False

    def replace(self, minquality=0):
        a, b = self.a.replace(), self.b.replace()
        if not a.is_active():
            return b
        if not b.is_active():
            return a
        if a is not self.a or b is not self.b:
            return self.__class__(a, b, tiebreak=self.tiebreak)
        return self

    def score(self) -> float:
        current = self.id()
        scores = [m.score() for m in (self.a, self.b) if m.is_active() and m.id() == current]
        best = max(scores)
        return best + self.tiebreak * (sum(scores) - best)


class _Max(DisjunctionMax):
    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        return self._tree_matcher(subs, _MaxMatcher, searcher, context,
                                  lambda q: q.estimate_size(reader), tiebreak=self.tiebreak)


def _phrase_query(phrase: Sequence[str], weight: float) -> Query:
    stems = [stem(w) for w in phrase if w not in STOP_WORDS] or [stem(w) for w in phrase]
    if len(stems) == 1:
        per_field = [Term(f, stems[0], boost=b * weight) for f, b in FIELD_BOOSTS.items()]
        return _Max(per_field, tiebreak=DISMAX_TIEBREAK)
    phrases = [Phrase(f, stems, slop=2, boost=b * weight) for f, b in FIELD_BOOSTS.items()]
    loose = And([Term("content", s) for s in stems], boost=0.6 * weight)
    return _Max([*phrases, loose], tiebreak=DISMAX_TIEBREAK)


def _coordinate(results, concepts: Sequence[Concept], weights: Sequence[float]) -> list:
    """(score x coverage^p, coverage, hit), best first: covering more of the query wins."""
    owners = _term_owners(concepts)
    total = sum(weights) or 1.0
    ranked = []
    for hit in results:
        credit: dict[int, float] = {}
        for term in hit.matched_terms():
            for number, quality in owners.get(_norm_term(term), ()):
                credit[number] = max(credit.get(number, 0.0), quality)
        coverage = sum(weights[i] * q for i, q in credit.items()) / total
        ranked.append((hit.score * coverage**COORDINATION_POWER, coverage, hit))
    ranked.sort(key=lambda item: (-item[0], item[2]["slug"]))
    return ranked


def _term_owners(concepts: Sequence[Concept]) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(field, term) -> [(concept number, how well matching it answers the concept)]."""
    owners: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for number, concept in enumerate(concepts):
        for phrase, weight in [(concept.primary, 1.0), *concept.alternatives]:
            quality = QUALITY.get(weight, 0.9)
            for word in phrase:
                for fieldname in [*FIELD_BOOSTS, "content"]:
                    owners.setdefault((fieldname, stem(word)), []).append((number, quality))
    return owners


def _norm_term(term: tuple[str, object]) -> tuple[str, str]:
    return term[0], _text(term[1])


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _correct(reader, word: str) -> str | None:
    """The most common indexed word within one edit (two for long words), swaps counting one."""
    allowed = 2 if len(word) >= 7 else 1
    candidates = []
    for candidate in reader.terms_within("spell", word, 2, prefix=1):
        distance = _edit_distance(word, candidate)
        if candidate != word and distance <= allowed:
            candidates.append((distance, -reader.doc_frequency("spell", candidate), candidate))
    return min(candidates)[2] if candidates else None


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, substitute, swap neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


def _suggestion(text: str, concepts: Sequence[Concept]) -> str:
    fixes = {c.primary[0]: c.correction for c in concepts if c.correction}
    return " ".join(fixes.get(word, word) for word in words(text))


_FORMATTER = highlight.HtmlFormatter(tagname="mark", between=" … ")
_FRAGMENTER = highlight.ContextFragmenter(maxchars=220, surround=60)


def _snippet(hit) -> str:
    """HTML with <mark> around matched words; every other character escaped by Whoosh."""
    hit.results.fragmenter = _FRAGMENTER
    hit.results.formatter = _FORMATTER
    return nh3.clean(hit.highlights("body", top=2) or "", tags={"mark"}, attributes={})


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
    docs = {a.slug: document(a, categories.get(a.category or "", "")) for a in articles}
    hashes = {slug: _doc_hash(doc) for slug, doc in docs.items()}
    with dirs.lock():
        manifest = dirs.manifest()
        old = manifest.get("docs", {}) if manifest.get("schema") == SCHEMA_VERSION else None
        if old == hashes and not full:
            return BuildStats(unchanged=len(hashes), folder=str(dirs.current()))
        folder = None if full or old is None else dirs.copy_of_current()
        stats = BuildStats(is_full=folder is None)
        try:
            if folder is None:
                folder = dirs.new_folder()
                ix = index.create_in(str(folder), make_schema())
                old = {}
            else:
                ix = index.open_dir(str(folder))
            writer = ix.writer(limitmb=128)
            for slug in set(old) - set(hashes):
                writer.delete_by_term("slug", slug)
                stats.removed += 1
            for slug, digest in sorted(hashes.items()):
                if old.get(slug) == digest:
                    stats.unchanged += 1
                    continue
                writer.update_document(**docs[slug])
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


def _doc_hash(doc: dict[str, str]) -> str:
    import hashlib

    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for key in sorted(doc):
        digest.update(f"{key}\0{doc[key]}\0".encode())
    return digest.hexdigest()


def default_whoosh_search(articles: Iterable[Article], folder: str, limit: int = 5):
    """The baseline of the evaluation: Whoosh out of the box, to compare ranking against.

    One text field with the StandardAnalyzer (no stemming), the default QueryParser (AND of
    terms), default BM25F. Returns a function query -> [slugs].
    """
    from whoosh.fields import TEXT as PlainText
    from whoosh.qparser import QueryParser

    schema = Schema(slug=ID(stored=True), content=PlainText())
    ix = index.create_in(folder, schema)
    with ix.writer() as writer:
        for article in articles:
            doc = document(article)
            writer.add_document(slug=article.slug, content=doc["content"])
    parser = QueryParser("content", schema)

    def run(text: str) -> list[str]:
        with ix.searcher() as searcher:
            return [hit["slug"] for hit in searcher.search(parser.parse(text), limit=limit)]

    return run
