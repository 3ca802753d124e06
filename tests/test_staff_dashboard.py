from portal.enums import Role
from tests.factories import make_customer


def test_dashboard_links_every_staff_area(client, session, login):
    login(client, make_customer(session, role=Role.STAFF))
    page = client.get("/staff/").get_data(as_text=True)
    for path in ("/staff/requests?status=open", "/staff/returns?status=requested",
                 "/staff/returns?status=in_transit", "/staff/content"):
        assert f'href="{path}"' in page
    assert client.get("/staff/content").status_code == 200
