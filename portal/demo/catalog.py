"""The demo store's catalogue: ~150 products across physical and digital categories."""

from __future__ import annotations

import random
from dataclasses import dataclass

from portal.demo.rows import RowWriter
from portal.orders.models import Product


@dataclass(frozen=True)
class CatalogItem:
    id: int
    sku: str
    name: str
    category: str
    price_cents: int
    tax_rate_bp: int
    is_returnable: bool
    is_digital: bool


# category -> (sku prefix, tax rate in basis points, price range in dollars, nouns)
_PHYSICAL = {
    "Apparel": ("APP", 600, (19, 129), [
        "Crew Tee", "Oxford Shirt", "Merino Sweater", "Rain Jacket", "Chino Trousers",
        "Hooded Sweatshirt", "Linen Shirt", "Puffer Vest", "Denim Jacket", "Flannel Shirt",
        "Wool Coat", "Jogger Pants",
    ]),
    "Shoes": ("SHO", 600, (49, 189), [
        "Trail Runner", "Leather Sneaker", "Chelsea Boot", "Canvas Slip-On", "Hiking Boot",
        "House Slipper", "Rain Boot",
    ]),
    "Home": ("HOM", 825, (15, 249), [
        "Throw Blanket", "Linen Duvet Cover", "Table Lamp", "Cotton Bath Towel Set",
        "Ceramic Vase", "Wall Clock", "Cushion Cover", "Wool Rug",
    ]),
    "Kitchen": ("KIT", 825, (9, 199), [
        "Chef's Knife", "Cast Iron Skillet", "Pour-Over Kettle", "Stoneware Mug Set",
        "Cutting Board", "Dutch Oven", "Salad Bowl", "Espresso Cups",
    ]),
    "Accessories": ("ACC", 825, (9, 89), [
        "Leather Belt", "Canvas Tote", "Wool Beanie", "Card Wallet", "Silk Scarf",
        "Sunglasses", "Weekender Bag", "Umbrella",
    ]),
}
_ADJECTIVES = [
    "Classic", "Everyday", "Coastal", "Heritage", "Harbor", "Alpine", "Meadow", "Urban",
    "Northern", "Studio",
]
_COLOURS = ["Navy", "Charcoal", "Oat", "Olive", "Rust", "Slate", "Ivory", "Forest", "Sand"]
_EBOOKS = [
    "The Capsule Wardrobe Guide", "Cooking with Cast Iron", "Small Space Living",
    "Caring for Leather", "A Year of Slow Mornings", "The Weekend Baker",
    "Natural Fabric Care", "Plants for Dark Corners",
]
_GIFT_CARD_VALUES = (25, 50, 100)


def _dollars(rng: random.Random, low: int, high: int) -> int:
    """A shop-like price: whole dollars ending in .00, .50 or .99 (in cents)."""
    return rng.randint(low, high) * 100 - rng.choice((0, 0, 50, 1))


def build_catalog(writer: RowWriter, rng: random.Random, *, size: int = 150) -> list[CatalogItem]:
    """Queues the products and returns them; about one in ten physical items is final sale."""
    specs: list[tuple[str, str, int, int, bool, bool, str]] = []
    for value in _GIFT_CARD_VALUES:
        specs.append((f"Gift card ${value}", "Gift cards", value * 100, 0, False, True, "GFT"))
    for title in _EBOOKS:
        specs.append((f"{title} (e-book)", "E-books", _dollars(rng, 7, 19), 500, False, True,
                      "EBK"))
    physical_needed = max(size - len(specs), 1)
    combos = [
        (category, noun)
        for category, (_prefix, _tax, _range, nouns) in _PHYSICAL.items()
        for noun in nouns
    ]
    seen: set[str] = set()
    while len(specs) < len(_GIFT_CARD_VALUES) + len(_EBOOKS) + physical_needed:
        category, noun = rng.choice(combos)
        prefix, tax, (low, high), _nouns = _PHYSICAL[category]
        name = f"{rng.choice(_ADJECTIVES)} {noun}, {rng.choice(_COLOURS)}"
        if name in seen:
            continue
        seen.add(name)
        final_sale = rng.random() < 0.1
        specs.append((name, category, max(_dollars(rng, low, high), 100), tax, not final_sale,
                      False, prefix))
    items = []
    for number, (name, category, price, tax, returnable, digital, prefix) in enumerate(specs, 1):
        sku = f"{prefix}-{number:04d}"
        product_id = writer.add(
            Product, sku=sku, name=name, category=category, price_cents=price, tax_rate_bp=tax,
            is_returnable=returnable, is_digital=digital,
        )
        items.append(CatalogItem(product_id, sku, name, category, price, tax, returnable, digital))
    return items
