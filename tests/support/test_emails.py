"""Emails that invite an answer: replies by email land in the thread, the survey rates once."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import select

from portal.auth.models import Role
from portal.support.models import Message, RequestStatus, SatisfactionRating
from tests.factories import make_customer
from tests.factories.support import count_rows, make_request


def _staff_reply(app, session, login, body="Could you send a photo of the lamp?"):
    shopper = make_customer(session, name="Ada Lovelace")
    staff = make_customer(session, role=Role.STAFF, name="Sam Staff")
    support_request = make_request(session, shopper, subject="Lamp broken")
    console = app.test_client()
    login(console, staff)
    console.post(f"/staff/requests/{support_request.number}/messages",
                 data={"body": body, "visibility": "public"})
    return shopper, staff, support_request, console


def _plain_text(mail) -> str:
    parsed = message_from_bytes(mail.as_bytes(), policy=policy.default)
    return parsed.get_body(("plain",)).get_content()


def _last_mail(outbox):
    return outbox()[-1]


def test_a_staff_reply_is_emailed_with_html_and_a_signed_reply_to(app, session, login,
                                                                   outbox) -> None:
    _shopper, _staff, support_request, _console = _staff_reply(app, session, login)
    mail = _last_mail(outbox)
    reply_to = mail["Reply-To"]
    assert re.fullmatch(rf"reply\+{support_request.number.lower()}\.[0-9a-f]{{20}}"
                        r"@reply\.example\.com", reply_to)
    assert mail.is_multipart()
    kinds = [part.get_content_type() for part in mail.walk()]
    assert "text/plain" in kinds and "text/html" in kinds


def _answer(client, to, sender, text):
    return client.post("/api/inbound-mail", data={
        "to": to, "from": f"Ada Lovelace <{sender}>", "subject": "Re: Lamp broken",
        "text": text, "envelope": json.dumps({"to": [to], "from": sender})})


QUOTED = ("Here it is, the shade is cracked.\n\n"
          "On Mon, Nov 30, 2026 at 10:00 AM Northwind <support@example.com> wrote:\n"
          "> Could you send a photo of the lamp?\n")


def test_an_answer_by_email_lands_in_the_thread_without_the_quote(app, client, session,
                                                                  login, outbox) -> None:
    shopper, _staff, support_request, _console = _staff_reply(app, session, login)
    response = _answer(client, _last_mail(outbox)["Reply-To"], shopper.email, QUOTED)
    assert response.status_code == 200 and response.json["accepted"]
    last = session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert last.body == "Here it is, the shade is cracked."
    assert last.author_id == shopper.id
    session.refresh(support_request)
    assert support_request.status is RequestStatus.OPEN
    # a provider retrying the same post adds nothing
    _answer(client, _last_mail(outbox)["Reply-To"], shopper.email, QUOTED)
    assert count_rows(session, Message) == 3


def test_a_raw_rfc822_answer_is_accepted(app, client, session, login, outbox) -> None:
    shopper, _staff, _request, _console = _staff_reply(app, session, login)
    raw = EmailMessage()
    raw["From"] = shopper.email
    raw["To"] = _last_mail(outbox)["Reply-To"]
    raw["Subject"] = "Re: Lamp broken"
    raw.set_content(QUOTED)
    response = client.post("/api/inbound-mail", data=bytes(raw),
                           content_type="message/rfc822")
    assert response.status_code == 200
    assert session.scalars(select(Message).order_by(Message.id.desc())).first().body == (
        "Here it is, the shade is cracked.")


def test_forged_reply_addresses_and_strangers_are_refused(app, client, session, login,
                                                          outbox) -> None:
    shopper, _staff, support_request, _console = _staff_reply(app, session, login)
    genuine = _last_mail(outbox)["Reply-To"]
    other = make_request(session, shopper, subject="Another one")
    forged = [
        genuine.replace(support_request.number.lower(), other.number.lower()),  # another thread
        f"reply+{support_request.number.lower()}.{'0' * 20}@reply.example.com",  # bad MAC
        genuine.replace("reply.example.com", "evil.example.com"),
        "support@example.com",
    ]
    for address in forged:
        assert _answer(client, address, shopper.email, "Hello").status_code == 406
    assert _answer(client, genuine, "mallory@example.com", "Refund me").status_code == 406
    assert count_rows(session, Message) == 3  # the two first messages and the staff reply


def test_the_endpoint_checks_its_secret_when_one_is_set(app, client) -> None:
    app.config["INBOUND_MAIL_SECRET"] = "s3cret"
    assert client.post("/api/inbound-mail?key=wrong", data={"to": "x"}).status_code == 401


def _resolve(console, support_request):
    console.post(f"/staff/requests/{support_request.number}/triage", data={
        "status": "resolved", "priority": "normal", "category": "delivery", "assignee": ""})


def test_resolving_sends_a_survey_whose_link_rates_once(app, client, session, login,
                                                        outbox) -> None:
    _shopper, _staff, support_request, console = _staff_reply(app, session, login)
    _resolve(console, support_request)
    survey = _last_mail(outbox)
    assert survey["Subject"].startswith("How did we do?")
    text = _plain_text(survey)
    links = re.findall(r"https://portal\.example(/survey/[^/\s]+/)(\d)", text)
    assert len({score for _path, score in links}) == 5
    path = links[0][0]
    assert client.head(f"{path}4").status_code == 200
    assert count_rows(session, SatisfactionRating) == 0  # a link scanner rates nothing

    page = client.get(f"{path}4")  # one click, no sign-in
    assert page.status_code == 200 and "4 out of 5" in page.text
    rating = session.scalars(select(SatisfactionRating)).one()
    assert rating.score == 4
    client.post(f"{path}comment",
                data={"comment": "Quick and kind."})
    session.refresh(rating)
    assert rating.comment == "Quick and kind."

    reused = client.get(f"{path}1")
    assert "already rated" in reused.text
    session.refresh(rating)
    assert rating.score == 4


def test_a_tampered_survey_link_is_a_404(client) -> None:
    assert client.get("/survey/not-a-token/5").status_code == 404
