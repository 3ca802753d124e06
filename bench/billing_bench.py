"""PDF generation time for a short and a long invoice: `python -m bench.billing_bench`.

Builds the invoices in memory (no database) and times only the PDF rendering, the part a
shopper waits for after the page's queries. Prints and returns the medians; asserts nothing.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from portal.auth.models import Customer
from portal.billing.documents import build_invoice
from portal.billing.pdf import render_document_pdf
from portal.billing.service import DocumentStatus, DocumentView, tax_rates
from portal.money import format_money
from portal.orders.models import Order, OrderLine
from portal.orders.pricing import line_tax_cents, totals_for
from portal.store import StorePolicy

ADDRESS = {"name": "Ada Shopper", "line1": "1 Main Street", "line2": None, "city": "Springfield",
           "region": "OR", "postal_code": "12345", "country": "US", "phone": None}


def _view(line_count: int) -> DocumentView:
    lines = []
    for n in range(line_count):
        quantity, price, rate = 1 + n % 3, 995 + 37 * n, (800, 1900, 0)[n % 3]
        discount = 100 if n % 5 == 0 else 0
        lines.append(OrderLine(
            sku=f"SKU-{n:05d}", product_name=f"Organic cotton item no. {n}", quantity=quantity,
            unit_price_cents=price, discount_cents=discount, tax_rate_bp=rate,
            tax_cents=line_tax_cents(quantity=quantity, unit_price_cents=price,
                                     discount_cents=discount, tax_rate_bp=rate)))
    totals = totals_for(lines, shipping_cents=595)
    order = Order(number=f"NW{line_count:06d}", currency="USD", lines=lines,
                  shipping_address=ADDRESS, billing_address=ADDRESS,
                  placed_at=datetime(2026, 1, 5, tzinfo=UTC), **vars(totals))
    customer = Customer(name="Ada Shopper", email="ada@example.com", company_name="Acme LLC",
                        tax_id="US-123")
    invoice = build_invoice(order, customer=customer, number=f"INV-{order.number}",
                            now=order.placed_at)
    return DocumentView(document=invoice, status=DocumentStatus.PAID,
                        tax_rates=tax_rates(invoice), payments=[], refunds=[], credited_cents=0)


def _median_ms(view: DocumentView, runs: int) -> float:
    policy = StorePolicy()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        render_document_pdf(view, policy=policy, issued_on="January 5, 2026",
                            status_label="Paid", money=lambda cents: format_money(cents, "USD"))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def pdf_generation_figures(runs: int = 30) -> dict[str, float]:
    """Median milliseconds to render a 3-line and a 60-line invoice PDF."""
    _median_ms(_view(3), 3)  # warm-up: fonts and styles are loaded once per process
    figures = {"pdf_3_lines_median_ms": _median_ms(_view(3), runs),
               "pdf_60_lines_median_ms": _median_ms(_view(60), runs)}
    for name, value in figures.items():
        print(f"{name}: {value:.1f}")
    return figures


if __name__ == "__main__":
    pdf_generation_figures()
