"""Fusing the lexical and semantic scores, and deciding when there is no good answer.

Both inputs are calibrated before they meet: the lexical score is the share of the
query's weight an article matches (BM25F of each concept divided by what a plain match
of that concept earns, so 1.0 means "every concept found"), and the semantic score is a
cosine similarity. Their blend ranks; whether the best one is good enough is a separate
decision on the same calibrated scale, with its own threshold per mode (with or without
the model), so adding a retriever never silently changes what counts as an answer.
Engine-free on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

SEMANTIC_SHARE = 0.7  # weight of the cosine in the blend; the rest is the lexical share
# Cosines of unrelated short English texts sit around 0.1-0.2 for this model: below the
# floor a semantic score says nothing, so it starts counting above it.
COSINE_FLOOR = 0.15
ANSWER_THRESHOLD = 0.29  # blended score of the best article below which: no good answer
# ...unless its words match: the share of the query's weight it matches (a typed word
# the model cannot read, such as a half-typed one or a product code, still counts)
LEXICAL_ANSWER_THRESHOLD = 0.6


RELATIVE_FLOOR = 0.5  # below this share of the best article's score a hit is noise


@dataclass(frozen=True)
class Fusion:
    semantic_share: float = SEMANTIC_SHARE
    answer_threshold: float = ANSWER_THRESHOLD
    lexical_answer_threshold: float = LEXICAL_ANSWER_THRESHOLD

    def blend(self, lexical, semantic):
        """Blended scores (numpy arrays in, array out); semantic None = Whoosh alone."""
        if semantic is None:
            return lexical
        rescaled = (semantic - COSINE_FLOOR) / (1.0 - COSINE_FLOOR)
        rescaled = rescaled.clip(0.0, 1.0)
        return self.semantic_share * rescaled + (1 - self.semantic_share) * lexical

    def keeps(self, score: float, best: float) -> bool:
        """Whether a hit after the first is close enough to the best to be worth showing."""
        return score >= RELATIVE_FLOOR * best

    def is_answer(self, blended: float, lexical: float) -> bool:
        """Whether the best article (its blended and lexical scores) is a good answer."""
        return blended >= self.answer_threshold or lexical >= self.lexical_answer_threshold
