"""Support tests search a tiny help center of their own, so suggestions are predictable."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTICLES = {
    "track-a-parcel": ("How do I track my parcel?", "shipping",
                       "Open Orders, choose the order and select Track to follow the parcel."),
    "refund-timing": ("When will I get my refund?", "returns",
                      "Refunds reach your card within five working days of the return arriving."),
    "reset-password": ("I forgot my password", "account",
                       "Use the reset link on the sign-in page to choose a new password."),
}


@pytest.fixture
def app_config(app_config: dict[str, object], tmp_path: Path) -> dict[str, object]:
    content = tmp_path / "help-content"
    content.mkdir()
    for slug, (title, category, body) in ARTICLES.items():
        (content / f"{slug}.md").write_text(
            f"---\ntitle: {title}\ntags: [{category}]\n---\n{body}\n", encoding="utf-8")
    app_config["CONTENT_DIR"] = str(content)
    return app_config
