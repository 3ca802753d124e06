"""The ledger as CSV: proper quoting by the csv module, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from portal.billing.ledger import LedgerEntry
from portal.money import to_decimal

HEADER = ["Date", "Type", "Description", "Order", "Document", "Currency", "Paid",
          "Refunded or credited", "Balance"]
# A leading = + - @ (or a tab / carriage return hiding one) makes Excel, LibreOffice and
# Google Sheets evaluate the cell as a formula: a quote in front keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Text a spreadsheet shows as typed instead of evaluating it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def ledger_csv(entries: Iterable[LedgerEntry], *, describe: Callable[[LedgerEntry], str],
               date_of: Callable[[LedgerEntry], str]) -> str:
    """CSV text of the entries. Amounts are plain decimals in the entry's currency (no
    symbol, dot decimal) so spreadsheets read them as numbers; text cells are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for entry in entries:
        def amount(cents: int, currency: str = entry.currency) -> str:
            return str(to_decimal(cents, currency)) if cents else ""

        text = [date_of(entry), entry.entry_type.value, describe(entry),
                entry.order_number or "", entry.document_number or "", entry.currency]
        writer.writerow([neutralise(cell) for cell in text] + [
            amount(entry.paid_cents), amount(entry.received_cents),
            str(to_decimal(entry.balance_cents, entry.currency)),
        ])
    return out.getvalue()
