from portal.orders.models import OrderStatus
from tests.factories import make_customer, make_order


def test_home_shows_the_latest_orders_in_plain_words(client, session, login):
    shopper = make_customer(session, name="Ada Lovelace")
    orders = [make_order(session, shopper, lines=1, number=f"NW90000{i}") for i in range(4)]
    make_order(session, make_customer(session), lines=1, number="NW999999")
    login(client, shopper)
    page = client.get("/").get_data(as_text=True)
    assert "Your latest orders" in page
    shown = [order.number for order in orders if f"Order {order.number}" in page]
    assert len(shown) == 3
    assert "NW999999" not in page


def test_home_costs_the_same_queries_for_a_short_and_a_long_history(
    client, session, login, query_count
):
    shopper = make_customer(session)
    make_order(session, shopper, lines=1, status=OrderStatus.DELIVERED)
    login(client, shopper)
    with query_count() as few:
        client.get("/")
    for _ in range(15):
        make_order(session, shopper, lines=2)
    with query_count() as many:
        client.get("/")
    assert few.count == many.count


def test_staff_go_to_the_console(client, session, login):
    from portal.auth.models import Role

    login(client, make_customer(session, role=Role.STAFF))
    assert client.get("/").location == "/staff/"
