"""Static files as browsers cache them best: fingerprinted names, cached for a year, immutable.

At start-up the app copies `static/` into `instance/static-build/` under names that carry a
hash of their content (`js/portal.1a2b3c4d5e6f.js`), writes one CSS bundle (Pico, then the
portal's own sheets) the same way, and keeps a gzip copy beside each text file. WhiteNoise
serves that folder: the compressed copy to a browser that accepts it, and
`Cache-Control: public, max-age=31536000, immutable` for every fingerprinted name, so a
page view never asks for its assets again until they change (a new deploy gives new
names). Templates call `asset_url("bundle.css")`.

Names are content-addressed and every file is written to a temporary name then renamed,
so workers starting together (gunicorn) can build the same folder without harm.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

#: The stylesheet bundle, in cascade order: Pico first, the portal's sheets over it.
CSS_BUNDLE = ("vendor/pico.min.css", "css/portal.css", "css/orders.css", "css/billing.css",
              "css/returns.css", "css/help.css", "css/support.css", "css/staff.css")
BUNDLE_NAME = "bundle.css"
YEAR = 365 * 24 * 3600
FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".map"}


def _fingerprinted(name: str, content: bytes) -> str:
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:12]
    return f"{stem}.{digest}.{extension}" if dot else f"{name}.{digest}"


def _write(path: Path, content: bytes) -> None:
    if path.exists():
        return  # same name, same content
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)


def _publish(build: Path, name: str, content: bytes) -> str:
    published = _fingerprinted(name, content)
    _write(build / published, content)
    if Path(name).suffix in COMPRESSIBLE:
        _write(build / f"{published}.gz", gzip.compress(content, compresslevel=9, mtime=0))
    return published


def build_assets(source: Path, build: Path) -> dict[str, str]:
    """Publishes every file of `source` and the CSS bundle into `build`; returns the manifest
    (logical name -> fingerprinted name)."""
    manifest = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            name = path.relative_to(source).as_posix()
            manifest[name] = _publish(build, name, path.read_bytes())
    bundle = b"\n".join((source / name).read_bytes() for name in CSS_BUNDLE
                        if (source / name).exists())
    manifest[BUNDLE_NAME] = _publish(build, BUNDLE_NAME, bundle)
    return manifest


def _immutable(_path: str, url: str) -> bool:
    return bool(FINGERPRINTED.search(url))


def init_app(app: Flask) -> None:
    assert app.static_folder is not None
    build = Path(app.instance_path) / "static-build"
    manifest = build_assets(Path(app.static_folder), build)
    prefix = (app.static_url_path or "/static").strip("/") + "/"
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app, root=str(build), prefix=prefix, max_age=YEAR,
        immutable_file_test=_immutable)

    def asset_url(name: str) -> str:
        """The fingerprinted URL of a static file (KeyError for a file that does not exist)."""
        return f"/{prefix}{manifest[name]}"

    app.add_template_global(asset_url)
