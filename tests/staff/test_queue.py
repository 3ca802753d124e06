"""The staff queue's saved views, search, sorting, bulk changes; the audit log; staff menu."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.audit import AuditEvent, record_event
from portal.auth.models import Role
from portal.db import utcnow
from portal.support.models import RequestPriority, RequestStatus, SupportRequest
from tests.factories import make_customer, make_order
from tests.factories.support import add_message, count_rows, make_request

HTMX = {"HX-Request": "true"}


def _view_count(html: str, label: str) -> int:
    match = re.search(rf">{re.escape(label)} <span class=\"badge[^\"]*\">(\d+)</span>", html)
    assert match, f"no count for {label}"
    return int(match.group(1))


def test_saved_views_hold_the_right_requests_with_counts(client, session, login, staff,
                                                         shopper) -> None:
    fresh = make_request(session, shopper, subject="Fresh one")
    late = make_request(session, shopper, subject="Long forgotten", priority=RequestPriority.URGENT,
                        created_at=utcnow() - timedelta(days=10))
    mine = make_request(session, shopper, subject="Mine to answer", assignee=staff)
    mine.first_response_at = utcnow()
    waiting = make_request(session, shopper, subject="Waiting on them",
                           status=RequestStatus.AWAITING_CUSTOMER)
    waiting.first_response_at = utcnow()
    done = make_request(session, shopper, subject="Done recently", status=RequestStatus.RESOLVED,
                        created_at=utcnow() - timedelta(minutes=5))
    old_done = make_request(session, shopper, subject="Done long ago",
                            status=RequestStatus.RESOLVED, created_at=utcnow() - timedelta(days=30))
    session.commit()
    login(client, staff)

    html = client.get("/staff/requests").text
    expected = {"New": 2, "Mine": 1, "Unassigned": 3, "Waiting on us": 3,
                "Waiting on the shopper": 1, "Breaching SLA": 1, "Resolved this week": 1}
    assert {label: _view_count(html, label) for label in expected} == expected

    def numbers(view: str) -> set[str]:
        page = client.get(f"/staff/requests?view={view}").text
        everyone = (fresh, late, mine, waiting, done, old_done)
        return {r.number for r in everyone if r.number in page}

    assert numbers("new") == {fresh.number, late.number}
    assert numbers("mine") == {mine.number}
    assert numbers("waiting_on_shopper") == {waiting.number}
    assert numbers("breaching") == {late.number}
    assert numbers("resolved_this_week") == {done.number}
    breaching = client.get("/staff/requests?view=breaching").text
    assert "sla-breached" in breaching and "Overdue" in breaching


def test_resolved_requests_show_no_waiting_time(client, session, login, staff, shopper) -> None:
    make_request(session, shopper, status=RequestStatus.RESOLVED,
                 created_at=utcnow() - timedelta(days=700))
    login(client, staff)
    html = client.get("/staff/requests?status=resolved").text
    assert "Waiting" not in html.split('id="queue"')[1].split("<table")[1]
    assert "SLA met" in html  # the factory resolves it the moment it was written


def test_search_finds_by_number_order_email_name_and_thread(client, session, login, staff) -> None:
    ada = make_customer(session, name="Ada Lovelace", email="ada@example.org")
    bob = make_customer(session, name="Bob Builder", email="bob@example.org")
    order = make_order(session, bob, lines=1)
    by_ada = make_request(session, ada, subject="Parcel missing")
    by_bob = make_request(session, bob, subject="Invoice question", order=order)
    add_message(session, by_bob, bob, "The zebra-striped scarf arrived torn")
    login(client, staff)

    def found(q: str) -> set[str]:
        html = client.get("/staff/requests", query_string={"q": q}).text
        return {r.number for r in (by_ada, by_bob) if r.number in html}

    assert found(by_ada.number.lower()) == {by_ada.number}
    assert found(order.number) == {by_bob.number}
    assert found("ADA@example.org") == {by_ada.number}
    assert found("lovelace") == {by_ada.number}
    assert found("scarf torn") == {by_bob.number}
    assert found("nothing like this") == set()
    for hostile in ("%", "_", "' OR 1=1 --", "\\", "x" * 500, "<script>"):
        response = client.get("/staff/requests", query_string={"q": hostile})
        assert response.status_code == 200
    assert "<script>" not in client.get("/staff/requests?q=<script>").text.split("<main")[1]


def test_sorting_newest_first(client, session, login, staff, shopper) -> None:
    older = make_request(session, shopper, created_at=utcnow() - timedelta(days=2),
                         priority=RequestPriority.URGENT)
    newer = make_request(session, shopper, created_at=utcnow() - timedelta(hours=1))
    login(client, staff)
    html = client.get("/staff/requests?sort=newest").text
    assert html.index(newer.number) < html.index(older.number)
    html = client.get("/staff/requests?sort=priority").text
    assert html.index(older.number) < html.index(newer.number)
    assert client.get("/staff/requests?sort=DROP").status_code == 200


def test_bulk_assign_and_status_are_audited(client, session, login, staff, shopper) -> None:
    first, second, untouched = (make_request(session, shopper) for _ in range(3))
    login(client, staff)
    response = client.post("/staff/requests/bulk", data={
        "numbers": [first.number, second.number, "REQ-NOSUCH"], "assignee": str(staff.id),
        "status": "awaiting_customer", "back": "view=unassigned&q=parcel"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/requests?view=unassigned&q=parcel")
    session.expire_all()
    rows = {r.number: r for r in session.scalars(select(SupportRequest))}
    for number in (first.number, second.number):
        assert rows[number].assignee_id == staff.id
        assert rows[number].status == RequestStatus.AWAITING_CUSTOMER
        assert rows[number].sla_paused_at is not None  # the clock stops for the shopper
    assert rows[untouched.number].assignee_id is None
    assert count_rows(session, AuditEvent) == 4
    # Again: nothing changes, nothing is logged.
    client.post("/staff/requests/bulk", data={"numbers": [first.number], "assignee": str(staff.id)})
    assert count_rows(session, AuditEvent) == 4


def test_bulk_refuses_empty_choices_and_strangers(client, session, login, staff, shopper) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    response = client.post("/staff/requests/bulk", data={"status": "closed"},
                           follow_redirects=True)
    assert "Tick at least one request." in response.text
    response = client.post("/staff/requests/bulk", data={"numbers": [request.number]},
                           follow_redirects=True)
    assert "Choose a status or an assignee" in response.text
    response = client.post("/staff/requests/bulk",
                           data={"numbers": [request.number], "assignee": str(shopper.id)},
                           follow_redirects=True)
    assert response.status_code == 200
    response = client.post("/staff/requests/bulk", data={
        "numbers": [request.number], "status": "closed", "back": "https://evil.example/"})
    assert response.headers["Location"] == "/staff/requests"
    session.refresh(request)
    assert request.assignee_id is None and request.status == RequestStatus.CLOSED
    client.post("/logout")
    login(client, shopper)
    assert client.post("/staff/requests/bulk", data={"numbers": [request.number],
                                                     "status": "open"}).status_code == 404


def test_refresh_keeps_ticks_and_detail_links_to_neighbours(client, session, login, staff,
                                                            shopper) -> None:
    first = make_request(session, shopper, priority=RequestPriority.URGENT)
    second = make_request(session, shopper)
    login(client, staff)
    fragment = client.get("/staff/requests?view=new", headers=HTMX).text
    assert fragment.lstrip().startswith('<section id="queue"')
    assert f'id="tick-{first.number}" hx-preserve="true"' in fragment
    assert 'hx-get="/staff/requests?page=1&amp;view=new"' in fragment
    detail = client.get(f"/staff/requests/{first.number}?view=new").text
    assert f'rel="next" href="/staff/requests/{second.number}?view=new"' in detail
    assert 'rel="prev"' not in detail
    assert "js/staff-keys.js" in detail


def test_audit_log_filters_by_staff_object_and_action(client, session, login, staff,
                                                      shopper) -> None:
    other = make_customer(session, name="Olga Other", role=Role.STAFF)
    record_event(session, actor_id=staff.id, action="support.assigned",
                 object_type="support_request", object_id="REQ-AAAAAA", old=None, new="1")
    record_event(session, actor_id=other.id, action="order.cancelled", object_type="order",
                 object_id="NW-1001")
    record_event(session, actor_id=other.id, action="support.assigned",
                 object_type="support_request", object_id="REQ-BBBBBB")
    session.commit()
    login(client, staff)

    def shown(**args: str) -> set[str]:
        html = client.get("/staff/audit", query_string=args).text
        return {number for number in ("REQ-AAAAAA", "NW-1001", "REQ-BBBBBB") if number in html}

    assert shown() == {"REQ-AAAAAA", "NW-1001", "REQ-BBBBBB"}
    assert shown(actor=str(other.id)) == {"NW-1001", "REQ-BBBBBB"}
    assert shown(object_type="order") == {"NW-1001"}
    assert shown(object_id="REQ-BBBBBB") == {"REQ-BBBBBB"}
    assert shown(action="support.assigned", actor=str(staff.id)) == {"REQ-AAAAAA"}
    assert shown(actor="99999999999", action="<b>") == {"REQ-AAAAAA", "NW-1001", "REQ-BBBBBB"}
    assert client.get("/staff/audit?object_type=order", headers=HTMX).text.lstrip().startswith(
        '<section id="audit-events"')
    client.post("/logout")
    login(client, shopper)
    assert client.get("/staff/audit").status_code == 404


def test_staff_get_the_console_menu_instead_of_the_shoppers(client, session, login, staff,
                                                            shopper) -> None:
    login(client, staff)
    nav = client.get("/staff/").text.split('aria-label="Main"')[1].split("</nav>")[0]
    for label in ("Queue", "Returns", "Content", "Audit log"):
        assert f">{label}</a>" in nav
    assert ">Billing</a>" not in nav
    client.post("/logout")
    login(client, shopper)
    nav = client.get("/orders").text.split('aria-label="Main"')[1].split("</nav>")[0]
    assert ">Billing</a>" in nav and "Audit log" not in nav
