"""FAQ search: Whoosh for words, a sentence-embedding model for meaning, fused.

The only module that imports whoosh, so the engine can change.

Lexical side: BM25F over three fields, ``title``, ``keywords`` (tags and aliases) and
``content`` (everything), each with its own weight and length normalisation, computed
with numpy from postings read once per index version (Whoosh's matcher loops are the
cost at 10,000 articles). Each query word, or synonym phrase, is a *concept*; its
alternatives (synonyms, a typo correction, completions of the last partial word) count
at a lower weight, and a concept scores its best alternative, never their sum. A word
that is in the English dictionary is never "corrected" unless nothing matches at all.

Semantic side (``semantic.py``): the cleaned, corrected query is embedded and compared
with every view of every article. ``ranking.py`` blends the two calibrated scores and
decides, separately, whether the best article is a good enough answer.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from portal.help.content import Article
from portal.help.dictionary import is_english_word
from portal.help.embedding import expected_fingerprint, get_encoder
from portal.help.index_dirs import IndexDirs
from portal.help.messages import clean_message
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
from portal.help.ranking import Fusion
from portal.help.render import plain_text
from portal.help.semantic import load_vectors, write_vectors
from portal.help.snippets import snippet

log = logging.getLogger(__name__)
SCHEMA_VERSION = "7"
SYNONYM_WEIGHT = 0.5  # an expansion the shopper did not type counts half
CORRECTION_WEIGHT = 0.9
COMPLETION_WEIGHT = 0.7

_tokens = RegexTokenizer(r"\w+") | CharsetFilter(accent_map) | LowercaseFilter()
ANALYZER = _tokens | StopFilter(stoplist=STOP_WORDS, minsize=2) | StemFilter(cachesize=100000)
SPELL_ANALYZER = _tokens | StopFilter(stoplist=STOP_WORDS, minsize=3)


def make_schema() -> Schema:
    return Schema(
        slug=ID(stored=True, unique=True),
        category_key=ID(stored=True),
        title=TEXT(analyzer=ANALYZER, stored=True),
        keywords=TEXT(analyzer=ANALYZER),
        content=TEXT(analyzer=ANALYZER),
        spell=TEXT(analyzer=SPELL_ANALYZER),
        body=STORED(),
    )


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    found = [t.text for t in ANALYZER(word)]
    return found[0] if found else word


def stem_phrase(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words(text))


def _stems(phrase: Sequence[str]) -> list[str]:
    return [stem(w) for w in phrase if w not in STOP_WORDS] or [stem(w) for w in phrase]


def terms(concepts: Sequence[Concept]) -> set[str]:
    """Every stemmed word searched for, for highlighting."""
    return {s for c in concepts for phrase, _w in [(c.primary, 1.0), *c.alternatives]
            for s in _stems(phrase)}


def document(article: Article, category_title: str = "") -> dict[str, str]:
    body = plain_text(article.body)
    keywords = "\n".join([*article.aliases, *article.tags])
    category = category_title or (article.category or "").replace("-", " ")
    everything = "\n".join([article.title, keywords, article.summary, category, body])
    return {"slug": article.slug, "category_key": article.category or "",
            "title": article.title, "keywords": keywords, "content": everything,
            "spell": everything, "body": body}


@dataclass
class Hit:
    slug: str
    title: str
    score: float
    coverage: float  # share of the query's words the article matches (lexical)
    snippet: str = ""
    category: str = ""
    category_title: str = ""


@dataclass
class Answer:
    query: str
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "Did you mean"
    is_no_answer: bool = False  # words given, but no article answers them well enough
    is_semantic: bool = False  # the embedding model took part


class Searcher:
    """Answers queries against the index currently published in an IndexDirs."""

    def __init__(self, dirs: IndexDirs, synonym_texts: Sequence[str] = (),
                 fusion: Fusion | None = None) -> None:
        self.dirs = dirs
        builtin = BUILTIN_SYNONYMS.read_text(encoding="utf-8")
        self.synonyms = Synonyms.from_texts([builtin, *synonym_texts], key=stem_phrase)
        self.fusion = fusion or Fusion()
        self._opened: tuple[object, Lexicon] | None = None

    def open(self) -> Lexicon | None:
        """The published index, reopened when another process has swapped in a new one."""
        folder = self.dirs.current()
        if folder is None:
            return None
        if self._opened is None or self._opened[0] != folder:
            try:
                ix = index.open_dir(str(folder))
                self._opened = (folder, Lexicon(ix, load_vectors(folder)))
            except (OSError, index.EmptyIndexError):
                return self._opened[1] if self._opened else None  # swapped while opening
        return self._opened[1]

    def search(self, text: str, *, limit: int = 10, category: str | None = None,
               snippets: bool = True, context: str = "", answer_all: bool = False) -> Answer:
        """Articles answering text, best first; none when no article answers it well.

        context is extra text about the shopper's situation (the order's state, the topic
        chosen on the contact form): it informs the meaning, not the words searched.
        answer_all skips the "no good answer" decision (related articles).
        """
        answer = Answer(query=text)
        lex = self.open()
        cleaned = clean_message(text)
        concepts = split_concepts(cleaned, self.synonyms, key=stem,
                                  synonym_weight=SYNONYM_WEIGHT)
        if lex is None or not concepts:
            return answer
        concepts = self._expand(lex, concepts)
        if not concepts:
            return answer
        if any(c.correction for c in concepts):
            answer.suggestion = suggestion(cleaned, concepts)
        lexical = lex.coverage(concepts)
        semantic = None
        encoder = get_encoder() if lex.vectors is not None else None
        if encoder is not None and lex.vectors.model == encoder.fingerprint:
            meaning = answer.suggestion or cleaned
            query = encoder.encode([f"{context}. {meaning}" if context else meaning])[0]
            semantic = lex.semantic(query)
            answer.is_semantic = True
        blended = self.fusion.blend(lexical, semantic)
        ranked = lex.top(blended, limit, category=category)
        if ranked and (answer_all or self.fusion.is_answer(
                float(blended[ranked[0]]), float(lexical[ranked[0]]))):
            marked = terms(concepts) if snippets else set()
            best = float(blended[ranked[0]])
            for docnum in ranked:
                if not (answer_all or self.fusion.keeps(float(blended[docnum]), best)):
                    break
                stored = lex.stored(docnum)
                answer.hits.append(Hit(
                    stored["slug"], stored["title"], float(blended[docnum]),
                    float(lexical[docnum]),
                    snippet(stored["body"], marked, stem) if snippets else "",
                    stored.get("category_key", ""),
                ))
        answer.is_no_answer = not answer.hits
        if answer.is_no_answer:
            answer.suggestion = None  # a correction that finds nothing good is not likely
        return answer

    def _expand(self, lex: Lexicon, concepts: list[Concept]) -> list[Concept]:
        """Add typo corrections and completions; drop misspelt stop words."""
        unknown = [c for c in concepts if lex.df(c.primary) == 0]
        nothing_matches = len(unknown) == len(concepts)
        for concept in unknown:
            if len(concept.primary) != 1:
                continue
            word = concept.primary[0]
            if concept.is_last and len(word) >= 3:
                for completion in lex.completions(word):
                    concept.alternatives.append(((completion,), COMPLETION_WEIGHT))
            if len(word) < 4 or word.isdigit():
                continue
            if is_english_word(word) and not nothing_matches:
                continue  # a real word the articles do not use: meaning, not a typo
            fixed = lex.correct(word)
            if fixed and (fixed,) not in (alt for alt, _w in concept.alternatives):
                concept.correction = fixed
                concept.alternatives.append(((fixed,), CORRECTION_WEIGHT))
                _, more = self.synonyms.match([stem(fixed)], 0)
                concept.alternatives += [(tuple(m), SYNONYM_WEIGHT * CORRECTION_WEIGHT)
                                         for m in more]
        # A word no page has that is one typo from a stop word says nothing about the topic.
        return [c for c in concepts
                if not (len(c.primary) == 1 and not c.alternatives and lex.df(c.primary) == 0
                        and looks_like_stop_word(c.primary[0]))]


FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "content": 1.0}
FIELD_B = {"title": 0.3, "keywords": 0.3, "content": 0.75}  # length normalisation
K1 = 1.2
# A concept is fully matched at this BM25F pseudo frequency (a title word, or a word a
# few times in the body); one plain mention in the body matches it about two thirds.
FULL_MATCH_TF = 3.0
UNKNOWN_SHARE = 0.5  # a word no article has weighs this share of the rarest word's idf


class Lexicon:
    """One opened index version, its postings as numpy arrays and its article vectors."""

    def __init__(self, ix, vectors) -> None:
        import numpy as np

        self.np = np
        self.reader = ix.reader()
        self.vectors = vectors
        size = self.reader.doc_count_all()
        self.live = np.zeros(size, dtype=bool)
        self.slugs = [""] * size
        self.categories = np.empty(size, dtype=object)
        for docnum, stored in self.reader.iter_docs():
            self.live[docnum] = True
            self.slugs[docnum] = stored["slug"]
            self.categories[docnum] = stored.get("category_key", "")
        self.count = max(int(self.live.sum()), 1)
        self.norms = {}
        for name, b in FIELD_B.items():
            lengths = np.array([self.reader.doc_field_length(d, name, 0) or 0
                                for d in range(size)], dtype=np.float32)
            average = float(lengths[self.live].mean()) if self.live.any() else 1.0
            self.norms[name] = (1 - b + b * lengths / (average or 1.0)).astype(np.float32)
        self._terms: dict[str, tuple[object, object]] = {}
        self._semantic_owner = None
        if vectors is not None:
            where = {slug: docnum for docnum, slug in enumerate(self.slugs) if slug}
            self._semantic_owner = np.array([where.get(s, -1) for s in vectors.slugs])

    def stored(self, docnum: int) -> dict:
        return self.reader.stored_fields(docnum)

    def df(self, phrase: Iterable[str]) -> int:
        return min((self.reader.doc_frequency("content", stem(w)) for w in phrase), default=0)

    def idf(self, df: int) -> float:
        return math.log(1 + (self.count - df + 0.5) / (df + 0.5))

    def _pseudo_tf(self, term: str):
        """(docnums, BM25F pseudo frequency): field frequencies weighted and normalised."""
        if term not in self._terms:
            np = self.np
            total = np.zeros(len(self.slugs), dtype=np.float32)
            for name, weight in FIELD_WEIGHTS.items():
                if (name, term) in self.reader:
                    ids, tfs = _postings(self.reader.postings(name, term), np)
                    total[ids] += weight * tfs / self.norms[name][ids]
            found = np.flatnonzero(total * self.live)
            self._terms[term] = (found, total[found])
        return self._terms[term]

    def phrase_scores(self, phrase: Sequence[str]):
        """BM25F of a phrase's words for every article; 0 where any word is missing."""
        np = self.np
        scores = np.zeros(len(self.slugs), dtype=np.float32)
        present = np.ones(len(self.slugs), dtype=bool)
        for term in _stems(phrase):
            found, tf = self._pseudo_tf(term)
            if not len(found):
                return scores * 0
            idf = self.idf(self.reader.doc_frequency("content", term))
            has = np.zeros(len(self.slugs), dtype=bool)
            has[found] = True
            present &= has
            scores[found] += idf * tf * (K1 + 1) / (tf + K1)
        return scores * present

    def coverage(self, concepts: Sequence[Concept]):
        """Per article, the idf-weighted share of the concepts it matches (0..1)."""
        np = self.np
        total = np.zeros(len(self.slugs), dtype=np.float32)
        weights, rarest = [], math.log(1 + self.count)
        for concept in concepts:
            best = np.zeros(len(self.slugs), dtype=np.float32)
            options = [(concept.primary, 1.0), *concept.alternatives]
            known = [(df, w) for df, w in ((self.df(p), w) for p, w in options) if df]
            weight = self.idf(known[0][0]) if known else UNKNOWN_SHARE * rarest
            for phrase, alt_weight in options:
                best = np.maximum(best, alt_weight * self.phrase_scores(phrase))
            # Matching the best form any article has counts in full: a synonym scores half
            # of what the typed word would, unless no article has the typed word at all.
            reachable = max((w for _df, w in known), default=1.0)
            full = reachable * weight * len(_stems(concept.primary)) * FULL_MATCH_TF \
                * (K1 + 1) / (FULL_MATCH_TF + K1)
            total += weight * np.minimum(best / full, 1.0)
            weights.append(weight)
        return total / (sum(weights) or 1.0)

    def semantic(self, query_vector):
        """Per article, the best cosine of any of its views with the query (-1: none)."""
        np = self.np
        scores = np.full(len(self.slugs), -1.0, dtype=np.float32)
        best = self.vectors.best_per_article(query_vector)
        known = self._semantic_owner >= 0
        scores[self._semantic_owner[known]] = best[known]
        return scores

    def top(self, scores, limit: int, *, category: str | None) -> list[int]:
        np = self.np
        usable = self.live & (scores > 0)
        if category:
            usable &= self.categories == category
        candidates = np.flatnonzero(usable)
        if len(candidates) > limit:
            keep = np.argpartition(-scores[candidates], limit - 1)[:limit]
            candidates = candidates[keep]
        return sorted(candidates.tolist(), key=lambda d: (-float(scores[d]), self.slugs[d]))

    def completions(self, word: str) -> list[str]:
        found = self.reader.most_frequent_terms("spell", 4, prefix=word)
        return [text for _freq, term in found if (text := _text(term)) != word]

    def correct(self, word: str) -> str | None:
        """The most common indexed word within one edit (two for long words)."""
        allowed = 2 if len(word) >= 7 else 1
        candidates = []
        for candidate in self.reader.terms_within("spell", word, 2, prefix=1):
            distance = edit_distance(word, candidate)
            if candidate != word and distance <= allowed:
                frequency = self.reader.doc_frequency("spell", candidate)
                candidates.append((distance, -frequency, candidate))
        return min(candidates)[2] if candidates else None


