"""The benchmark database: a seeded demo store, built once and cached by seed, size and code.

SQLite by default: built in a temporary folder, then moved to instance/bench/ under a name
that holds the seed, the size and a fingerprint of the demo generator, so a rerun with the
same generator skips seeding and a change to it builds afresh. A schema change alone does
not: the cached store is migrated to head like any deployed database (migrations carry the
data over). With PORTAL_BENCH_DATABASE_URL (e.g. PostgreSQL) that database is migrated and
seeded if empty.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select

from portal.auth.models import Customer
from portal.config import PROJECT_ROOT

CACHE_DIR = PROJECT_ROOT / "instance" / "bench"


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    seeded_now: bool
    seed_seconds: float | None = None
    seed_summary: str | None = None  # the figures line printed by seed-demo


def fingerprint() -> str:
    """Changes when the demo generator changes."""
    digest = hashlib.sha256()
    for source in sorted((PROJECT_ROOT / "portal" / "demo").glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "PORTAL_DATABASE_URL": url}


def _migrate(url: str) -> None:
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=PROJECT_ROOT,
                   env=_env(url), check=True, stdout=subprocess.DEVNULL)


def _seed(url: str, *, seed: int, customers: int, orders: int) -> tuple[float, str | None]:
    """Runs `flask seed-demo` as the user would, echoing its output; returns (seconds, figures)."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo", "--seed", str(seed),
               "--customers", str(customers), "--orders", str(orders)]
    print(f"Seeding the benchmark store: {' '.join(command[2:])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=_env(url), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    summary = None
    assert process.stdout is not None
    for line in process.stdout:
        print("  " + line.rstrip(), flush=True)
        if line.startswith("Seeded "):
            summary = line.strip()
    if process.wait() != 0:
        raise SystemExit("seed-demo failed")
    return time.perf_counter() - started, summary


def _has_customers(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(select(func.count()).select_from(Customer)))
    finally:
        engine.dispose()


def prepare(*, seed: int, customers: int, orders: int, url: str | None = None) -> BenchDatabase:
    configured = url or os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if configured:
        _migrate(configured)
        if _has_customers(configured):
            return BenchDatabase(configured, seeded_now=False)
        seconds, summary = _seed(configured, seed=seed, customers=customers, orders=orders)
        return BenchDatabase(configured, True, seconds, summary)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    name = f"bench-s{seed}-c{customers}-o{orders}-{fingerprint()}.db"
    cached = CACHE_DIR / name
    if cached.exists():
        _migrate(f"sqlite:///{cached}")
        return BenchDatabase(f"sqlite:///{cached}", seeded_now=False)
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        building = Path(folder) / name
        url = f"sqlite:///{building}"
        _migrate(url)
        seconds, summary = _seed(url, seed=seed, customers=customers, orders=orders)
        with sqlite3.connect(building) as connection:  # fold the WAL into the file
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for old in CACHE_DIR.glob("bench-*.db*"):
            if re.fullmatch(r"bench-.*\.db(-wal|-shm)?", old.name):
                old.unlink()
        shutil.move(building, cached)
    return BenchDatabase(f"sqlite:///{cached}", True, seconds, summary)
