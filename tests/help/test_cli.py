"""`flask faq ...`: the batch search contract, check, reindex, and concurrent builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.help.index_dirs import IndexDirs
from portal.help.search import Searcher
from tests.help.conftest import write_article

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi", "faq"]


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    """Someone else's articles: minimal front matter, unknown categories, no front matter."""
    root = tmp_path / "foreign"
    write_article(root, "pets/feeding-your-cat.md",
                  "---\ntitle: Feeding your cat\ncategory: pets\n---\nCats eat twice a day.\n")
    write_article(root, "walking-the-dog.md", "---\ntitle: Walking the dog\n---\nDogs walk.\n")
    write_article(root, "no-front-matter.md", "# Bird cages\n\nClean the cage weekly.\n")
    write_article(root, "odd-vars.md", "---\ntitle: Fish {{ tank_size }}\n---\nFish swim.\n")
    return root


def run(args: list[str], stdin: str = "", tmp_path: Path | None = None):
    env = {**os.environ, "PORTAL_INDEX_DIR": str(tmp_path or ROOT / "instance" / "x")}
    return subprocess.run([*FLASK, *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, check=False)


def test_batch_search_on_a_foreign_folder(foreign: Path, tmp_path: Path) -> None:
    result = run(["search", "--content", str(foreign), "--limit", "5", "--json"],
                 stdin="feeding cats\nhow often should i walk my dog\n\nbird cage\nzebra\n",
                 tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 5
    assert lines[0][0] == "feeding-your-cat"
    assert lines[1][0] == "walking-the-dog"
    assert lines[2] == []
    assert lines[3][0] == "no-front-matter"
    assert lines[4] == []
    assert "WARNING" in result.stderr and "odd-vars.md:2: unknown variable" in result.stderr
    assert not list(tmp_path.glob("faq-search-*"))


def test_single_query_argument(app) -> None:
    result = app.test_cli_runner().invoke(args=["faq", "search", "--json", "where is my parcel"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])[0] == "track-my-order"
    human = app.test_cli_runner().invoke(args=["faq", "search", "shiping"])
    assert "Did you mean: shipping" in human.output


def test_check_reports_file_line_message(app, tmp_path: Path) -> None:
    write_article(tmp_path, "good.md", "---\ntitle: Good\n---\nSee [bad](missing).\n")
    write_article(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nx\n")
    result = app.test_cli_runner().invoke(args=["faq", "check", "--content", str(tmp_path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ".md:" in line]
    assert any(line.endswith("bad.md:2: front matter is not valid YAML: "
                             "expected ',' or ']', but got '<stream end>'") for line in lines)
    assert any(line.endswith("good.md:4: link to missing article 'missing'") for line in lines)


def test_check_passes_on_our_content(app) -> None:
    result = app.test_cli_runner().invoke(args=["faq", "check"])
    assert result.exit_code == 0, result.output


def test_reindex_publishes_a_new_index(app, tmp_path: Path) -> None:
    index_dir = tmp_path / "fresh-index"
    result = app.test_cli_runner().invoke(args=["faq", "reindex", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert Searcher(IndexDirs(index_dir)).search("refund").hits


def test_concurrent_builds_do_not_break_each_other(foreign: Path, tmp_path: Path) -> None:
    """Four processes at once: two batch searches (private temp indexes) and two reindexes
    into one shared index folder; every one must finish with right answers."""
    # Whoosh alone: this is about folders and locks, and four processes embedding our
    # whole content at once would only measure how busy the machine is.
    env = {**os.environ, "PORTAL_INDEX_DIR": str(tmp_path / "shared"),
           "PORTAL_SEARCH_MODEL": "off"}
    procs = [
        subprocess.Popen([*FLASK, "search", "--content", str(foreign), "--json"], cwd=ROOT,
                         env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ] + [
        subprocess.Popen([*FLASK, "reindex", "--index", str(tmp_path / "shared")], cwd=ROOT,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [proc.communicate(input="feeding cats\n" if proc.stdin else None, timeout=120)
               for proc in procs]
    failures = [err[-2000:] for proc, (_out, err) in zip(procs, outputs, strict=True)
                if proc.returncode != 0]
    assert failures == [], "\n---\n".join(failures)
    for out, _err in outputs[:2]:
        assert json.loads(out.splitlines()[0])[0] == "feeding-your-cat"
    assert Searcher(IndexDirs(tmp_path / "shared")).search("refund").hits
