from portal.auth.models import Role
from tests.factories import make_customer


def test_dashboard_links_every_staff_area(client, session, login):
    login(client, make_customer(session, role=Role.STAFF))
    page = client.get("/staff/").get_data(as_text=True)
    for path in ("/staff/requests?status=open", "/staff/returns?status=requested",
                 "/staff/returns?status=in_transit", "/staff/content"):
        assert f'href="{path}"' in page
    assert client.get("/staff/content").status_code == 200


def test_dashboard_counts_what_waits_for_staff(session):
    from portal.returns.models import ReturnStatus
    from portal.staff.service import dashboard_counts
    from tests.factories import make_order
    from tests.factories.returns import make_return

    shopper = make_customer(session)
    for status in (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT,
                   ReturnStatus.RECEIVED, ReturnStatus.REFUNDED):
        make_return(session, make_order(session, shopper, lines=1), status=status)
    counts = dashboard_counts(session)
    assert (counts.returns_to_review, counts.returns_to_receive, counts.returns_to_refund) == (
        1, 2, 1)
