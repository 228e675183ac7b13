"""Journey steps shared by the device tests; each ends in a state a borrower would see."""

from __future__ import annotations

from loanqa.taxonomy import CODE_CAUSES, Cause
from loanqa_devicetests import probe
from loanqa_devicetests.outcomes import DeviceFailure
from loanqa_devicetests.pages.journey import ApplyPage, ContractPage, FacePage, IdentityPage, LoginPage
from loanqa_devicetests.phone import Phone

AMOUNT, TERM = 5000, 12


def to_face(phone: Phone) -> FacePage:
    b = phone.borrower
    with phone.step("log in with the sandbox OTP"):
        phone.open_app()
        probe.install(phone.driver)
        phone.screen(LoginPage).login(b.phone)
    with phone.step("verify identity"):
        phone.screen(IdentityPage).submit(b.name, b.id_number)
    face = phone.screen(FacePage)
    face.wait_page("face")
    return face


def pass_face(phone: Phone, face: FacePage) -> None:
    with phone.step("liveness with a good face"):
        face.start()
        result = face.outcome()
    if result != "passed":
        raise DeviceFailure(Cause.FACE, phone.device.name,
                            f"a good face was rejected with {result}: {face.hint_text()!r}")


def to_contract(phone: Phone) -> ContractPage:
    pass_face(phone, to_face(phone))
    with phone.step(f"apply for {AMOUNT} yuan over {TERM} months"):
        apply = phone.screen(ApplyPage)
        apply.apply(AMOUNT, TERM)
        apply.wait_until(lambda: apply.visible("page-contract") or _rejected(apply),
                         "contract, or a rejection shown", 30)
        if _rejected(apply):
            code = apply.attr("decision-status", "data-code") or "unknown"
            raise DeviceFailure(CODE_CAUSES.get(code, Cause.SERVER_ERROR), phone.device.name,
                                f"application for a creditworthy borrower answered {code}")
    contract = phone.screen(ContractPage)
    contract.wait_loaded()
    return contract


def _rejected(apply: ApplyPage) -> bool:
    return apply.visible("decision-status") and apply.attr("decision-status", "data-status") == "rejected"
