"""What the server recorded, read over the contract's API: the truth a screen can only claim."""

from __future__ import annotations

from typing import Any

import httpx


class ServerView:
    """Logs in as the same borrower (sandbox OTP) to read that borrower's loans."""

    def __init__(self, target: str, timeout_s: float = 10.0) -> None:
        self.client = httpx.Client(base_url=target.rstrip("/"), timeout=timeout_s)

    def close(self) -> None:
        self.client.close()

    def loans(self, phone: str) -> list[dict[str, Any]]:
        otp = self.client.post("/v1/auth/otp", json={"phone": phone}).raise_for_status().json()
        login = self.client.post("/v1/auth/login", json={"phone": phone, "code": otp["sandbox_code"],
                                                         "device_id": "loanqa-verifier"})
        token = login.raise_for_status().json()["access_token"]
        resp = self.client.get("/v1/loans", headers={"Authorization": f"Bearer {token}"})
        loans: list[dict[str, Any]] = resp.raise_for_status().json()["loans"]
        return loans
