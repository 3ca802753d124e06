"""Bodies from machines we do not control (webhooks, store APIs), read so none causes a 500.

`read_body` reads the raw body under the app's one size limit (MAX_CONTENT_LENGTH), also
when it arrives chunked without a Content-Length: past the limit it is a 413, never a body
silently cut short.

Python's json module accepts things the rest of the portal cannot use: nesting deep enough
to exhaust the recursion limit, NaN and Infinity, lone UTF-16 surrogates ("\\ud800", which
no database can store as UTF-8) and NUL characters (which PostgreSQL refuses in text).
`load_json` refuses each with a message naming where in the document it is.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from portal.domain import DomainError

MAX_DEPTH = 32


class UnsafeJson(DomainError):
    """A body that is not JSON we can store; `field` is the path to the bad value."""


def read_body(*, chunk_size: int = 64 * 1024) -> bytes:
    """The raw request body, or RequestEntityTooLarge (413) once it passes the limit."""
    limit = request.max_content_length
    body = bytearray()
    while chunk := request.stream.read(chunk_size):
        body += chunk
        if limit is not None and len(body) > limit:
            raise RequestEntityTooLarge()
    return bytes(body)


def _refuse_constant(name: str) -> None:
    raise UnsafeJson(f"{name} is not a number JSON allows", field="body")


def load_json(body: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The decoded document, or UnsafeJson naming the field (a path like events[0].id)."""
    try:
        document = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnsafeJson("the JSON is nested too deeply", field="body") from None
    except ValueError:  # JSONDecodeError, undecodable bytes, integers of absurd length
        raise UnsafeJson("the body is not valid JSON", field="body") from None
    _check(document, max_depth)
    return document


def _check(document: Any, max_depth: int) -> None:
    """Walks the document without recursion, so depth is limited by us, not by Python."""
    pending: list[tuple[Any, str, int]] = [(document, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value, path or "body")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= max_depth:
            raise UnsafeJson(f"the JSON is nested deeper than {max_depth} levels",
                             field=path or "body")
        if isinstance(value, list):
            pending.extend((item, f"{path}[{index}]", depth + 1)
                           for index, item in enumerate(value))
            continue
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            _check_text(key, child)
            pending.append((item, child, depth + 1))


def _check_text(text: str, path: str) -> None:
    if "\x00" in text:
        raise UnsafeJson(f"{_printable(path)} contains a NUL character", field=_printable(path))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJson(f"{_printable(path)} is not valid Unicode (a lone surrogate)",
                         field=_printable(path)) from None


def _printable(path: str) -> str:
    """The path as it can be put in a JSON answer and a log line."""
    return path.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")[:200]
