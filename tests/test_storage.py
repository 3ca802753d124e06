"""Stored files: random names the uploader never chooses, the same API locally and on S3."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal import storage


def test_files_are_saved_under_random_names_outside_static(app: Flask) -> None:
    with app.app_context():
        first = storage.save(b"photo", folder="attachments", suffix="PNG",
                             content_type="image/png")
        second = storage.save(b"photo", folder="attachments", suffix="png",
                              content_type="image/png")
        assert first != second
        assert first.startswith("attachments/") and first.endswith(".png")
        assert storage.load(first) == b"photo"
        root = storage.storage().root  # type: ignore[attr-defined]
        assert "static" not in root.parts and (root / first).is_file()
        storage.remove(first)
        storage.remove(first)
        with pytest.raises(storage.StoredFileMissing):
            storage.load(first)


@pytest.mark.parametrize(("folder", "suffix"), [("../etc", "png"), ("a", "png/../x"), ("a", "")])
def test_names_from_outside_are_refused(app: Flask, folder: str, suffix: str) -> None:
    with app.app_context(), pytest.raises(ValueError):
        storage.save(b"x", folder=folder, suffix=suffix, content_type="text/plain")


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible server (moto) on 127.0.0.1 with one bucket."""
    moto_server = pytest.importorskip("moto.server")
    minio = pytest.importorskip("minio")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = minio.Minio(f"{host}:{port}", access_key="test", secret_key="test", secure=False)
    client.make_bucket("portal-files")
    yield f"http://{host}:{port}"
    server.stop()


def test_an_s3_compatible_store_keeps_the_same_promises(
    app_config: dict[str, object], s3_endpoint: str
) -> None:
    from portal import create_app

    app = create_app({**app_config, "STORAGE_URL": "s3://portal-files/shop-a",
                      "S3_ENDPOINT": s3_endpoint, "S3_ACCESS_KEY": "test",
                      "S3_SECRET_KEY": "test"})
    with app.app_context():
        assert isinstance(storage.storage(), storage.S3Storage)
        key = storage.save(b"%PDF-1.7 export", folder="exports", suffix="zip",
                           content_type="application/zip")
        assert storage.load(key) == b"%PDF-1.7 export"
        storage.remove(key)
        with pytest.raises(storage.StoredFileMissing):
            storage.load(key)
