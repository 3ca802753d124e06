"""The label PDF: readable text, and codes that a scanner reads back as the RMA number."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from portal.returns.label import render_label
from portal.store import StorePolicy

ADDRESS = {"name": "Ada Lovelace", "line1": "1 Main Street", "line2": None,
           "city": "Springfield", "region": "OR", "postal_code": "12345", "country": "US"}


def label_pdf(items: list[str]) -> bytes:
    request = SimpleNamespace(rma_number="RMA-1A2B3C4D",
                              order=SimpleNamespace(number="NW100123", shipping_address=ADDRESS))
    return render_label(request, policy=StorePolicy(), item_lines=items)  # type: ignore[arg-type]


def test_label_has_one_page_with_addresses_steps_and_items() -> None:
    reader = PdfReader(io.BytesIO(label_pdf(["1 x Merino sweater (SKU-1)"])))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("RMA-1A2B3C4D", "Ada Lovelace", "Northwind Goods Ltd. Returns",
                     "Packing instructions", "1 x Merino sweater (SKU-1)", "UPS"):
        assert expected in text


def test_a_long_item_list_stays_on_one_page() -> None:
    reader = PdfReader(io.BytesIO(label_pdf([f"1 x Item {n}" for n in range(60)])))
    assert len(reader.pages) == 1
    assert "and 35 more" in reader.pages[0].extract_text()


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                    reason="needs poppler-utils and zbar-tools")
def test_barcode_and_qr_scan_back_to_the_rma_number(tmp_path: Path) -> None:
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label_pdf(["1 x Merino sweater"]))
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf),
                    str(tmp_path / "label")], check=True)
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "label.png")],
                             capture_output=True, text=True, check=True).stdout.split()
    assert sorted(scanned) == ["RMA-1A2B3C4D", "RMA-1A2B3C4D"]  # Code 128 and QR