def _postings(matcher, np):
    """(docnums, frequencies) of a posting list, a whole block at a time when possible.

    The block path reads Whoosh 3 leaf matcher internals (many times faster than one call
    per posting); any other matcher (e.g. across segments) takes the public path.
    """
    needed = ("_read_ids", "_read_weights", "_next_block", "_atend")
    ids: list[int] = []
    tfs: list[float] = []
    if type(matcher).__name__ == "W3LeafMatcher" and all(hasattr(matcher, a) for a in needed):
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            tfs.extend(matcher._weights)
            matcher._next_block()
    else:
        for docnum, weight in matcher.items_as("weight"):
            ids.append(docnum)
            tfs.append(weight)
    return np.asarray(ids, dtype=np.int64), np.asarray(tfs, dtype=np.float32)


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


@dataclass
class BuildStats:
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    folder: str = ""
    is_full: bool = False
    embedded: int = 0  # articles whose views were embedded (the others reused their vectors)


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
        if old == hashes and manifest.get("model") == expected_fingerprint() and not full:
            return BuildStats(unchanged=len(hashes), folder=str(dirs.current()))
        encoder = get_encoder()
        model = encoder.fingerprint if encoder is not None else None
        previous = dirs.current()
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
            if encoder is not None:
                reuse = None if full or previous is None else load_vectors(previous)
                stats.embedded = write_vectors(folder, encoder, by_slug.values(), hashes,
                                               categories, reuse)
            dirs.publish(folder, {"schema": SCHEMA_VERSION, "docs": hashes, "model": model})
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
