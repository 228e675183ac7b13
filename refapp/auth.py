"""Phone + OTP login and expiring bearer tokens, in memory: a restart logs everyone out, as a deploy would."""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from refapp.apierror import ApiError

OTP_TTL_S = 300


@dataclass
class Auth:
    otps: dict[str, tuple[str, float]] = field(default_factory=dict)
    sends: dict[str, deque[float]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

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
        if len(self.tokens) > 100_000:
            self._purge()
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (borrower_id, time.monotonic() + ttl_s)
        return token

    def borrower_for(self, authorization: str | None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        entry = self.tokens.get(token) if scheme.lower() == "bearer" else None
        if entry is None:
            raise ApiError(401, "UNAUTHORIZED", "missing or invalid bearer token", hint="请重新登录")
        if entry[1] < time.monotonic():
            raise ApiError(401, "TOKEN_EXPIRED", "bearer token expired", hint="登录已过期，请重新登录")
        return entry[0]

    def _purge(self) -> None:
        now = time.monotonic()
        self.tokens = {t: e for t, e in self.tokens.items() if e[1] >= now}
