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
