"""Search quality on real customer wording: BANKING77 messages against our help center.

    .venv/bin/python -m eval.public PATH/TO/banking77/test.csv [--split test|tune|all]

BANKING77 (PolyAI, CC BY 4.0) is about 13,000 messages real customers sent to a bank's
support, each labelled with one of 77 intents. It is not committed here: fetch a copy
(columns ``text,category``) and give its path. Where our shop's FAQ answers an intent for
a shopper too (refunds, a declined or double payment, a forgotten password, closing the
account, ways to pay), :data:`ANSWERED_BY` names the articles that answer it; a dozen
banking-only intents (ATMs, exchange rates, top-ups) are questions our FAQ must *not*
pretend to answer. Up to :data:`PER_INTENT` messages per intent are taken, chosen by
hash, and split into tune and test halves like every other query file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

from eval.evaluate import ROOT, Case, evaluate, markdown, split_of

ANSWERED_BY = {
    "request_refund": "start-a-return|return-policy|refund-timing",
    "Refund_not_showing_up": "refund-timing",
    "declined_card_payment": "payment-declined",
    "transaction_charged_twice": "double-charged",
    "pending_card_payment": "double-charged",
    "card_payment_not_recognised": "double-charged|account-security",
    "passcode_forgotten": "reset-password",
    "edit_personal_details": "change-email-or-name",
    "terminate_account": "delete-account",
    "apple_pay_or_google_pay": "payment-methods",
    "supported_cards_and_currencies": "payment-methods",
}
NOT_ANSWERED = (
    "exchange_rate", "atm_support", "top_up_limits", "card_swallowed", "cash_withdrawal_charge",
    "pin_blocked", "verify_source_of_funds", "fiat_currency_support", "age_limit",
    "beneficiary_not_allowed", "card_arrival", "transfer_timing",
)
PER_INTENT = 20


def load_public_cases(path: Path, split: str) -> list[Case]:
    by_intent: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_intent.setdefault(row["category"], []).append(row["text"].strip())
    cases = []
    for intent, texts in sorted(by_intent.items()):
        if intent not in ANSWERED_BY and intent not in NOT_ANSWERED:
            continue
        chosen = sorted(set(texts), key=lambda t: hashlib.sha256(t.encode()).hexdigest())
        expected = frozenset(ANSWERED_BY.get(intent, "").split("|")) - {""}
        kind = "message" if expected else "unanswerable"
        cases += [Case(kind, text, expected) for text in chosen[:PER_INTENT]]
    if split == "all":
        return cases
    halves = split_of(cases)
    return [case for case in cases if halves[case] == split]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", type=Path, help="BANKING77 file with text,category columns")
    parser.add_argument("--split", choices=("test", "tune", "all"), default="test")
    args = parser.parse_args(argv)
    print(markdown(evaluate(ROOT / "content", load_public_cases(args.csv, args.split))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
