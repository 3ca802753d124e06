"""Front matter: the YAML block at the top of an article, read without ever raising."""

from __future__ import annotations

import re
from datetime import date, datetime

import yaml


def split_front_matter(text: str) -> tuple[dict, str, int, tuple[int, str] | None]:
    """(meta, body, first body line, problem) for a file that may lack front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1, (1, "missing front matter (a '---' block with at least a title)")
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            break
    else:
        return {}, text, 1, (1, "front matter is not closed by a '---' line")
    yaml_text = "\n".join(lines[1:index])
    body = "\n".join(lines[index + 1 :])
    body_line = index + 2
    try:
        meta = yaml.safe_load(yaml_text) if yaml_text.strip() else {}
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or "invalid YAML"
        return {}, body, body_line, (_error_line(exc), f"front matter is not valid YAML: {reason}")
    if not isinstance(meta, dict):
        return {}, body, body_line, (2, "front matter must be 'key: value' lines")
    return {str(k): v for k, v in meta.items()}, body, body_line, None


# YAML notices an unclosed bracket or quote only on a later line; the line to fix is the
# one where it was opened, which these errors carry as their context.
_OPENED_ON_CONTEXT = ("while parsing a flow", "while scanning a quoted scalar")


def _error_line(exc: yaml.YAMLError) -> int:
    """The file line (the '---' is line 1) an editor should look at for a YAML error."""
    context = getattr(exc, "context", None) or ""
    mark = getattr(exc, "context_mark", None) if context.startswith(_OPENED_ON_CONTEXT) else None
    mark = mark or getattr(exc, "problem_mark", None)
    return mark.line + 2 if mark is not None else 1


def key_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")[1:], start=2):
        if line.strip() in {"---", "..."}:
            break
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def text_value(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def list_value(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value)]


def date_value(value: object) -> tuple[date | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    try:
        return date.fromisoformat(str(value).strip()), None
    except ValueError:
        return None, str(value)


def first_heading(body: str) -> str:
    match = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", body, re.MULTILINE)
    return match.group(1).strip() if match else ""
