"""Loans as the contract shows them, read with the borrower's ownership check built into the query."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from loanqa_refapp.apierror import not_found
from loanqa_refapp.store import Store

_SELECT = """SELECT l.*, d.id AS d_id, d.status AS d_status, d.paid_at AS d_paid_at, d.failure_code AS d_failure
FROM loans l LEFT JOIN disbursements d ON d.loan_id = l.id"""


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def owned(store: Store, loan_id: str, borrower_id: str) -> sqlite3.Row:
    """The borrower's own loan; someone else's is 404 exactly like a missing one (existence not leaked)."""
    row = store.one(f"{_SELECT} WHERE l.id = ? AND l.borrower_id = ?", loan_id, borrower_id)
    if row is None:
        raise not_found()
    return row


def of_borrower(store: Store, borrower_id: str) -> list[sqlite3.Row]:
    return store.all(f"{_SELECT} WHERE l.borrower_id = ? ORDER BY l.created_at", borrower_id)


def view(row: sqlite3.Row) -> dict[str, Any]:
    out: dict[str, Any] = {
        "loan_id": row["id"], "status": row["status"], "amount": row["amount"],
        "term_months": row["term_months"], "apr": row["apr"], "created_at": iso(row["created_at"]),
        "decision": json.loads(row["decision"]),
    }
    if row["signature_id"] is not None:
        out["signature_id"] = row["signature_id"]
        out["signed_at"] = iso(row["signed_at"])
    if row["d_id"] is not None:
        out["disbursement"] = disbursement_view(row["d_id"], row["d_status"], row["d_paid_at"], row["d_failure"])
    return out


def disbursement_view(d_id: str, status: str, paid_at: float | None, failure: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"disbursement_id": d_id, "status": status}
    if paid_at is not None:
        out["paid_at"] = iso(paid_at)
    if failure is not None:
        out["failure_code"] = failure
    return out
