"""Phone + OTP login and expiring bearer tokens.

Tokens are kept with the data (SQLite), as a real lender's sessions are: a restart or a deploy does not log
borrowers out mid-journey. Only a token's SHA-256 is stored, so the database is no store of live credentials.
One-time codes stay in memory: they live five minutes, and a borrower simply asks for another.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from loanqa_refapp.apierror import ApiError
from loanqa_refapp.store import Store

OTP_TTL_S = 300


@dataclass
class Auth:
    store: Store
    otps: dict[str, tuple[str, float]] = field(default_factory=dict)
    sends: dict[str, deque[float]] = field(default_factory=dict)
    issued: int = 0

    def send_otp(self, phone: str, per_minute: int, now: float | None = None) -> str:
        """A fresh code, unless the phone asked more than `per_minute` times in the last minute (429)."""
        now = time.monotonic() if now is None else now
        window = self.sends.setdefault(phone, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= per_minute:
            wait = max(1, int(window[0] + 60 - now + 0.999))
            raise ApiError(429, "RATE_LIMITED", f"more than {per_minute} codes per minute for this phone",
                           hint="验证码发送过于频繁，请稍后再试", headers={"Retry-After": str(wait)})
        window.append(now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        self.otps[phone] = (code, now + OTP_TTL_S)
        return code

    def verify_otp(self, phone: str, code: str, now: float | None = None) -> None:
        """Codes are single-use; wrong, expired or never sent all answer the same 401."""
        now = time.monotonic() if now is None else now
        sent = self.otps.get(phone)
        if sent is None or sent[1] < now or not secrets.compare_digest(sent[0], code):
            raise ApiError(401, "OTP_INVALID", "wrong or expired one-time code", hint="验证码错误或已过期")
        del self.otps[phone]

    def issue(self, borrower_id: str, ttl_s: int) -> str:
        self.issued += 1
        if self.issued % 10_000 == 0:
            self.store.run("DELETE FROM tokens WHERE expires_at < ?", time.time())
        token = secrets.token_urlsafe(24)
        self.store.run("INSERT INTO tokens VALUES (?, ?, ?)", _digest(token), borrower_id, time.time() + ttl_s)
        return token

    def borrower_for(self, authorization: str | None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        row = self.store.one("SELECT borrower_id, expires_at FROM tokens WHERE token_hash = ?",
                             _digest(token)) if scheme.lower() == "bearer" and token else None
        if row is None:
            raise ApiError(401, "UNAUTHORIZED", "missing or invalid bearer token", hint="请重新登录")
        if float(row["expires_at"]) < time.time():
            raise ApiError(401, "TOKEN_EXPIRED", "bearer token expired", hint="登录已过期，请重新登录")
        return str(row["borrower_id"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
