"""Where index versions live on disk, and how a new one is swapped in atomically.

Layout under the index root::

    index-<random>/      one complete index each, never changed once published
        manifest.json    schema version and a hash per indexed article
    CURRENT              the name of the published folder (replaced with os.replace)
    .lock                serialises rebuilds between processes (gunicorn workers)

Readers only follow CURRENT, so a worker searching while another publishes keeps its old,
complete index; nothing is ever built in a shared scratch place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

POINTER = "CURRENT"
MANIFEST = "manifest.json"
KEEP_SECONDS = 300  # an unpublished folder younger than this may still be read by a worker


class IndexDirs:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def current(self) -> Path | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except OSError:
            return None
        path = self.root / name
        return path if name and (path / MANIFEST).is_file() else None

    def manifest(self, folder: Path | None = None) -> dict:
        folder = folder or self.current()
        if folder is None:
            return {}
        try:
            return json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError):
            return {}

    def new_folder(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="index-", dir=self.root))

    def copy_of_current(self) -> Path | None:
        current = self.current()
        if current is None:
            return None
        folder = self.new_folder()
        shutil.copytree(current, folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.lock", "*.tmp", MANIFEST))
        return folder

    def publish(self, folder: Path, manifest: dict) -> None:
        """Write the manifest, then point CURRENT at folder in one atomic rename."""
        (folder / MANIFEST).write_text(json.dumps(manifest, sort_keys=True))
        previous = self.current()
        fd, tmp = tempfile.mkstemp(prefix=".pointer-", dir=self.root)
        with os.fdopen(fd, "w") as handle:
            handle.write(folder.name)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / POINTER)
        if previous is not None and previous != folder:
            with contextlib.suppress(OSError):
                os.utime(previous)  # its grace period starts now, for workers still reading
        self.cleanup()

    def discard(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def cleanup(self) -> None:
        """Remove old folders, keeping the current one and any recent enough to be in use."""
        current = self.current()
        now = time.time()
        for folder in self.root.glob("index-*"):
            if folder == current:
                continue
            with contextlib.suppress(OSError):
                if now - folder.stat().st_mtime > KEEP_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """An exclusive lock between processes for the duration of one rebuild."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
