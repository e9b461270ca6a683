"""Writes the support-bot example's one PDF policy (run once; the PDF is committed).

``python -m tests.examples.make_policy_pdf`` rewrites
``src/lakeai/examples/support_bot/docs/damaged-items-and-warranty.pdf`` with fpdf2 (a test extra).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

PDF = (
    Path(__file__).parents[2]
    / "src/lakeai/examples/support_bot/docs/damaged-items-and-warranty.pdf"
)
PAGES = (
    (
        "Damaged items",
        "If an item arrives damaged, report it within 14 days of delivery with a photo of the "
        "damage and of the parcel. We send a free replacement, or refund the item and its "
        "shipping costs in full if no replacement is in stock. Damaged items do not need to be "
        "sent back unless the support team asks for them.",
    ),
    (
        "Warranty",
        "Electronics such as headphones and lamps carry a two-year warranty from the date of "
        "delivery. A warranty claim is repaired or replaced free of charge; wear and tear and "
        "accidental damage are not covered. Keep the order confirmation as proof of purchase.",
    ),
)


def write(path: Path = PDF) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2024, 6, 1, tzinfo=UTC))  # fixed: the same bytes every run
    pdf.set_title("Damaged items and warranty")
    for title, text in PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


if __name__ == "__main__":
    print(write())
