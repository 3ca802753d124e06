"""Files shoppers attach to requests, replies and problem reports.

The type is decided from the bytes, never from the name or the browser's claim: Pillow
must open an image as JPEG, PNG, WebP or HEIC, and pypdf must read a PDF's pages. Images
are decoded and written again (which drops EXIF, location included; the orientation is
applied first so the photo still stands upright) and get a small thumbnail. Files are
stored through `portal.storage` under random names; the original name is kept for display
and for the download's file name only.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import storage
from portal.domain import DomainError
from portal.support.models import Attachment, Message, SupportRequest

pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_PIXELS = 50_000_000  # a 10 MB photo is far below this; a "decompression bomb" is not
THUMBNAIL_SIZE = (320, 320)
# A request carrying the most files allowed, plus room for the form's text fields.
UPLOAD_REQUEST_LIMIT = MAX_FILES * MAX_BYTES + 1024 * 1024
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,.heic,application/pdf"
# Pillow's format -> what we store: browsers cannot show HEIC, so it becomes JPEG.
_IMAGE_OUTPUT = {"JPEG": ("JPEG", "jpg", "image/jpeg"), "PNG": ("PNG", "png", "image/png"),
                 "WEBP": ("WEBP", "webp", "image/webp"), "HEIF": ("JPEG", "jpg", "image/jpeg")}
_UNSAFE_NAME = re.compile(r"[^\w .()-]+")


class AttachmentRefused(DomainError):
    """A file we cannot take; the message names the file and what to do."""


@dataclass(frozen=True)
class Upload:
    """What the browser sent: its file name and at most MAX_BYTES + 1 of its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class PreparedFile:
    filename: str
    content_type: str
    suffix: str
    data: bytes
    thumbnail: bytes | None


def prepare(uploads: Iterable[Upload], *, field: str = "attachments") -> list[PreparedFile]:
    """Checks and cleans every file first, so one bad file stores none of them."""
    files = [upload for upload in uploads if upload.filename or upload.data]
    if len(files) > MAX_FILES:
        raise AttachmentRefused(f"Attach at most {MAX_FILES} files to one message.", field=field)
    return [_prepare_one(upload, field) for upload in files]


def _prepare_one(upload: Upload, field: str) -> PreparedFile:
    name = display_name(upload.filename)
    if not upload.data:
        raise AttachmentRefused(f"“{name}” is empty.", field=field)
    if len(upload.data) > MAX_BYTES:
        raise AttachmentRefused(f"“{name}” is larger than 10 MB. Attach a smaller file or a "
                                "photo taken at a lower resolution.", field=field)
    if upload.data.startswith(b"%PDF-"):
        return _prepare_pdf(name, upload.data, field)
    return _prepare_image(name, upload.data, field)


def _prepare_pdf(name: str, data: bytes, field: str) -> PreparedFile:
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    if pages == 0:
        raise AttachmentRefused(f"“{name}” looks like a PDF but cannot be read; it may be "
                                "damaged. Save or export it again and attach the new copy.",
                                field=field)
    return PreparedFile(_with_suffix(name, "pdf"), "application/pdf", "pdf", data, None)


def _prepare_image(name: str, data: bytes, field: str) -> PreparedFile:
    unsupported = AttachmentRefused(
        f"“{name}” is not a file we accept. Attach photos (JPEG, PNG, WebP or HEIC) or "
        "PDF documents.", field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _IMAGE_OUTPUT:
                raise unsupported
            if image.width * image.height > MAX_PIXELS:
                raise AttachmentRefused(f"“{name}” has too many pixels; attach a smaller photo.",
                                        field=field)
            image.load()
    except UnidentifiedImageError:
        raise unsupported from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise AttachmentRefused(f"“{name}” could not be opened; it may be damaged. "
                                "Take or export the photo again.", field=field) from None
    pillow_format, suffix, content_type = _IMAGE_OUTPUT[image.format]
    upright = ImageOps.exif_transpose(image)
    return PreparedFile(_with_suffix(name, suffix), content_type, suffix,
                        _encode(upright, pillow_format), _thumbnail(upright, pillow_format))


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    """The pixels alone: no EXIF, GPS, XMP or comments survive a fresh encode."""
    if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 88} if pillow_format in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, pillow_format, **options)
    return out.getvalue()


def _thumbnail(image: Image.Image, pillow_format: str) -> bytes:
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    return _encode(small, pillow_format)


def display_name(filename: str | None) -> str:
    """A file name safe to show and to send back: no folders, odd characters or length."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")[:100]
    return cleaned or "file"


def _with_suffix(name: str, suffix: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:90]}.{suffix}"


def store(session: Session, *, message: Message, files: Iterable[PreparedFile]) -> list[Attachment]:
    """Writes the files to storage and records them on the message (in the caller's session)."""
    attached = []
    for prepared in files:
        key = storage.save(prepared.data, folder="attachments", suffix=prepared.suffix,
                           content_type=prepared.content_type)
        thumb = prepared.thumbnail and storage.save(
            prepared.thumbnail, folder="thumbnails", suffix=prepared.suffix,
            content_type=prepared.content_type)
        attachment = Attachment(message=message, filename=prepared.filename,
                                content_type=prepared.content_type,
                                size_bytes=len(prepared.data), storage_key=key,
                                thumbnail_key=thumb or None)
        session.add(attachment)
        attached.append(attachment)
    return attached


def find_attachment(
    session: Session, *, attachment_id: int, customer_id: int | None,
) -> Attachment | None:
    """An attachment on the shopper's own public messages, or any one for staff.

    `customer_id=None` means staff; another shopper's attachment is None (a 404).
    """
    statement = (
        select(Attachment).join(Message).join(SupportRequest)
        .where(Attachment.id == attachment_id)
    )
    if customer_id is not None:
        statement = statement.where(SupportRequest.customer_id == customer_id,
                                    Message.is_internal.is_(False))
    return session.scalar(statement)


def read_uploads(files: Iterable[object]) -> list[Upload]:
    """The browser's files (werkzeug FileStorage), each read only up to one byte past the cap."""
    uploads = []
    for file in files:
        filename = getattr(file, "filename", None) or ""
        stream = getattr(file, "stream", None)
        data = stream.read(MAX_BYTES + 1) if stream is not None else b""
        if filename or data:
            uploads.append(Upload(filename, data))
    return uploads
