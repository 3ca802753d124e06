"""Attachments: type from content, re-encoded without location, limits, who may download."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from portal.auth.models import Role
from portal.support import attachments
from portal.support.attachments import AttachmentRefused, Upload
from portal.support.models import Attachment, SupportRequest
from tests.factories import make_customer
from tests.factories.support import count_rows, make_request
from tests.support.files import has_gps, pdf, photo

KEY = "0123456789abcdef0123456789abcdef"


# the rules, without HTTP


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_images_are_re_encoded_without_their_location(fmt) -> None:
    original = photo(fmt)
    if fmt == "JPEG":
        assert has_gps(original)
    (prepared,) = attachments.prepare([Upload("IMG_0001.jpeg", original)])
    assert not has_gps(prepared.data)
    assert Image.open(io.BytesIO(prepared.data)).format == fmt
    assert max(Image.open(io.BytesIO(prepared.thumbnail)).size) <= 320


def test_heic_is_read_and_stored_as_jpeg() -> None:
    import pillow_heif

    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), "red")).save(out, quality=80)
    (prepared,) = attachments.prepare([Upload("IMG_0002.HEIC", out.getvalue())])
    assert (prepared.content_type, prepared.filename) == ("image/jpeg", "IMG_0002.jpg")


def test_the_name_does_not_decide_the_type() -> None:
    (prepared,) = attachments.prepare([Upload("receipt.pdf", photo("PNG"))])
    assert prepared.content_type == "image/png" and prepared.filename == "receipt.png"
    with pytest.raises(AttachmentRefused, match="not a file we accept"):
        attachments.prepare([Upload("photo.jpg", b"<script>alert(1)</script>")])
    with pytest.raises(AttachmentRefused, match="not a file we accept"):
        attachments.prepare([Upload("photo.gif", _gif())])


def test_pdf_is_kept_and_a_damaged_one_refused() -> None:
    (prepared,) = attachments.prepare([Upload("invoice.pdf", pdf())])
    assert prepared.content_type == "application/pdf" and prepared.thumbnail is None
    with pytest.raises(AttachmentRefused, match="cannot be read"):
        attachments.prepare([Upload("invoice.pdf", b"%PDF-1.7\n garbage")])


def test_corrupt_image_oversized_file_and_too_many_files_are_refused() -> None:
    with pytest.raises(AttachmentRefused, match="damaged"):
        attachments.prepare([Upload("lamp.jpg", photo()[:600])])
    with pytest.raises(AttachmentRefused, match="larger than 10 MB"):
        attachments.prepare([Upload("big.jpg", b"\xff" * (attachments.MAX_BYTES + 1))])
    with pytest.raises(AttachmentRefused, match="at most 5"):
        attachments.prepare([Upload(f"{n}.pdf", pdf()) for n in range(6)])


def test_display_name_drops_folders_and_odd_characters() -> None:
    assert attachments.display_name("C:\\Users\\me\\..\\lamp <1>.jpg") == "lamp _1_.jpg"
    assert attachments.display_name("../../etc/passwd") == "passwd"
    assert attachments.display_name("") == "file"


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    return out.getvalue()


# the pages


def _contact(**files) -> dict[str, object]:
    return {"category": "order", "order": "", "subject": "Lamp arrived broken",
            "message": "The shade is cracked, photo attached.", "idempotency_key": KEY,
            "search_query": "", **files}


def test_request_with_a_photo_shows_it_to_the_owner_only(app, client, session, login) -> None:
    owner, stranger = make_customer(session), make_customer(session)
    login(client, owner)
    response = client.post("/contact", data=_contact(
        attachments=[(io.BytesIO(photo()), "lamp.jpg"), (io.BytesIO(pdf()), "receipt.pdf")]),
        content_type="multipart/form-data")
    assert response.status_code == 302
    image, document = session.scalars(select(Attachment).order_by(Attachment.id)).all()
    page = client.get(response.location).text
    assert f"/attachments/{image.id}/thumbnail" in page and "receipt.pdf" in page

    served = client.get(f"/attachments/{image.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "no-store" in served.headers["Cache-Control"]
    assert not has_gps(served.data)
    download = client.get(f"/attachments/{document.id}")
    assert download.headers["Content-Disposition"] == "attachment; filename=receipt.pdf"

    other = app.test_client()
    login(other, stranger)
    assert other.get(f"/attachments/{image.id}").status_code == 404
    assert other.get(f"/attachments/{image.id}/thumbnail").status_code == 404
    assert other.get("/attachments/999999").status_code == 404


def test_staff_see_the_photo_in_the_request_view(app, client, session, login) -> None:
    owner, staff = make_customer(session), make_customer(session, role=Role.STAFF)
    login(client, owner)
    client.post("/contact", data=_contact(attachments=[(io.BytesIO(photo()), "lamp.jpg")]),
                content_type="multipart/form-data")
    number = session.scalar(select(SupportRequest.number))
    image = session.scalar(select(Attachment))
    console = app.test_client()
    login(console, staff)
    assert f"/attachments/{image.id}/thumbnail" in console.get(f"/staff/requests/{number}").text
    assert console.get(f"/attachments/{image.id}").status_code == 200


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"MZ\x90\x00 not a photo", "lamp.jpg", "not a file we accept"),
    (b"\xff" * (10 * 1024 * 1024 + 1), "huge.jpg", "larger than 10 MB"),
    (None, "lamp.jpg", "damaged"),
])
def test_a_bad_file_keeps_the_text_and_says_why(client, session, login, content, name,
                                                message) -> None:
    login(client, make_customer(session))
    content = photo()[:600] if content is None else content
    response = client.post("/contact", data=_contact(attachments=[(io.BytesIO(content), name)]),
                           content_type="multipart/form-data")
    html = response.text
    assert response.status_code == 422
    assert message in html and "choose the files again" in html
    assert 'id="attachments-error"' in html
    assert "The shade is cracked, photo attached." in html and "Lamp arrived broken" in html
    assert count_rows(session, SupportRequest) == 0


def test_a_reply_can_carry_a_photo(client, session, login) -> None:
    owner = make_customer(session)
    support_request = make_request(session, owner)
    login(client, owner)
    response = client.post(f"/requests/{support_request.number}/reply", data={
        "body": "Here is the label.", "attachments": [(io.BytesIO(photo("PNG")), "label.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert count_rows(session, Attachment) == 1
