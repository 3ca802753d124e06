"""What a whole message says, without what every message says.

Shoppers type messages, not queries: "Hi there, I need assistance to cancel my order
#A-20931, thanks, Sarah". Greetings, sign-offs, names, order numbers, amounts and
"I need assistance to" carry nothing about the topic, yet to a search engine they are
rare words that look important. :func:`clean_message` removes them before both the
lexical and the semantic retriever see the text. Engine-free on purpose.
"""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 1000

_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|greetings|dear|good\s+(?:morning|afternoon|evening|day))"
    r"(?:\s+(?:there|team|all|everyone|sir|madam|sir/madam|support|customer\s+service|guys))*"
    r"|to\s+whom\s+it\s+may\s+concern)\b[\s,.!:;-]*",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"[\s,.!;:-]*\b(?i:many\s+thanks|thanks\s+a\s+lot|thanks\s+in\s+advance|thank\s+you(?:\s+so"
    r"\s+much)?|thanks|thx|cheers|regards|kind\s+regards|best\s+regards|best\s+wishes|best|"
    r"sincerely|yours\s+sincerely|all\s+the\s+best|ta)\b[\s,.!]*"
    r"(?:[A-Z][\w'.-]*\.?(?:\s+[A-Z][\w'.-]*)?)?[\s.!]*$",
)
_TRAILING_NAME = re.compile(r"(?<=[.!?])\s+[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?\s*[.!]?\s*$")
_PLEAS = re.compile(
    r"\b(?:i\s+(?:would\s+like|need|want|require|am\s+looking\s+for)\s+(?:some\s+)?"
    r"(?:assistance|help|support)\s+(?:to|with|for|in)|"
    r"(?:can|could|would)\s+(?:you|someone|anyone)\s+(?:please\s+)?(?:help|assist)\s+me"
    r"(?:\s+(?:to|with|please))?|please\s+(?:help|assist)(?:\s+me)?(?:\s+(?:to|with))?|"
    r"i\s+(?:would|'d)\s+like\s+to\s+know|i\s+was\s+wondering|just\s+wondering|"
    r"any\s+help\s+(?:would\s+be|is)\s+(?:much\s+|greatly\s+)?appreciated|asap|"
    r"as\s+soon\s+as\s+possible)\b",
    re.IGNORECASE,
)
_IDENTIFIERS = re.compile(
    r"(?:#\s*|\b)(?=[\w-]*\d)[A-Za-z]*[-_/]?\d[\w/-]*|"  # order numbers, ids, dates
    r"[£$€]\s?\d[\d,.]*|"  # amounts
    r"\S+@\S+\.\w+|https?://\S+",  # emails and links
)
_SPACES = re.compile(r"\s+")


def clean_message(text: str) -> str:
    """The message with greetings, sign-offs, trailing names, identifiers and pleas removed.

    Short queries pass unchanged apart from identifiers; if cleaning would leave nothing,
    the original text is returned, so a search for "order 1234" still searches.
    """
    text = text[:MAX_MESSAGE_CHARS]
    cleaned = _GREETING.sub("", text, count=1)
    cleaned = _SIGN_OFF.sub("", cleaned)
    cleaned = _TRAILING_NAME.sub("", cleaned)
    cleaned = _PLEAS.sub(" ", cleaned)
    cleaned = _IDENTIFIERS.sub(" ", cleaned)
    cleaned = re.sub(r"\s+([?.!,;:])", r"\1", _SPACES.sub(" ", cleaned)).strip(" ,.;:!-")
    return cleaned if re.search(r"\w", cleaned) else text.strip()
