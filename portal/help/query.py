"""How a shopper's words become search concepts: stop words and editor synonyms.

Engine-free on purpose (no Whoosh here); ``search.py`` turns concepts into a query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Function words and the filler of questions ("how do i ...", "can you please ...").
STOP_WORDS = frozenset(
    """
    a about above after again all also am an and any are as at be been being below but by
    can cannot could did do does doing don done during each either else etc for from further
    had has have having he her here hers him his how however i id if im in into is it its
    ive just let lets me mine more most much my myself no nor of off on once only or other
    our ours out over own please per s same shall she should so some still such t than
    thank thanks that thats the their theirs them then there these they this those through
    thus to too under until up us very was way we were what whats when where whether which
    while who whom whose why will with within without would yet you youre your yours hi
    hello hey dear ok okay get got gets getting want wanted wanting need needed needs know
    tell anyone someone something anything possible via ll ve re d m
    """.split()  # noqa: SIM905 - a word list reads better as text
)
WORD_RE = re.compile(r"\w+", re.UNICODE)
BUILTIN_SYNONYMS = Path(__file__).with_name("synonyms.txt")
MAX_QUERY_CHARS = 200


def fold(text: str) -> str:
    """Lowercase without accents, so 'Café' and 'cafe' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of a query as typed, folded; apostrophes split like the index does."""
    return WORD_RE.findall(fold(text[:MAX_QUERY_CHARS]).replace("_", " "))


def normalize_query(text: str) -> str:
    """One spelling of a query for logs and metrics: folded words, single spaces."""
    return " ".join(words(text))


@dataclass
class Synonyms:
    """Groups of words or phrases that mean the same thing to a shopper.

    File format, one group per line: ``refund, money back, reimbursement``.
    ``a => b, c`` expands a to b and c but not the other way. ``#`` starts a comment.
    """

    key: Callable[[str], tuple[str, ...]]
    expansions: dict[tuple[str, ...], list[tuple[str, ...]]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def from_texts(cls, texts: Sequence[str], key: Callable[[str], tuple[str, ...]]) -> Synonyms:
        synonyms = cls(key=key)
        for text in texts:
            for raw_line in text.splitlines():
                synonyms.add_line(raw_line)
        return synonyms

    def add_line(self, raw_line: str) -> None:
        line = raw_line.split("#", 1)[0].strip()
        if not line:
            return
        if "=>" in line:
            left, right = line.split("=>", 1)
            sources = self._phrases(left)
            targets = self._phrases(right)
        else:
            sources = targets = self._phrases(line)
        for source, _source_words in sources:
            bucket = self.expansions.setdefault(source, [])
            for target, target_words in targets:
                if target != source and target_words not in bucket:
                    bucket.append(target_words)
            self.longest = max(self.longest, len(source))

    def _phrases(self, text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """(key, words) per comma-separated phrase: keys match queries, words are searched."""
        phrases = []
        for part in text.split(","):
            key = self.key(part)
            if key and key not in (p[0] for p in phrases):
                phrases.append((key, tuple(words(part))))
        return phrases

    def match(self, keys: Sequence[str], start: int) -> tuple[int, list[tuple[str, ...]]]:
        """The longest synonym entry at keys[start:], as (length, expansions); (0, []) if none."""
        for length in range(min(self.longest, len(keys) - start), 0, -1):
            found = self.expansions.get(tuple(keys[start : start + length]))
            if found:
                return length, found
        return 0, []


@dataclass
class Concept:
    """One thing the shopper asked about: the words typed and what else they may mean."""

    surface: str
    primary: tuple[str, ...]
    alternatives: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    correction: str | None = None
    is_last: bool = False
    is_unknown: bool = False  # no page has it, nor any of its alternatives


def split_concepts(
    text: str, synonyms: Synonyms, *, key: Callable[[str], str], synonym_weight: float
) -> list[Concept]:
    """Group the query's words into concepts: synonym phrases first, then single words."""
    typed = words(text)
    keys = [key(word) for word in typed]
    concepts: list[Concept] = []
    index = 0
    while index < len(typed):
        length, expansions = synonyms.match(keys, index)
        if length:
            surface = typed[index : index + length]
            primary = tuple(w for w in surface if w not in STOP_WORDS) or tuple(surface)
            concept = Concept(" ".join(surface), primary)
            concept.alternatives = [(tuple(e), synonym_weight) for e in expansions]
            concepts.append(concept)
            index += length
            continue
        word = typed[index]
        index += 1
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        concepts.append(Concept(word, (word,)))
    if concepts and typed and concepts[-1].surface.split()[-1] == typed[-1]:
        concepts[-1].is_last = True
    return concepts


def looks_like_stop_word(word: str) -> bool:
    """A misspelt function word ("wher", "hwo"): within one edit of a stop word."""
    return len(word) >= 3 and any(
        abs(len(stop) - len(word)) <= 1 and edit_distance(word, stop) <= 1
        for stop in STOP_WORDS
    )


def edit_distance(a: str, b: str) -> int:
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


def suggestion(text: str, concepts: Sequence[Concept]) -> str:
    """The query as typed with each corrected word replaced: the "Did you mean"."""
    fixes = {c.primary[0]: c.correction for c in concepts if c.correction}
    return " ".join(fixes.get(word, word) for word in words(text))
