import pytest


@pytest.mark.parametrize(
    "headers,fragment",
    [({}, False), ({"HX-Request": "true"}, True),
     ({"HX-Request": "true", "HX-Boosted": "true"}, False),
     ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False)],
)
def test_only_a_swap_request_gets_the_fragment(client, headers, fragment):
    response = client.get("/no-such-page", headers=headers)
    page = response.get_data(as_text=True)
    assert ("<html" not in page) is fragment
    assert "HX-Request" in response.headers["Vary"]


def test_nul_bytes_are_refused_before_they_reach_the_database(client, session, login):
    from tests.factories import make_customer

    login(client, make_customer(session))
    assert client.get("/help/search?q=%00").status_code == 400
    response = client.post("/account", data={"name": "Ada\x00", "time_zone": "UTC"})
    assert response.status_code == 400


def test_an_id_beyond_the_database_integer_is_a_404(client, session, login):
    from tests.factories import make_customer

    login(client, make_customer(session))
    assert client.post("/account/addresses/1099511627776/delete").status_code == 404
