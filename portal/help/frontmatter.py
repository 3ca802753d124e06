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
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        return {}, body, body_line, (line, f"front matter is not valid YAML: {reason}")
    if not isinstance(meta, dict):
        return {}, body, body_line, (2, "front matter must be 'key: value' lines")
    return {str(k): v for k, v in meta.items()}, body, body_line, None


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
