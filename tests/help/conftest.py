"""Help center fixtures: article folders written on the fly, and a prebuilt index."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from portal.help.content import load_collection
from portal.help.index_dirs import IndexDirs
from portal.help.search import Searcher, update_index
from portal.store import StorePolicy, policy_variables

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"


def write_article(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def write() -> Callable[[Path, str, str], Path]:
    return write_article


@pytest.fixture
def make_searcher(tmp_path: Path) -> Callable[[Path], Searcher]:
    """Index a folder (strictly, with the default policy) and return its Searcher."""

    def _make(folder: Path) -> Searcher:
        collection = load_collection(folder, variables=policy_variables(StorePolicy()))
        dirs = IndexDirs(tmp_path / f"index-of-{folder.name}")
        update_index(dirs, collection.published())
        return Searcher(dirs, [collection.synonyms])

    return _make


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The index of content/ built once per test session (workers copy it)."""
    root = tmp_path_factory.mktemp("real-index")
    collection = load_collection(REAL_CONTENT, variables=policy_variables(StorePolicy()))
    titles = {key: info["title"] for key, info in collection.categories.items()}
    update_index(IndexDirs(root), collection.published(), categories=titles)
    return root


@pytest.fixture
def app_config(app_config: dict[str, object], real_index: Path, tmp_path: Path):
    """The app's index starts as a copy of the prebuilt one, so it needs no rebuild."""
    index_dir = tmp_path / "faq-index"
    shutil.copytree(real_index, index_dir)
    return {**app_config, "INDEX_DIR": str(index_dir), "CONTENT_DIR": str(REAL_CONTENT)}
