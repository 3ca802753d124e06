"""Search result snippets: the best stretch of an article with the matched words marked."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+")


def snippet(body: str, terms: set[str], normalize: Callable[[str], str]) -> str:
    """The stretch of the body with the most matched words, escaped, words in <mark>.

    normalize maps a word to the form terms are in (the search analyzer's stem).
    """
    marks = [m.span() for m in _WORD.finditer(body) if normalize(m.group().lower()) in terms]
    if not marks:
        return html.escape(_shorten(body, 0, SNIPPET_CHARS))
    best_start, best_count = 0, -1
    for start, _end in marks:
        window_start = max(0, start - 40)
        count = sum(1 for s, e in marks if s >= window_start and e <= window_start + SNIPPET_CHARS)
        if count > best_count:
            best_start, best_count = window_start, count
    begin = body.rfind(" ", 0, best_start) + 1 if best_start else 0
    end = min(len(body), begin + SNIPPET_CHARS)
    if end < len(body):
        end = body.rfind(" ", begin, end) if body.rfind(" ", begin, end) > begin else end
    parts, cursor = [], begin
    for s, e in marks:
        if s >= begin and e <= end:
            parts += [html.escape(body[cursor:s]), "<mark>", html.escape(body[s:e]), "</mark>"]
            cursor = e
    parts.append(html.escape(body[cursor:end]))
    text = "".join(parts).replace("\n", " ")
    return ("… " if begin else "") + text + (" …" if end < len(body) else "")


def _shorten(text: str, begin: int, width: int) -> str:
    piece = text[begin : begin + width]
    return piece.rsplit(" ", 1)[0] + " …" if len(text) > begin + width else piece
