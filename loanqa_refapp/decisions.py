"""Credit, anti-fraud and multi-lending rules: pure functions of the inputs, so every decision can be
replayed from its audit record and unit-tested without a server."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from loanqa.synthetic import unit_hash
from loanqa_refapp.faults import hit
from loanqa_refapp.settings import Settings

MAX_OPEN_ELSEWHERE = 6


def bureau_score(id_number: str) -> int:
    """Synthetic credit-bureau score 300–850, skewed high so most synthetic borrowers are creditworthy."""
    return 300 + int(550 * unit_hash(id_number.upper(), "bureau") ** 0.3)


def open_loans_elsewhere(id_number: str) -> int:
    """Loans the borrower has open at other lenders (多头), 0–5, most borrowers having few."""
    return int(MAX_OPEN_ELSEWHERE * unit_hash(id_number.upper(), "multi") ** 4)


def apr_for(score: int) -> float:
    """Riskier borrowers pay more: 24% at the threshold region down to 7.2% for the best scores."""
    return round(min(0.24, max(0.072, 0.24 - (score - 550) / 300 * 0.168)), 4)


@dataclass(frozen=True)
class Inputs:
    id_number: str
    bureau_score: int
    open_loans_elsewhere: int
    device_borrowers: int
    applications_last_hour: int
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Decision:
    code: str | None  # None: approved
    score: int
    reasons: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"score": self.score, "reasons": self.reasons}
        if self.code is not None:
            out["code"] = self.code
        return out

    def audit(self, inputs: Inputs, settings: Settings) -> dict[str, Any]:
        used = settings.model_dump(include={"credit_threshold", "max_open_loans_elsewhere",
                                            "fraud_max_borrowers_per_device", "fraud_max_applications_per_hour",
                                            "duplicate_window_s", "faults"})
        return {"inputs": asdict(inputs), "settings": used, "score": self.score, "code": self.code,
                "rules": self.rules, "reasons": self.reasons}


def _fraud(inp: Inputs, s: Settings) -> list[str]:
    if s.faults.fraud_share is not None:
        return ["FAULT_INJECTED"] if hit(inp.id_number, "fraud", s.faults.fraud_share) else []
    reasons = []
    if inp.device_borrowers > s.fraud_max_borrowers_per_device:
        reasons.append("DEVICE_SHARED")
    if inp.applications_last_hour + 1 > s.fraud_max_applications_per_hour:
        reasons.append("VELOCITY")
    return reasons


def _multi_lending(inp: Inputs, s: Settings) -> list[str]:
    if s.faults.multi_lending_share is not None:
        return ["FAULT_INJECTED"] if hit(inp.id_number, "multi-lending", s.faults.multi_lending_share) else []
    return ["OPEN_LOANS_ELSEWHERE"] if inp.open_loans_elsewhere > s.max_open_loans_elsewhere else []


def _credit(inp: Inputs, s: Settings) -> list[str]:
    if s.faults.credit_reject_share is not None:
        return ["FAULT_INJECTED"] if hit(inp.id_number, "credit-reject", s.faults.credit_reject_share) else []
    return ["SCORE_BELOW_THRESHOLD"] if inp.bureau_score < s.credit_threshold else []


def decide(inp: Inputs, s: Settings) -> Decision:
    """The first rule that fires decides; the order mirrors a lender's: resubmission, fraud, 多头, credit."""
    if inp.duplicate_of is not None:
        return Decision("DUPLICATE_APPLICATION", inp.bureau_score, ["APPROVED_APPLICATION_PENDING"], ["duplicate"])
    checks = (("FRAUD_FLAGGED", "anti_fraud", _fraud), ("MULTI_LENDING", "multi_lending", _multi_lending),
              ("CREDIT_REJECTED", "credit", _credit))
    for code, rule, check in checks:
        reasons = check(inp, s)
        if reasons:
            return Decision(code, inp.bureau_score, reasons, [rule])
    return Decision(None, inp.bureau_score)
