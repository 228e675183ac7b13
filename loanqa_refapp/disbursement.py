"""The simulated core-banking payout: a queue drained by a pool of async workers.

The payout itself is an INSERT into `payouts`, whose primary key is the loan: a second payout of the
same loan is impossible in the database, whatever retries, restarts or worker races happen above it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time

from loanqa_refapp.faults import hit
from loanqa_refapp.state import AppState

log = logging.getLogger("refapp.disbursement")


class Disburser:
    def __init__(self, st: AppState) -> None:
        self.st = st
        self.workers: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for row in self.st.store.all("SELECT id FROM disbursements WHERE status IN ('queued', 'processing')"):
            self.st.queue.put_nowait(str(row["id"]))  # resume what a restart interrupted
        self.resize(self.st.settings.disburse_workers)

    def resize(self, n: int) -> None:
        while len(self.workers) < n:
            self.workers.append(asyncio.create_task(self._work(), name=f"disburse-{len(self.workers)}"))
        while len(self.workers) > n:
            self.workers.pop().cancel()

    async def stop(self) -> None:
        tasks, self.workers = self.workers, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def full(self) -> bool:
        return self.st.queue.qsize() >= self.st.settings.disburse_queue_size

    async def _work(self) -> None:
        while True:
            d_id = await self.st.queue.get()
            try:
                await self._process(d_id)
            except Exception:
                log.exception("disbursement %s failed unexpectedly", d_id)
            finally:
                self.st.queue.task_done()

    async def _process(self, d_id: str) -> None:
        store = self.st.store
        row = store.one("""SELECT d.loan_id, l.amount, b.id_number FROM disbursements d JOIN loans l ON l.id = d.loan_id
                           JOIN borrowers b ON b.id = l.borrower_id WHERE d.id = ? AND d.status != 'paid'""", d_id)
        if row is None:
            return
        store.run("UPDATE disbursements SET status = 'processing' WHERE id = ?", d_id)
        await asyncio.sleep(self.st.settings.core_banking_latency_ms / 1000)
        if hit(row["id_number"], "payout-fail", self.st.settings.faults.payout_fail_share):
            self._finish(d_id, row["loan_id"], "failed", "payout_failed", None, "PAYOUT_FAILED")
            return
        now = time.time()
        try:
            store.run("INSERT INTO payouts VALUES (?, ?, ?, ?)", row["loan_id"], d_id, row["amount"], now)
        except sqlite3.IntegrityError:
            log.warning("payout for loan %s already made; not paying twice", row["loan_id"])
            paid = store.one("SELECT paid_at FROM payouts WHERE loan_id = ?", row["loan_id"])
            now = float(paid["paid_at"]) if paid else now
        self._finish(d_id, row["loan_id"], "paid", "disbursed", now, None)

    def _finish(self, d_id: str, loan_id: str, status: str, loan_status: str, paid_at: float | None,
                failure: str | None) -> None:
        store = self.st.store
        store.run("UPDATE disbursements SET status = ?, paid_at = ?, failure_code = ? WHERE id = ?",
                  status, paid_at, failure, d_id)
        store.run("UPDATE loans SET status = ? WHERE id = ?", loan_status, loan_id)
        log.info("disbursement %s of loan %s: %s", d_id, loan_id, status)
