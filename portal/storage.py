"""Files the portal keeps (attachments, data exports): one module, two places to keep them.

By default files live under `instance/files/`, outside `static/`, so nothing is served
without a view that checks who asks. `PORTAL_STORAGE_URL=s3://bucket/prefix` keeps them in
any S3-compatible store instead (endpoint and keys from `PORTAL_S3_ENDPOINT`,
`PORTAL_S3_ACCESS_KEY`, `PORTAL_S3_SECRET_KEY`; the `s3` extra installs the client), so
several app servers see the same files.

Names are chosen here, never by the uploader: `save()` returns a random key such as
`attachments/3f9c…e1.png` that callers store in their own tables.
"""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

from flask import current_app


class StoredFileMissing(LookupError):
    """The key names no stored file (deleted, or never written)."""


class Storage(Protocol):
    def write(self, key: str, data: bytes, content_type: str) -> None: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    """A folder on this machine; files are written aside and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / PurePosixPath(key)

    def write(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.part")
        draft.write_bytes(data)
        draft.replace(path)

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise StoredFileMissing(key) from error

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """A bucket in any S3-compatible store, through the MinIO client."""

    def __init__(self, url: str, *, endpoint: str, access_key: str, secret_key: str) -> None:
        from minio import Minio  # the optional `s3` extra

        parts = urlsplit(url)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        endpoint_parts = urlsplit(endpoint)
        self.client = Minio(
            endpoint_parts.netloc or endpoint_parts.path,
            access_key=access_key,
            secret_key=secret_key,
            secure=endpoint_parts.scheme != "http",
        )

    def _object(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def write(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            self.bucket, self._object(key), io.BytesIO(data), len(data), content_type=content_type
        )

    def read(self, key: str) -> bytes:
        from minio.error import S3Error

        try:
            response = self.client.get_object(self.bucket, self._object(key))
        except S3Error as error:
            if error.code == "NoSuchKey":
                raise StoredFileMissing(key) from error
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, self._object(key))


def storage() -> Storage:
    """The configured store, made once per application."""
    extension = current_app.extensions.get("portal_storage")
    if extension is None:
        config = current_app.config
        url = config["STORAGE_URL"]
        if url.startswith("s3://"):
            extension = S3Storage(
                url,
                endpoint=config["S3_ENDPOINT"],
                access_key=config["S3_ACCESS_KEY"],
                secret_key=config["S3_SECRET_KEY"],
            )
        else:
            extension = LocalStorage(Path(url))
        current_app.extensions["portal_storage"] = extension
    return extension


def save(data: bytes, *, folder: str, suffix: str, content_type: str) -> str:
    """Stores `data` under a new random name in `folder`; returns the key to keep."""
    if not folder.isidentifier() or not suffix.isalnum():
        raise ValueError("folder and suffix are chosen by the code, never by a user")
    key = f"{folder}/{secrets.token_hex(16)}.{suffix.lower()}"
    storage().write(key, data, content_type)
    return key


def load(key: str) -> bytes:
    """The bytes stored under `key`; StoredFileMissing when there are none."""
    return storage().read(key)


def remove(key: str) -> None:
    """Deletes the file under `key`; a missing file is not an error."""
    storage().delete(key)
