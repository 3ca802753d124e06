"""The semantic side of help search: article views, their vectors, and nearest articles.

Each article is embedded on several *views*: its whole text, its title with tags and
aliases, each alias alone, and each heading section, so a question about one paragraph
of a long article still finds it. The vectors live in the index folder beside Whoosh's
files (``vectors.npy`` and ``vectors.json``) and are published with it atomically; a
rebuild reuses the rows of articles whose content hash did not change and embeds only
the others.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from portal.help.content import Article
from portal.help.embedding import Encoder
from portal.help.render import plain_text

VECTORS = "vectors.npy"
ROWS = "vectors.json"
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# Vectors of texts embedded by this process, by hash of model and text: a test session or
# a rebuild in another folder (``faq search --content``) embeds each text once.
MEMORY_ROWS = 50_000
_memory: dict[bytes, object] = {}
_memory_lock = threading.Lock()


def embed(encoder: Encoder, texts: list[str]):
    """encoder.encode(texts), reusing what this process embedded before."""
    import numpy as np

    keys = [hashlib.sha1(f"{encoder.fingerprint}\0{t}".encode(), usedforsecurity=False).digest()
            for t in texts]
    with _memory_lock:
        missing = sorted({i for i, k in enumerate(keys) if k not in _memory},
                         key=lambda i: keys[i])
    fresh = encoder.encode([texts[i] for i in missing]) if missing else None
    with _memory_lock:
        if len(_memory) + len(missing) > MEMORY_ROWS:
            _memory.clear()
        for row, i in enumerate(missing):
            _memory[keys[i]] = fresh[row]  # type: ignore[index]
        found = [_memory.get(k) for k in keys]
    if any(v is None for v in found):  # cleared by another thread meanwhile
        return encoder.encode(texts)
    return np.stack(found) if found else np.zeros((0, 384), dtype=np.float32)


def views(article: Article, category_title: str = "") -> list[str]:
    """The texts an article is embedded on: whole, head, aliases, then heading sections."""
    body = plain_text(article.body)
    whole = "\n".join(p for p in (article.title, article.summary, body) if p)
    head = ". ".join([article.title, *article.aliases, *article.tags, category_title])
    # each alias alone too: aliases are the ways shoppers ask, and one question blended
    # with the others in the head view is far less like the shopper's words
    found = [whole, head.strip(". "), *article.aliases]
    headings = list(_HEADING.finditer(article.body))
    for number, match in enumerate(headings):
        end = headings[number + 1].start() if number + 1 < len(headings) else len(article.body)
        text = plain_text(article.body[match.end() : end]).strip()
        if text:
            found.append(f"{article.title}: {match.group(1)}. {text}")
    return found


@dataclass
class Vectors:
    """Unit vectors of every view, rows grouped by article (``slugs[owners[row]]``)."""

    matrix: object  # numpy float32 (views, 384)
    owners: object  # numpy int64 (views,): index into slugs, non-decreasing
    slugs: list[str]
    hashes: list[str]
    model: str

    def best_per_article(self, query_vector):
        """For each of ``slugs``, the best cosine of any of its views with the query."""
        import numpy as np

        best = np.full(len(self.slugs), -1.0, dtype=np.float32)
        if len(self.owners):
            starts = np.flatnonzero(np.r_[True, self.owners[1:] != self.owners[:-1]])
            best[self.owners[starts]] = np.maximum.reduceat(self.matrix @ query_vector, starts)
        return best


def load_vectors(folder: Path) -> Vectors | None:
    import numpy as np

    try:
        rows = json.loads((folder / ROWS).read_text())
        matrix = np.load(folder / VECTORS)
    except (OSError, ValueError, KeyError):
        return None
    owners = np.asarray(rows["owners"], dtype=np.int64)
    order = np.argsort(owners, kind="stable")  # one run of rows per article
    return Vectors(np.ascontiguousarray(matrix[order], dtype=np.float32), owners[order],
                   rows["slugs"], rows["hashes"], rows["model"])


def write_vectors(folder: Path, encoder: Encoder, articles: Iterable[Article],
                  hashes: Mapping[str, str], categories: Mapping[str, str],
                  previous: Vectors | None) -> int:
    """Embed the views of every article whose hash changed; reuse the others. Returns how
    many articles were embedded."""
    import numpy as np

    reusable: dict[tuple[str, str], list[int]] = {}
    if previous is not None and previous.model == encoder.fingerprint:
        for row, owner in enumerate(previous.owners.tolist()):
            key = (previous.slugs[owner], previous.hashes[owner])
            reusable.setdefault(key, []).append(row)
    slugs, owners, blocks, texts, text_owners = [], [], [], [], []
    for article in sorted(articles, key=lambda a: a.slug):
        number = len(slugs)
        slugs.append(article.slug)
        rows = reusable.get((article.slug, hashes[article.slug]))
        if rows:
            blocks.append(previous.matrix[rows])  # type: ignore[union-attr]
            owners += [number] * len(rows)
            continue
        found = views(article, categories.get(article.category or "", ""))
        texts += found
        text_owners += [number] * len(found)
    if texts:
        blocks.append(embed(encoder, texts))
        owners += text_owners
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, 384), dtype=np.float32)
    np.save(folder / VECTORS, matrix.astype(np.float32))
    (folder / ROWS).write_text(json.dumps({
        "model": encoder.fingerprint, "slugs": slugs, "owners": owners,
        "hashes": [hashes[slug] for slug in slugs],
    }))
    return len(set(text_owners))
