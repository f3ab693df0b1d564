"""Product catalog: a few hundred products in ten categories, with one mid-history update."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field

from ingestion.generator.clock import DAY_MS, HOUR_MS, date_str, iso_naive
from ingestion.generator.ids import make_scrambler
from ingestion.generator.reference import FX_FROM_USD, SHOP_DOMAIN, SITE
from ingestion.sources.catalog import COLUMNS as CATALOG_COLUMNS

# The documented catalog header, owned by the loader.
CATALOG_HEADER = CATALOG_COLUMNS

# category: (sku code, brands, {subcategory: nouns}, adjectives, (min, max) USD price)
_CATEGORIES: dict[
    str,
    tuple[str, tuple[str, ...], dict[str, tuple[str, ...]], tuple[str, ...], tuple[float, float]],
] = {
    "Apparel": (
        "APP",
        ("Alder & Co", "Northbound", "Linen Lane", "Harbor Wool"),
        {
            "Tops": ("Crew Tee", "Oxford Shirt", "Henley", "Merino Sweater", "Hoodie"),
            "Bottoms": ("Chino", "Slim Jeans", "Joggers", "Pleated Skirt"),
            "Outerwear": ("Rain Jacket", "Puffer Vest", "Wool Coat", "Denim Jacket"),
        },
        ("Classic", "Relaxed", "Organic", "Everyday", "Heritage", "Lightweight"),
        (18.0, 180.0),
    ),
    "Footwear": (
        "FTW",
        ("Stride Labs", "Cobble & Lace", "Trailform"),
        {
            "Sneakers": ("Runner", "Court Sneaker", "Knit Trainer"),
            "Boots": ("Chelsea Boot", "Hiking Boot", "Rain Boot"),
            "Sandals": ("Slide", "Sport Sandal"),
        },
        ("Cloudfoam", "Waterproof", "Vegan Leather", "Recycled", "All-Terrain"),
        (35.0, 220.0),
    ),
    "Accessories": (
        "ACC",
        ("Fieldnote", "Brass & Thread", "Alder & Co"),
        {
            "Bags": ("Tote", "Backpack", "Crossbody Bag", "Weekender"),
            "Jewelry": ("Hoop Earrings", "Chain Necklace", "Signet Ring"),
            "Hats": ("Beanie", "Baseball Cap", "Bucket Hat"),
        },
        ("Canvas", "Leather", "Sterling", "Minimal", "Woven"),
        (12.0, 160.0),
    ),
    "Home & Kitchen": (
        "HOM",
        ("Hearthware", "Copper Kettle Co", "Nestwell"),
        {
            "Cookware": ("Skillet", "Dutch Oven", "Saucepan Set", "Chef Knife"),
            "Decor": ("Throw Pillow", "Ceramic Vase", "Scented Candle", "Wall Print"),
            "Bedding": ("Duvet Cover", "Linen Sheet Set", "Weighted Blanket"),
        },
        ("Cast Iron", "Stoneware", "Hand-Thrown", "Organic Cotton", "Nordic"),
        (9.0, 240.0),
    ),
    "Beauty": (
        "BTY",
        ("Lumen Botanics", "Pure Ritual", "Glowhouse"),
        {
            "Skincare": ("Face Serum", "Moisturizer", "Cleansing Balm", "SPF 50 Fluid"),
            "Makeup": ("Lip Tint", "Mascara", "Cushion Foundation"),
            "Hair": ("Repair Mask", "Dry Shampoo", "Scalp Oil"),
        },
        ("Hydrating", "Vitamin C", "Fragrance-Free", "Overnight", "Mineral"),
        (8.0, 85.0),
    ),
    "Electronics": (
        "ELC",
        ("Voltix", "Sonique", "Pixelry"),
        {
            "Audio": ("Wireless Earbuds", "Bluetooth Speaker", "Over-Ear Headphones"),
            "Accessories": ("USB-C Charger", "Power Bank", "Phone Case", "Cable Kit"),
            "Smart Home": ("Smart Plug", "Video Doorbell", "LED Bulb Pack"),
        },
        ("Noise-Cancelling", "Fast-Charge", "Compact", "Pro", "Waterproof"),
        (12.0, 350.0),
    ),
    "Sports & Outdoors": (
        "SPO",
        ("Trailform", "Summit Supply", "Pace Athletics"),
        {
            "Fitness": ("Yoga Mat", "Resistance Bands", "Kettlebell", "Foam Roller"),
            "Camping": ("Tent", "Sleeping Bag", "Camp Stove", "Headlamp"),
            "Cycling": ("Bike Light Set", "Cycling Gloves", "Saddle Bag"),
        },
        ("Ultralight", "Pro", "Eco", "Insulated", "Reflective"),
        (10.0, 300.0),
    ),
    "Toys & Games": (
        "TOY",
        ("Tinker Tots", "Meeple House", "Brightblocks"),
        {
            "Board Games": ("Strategy Game", "Party Game", "Co-op Adventure"),
            "Building": ("Brick Set", "Magnetic Tiles", "Marble Run"),
            "Puzzles": ("1000-Piece Puzzle", "3D Puzzle", "Brain Teaser Set"),
        },
        ("Family", "Deluxe", "Travel", "Junior", "Collector's"),
        (9.0, 120.0),
    ),
    "Books": (
        "BOK",
        ("Lantern Press", "Quire Books", "Hollow Oak Publishing"),
        {
            "Fiction": ("Novel", "Short Stories", "Thriller"),
            "Cooking": ("Cookbook", "Baking Guide"),
            "Kids": ("Picture Book", "Activity Book"),
        },
        ("Bestselling", "Illustrated", "Paperback", "Hardcover", "Signed"),
        (7.0, 45.0),
    ),
    "Grocery": (
        "GRO",
        ("Good Pantry", "Roast Collective", "Field & Jar"),
        {
            "Coffee & Tea": ("Espresso Beans", "Ground Coffee", "Green Tea", "Chai Blend"),
            "Snacks": ("Granola", "Dark Chocolate Bar", "Trail Mix"),
            "Pantry": ("Olive Oil", "Hot Sauce", "Pasta Trio"),
        },
        ("Single-Origin", "Organic", "Small-Batch", "Fair Trade", "Smoked"),
        (4.0, 40.0),
    ),
}

CATEGORY_NAMES: tuple[str, ...] = tuple(_CATEGORIES)


@dataclass(frozen=True, slots=True)
class Product:
    """One catalog product.

    Attributes:
        product_id: Shop product id (13-digit string), used in events, orders and the catalog.
        sku: Stock keeping unit.
        name: Display name.
        category: Top-level category.
        subcategory: Subcategory.
        brand: Brand.
        base_price: List price in USD at the start of history.
        slug: URL slug.
        weight: Popularity weight (Zipf-like).
    """

    product_id: str
    sku: str
    name: str
    category: str
    subcategory: str
    brand: str
    base_price: float
    slug: str
    weight: float

    @property
    def url(self) -> str:
        """Product page URL."""
        return f"{SITE}/products/{self.slug}"

    @property
    def image_url(self) -> str:
        """Product image URL."""
        return f"https://cdn.{SHOP_DOMAIN}/images/{self.slug}.jpg"


@dataclass(slots=True)
class CatalogVersion:
    """The catalog as it stands from ``from_ms`` on.

    Attributes:
        from_ms: First instant this version applies to.
        prices: USD price per product id.
        pools: Active products per category with cumulative popularity weights.
        everything: All active products with cumulative weights.
    """

    from_ms: int
    prices: dict[str, float]
    pools: dict[str, tuple[list[Product], list[float]]] = field(default_factory=dict)
    everything: tuple[list[Product], list[float]] = field(default_factory=lambda: ([], []))


def _pool(products: list[Product]) -> tuple[list[Product], list[float]]:
    return products, list(itertools.accumulate(p.weight for p in products))


@dataclass(slots=True)
class Catalog:
    """Products plus their versions over the simulated history.

    Attributes:
        products: Every product ever listed, in id order.
        versions: Catalog versions ordered by ``from_ms``.
        files: ``(relative path, rows)`` for the ``catalog/`` landing folder.
    """

    products: list[Product]
    versions: list[CatalogVersion]
    files: list[tuple[str, list[list[str]]]]
    by_id: dict[str, Product] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)
    _local: dict[tuple[str, float, str], float] = field(default_factory=dict)

    def version_at(self, ms: int) -> CatalogVersion:
        """Return the catalog version valid at ``ms``."""
        if not self._starts:
            self._starts = [v.from_ms for v in self.versions]
        idx = bisect.bisect_right(self._starts, ms) - 1
        return self.versions[max(idx, 0)]

    def pick(self, rng: random.Random, ms: int, category: str | None) -> Product:
        """Pick a product by popularity, from ``category`` when given."""
        version = self.version_at(ms)
        products, cum = (
            version.pools.get(category, version.everything) if category else (version.everything)
        )
        if not products:
            products, cum = version.everything
        return products[bisect.bisect_left(cum, rng.random() * cum[-1])]

    def price(self, product: Product, ms: int, currency: str) -> float:
        """Return the shelf price of ``product`` at ``ms`` in ``currency`` (charm pricing)."""
        usd = self.version_at(ms).prices.get(product.product_id, product.base_price)
        key = (product.product_id, usd, currency)
        cached = self._local.get(key)
        if cached is None:
            raw = usd * FX_FROM_USD[currency]
            cached = round(round(raw) - 0.01, 2) if raw >= 10 else round(round(raw, 1) - 0.01, 2)
            self._local[key] = max(cached, 0.99)
            cached = self._local[key]
        return cached


def _slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def build_catalog(seed: int, start_ms: int, end_ms: int) -> Catalog:
    """Build the deterministic catalog and its landing files.

    Args:
        seed: Generator seed.
        start_ms: First instant of the history (first catalog export).
        end_ms: Last instant of the history.

    Returns:
        The catalog with a full export at the start and, for histories of two days or more, a
        delta export halfway with price changes, new products, deactivations and one bad row.
    """
    rng = random.Random(f"{seed}:catalog")
    scramble = make_scrambler(seed, "product", 13)
    products: list[Product] = []
    created: dict[str, int] = {}
    seq = 0
    for category, (code, brands, subcats, adjectives, (low, high)) in _CATEGORIES.items():
        count = rng.randint(24, 36)
        seen: set[str] = set()
        for n in range(count):
            subcat = rng.choice(sorted(subcats))
            noun = rng.choice(subcats[subcat])
            brand = rng.choice(brands)
            name = f"{brand} {rng.choice(adjectives)} {noun}"
            if name in seen:
                name = f"{name} {rng.choice(('II', 'Plus', 'Mini', 'XL', '2.0'))}"
            if name in seen:
                continue
            seen.add(name)
            price = round(low * (high / low) ** (rng.random() ** 1.4), 2)
            pid = scramble(seq)
            seq += 1
            sku = f"{code}-{subcat[:3].upper()}-{n + 1:04d}"
            weight = 1.0 / (1 + rng.random() * 40) ** 0.9
            products.append(
                Product(
                    pid,
                    sku,
                    name,
                    category,
                    subcat,
                    brand,
                    price,
                    f"{_slugify(name)}-{pid[-5:]}",
                    weight,
                )
            )
            created[pid] = start_ms - rng.randrange(30, 900) * DAY_MS - rng.randrange(DAY_MS)
    # a few products are launched mid-history
    launch_count = max(1, len(products) // 20)
    mid_ms = start_ms + ((end_ms - start_ms) // DAY_MS // 2) * DAY_MS
    two_versions = end_ms - start_ms >= 2 * DAY_MS
    launched = (
        set(p.product_id for p in rng.sample(products, launch_count)) if two_versions else set()
    )

    def version(from_ms: int, prices: dict[str, float], active: list[Product]) -> CatalogVersion:
        v = CatalogVersion(from_ms, prices)
        for cat in CATEGORY_NAMES:
            v.pools[cat] = _pool([p for p in active if p.category == cat])
        v.everything = _pool(active)
        return v

    first_active = [p for p in products if p.product_id not in launched]
    first_prices = {p.product_id: p.base_price for p in products}
    versions = [version(start_ms, first_prices, first_active)]
    header_rows = [
        _row(p, first_prices[p.product_id], True, created[p.product_id]) for p in first_active
    ]
    files = [(f"catalog/products_{date_str(start_ms)}.csv", header_rows)]
    if two_versions:
        change_ms = mid_ms + 6 * HOUR_MS
        prices = dict(first_prices)
        delta: list[list[str]] = []
        retired = set(p.product_id for p in rng.sample(first_active, max(1, len(products) // 33)))
        for p in products:
            if p.product_id in retired:
                delta.append(_row(p, prices[p.product_id], False, change_ms))
            elif p.product_id in launched:
                delta.append(_row(p, prices[p.product_id], True, change_ms))
            elif rng.random() < 0.08:
                prices[p.product_id] = round(p.base_price * rng.choice((0.8, 0.85, 0.9, 1.1)), 2)
                delta.append(_row(p, prices[p.product_id], True, change_ms))
        bad = _row(products[0], prices[products[0].product_id], True, change_ms)
        bad[0] = ""
        delta.append(bad)
        active = [p for p in products if p.product_id not in retired]
        versions.append(version(change_ms, prices, active))
        files.append((f"catalog/products_{date_str(mid_ms)}.csv", delta))
    return Catalog(products, versions, files, {p.product_id: p for p in products})


def _row(product: Product, price: float, active: bool, updated_ms: int) -> list[str]:
    return [
        product.product_id,
        product.sku,
        product.name,
        product.category,
        product.subcategory,
        product.brand,
        f"{price:.2f}",
        "USD",
        "true" if active else "false",
        iso_naive(updated_ms),
    ]
