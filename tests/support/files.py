"""Files for attachment tests, made on the spot with Pillow and pypdf."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter

GPS_IFD = 0x8825


def photo(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), *, gps: bool = True) -> bytes:
    """A photo with a camera's GPS position in its EXIF, as phones write it."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))
