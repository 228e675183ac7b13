"""SQLite persistence (WAL). The database, not the code, enforces at-most-once: unique constraints on
a loan's disbursement and payout, and on a borrower's idempotency keys.

One connection, used only from the event loop's thread: SQLite serialises writers anyway, so one writer
with no lock contention is the cheapest correct choice; statements here take microseconds.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from loanqa.errors import ConfigError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS borrowers(id TEXT PRIMARY KEY, phone TEXT UNIQUE NOT NULL, name TEXT,
  id_number TEXT, kyc_at REAL, liveness_at REAL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS device_links(device_id TEXT NOT NULL, borrower_id TEXT NOT NULL,
  PRIMARY KEY(device_id, borrower_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS loans(id TEXT PRIMARY KEY, borrower_id TEXT NOT NULL, status TEXT NOT NULL,
  amount INTEGER NOT NULL, term_months INTEGER NOT NULL, apr REAL, device_id TEXT, created_at REAL NOT NULL,
  decision TEXT NOT NULL, signature_id TEXT UNIQUE, signed_at REAL);
CREATE INDEX IF NOT EXISTS loans_by_borrower ON loans(borrower_id, created_at);
CREATE TABLE IF NOT EXISTS decisions(loan_id TEXT PRIMARY KEY, borrower_id TEXT NOT NULL, audit TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS disbursements(id TEXT PRIMARY KEY, loan_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL, created_at REAL NOT NULL, paid_at REAL, failure_code TEXT);
CREATE TABLE IF NOT EXISTS payouts(loan_id TEXT PRIMARY KEY, disbursement_id TEXT NOT NULL UNIQUE,
  amount INTEGER NOT NULL, paid_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens(token_hash TEXT PRIMARY KEY, borrower_id TEXT NOT NULL,
  expires_at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency(borrower_id TEXT NOT NULL, key TEXT NOT NULL, status INTEGER NOT NULL,
  body TEXT NOT NULL, PRIMARY KEY(borrower_id, key)) WITHOUT ROWID;
"""


def sqlite_path(database_url: str) -> str:
    """The file behind a `sqlite:///path` URL; anything else is refused with the value named."""
    if database_url.startswith("sqlite:///"):
        return database_url.removeprefix("sqlite:///") or ":memory:"
    raise ConfigError("--database-url", "", database_url,
                      "only sqlite:///PATH is supported by this refapp build (PostgreSQL is not wired in)")


class Store:
    def __init__(self, database_url: str) -> None:
        path = sqlite_path(database_url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "foreign_keys=ON"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(sql, args).fetchone()
        return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(self.db.execute(sql, args).fetchall())

    def run(self, sql: str, *args: Any) -> int:
        return self.db.execute(sql, args).rowcount

    # borrowers and devices
    def borrower_for_phone(self, phone: str, new_id: str) -> str:
        self.run("INSERT OR IGNORE INTO borrowers(id, phone, created_at) VALUES (?, ?, ?)", new_id, phone, time.time())
        row = self.one("SELECT id FROM borrowers WHERE phone = ?", phone)
        assert row is not None
        return str(row["id"])

    def link_device(self, device_id: str, borrower_id: str) -> int:
        """Record the pair; answers how many borrowers this device has been used by."""
        self.run("INSERT OR IGNORE INTO device_links VALUES (?, ?)", device_id, borrower_id)
        row = self.one("SELECT count(*) AS n FROM device_links WHERE device_id = ?", device_id)
        return int(row["n"]) if row else 0

    def borrower(self, borrower_id: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM borrowers WHERE id = ?", borrower_id)

    # idempotency
    def replay(self, borrower_id: str, key: str) -> tuple[int, Any] | None:
        row = self.one("SELECT status, body FROM idempotency WHERE borrower_id = ? AND key = ?", borrower_id, key)
        return None if row is None else (int(row["status"]), json.loads(row["body"]))

    def remember(self, borrower_id: str, key: str, status: int, body: Any) -> None:
        self.run("INSERT OR IGNORE INTO idempotency VALUES (?, ?, ?, ?)", borrower_id, key, status,
                 json.dumps(body, ensure_ascii=False))

    # stats
    def loan_counts(self) -> dict[str, int]:
        rows = self.all("SELECT status, count(*) AS n FROM loans GROUP BY status")
        return {str(r["status"]): int(r["n"]) for r in rows}

    def payout_count(self) -> int:
        row = self.one("SELECT count(*) AS n FROM payouts")
        return int(row["n"]) if row else 0
