"""Is this a real English word? Asked before a typo corrector rewrites it.

The word list is pyspellchecker's English dictionary (about 160,000 words with their
frequency in subtitles, common misspellings left out), read once per process on first use.
Without the package every word counts as unknown, which only lets the corrector act as
it did before.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
from importlib import resources

log = logging.getLogger(__name__)
_lock = threading.Lock()
_words: frozenset[str] | None = None


def english_words() -> frozenset[str]:
    global _words
    with _lock:
        if _words is None:
            try:
                data = resources.files("spellchecker").joinpath("resources", "en.json.gz")
                _words = frozenset(json.loads(gzip.decompress(data.read_bytes())))
            except (ModuleNotFoundError, OSError, ValueError) as error:
                log.warning("help search: no English word list (%s)", error)
                _words = frozenset()
        return _words


def is_english_word(word: str) -> bool:
    return word.lower() in english_words()
