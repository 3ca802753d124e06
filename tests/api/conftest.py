import pytest

from portal.orders.models import ShipmentStatus
from tests.factories import make_customer, make_order
from tests.factories.parcels import make_shipment


@pytest.fixture
def parcel(session):
    """A UPS parcel, 1ZTEST0001, of an order of ada@example.com."""
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    order = make_order(session, customer)
    return make_shipment(session, order, carrier="ups", tracking_number="1ZTEST0001",
                         status=ShipmentStatus.INFO_RECEIVED)
